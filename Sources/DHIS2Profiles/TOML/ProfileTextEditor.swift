/// Edits the text of a `profiles.toml` in place: adds, renames and removes `[profiles.<name>]` tables and sets
/// `default`, changing only the lines involved. Comments, blank lines, key order, quoting and tables it does not know
/// stay byte for byte as the user wrote them.
///
/// Each edit re-reads the text it produced and checks the result, so an edit never leaves a file that does not parse
/// or does not say what was asked.
struct ProfileTextEditor {
    private(set) var text: String
    let file: String?

    init(text: String, file: String?) {
        self.text = text
        self.file = file
    }

    /// Appends a `[profiles.<name>]` table with `fields` (in the order given) at the end of the text.
    mutating func addProfile(_ name: String, fields: [(key: String, value: TOMLValue)]) throws(ProfileError) {
        let (root, _) = try parse(text)
        if root["profiles"]?.tableValue?[name] != nil {
            throw ProfileError(.alreadyExists, "A profile named \(name) already exists in \(place).", file: file)
        }
        var addition = ""
        if !text.isEmpty {
            if !text.hasSuffix("\n") { addition += "\n" }
            if !text.hasSuffix("\n\n") { addition += "\n" }
        }
        addition += "[profiles.\(ProfileTextEditor.key(name))]\n"
        for (key, value) in fields { addition += "\(ProfileTextEditor.key(key)) = \(ProfileTextEditor.literal(value))\n" }
        let edited = text + addition
        try verify(edited) { root in root["profiles"]?.tableValue?[name] != nil }
        text = edited
    }

