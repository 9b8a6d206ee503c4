// The hand-written part of the generated module, emitted verbatim as `Generated/Runtime.swift`.
//
// DHIS2Models compiles from generated code only, so the small reader/writer abstraction the models decode and encode
// through, the copy-on-write box and the protocols live here, in the generator, and are written out with the models.

enum RuntimeTemplate {
    static let fileName = "Runtime.swift"

    static let source = #"""
import DHIS2Core

// MARK: - Protocols

/// A value the generated models read from and write to JSON through ``DHIS2JSONReader`` and ``DHIS2JSONWriter``.
///
/// The models never touch a JSON library directly: a faster reader can replace this one without changing them.
public protocol DHIS2JSONCodable: Sendable {
    /// Reads one value at the reader's position.
    init(json reader: inout DHIS2JSONReader) throws
    /// Writes this value at the writer's position.
    func writeJSON(to writer: inout DHIS2JSONWriter)
}

/// A generated JSON object model: every property optional unless every version requires it, unknown members kept.
///
/// `Codable` is provided for interoperability (through ``JSONValue``); ``init(jsonBytes:)`` and ``jsonBytes()`` are
/// the fast path.
public protocol DHIS2Model: DHIS2JSONCodable, Codable {
    /// JSON members this library does not model, kept on decode and written back on encode so a round trip loses
    /// nothing. A member whose value does not have the documented JSON type is kept here too.
    var unknownMembers: [String: JSONValue] { get set }
}

/// A generated model of a DHIS2 metadata type (one listed by `/api/schemas`).
public protocol MetadataModel: DHIS2Model {
    /// The schema facts of this type: names, collection path and properties with their version availability.
    static var schema: MetadataTypeSchema { get }
    /// An empty value, every property unset.
    init()
}

/// An open DHIS2 vocabulary (`ValueType`, `AggregationType`, `ErrorCode`, ...): a string with named known values.
///
/// Open rather than an `enum`: DHIS2 adds values in new releases (and removed one from `ValueType` in 2.43), so a
/// value this library does not know decodes and round-trips unchanged.
public protocol DHIS2Vocabulary: RawRepresentable<String>, DHIS2JSONCodable, Hashable, Codable,
    ExpressibleByStringLiteral, CustomStringConvertible
{
    /// Creates the value with this wire spelling.
    init(rawValue: String)
    /// Every value DHIS2 2.41–2.44 declares, in DHIS2's order.
    static var knownValues: [Self] { get }
}

extension DHIS2Vocabulary {
    /// Creates the value with this wire spelling.
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    /// The wire spelling.
    public var description: String { rawValue }
    /// Whether DHIS2 2.41–2.44 declares this value.
    public var isKnown: Bool { Self.knownValues.contains(self) }

    public init(json reader: inout DHIS2JSONReader) throws { self.init(rawValue: try reader.readString()) }
    public func writeJSON(to writer: inout DHIS2JSONWriter) { writer.write(rawValue) }
}

extension DHIS2JSONCodable {
    /// Decodes one value from a complete JSON document.
    ///
    /// - Throws: ``DHIS2JSONError`` when the bytes are not JSON or do not have the shape of this type.
    ///
    /// - Parameter strict: Fail on a member the model does not know or whose JSON type differs from the documented
    ///   one, instead of keeping it in `unknownMembers`.
    public init(jsonBytes bytes: [UInt8], strict: Bool = false) throws {
        var reader = DHIS2JSONReader(bytes: bytes, strict: strict)
        self = try reader.readDocument(Self.self)
    }

    /// Decodes one value from a complete JSON document given as text.
    public init(jsonString text: String) throws {
        try self.init(jsonBytes: Array(text.utf8))
    }

    /// Decodes one value from a ``JSONValue`` tree.
    public init(jsonValue value: JSONValue, strict: Bool = false) throws {
        var writer = DHIS2JSONWriter()
        writer.write(value)
        try self.init(jsonBytes: writer.bytes, strict: strict)
    }

    /// The compact JSON encoding of this value (UTF-8).
    public func jsonBytes() -> [UInt8] {
        var writer = DHIS2JSONWriter()
        writeJSON(to: &writer)
        return writer.bytes
    }

    /// The compact JSON encoding of this value as text.
    public func jsonString() -> String {
        String(decoding: jsonBytes(), as: UTF8.self)
    }

