import DHIS2
import Foundation

/// `POST /api/tracker` parameters (reference §9.2) [core/2.42 tracker/imports/ImportRequestParams].
struct TrackerImportParameters: Sendable {
    var isAsync = true
    var importMode = "COMMIT"
    var importStrategy = "CREATE_AND_UPDATE"
    var atomicMode = "ALL"
    var reportMode = "ERRORS"

    /// Reads the query; an invalid enum value is Spring's 400 conversion message.
    init(_ query: QueryParameters) throws(TrackerRequestError) {
        func choice(_ name: String, _ allowed: [String], _ fallback: String) throws(TrackerRequestError) -> String {
            guard let value = query[name], !value.isEmpty else { return fallback }
            let upper = value.uppercased()
            guard allowed.contains(upper) else {
                throw TrackerRequestError(
                    "Value '\(value)' is not valid for parameter \(name). Valid values are: [\(allowed.joined(separator: ", "))]")
            }
            return upper
        }
        if let value = query["async"], !value.isEmpty {
            guard let flag = Bool(value.lowercased()) else {
                throw TrackerRequestError("Value '\(value)' is not valid for parameter async. It should be of type boolean")
            }
            isAsync = flag
        }
        importMode = try choice("importMode", ["COMMIT", "VALIDATE"], "COMMIT")
        importStrategy = try choice("importStrategy", ["CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE"], "CREATE_AND_UPDATE")
        atomicMode = try choice("atomicMode", ["ALL", "OBJECT"], "ALL")
        reportMode = try choice("reportMode", ["ERRORS", "WARNINGS", "FULL"], "ERRORS")
        _ = try choice("flushMode", ["AUTO", "OBJECT"], "AUTO")
        _ = try choice("validationMode", ["FULL", "FAIL_FAST", "SKIP"], "FULL")
    }

    /// The parameters as the tracker job's first notification carries them (`dataType: PARAMETERS`).
    var json: JSONValue {
        [
            "importMode": .string(importMode), "importStrategy": .string(importStrategy),
            "atomicMode": .string(atomicMode), "reportMode": .string(reportMode), "flushMode": "AUTO",
            "validationMode": "FULL", "skipPatternValidation": false, "skipSideEffects": false, "skipRuleEngine": false,
        ]
    }
}

/// A request DHIS2 answers with 400 and a WebMessage.
struct TrackerRequestError: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// A tracker payload flattened the way DHIS2's importer sees it: nested enrollments, events and relationships are
/// lifted out with their parent's UID filled in, and objects without a UID get a generated one.
struct TrackerBundle: Sendable {
    var trackedEntities: [[String: JSONValue]] = []
    var enrollments: [[String: JSONValue]] = []
    var events: [[String: JSONValue]] = []
    var relationships: [[String: JSONValue]] = []

    var count: Int { trackedEntities.count + enrollments.count + events.count + relationships.count }

    func objects(_ kind: TrackerKind) -> [[String: JSONValue]] {
        switch kind {
        case .trackedEntity: trackedEntities
        case .enrollment: enrollments
        case .event: events
        case .relationship: relationships
        }
    }

    /// Flattens a flat or nested payload; `nil` when the body is not a JSON object.
    init?(_ body: JSONValue) {
        guard let root = body.objectValue else { return nil }
        for item in root["trackedEntities"]?.arrayValue ?? [] { addTrackedEntity(item) }
        for item in root["enrollments"]?.arrayValue ?? [] { addEnrollment(item, trackedEntity: nil) }
        for item in root["events"]?.arrayValue ?? [] { addEvent(item, enrollment: nil, program: nil, trackedEntity: nil) }
        for item in root["relationships"]?.arrayValue ?? [] { addRelationship(item) }
    }

    private static func identified(_ item: JSONValue, key: String) -> ([String: JSONValue], String)? {
        guard var object = item.objectValue else { return nil }
        let uid: String
        if let text = object[key]?.stringValue, !text.isEmpty {
            uid = text
        } else {
            uid = UID.generate().rawValue
        }
        object[key] = .string(uid)
        return (object, uid)
    }

    private mutating func addTrackedEntity(_ item: JSONValue) {
        guard var (object, uid) = Self.identified(item, key: "trackedEntity") else { return }
        let enrollments = object.removeValue(forKey: "enrollments")?.arrayValue ?? []
        let relationships = object.removeValue(forKey: "relationships")?.arrayValue ?? []
        object["programOwners"] = nil
        trackedEntities.append(object)
        for enrollment in enrollments { addEnrollment(enrollment, trackedEntity: uid) }
        for relationship in relationships { addRelationship(relationship) }
    }

    private mutating func addEnrollment(_ item: JSONValue, trackedEntity: String?) {
        guard var (object, uid) = Self.identified(item, key: "enrollment") else { return }
        if let trackedEntity { object["trackedEntity"] = .string(trackedEntity) }
        let events = object.removeValue(forKey: "events")?.arrayValue ?? []
        let relationships = object.removeValue(forKey: "relationships")?.arrayValue ?? []
        enrollments.append(object)
        for event in events {
            addEvent(
                event, enrollment: uid, program: object["program"]?.stringValue,
                trackedEntity: object["trackedEntity"]?.stringValue)
        }
        for relationship in relationships { addRelationship(relationship) }
    }

    private mutating func addEvent(_ item: JSONValue, enrollment: String?, program: String?, trackedEntity: String?) {
        guard var (object, _) = Self.identified(item, key: "event") else { return }
        if let enrollment { object["enrollment"] = .string(enrollment) }
        if object["program"]?.stringValue == nil, let program { object["program"] = .string(program) }
        if object["trackedEntity"]?.stringValue == nil, let trackedEntity { object["trackedEntity"] = .string(trackedEntity) }
        let relationships = object.removeValue(forKey: "relationships")?.arrayValue ?? []
        events.append(object)
        for relationship in relationships { addRelationship(relationship) }
    }

    private mutating func addRelationship(_ item: JSONValue) {
        guard let (object, _) = Self.identified(item, key: "relationship") else { return }
        relationships.append(object)
    }
}

