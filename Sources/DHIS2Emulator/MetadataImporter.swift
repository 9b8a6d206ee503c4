import DHIS2
import Foundation

/// How a single-object import ended.
enum ImportOutcome: Sendable {
    case success(uid: String)
    /// Validation errors (409); a delete veto is reported with envelope status `WARNING`, everything else `ERROR`.
    case failure(uid: String, errors: [JSONValue], isDeleteVeto: Bool)
    case notFound(String)
    /// The body could not be read as the type (400, like a Jackson deserialisation error).
    case badRequest(String)
}

/// DHIS2's single-object metadata import (create, replace, delete) over a store snapshot: validation with the real
/// error codes (§3.7), server-maintained properties, and the writes to apply.
struct MetadataImporter {
    let type: MetadataType
    let types: [String: MetadataType]
    let principalID: String
    /// UIDs (by type plural) of objects arriving in the same `/api/metadata` payload: references to them are valid
    /// even before they are stored (DHIS2 preheats the whole bundle).
    var pendingIDs: [String: Set<String>] = [:]
    /// Whether `translations` in the body are kept (metadata import) or dropped (single-object POST, §3.3).
    var keepsTranslations = false

    init(type: MetadataType, version: EmulatedVersion, principalID: String, types: [String: MetadataType]? = nil) {
        self.type = type
        self.types = types ?? MetadataType.all(for: version)
        self.principalID = principalID
    }

    typealias Result = (outcome: ImportOutcome, writes: [Store.Write])

    func create(_ input: [String: JSONValue], snapshot: StoreSnapshot) -> Result {
        var errors: [JSONValue] = []
        var id = UID.generate().rawValue
        if let supplied = input["id"], !supplied.isNull, supplied.stringValue != "" {
            if let text = supplied.stringValue, UID.isValid(text) {
                id = text
            } else {
                let text = supplied.stringValue ?? supplied.description
                errors.append(
                    errorReport(
                        "E4014", "Invalid UID `\(text)` for property `\(type.javaName)`", args: [text, type.javaName],
                        property: "id"))
            }
        }
        if snapshot.object(type.plural, id) != nil {
            errors.append(
                errorReport(
                    "E5000",
                    "Found matching object for reference, but import mode is CREATE. Identifier was \(id), and object was \(display(input, id: id)).",
                    args: [id, display(input, id: id)], mainID: id))
        }
        let now = JSONValue.string(DHIS2Date.format(Date()))
        var object: [String: JSONValue]
        switch sanitise(input) {
        case .failure(let message): return (.badRequest(message), [])
        case .success(let values): object = values
        }
        for (key, value) in type.defaults where object[key] == nil { object[key] = value }
        object["id"] = .string(id)
        object["created"] = now
        object["lastUpdated"] = now
        object["createdBy"] = ["id": .string(principalID)]
        object["lastUpdatedBy"] = ["id": .string(principalID)]
        object["translations"] = keepsTranslations ? (object["translations"] ?? []) : []
        if object["sharing"] == nil { object["sharing"] = defaultSharing }
        return finish(object, id: id, errors: errors, snapshot: snapshot)
    }

    func replace(id: String, with input: [String: JSONValue], snapshot: StoreSnapshot) -> Result {
        guard let existing = snapshot.object(type.plural, id) else { return (.notFound(id), []) }
        var object: [String: JSONValue]
        switch sanitise(input) {
        case .failure(let message): return (.badRequest(message), [])
        case .success(let values): object = values
        }
        for (key, value) in type.defaults where object[key] == nil { object[key] = value }
        // Server-maintained and non-owner properties survive a full replacement.
        for property in type.properties where !property.writable {
            if let value = existing[property.name] { object[property.name] = value }
        }
        object["id"] = .string(id)
        object["created"] = existing["created"]
        object["createdBy"] = existing["createdBy"]
        object["lastUpdated"] = .string(DHIS2Date.format(Date()))
        object["lastUpdatedBy"] = ["id": .string(principalID)]
        object["translations"] =
            keepsTranslations ? (object["translations"] ?? []) : (existing["translations"] ?? [])
        if object["sharing"] == nil { object["sharing"] = existing["sharing"] ?? defaultSharing }
        return finish(object, id: id, errors: [], snapshot: snapshot)
    }

