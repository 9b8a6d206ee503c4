import DHIS2Core
import Foundation
import Testing

@Suite("ServerVersion")
struct ServerVersionTests {
    struct Parsed: Sendable, CustomTestStringConvertible {
        let text: String
        let major: Int
        let minor: Int
        let patch: Int?
        let hotfix: Int?
        let isSnapshot: Bool
        var testDescription: String { text }
    }

    @Test(
        "Versions as /api/system/info reports them are parsed into their numbers",
        arguments: [
            Parsed(text: "2.42.4", major: 2, minor: 42, patch: 4, hotfix: nil, isSnapshot: false),
            Parsed(text: "2.41.8.1", major: 2, minor: 41, patch: 8, hotfix: 1, isSnapshot: false),
            Parsed(text: "2.44-SNAPSHOT", major: 2, minor: 44, patch: nil, hotfix: nil, isSnapshot: true),
            Parsed(text: "2.42.5-SNAPSHOT", major: 2, minor: 42, patch: 5, hotfix: nil, isSnapshot: true),
            Parsed(text: "2.43", major: 2, minor: 43, patch: nil, hotfix: nil, isSnapshot: false),
            Parsed(text: "2.40.0", major: 2, minor: 40, patch: 0, hotfix: nil, isSnapshot: false),
            Parsed(text: "3.0.1", major: 3, minor: 0, patch: 1, hotfix: nil, isSnapshot: false),
        ])
    func parses(_ expected: Parsed) throws {
        let version = try #require(ServerVersion(expected.text))
        #expect(version.major == expected.major)
        #expect(version.minor == expected.minor)
        #expect(version.patch == expected.patch)
        #expect(version.hotfix == expected.hotfix)
        #expect(version.isSnapshot == expected.isSnapshot)
        #expect(version.rawValue == expected.text)
        #expect(version.description == expected.text)
    }

    @Test("Surrounding whitespace is ignored")
    func trimsWhitespace() throws {
        let version = try #require(ServerVersion("  2.42.4\n"))
        #expect(version.minor == 42)
        #expect(version.patch == 4)
        #expect(version.rawValue == "2.42.4")
    }

    @Test(
        "Strings that are not major.minor[.patch[.hotfix]][-SNAPSHOT] are rejected",
        arguments: [
            "abc", "2", "2.x.1", "2.42-beta", "", "2.", ".42", "2..4", "2.42.", "2.42.4.1.0", "v2.42", "2.42-",
            "2.42.4-SNAPSHOT-1", "2.-42", "2.42 .4", "2.٤٢",
        ])
    func rejects(_ text: String) {
        #expect(ServerVersion(text) == nil)
    }

    @Test("A hotfix sorts after its patch release")
    func hotfixAfterPatch() throws {
        let hotfix = try #require(ServerVersion("2.41.8.1"))
        let patch = try #require(ServerVersion("2.41.8"))
        #expect(hotfix > patch)
        #expect(patch < hotfix)
    }

    @Test("A snapshot sorts before the release of the same numbers and after the previous release")
    func snapshotOrdering() throws {
        let snapshot = try #require(ServerVersion("2.44-SNAPSHOT"))
        let release = try #require(ServerVersion("2.44.0"))
        let previous = try #require(ServerVersion("2.43.9"))
        #expect(snapshot < release)
        #expect(previous < snapshot)
        #expect(snapshot != release)
        let patchSnapshot = try #require(ServerVersion("2.42.5-SNAPSHOT"))
        #expect(try #require(ServerVersion("2.42.4")) < patchSnapshot)
        #expect(patchSnapshot < (try #require(ServerVersion("2.42.5"))))
    }

    @Test("Versions compare by number, not by text (2.9 < 2.10)")
    func numericOrdering() throws {
        let nine = try #require(ServerVersion("2.9"))
        let ten = try #require(ServerVersion("2.10"))
        #expect(nine < ten)
        let texts = ["2.44.0", "2.41.8.1", "2.42.4", "2.9", "2.41.8", "2.44-SNAPSHOT", "2.42.10", "3.0"]
        let sorted = texts.compactMap(ServerVersion.init).sorted().map(\.rawValue)
        #expect(sorted == ["2.9", "2.41.8", "2.41.8.1", "2.42.4", "2.42.10", "2.44-SNAPSHOT", "2.44.0", "3.0"])
    }

    @Test("A missing patch counts as zero: 2.42 equals 2.42.0 and hashes alike")
    func missingPatchIsZero() throws {
        let short = try #require(ServerVersion("2.42"))
        let long = try #require(ServerVersion("2.42.0"))
        #expect(short == long)
        #expect(Set([short, long]).count == 1)
        #expect(!(short < long) && !(long < short))
    }