/// The messages of DHIS2's tracker `ValidationCode` enum in the 2.41 wording
/// [dhis2-core dhis-service-tracker …/tracker/imports/validation/ValidationCode.java], formatted like Java's
/// `MessageFormat` (`{0}`, `{1}`, … replaced by the arguments).
enum TrackerValidationCode {
    static let messages: [String: String] = [
        "E1002": "TrackedEntityInstance: `{0}`, already exists.",
        "E1005": "Could not find TrackedEntityType: `{0}`.",
        "E1006": "Attribute: `{0}`, does not exist.",
        "E1010": "Could not find Program: `{0}`, linked to Event.",
        "E1011": "Could not find OrganisationUnit: `{0}`, linked to Event.",
        "E1013": "Could not find ProgramStage: `{0}`, linked to Event.",
        "E1014":
            "Provided Program: `{0}`, is a Program without registration. An Enrollment cannot be created into Program without registration.",
        "E1015": "TrackedEntityInstance: `{0}`, already has an active Enrollment in Program `{1}`.",
        "E1016":
            "TrackedEntityInstance: `{0}`, already has an enrollment in Program: `{1}`, and this program only allows enrolling one time.",
        "E1018": "Attribute: `{0}`, is mandatory in program `{1}` but not declared in enrollment `{2}`.",
        "E1019": "Only Program attributes is allowed for enrollment; Non valid attribute: `{0}`.",
        "E1022": "TrackedEntityInstance: `{0}`, must have same TrackedEntityType as Program `{1}`.",
        "E1025": "Property enrolledAt is null or has an invalid format: `{0}`.",
        "E1029": "Event OrganisationUnit: `{0}`, and Program: `{1}`, don't match.",
        "E1030": "Event: `{0}`, already exists.",
        "E1031": "Event OccurredAt date is missing.",
        "E1032": "Event: `{0}`, do not exist.",
        "E1033": "Event: `{0}`, Enrollment value is null.",
        "E1039": "ProgramStage: `{0}`, is not repeatable and an event already exists.",
        "E1041": "Enrollment OrganisationUnit: `{0}`, and Program: `{1}`, don't match.",
        "E1048": "Object: `{0}`, uid: `{1}`, has an invalid uid format.",
        "E1049": "Could not find OrganisationUnit: `{0}`, linked to Tracked Entity.",
        "E1050": "Event ScheduledAt date is missing.",
        "E1063": "TrackedEntityInstance: `{0}`, does not exist.",
        "E1068": "Could not find TrackedEntityInstance: `{0}`, linked to Enrollment.",
        "E1069": "Could not find Program: `{0}`, linked to Enrollment.",
        "E1070": "Could not find OrganisationUnit: `{0}`, linked to Enrollment.",
        "E1075": "Attribute: `{0}`, is missing uid.",
        "E1079": "Event: `{0}`, program: `{1}` is different from program defined in enrollment `{2}`.",
        "E1080": "Enrollment: `{0}`, already exists.",
        "E1081": "Enrollment: `{0}`, do not exist.",
        "E1082": "Event: `{0}`, is already deleted and cannot be modified.",
        "E1085": "Attribute: `{0}`, value does not match value type: `{1}`.",
        "E1089": "Event: `{0}`, references a Program Stage `{1}` that does not belong to Program `{2}`.",
        "E1090": "Attribute: `{0}`, is mandatory in tracked entity type `{1}` but not declared in tracked entity `{2}`.",
        "E1113": "Enrollment: `{0}`, is already deleted and cannot be modified.",
        "E1114": "TrackedEntity: `{0}`, is already deleted and cannot be modified.",
        "E1115": "Could not find CategoryOptionCombo: `{0}`.",
        "E1121": "Missing required trackedEntity property: `{0}`.",
        "E1122": "Missing required enrollment property: `{0}`.",
        "E1123": "Missing required event property: `{0}`.",
        "E1124": "Missing required relationship property: `{0}`.",
        "E1125": "Value `{0}` is not a valid option code in option set `{1}`",
        "E1126": "Not allowed to update Tracked Entity property: {0}.",
        "E1302": "DataElement `{0}` is not valid: `{1}`",
        "E1304": "DataElement `{0}` is not a valid data element",
        "E1305": "DataElement `{0}` is not part of `{1}` program stage",
        "E4000": "Relationship: `{0}` cannot link to itself",
        "E4001":
            "Relationship item `{0}` for relationship `{1}` is invalid: an item must link exactly one of trackedEntity, enrollment, event.",
        "E4006": "Could not find relationship type: `{0}`.",
        "E4012": "Could not find `{0}`: `{1}`, linked to relationship.",
        "E4015": "Relationship: `{0}`, already exists.",
        "E4016": "Relationship: `{0}`, do not exist.",
        "E4017": "Relationship: `{0}`, is already deleted and cannot be modified.",
        "E5000": "\"{0}\" `{1}` cannot be persisted because \"{2}\" `{3}` referenced by it cannot be persisted.",
    ]

