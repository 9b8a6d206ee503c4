import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// The tracker export lists and single objects (reference §9.1) [core/2.42 tracker/export/*].
struct TrackerExport {
    let kind: TrackerKind
    let environment: RequestEnvironment
    let tracker: TrackerSnapshot
    let version: EmulatedVersion

    private var metadata: StoreSnapshot { environment.snapshot }
    private var query: QueryParameters { environment.query }

    // MARK: Single objects

    func one(_ uid: String) throws -> Response {
        guard let stored = tracker.object(kind, uid), !stored.isDeleted else {
            return Reply.webMessage(
                .notFound, message: "\(kind.className) with id \(uid) could not be found.", errorCode: "E1005")
        }
        let fields = FieldSelection.parse(query["fields"] ?? "", default: defaultFields)
        let program = query["program"].flatMap { $0.isEmpty ? nil : $0 }
        let renderer = TrackerRenderer(tracker: tracker, metadata: metadata, version: version, program: program)
        let full = renderer.render(kind, stored.object, selected: selectedNames(fields))
        return Reply.json(PlainFieldFilter.apply(fields, to: .object(full)))
    }

    // MARK: Lists

    func list() throws -> Response {
        let fields = FieldSelection.parse(query["fields"] ?? "", default: defaultFields)
        var program = value("program")
        var candidates: [[String: JSONValue]]
        switch kind {
        case .trackedEntity: candidates = try trackedEntities(program: &program)
        case .enrollment: candidates = try enrollments()
        case .event: candidates = try events()
        case .relationship: candidates = try relationships()
        }
        if let updatedAfter = try date("updatedAfter") {
            candidates = candidates.filter { Self.dateValue($0["updatedAt"]).map { $0 >= updatedAfter } ?? false }
        }
        if let updatedBefore = try date("updatedBefore") {
            candidates = candidates.filter { Self.dateValue($0["updatedAt"]).map { $0 <= updatedBefore } ?? false }
        }
        candidates = try ordered(candidates)

        let paging = try pagingParameters()
        let renderer = TrackerRenderer(tracker: tracker, metadata: metadata, version: version, program: program)
        let selected = selectedNames(fields)
        func render(_ objects: ArraySlice<[String: JSONValue]>) -> JSONValue {
            .array(objects.map { PlainFieldFilter.apply(fields, to: .object(renderer.render(kind, $0, selected: selected))) })
        }
        guard paging.isPaged else {
            return Reply.json([kind.plural: render(candidates[...])])
        }
        let start = min((paging.page - 1) * paging.pageSize, candidates.count)
        let end = min(start + paging.pageSize, candidates.count)
        var pager: [String: JSONValue] = [
            "page": .number(Double(paging.page)), "pageSize": .number(Double(paging.pageSize)),
        ]
        if paging.totalPages {
            pager["total"] = .number(Double(candidates.count))
            pager["pageCount"] = .number(Double((candidates.count + paging.pageSize - 1) / paging.pageSize))
        }
        var body: [String: JSONValue] = [kind.plural: render(candidates[start..<end])]
        if version.minor == 41 {
            // 2.41's Page keeps deprecated top-level copies of the pager's numbers [core/2.41 tracker/view/Page].
            for (key, value) in pager { body[key] = value }
        } else {
            if paging.page > 1 { pager["prevPage"] = .string(pageURL(paging.page - 1)) }
            if end < candidates.count { pager["nextPage"] = .string(pageURL(paging.page + 1)) }
        }
        body["pager"] = .object(pager)
        return Reply.json(.object(body))
    }

    private var defaultFields: String {
        switch kind {
        case .trackedEntity: "*,!relationships,!enrollments,!events,!programOwners"
        case .enrollment: "*,!relationships,!events,!attributes"
        case .event: "*,!relationships"
        case .relationship:
            "relationship,relationshipType,createdAtClient,from[trackedEntity[trackedEntity],enrollment[enrollment],event[event]],to[trackedEntity[trackedEntity],enrollment[enrollment],event[event]]"
        }
    }

    /// The top-level members a `fields` selection asks for, so nested collections are built only when wanted.
    private func selectedNames(_ fields: [FieldNode]) -> Set<String> {
        Set(PlainFieldFilter.expand(fields, keys: TrackerRenderer.collectionKeys).map(\.name))
    }

    // MARK: Parameters

