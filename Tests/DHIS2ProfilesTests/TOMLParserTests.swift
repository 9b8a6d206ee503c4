import Testing

@testable import DHIS2Profiles

@Suite("Reading TOML")
struct TOMLParserTests {
    @Test("a document with every supported construct reads as the specification says")
    func everything() throws {
        let text = #"""
            # a comment
            title = "TOML \"example\"\tline\u00E9"   # trailing comment
            literal = 'C:\Users\nodejs'
            multi = """
            Roses are red \
                Violets are blue"""
            raw = '''
            first line
            second 'quoted' line'''
            "quoted key" = 1
            dotted.inner.key = true
            hex = 0xDEAD_BEEF
            oct = 0o755
            bin = 0b1101
            big = 1_000_000
            negative = -17
            float = 6.626e-34
            pi = 3.1415
            infinite = -inf
            date = 1979-05-27T07:32:00Z
            spaced = 1979-05-27 07:32:00
            array = [ 1, 2,
              3, # comment inside
            ]
            nested = [[1, 2], ["a", 'b']]
            inline = { name = "x", point.x = 1 }

            [profiles.local]
            base_url = "http://localhost:8080"

            [profiles."with space"]
            base_url = 'https://example.org'

            [[servers]]
            name = "alpha"

            [[servers]]
            name = "beta"

            [servers.meta]
            note = "belongs to beta"
            """#
        let root = try TOMLParser.parse(text, file: "doc.toml")
        #expect(root["title"] == .string("TOML \"example\"\tlineé"))
        #expect(root["literal"] == .string(#"C:\Users\nodejs"#))
        #expect(root["multi"] == .string("Roses are red Violets are blue"))
        #expect(root["raw"] == .string("first line\nsecond 'quoted' line"))
        #expect(root["quoted key"] == .integer(1))
        #expect(root["dotted"]?["inner"]?["key"] == .boolean(true))
        #expect(root["hex"] == .integer(0xDEAD_BEEF))
        #expect(root["oct"] == .integer(0o755))
        #expect(root["bin"] == .integer(13))
        #expect(root["big"] == .integer(1_000_000))
        #expect(root["negative"] == .integer(-17))
        #expect(root["float"] == .float(6.626e-34))
        #expect(root["pi"] == .float(3.1415))
        #expect(root["infinite"] == .float(-.infinity))
        #expect(root["date"] == .dateTime("1979-05-27T07:32:00Z"))
        #expect(root["spaced"] == .dateTime("1979-05-27 07:32:00"))
        #expect(root["array"] == .array([.integer(1), .integer(2), .integer(3)]))
        #expect(root["nested"] == .array([.array([.integer(1), .integer(2)]), .array([.string("a"), .string("b")])]))
        #expect(root["inline"] == .table(["name": .string("x"), "point": .table(["x": .integer(1)])]))
        #expect(root["profiles"]?["local"]?["base_url"] == .string("http://localhost:8080"))
        #expect(root["profiles"]?["with space"]?["base_url"] == .string("https://example.org"))
        let servers = try #require(root["servers"]?.arrayValue)
        #expect(servers.count == 2)
        #expect(servers[1]["name"] == .string("beta"))
        #expect(servers[1]["meta"]?["note"] == .string("belongs to beta"))
    }

    @Test("Windows line endings read like Unix ones")
    func crlf() throws {
        let root = try TOMLParser.parse("a = 1\r\n[t]\r\nb = \"x\"\r\n")
        #expect(root["a"] == .integer(1))
        #expect(root["t"]?["b"] == .string("x"))
    }

    @Test(
        "malformed input is an error naming the file, line and column",
        arguments: [
            ("a = 1\nb = \"unterminated\n", 2, "not closed"),
            ("[profiles.x]\nbase_url = http://x\n", 2, "expected a value"),
            ("a = 1\na = 2\n", 2, "more than once"),
            ("[t]\nx = 1\n[t]\n", 3, "more than once"),
            ("a = 1 b = 2\n", 1, "end of the line"),
            ("[profiles.x\n", 1, "]"),
            ("a = [1, 2\n", 2, "not closed"),
            ("a = 012\n", 1, "not a valid number"),
            ("a = \"\\q\"\n", 1, "escape"),
            ("x = { a = 1,\n b = 2 }\n", 1, "one line"),
            ("a.b = 1\n[a]\n", 2, "more than once"),
            ("a = 1\n[a.b]\n", 2, "already a value"),
        ])
    func malformed(text: String, line: Int, fragment: String) {
        #expect {
            try TOMLParser.parse(text, file: "/tmp/profiles.toml")
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            return error.file == "/tmp/profiles.toml" && error.line == line && error.reason.contains(fragment)
                && error.description.hasPrefix("/tmp/profiles.toml:\(line):")
        }
    }
}

@Suite("TOML errors and secrets")
struct TOMLErrorSecretTests {
    @Test("an unquoted value that looks like a number is refused without echoing it")
    func unquotedSecret() {
        let secret = "123secretToken"
        #expect {
            try TOMLParser.parse("[profiles.a]\ntoken = \(secret)\n", file: "f.toml")
        } throws: { error in
            guard let error = error as? TOMLError else { return false }
            return error.line == 2 && !error.description.contains(secret)
        }
    }
}