    /// The reworded messages of later releases [dhis2-core master …/tracker/imports/validation/ValidationCode.java];
    /// the emulator uses them from 2.42 on, and the older wording (above) for 2.41.
    static let currentMessages: [String: String] = [
        "E1002": "TrackedEntity: `{0}`, already exists.",
        "E1006": "Attribute: `{0}` does not exist.",
        "E1014":
            "Provided Program: `{0}` is a Program without registration. An Enrollment cannot be created into Program without registration.",
        "E1015": "TrackedEntity: `{0}` already has an active Enrollment in Program `{1}`.",
        "E1016": "TrackedEntity: `{0}` already has an Enrollment in Program: `{1}`, and this Program only allows enrolling once.",
        "E1018": "Attribute: `{0}` is mandatory in Program `{1}` but not declared in Enrollment `{2}`.",
        "E1019": "Only ProgramAttributes are allowed for Enrollment, invalid Attribute: `{0}`.",
        "E1022": "TrackedEntity: `{0}` must have same TrackedEntityType as Program `{1}`.",
        "E1025": "Property enrolledAt is null.",
        "E1029": "Event OrganisationUnit: `{0}` and Program: `{1}`, do not match.",
        "E1030": "Event: `{0}` already exists.",
        "E1031": "Event occurredAt date is missing.",
        "E1032": "Event: `{0}` do not exist.",
        "E1033": "Event: `{0}` Enrollment value is null.",
        "E1039": "ProgramStage: `{0}` is not repeatable and an Event already exists.",
        "E1041": "Enrollment OrganisationUnit: `{0}` and Program: `{1}` do not match.",
        "E1049": "Could not find OrganisationUnit: `{0}` linked to TrackedEntity.",
        "E1063": "TrackedEntity: `{0}`, does not exist.",
        "E1068": "Could not find TrackedEntity: `{0}` linked to Enrollment.",
        "E1069": "Could not find Program: `{0}` linked to Enrollment.",
        "E1070": "Could not find OrganisationUnit: `{0}` linked to Enrollment.",
        "E1075": "Attribute: `{0}` UID is missing.",
        "E1079": "Event: `{0}` Program: `{1}` is different from Program defined in Enrollment `{2}`.",
        "E1080": "Enrollment: `{0}` already exists.",
        "E1081": "Enrollment: `{0}` do not exist.",
        "E1082": "Event: `{0}` is already deleted and cannot be modified.",
        "E1089": "Event: `{0}` references ProgramStage `{1}` which do not belong to Program `{2}`.",
        "E1090": "Attribute: `{0}` is mandatory in TrackedEntityType `{1}` but not found in TrackedEntity `{2}`.",
        "E1113": "Enrollment: `{0}` is already deleted and cannot be modified.",
        "E1114": "TrackedEntity: `{0}` is already deleted and cannot be modified.",
        "E1125": "Value `{0}` is not a valid option code in OptionSet `{1}`.",
        "E1126": "Not allowed to update trackedEntity property: {0}.",
        "E1302": "DataElement `{0}` is not valid: `{1}`.",
        "E1304": "DataElement `{0}` is not a valid DataElement.",
        "E1305": "DataElement `{0}` is not part of ProgramStage `{1}`.",
        "E4000": "Relationship: `{0}` cannot link to itself.",
        "E4001":
            "RelationshipItem `{0}` for Relationship `{1}` is invalid as an item must be associated with exactly one of TrackedEntity, Enrollment, Event.",
        "E4006": "Could not find RelationshipType: `{0}`.",
        "E4015": "Relationship: `{0}` already exists.",
        "E4016": "Relationship: `{0}` do not exist.",
        "E4017": "Relationship: `{0}` is already deleted and cannot be modified.",
        "E5000": "{0} `{1}` cannot be created because {2} `{3}` referenced by it could not be created.",
    ]

    static func message(_ code: String, _ args: [String], version: EmulatedVersion) -> String {
        var text = (version.minor >= 42 ? currentMessages[code] : nil) ?? messages[code] ?? code
        for (index, argument) in args.enumerated() { text = text.replacingOccurrences(of: "{\(index)}", with: argument) }
        return text
    }
}

/// Validates a tracker bundle as DHIS2 does and decides what to store; pure over two snapshots, so it runs inside
/// ``TrackerStore/mutate(_:)`` without suspending.
struct TrackerImporter {
    let parameters: TrackerImportParameters
    let metadata: StoreSnapshot
    let tracker: TrackerSnapshot
    let user: StoredUser
    let version: EmulatedVersion

    private enum Action { case create, update, delete }

    /// One validated object with what importing it does.
    private struct Planned {
        let kind: TrackerKind
        let uid: String
        let object: [String: JSONValue]
        let action: Action
    }