    func delete(id: String, snapshot: StoreSnapshot) -> Result {
        guard snapshot.object(type.plural, id) != nil else { return (.notFound(id), []) }
        for other in types.values.sorted(by: { $0.plural < $1.plural }) {
            for property in other.properties {
                let kind = property.kind
                guard kind == .reference(target: type.plural) || kind == .referenceCollection(target: type.plural) else {
                    continue
                }
                if isCascade(other, property) { continue }
                let referencing = (snapshot.objects[other.plural] ?? [:]).values.contains { object in
                    MetadataView.referencedIDs(object[property.name]).contains(id)
                }
                if referencing {
                    let report: JSONValue = [
                        "message": .string(
                            "Object could not be deleted because it is associated with another object: \(other.javaName)"),
                        "mainKlass": .string(type.klass),
                        "errorCode": "E4030",
                        "errorProperties": [],
                        "args": [],
                    ]
                    return (.failure(uid: id, errors: [report], isDeleteVeto: true), [])
                }
            }
        }
        var writes: [Store.Write] = [.deleteObject(type: type.plural, id: id)]
        for other in types.values {
            for property in other.properties where isCascade(other, property) && property.referenceTarget == type.plural {
                for (otherID, object) in snapshot.objects[other.plural] ?? [:]
                where MetadataView.referencedIDs(object[property.name]).contains(id) {
                    writes.append(.deleteObject(type: other.plural, id: otherID))
                }
            }
        }
        return (.success(uid: id), writes)
    }

    /// Defaults set in DHIS2's constructors for required properties (`ProgramRuleAction.evaluationTime` is
    /// `ProgramRuleActionEvaluationTime.getDefault()`, `ALWAYS`).
    static let constructorDefaults: [String: [String: JSONValue]] = [
        "programRuleActions": ["evaluationTime": "ALWAYS"]
    ]

    /// The UIDs of DHIS2's default category objects (`Preheat.getDefaults()`), by the plural of their type: the
    /// classes `Preheat.isDefaultClass` names (Category, CategoryCombo, CategoryOption, CategoryOptionCombo).
    static let defaultObjectIDs: [String: String] = [
        "categories": DemoData.defaultCategoryID.rawValue,
        "categoryCombos": DemoData.defaultCategoryComboID.rawValue,
        "categoryOptions": DemoData.defaultCategoryOptionID.rawValue,
        "categoryOptionCombos": DemoData.defaultCategoryOptionComboID.rawValue,
    ]

    /// Connects DHIS2's default category objects to every missing single reference whose target is a default class,
    /// as the metadata importer does for each created and each updated object before it is saved
    /// (dhis2-core `DefaultObjectBundleService.handleCreates`/`handleUpdates` call
    /// `DefaultPreheatService.connectReferences`, whose `connectDefaults` returns `preheat.getDefaults()` for the
    /// property's class when `Preheat.isDefaultClass(property.getKlass())` and the reference is null). Only persisted
    /// owner properties are connected; reference collections are never filled (the collection branch of
    /// `connectReferences` does not call `connectDefaults`); a data set element's `categoryCombo` stays null
    /// (`connectDefaults` returns null for a `DataSetElement`, whose items the emulator stores inline and never
    /// passes here). Single-object POST/PUT/PATCH go through the same bundle import in DHIS2, and here through
    /// `create`/`replace`, so they get the same defaults. A default object missing from the store is not connected
    /// (DHIS2 always has them; the emulator's fresh store does too).
    private func connectDefaults(_ object: inout [String: JSONValue], snapshot: StoreSnapshot) {
        for property in type.properties where property.writable && property.persisted && property.owner {
            guard case .reference(let target?) = property.kind, let defaultID = Self.defaultObjectIDs[target],
                object[property.name] == nil,
                snapshot.object(target, defaultID) != nil || pendingIDs[target]?.contains(defaultID) == true
            else { continue }
            object[property.name] = ["id": .string(defaultID)]
        }
    }

    /// DHIS2 deletes a category combination's option combinations with it instead of vetoing.
    private func isCascade(_ type: MetadataType, _ property: PropertyDescription) -> Bool {
        type.plural == "categoryOptionCombos" && property.name == "categoryCombo"
    }

    private var defaultSharing: JSONValue {
        ["owner": .string(principalID), "public": "rw------", "users": [:], "userGroups": [:]]
    }