    /// This value as a ``JSONValue`` tree.
    public func jsonValue() throws -> JSONValue {
        try JSONValue(jsonBytes: jsonBytes())
    }
}

extension DHIS2Model {
    public init(from decoder: any Decoder) throws {
        try self.init(jsonValue: try JSONValue(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try jsonValue().encode(to: encoder)
    }
}

// MARK: - Storage

/// Stores a nested model behind one reference, so a model with many nested values stays small and a type may
/// contain itself (`OrganisationUnit.parent`). Values keep value semantics: a change stores a new box.
@propertyWrapper
public struct Indirect<Value: Sendable>: Sendable {
    @usableFromInline
    final class Box: Sendable {
        @usableFromInline let value: Value
        @usableFromInline init(_ value: Value) { self.value = value }
    }

    @usableFromInline var box: Box?

    @inlinable
    public init(wrappedValue: Value?) {
        box = wrappedValue.map(Box.init)
    }

    @inlinable
    public var wrappedValue: Value? {
        get { box?.value }
        set { box = newValue.map(Box.init) }
    }
}

// MARK: - Errors

/// JSON that could not be read into a generated model: what was wrong and where.
public struct DHIS2JSONError: Error, CustomStringConvertible, Sendable {
    /// What was expected or found.
    public let message: String
    /// The byte offset in the document where reading stopped.
    public let offset: Int
    /// Whether the JSON is well-formed but has another type than the one expected.
    public let isTypeMismatch: Bool

    public var description: String { "Invalid DHIS2 JSON at byte \(offset): \(message)" }
}

// MARK: - Reader

/// A pull reader over one UTF-8 JSON document, the single place the generated models read JSON through.
public struct DHIS2JSONReader: Sendable {
    @usableFromInline let bytes: [UInt8]
    @usableFromInline var index: Int
    /// Whether a member the model does not know, or whose value has another JSON type than documented, fails the
    /// read instead of being kept in the model's `unknownMembers`; for checking the models against real payloads.
    public let isStrict: Bool

    /// Creates a reader at the start of `bytes`.
    public init(bytes: [UInt8], strict: Bool = false) {
        self.bytes = bytes
        self.index = 0
        self.isStrict = strict
    }

    /// Reads a whole document: one value and nothing after it but whitespace.
    public mutating func readDocument<T: DHIS2JSONCodable>(_ type: T.Type) throws -> T {
        let value = try T(json: &self)
        skipWhitespace()
        guard index == bytes.count else { throw failure("unexpected data after the JSON value") }
        return value
    }

    func failure(_ message: String, mismatch: Bool = false) -> DHIS2JSONError {
        DHIS2JSONError(message: message, offset: index, isTypeMismatch: mismatch)
    }

    @inlinable
    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    @inlinable
    mutating func peek() -> UInt8? {
        skipWhitespace()
        return index < bytes.count ? bytes[index] : nil
    }

    /// The last non-whitespace byte before the current position.
    func previousToken() -> UInt8? {
        var i = index - 1
        while i >= 0 {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i -= 1
            default: return bytes[i]
            }
        }
        return nil
    }

    func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the document" }
        switch byte {
        case UInt8(ascii: "{"): return "an object"
        case UInt8(ascii: "["): return "an array"
        case UInt8(ascii: "\""): return "a string"
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a Boolean"
        case UInt8(ascii: "n"): return "null"
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
        default: return "the character '\(Character(Unicode.Scalar(byte)))'"
        }
    }

    func mismatch(_ expected: String, _ byte: UInt8?) -> DHIS2JSONError {
        let isValueStart = byte.map { "{[\"tfn-0123456789".utf8.contains($0) } ?? false
        return failure("expected \(expected), found \(describe(byte))", mismatch: isValueStart)
    }

    /// Consumes `null` if it is next and says whether it was.
    public mutating func readNull() throws -> Bool {
        guard peek() == UInt8(ascii: "n") else { return false }
        try expectLiteral("null")
        return true
    }

    mutating func expectLiteral(_ literal: StaticString) throws {
        let count = literal.utf8CodeUnitCount
        guard index + count <= bytes.count else { throw failure("truncated literal") }
        let matches = literal.withUTF8Buffer { buffer in
            (0..<count).allSatisfy { bytes[index + $0] == buffer[$0] }
        }
        guard matches else { throw failure("invalid literal") }
        index += count
    }