    /// The import report and the objects to store (empty for VALIDATE or when atomicMode ALL found errors).
    func run(_ bundle: TrackerBundle) -> (report: JSONValue, puts: [TrackerStore.Put]) {
        var errors: [JSONValue] = []
        var invalid: [TrackerKind: Set<String>] = [:]
        var planned: [Planned] = []
        // What the bundle creates or keeps, for references between objects of the same payload.
        var pendingTrackedEntities: [String: [String: JSONValue]] = [:]
        var pendingEnrollments: [String: [String: JSONValue]] = [:]
        var pendingEvents: Set<String> = []
        var stageEventCounts: [String: Int] = [:]  // "<enrollment>/<stage>" → events in the payload

        func fail(_ kind: TrackerKind, _ uid: String, _ code: String, _ args: [String]) {
            errors.append([
                "message": .string(TrackerValidationCode.message(code, args, version: version)), "errorCode": .string(code),
                "trackerType": .string(kind.rawValue), "uid": .string(uid), "args": .array(args.map { .string($0) }),
            ])
            invalid[kind, default: []].insert(uid)
        }

        for object in bundle.trackedEntities {
            let uid = object["trackedEntity"]?.stringValue ?? ""
            let before = errors.count
            let action = validateTrackedEntity(object, uid: uid, fail: fail)
            if errors.count == before, let action {
                let merged = action == .delete ? object : mergedTrackedEntity(object, uid: uid, action: action)
                planned.append(Planned(kind: .trackedEntity, uid: uid, object: merged, action: action))
                if action != .delete { pendingTrackedEntities[uid] = merged }
            }
        }
        for object in bundle.enrollments {
            let uid = object["enrollment"]?.stringValue ?? ""
            let before = errors.count
            if let parent = object["trackedEntity"]?.stringValue, invalid[.trackedEntity]?.contains(parent) == true {
                fail(.enrollment, uid, "E5000", [TrackerKind.enrollment.displayName, uid, TrackerKind.trackedEntity.displayName, parent])
                continue
            }
            let action = validateEnrollment(
                object, uid: uid, pendingTrackedEntities: pendingTrackedEntities, pendingEnrollments: pendingEnrollments,
                fail: fail)
            if errors.count == before, let action {
                let merged = action == .delete ? object : mergedEnrollment(object, uid: uid, action: action)
                planned.append(Planned(kind: .enrollment, uid: uid, object: merged, action: action))
                if action != .delete { pendingEnrollments[uid] = merged }
            }
        }
        for object in bundle.events {
            let uid = object["event"]?.stringValue ?? ""
            let before = errors.count
            if let parent = object["enrollment"]?.stringValue, invalid[.enrollment]?.contains(parent) == true {
                fail(.event, uid, "E5000", [TrackerKind.event.displayName, uid, TrackerKind.enrollment.displayName, parent])
                continue
            }
            var prepared = object
            let action = validateEvent(
                &prepared, uid: uid, pendingEnrollments: pendingEnrollments, stageEventCounts: &stageEventCounts,
                fail: fail)
            if errors.count == before, let action {
                let merged = action == .delete ? prepared : mergedEvent(prepared, uid: uid, action: action)
                planned.append(Planned(kind: .event, uid: uid, object: merged, action: action))
                if action != .delete { pendingEvents.insert(uid) }
            }
        }
        for object in bundle.relationships {
            let uid = object["relationship"]?.stringValue ?? ""
            let before = errors.count
            let action = validateRelationship(
                object, uid: uid, pendingTrackedEntities: pendingTrackedEntities,
                pendingEnrollments: pendingEnrollments, pendingEvents: pendingEvents, invalid: invalid, fail: fail)
            if errors.count == before, let action {
                let merged = action == .delete ? object : mergedRelationship(object, uid: uid)
                planned.append(Planned(kind: .relationship, uid: uid, object: merged, action: action))
            }
        }

        let total = bundle.count
        let status = errors.isEmpty ? "OK" : "ERROR"
        let validationReport: JSONValue = ["errorReports": .array(errors), "warningReports": []]
        if !errors.isEmpty, parameters.atomicMode == "ALL" {
            // ImportReport.withValidationErrors: every object ignored, no bundleReport [core/2.42 ImportReport].
            return (
                [
                    "status": .string(status), "validationReport": validationReport,
                    "stats": Self.stats(ignored: total, total: total),
                ], []
            )
        }
        if parameters.importMode == "VALIDATE" {
            return (
                [
                    "status": .string(status), "validationReport": validationReport,
                    "stats": Self.stats(ignored: total, total: total), "bundleReport": ["typeReportMap": [:]],
                ], []
            )
        }

        var puts: [TrackerStore.Put] = []
        var typeReports: [String: JSONValue] = [:]
        var totals = (created: 0, updated: 0, deleted: 0)
        let now = JSONValue.string(DHIS2Date.format(Date()))
        for kind in TrackerKind.allCases {
            var counts = (created: 0, updated: 0, deleted: 0)
            var objectReports: [JSONValue] = []
            for plan in planned where plan.kind == kind {
                switch plan.action {
                case .create: counts.created += 1
                case .update: counts.updated += 1
                case .delete: counts.deleted += 1
                }
                objectReports.append(["trackerType": .string(kind.rawValue), "uid": .string(plan.uid), "errorReports": []])
                if plan.action == .delete {
                    puts += deletions(kind, uid: plan.uid, now: now)
                } else {
                    puts.append(TrackerStore.Put(kind: kind, uid: plan.uid, object: plan.object))
                }
            }
            let typeTotal = bundle.objects(kind).count
            let ignored = typeTotal - counts.created - counts.updated - counts.deleted
            typeReports[kind.rawValue] = [
                "trackerType": .string(kind.rawValue),
                "stats": Self.stats(
                    created: counts.created, updated: counts.updated, deleted: counts.deleted, ignored: ignored,
                    total: typeTotal),
                "objectReports": .array(objectReports),
            ]
            totals.created += counts.created
            totals.updated += counts.updated
            totals.deleted += counts.deleted
        }
        // Enrollment attributes are the tracked entity's attribute values [core/2.42 TrackerObjectsMapper]: merge
        // them into the (possibly just written) tracked entity.
        var latestTrackedEntities: [String: [String: JSONValue]] = [:]
        for put in puts where put.kind == .trackedEntity { latestTrackedEntities[put.uid] = put.object }
        for plan in planned where plan.kind == .enrollment && plan.action != .delete {
            let incoming = plan.object["attributes"]?.arrayValue ?? []
            guard !incoming.isEmpty, let owner = plan.object["trackedEntity"]?.stringValue,
                var trackedEntity = latestTrackedEntities[owner] ?? tracker.object(.trackedEntity, owner)?.object
            else { continue }
            trackedEntity["attributes"] = .array(
                mergedAttributes(incoming, onto: trackedEntity["attributes"]?.arrayValue ?? []))
            latestTrackedEntities[owner] = trackedEntity
            puts.append(TrackerStore.Put(kind: .trackedEntity, uid: owner, object: trackedEntity))
        }
        let ignored = total - totals.created - totals.updated - totals.deleted
        return (
            [
                "status": .string(status), "validationReport": validationReport,
                "stats": Self.stats(
                    created: totals.created, updated: totals.updated, deleted: totals.deleted, ignored: ignored,
                    total: total),
                "bundleReport": ["typeReportMap": .object(typeReports)],
            ], puts
        )
    }

    static func stats(created: Int = 0, updated: Int = 0, deleted: Int = 0, ignored: Int = 0, total: Int = 0) -> JSONValue {
        [
            "created": .number(Double(created)), "updated": .number(Double(updated)),
            "deleted": .number(Double(deleted)), "ignored": .number(Double(ignored)), "total": .number(Double(total)),
        ]
    }

    // MARK: Validation

    private typealias Fail = (TrackerKind, String, String, [String]) -> Void

    /// The action for an object, or `nil` after reporting an existence error. `deletedCode` is the
    /// "already deleted and cannot be modified" code of the kind.
    private func action(
        _ kind: TrackerKind, uid: String, existsCode: String, missingCode: String, deletedCode: String, fail: Fail
    ) -> Action? {
        guard UID.isValid(uid) else {
            fail(kind, uid, "E1048", [uid, uid])
            return nil
        }
        let stored = tracker.object(kind, uid)
        if let stored, stored.isDeleted {
            fail(kind, uid, deletedCode, [uid])
            return nil
        }
        switch parameters.importStrategy {
        case "CREATE":
            if stored != nil {
                fail(kind, uid, existsCode, [uid])
                return nil
            }
            return .create
        case "UPDATE", "DELETE":
            if stored == nil {
                fail(kind, uid, missingCode, [uid])
                return nil
            }
            return parameters.importStrategy == "DELETE" ? .delete : .update
        default:
            return stored == nil ? .create : .update
        }
    }

    private func validateTrackedEntity(_ object: [String: JSONValue], uid: String, fail: Fail) -> Action? {
        let kind = TrackerKind.trackedEntity
        guard let action = action(kind, uid: uid, existsCode: "E1002", missingCode: "E1063", deletedCode: "E1114", fail: fail)
        else { return nil }
        if action == .delete { return action }
        guard let typeID = object["trackedEntityType"]?.stringValue, !typeID.isEmpty else {
            fail(kind, uid, "E1121", ["trackedEntityType"])
            return nil
        }
        guard let orgUnit = object["orgUnit"]?.stringValue, !orgUnit.isEmpty else {
            fail(kind, uid, "E1121", ["orgUnit"])
            return nil
        }
        var failed = false
        if metadata.object("organisationUnits", orgUnit) == nil {
            fail(kind, uid, "E1049", [orgUnit])
            failed = true
        }
        guard let type = metadata.object("trackedEntityTypes", typeID) else {
            fail(kind, uid, "E1005", [typeID])
            return nil
        }
        if failed { return nil }
        if action == .update, let stored = tracker.object(kind, uid),
            stored.string("trackedEntityType") != typeID
        {
            fail(kind, uid, "E1126", ["trackedEntityType"])
            return nil
        }
        var values = storedAttributeValues(uid)
        for attribute in object["attributes"]?.arrayValue ?? [] {
            checkAttribute(attribute, kind: kind, uid: uid, values: &values, fail: fail)
        }
        for typeAttribute in type["trackedEntityTypeAttributes"]?.arrayValue ?? []
        where typeAttribute["mandatory"]?.boolValue == true {
            guard let attributeID = typeAttribute["trackedEntityAttribute"]?["id"]?.stringValue else { continue }
            if values[attributeID] == nil { fail(kind, uid, "E1090", [attributeID, typeID, uid]) }
        }
        return action
    }