    /// A parameter's value, or on 2.41 its deprecated alias (both → 400) [core/2.41 RequestParamsValidator
    /// .validateDeprecatedParameter]; 2.42 removed the aliases, and unknown parameters are ignored.
    private func value(_ name: String, deprecated: String? = nil, alwaysAccepted: Bool = false) -> String? {
        let current = query[name].flatMap { $0.isEmpty ? nil : $0 }
        guard let deprecated, version.minor == 41 || alwaysAccepted else { return current }
        return current ?? query[deprecated].flatMap { $0.isEmpty ? nil : $0 }
    }

    private func checkDeprecated(_ name: String, _ deprecated: String, alwaysAccepted: Bool = false) throws {
        guard version.minor == 41 || alwaysAccepted else { return }
        if !(query[name] ?? "").isEmpty, !(query[deprecated] ?? "").isEmpty {
            throw TrackerRequestError(
                "Only one parameter of '\(deprecated)' and '\(name)' must be specified. Prefer '\(name)' as '\(deprecated)' will be removed.")
        }
    }

    private func uids(_ text: String?) -> [String] {
        guard let text else { return [] }
        return text.split(whereSeparator: { $0 == "," || $0 == ";" }).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty }
    }

    private func date(_ name: String) throws -> Date? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let date = DHIS2Date.parse(text) else {
            throw TrackerRequestError("Value '\(text)' is not valid for parameter \(name). It should be of type Date")
        }
        return date
    }

    private func bool(_ name: String) throws -> Bool? {
        guard let text = query[name], !text.isEmpty else { return nil }
        guard let flag = Bool(text.lowercased()) else {
            throw TrackerRequestError("Value '\(text)' is not valid for parameter \(name). It should be of type boolean")
        }
        return flag
    }

    private func choice(_ name: String, _ allowed: [String], deprecated: String? = nil, alwaysAccepted: Bool = false)
        throws -> String?
    {
        if let deprecated { try checkDeprecated(name, deprecated, alwaysAccepted: alwaysAccepted) }
        guard let text = value(name, deprecated: deprecated, alwaysAccepted: alwaysAccepted) else { return nil }
        guard allowed.contains(text.uppercased()) else {
            throw TrackerRequestError(
                "Value '\(text)' is not valid for parameter \(name). Valid values are: [\(allowed.joined(separator: ", "))]")
        }
        return text.uppercased()
    }

    private struct Paging {
        var page = 1
        var pageSize = 50
        var totalPages = false
        var isPaged = true
    }

    private func pagingParameters() throws -> Paging {
        var paging = Paging()
        if let text = query["page"], !text.isEmpty {
            guard let page = Int(text), page > 0 else {
                throw TrackerRequestError("page must be greater than or equal to 1 if specified")
            }
            paging.page = page
        }
        if let text = query["pageSize"], !text.isEmpty {
            guard let size = Int(text), size > 0 else {
                throw TrackerRequestError("pageSize must be greater than or equal to 1 if specified")
            }
            paging.pageSize = size
        }
        paging.totalPages = try bool("totalPages") ?? false
        let pagingFlag = try bool("paging")
        if version.minor == 41, let skip = try bool("skipPaging") {
            if pagingFlag != nil {
                throw TrackerRequestError(
                    "Only one parameter of 'skipPaging' and 'paging' must be specified. Prefer 'paging' as 'skipPaging' will be removed.")
            }
            paging.isPaged = !skip
        } else {
            paging.isPaged = pagingFlag ?? true
        }
        return paging
    }

    /// The absolute URL of this request with `page` replaced (or appended), as DHIS2's pager links are.
    private func pageURL(_ page: Int) -> String {
        let raw = environment.request.uri.query ?? ""
        var parts = raw.split(separator: "&", omittingEmptySubsequences: true).map(String.init)
        if let index = parts.firstIndex(where: { $0 == "page" || $0.hasPrefix("page=") }) {
            parts[index] = "page=\(page)"
        } else {
            parts.append("page=\(page)")
        }
        return environment.contextPath + environment.request.uri.path + "?" + parts.joined(separator: "&")
    }

    // MARK: Organisation unit scope

    /// Whether an organisation unit is in the requested scope; `nil` means every unit (`ALL`).
    private func orgUnitScope(units: [String]) throws -> ((String) -> Bool)? {
        try checkDeprecated("orgUnitMode", "ouMode")
        let modes = ["SELECTED", "CHILDREN", "DESCENDANTS", "ACCESSIBLE", "CAPTURE", "ALL"]
        let mode = try choice("orgUnitMode", modes, deprecated: "ouMode") ?? (units.isEmpty ? "ACCESSIBLE" : "SELECTED")
        for unit in units where metadata.object("organisationUnits", unit) == nil {
            throw TrackerRequestError("Organisation unit does not exist: \(unit)")
        }
        switch mode {
        case "SELECTED", "CHILDREN", "DESCENDANTS":
            guard !units.isEmpty else {
                throw TrackerRequestError("At least one org unit is required for orgUnitMode: \(mode)")
            }
        default:
            if !units.isEmpty {
                throw TrackerRequestError(
                    "orgUnitMode \(mode) cannot be used with orgUnits. Please remove the orgUnits parameter and try again.")
            }
        }
        let selected = Set(units)
        switch mode {
        case "ALL":
            return nil
        case "SELECTED":
            return { selected.contains($0) }
        case "CHILDREN":
            return { unit in
                selected.contains(unit)
                    || (metadata.object("organisationUnits", unit)?["parent"]?["id"]?.stringValue).map(selected.contains) == true
            }
        case "DESCENDANTS":
            return descendants(of: selected)
        default:
            let profile = environment.principal.user.profile
            let search = TrackerImporter.referencedIDs(profile["teiSearchOrganisationUnits"])
            let capture = TrackerImporter.referencedIDs(profile["organisationUnits"])
            return descendants(of: mode == "ACCESSIBLE" && !search.isEmpty ? search : capture)
        }
    }

    private func descendants(of roots: Set<String>) -> (String) -> Bool {
        let metadata = self.metadata
        return { unit in
            if roots.contains(unit) { return true }
            guard let path = metadata.object("organisationUnits", unit)?["path"]?.stringValue else { return false }
            return path.split(separator: "/").contains { roots.contains(String($0)) }
        }
    }

    // MARK: Per-endpoint filters

    private func visible(_ kind: TrackerKind) throws -> [StoredTrackerObject] {
        let includeDeleted = try bool("includeDeleted") ?? false
        return tracker.all(kind).filter { includeDeleted || !$0.isDeleted }
    }

    private func trackedEntities(program: inout String?) throws -> [[String: JSONValue]] {
        try checkDeprecated("trackedEntities", "trackedEntity")
        try checkDeprecated("orgUnits", "orgUnit")
        try checkDeprecated("enrollmentStatus", "programStatus", alwaysAccepted: true)
        let requested = uids(value("trackedEntities", deprecated: "trackedEntity"))
        let type = value("trackedEntityType")
        if program != nil, type != nil {
            throw TrackerRequestError("Only one parameter of 'program' and 'trackedEntityType' must be specified.")
        }
        if program == nil, type == nil, requested.isEmpty {
            throw TrackerRequestError("Either `program`, `trackedEntityType` or `trackedEntities` should be specified")
        }
        var programObject: [String: JSONValue]?
        if let program {
            guard let found = metadata.object("programs", program) else {
                throw TrackerRequestError("Program is specified but does not exist: \(program)")
            }
            programObject = found
        }
        if let type, metadata.object("trackedEntityTypes", type) == nil {
            throw TrackerRequestError("Tracked entity type is specified but does not exist: \(type)")
        }
        let status = try choice(
            "enrollmentStatus", ["ACTIVE", "COMPLETED", "CANCELLED"], deprecated: "programStatus", alwaysAccepted: true)
        let followUp = try bool("followUp")
        if (status != nil || followUp != nil), program == nil {
            throw TrackerRequestError("`program` must be defined when `enrollmentStatus` or `followUp` is specified")
        }
        let enrolledAfter = try date("enrollmentEnrolledAfter")
        let enrolledBefore = try date("enrollmentEnrolledBefore")
        let occurredAfter = try date("enrollmentOccurredAfter")
        let occurredBefore = try date("enrollmentOccurredBefore")
        let scope = try orgUnitScope(units: uids(value("orgUnits", deprecated: "orgUnit")))
        let filters = try attributeFilters(known: "trackedEntityAttributes")
        let requestedSet = Set(requested)
        var result: [[String: JSONValue]] = []
        for stored in try visible(.trackedEntity) {
            let object = stored.object
            guard let uid = object["trackedEntity"]?.stringValue else { continue }
            if !requestedSet.isEmpty, !requestedSet.contains(uid) { continue }
            if let type, object["trackedEntityType"]?.stringValue != type { continue }
            var ownerUnit = object["orgUnit"]?.stringValue ?? ""
            if let program {
                let enrollments = (tracker.enrollmentsByTrackedEntity[uid] ?? []).compactMap {
                    tracker.object(.enrollment, $0)
                }.filter { !$0.isDeleted && $0.string("program") == program }
                guard let first = enrollments.first else { continue }
                ownerUnit = first.string("orgUnit") ?? ownerUnit
                if programObject?["trackedEntityType"]?["id"]?.stringValue
                    != object["trackedEntityType"]?.stringValue
                {
                    continue
                }
                let matching = enrollments.filter { enrollment in
                    if let status, enrollment.string("status") != status { return false }
                    if let followUp, (enrollment.object["followUp"]?.boolValue ?? false) != followUp { return false }
                    let enrolled = Self.dateValue(enrollment.object["enrolledAt"])
                    let occurred = Self.dateValue(enrollment.object["occurredAt"])
                    if let enrolledAfter, !(enrolled.map { $0 >= enrolledAfter } ?? false) { return false }
                    if let enrolledBefore, !(enrolled.map { $0 <= enrolledBefore } ?? false) { return false }
                    if let occurredAfter, !(occurred.map { $0 >= occurredAfter } ?? false) { return false }
                    if let occurredBefore, !(occurred.map { $0 <= occurredBefore } ?? false) { return false }
                    return true
                }
                if matching.isEmpty { continue }
            }
            if let scope, !scope(ownerUnit) { continue }
            if !filters.isEmpty {
                var values: [String: String] = [:]
                for attribute in object["attributes"]?.arrayValue ?? [] {
                    if let id = attribute["attribute"]?.stringValue, let value = attribute["value"]?.stringValue {
                        values[id] = value
                    }
                }
                if !filters.allSatisfy({ $0.matches(values[$0.item]) }) { continue }
            }
            result.append(object)
        }
        return result
    }

    private func enrollments() throws -> [[String: JSONValue]] {
        try checkDeprecated("orgUnits", "orgUnit")
        let program = value("program")
        if let program, metadata.object("programs", program) == nil {
            throw TrackerRequestError("Program is specified but does not exist: \(program)")
        }
        let type = value("trackedEntityType")
        let trackedEntity = value("trackedEntity")
        let requested = Set(uids(value("enrollments")))
        let status = try choice(
            "status", ["ACTIVE", "COMPLETED", "CANCELLED"], deprecated: "programStatus", alwaysAccepted: true)
        let followUp = try bool("followUp")
        let enrolledAfter = try date("enrolledAfter")
        let enrolledBefore = try date("enrolledBefore")
        let scope = try orgUnitScope(units: uids(value("orgUnits", deprecated: "orgUnit")))
        return try visible(.enrollment).map(\.object).filter { object in
            if let program, object["program"]?.stringValue != program { return false }
            if let trackedEntity, object["trackedEntity"]?.stringValue != trackedEntity { return false }
            if !requested.isEmpty, !requested.contains(object["enrollment"]?.stringValue ?? "") { return false }
            if let type,
                tracker.object(.trackedEntity, object["trackedEntity"]?.stringValue ?? "")?.string("trackedEntityType")
                    != type
            {
                return false
            }
            if let status, object["status"]?.stringValue != status { return false }
            if let followUp, (object["followUp"]?.boolValue ?? false) != followUp { return false }
            let enrolled = Self.dateValue(object["enrolledAt"])
            if let enrolledAfter, !(enrolled.map { $0 >= enrolledAfter } ?? false) { return false }
            if let enrolledBefore, !(enrolled.map { $0 <= enrolledBefore } ?? false) { return false }
            if let scope, !scope(object["orgUnit"]?.stringValue ?? "") { return false }
            return true
        }
    }

    private func events() throws -> [[String: JSONValue]] {
        try checkDeprecated("events", "event")
        let program = value("program")
        if let program, metadata.object("programs", program) == nil {
            throw TrackerRequestError("Program is specified but does not exist: \(program)")
        }
        let stage = value("programStage")
        if let stage, metadata.object("programStages", stage) == nil {
            throw TrackerRequestError("Program stage is specified but does not exist: \(stage)")
        }
        let trackedEntity = value("trackedEntity")
        let requested = Set(uids(value("events", deprecated: "event")))
        let enrollmentIDs = Set(uids(value("enrollments")))
        let status = try choice("status", ["ACTIVE", "COMPLETED", "VISITED", "SCHEDULE", "OVERDUE", "SKIPPED"])
        let enrollmentStatus = try choice(
            "enrollmentStatus", ["ACTIVE", "COMPLETED", "CANCELLED"], deprecated: "programStatus", alwaysAccepted: true)
        let occurredAfter = try date("occurredAfter")
        let occurredBefore = try date("occurredBefore")
        let scheduledAfter = try date("scheduledAfter")
        let scheduledBefore = try date("scheduledBefore")
        let scope = try orgUnitScope(units: uids(value("orgUnit")))
        let filters = try attributeFilters(known: "dataElements")
        return try visible(.event).map(\.object).filter { object in
            if let program, object["program"]?.stringValue != program { return false }
            if let stage, object["programStage"]?.stringValue != stage { return false }
            if let trackedEntity, object["trackedEntity"]?.stringValue != trackedEntity { return false }
            if !requested.isEmpty, !requested.contains(object["event"]?.stringValue ?? "") { return false }
            if !enrollmentIDs.isEmpty, !enrollmentIDs.contains(object["enrollment"]?.stringValue ?? "") { return false }
            if let status, object["status"]?.stringValue != status { return false }
            if let enrollmentStatus,
                tracker.object(.enrollment, object["enrollment"]?.stringValue ?? "")?.string("status") != enrollmentStatus
            {
                return false
            }
            let occurred = Self.dateValue(object["occurredAt"])
            let scheduled = Self.dateValue(object["scheduledAt"])
            if let occurredAfter, !(occurred.map { $0 >= occurredAfter } ?? false) { return false }
            if let occurredBefore, !(occurred.map { $0 <= occurredBefore } ?? false) { return false }
            if let scheduledAfter, !(scheduled.map { $0 >= scheduledAfter } ?? false) { return false }
            if let scheduledBefore, !(scheduled.map { $0 <= scheduledBefore } ?? false) { return false }
            if let scope, !scope(object["orgUnit"]?.stringValue ?? "") { return false }
            if !filters.isEmpty {
                var values: [String: String] = [:]
                for dataValue in object["dataValues"]?.arrayValue ?? [] {
                    if let id = dataValue["dataElement"]?.stringValue, let value = dataValue["value"]?.stringValue {
                        values[id] = value
                    }
                }
                if !filters.allSatisfy({ $0.matches(values[$0.item]) }) { return false }
            }
            return true
        }
    }

    private func relationships() throws -> [[String: JSONValue]] {
        if version.minor == 41 { try checkDeprecated("trackedEntity", "tei") }
        let given: [(TrackerKind, String)] = [
            value("trackedEntity", deprecated: "tei").map { (.trackedEntity, $0) },
            value("enrollment").map { (.enrollment, $0) },
            value("event").map { (.event, $0) },
        ].compactMap { $0 }
        guard let (itemKind, uid) = given.first else {
            throw TrackerRequestError("Missing required parameter 'trackedEntity', 'enrollment' or 'event'.")
        }
        if given.count > 1 {
            throw TrackerRequestError("Only one of parameters 'trackedEntity', 'enrollment' or 'event' is allowed.")
        }
        guard tracker.object(itemKind, uid).map({ !$0.isDeleted }) == true else {
            throw TrackerNotFound(kind: itemKind, uid: uid)
        }
        let includeDeleted = try bool("includeDeleted") ?? false
        return (tracker.relationshipsByItem[uid] ?? []).compactMap { tracker.object(.relationship, $0) }
            .filter { includeDeleted || !$0.isDeleted }.sorted { $0.sequence < $1.sequence }.map(\.object)
    }

    // MARK: Attribute and data value filters

    /// One `filter=<uid>:<op>:<value>[:<op>:<value>]` condition [core/2.42 tracker/export/RequestParamsValidator].
    struct ItemFilter {
        let item: String
        let conditions: [(op: String, value: String)]

        func matches(_ actual: String?) -> Bool {
            conditions.allSatisfy { condition in
                let op = condition.op
                if op == "null" { return actual == nil }
                if op == "!null" { return actual != nil }
                guard let actual else { return false }
                let left = actual.lowercased()
                let right = condition.value.lowercased()
                switch op {
                case "eq", "ieq": return left == right
                case "ne", "neq", "!eq": return left != right
                case "like", "ilike": return left.contains(right)
                case "nlike", "!like": return !left.contains(right)
                case "sw": return left.hasPrefix(right)
                case "ew": return left.hasSuffix(right)
                case "in": return right.split(separator: ";").map(String.init).contains(left)
                case "gt", "ge", "lt", "le":
                    let order: ComparisonResult
                    if let a = Double(actual), let b = Double(condition.value) {
                        order = a < b ? .orderedAscending : a > b ? .orderedDescending : .orderedSame
                    } else {
                        order = left < right ? .orderedAscending : left > right ? .orderedDescending : .orderedSame
                    }
                    switch op {
                    case "gt": return order == .orderedDescending
                    case "ge": return order != .orderedAscending
                    case "lt": return order == .orderedAscending
                    default: return order != .orderedDescending
                    }
                default: return false
                }
            }
        }
    }

    private static let filterOperators: Set<String> = [
        "eq", "ieq", "ne", "neq", "!eq", "like", "ilike", "nlike", "!like", "sw", "ew", "in", "gt", "ge", "lt", "le",
        "null", "!null",
    ]

    private func attributeFilters(known plural: String) throws -> [ItemFilter] {
        var filters: [ItemFilter] = []
        for text in query.all("filter") where !text.isEmpty {
            for part in text.split(separator: ",") {
                let pieces = part.split(separator: ":", omittingEmptySubsequences: false).map(String.init)
                guard let item = pieces.first, !item.isEmpty else { continue }
                guard metadata.object(plural, item) != nil else {
                    let name = plural == "dataElements" ? "Data element" : "Attribute"
                    throw TrackerRequestError("\(name) does not exist: \(item)")
                }
                var conditions: [(String, String)] = []
                var index = 1
                while index < pieces.count {
                    let op = pieces[index].lowercased()
                    guard Self.filterOperators.contains(op) else {
                        throw TrackerRequestError("'\(pieces[index])' is not a valid operator: \(part)")
                    }
                    if op == "null" || op == "!null" {
                        conditions.append((op, ""))
                        index += 1
                    } else {
                        guard index + 1 < pieces.count else {
                            throw TrackerRequestError("Operator '\(pieces[index])' in filter can't be used without a value: \(part)")
                        }
                        conditions.append((op, pieces[index + 1]))
                        index += 2
                    }
                }
                filters.append(ItemFilter(item: item, conditions: conditions))
            }
        }
        return filters
    }

    // MARK: Order

    private var orderableFields: Set<String> {
        switch kind {
        case .trackedEntity:
            ["trackedEntity", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient", "inactive", "orgUnit"]
        case .enrollment:
            [
                "enrollment", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient", "enrolledAt", "occurredAt",
                "completedAt", "status", "followUp", "orgUnit", "program", "trackedEntity",
            ]
        case .event:
            [
                "event", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient", "occurredAt", "scheduledAt",
                "completedAt", "status", "followUp", "orgUnit", "program", "programStage", "enrollment", "trackedEntity",
                "storedBy",
            ]
        case .relationship: ["relationship", "createdAt", "createdAtClient", "updatedAt"]
        }
    }

    private func ordered(_ objects: [[String: JSONValue]]) throws -> [[String: JSONValue]] {
        var keys: [(field: String, ascending: Bool, item: Bool)] = []
        for text in query.all("order") where !text.isEmpty {
            for part in text.split(separator: ",") {
                let pieces = part.split(separator: ":").map(String.init)
                guard let field = pieces.first else { continue }
                let direction = pieces.count > 1 ? pieces[1].lowercased() : "asc"
                guard direction == "asc" || direction == "desc" else {
                    throw TrackerRequestError("'\(pieces[1])' is not a valid sort direction: \(part)")
                }
                let isItem =
                    (kind == .trackedEntity && metadata.object("trackedEntityAttributes", field) != nil)
                    || (kind == .event && metadata.object("dataElements", field) != nil)
                guard orderableFields.contains(field) || isItem else {
                    throw TrackerRequestError("order parameter is invalid. Cannot order by '\(field)'.")
                }
                keys.append((field, direction == "asc", isItem))
            }
        }
        guard !keys.isEmpty else { return objects }
        func sortValue(_ object: [String: JSONValue], _ key: (field: String, ascending: Bool, item: Bool)) -> String? {
            if key.item {
                let collection = kind == .trackedEntity ? "attributes" : "dataValues"
                let idKey = kind == .trackedEntity ? "attribute" : "dataElement"
                return object[collection]?.arrayValue?.first { $0[idKey]?.stringValue == key.field }?["value"]?.stringValue
            }
            return TrackerImporter.text(object[key.field])
        }
        return objects.enumerated().sorted { lhs, rhs in
            for key in keys {
                let a = sortValue(lhs.element, key)
                let b = sortValue(rhs.element, key)
                if a == b { continue }
                guard let a else { return !key.ascending }
                guard let b else { return key.ascending }
                let less: Bool
                if let x = Double(a), let y = Double(b) { less = x < y } else { less = a < b }
                return key.ascending ? less : !less
            }
            return lhs.offset < rhs.offset
        }.map(\.element)
    }

    static func dateValue(_ value: JSONValue?) -> Date? { value?.stringValue.flatMap(DHIS2Date.parse) }
}