    /// Reads a string.
    public mutating func readString() throws -> String {
        let byte = peek()
        guard byte == UInt8(ascii: "\"") else { throw mismatch("a string", byte) }
        index += 1
        let start = index
        while index < bytes.count {
            let c = bytes[index]
            if c == UInt8(ascii: "\"") {
                let text = bytes.withUnsafeBufferPointer {
                    String(decoding: UnsafeBufferPointer(rebasing: $0[start..<index]), as: UTF8.self)
                }
                index += 1
                return text
            }
            if c == UInt8(ascii: "\\") { return try readEscapedString(from: start) }
            if c < 0x20 { throw failure("control character in a string") }
            index += 1
        }
        throw failure("unterminated string")
    }

    mutating func readEscapedString(from start: Int) throws -> String {
        var buffer = Array(bytes[start..<index])
        while index < bytes.count {
            let c = bytes[index]
            index += 1
            switch c {
            case UInt8(ascii: "\""):
                return String(decoding: buffer, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count else { throw failure("unterminated escape") }
                let e = bytes[index]
                index += 1
                switch e {
                case UInt8(ascii: "\""): buffer.append(0x22)
                case UInt8(ascii: "\\"): buffer.append(0x5C)
                case UInt8(ascii: "/"): buffer.append(0x2F)
                case UInt8(ascii: "b"): buffer.append(0x08)
                case UInt8(ascii: "f"): buffer.append(0x0C)
                case UInt8(ascii: "n"): buffer.append(0x0A)
                case UInt8(ascii: "r"): buffer.append(0x0D)
                case UInt8(ascii: "t"): buffer.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try readHex4()
                    if (0xD800..<0xDC00).contains(scalar), index + 1 < bytes.count,
                        bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                    {
                        let save = index
                        index += 2
                        let low = try readHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            index = save
                        }
                    }
                    let unicode = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                    buffer.append(contentsOf: String(Character(unicode)).utf8)
                default:
                    throw failure("invalid escape")
                }
            default:
                if c < 0x20 { throw failure("control character in a string") }
                buffer.append(c)
            }
        }
        throw failure("unterminated string")
    }

    mutating func readHex4() throws -> UInt32 {
        guard index + 4 <= bytes.count else { throw failure("truncated \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[index]
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw failure("invalid \\u escape")
            }
            value = value << 4 | digit
            index += 1
        }
        return value
    }

    /// Reads `true` or `false`.
    public mutating func readBool() throws -> Bool {
        let byte = peek()
        if byte == UInt8(ascii: "t") {
            try expectLiteral("true")
            return true
        }
        if byte == UInt8(ascii: "f") {
            try expectLiteral("false")
            return false
        }
        throw mismatch("a Boolean", byte)
    }

    /// The span of the number at the current position, validated against the JSON grammar.
    mutating func scanNumber() throws -> (start: Int, end: Int, isInteger: Bool) {
        let byte = peek()
        guard let byte, byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
            throw mismatch("a number", byte)
        }
        let start = index
        var isInteger = true
        if bytes[index] == UInt8(ascii: "-") { index += 1 }
        func digits(_ reader: inout DHIS2JSONReader) throws {
            let first = reader.index
            while reader.index < reader.bytes.count,
                (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(reader.bytes[reader.index])
            {
                reader.index += 1
            }
            guard reader.index > first else { throw reader.failure("invalid number") }
        }
        try digits(&self)
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try digits(&self)
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try digits(&self)
        }
        return (start, index, isInteger)
    }

    func text(_ start: Int, _ end: Int) -> String {
        bytes.withUnsafeBufferPointer {
            String(decoding: UnsafeBufferPointer(rebasing: $0[start..<end]), as: UTF8.self)
        }
    }

    /// Reads an integer; a number with a fraction or exponent is a type mismatch.
    public mutating func readInt() throws -> Int {
        let start = index
        let number = try scanNumber()
        guard number.isInteger, let value = Int(text(number.start, number.end)) else {
            index = start
            throw failure("expected an integer", mismatch: true)
        }
        return value
    }

    /// Reads a number.
    public mutating func readDouble() throws -> Double {
        let number = try scanNumber()
        guard let value = Double(text(number.start, number.end)) else { throw failure("invalid number") }
        return value
    }