    /// Checks one attribute value (existence, value type) and records it in `values` (an empty value removes it).
    private func checkAttribute(
        _ attribute: JSONValue, kind: TrackerKind, uid: String, values: inout [String: String], fail: Fail
    ) {
        guard let attributeID = attribute["attribute"]?.stringValue, !attributeID.isEmpty else {
            fail(kind, uid, "E1075", [attribute.description])
            return
        }
        guard let definition = metadata.object("trackedEntityAttributes", attributeID) else {
            fail(kind, uid, "E1006", [attributeID])
            return
        }
        let value = Self.text(attribute["value"])
        guard let value, !value.isEmpty else {
            values[attributeID] = nil
            return
        }
        let valueType = definition["valueType"]?.stringValue ?? "TEXT"
        if !TrackerValueType.accepts(value, valueType: valueType) {
            fail(kind, uid, "E1085", [attributeID, valueType])
            return
        }
        if let optionSet = definition["optionSet"]?["id"]?.stringValue, !isOptionCode(value, of: optionSet) {
            fail(kind, uid, "E1125", [value, optionSet])
            return
        }
        values[attributeID] = value
    }

    private func validateEnrollment(
        _ object: [String: JSONValue], uid: String, pendingTrackedEntities: [String: [String: JSONValue]],
        pendingEnrollments: [String: [String: JSONValue]], fail: Fail
    ) -> Action? {
        let kind = TrackerKind.enrollment
        guard let action = action(kind, uid: uid, existsCode: "E1080", missingCode: "E1081", deletedCode: "E1113", fail: fail)
        else { return nil }
        if action == .delete { return action }
        for property in ["program", "orgUnit", "trackedEntity"] where (object[property]?.stringValue ?? "").isEmpty {
            fail(kind, uid, "E1122", [property])
            return nil
        }
        let programID = object["program"]?.stringValue ?? ""
        let orgUnit = object["orgUnit"]?.stringValue ?? ""
        let trackedEntity = object["trackedEntity"]?.stringValue ?? ""
        let program = metadata.object("programs", programID)
        let unit = metadata.object("organisationUnits", orgUnit)
        let parent =
            pendingTrackedEntities[trackedEntity]
            ?? tracker.object(.trackedEntity, trackedEntity).flatMap { $0.isDeleted ? nil : $0.object }
        if program == nil { fail(kind, uid, "E1069", [programID]) }
        if unit == nil { fail(kind, uid, "E1070", [orgUnit]) }
        if parent == nil { fail(kind, uid, "E1068", [trackedEntity]) }
        guard let program, unit != nil, let parent else { return nil }
        let enrolledAt = object["enrolledAt"]?.stringValue
        if enrolledAt.flatMap(DHIS2Date.parse) == nil {
            fail(kind, uid, "E1025", [enrolledAt ?? "null"])
            return nil
        }
        var failed = false
        if program["programType"]?.stringValue != "WITH_REGISTRATION" {
            fail(kind, uid, "E1014", [programID])
            failed = true
        }
        if !Self.referencedIDs(program["organisationUnits"]).contains(orgUnit) {
            fail(kind, uid, "E1041", [orgUnit, programID])
            failed = true
        }
        if let programType = program["trackedEntityType"]?["id"]?.stringValue,
            parent["trackedEntityType"]?.stringValue != programType
        {
            fail(kind, uid, "E1022", [trackedEntity, programID])
            failed = true
        }
        if failed { return nil }
        // Attribute values: the tracked entity's (stored and in this payload) plus the enrollment's own.
        var values = storedAttributeValues(trackedEntity)
        for attribute in pendingTrackedEntities[trackedEntity]?["attributes"]?.arrayValue ?? [] {
            if let id = attribute["attribute"]?.stringValue, let value = Self.text(attribute["value"]) { values[id] = value }
        }
        let programAttributes = (program["programTrackedEntityAttributes"]?.arrayValue ?? []).compactMap {
            $0["trackedEntityAttribute"]?["id"]?.stringValue
        }
        for attribute in object["attributes"]?.arrayValue ?? [] {
            if let id = attribute["attribute"]?.stringValue, !programAttributes.contains(id),
                metadata.object("trackedEntityAttributes", id) != nil
            {
                fail(kind, uid, "E1019", [id])
                continue
            }
            checkAttribute(attribute, kind: kind, uid: uid, values: &values, fail: fail)
        }
        for programAttribute in program["programTrackedEntityAttributes"]?.arrayValue ?? []
        where programAttribute["mandatory"]?.boolValue == true {
            guard let id = programAttribute["trackedEntityAttribute"]?["id"]?.stringValue else { continue }
            if values[id] == nil { fail(kind, uid, "E1018", [id, programID, uid]) }
        }
        if action == .create {
            let siblings =
                (tracker.enrollmentsByTrackedEntity[trackedEntity] ?? []).compactMap { tracker.object(.enrollment, $0) }
                .filter { !$0.isDeleted }.map(\.object)
                + pendingEnrollments.values.filter { $0["trackedEntity"]?.stringValue == trackedEntity }
            let inProgram = siblings.filter { $0["program"]?.stringValue == programID }
            if program["onlyEnrollOnce"]?.boolValue == true, !inProgram.isEmpty {
                fail(kind, uid, "E1016", [trackedEntity, programID])
            } else if (object["status"]?.stringValue ?? "ACTIVE") == "ACTIVE",
                inProgram.contains(where: { ($0["status"]?.stringValue ?? "ACTIVE") == "ACTIVE" })
            {
                fail(kind, uid, "E1015", [trackedEntity, programID])
            }
        }
        return action
    }