/// A relationship list for an entity that does not exist: 404 [core/2.42 RelationshipsExportController].
struct TrackerNotFound: Error {
    let kind: TrackerKind
    let uid: String
}

/// Renders stored tracker objects in the export shape of the emulated version (reference §9.1, OAS v41–v44
/// `TrackerTrackedEntity`, `TrackerEnrollment`, `TrackerEvent`, `TrackerRelationship`).
struct TrackerRenderer {
    let tracker: TrackerSnapshot
    let metadata: StoreSnapshot
    let version: EmulatedVersion
    /// The `program` parameter: a tracked entity shows its type's attributes plus this program's.
    let program: String?

    static let collectionKeys = [
        "trackedEntity", "trackedEntityType", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient", "orgUnit",
        "inactive", "deleted", "potentialDuplicate", "geometry", "storedBy", "createdBy", "updatedBy", "attributes",
        "enrollments", "relationships", "programOwners", "events", "dataValues", "notes", "enrollment", "program",
        "status", "enrolledAt", "occurredAt", "followUp", "completedBy", "completedAt", "event", "programStage",
        "scheduledAt", "attributeOptionCombo", "attributeCategoryOptions", "assignedUser", "relationship",
        "relationshipType", "relationshipName", "bidirectional", "from", "to",
    ]