    private enum Sanitised {
        case success([String: JSONValue])
        case failure(String)
    }

    /// Keeps the writable properties, drops nulls and empty strings (DHIS2 reads `""` as null), checks JSON types
    /// the way Jackson would, and reduces references to `{"id":…}`.
    private func sanitise(_ input: [String: JSONValue]) -> Sanitised {
        var result: [String: JSONValue] = [:]
        for property in type.properties where property.writable && property.name != "id" {
            guard let value = input[property.name], !value.isNull, value != "" else { continue }
            switch property.kind {
            case .text, .identifier:
                switch value {
                case .string: result[property.name] = value
                case .number, .bool: result[property.name] = .string(value.description)
                default: return .failure(typeError(property, value, expected: "java.lang.String"))
                }
            case .date:
                guard let text = value.stringValue, let normalised = DHIS2Date.normalise(text) else {
                    return .failure(typeError(property, value, expected: "java.util.Date"))
                }
                result[property.name] = .string(normalised)
            case .integer:
                // Numbers (DHIS2's `Integer` and `Double` properties share this kind) and numeric strings, as Jackson
                // coerces them.
                switch value {
                case .number: result[property.name] = value
                case .string(let text) where Double(text) != nil: result[property.name] = .number(Double(text) ?? 0)
                default: return .failure(typeError(property, value, expected: "java.lang.Integer"))
                }
            case .boolean:
                switch value {
                case .bool: result[property.name] = value
                case .string(let text) where text == "true" || text == "false": result[property.name] = .bool(text == "true")
                default: return .failure(typeError(property, value, expected: "boolean"))
                }
            case .constant(let javaType, let values):
                guard let text = value.stringValue, values.contains(text) else {
                    return .failure(
                        "JSON parse error: Cannot deserialize value of type `\(javaType)` from String \(value): not one "
                            + "of the values accepted for Enum class: [\(values.joined(separator: ", "))]")
                }
                result[property.name] = value
            case .reference:
                guard let id = value["id"]?.stringValue else { return .failure(typeError(property, value, expected: "reference")) }
                result[property.name] = ["id": .string(id)]
            case .referenceCollection:
                guard let items = value.arrayValue else { return .failure(typeError(property, value, expected: "collection")) }
                result[property.name] = .array(items.compactMap { $0["id"]?.stringValue }.map { ["id": .string($0)] })
            case .complexCollection:
                guard let items = value.arrayValue else {
                    return .failure(typeError(property, value, expected: "collection"))
                }
                if let itemType = property.itemType {
                    result[property.name] = .array(items.map { Self.embeddedItem($0, type: itemType) })
                } else {
                    result[property.name] = value
                }
            case .complex:
                result[property.name] = value
            case .inverse:
                continue
            }
        }
        return .success(result)
    }