    /// Consumes the `{` that opens an object.
    public mutating func beginObject() throws {
        let byte = peek()
        guard byte == UInt8(ascii: "{") else { throw mismatch("an object", byte) }
        index += 1
    }

    /// The next member name of the current object (its `:` consumed), or `nil` after consuming the closing `}`.
    public mutating func nextKey() throws -> String? {
        let byte = peek()
        let isFirst = previousToken() == UInt8(ascii: "{")
        switch byte {
        case UInt8(ascii: "}"):
            index += 1
            return nil
        case UInt8(ascii: ","):
            guard !isFirst else { throw failure("expected a member name") }
            index += 1
        default:
            guard isFirst else { throw failure("expected ',' or '}'") }
        }
        let key = try readString()
        guard peek() == UInt8(ascii: ":") else { throw failure("expected ':'") }
        index += 1
        return key
    }

    /// Consumes the `[` that opens an array.
    public mutating func beginArray() throws {
        let byte = peek()
        guard byte == UInt8(ascii: "[") else { throw mismatch("an array", byte) }
        index += 1
    }

    /// Whether the current array has another element (its `,` consumed); consumes the closing `]` when not.
    public mutating func nextElement() throws -> Bool {
        let byte = peek()
        let isFirst = previousToken() == UInt8(ascii: "[")
        switch byte {
        case UInt8(ascii: "]"):
            index += 1
            return false
        case UInt8(ascii: ","):
            guard !isFirst else { throw failure("expected a value") }
            index += 1
            return true
        default:
            guard isFirst else { throw failure("expected ',' or ']'") }
            return true
        }
    }

    /// Reads any value as a ``JSONValue``.
    public mutating func readValue() throws -> JSONValue {
        switch peek() {
        case UInt8(ascii: "{"):
            try beginObject()
            var members: [String: JSONValue] = [:]
            while let key = try nextKey() { members[key] = try readValue() }
            return .object(members)
        case UInt8(ascii: "["):
            try beginArray()
            var elements: [JSONValue] = []
            while try nextElement() { elements.append(try readValue()) }
            return .array(elements)
        case UInt8(ascii: "\""):
            return .string(try readString())
        case UInt8(ascii: "t"), UInt8(ascii: "f"):
            return .bool(try readBool())
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            return .number(try readDouble())
        }
    }

    /// The error for a member every version requires that the object lacks (a type mismatch of the object).
    public func missingMember(_ name: String, in type: String) -> DHIS2JSONError {
        failure("\(type) lacks its required member `\(name)`", mismatch: true)
    }

    /// Reads the value of a member the model does not know; in strict mode that is an error.
    public mutating func readUnknownMember(_ key: String) throws -> JSONValue {
        if isStrict { throw failure("unknown member `\(key)`", mismatch: true) }
        return try readValue()
    }

    /// Reads a member of an id-only reference other than `id`: kept even in strict mode.
    public mutating func readUnknownReferenceMember(_ key: String) throws -> JSONValue {
        try readValue()
    }

    /// Reads the value of member `key`.
    ///
    /// `null` leaves the property unset (DHIS2 treats an absent member and `null` alike). A well-formed value of
    /// another JSON type than documented is kept verbatim in `unknown` instead of failing the whole object.
    public mutating func readMember<T: DHIS2JSONCodable>(
        _ key: String, unknown: inout [String: JSONValue]
    ) throws -> T? {
        if try readNull() { return nil }
        let start = index
        do {
            return try T(json: &self)
        } catch let error as DHIS2JSONError where error.isTypeMismatch {
            if isStrict {
                throw DHIS2JSONError(
                    message: "member `\(key)`: \(error.message)", offset: error.offset, isTypeMismatch: true)
            }
            index = start
            unknown[key] = try readValue()
            return nil
        }
    }
}

// MARK: - Writer

/// Writes compact UTF-8 JSON, the single place the generated models write JSON through.
public struct DHIS2JSONWriter: Sendable {
    /// The JSON written so far.
    public private(set) var bytes: [UInt8]
    var isFirst = true

    /// Creates an empty writer.
    public init() {
        bytes = []
        bytes.reserveCapacity(1024)
    }

    mutating func separator() {
        if !isFirst { bytes.append(UInt8(ascii: ",")) }
    }