    private func validateEvent(
        _ object: inout [String: JSONValue], uid: String, pendingEnrollments: [String: [String: JSONValue]],
        stageEventCounts: inout [String: Int], fail: Fail
    ) -> Action? {
        let kind = TrackerKind.event
        guard let action = action(kind, uid: uid, existsCode: "E1030", missingCode: "E1032", deletedCode: "E1082", fail: fail)
        else { return nil }
        if action == .delete { return action }
        // Pre-processing: the program from the stage, the only stage of a program without registration
        // [core/2.42 EventProgramPreProcessor].
        if (object["program"]?.stringValue ?? "").isEmpty, let stageID = object["programStage"]?.stringValue,
            let programID = metadata.object("programStages", stageID)?["program"]?["id"]?.stringValue
        {
            object["program"] = .string(programID)
        }
        if (object["programStage"]?.stringValue ?? "").isEmpty, let programID = object["program"]?.stringValue,
            let program = metadata.object("programs", programID), program["programType"]?.stringValue == "WITHOUT_REGISTRATION",
            let stageID = Self.referencedIDs(program["programStages"]).first
        {
            object["programStage"] = .string(stageID)
        }
        for property in ["program", "programStage", "orgUnit"] where (object[property]?.stringValue ?? "").isEmpty {
            fail(kind, uid, "E1123", [property])
            return nil
        }
        let programID = object["program"]?.stringValue ?? ""
        let stageID = object["programStage"]?.stringValue ?? ""
        let orgUnit = object["orgUnit"]?.stringValue ?? ""
        let program = metadata.object("programs", programID)
        let stage = metadata.object("programStages", stageID)
        let unit = metadata.object("organisationUnits", orgUnit)
        if unit == nil { fail(kind, uid, "E1011", [orgUnit]) }
        if program == nil { fail(kind, uid, "E1010", [programID]) }
        if stage == nil { fail(kind, uid, "E1013", [stageID]) }
        guard let program, let stage, unit != nil else { return nil }
        let status = object["status"]?.stringValue ?? "ACTIVE"
        var failed = false
        if ["ACTIVE", "COMPLETED", "VISITED"].contains(status), object["occurredAt"]?.stringValue.flatMap(DHIS2Date.parse) == nil {
            fail(kind, uid, "E1031", [])
            failed = true
        }
        if status == "SCHEDULE", object["scheduledAt"]?.stringValue.flatMap(DHIS2Date.parse) == nil {
            fail(kind, uid, "E1050", [])
            failed = true
        }
        if stage["program"]?["id"]?.stringValue != programID {
            fail(kind, uid, "E1089", [uid, stageID, programID])
            failed = true
        }
        var enrollmentID: String?
        if program["programType"]?.stringValue == "WITH_REGISTRATION" {
            if let enrollment = object["enrollment"]?.stringValue, !enrollment.isEmpty {
                enrollmentID = enrollment
                let parent =
                    pendingEnrollments[enrollment]
                    ?? tracker.object(.enrollment, enrollment).flatMap { $0.isDeleted ? nil : $0.object }
                if parent?["program"]?.stringValue != programID {
                    fail(kind, uid, "E1079", [uid, programID, enrollment])
                    failed = true
                } else if object["trackedEntity"] == nil, let owner = parent?["trackedEntity"] {
                    object["trackedEntity"] = owner
                }
            } else {
                fail(kind, uid, "E1033", [uid])
                failed = true
            }
        }
        if !Self.referencedIDs(program["organisationUnits"]).contains(orgUnit) {
            fail(kind, uid, "E1029", [orgUnit, programID])
            failed = true
        }
        if let combo = object["attributeOptionCombo"]?.stringValue, !combo.isEmpty,
            metadata.object("categoryOptionCombos", combo) == nil
        {
            fail(kind, uid, "E1115", [combo])
            failed = true
        }
        let stageElements = Set(
            (stage["programStageDataElements"]?.arrayValue ?? []).compactMap { $0["dataElement"]?["id"]?.stringValue })
        for dataValue in object["dataValues"]?.arrayValue ?? [] {
            guard let elementID = dataValue["dataElement"]?.stringValue,
                let element = metadata.object("dataElements", elementID)
            else {
                fail(kind, uid, "E1304", [dataValue["dataElement"]?.stringValue ?? "null"])
                failed = true
                continue
            }
            if !stageElements.contains(elementID) {
                fail(kind, uid, "E1305", [elementID, stageID])
                failed = true
                continue
            }
            if let value = Self.text(dataValue["value"]), !value.isEmpty,
                !TrackerValueType.accepts(value, valueType: element["valueType"]?.stringValue ?? "TEXT")
            {
                fail(kind, uid, "E1302", [elementID, "value_not_valid"])
                failed = true
            } else if let value = Self.text(dataValue["value"]), !value.isEmpty,
                let optionSet = element["optionSet"]?["id"]?.stringValue, !isOptionCode(value, of: optionSet)
            {
                fail(kind, uid, "E1125", [value, optionSet])
                failed = true
            }
        }
        if failed { return nil }
        if action == .create, stage["repeatable"]?.boolValue != true, let enrollmentID {
            let key = enrollmentID + "/" + stageID
            let stored = (tracker.eventsByEnrollment[enrollmentID] ?? []).compactMap { tracker.object(.event, $0) }
                .filter { !$0.isDeleted && $0.string("programStage") == stageID }.count
            if stored + stageEventCounts[key, default: 0] > 0 {
                fail(kind, uid, "E1039", [stageID])
                return nil
            }
            stageEventCounts[key, default: 0] += 1
        }
        return action
    }