    /// An embedded object as stored inline in its owner: every property of the item type's schema except those
    /// computed on read or maintained by the server (references reduced to `{"id":…}`, nulls and `""` dropped), and
    /// its UID, generated when the client sent none, as DHIS2 does. Properties DHIS2 derives for an item (a map
    /// view's `rows`, a program attribute's `valueType`) are kept as the client sent them.
    static func embeddedItem(_ item: JSONValue, type: MetadataType) -> JSONValue {
        guard let members = item.objectValue else { return item }
        var result: [String: JSONValue] = [:]
        result["id"] = members["id"]?.stringValue.map { .string($0) } ?? .string(UID.generate().rawValue)
        for property in type.properties
        where property.name != "id" && type.hasSchemaProperty(property.name)
            && !MetadataType.computedNames.contains(property.name) && !serverMaintained.contains(property.name)
        {
            guard let value = members[property.name], !value.isNull, value != "" else { continue }
            switch property.kind {
            case .reference:
                if let id = value["id"]?.stringValue { result[property.name] = ["id": .string(id)] }
            case .referenceCollection:
                result[property.name] = .array(
                    (value.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.map { ["id": .string($0)] })
            case .complexCollection where property.itemType != nil:
                if let itemType = property.itemType {
                    result[property.name] = .array((value.arrayValue ?? []).map { embeddedItem($0, type: itemType) })
                }
            case .inverse:
                continue
            default:
                result[property.name] = value
            }
        }
        return .object(result)
    }

    private static let serverMaintained: Set<String> = ["created", "lastUpdated", "createdBy", "lastUpdatedBy"]

    private func typeError(_ property: PropertyDescription, _ value: JSONValue, expected: String) -> String {
        "JSON parse error: Cannot deserialize value of type `\(expected)` from \(value) for property `\(property.name)`"
    }

    /// Validates required, length, reference and uniqueness rules, derives hierarchy facts, and builds the writes.
    private func finish(_ object: [String: JSONValue], id: String, errors: [JSONValue], snapshot: StoreSnapshot) -> Result {
        var object = object
        var errors = errors
        // Values DHIS2's constructors give required properties, so they are never missing.
        for (name, value) in Self.constructorDefaults[type.plural] ?? [:] where object[name] == nil {
            object[name] = value
        }
        connectDefaults(&object, snapshot: snapshot)
        for property in type.properties where property.required && object[property.name] == nil {
            // `DefaultSchemaValidator` never reports a missing reference to a default class (E4000 is raised only
            // when `!Preheat.isDefaultClass(property.getKlass())`): the commit connects the default instead.
            if let target = property.referenceTarget, Self.defaultObjectIDs[target] != nil { continue }
            errors.append(
                errorReport(
                    "E4000", "Missing required property `\(property.name)`", args: [property.name],
                    property: property.name, errorKlass: javaClass(of: property)))
        }
        for property in type.properties {
            guard let max = property.maxLength, let text = object[property.name]?.stringValue, text.count > max else { continue }
            errors.append(
                errorReport(
                    "E4001", "Maximum length of property `\(property.name)`is \(max), but given length was \(text.count)",
                    args: [property.name, String(max), String(text.count)], property: property.name))
        }
        for property in type.properties {
            guard let target = property.referenceTarget,
                property.kind == .reference(target: target) || property.kind == .referenceCollection(target: target),
                let targetType = types[target],
                // Users and user groups (notification recipients, sharing) are not part of metadata payloads;
                // the emulator does not veto references to them.
                !["users", "userGroups"].contains(target)
            else { continue }
            for referenced in MetadataView.referencedIDs(object[property.name])
            where snapshot.object(target, referenced) == nil && pendingIDs[target]?.contains(referenced) != true {
                let reference = "[\(referenced)] (\(targetType.javaName))"
                errors.append(
                    errorReport(
                        "E5002",
                        "Invalid reference \(reference) on object \(display(object, id: id)) for association `\(property.name)`",
                        args: [reference, display(object, id: id), property.name], property: property.name,
                        errorKlass: targetType.klass))
            }
        }
        for property in type.properties where property.unique && property.name != "id" {
            guard let value = object[property.name]?.stringValue else { continue }
            let clash = (snapshot.objects[type.plural] ?? [:]).first { otherID, other in
                otherID != id && other[property.name]?.stringValue == value
            }
            if let (otherID, _) = clash {
                let shown = display(object, id: id)
                errors.append(
                    errorReport(
                        "E5003",
                        "Property `\(property.name)` with value `\(value)` on object \(shown) already exists on object \(otherID)",
                        args: [property.name, value, shown, otherID], property: property.name, mainID: otherID))
            }
        }

        var writes: [Store.Write] = []
        if type.plural == "organisationUnits", errors.isEmpty {
            let parent = object["parent"]?["id"]?.stringValue.flatMap { snapshot.object("organisationUnits", $0) }
            let parentPath = parent?["path"]?.stringValue ?? ""
            if parentPath.split(separator: "/").contains(Substring(id)) {
                errors.append(
                    errorReport(
                        "E5002",
                        "Invalid reference [\(parent?["id"]?.stringValue ?? "")] (OrganisationUnit) on object \(display(object, id: id)) for association `parent`",
                        args: [], property: "parent", errorKlass: type.klass))
            } else {
                object["path"] = .string(parentPath + "/" + id)
                object["level"] = .number(Double(parentPath.split(separator: "/").count + 1))
                writes += descendantUpdates(of: id, newPath: parentPath + "/" + id, snapshot: snapshot)
            }
        }
        guard errors.isEmpty else { return (.failure(uid: id, errors: errors, isDeleteVeto: false), []) }
        return (.success(uid: id), [.putObject(type: type.plural, id: id, object: .object(object))] + writes)
    }

    /// Rewrites `path` and `level` of every descendant when an organisation unit moves.
    private func descendantUpdates(of id: String, newPath: String, snapshot: StoreSnapshot) -> [Store.Write] {
        guard let oldPath = snapshot.object("organisationUnits", id)?["path"]?.stringValue, oldPath != newPath else { return [] }
        var writes: [Store.Write] = []
        for (otherID, value) in snapshot.objects["organisationUnits"] ?? [:] {
            guard var other = value.objectValue, let path = other["path"]?.stringValue, path.hasPrefix(oldPath + "/")
            else { continue }
            let moved = newPath + path.dropFirst(oldPath.count)
            other["path"] = .string(moved)
            other["level"] = .number(Double(moved.split(separator: "/").count))
            writes.append(.putObject(type: "organisationUnits", id: otherID, object: .object(other)))
        }
        return writes
    }

    /// `IdentifiableObjectUtils.getDisplayName`: `Name [uid] (Klass)`.
    func display(_ object: [String: JSONValue], id: String) -> String {
        let name = object["name"]?.stringValue.map { $0 + " " } ?? ""
        return "\(name)[\(id)] (\(type.javaName))"
    }

    private func javaClass(of property: PropertyDescription) -> String? {
        switch property.kind {
        case .text, .identifier: "java.lang.String"
        case .date: "java.util.Date"
        case .integer: "java.lang.Integer"
        case .boolean: "java.lang.Boolean"
        case .constant(let javaType, _): javaType
        case .reference(let target): target.flatMap { types[$0]?.klass }
        default: nil
        }
    }

    func errorReport(
        _ code: String, _ message: String, args: [String], property: String? = nil, errorKlass: String? = nil,
        mainID: String? = nil
    ) -> JSONValue {
        var report: [String: JSONValue] = [
            "message": .string(message),
            "mainKlass": .string(type.klass),
            "errorCode": .string(code),
            "errorProperties": .array(args.map(JSONValue.string)),
            "args": .array(args.map(JSONValue.string)),
        ]
        if let property { report["errorProperty"] = .string(property) }
        if let errorKlass { report["errorKlass"] = .string(errorKlass) }
        if let mainID { report["mainId"] = .string(mainID) }
        return .object(report)
    }
}

extension StoreSnapshot {
    /// The snapshot after `write` (the same effect `Store` gives it), for imports that validate object by object
    /// against what the earlier objects of the same payload already changed.
    mutating func apply(_ write: Store.Write) {
        switch write {
        case .putObject(let type, let id, let object): objects[type, default: [:]][id] = object
        case .deleteObject(let type, let id): objects[type]?[id] = nil
        case .putUser(let user): users[user.id] = user
        case .putToken(let token): tokens[token.id] = token
        case .deleteToken(let id): tokens[id] = nil
        case .setting(let key, let value): settings[key] = value
        }
    }
}

/// The parameters `POST /api/metadata` reads (reference §6.1); unknown or invalid values fall back to the defaults,
/// as `DefaultMetadataImportService.getParamsFromMap` does with `getEnumWithDefault`.
struct MetadataImportParameters: Sendable {
    enum Identifier: String, Sendable { case uid = "UID", code = "CODE", auto = "AUTO" }
    enum Strategy: String, Sendable {
        case createAndUpdate = "CREATE_AND_UPDATE", create = "CREATE", update = "UPDATE", delete = "DELETE"
    }
    enum ReportMode: String, Sendable {
        case errors = "ERRORS", full = "FULL", debug = "DEBUG", errorsNotOwner = "ERRORS_NOT_OWNER"
    }