    /// Opens an object.
    public mutating func beginObject() {
        bytes.append(UInt8(ascii: "{"))
        isFirst = true
    }

    /// Closes an object.
    public mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        isFirst = false
    }

    /// Opens an array.
    public mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        isFirst = true
    }

    /// Closes an array.
    public mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        isFirst = false
    }

    /// Writes the separator an array element needs; call before each element.
    public mutating func element() {
        separator()
        isFirst = true
    }

    /// Writes a member name; the member's value must follow.
    public mutating func key(_ name: String) {
        separator()
        writeString(name)
        bytes.append(UInt8(ascii: ":"))
        isFirst = true
    }

    /// Writes member `name` when `value` is set; an unset property is omitted, as DHIS2 does.
    public mutating func member<T: DHIS2JSONCodable>(_ name: String, _ value: T?) {
        guard let value else { return }
        key(name)
        value.writeJSON(to: &self)
    }

    /// Writes the members a model did not know, in name order so output is deterministic.
    public mutating func unknownMembers(_ members: [String: JSONValue]) {
        guard !members.isEmpty else { return }
        for name in members.keys.sorted() {
            key(name)
            if let value = members[name] { write(value) }
        }
    }

    /// Writes a string.
    public mutating func write(_ string: String) {
        writeString(string)
        isFirst = false
    }

    /// Writes a Boolean.
    public mutating func write(_ value: Bool) {
        bytes.append(contentsOf: value ? Array("true".utf8) : Array("false".utf8))
        isFirst = false
    }

    /// Writes an integer.
    public mutating func write(_ value: Int) {
        bytes.append(contentsOf: String(value).utf8)
        isFirst = false
    }

    /// Writes a number; integral values without a fraction, non-finite values as `null`.
    public mutating func write(_ value: Double) {
        if !value.isFinite {
            bytes.append(contentsOf: "null".utf8)
        } else if value == value.rounded(), abs(value) < 9_007_199_254_740_992 {
            bytes.append(contentsOf: String(Int(value)).utf8)
        } else {
            bytes.append(contentsOf: String(value).utf8)
        }
        isFirst = false
    }

    /// Writes any JSON value; object members in name order.
    public mutating func write(_ value: JSONValue) {
        switch value {
        case .null:
            bytes.append(contentsOf: "null".utf8)
            isFirst = false
        case .bool(let flag): write(flag)
        case .number(let number): write(number)
        case .string(let text): write(text)
        case .array(let elements):
            beginArray()
            for element in elements {
                self.element()
                write(element)
            }
            endArray()
        case .object(let members):
            beginObject()
            unknownMembers(members)
            endObject()
        }
    }

    mutating func writeString(_ string: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): bytes.append(contentsOf: [0x5C, 0x22])
            case UInt8(ascii: "\\"): bytes.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: bytes.append(contentsOf: [0x5C, UInt8(ascii: "n")])
            case 0x0D: bytes.append(contentsOf: [0x5C, UInt8(ascii: "r")])
            case 0x09: bytes.append(contentsOf: [0x5C, UInt8(ascii: "t")])
            case 0x00..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes.append(contentsOf: [0x5C, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}

// MARK: - Conformances of the JSON primitives

extension String: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws { self = try reader.readString() }
    public func writeJSON(to writer: inout DHIS2JSONWriter) { writer.write(self) }
}

extension Int: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws { self = try reader.readInt() }
    public func writeJSON(to writer: inout DHIS2JSONWriter) { writer.write(self) }
}

extension Double: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws { self = try reader.readDouble() }
    public func writeJSON(to writer: inout DHIS2JSONWriter) { writer.write(self) }
}

extension Bool: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws { self = try reader.readBool() }
    public func writeJSON(to writer: inout DHIS2JSONWriter) { writer.write(self) }
}

extension JSONValue: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws { self = try reader.readValue() }
    public func writeJSON(to writer: inout DHIS2JSONWriter) { writer.write(self) }
}

extension Array: DHIS2JSONCodable where Element: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws {
        self.init()
        try reader.beginArray()
        while try reader.nextElement() {
            append(try Element(json: &reader))
        }
    }

    public func writeJSON(to writer: inout DHIS2JSONWriter) {
        writer.beginArray()
        for element in self {
            writer.element()
            element.writeJSON(to: &writer)
        }
        writer.endArray()
    }
}