    @Test(
        "The API generation comes from the minor version, and is nil outside 2.41–2.44",
        arguments: [
            ("2.41.8.1", APIVersion.v41), ("2.42.4", .v42), ("2.43.0", .v43), ("2.44-SNAPSHOT", .v44),
            ("2.40.5", nil), ("2.45.0", nil), ("3.42.0", nil), ("1.42", nil),
        ] as [(String, APIVersion?)])
    func apiVersion(_ text: String, _ expected: APIVersion?) throws {
        #expect(try #require(ServerVersion(text)).apiVersion == expected)
    }
}

@Suite("APIVersion")
struct APIVersionTests {
    @Test("The supported generations are v41 to v44, oldest first, with v44 the newest")
    func supportedGenerations() {
        #expect(APIVersion.supported.map(\.key) == ["v41", "v42", "v43", "v44"])
        #expect(APIVersion.supported.map(\.minor) == [41, 42, 43, 44])
        #expect(APIVersion.newest == .v44)
        #expect(APIVersion.supported == APIVersion.supported.sorted())
        #expect(APIVersion.v42.description == "v42")
    }

    @Test("A generation is found from v42, 42 or 2.42", arguments: ["v42", "42", "2.42", "V42", " v42 "])
    func keyForms(_ key: String) {
        #expect(APIVersion(key: key) == .v42)
    }

    @Test(
        "Keys of unsupported or malformed generations give nil",
        arguments: ["v40", "v45", "40", "2.45", "2.42.1", "x42", "v", "", "vv42", "3.42"])
    func badKeys(_ key: String) {
        #expect(APIVersion(key: key) == nil)
    }

    @Test("Only minor versions 41 to 44 make a generation")
    func minorInit() {
        #expect(APIVersion(minor: 41) == .v41)
        #expect(APIVersion(minor: 44) == .v44)
        #expect(APIVersion(minor: 40) == nil)
        #expect(APIVersion(minor: 45) == nil)
    }

    @Test("A generation encodes as its key and decodes from any accepted spelling")
    func codable() throws {
        let data = try JSONEncoder().encode([APIVersion.v43])
        #expect(String(decoding: data, as: UTF8.self) == #"["v43"]"#)
        let decoded = try JSONDecoder().decode([APIVersion].self, from: Data(#"["v41","42","2.44"]"#.utf8))
        #expect(decoded == [.v41, .v42, .v44])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([APIVersion].self, from: Data(#"["v40"]"#.utf8))
        }
    }

    @Test(
        "A supported server resolves to its own generation, with or without fallback",
        arguments: ["2.41.8.1", "2.42.4", "2.43.1", "2.44-SNAPSHOT", "2.44.0"], [false, true])
    func supportedResolvesToItself(_ text: String, _ fallback: Bool) throws {
        let version = try #require(ServerVersion(text))
        #expect(try APIVersion.resolve(for: version, allowingFallback: fallback).minor == version.minor)
    }

    @Test("A newer server (2.45, 3.0) is spoken to as v44 when fallback is allowed", arguments: ["2.45.0", "2.50", "3.0"])
    func newerServerFallsBack(_ text: String) throws {
        let version = try #require(ServerVersion(text))
        #expect(try APIVersion.resolve(for: version, allowingFallback: true) == .v44)
    }

    @Test("A newer server is refused without fallback, with a message saying how to allow it", arguments: ["2.45.0", "3.0"])
    func newerServerRefusedWithoutFallback(_ text: String) throws {
        let version = try #require(ServerVersion(text))
        let error = try #require(throws: DHIS2Error.self) {
            try APIVersion.resolve(for: version, allowingFallback: false)
        }
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains(text))
        #expect(error.message.contains("2.41–2.44"))
        #expect(error.message.contains("allowsVersionFallback"))
        #expect(error.message.contains("v44"))
    }

    @Test(
        "A server older than 2.41 is refused even with fallback, and the message names the minimum",
        arguments: ["2.40.3", "2.39", "1.50"], [false, true])
    func olderServerRefused(_ text: String, _ fallback: Bool) throws {
        let version = try #require(ServerVersion(text))
        let error = try #require(throws: DHIS2Error.self) {
            try APIVersion.resolve(for: version, allowingFallback: fallback)
        }
        #expect(error.code == .unsupportedVersion)
        #expect(error.message.contains(text))
        #expect(error.message.contains("2.41 or newer"))
        #expect(!error.message.contains("allowsVersionFallback"))
    }
}