    var validateOnly = false
    var identifier = Identifier.uid
    var strategy = Strategy.createAndUpdate
    var atomicAll = true
    var reportMode = ReportMode.errors
    var skipSharing = false
    var skipTranslation = false

    init() {}

    init(_ query: QueryParameters) {
        func value(_ name: String) -> String? { query[name]?.uppercased() }
        validateOnly = value("importMode") == "VALIDATE"
        identifier = value("identifier").flatMap(Identifier.init(rawValue:)) ?? .uid
        strategy = value("importStrategy").flatMap(Strategy.init(rawValue:)) ?? .createAndUpdate
        // `NEW_AND_UPDATES`/`NEW`/`UPDATES` are the pre-2.3x spellings DHIS2 still maps to the same strategies.
        switch value("importStrategy") {
        case "NEW_AND_UPDATES": strategy = .createAndUpdate
        case "NEW": strategy = .create
        case "UPDATES": strategy = .update
        case "DELETES": strategy = .delete
        default: break
        }
        atomicAll = value("atomicMode") != "NONE"
        reportMode = value("importReportMode").flatMap(ReportMode.init(rawValue:)) ?? .errors
        skipSharing = query["skipSharing"]?.lowercased() == "true"
        skipTranslation = query["skipTranslation"]?.lowercased() == "true"
    }
}

/// DHIS2's bundle import behind `POST /api/metadata` (reference §6.1): every type of the payload in dependency
/// order, each object validated against the store plus the payload (so references between objects of the same
/// payload resolve), the ImportReport with stats, type reports and per-object error reports, and the
/// atomic/validate rules deciding what is committed.
struct MetadataBundleImporter {
    let types: [String: MetadataType]
    let version: EmulatedVersion
    let principalID: String
    let parameters: MetadataImportParameters

