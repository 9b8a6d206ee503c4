import DHIS2Core
import Foundation

/// A JSON Pointer (RFC 6901) naming the property a ``JSONPatchOperation`` changes, e.g. `/name` or
/// `/dataSetElements/-` (append).
public struct JSONPointer: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The pointer text.
    public let rawValue: String

    /// A pointer given as text, e.g. `/name`.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A pointer from unescaped segments (`~` and `/` inside a segment are escaped):
    /// `JSONPointer(segments: "name")` is `/name`.
    public init(segments: String...) {
        self.rawValue = segments.map {
            "/" + $0.replacingOccurrences(of: "~", with: "~0").replacingOccurrences(of: "/", with: "~1")
        }.joined()
    }

    /// The pointer that appends to the array at this pointer (`<pointer>/-`).
    public var appending: JSONPointer { JSONPointer(stringLiteral: rawValue + "/-") }

    public var description: String { rawValue }
}

/// One JSON Patch operation as DHIS2 accepts it on `PATCH /api/<plural>/{uid}` (reference §3.5): `add`, `remove`,
/// `replace` and DHIS2's own `remove-by-id`; DHIS2 does not support `move`, `copy` or `test`.
public enum JSONPatchOperation: Hashable, Sendable {
    /// Adds `value` at `path` (use ``JSONPointer/appending`` to add to a collection).
    case add(JSONPointer, JSONValue)
    /// Removes the value at `path`.
    case remove(JSONPointer)
    /// Replaces the value at `path` with `value`.
    case replace(JSONPointer, JSONValue)
    /// Removes the object with identifier `id` from the collection at `path` (DHIS2's `remove-by-id`).
    case removeByID(JSONPointer, UID)

    /// The operation as JSON, e.g. `{"op":"replace","path":"/name","value":"ANC 1st visit"}`.
    public var json: JSONValue {
        switch self {
        case .add(let path, let value): ["op": "add", "path": .string(path.rawValue), "value": value]
        case .remove(let path): ["op": "remove", "path": .string(path.rawValue)]
        case .replace(let path, let value): ["op": "replace", "path": .string(path.rawValue), "value": value]
        case .removeByID(let path, let id):
            ["op": "remove-by-id", "path": .string(path.rawValue), "id": .string(id.rawValue)]
        }
    }
}
