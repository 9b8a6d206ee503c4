/// Where each statement of a TOML document sits in its text, so an editor can change one statement and leave every
/// other byte (comments, spacing, quoting, key order) as the user wrote it.
struct TOMLLayout: Sendable {
    /// A `[table]` or `[[array]]` header line.
    struct Header: Sendable {
        /// The header's key path, unquoted.
        var path: [String]
        /// Whether it is an array-of-tables header (`[[…]]`).
        var isArray: Bool
        /// The byte range of each key segment as written (quotes included).
        var keySpans: [Range<Int>]
        /// The byte range of the whole line, newline included.
        var line: Range<Int>
    }

    /// A `key = value` statement.
    struct KeyValue: Sendable {
        /// The index in ``headers`` of the table the statement belongs to; `nil` for the root table.
        var headerIndex: Int?
        /// The key path, unquoted.
        var key: [String]
        /// The bytes from the start of the statement's first line to the end of its last line, newline included.
        var statement: Range<Int>
        /// The byte range of the value as written.
        var value: Range<Int>
    }

    var headers: [Header] = []
    var keyValues: [KeyValue] = []
}

/// A reader for TOML 1.0 documents: comments, `[table]` and `[[array]]` headers with bare, quoted and dotted keys,
/// basic and literal strings (single- and multi-line) with escapes, integers (decimal, hex, octal, binary), floats,
/// booleans, date-times (kept as text), arrays and inline tables. Redefinitions (a key or table given twice) are
/// errors, as the specification says.
enum TOMLParser {
    /// The document's root table.
    static func parse(_ text: String, file: String? = nil) throws(TOMLError) -> [String: TOMLValue] {
        try parseWithLayout(text, file: file).root
    }

    /// The document's root table and where its statements are in the text (byte offsets into `text.utf8`).
    static func parseWithLayout(_ text: String, file: String? = nil) throws(TOMLError) -> (
        root: [String: TOMLValue], layout: TOMLLayout
    ) {
        var reader = Reader(bytes: Array(text.utf8), file: file)
        try reader.parseDocument()
        return (reader.root.value(), reader.layout)
    }
}

/// A table while the document is read: which keys it has and how it came to exist.
private final class TableNode {
    enum Entry {
        case value(TOMLValue)
        case table(TableNode)
        case tableArray([TableNode])
    }

    var entries: [String: Entry] = [:]
    /// Defined by its own `[header]`.
    var isDefined = false
    /// Created by a dotted key (`a.b = 1` creates `a`); a header may not define it later.
    var isMadeByDottedKey = false
    /// An inline table: complete as written, nothing may add to it.
    var isFrozen = false

    func value() -> [String: TOMLValue] {
        entries.mapValues { entry in
            switch entry {
            case .value(let value): value
            case .table(let node): .table(node.value())
            case .tableArray(let nodes): .array(nodes.map { .table($0.value()) })
            }
        }
    }
}

private struct Reader {
    let bytes: [UInt8]
    let file: String?
    var position = 0
    let root = TableNode()
    var current: TableNode
    var layout = TOMLLayout()

    init(bytes: [UInt8], file: String?) {
        self.bytes = bytes
        self.file = file
        self.current = root
        // A UTF-8 byte order mark is allowed before the first statement.
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { position = 3 }
    }

    // MARK: Document

    mutating func parseDocument() throws(TOMLError) {
        while position < bytes.count {
            let lineStart = position
            skipWhitespace()
            guard let byte = peek() else { break }
            switch byte {
            case UInt8(ascii: "#"), UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                try finishLine(after: "a comment")
            case UInt8(ascii: "["):
                try parseHeader(lineStart: lineStart)
            default:
                try parseKeyValueStatement(lineStart: lineStart)
            }
        }
    }

    mutating func parseHeader(lineStart: Int) throws(TOMLError) {
        position += 1
        let isArray = peek() == UInt8(ascii: "[")
        if isArray { position += 1 }
        skipWhitespace()
        let (path, spans) = try parseKey()
        skipWhitespace()
        try expect("]", "a table header ends with ]")
        if isArray { try expect("]", "an array-of-tables header ends with ]]") }
        let headerText = "[" + (isArray ? "[" : "") + path.joined(separator: ".") + (isArray ? "]]" : "]")
        try finishLine(after: "the table header \(headerText)")
        try openTable(path: path, isArray: isArray, at: lineStart)
        layout.headers.append(
            TOMLLayout.Header(path: path, isArray: isArray, keySpans: spans, line: lineStart..<position))
    }