    private func validateRelationship(
        _ object: [String: JSONValue], uid: String, pendingTrackedEntities: [String: [String: JSONValue]],
        pendingEnrollments: [String: [String: JSONValue]], pendingEvents: Set<String>,
        invalid: [TrackerKind: Set<String>], fail: Fail
    ) -> Action? {
        let kind = TrackerKind.relationship
        guard UID.isValid(uid) else {
            fail(kind, uid, "E1048", [uid, uid])
            return nil
        }
        let stored = tracker.object(kind, uid)
        if let stored, stored.isDeleted {
            fail(kind, uid, "E4017", [uid])
            return nil
        }
        if parameters.importStrategy == "DELETE" {
            guard stored != nil else {
                fail(kind, uid, "E4016", [uid])
                return nil
            }
            return .delete
        }
        // Relationships cannot be updated [core/2.42 ExistenceValidator for relationships].
        if stored != nil {
            fail(kind, uid, "E4015", [uid])
            return nil
        }
        if parameters.importStrategy == "UPDATE" {
            fail(kind, uid, "E4016", [uid])
            return nil
        }
        guard let typeID = object["relationshipType"]?.stringValue, !typeID.isEmpty else {
            fail(kind, uid, "E1124", ["relationshipType"])
            return nil
        }
        for side in ["from", "to"] where object[side]?.objectValue == nil {
            fail(kind, uid, "E1124", [side])
            return nil
        }
        guard metadata.object("relationshipTypes", typeID) != nil else {
            fail(kind, uid, "E4006", [typeID])
            return nil
        }
        var failed = false
        var sides: [String] = []
        for side in ["from", "to"] {
            let item = object[side]?.objectValue ?? [:]
            let present = ["trackedEntity", "enrollment", "event"].filter { key in
                (item[key]?.stringValue ?? item[key]?[key]?.stringValue) != nil
            }
            guard present.count == 1, let key = present.first,
                let target = item[key]?.stringValue ?? item[key]?[key]?.stringValue
            else {
                fail(kind, uid, "E4001", [side, uid])
                failed = true
                continue
            }
            sides.append(target)
            let exists: Bool
            switch key {
            case "trackedEntity":
                exists = pendingTrackedEntities[target] != nil || (tracker.object(.trackedEntity, target).map { !$0.isDeleted } ?? false)
            case "enrollment":
                exists = pendingEnrollments[target] != nil || (tracker.object(.enrollment, target).map { !$0.isDeleted } ?? false)
            default:
                exists = pendingEvents.contains(target) || (tracker.object(.event, target).map { !$0.isDeleted } ?? false)
            }
            if !exists {
                fail(kind, uid, "E4012", [key, target])
                failed = true
            }
        }
        if !failed, sides.count == 2, sides[0] == sides[1] {
            fail(kind, uid, "E4000", [uid])
            failed = true
        }
        return failed ? nil : .create
    }

    /// Whether `value` is the code of an option of the option set (an unknown option set accepts nothing).
    private func isOptionCode(_ value: String, of optionSet: String) -> Bool {
        let options = Self.referencedIDs(metadata.object("optionSets", optionSet)?["options"])
        return options.contains { metadata.object("options", $0)?["code"]?.stringValue == value }
    }

    // MARK: What is stored

    /// The attribute values stored on a tracked entity, by attribute UID.
    private func storedAttributeValues(_ trackedEntity: String) -> [String: String] {
        var values: [String: String] = [:]
        for attribute in tracker.object(.trackedEntity, trackedEntity)?.object["attributes"]?.arrayValue ?? [] {
            if let id = attribute["attribute"]?.stringValue, let value = attribute["value"]?.stringValue { values[id] = value }
        }
        return values
    }

    private var userRef: JSONValue {
        var reference: [String: JSONValue] = ["uid": .string(user.id), "username": .string(user.username)]
        if let first = user.profile["firstName"] { reference["firstName"] = first }
        if let surname = user.profile["surname"] { reference["surname"] = surname }
        return .object(reference)
    }

    private var now: JSONValue { .string(DHIS2Date.format(Date())) }

    /// Server-maintained timestamps: `createdAt` kept on update, `updatedAt` now; client timestamps as sent.
    private func stamped(_ object: [String: JSONValue], kind: TrackerKind, uid: String, action: Action) -> [String: JSONValue] {
        var result = object
        let stored = tracker.object(kind, uid)?.object
        let timestamp = now
        result["createdAt"] = action == .update ? (stored?["createdAt"] ?? timestamp) : timestamp
        result["updatedAt"] = timestamp
        result["createdBy"] = action == .update ? (stored?["createdBy"] ?? userRef) : userRef
        result["updatedBy"] = userRef
        result["deleted"] = false
        for key in ["createdAtClient", "updatedAtClient", "enrolledAt", "occurredAt", "scheduledAt", "completedAt"] {
            if let text = result[key]?.stringValue { result[key] = DHIS2Date.normalise(text).map(JSONValue.string) }
        }
        return result
    }

    private func mergedAttributes(_ incoming: [JSONValue], onto existing: [JSONValue]) -> [JSONValue] {
        var byID: [String: JSONValue] = [:]
        var order: [String] = []
        for attribute in existing {
            guard let id = attribute["attribute"]?.stringValue else { continue }
            byID[id] = attribute
            order.append(id)
        }
        for attribute in incoming {
            guard let id = attribute["attribute"]?.stringValue else { continue }
            guard let value = Self.text(attribute["value"]), !value.isEmpty else {
                byID[id] = nil
                continue
            }
            let previous = byID[id]
            let timestamp = now
            byID[id] = [
                "attribute": .string(id), "value": .string(value),
                "createdAt": previous?["createdAt"] ?? timestamp, "updatedAt": timestamp,
                "storedBy": .string(user.username),
            ]
            if !order.contains(id) { order.append(id) }
        }
        return order.compactMap { byID[$0] }
    }

    private func mergedTrackedEntity(_ object: [String: JSONValue], uid: String, action: Action) -> [String: JSONValue] {
        var result = stamped(object, kind: .trackedEntity, uid: uid, action: action)
        let existing = tracker.object(.trackedEntity, uid)?.object["attributes"]?.arrayValue ?? []
        result["attributes"] = .array(mergedAttributes(object["attributes"]?.arrayValue ?? [], onto: existing))
        for (key, fallback) in [("inactive", JSONValue.bool(false)), ("potentialDuplicate", .bool(false))]
        where result[key] == nil {
            result[key] = fallback
        }
        result["storedBy"] = .string(user.username)
        return result
    }

    private func mergedEnrollment(_ object: [String: JSONValue], uid: String, action: Action) -> [String: JSONValue] {
        var result = stamped(object, kind: .enrollment, uid: uid, action: action)
        if result["status"] == nil { result["status"] = "ACTIVE" }
        if result["followUp"] == nil { result["followUp"] = false }
        if result["occurredAt"] == nil { result["occurredAt"] = result["enrolledAt"] }
        if result["status"]?.stringValue == "COMPLETED", result["completedAt"] == nil { result["completedAt"] = now }
        result["storedBy"] = .string(user.username)
        return result
    }