    /// What an import produced: the report (`response` of the WebMessage), its status, and the writes to commit.
    struct Outcome: Sendable {
        let report: JSONValue
        /// `OK`, `WARNING` or `ERROR`.
        let status: String
        let writes: [Store.Write]
    }

    enum Failure: Error {
        /// The payload cannot be read (Jackson's deserialisation error in DHIS2: 400 for the whole request).
        case unreadable(String)
    }

    private struct Entry {
        let index: Int
        var object: [String: JSONValue]
        var id: String
    }

    private struct Counts {
        var created = 0, updated = 0, deleted = 0, ignored = 0
        var json: JSONValue {
            [
                "created": .number(Double(created)), "updated": .number(Double(updated)),
                "deleted": .number(Double(deleted)), "ignored": .number(Double(ignored)),
                "total": .number(Double(created + updated + deleted + ignored)),
            ]
        }
        mutating func add(_ other: Counts) {
            created += other.created
            updated += other.updated
            deleted += other.deleted
            ignored += other.ignored
        }
        /// `Stats.ignored()`: an aborted atomic import counts every object as ignored.
        mutating func ignoreAll() {
            ignored += created + updated + deleted
            created = 0
            updated = 0
            deleted = 0
        }
    }

    func run(_ payload: [String: JSONValue], snapshot: StoreSnapshot) throws(Failure) -> Outcome {
        // Types of the payload this server knows; the export's `system` block and unknown keys are ignored.
        var batches: [String: [Entry]] = [:]
        for (key, value) in payload {
            guard types[key] != nil, let items = value.arrayValue else { continue }
            var entries: [Entry] = []
            for (index, item) in items.enumerated() {
                guard let object = item.objectValue else {
                    throw .unreadable(
                        "JSON parse error: Cannot deserialize value of type `\(types[key]?.klass ?? key)` from \(item)")
                }
                entries.append(Entry(index: index, object: object, id: ""))
            }
            batches[key] = entries
        }
        var order = Self.dependencyOrder(Array(batches.keys), types: types)
        if parameters.strategy == .delete { order.reverse() }

        resolveIdentifiers(&batches, snapshot: snapshot)

        var pending: [String: Set<String>] = [:]
        if parameters.strategy != .delete {
            for (plural, entries) in batches { pending[plural, default: []].formUnion(entries.map(\.id)) }
            // Objects that travel inline inside their owner with more than reference members, and have no top-level
            // key in the payload, are imported with the owner, never looked up as references. (The collections the
            // schema facts mark embedded are complex collections here, stored inline; see `embeddedItem`.)
            for (plural, entries) in batches {
                guard let type = types[plural] else { continue }
                for property in type.properties {
                    guard case .referenceCollection(let target?) = property.kind, batches[target] == nil else { continue }
                    for entry in entries {
                        for item in entry.object[property.name]?.arrayValue ?? [] {
                            guard let members = item.objectValue, let id = members["id"]?.stringValue,
                                members.keys.contains(where: { !Self.referenceKeys.contains($0) })
                            else { continue }
                            pending[target, default: []].insert(id)
                        }
                    }
                }
            }
        }

        var work = snapshot
        var writes: [Store.Write] = []
        var total = Counts()
        var hasErrors = false
        var typeReports: [(klass: String, counts: Counts, reports: [JSONValue])] = []
        for plural in order {
            guard let type = types[plural], let entries = batches[plural] else { continue }
            var importer = MetadataImporter(type: type, version: version, principalID: principalID, types: types)
            importer.pendingIDs = pending
            importer.keepsTranslations = !parameters.skipTranslation
            var counts = Counts()
            var reports: [JSONValue] = []
            for entry in Self.parentsFirst(entries, type: type) {
                var input = entry.object
                input["id"] = .string(entry.id)
                if parameters.skipSharing { input["sharing"] = nil }
                let exists = work.object(plural, entry.id) != nil
                var errors: [JSONValue] = []
                var result: MetadataImporter.Result?
                switch (parameters.strategy, exists) {
                case (.create, true), (.createAndUpdate, false), (.create, false):
                    result = importer.create(input, snapshot: work)
                case (.update, true), (.createAndUpdate, true):
                    result = importer.replace(id: entry.id, with: input, snapshot: work)
                case (.delete, true):
                    result = importer.delete(id: entry.id, snapshot: work)
                case (.update, false), (.delete, false):
                    let shown = importer.display(input, id: entry.id)
                    errors.append(
                        importer.errorReport(
                            "E5001", "No matching object for reference. Identifier was \(entry.id), and object was \(shown).",
                            args: [entry.id, shown], mainID: entry.id))
                }
                if let result {
                    switch result.outcome {
                    case .success:
                        for write in result.writes { work.apply(write) }
                        writes += result.writes
                        switch (parameters.strategy, exists) {
                        case (.delete, _): counts.deleted += 1
                        case (_, true): counts.updated += 1
                        case (_, false): counts.created += 1
                        }
                    case .failure(_, let reported, _):
                        errors += reported
                    case .notFound(let id):
                        let shown = importer.display(input, id: id)
                        errors.append(
                            importer.errorReport(
                                "E5001", "No matching object for reference. Identifier was \(id), and object was \(shown).",
                                args: [id, shown], mainID: id))
                    case .badRequest(let message):
                        throw .unreadable(message)
                    }
                }
                if !errors.isEmpty {
                    hasErrors = true
                    counts.ignored += 1
                }
                if !errors.isEmpty || parameters.reportMode == .full || parameters.reportMode == .debug {
                    var report: [String: JSONValue] = [
                        "klass": .string(type.klass), "index": .number(Double(entry.index)), "uid": .string(entry.id),
                        "errorReports": .array(errors),
                    ]
                    if parameters.reportMode == .debug, let name = entry.object["name"] { report["displayName"] = name }
                    reports.append(.object(report))
                }
            }
            typeReports.append((type.klass, counts, reports))
        }

        let status: String
        let committed: [Store.Write]
        if hasErrors && parameters.atomicAll {
            status = "ERROR"
            committed = []
            typeReports = typeReports.map { entry in
                var counts = entry.counts
                counts.ignoreAll()
                return (entry.klass, counts, entry.reports)
            }
        } else {
            status = hasErrors ? "WARNING" : "OK"
            // importMode=VALIDATE validates and counts, but the commit step is skipped.
            committed = parameters.validateOnly ? [] : writes
        }
        for entry in typeReports { total.add(entry.counts) }
        let report: JSONValue = [
            "responseType": .string(version.importReportResponseType),
            "status": .string(status),
            "stats": total.json,
            "typeReports": .array(
                typeReports.map { entry in
                    ["klass": .string(entry.klass), "stats": entry.counts.json, "objectReports": .array(entry.reports)]
                }),
        ]
        return Outcome(report: report, status: status, writes: committed)
    }

