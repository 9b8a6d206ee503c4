// Decoding helpers shared by the envelope types. DHIS2 omits nulls and empty collections inconsistently across
// versions (reference §0.1), so "absent" and "empty" mean the same thing for every list and count read here.

extension KeyedDecodingContainer {
    /// The array at `key`, or `[]` when the key is absent or `null`.
    func decodeArray<Element: Decodable>(_ type: [Element].Type, forKey key: Key) throws -> [Element] {
        try decodeIfPresent(type, forKey: key) ?? []
    }

    /// The integer at `key`, or `0` when the key is absent or `null` (counts only: an absent count is no objects).
    func decodeCount(forKey key: Key) throws -> Int {
        try decodeIfPresent(Int.self, forKey: key) ?? 0
    }

    /// The value at `key` read as text: a string as itself, any other JSON value as its compact JSON text.
    ///
    /// DHIS2 types `ErrorReport.value` and `args` loosely (`Object`, `?`), so a number or an object must not break
    /// decoding.
    func decodeTextIfPresent(forKey key: Key) throws -> String? {
        guard let value = try decodeIfPresent(JSONValue.self, forKey: key) else { return nil }
        return value.text
    }

    /// The array at `key` with every element read as text (see ``decodeTextIfPresent(forKey:)``); `[]` when absent.
    func decodeTextArray(forKey key: Key) throws -> [String] {
        try decodeArray([JSONValue].self, forKey: key).compactMap(\.text)
    }
}

extension JSONValue {
    /// A string as itself, `null` as `nil`, anything else as compact JSON text.
    var text: String? {
        switch self {
        case .null: nil
        case .string(let string): string
        default: description
        }
    }
}