    /// `storedBy` left the tracked entity, enrollment, event, data value and note schemas in 2.44 (OAS v44).
    private var hasStoredBy: Bool { version.minor < 44 }

    func render(_ kind: TrackerKind, _ object: [String: JSONValue], selected: Set<String>) -> [String: JSONValue] {
        switch kind {
        case .trackedEntity: trackedEntity(object, selected: selected)
        case .enrollment: enrollment(object, selected: selected)
        case .event: event(object, selected: selected)
        case .relationship: relationship(object)
        }
    }

    private func copy(_ object: [String: JSONValue], _ keys: [String]) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        for key in keys {
            if let value = object[key], !value.isNull { result[key] = value }
        }
        return result
    }

    func trackedEntity(_ object: [String: JSONValue], selected: Set<String>) -> [String: JSONValue] {
        var keys = [
            "trackedEntity", "trackedEntityType", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient",
            "orgUnit", "inactive", "deleted", "potentialDuplicate", "geometry", "createdBy", "updatedBy",
        ]
        if hasStoredBy { keys.append("storedBy") }
        var result = copy(object, keys)
        let uid = object["trackedEntity"]?.stringValue ?? ""
        let type = object["trackedEntityType"]?.stringValue ?? ""
        var shown = Set(
            (metadata.object("trackedEntityTypes", type)?["trackedEntityTypeAttributes"]?.arrayValue ?? []).compactMap {
                $0["trackedEntityAttribute"]?["id"]?.stringValue
            })
        if let program, let programObject = metadata.object("programs", program) {
            for attribute in programObject["programTrackedEntityAttributes"]?.arrayValue ?? [] {
                if let id = attribute["trackedEntityAttribute"]?["id"]?.stringValue { shown.insert(id) }
            }
        }
        if selected.contains("attributes") {
            result["attributes"] = attributes(of: object, only: shown)
        }
        let enrollmentObjects = (tracker.enrollmentsByTrackedEntity[uid] ?? []).compactMap {
            tracker.object(.enrollment, $0)
        }.filter { !$0.isDeleted }
        if selected.contains("enrollments") {
            result["enrollments"] = .array(
                enrollmentObjects.map { .object(enrollment($0.object, selected: ["attributes", "events", "relationships", "notes"])) })
        }
        if selected.contains("relationships") { result["relationships"] = relationships(of: uid) }
        if selected.contains("programOwners") {
            var owners: [JSONValue] = []
            var seen: Set<String> = []
            for enrollment in enrollmentObjects {
                guard let program = enrollment.string("program"), seen.insert(program).inserted else { continue }
                owners.append([
                    "orgUnit": .string(enrollment.string("orgUnit") ?? ""), "trackedEntity": .string(uid),
                    "program": .string(program),
                ])
            }
            result["programOwners"] = .array(owners)
        }
        return result
    }

    func enrollment(_ object: [String: JSONValue], selected: Set<String>) -> [String: JSONValue] {
        var keys = [
            "enrollment", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient", "trackedEntity", "program",
            "status", "orgUnit", "enrolledAt", "occurredAt", "followUp", "completedBy", "completedAt", "deleted",
            "createdBy", "updatedBy", "geometry",
        ]
        if hasStoredBy { keys.append("storedBy") }
        var result = copy(object, keys)
        let uid = object["enrollment"]?.stringValue ?? ""
        if selected.contains("attributes") {
            let programID = object["program"]?.stringValue ?? ""
            let programAttributes = Set(
                (metadata.object("programs", programID)?["programTrackedEntityAttributes"]?.arrayValue ?? []).compactMap {
                    $0["trackedEntityAttribute"]?["id"]?.stringValue
                })
            let owner = tracker.object(.trackedEntity, object["trackedEntity"]?.stringValue ?? "")?.object ?? [:]
            result["attributes"] = attributes(of: owner, only: programAttributes)
        }
        if selected.contains("events") {
            result["events"] = .array(
                (tracker.eventsByEnrollment[uid] ?? []).compactMap { tracker.object(.event, $0) }.filter { !$0.isDeleted }
                    .map { .object(event($0.object, selected: ["dataValues", "notes", "relationships"])) })
        }
        if selected.contains("relationships") { result["relationships"] = relationships(of: uid) }
        if selected.contains("notes") { result["notes"] = [] }
        return result
    }

    func event(_ object: [String: JSONValue], selected: Set<String>) -> [String: JSONValue] {
        var keys = [
            "event", "status", "program", "programStage", "enrollment", "trackedEntity", "orgUnit", "occurredAt",
            "scheduledAt", "followUp", "deleted", "createdAt", "createdAtClient", "updatedAt", "updatedAtClient",
            "attributeOptionCombo", "completedBy", "completedAt", "createdBy", "updatedBy", "geometry", "assignedUser",
        ]
        if hasStoredBy { keys.append("storedBy") }
        // `attributeCategoryOptions` left the event schema in 2.43 (OAS v43 TrackerTrackerEvent).
        if version.minor < 43 { keys.append("attributeCategoryOptions") }
        var result = copy(object, keys)
        if selected.contains("dataValues") {
            var valueKeys = ["dataElement", "value", "providedElsewhere", "createdAt", "updatedAt", "createdBy", "updatedBy"]
            if hasStoredBy { valueKeys.append("storedBy") }
            result["dataValues"] = .array(
                (object["dataValues"]?.arrayValue ?? []).map { .object(copy($0.objectValue ?? [:], valueKeys)) })
        }
        if selected.contains("notes") { result["notes"] = [] }
        if selected.contains("relationships") {
            result["relationships"] = relationships(of: object["event"]?.stringValue ?? "")
        }
        return result
    }

    func relationship(_ object: [String: JSONValue]) -> [String: JSONValue] {
        var keys = ["relationship", "relationshipType", "bidirectional", "createdAt", "createdAtClient", "updatedAt"]
        if version.minor > 41 { keys.append("deleted") }
        var result = copy(object, keys)
        if let type = object["relationshipType"]?.stringValue, let name = metadata.object("relationshipTypes", type)?["name"] {
            result["relationshipName"] = name
        }
        for side in ["from", "to"] {
            guard let item = object[side] else { continue }
            var rendered: [String: JSONValue] = [:]
            if let uid = item["trackedEntity"]?.stringValue, let stored = tracker.object(.trackedEntity, uid) {
                rendered["trackedEntity"] = .object(trackedEntity(stored.object, selected: ["attributes"]))
            } else if let uid = item["enrollment"]?.stringValue, let stored = tracker.object(.enrollment, uid) {
                rendered["enrollment"] = .object(enrollment(stored.object, selected: ["attributes"]))
            } else if let uid = item["event"]?.stringValue, let stored = tracker.object(.event, uid) {
                rendered["event"] = .object(event(stored.object, selected: ["dataValues"]))
            }
            result[side] = .object(rendered)
        }
        return result
    }

    private func relationships(of uid: String) -> JSONValue {
        .array(
            (tracker.relationshipsByItem[uid] ?? []).compactMap { tracker.object(.relationship, $0) }
                .filter { !$0.isDeleted }.map { .object(relationship($0.object)) })
    }

    /// Attribute values with their attribute's code, display name and value type, as DHIS2 renders them.
    private func attributes(of trackedEntity: [String: JSONValue], only shown: Set<String>) -> JSONValue {
        .array(
            (trackedEntity["attributes"]?.arrayValue ?? []).compactMap { attribute in
                guard let id = attribute["attribute"]?.stringValue, shown.contains(id) else { return nil }
                let definition = metadata.object("trackedEntityAttributes", id) ?? [:]
                var rendered: [String: JSONValue] = ["attribute": .string(id)]
                if let code = definition["code"] { rendered["code"] = code }
                if let name = definition["displayName"] ?? definition["name"] { rendered["displayName"] = name }
                rendered["createdAt"] = attribute["createdAt"]
                rendered["updatedAt"] = attribute["updatedAt"]
                rendered["valueType"] = definition["valueType"] ?? "TEXT"
                rendered["value"] = attribute["value"]
                if hasStoredBy, let storedBy = attribute["storedBy"] { rendered["storedBy"] = storedBy }
                return .object(rendered)
            })
    }
}
