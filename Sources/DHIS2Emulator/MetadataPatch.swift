import DHIS2
import Foundation

/// DHIS2's JSON Patch (`PATCH /api/<plural>/{uid}`, reference §3.5): the operations `add`, `remove`, `replace` and
/// DHIS2's own `remove-by-id`, applied to the object's JSON before it is imported as a full update.
///
/// DHIS2 deserialises the patch with Jackson's polymorphic type ids (`JsonPatchOperation`), so `move`, `copy` and
/// `test` fail as unknown type ids (400) before anything is applied; a path that names no property of the type, or
/// that `replace`/`remove` find empty, is a 400 `Invalid path /x` [core/2.42 JsonPatchManager, operations/*].
struct MetadataPatch: Sendable {
    enum Operation: Sendable {
        case add(path: [String], value: JSONValue)
        case remove(path: [String])
        case replace(path: [String], value: JSONValue)
        case removeByID(path: [String], id: String)
    }

    /// A patch that cannot be read or applied: DHIS2 answers 400 with this message.
    struct Failure: Error, Sendable {
        let message: String
    }

    let operations: [(operation: Operation, pointer: String)]

    /// The Jackson message for an operation name outside the registered subtypes.
    static func unknownOperationMessage(_ name: String) -> String {
        "JSON parse error: Could not resolve type id '\(name)' as a subtype of "
            + "`org.hisp.dhis.jsonpatch.JsonPatchOperation`: known type ids = [add, remove, remove-by-id, replace]"
    }

    /// Reads a patch document (a JSON array of operations).
    init(parsing value: JSONValue) throws(Failure) {
        guard let items = value.arrayValue else {
            throw Failure(
                message: "JSON parse error: Cannot deserialize value of type `org.hisp.dhis.jsonpatch.JsonPatch` "
                    + "from Object value: expected an array of operations")
        }
        var operations: [(Operation, String)] = []
        for item in items {
            guard let name = item["op"]?.stringValue else {
                throw Failure(
                    message: "JSON parse error: Missing type id when trying to resolve subtype of "
                        + "`org.hisp.dhis.jsonpatch.JsonPatchOperation`: missing type id property 'op'")
            }
            guard let pointer = item["path"]?.stringValue else {
                throw Failure(message: "JSON parse error: Missing required creator property 'path'")
            }
            let path = try Self.parsePointer(pointer)
            switch name {
            case "add":
                operations.append((.add(path: path, value: item["value"] ?? .null), pointer))
            case "replace":
                operations.append((.replace(path: path, value: item["value"] ?? .null), pointer))
            case "remove":
                operations.append((.remove(path: path), pointer))
            case "remove-by-id":
                guard let id = item["id"]?.stringValue else {
                    throw Failure(message: "JSON parse error: Missing required creator property 'id'")
                }
                operations.append((.removeByID(path: path, id: id), pointer))
            default:
                throw Failure(message: Self.unknownOperationMessage(name))
            }
        }
        self.operations = operations
    }

    /// RFC 6901: `/a/b~1c` → `["a", "b/c"]`.
    private static func parsePointer(_ pointer: String) throws(Failure) -> [String] {
        guard pointer.hasPrefix("/") else { throw Failure(message: "Invalid path \(pointer)") }
        return pointer.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    /// Applies every operation in order to `object` (a `type` object); the first segment of each path must name a
    /// property of the type.
    func apply(to object: [String: JSONValue], type: MetadataType) throws(Failure) -> [String: JSONValue] {
        var document = JSONValue.object(object)
        for (operation, pointer) in operations {
            let invalid = Failure(message: "Invalid path \(pointer)")
            let path: [String]
            switch operation {
            case .add(let p, _), .remove(let p), .replace(let p, _), .removeByID(let p, _): path = p
            }
            guard let head = path.first, !head.isEmpty, type.property(head) != nil else { throw invalid }
            switch operation {
            case .add(_, let value):
                guard let updated = Self.adding(value, at: path[...], in: document) else { throw invalid }
                document = updated
            case .replace(_, let value):
                guard let updated = Self.replacing(at: path[...], in: document, with: value) else { throw invalid }
                document = updated
            case .remove:
                guard let updated = Self.replacing(at: path[...], in: document, with: nil) else { throw invalid }
                document = updated
            case .removeByID(_, let id):
                guard let items = Self.value(at: path[...], in: document)?.arrayValue else { throw invalid }
                let kept = JSONValue.array(items.filter { $0["id"]?.stringValue != id })
                guard let updated = Self.replacing(at: path[...], in: document, with: kept) else { throw invalid }
                document = updated
            }
        }
        return document.objectValue ?? object
    }

    private static func value(at path: ArraySlice<String>, in document: JSONValue) -> JSONValue? {
        guard let head = path.first else { return document }
        switch document {
        case .object(let members):
            guard let child = members[head], !child.isNull else { return nil }
            return value(at: path.dropFirst(), in: child)
        case .array(let items):
            guard let index = Int(head), items.indices.contains(index) else { return nil }
            return value(at: path.dropFirst(), in: items[index])
        default:
            return nil
        }
    }

    /// RFC 6902 `add`: sets an object member, or inserts into an array (`-` appends); the parent must exist. A
    /// missing top-level collection counts as empty (DHIS2 serialises empty collections, the store may omit them).
    private static func adding(_ newValue: JSONValue, at path: ArraySlice<String>, in document: JSONValue) -> JSONValue? {
        guard let head = path.first else { return newValue }
        let rest = path.dropFirst()
        switch document {
        case .object(var members):
            if rest.isEmpty {
                members[head] = newValue
                return .object(members)
            }
            var child = members[head] ?? .null
            if child.isNull, rest.count == 1, rest.first == "-" || rest.first == "0" { child = .array([]) }
            guard !child.isNull, let updated = adding(newValue, at: rest, in: child) else { return nil }
            members[head] = updated
            return .object(members)
        case .array(var items):
            if rest.isEmpty {
                if head == "-" {
                    items.append(newValue)
                } else {
                    guard let index = Int(head), (0...items.count).contains(index) else { return nil }
                    items.insert(newValue, at: index)
                }
                return .array(items)
            }
            guard let index = Int(head), items.indices.contains(index),
                let updated = adding(newValue, at: rest, in: items[index])
            else { return nil }
            items[index] = updated
            return .array(items)
        default:
            return nil
        }
    }

    /// RFC 6902 `replace` (or `remove` for a `nil` value): the target must exist.
    private static func replacing(at path: ArraySlice<String>, in document: JSONValue, with newValue: JSONValue?) -> JSONValue? {
        guard let head = path.first else { return newValue }
        let rest = path.dropFirst()
        switch document {
        case .object(var members):
            guard let child = members[head], !child.isNull else { return nil }
            if rest.isEmpty {
                members[head] = newValue
            } else {
                guard let updated = replacing(at: rest, in: child, with: newValue) else { return nil }
                members[head] = updated
            }
            return .object(members)
        case .array(var items):
            guard let index = Int(head), items.indices.contains(index) else { return nil }
            if rest.isEmpty {
                if let newValue { items[index] = newValue } else { items.remove(at: index) }
            } else {
                guard let updated = replacing(at: rest, in: items[index], with: newValue) else { return nil }
                items[index] = updated
            }
            return .array(items)
        default:
            return nil
        }
    }
}
