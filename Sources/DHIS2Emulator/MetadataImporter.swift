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
        object["translations"] = []
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
        object["translations"] = existing["translations"] ?? []
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
                guard value.intValue != nil else { return .failure(typeError(property, value, expected: "java.lang.Integer")) }
                result[property.name] = value
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
                guard value.arrayValue != nil else { return .failure(typeError(property, value, expected: "collection")) }
                result[property.name] = value
            case .complex:
                result[property.name] = value
            case .inverse:
                continue
            }
        }
        return .success(result)
    }

    private func typeError(_ property: PropertyDescription, _ value: JSONValue, expected: String) -> String {
        "JSON parse error: Cannot deserialize value of type `\(expected)` from \(value) for property `\(property.name)`"
    }

    /// Validates required, length, reference and uniqueness rules, derives hierarchy facts, and builds the writes.
    private func finish(_ object: [String: JSONValue], id: String, errors: [JSONValue], snapshot: StoreSnapshot) -> Result {
        var object = object
        var errors = errors
        for property in type.properties where property.required && object[property.name] == nil {
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
                let targetType = types[target]
            else { continue }
            for referenced in MetadataView.referencedIDs(object[property.name])
            where snapshot.object(target, referenced) == nil {
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
    private func display(_ object: [String: JSONValue], id: String) -> String {
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

    private func errorReport(
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