extension Dictionary: DHIS2JSONCodable where Key == String, Value: DHIS2JSONCodable {
    public init(json reader: inout DHIS2JSONReader) throws {
        self.init()
        try reader.beginObject()
        while let key = try reader.nextKey() {
            self[key] = try Value(json: &reader)
        }
    }

    public func writeJSON(to writer: inout DHIS2JSONWriter) {
        writer.beginObject()
        for key in keys.sorted() {
            writer.member(key, self[key])
        }
        writer.endObject()
    }
}

// MARK: - Schema facts

/// A set of the supported DHIS2 API versions (2.41–2.44), as stored in the schema facts.
public struct APIVersionSet: Swift.OptionSet, Hashable, Sendable, CustomStringConvertible {
    public typealias Element = APIVersionSet
    public typealias ArrayLiteralElement = APIVersionSet

    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let v41 = APIVersionSet(rawValue: 1 << 0)
    public static let v42 = APIVersionSet(rawValue: 1 << 1)
    public static let v43 = APIVersionSet(rawValue: 1 << 2)
    public static let v44 = APIVersionSet(rawValue: 1 << 3)
    /// Every supported version.
    public static let all = APIVersionSet(rawValue: 0b1111)

    /// The set of the versions 2.`minor` given (minors outside 41–44 are ignored).
    public init(minors: Int...) {
        var raw: UInt8 = 0
        for minor in minors where (41...44).contains(minor) {
            raw |= 1 << UInt8(minor - 41)
        }
        self.init(rawValue: raw)
    }

    /// Whether the set includes `version`.
    public func includes(_ version: APIVersion) -> Bool {
        guard (41...44).contains(version.minor) else { return false }
        return contains(APIVersionSet(rawValue: 1 << UInt8(version.minor - 41)))
    }

    /// The versions in the set, oldest first.
    public var versions: [APIVersion] {
        APIVersion.supported.filter { includes($0) }
    }

    /// For example `2.41–2.44`, `2.43+`, `until 2.42` or `2.41, 2.43`.
    public var description: String {
        let minors = versions.map(\.minor)
        guard let first = minors.first, let last = minors.last else { return "no version" }
        if minors.count == 4 { return "2.41–2.44" }
        let contiguous = last - first + 1 == minors.count
        if contiguous && last == 44 { return "2.\(first)+" }
        if contiguous && first == 41 { return "until 2.\(last)" }
        if contiguous && first == last { return "2.\(first) only" }
        return minors.map { "2.\($0)" }.joined(separator: ", ")
    }
}

/// The kind of a metadata property, as `/api/schemas` names it (`propertyType`): open, like every DHIS2 vocabulary.
public struct MetadataPropertyKind: DHIS2Vocabulary {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let identifier = MetadataPropertyKind(rawValue: "IDENTIFIER")
    public static let text = MetadataPropertyKind(rawValue: "TEXT")
    public static let boolean = MetadataPropertyKind(rawValue: "BOOLEAN")
    public static let integer = MetadataPropertyKind(rawValue: "INTEGER")
    public static let number = MetadataPropertyKind(rawValue: "NUMBER")
    public static let date = MetadataPropertyKind(rawValue: "DATE")
    public static let constant = MetadataPropertyKind(rawValue: "CONSTANT")
    public static let reference = MetadataPropertyKind(rawValue: "REFERENCE")
    public static let complex = MetadataPropertyKind(rawValue: "COMPLEX")
    public static let collection = MetadataPropertyKind(rawValue: "COLLECTION")
    public static let url = MetadataPropertyKind(rawValue: "URL")
    public static let color = MetadataPropertyKind(rawValue: "COLOR")
    public static let email = MetadataPropertyKind(rawValue: "EMAIL")
    public static let phoneNumber = MetadataPropertyKind(rawValue: "PHONENUMBER")
    public static let password = MetadataPropertyKind(rawValue: "PASSWORD")
    public static let geolocation = MetadataPropertyKind(rawValue: "GEOLOCATION")

    public static let knownValues: [MetadataPropertyKind] = [
        .identifier, .text, .boolean, .integer, .number, .date, .constant, .reference, .complex, .collection, .url,
        .color, .email, .phoneNumber, .password, .geolocation,
    ]
}