    /// Gives every payload object the UID it is imported under, and rewrites references given by code
    /// (`{"code": "…"}`) to UIDs when `identifier` is `CODE` or `AUTO`.
    private func resolveIdentifiers(_ batches: inout [String: [Entry]], snapshot: StoreSnapshot) {
        var codes: [String: [String: String]] = [:]
        func existingByCode(_ plural: String, _ code: String) -> String? {
            if codes[plural] == nil {
                var map: [String: String] = [:]
                for (id, object) in snapshot.objects[plural] ?? [:] {
                    if let code = object["code"]?.stringValue { map[code] = id }
                }
                codes[plural] = map
            }
            return codes[plural]?[code]
        }
        for (plural, entries) in batches {
            batches[plural] = entries.map { entry in
                var entry = entry
                let supplied = entry.object["id"]?.stringValue.flatMap { UID.isValid($0) ? $0 : nil }
                let code = entry.object["code"]?.stringValue
                switch parameters.identifier {
                case .uid:
                    entry.id = supplied ?? UID.generate().rawValue
                case .code:
                    entry.id = code.flatMap { existingByCode(plural, $0) } ?? supplied ?? UID.generate().rawValue
                case .auto:
                    if let supplied, snapshot.object(plural, supplied) != nil {
                        entry.id = supplied
                    } else {
                        entry.id = code.flatMap { existingByCode(plural, $0) } ?? supplied ?? UID.generate().rawValue
                    }
                }
                // An invalid supplied `id` is kept so the importer reports it (E4014).
                if let raw = entry.object["id"]?.stringValue, !raw.isEmpty, supplied == nil, parameters.identifier == .uid {
                    entry.id = raw
                }
                if let code { codes[plural, default: [:]][code] = entry.id }
                return entry
            }
        }
        guard parameters.identifier != .uid else { return }
        for (plural, entries) in batches {
            guard let type = types[plural] else { continue }
            batches[plural] = entries.map { entry in
                var entry = entry
                for property in type.properties {
                    guard let target = property.referenceTarget, let value = entry.object[property.name] else { continue }
                    func resolved(_ reference: JSONValue) -> JSONValue {
                        guard reference["id"] == nil, let code = reference["code"]?.stringValue,
                            let id = codes[target]?[code] ?? existingByCode(target, code)
                        else { return reference }
                        return ["id": .string(id)]
                    }
                    switch value {
                    case .object: entry.object[property.name] = resolved(value)
                    case .array(let items): entry.object[property.name] = .array(items.map(resolved))
                    default: break
                    }
                }
                return entry
            }
        }
    }