    mutating func openTable(path: [String], isArray: Bool, at offset: Int) throws(TOMLError) {
        var node = root
        for (index, segment) in path.dropLast().enumerated() {
            node = try descend(into: node, segment, path: Array(path[...index]), at: offset)
        }
        let name = path[path.count - 1]
        let shown = path.joined(separator: ".")
        if isArray {
            switch node.entries[name] {
            case nil:
                let element = TableNode()
                element.isDefined = true
                node.entries[name] = .tableArray([element])
                current = element
            case .tableArray(var elements):
                let element = TableNode()
                element.isDefined = true
                elements.append(element)
                node.entries[name] = .tableArray(elements)
                current = element
            default:
                throw error("[[\(shown)]] names something already defined as a table or value", at: offset)
            }
            return
        }
        switch node.entries[name] {
        case nil:
            let table = TableNode()
            table.isDefined = true
            node.entries[name] = .table(table)
            current = table
        case .table(let table):
            guard !table.isDefined, !table.isMadeByDottedKey, !table.isFrozen else {
                throw error("the table [\(shown)] is defined more than once", at: offset)
            }
            table.isDefined = true
            current = table
        case .tableArray, .value:
            throw error("[\(shown)] names something already defined as an array or value", at: offset)
        }
    }

    /// The table `segment` inside `node` for a header's leading segments, created when missing.
    func descend(into node: TableNode, _ segment: String, path: [String], at offset: Int) throws(TOMLError)
        -> TableNode
    {
        switch node.entries[segment] {
        case nil:
            let table = TableNode()
            node.entries[segment] = .table(table)
            return table
        case .table(let table):
            guard !table.isFrozen else {
                throw error("\(path.joined(separator: ".")) is an inline table and cannot be extended", at: offset)
            }
            return table
        case .tableArray(let elements):
            // A header below an array of tables extends its last element.
            guard let last = elements.last else { return node }
            return last
        case .value:
            throw error("\(path.joined(separator: ".")) is already a value, not a table", at: offset)
        }
    }

    mutating func parseKeyValueStatement(lineStart: Int) throws(TOMLError) {
        let (key, _) = try parseKey()
        skipWhitespace()
        try expect("=", "expected = after the key \(key.joined(separator: "."))")
        skipWhitespace()
        let valueStart = position
        let value = try parseValue()
        let valueEnd = position
        try insert(value, at: key, into: current, offset: valueStart)
        try finishLine(after: "the value of \(key.joined(separator: "."))")
        layout.keyValues.append(
            TOMLLayout.KeyValue(
                headerIndex: layout.headers.isEmpty ? nil : layout.headers.count - 1, key: key,
                statement: lineStart..<position, value: valueStart..<valueEnd))
    }

    func insert(_ value: TOMLValue, at key: [String], into table: TableNode, offset: Int) throws(TOMLError) {
        var node = table
        for (index, segment) in key.dropLast().enumerated() {
            let shown = key[...index].joined(separator: ".")
            switch node.entries[segment] {
            case nil:
                let child = TableNode()
                child.isMadeByDottedKey = true
                node.entries[segment] = .table(child)
                node = child
            case .table(let child) where !child.isFrozen && (child.isMadeByDottedKey || !child.isDefined):
                child.isMadeByDottedKey = true
                node = child
            default:
                throw error("the dotted key \(key.joined(separator: ".")) extends \(shown), which is already defined", at: offset)
            }
        }
        let name = key[key.count - 1]
        guard node.entries[name] == nil else {
            throw error("the key \(key.joined(separator: ".")) is defined more than once", at: offset)
        }
        if case .table(let members) = value {
            // A table value can only come from `{…}`: record it frozen so no header or dotted key extends it.
            node.entries[name] = .table(Reader.frozenNode(members))
        } else {
            node.entries[name] = .value(value)
        }
    }

