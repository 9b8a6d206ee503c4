/// A value read from a TOML document.
///
/// Date and time values are kept as the text the document has (`1979-05-27T07:32:00Z`): profiles never use them,
/// and keeping the text loses nothing.
public enum TOMLValue: Sendable, Hashable {
    /// A basic, literal or multi-line string.
    case string(String)
    /// A decimal, hexadecimal, octal or binary integer.
    case integer(Int64)
    /// A float, including `inf` and `nan`.
    case float(Double)
    /// `true` or `false`.
    case boolean(Bool)
    /// An offset or local date-time, local date or local time, as written.
    case dateTime(String)
    /// An array of values.
    case array([TOMLValue])
    /// A table: a `[header]` table, an inline table, or an implicit one made by a dotted key.
    case table([String: TOMLValue])

    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The integer, when this is one.
    public var integerValue: Int64? {
        if case .integer(let value) = self { return value }
        return nil
    }

    /// The number as a `Double`, when this is an integer or a float.
    public var doubleValue: Double? {
        switch self {
        case .integer(let value): Double(value)
        case .float(let value): value
        default: nil
        }
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .boolean(let value) = self { return value }
        return nil
    }

    /// The members, when this is a table.
    public var tableValue: [String: TOMLValue]? {
        if case .table(let value) = self { return value }
        return nil
    }

    /// The elements, when this is an array.
    public var arrayValue: [TOMLValue]? {
        if case .array(let value) = self { return value }
        return nil
    }

    /// The member `key`, when this is a table that has it.
    public subscript(key: String) -> TOMLValue? { tableValue?[key] }

    /// A short name of the value's type, for error messages (`string`, `integer`, `table`, …).
    public var typeName: String {
        switch self {
        case .string: "string"
        case .integer: "integer"
        case .float: "float"
        case .boolean: "boolean"
        case .dateTime: "date-time"
        case .array: "array"
        case .table: "table"
        }
    }
}

/// A TOML document that could not be read: the file, the line and column, and what is wrong there.
public struct TOMLError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file the text came from, when it came from one.
    public var file: String?
    /// The 1-based line of the problem.
    public var line: Int
    /// The 1-based column (in characters) of the problem.
    public var column: Int
    /// What is wrong.
    public var reason: String

    /// An error at `line`:`column` of `file`.
    public init(file: String?, line: Int, column: Int, reason: String) {
        self.file = file
        self.line = line
        self.column = column
        self.reason = reason
    }

    /// `file:line:column: reason`, or `line line, column column: reason` for text without a file.
    public var description: String {
        if let file { return "\(file):\(line):\(column): \(reason)" }
        return "line \(line), column \(column): \(reason)"
    }
}