/// What `/api/schemas` says about one property of a metadata type, merged over 2.41–2.44.
///
/// Flags (`isRequired`, `isUnique`, `isOwner`, `isWritable`, `isPersisted`) are those of the newest version that has
/// the property.
public struct MetadataPropertySchema: Hashable, Sendable {
    /// The JSON member name (what `fields=`, filters and payloads use).
    public let name: String
    /// The property's `name` in `/api/schemas` when it differs from the JSON member name: the dumps give many
    /// collections a singular name (`translation` for `translations`, `dataElementGroup` for `dataElementGroups`).
    public let schemaName: String
    /// The property's kind (`propertyType`).
    public let kind: MetadataPropertyKind
    /// The kind of the items of a collection (`itemPropertyType`).
    public let itemKind: MetadataPropertyKind?
    /// Whether the property holds a collection.
    public let isCollection: Bool
    /// The metadata type a reference (or a collection of references) points at, by klass.
    public let referenceKlass: String?
    /// The plural name (collection path) of that metadata type, when it is one.
    public let referencePlural: String?
    /// Whether DHIS2 requires the property on write.
    public let isRequired: Bool
    /// Whether the value must be unique among objects of the type.
    public let isUnique: Bool
    /// Whether this side owns the association (only owned collections are written by a metadata import).
    public let isOwner: Bool
    /// Whether the property can be written.
    public let isWritable: Bool
    /// Whether DHIS2 stores the property.
    public let isPersisted: Bool
    /// Whether the collection's items are embedded in the owner (DHIS2's `EmbeddedObject`s: a dashboard's
    /// `dashboardItems`, a legend set's `legends`): written and read inline with all their properties, not as
    /// `{id}` references. `/api/schemas` has no such flag; the generator's plan lists them with evidence.
    public let isEmbedded: Bool
    /// The versions that have the property.
    public let availability: APIVersionSet

    public init(
        name: String, schemaName: String? = nil, kind: MetadataPropertyKind, itemKind: MetadataPropertyKind? = nil, isCollection: Bool = false,
        referenceKlass: String? = nil, referencePlural: String? = nil, isRequired: Bool = false,
        isUnique: Bool = false, isOwner: Bool = false, isWritable: Bool = true, isPersisted: Bool = false,
        isEmbedded: Bool = false, availability: APIVersionSet = .all
    ) {
        self.name = name
        self.schemaName = schemaName ?? name
        self.kind = kind
        self.itemKind = itemKind
        self.isCollection = isCollection
        self.referenceKlass = referenceKlass
        self.referencePlural = referencePlural
        self.isRequired = isRequired
        self.isUnique = isUnique
        self.isOwner = isOwner
        self.isWritable = isWritable
        self.isPersisted = isPersisted
        self.isEmbedded = isEmbedded
        self.availability = availability
    }
}

/// What `/api/schemas` says about one metadata type, merged over 2.41–2.44.
public struct MetadataTypeSchema: Hashable, Sendable {
    /// The Java class, the key DHIS2 identifies the type by (`name` is not unique).
    public let klass: String
    /// The Swift model's name.
    public let typeName: String
    /// The singular name, e.g. `dataElement`.
    public let singular: String
    /// The plural name, e.g. `dataElements`; also the JSON key of lists and metadata exports.
    public let plural: String
    /// The REST collection path relative to the server root, e.g. `/api/dataElements`, when the type has one.
    public let apiEndpoint: String?
    /// Whether DHIS2 counts the type as metadata (exported by `/api/metadata`).
    public let isMetadata: Bool
    /// Whether DHIS2 stores the type.
    public let isPersisted: Bool
    /// The versions that have the type.
    public let availability: APIVersionSet
    /// The properties, in name order.
    public let properties: [MetadataPropertySchema]

    public init(
        klass: String, typeName: String, singular: String, plural: String, apiEndpoint: String?, isMetadata: Bool,
        isPersisted: Bool, availability: APIVersionSet, properties: [MetadataPropertySchema]
    ) {
        self.klass = klass
        self.typeName = typeName
        self.singular = singular
        self.plural = plural
        self.apiEndpoint = apiEndpoint
        self.isMetadata = isMetadata
        self.isPersisted = isPersisted
        self.availability = availability
        self.properties = properties
    }

    /// The property named `name`.
    public func property(_ name: String) -> MetadataPropertySchema? {
        properties.first { $0.name == name }
    }
}
"""#
}