    static func frozenNode(_ members: [String: TOMLValue]) -> TableNode {
        let node = TableNode()
        node.isFrozen = true
        node.isDefined = true
        for (key, value) in members {
            if case .table(let inner) = value {
                node.entries[key] = .table(frozenNode(inner))
            } else {
                node.entries[key] = .value(value)
            }
        }
        return node
    }

    // MARK: Keys

    /// A bare, quoted or dotted key, with the byte range of each segment.
    mutating func parseKey() throws(TOMLError) -> ([String], [Range<Int>]) {
        var segments: [String] = []
        var spans: [Range<Int>] = []
        while true {
            skipWhitespace()
            let start = position
            guard let byte = peek() else { throw error("expected a key, found the end of the file") }
            let segment: String
            if byte == UInt8(ascii: "\"") {
                if lookingAt("\"\"\"") { throw error("a key cannot be a multi-line string") }
                segment = try parseBasicString()
            } else if byte == UInt8(ascii: "'") {
                if lookingAt("'''") { throw error("a key cannot be a multi-line string") }
                segment = try parseLiteralString()
            } else {
                while let next = peek(), Reader.isBareKeyByte(next) { position += 1 }
                guard position > start else {
                    throw error("expected a key (letters, digits, _ and - or a quoted string), found \(describe(byte))")
                }
                segment = String(decoding: bytes[start..<position], as: UTF8.self)
            }
            segments.append(segment)
            spans.append(start..<position)
            skipWhitespace()
            guard peek() == UInt8(ascii: ".") else { break }
            position += 1
        }
        return (segments, spans)
    }

    static func isBareKeyByte(_ byte: UInt8) -> Bool {
        (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
    }

    // MARK: Values

    mutating func parseValue() throws(TOMLError) -> TOMLValue {
        guard let byte = peek() else { throw error("expected a value, found the end of the file") }
        switch byte {
        case UInt8(ascii: "\""):
            return .string(lookingAt("\"\"\"") ? try parseMultilineBasicString() : try parseBasicString())
        case UInt8(ascii: "'"):
            return .string(lookingAt("'''") ? try parseMultilineLiteralString() : try parseLiteralString())
        case UInt8(ascii: "t"):
            guard lookingAt("true") else { throw error("expected a value (did you mean true?)") }
            position += 4
            return .boolean(true)
        case UInt8(ascii: "f"):
            guard lookingAt("false") else { throw error("expected a value (did you mean false?)") }
            position += 5
            return .boolean(false)
        case UInt8(ascii: "["):
            return try parseArray()
        case UInt8(ascii: "{"):
            return try parseInlineTable()
        case UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "i"), UInt8(ascii: "n"), 0x30...0x39:
            if looksLikeDateTime() { return parseDateTime() }
            return try parseNumber()
        default:
            throw error("expected a value, found \(describe(byte)) (strings need quotes)")
        }
    }

    func looksLikeDateTime() -> Bool {
        func digit(_ offset: Int) -> Bool {
            guard position + offset < bytes.count else { return false }
            return bytes[position + offset] >= 0x30 && bytes[position + offset] <= 0x39
        }
        func byte(_ offset: Int, _ ascii: Unicode.Scalar) -> Bool {
            position + offset < bytes.count && bytes[position + offset] == UInt8(ascii: ascii)
        }
        let isDate = digit(0) && digit(1) && digit(2) && digit(3) && byte(4, "-")
        let isTime = digit(0) && digit(1) && byte(2, ":")
        return isDate || isTime
    }