    private func mergedEvent(_ object: [String: JSONValue], uid: String, action: Action) -> [String: JSONValue] {
        var result = stamped(object, kind: .event, uid: uid, action: action)
        if result["status"] == nil { result["status"] = "ACTIVE" }
        if result["followUp"] == nil { result["followUp"] = result["followup"] ?? false }
        result["followup"] = nil
        if result["attributeOptionCombo"] == nil,
            let program = object["program"]?.stringValue.flatMap({ metadata.object("programs", $0) }),
            let combo = program["categoryCombo"]?["id"]?.stringValue,
            let option = (metadata.objects["categoryOptionCombos"] ?? [:]).values.first(where: {
                $0["categoryCombo"]?["id"]?.stringValue == combo
            })?["id"]
        {
            result["attributeOptionCombo"] = option
        }
        if result["status"]?.stringValue == "COMPLETED" {
            if result["completedAt"] == nil { result["completedAt"] = now }
            if result["completedBy"] == nil { result["completedBy"] = .string(user.username) }
        }
        if result["storedBy"] == nil { result["storedBy"] = .string(user.username) }
        let existing = tracker.object(.event, uid)?.object["dataValues"]?.arrayValue ?? []
        var byElement: [String: JSONValue] = [:]
        var order: [String] = []
        for value in existing {
            if let id = value["dataElement"]?.stringValue {
                byElement[id] = value
                order.append(id)
            }
        }
        let timestamp = now
        for value in object["dataValues"]?.arrayValue ?? [] {
            guard let id = value["dataElement"]?.stringValue else { continue }
            guard let text = Self.text(value["value"]), !text.isEmpty else {
                byElement[id] = nil
                continue
            }
            let previous = byElement[id]
            byElement[id] = [
                "dataElement": .string(id), "value": .string(text),
                "providedElsewhere": value["providedElsewhere"] ?? false,
                "createdAt": previous?["createdAt"] ?? timestamp, "updatedAt": timestamp,
                "storedBy": value["storedBy"] ?? .string(user.username), "createdBy": previous?["createdBy"] ?? userRef,
                "updatedBy": userRef,
            ]
            if !order.contains(id) { order.append(id) }
        }
        result["dataValues"] = .array(order.compactMap { byElement[$0] })
        if result["notes"] == nil { result["notes"] = [] }
        return result
    }

    private func mergedRelationship(_ object: [String: JSONValue], uid: String) -> [String: JSONValue] {
        var result = stamped(object, kind: .relationship, uid: uid, action: .create)
        result["createdBy"] = nil
        result["updatedBy"] = nil
        for side in ["from", "to"] {
            guard let item = object[side]?.objectValue else { continue }
            var flat: [String: JSONValue] = [:]
            for key in ["trackedEntity", "enrollment", "event"] {
                if let text = item[key]?.stringValue ?? item[key]?[key]?.stringValue { flat[key] = .string(text) }
            }
            result[side] = .object(flat)
        }
        if let type = object["relationshipType"]?.stringValue.flatMap({ metadata.object("relationshipTypes", $0) }) {
            result["bidirectional"] = type["bidirectional"] ?? false
        }
        return result
    }

    /// Soft deletion of an object and, for tracked entities and enrollments, of what hangs off it.
    private func deletions(_ kind: TrackerKind, uid: String, now: JSONValue) -> [TrackerStore.Put] {
        guard var object = tracker.object(kind, uid)?.object else { return [] }
        object["deleted"] = true
        object["updatedAt"] = now
        var puts = [TrackerStore.Put(kind: kind, uid: uid, object: object)]
        switch kind {
        case .trackedEntity:
            for enrollment in tracker.enrollmentsByTrackedEntity[uid] ?? [] where tracker.object(.enrollment, enrollment)?.isDeleted == false {
                puts += deletions(.enrollment, uid: enrollment, now: now)
            }
        case .enrollment:
            for event in tracker.eventsByEnrollment[uid] ?? [] where tracker.object(.event, event)?.isDeleted == false {
                puts += deletions(.event, uid: event, now: now)
            }
        default:
            break
        }
        for relationship in tracker.relationshipsByItem[uid] ?? []
        where tracker.object(.relationship, relationship)?.isDeleted == false && kind != .relationship {
            puts += deletions(.relationship, uid: relationship, now: now)
        }
        return puts
    }

    // MARK: Helpers

    static func referencedIDs(_ value: JSONValue?) -> Set<String> {
        Set((value?.arrayValue ?? []).compactMap { $0["id"]?.stringValue ?? $0.stringValue })
    }

    /// A value as text: strings as they are, numbers and booleans as JSON writes them.
    static func text(_ value: JSONValue?) -> String? {
        guard let value else { return nil }
        switch value {
        case .string(let text): return text
        case .null: return nil
        case .number(let number):
            return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return value.description
        }
    }
}

/// Value-type checks of tracker attribute and data values [core/2.42 ValidationUtils.valueIsValid, ValueType].
enum TrackerValueType {
    static func accepts(_ value: String, valueType: String) -> Bool {
        switch valueType {
        case "NUMBER", "UNIT_INTERVAL", "PERCENTAGE":
            guard let number = Double(value), number.isFinite else { return false }
            if valueType == "UNIT_INTERVAL" { return (0...1).contains(number) }
            if valueType == "PERCENTAGE" { return (0...100).contains(number) }
            return true
        case "INTEGER": return Int64(value) != nil
        case "INTEGER_POSITIVE": return (Int64(value) ?? 0) > 0
        case "INTEGER_NEGATIVE": return (Int64(value) ?? 0) < 0
        case "INTEGER_ZERO_OR_POSITIVE": return (Int64(value) ?? -1) >= 0
        case "BOOLEAN": return ["true", "false"].contains(value.lowercased())
        case "TRUE_ONLY": return value.lowercased() == "true"
        case "DATE", "AGE", "DATETIME": return DHIS2Date.parse(value) != nil
        case "TIME":
            let parts = value.split(separator: ":")
            return parts.count == 2 && Int(parts[0]).map { (0..<24).contains($0) } == true
                && Int(parts[1]).map { (0..<60).contains($0) } == true
        case "EMAIL": return value.contains("@") && !value.hasPrefix("@") && !value.hasSuffix("@")
        case "LETTER": return value.count == 1 && value.first?.isLetter == true
        default: return true
        }
    }
}