    /// The members an export writes for a plain reference (anything more marks an embedded object).
    static let referenceKeys: Set<String> = ["id", "code", "name", "displayName", "username"]

    /// Types ordered so that referenced types come before the types referring to them (a depth-first topological
    /// sort over the reference properties; cycles are broken in name order).
    static func dependencyOrder(_ plurals: [String], types: [String: MetadataType]) -> [String] {
        let present = Set(plurals)
        var order: [String] = []
        var state: [String: Bool] = [:]  // false = visiting, true = done
        func visit(_ plural: String) {
            if state[plural] != nil { return }
            state[plural] = false
            for property in types[plural]?.properties ?? [] {
                guard case .reference(let target?) = property.kind, target != plural, present.contains(target) else {
                    if case .referenceCollection(let target?) = property.kind, target != plural, present.contains(target) {
                        visit(target)
                    }
                    continue
                }
                visit(target)
            }
            state[plural] = true
            order.append(plural)
        }
        for plural in plurals.sorted() { visit(plural) }
        return order
    }

    /// Objects of a self-referencing type (an organisation unit's `parent`) ordered parents first, so the server
    /// derives `path` and `level` from a parent that is already imported.
    private static func parentsFirst(_ entries: [Entry], type: MetadataType) -> [Entry] {
        let selfReferences = type.properties.filter { $0.kind == .reference(target: type.plural) }.map(\.name)
        guard !selfReferences.isEmpty else { return entries }
        let positions = Dictionary(entries.enumerated().map { ($1.id, $0) }, uniquingKeysWith: { first, _ in first })
        var done = [Bool](repeating: false, count: entries.count)
        var result: [Entry] = []
        result.reserveCapacity(entries.count)
        for start in entries.indices where !done[start] {
            // Walk up the chain of not-yet-placed parents, then place them top-down.
            var chain: [Int] = []
            var current: Int? = start
            var seen = Set<Int>()
            while let index = current, !done[index], seen.insert(index).inserted {
                chain.append(index)
                current = selfReferences.lazy.compactMap { entries[index].object[$0]?["id"]?.stringValue }
                    .compactMap { positions[$0] }.first
            }
            for index in chain.reversed() where !done[index] {
                done[index] = true
                result.append(entries[index])
            }
        }
        return result
    }
}