    mutating func parseDateTime() -> TOMLValue {
        let start = position
        while let byte = peek() {
            let allowed =
                (byte >= 0x30 && byte <= 0x39) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ":")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "T")
                || byte == UInt8(ascii: "t") || byte == UInt8(ascii: "Z") || byte == UInt8(ascii: "z")
            if allowed {
                position += 1
            } else if byte == UInt8(ascii: " "), position + 3 < bytes.count, bytes[position + 3] == UInt8(ascii: ":"),
                (0x30...0x39).contains(bytes[position + 1])
            {
                // `1979-05-27 07:32:00`: a space may separate the date and the time.
                position += 1
            } else {
                break
            }
        }
        return .dateTime(String(decoding: bytes[start..<position], as: UTF8.self))
    }

    mutating func parseNumber() throws(TOMLError) -> TOMLValue {
        let start = position
        while let byte = peek(), Reader.isBareKeyByte(byte) || byte == UInt8(ascii: "+") || byte == UInt8(ascii: ".") {
            position += 1
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        // The text is not echoed: an unquoted secret (`token = 12ab…`) must not reach an error message.
        let invalid = error("the value is not a valid number (strings need quotes)", at: start)
        var body = Substring(text)
        var negative = false
        if let sign = body.first, sign == "+" || sign == "-" {
            negative = sign == "-"
            body = body.dropFirst()
        }
        if body == "inf" { return .float(negative ? -.infinity : .infinity) }
        if body == "nan" { return .float(.nan) }
        func checkUnderscores(_ digits: Substring) throws(TOMLError) {
            guard !digits.isEmpty, digits.first != "_", digits.last != "_", !digits.contains("__") else {
                throw invalid
            }
        }
        for (prefix, radix) in [("0x", 16), ("0o", 8), ("0b", 2)] where body.hasPrefix(prefix) {
            guard body.count == text.count else { throw invalid }  // no sign on hex, octal, binary
            let digits = body.dropFirst(2)
            try checkUnderscores(digits)
            guard let value = Int64(digits.replacing("_", with: ""), radix: radix) else { throw invalid }
            return .integer(value)
        }
        let isFloat = body.contains(".") || body.contains("e") || body.contains("E")
        if isFloat {
            // Digits on both sides of the point, and before an exponent.
            let parts = body.split(separator: ".", omittingEmptySubsequences: false)
            guard parts.count <= 2 else { throw invalid }
            let integerPart = parts[0].prefix { $0 != "e" && $0 != "E" }
            try checkUnderscores(integerPart)
            guard integerPart.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }),
                integerPart == "0" || !integerPart.hasPrefix("0")
            else { throw invalid }
            if parts.count == 2 {
                guard let first = parts[1].first, first.isASCII, first.isNumber else { throw invalid }
            }
            guard let value = Double(text.replacing("_", with: "")), value.isFinite else { throw invalid }
            return .float(value)
        }
        try checkUnderscores(body)
        guard body.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == "_") }), body == "0" || !body.hasPrefix("0") else {
            throw invalid
        }
        guard let value = Int64(text.replacing("_", with: "")) else {
            throw error("the integer does not fit in 64 bits", at: start)
        }
        return .integer(value)
    }

    mutating func parseArray() throws(TOMLError) -> TOMLValue {
        position += 1
        var elements: [TOMLValue] = []
        while true {
            try skipWhitespaceCommentsAndNewlines()
            guard let byte = peek() else { throw error("the array is not closed with ]") }
            if byte == UInt8(ascii: "]") {
                position += 1
                return .array(elements)
            }
            elements.append(try parseValue())
            try skipWhitespaceCommentsAndNewlines()
            guard let next = peek() else { throw error("the array is not closed with ]") }
            if next == UInt8(ascii: ",") {
                position += 1
            } else if next != UInt8(ascii: "]") {
                throw error("expected , or ] in the array, found \(describe(next))")
            }
        }
    }

    mutating func parseInlineTable() throws(TOMLError) -> TOMLValue {
        position += 1
        let table = TableNode()
        skipWhitespace()
        if peek() == UInt8(ascii: "}") {
            position += 1
            return .table([:])
        }
        while true {
            skipWhitespace()
            if peek() == UInt8(ascii: "\n") || peek() == UInt8(ascii: "\r") {
                throw error("an inline table must fit on one line; use a [table] for more keys")
            }
            let keyStart = position
            let (key, _) = try parseKey()
            skipWhitespace()
            try expect("=", "expected = after the key \(key.joined(separator: ".")) in the inline table")
            skipWhitespace()
            let value = try parseValue()
            try insert(value, at: key, into: table, offset: keyStart)
            skipWhitespace()
            guard let byte = peek() else { throw error("the inline table is not closed with }") }
            if byte == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard byte == UInt8(ascii: "}") else {
                throw error("expected , or } in the inline table (inline tables fit on one line), found \(describe(byte))")
            }
            position += 1
            return .table(table.value())
        }
    }

    // MARK: Strings

    mutating func parseBasicString() throws(TOMLError) -> String {
        let start = position
        position += 1
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("the string is not closed with \"", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return try decode(output, at: start)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &output)
            case UInt8(ascii: "\n"), UInt8(ascii: "\r"):
                throw error("the string is not closed on its line (use \"\"\" for a multi-line string)", at: start)
            default:
                try checkControl(byte)
                output.append(byte)
                position += 1
            }
        }
    }

    mutating func parseMultilineBasicString() throws(TOMLError) -> String {
        let start = position
        position += 3
        skipNewlineAfterOpeningDelimiter()
        var output: [UInt8] = []
        while true {
            guard let byte = peek() else { throw error("the multi-line string is not closed with \"\"\"", at: start) }
            if byte == UInt8(ascii: "\""), lookingAt("\"\"\"") {
                var quotes = 0
                while peek() == UInt8(ascii: "\""), quotes < 5 {
                    quotes += 1
                    position += 1
                }
                output.append(contentsOf: repeatElement(UInt8(ascii: "\""), count: quotes - 3))
                return try decode(output, at: start)
            }
            if byte == UInt8(ascii: "\\") {
                // A backslash at the end of a line removes the newline and the whitespace that follows it.
                var probe = position + 1
                while probe < bytes.count, bytes[probe] == UInt8(ascii: " ") || bytes[probe] == UInt8(ascii: "\t") {
                    probe += 1
                }
                if probe < bytes.count, bytes[probe] == UInt8(ascii: "\n") || bytes[probe] == UInt8(ascii: "\r") {
                    position = probe
                    while let next = peek(),
                        next == UInt8(ascii: " ") || next == UInt8(ascii: "\t") || next == UInt8(ascii: "\n")
                            || next == UInt8(ascii: "\r")
                    {
                        position += 1
                    }
                    continue
                }
                try parseEscape(into: &output)
                continue
            }
            if byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") { try checkControl(byte) }
            output.append(byte)
            position += 1
        }
    }

    mutating func parseLiteralString() throws(TOMLError) -> String {
        let start = position
        position += 1
        let contentStart = position
        while true {
            guard let byte = peek() else { throw error("the string is not closed with '", at: start) }
            if byte == UInt8(ascii: "'") {
                let content = Array(bytes[contentStart..<position])
                position += 1
                return try decode(content, at: start)
            }
            if byte == UInt8(ascii: "\n") || byte == UInt8(ascii: "\r") {
                throw error("the string is not closed on its line (use ''' for a multi-line string)", at: start)
            }
            try checkControl(byte)
            position += 1
        }
    }

    mutating func parseMultilineLiteralString() throws(TOMLError) -> String {
        let start = position
        position += 3
        skipNewlineAfterOpeningDelimiter()
        let contentStart = position
        while true {
            guard let byte = peek() else { throw error("the multi-line string is not closed with '''", at: start) }
            if byte == UInt8(ascii: "'"), lookingAt("'''") {
                var quotes = 0
                let contentEnd = position
                while peek() == UInt8(ascii: "'"), quotes < 5 {
                    quotes += 1
                    position += 1
                }
                let content = Array(bytes[contentStart..<contentEnd]) + repeatElement(UInt8(ascii: "'"), count: quotes - 3)
                return try decode(content, at: start)
            }
            if byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") { try checkControl(byte) }
            position += 1
        }
    }

    mutating func skipNewlineAfterOpeningDelimiter() {
        if lookingAt("\r\n") {
            position += 2
        } else if peek() == UInt8(ascii: "\n") {
            position += 1
        }
    }

    mutating func parseEscape(into output: inout [UInt8]) throws(TOMLError) {
        let start = position
        position += 1
        guard let byte = peek() else { throw error("the escape sequence is cut off", at: start) }
        position += 1
        let simple: [UInt8: UInt8] = [
            UInt8(ascii: "b"): 0x08, UInt8(ascii: "t"): 0x09, UInt8(ascii: "n"): 0x0A, UInt8(ascii: "f"): 0x0C,
            UInt8(ascii: "r"): 0x0D, UInt8(ascii: "\""): 0x22, UInt8(ascii: "\\"): 0x5C, UInt8(ascii: "e"): 0x1B,
        ]
        if let replacement = simple[byte] {
            output.append(replacement)
            return
        }
        let length: Int
        switch byte {
        case UInt8(ascii: "u"): length = 4
        case UInt8(ascii: "U"): length = 8
        default: throw error("\\\(describe(byte, quoted: false)) is not a valid escape sequence", at: start)
        }
        guard position + length <= bytes.count,
            let code = UInt32(String(decoding: bytes[position..<position + length], as: UTF8.self), radix: 16),
            let scalar = Unicode.Scalar(code)
        else { throw error("the escape sequence is not a valid Unicode scalar value", at: start) }
        position += length
        output.append(contentsOf: Array(String(Character(scalar)).utf8))
    }

    func checkControl(_ byte: UInt8) throws(TOMLError) {
        if (byte < 0x20 && byte != 0x09) || byte == 0x7F {
            throw error("control characters must be escaped in strings")
        }
    }

    func decode(_ content: [UInt8], at start: Int) throws(TOMLError) -> String {
        guard let text = String(validating: content, as: UTF8.self) else {
            throw error("the string is not valid UTF-8", at: start)
        }
        return text
    }

    // MARK: Whitespace, comments, lines

    func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

    func lookingAt(_ text: String) -> Bool {
        let pattern = Array(text.utf8)
        guard position + pattern.count <= bytes.count else { return false }
        return bytes[position..<position + pattern.count].elementsEqual(pattern)
    }

    mutating func skipWhitespace() {
        while let byte = peek(), byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") { position += 1 }
    }

    mutating func skipComment() throws(TOMLError) {
        guard peek() == UInt8(ascii: "#") else { return }
        while let byte = peek(), byte != UInt8(ascii: "\n"), byte != UInt8(ascii: "\r") {
            if byte < 0x20, byte != 0x09 { throw error("control characters are not allowed in comments") }
            position += 1
        }
    }

    /// Skips trailing whitespace and a comment, then requires the end of the line (or of the file).
    mutating func finishLine(after what: String) throws(TOMLError) {
        skipWhitespace()
        try skipComment()
        guard let byte = peek() else { return }
        if byte == UInt8(ascii: "\n") {
            position += 1
        } else if lookingAt("\r\n") {
            position += 2
        } else {
            throw error("expected the end of the line after \(what), found \(describe(byte))")
        }
    }

    mutating func skipWhitespaceCommentsAndNewlines() throws(TOMLError) {
        while true {
            skipWhitespace()
            try skipComment()
            if peek() == UInt8(ascii: "\n") {
                position += 1
            } else if lookingAt("\r\n") {
                position += 2
            } else {
                return
            }
        }
    }

    mutating func expect(_ character: Unicode.Scalar, _ message: String) throws(TOMLError) {
        guard peek() == UInt8(ascii: character) else {
            throw error(message + (peek().map { ", found \(describe($0))" } ?? ", found the end of the file"))
        }
        position += 1
    }

    // MARK: Errors

    func describe(_ byte: UInt8, quoted: Bool = true) -> String {
        switch byte {
        case UInt8(ascii: "\n"), UInt8(ascii: "\r"): return "the end of the line"
        case 0x20..<0x7F:
            let character = String(UnicodeScalar(byte))
            return quoted ? "'\(character)'" : character
        default: return "a byte 0x\(String(byte, radix: 16))"
        }
    }

    func error(_ reason: String, at offset: Int? = nil) -> TOMLError {
        let offset = min(offset ?? position, bytes.count)
        var line = 1
        var lineStart = 0
        for index in 0..<offset where bytes[index] == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        // Columns count characters: skip UTF-8 continuation bytes.
        let column = bytes[lineStart..<offset].filter { $0 & 0xC0 != 0x80 }.count + 1
        return TOMLError(file: file, line: line, column: column, reason: reason)
    }
}