    /// Removes the `[profiles.<name>]` table and its sub-tables, and `default` when it names the profile.
    mutating func removeProfile(_ name: String) throws(ProfileError) {
        let (root, layout) = try parse(text)
        guard root["profiles"]?.tableValue?[name] != nil else {
            throw ProfileError(.notFound, "\(place) has no profile named \(name).", file: file)
        }
        var bytes = Array(text.utf8)
        let ranges = blocks(of: name, in: layout)
        guard !ranges.isEmpty else { throw notEditable(name) }
        var removals = ranges
        if root["default"]?.stringValue == name, let statement = defaultStatement(in: layout) {
            removals.append(statement.statement)
        }
        for range in removals.sorted(by: { $0.lowerBound > $1.lowerBound }) {
            var lower = range.lowerBound
            // Take one blank line before a removed table along, so removals do not pile up blank lines.
            if lower >= 1, let previousLine = lineRange(endingAt: lower, in: bytes),
                bytes[previousLine].allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }), previousLine.count > 0
            {
                lower = previousLine.lowerBound
            }
            bytes.removeSubrange(lower..<range.upperBound)
        }
        let edited = String(decoding: bytes, as: UTF8.self)
        try verify(edited) { root in
            root["profiles"]?.tableValue?[name] == nil && root["default"]?.stringValue != name
        }
        text = edited
    }

    /// Renames the `[profiles.<old>]` table (and its sub-tables) to `new`, and `default` when it names `old`.
    mutating func renameProfile(_ old: String, to new: String) throws(ProfileError) {
        let (root, layout) = try parse(text)
        guard let profiles = root["profiles"]?.tableValue, profiles[old] != nil else {
            throw ProfileError(.notFound, "\(place) has no profile named \(old).", file: file)
        }
        guard profiles[new] == nil else {
            throw ProfileError(.alreadyExists, "A profile named \(new) already exists in \(place).", file: file)
        }
        var replacements: [(Range<Int>, String)] = []
        for header in layout.headers where header.path.count >= 2 && header.path[0] == "profiles" && header.path[1] == old {
            replacements.append((header.keySpans[1], ProfileTextEditor.key(new)))
        }
        guard !replacements.isEmpty else { throw notEditable(old) }
        if root["default"]?.stringValue == old, let statement = defaultStatement(in: layout) {
            replacements.append((statement.value, ProfileTextEditor.literal(.string(new))))
        }
        var bytes = Array(text.utf8)
        for (range, replacement) in replacements.sorted(by: { $0.0.lowerBound > $1.0.lowerBound }) {
            bytes.replaceSubrange(range, with: Array(replacement.utf8))
        }
        let edited = String(decoding: bytes, as: UTF8.self)
        try verify(edited) { root in
            let profiles = root["profiles"]?.tableValue
            return profiles?[old] == nil && profiles?[new] != nil
        }
        text = edited
    }

    /// Sets `default = "<name>"`, or removes the `default` line for `nil`.
    mutating func setDefault(_ name: String?) throws(ProfileError) {
        let (_, layout) = try parse(text)
        var bytes = Array(text.utf8)
        if let statement = defaultStatement(in: layout) {
            if let name {
                bytes.replaceSubrange(statement.value, with: Array(ProfileTextEditor.literal(.string(name)).utf8))
            } else {
                bytes.removeSubrange(statement.statement)
            }
        } else if let name {
            let line = Array("default = \(ProfileTextEditor.literal(.string(name)))\n".utf8)
            let rootStatements = layout.keyValues.filter { $0.headerIndex == nil }
            if let last = rootStatements.last {
                var insertion = last.statement.upperBound
                if insertion == bytes.count, bytes.last != 0x0A {
                    bytes.append(0x0A)
                    insertion += 1
                }
                bytes.insert(contentsOf: line, at: insertion)
            } else {
                let insertion = leadingCommentBlockEnd(in: bytes, layout: layout)
                let separator: [UInt8] = layout.headers.isEmpty ? [] : [0x0A]
                bytes.insert(contentsOf: line + separator, at: insertion)
            }
        }
        let edited = String(decoding: bytes, as: UTF8.self)
        try verify(edited) { root in root["default"]?.stringValue == name }
        text = edited
    }

    // MARK: Positions

    private var place: String { file ?? "the profiles text" }

    private func parse(_ text: String) throws(ProfileError) -> ([String: TOMLValue], TOMLLayout) {
        do {
            return try TOMLParser.parseWithLayout(text, file: file)
        } catch {
            throw ProfileError(
                .malformedFile, "The profiles file is not valid TOML: \(error.description). Fix the file, then retry.",
                file: file, line: error.line)
        }
    }

    private func verify(_ edited: String, _ check: ([String: TOMLValue]) -> Bool) throws(ProfileError) {
        let root: [String: TOMLValue]
        do {
            root = try TOMLParser.parse(edited, file: file)
        } catch {
            throw ProfileError(
                .notEditable,
                "Editing \(place) would leave it invalid (\(error.reason)); the file is unchanged. Edit it by hand.",
                file: file)
        }
        guard check(root) else {
            throw ProfileError(
                .notEditable,
                "\(place) defines its profiles in a form this editor does not change (for example inline tables or "
                    + "dotted keys); the file is unchanged. Edit it by hand.",
                file: file)
        }
    }

    private func notEditable(_ name: String) -> ProfileError {
        ProfileError(
            .notEditable,
            "The profile \(name) in \(place) is not written as a [profiles.\(name)] table, so it cannot be changed "
                + "automatically; the file is unchanged. Edit it by hand.",
            file: file)
    }

    private func defaultStatement(in layout: TOMLLayout) -> TOMLLayout.KeyValue? {
        layout.keyValues.first { $0.headerIndex == nil && $0.key == ["default"] }
    }

    /// The byte ranges of the profile's table and sub-tables: each from its header line to the end of its last
    /// statement. Comment lines after the last statement stay (they may belong to what follows).
    private func blocks(of name: String, in layout: TOMLLayout) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        for (index, header) in layout.headers.enumerated()
        where header.path.count >= 2 && header.path[0] == "profiles" && header.path[1] == name {
            let statements = layout.keyValues.filter { $0.headerIndex == index }
            let end = statements.last?.statement.upperBound ?? header.line.upperBound
            ranges.append(header.line.lowerBound..<end)
        }
        return ranges
    }

    /// The range of the line that ends (newline included) at `offset`.
    private func lineRange(endingAt offset: Int, in bytes: [UInt8]) -> Range<Int>? {
        guard offset > 0, bytes[offset - 1] == 0x0A else { return nil }
        var start = offset - 1
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        return start..<offset
    }

    /// Where a `default` line goes in a file without root keys: after a leading comment block that a blank line
    /// separates from what follows, else at the very start.
    private func leadingCommentBlockEnd(in bytes: [UInt8], layout: TOMLLayout) -> Int {
        let limit = layout.headers.first?.line.lowerBound ?? bytes.count
        var offset = 0
        var sawComment = false
        while offset < limit {
            var end = offset
            while end < bytes.count, bytes[end] != 0x0A { end += 1 }
            let lineEnd = min(end + 1, bytes.count)
            let content = bytes[offset..<end].drop { $0 == 0x20 || $0 == 0x09 }
            if content.first == UInt8(ascii: "#") {
                sawComment = true
            } else if content.allSatisfy({ $0 == 0x0D }) {
                return sawComment ? lineEnd : 0
            } else {
                return 0
            }
            offset = lineEnd
        }
        return 0
    }

    // MARK: Writing values

    /// `name` as a TOML key: bare when it can be, quoted otherwise.
    static func key(_ name: String) -> String {
        let isBare = !name.isEmpty && name.utf8.allSatisfy { byte in
            (0x30...0x39).contains(byte) || (0x41...0x5A).contains(byte) || (0x61...0x7A).contains(byte)
                || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        return isBare ? name : literal(.string(name))
    }

    /// `value` written as TOML.
    static func literal(_ value: TOMLValue) -> String {
        switch value {
        case .string(let string):
            var output = "\""
            for scalar in string.unicodeScalars {
                switch scalar {
                case "\"": output += "\\\""
                case "\\": output += "\\\\"
                case "\n": output += "\\n"
                case "\t": output += "\\t"
                case "\r": output += "\\r"
                default:
                    if scalar.value < 0x20 || scalar.value == 0x7F {
                        let hex = String(scalar.value, radix: 16, uppercase: true)
                        output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                    } else {
                        output.unicodeScalars.append(scalar)
                    }
                }
            }
            return output + "\""
        case .integer(let integer): return String(integer)
        case .float(let float):
            if float.isNaN { return "nan" }
            if float.isInfinite { return float < 0 ? "-inf" : "inf" }
            return "\(float)"
        case .boolean(let flag): return flag ? "true" : "false"
        case .dateTime(let text): return text
        case .array(let elements): return "[" + elements.map(literal).joined(separator: ", ") + "]"
        case .table(let members):
            let inner = members.keys.sorted().map { "\(key($0)) = \(literal(members[$0] ?? .table([:])))" }
            return inner.isEmpty ? "{}" : "{ " + inner.joined(separator: ", ") + " }"
        }
    }
}
