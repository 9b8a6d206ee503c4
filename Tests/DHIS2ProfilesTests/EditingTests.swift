import DHIS2
import Foundation
import Testing

@testable import DHIS2Profiles

/// A user's file: comments everywhere, odd quoting and spacing, key order of their own, and tables we do not know.
private let userFile = """
    # My DHIS2 servers
    default = "play"   # the demo

    [tool.other]   # someone else's table
    keep = 'me'

    # production, careful
    [profiles.play]
    base_url   = "https://play.dhis2.org"   # demo server
    auth = 'basic'
    username = "admin"
    password = "district"

    [profiles.prod]
    auth = "pat"
    base_url = 'https://prod.example.org'
    token = "d2p_prodtoken"
    # trailing note about prod

    [other]
    list = [1, 2]

    """

@Suite("Editing profiles.toml")
struct EditingTests {
    @Test("add appends a table and keeps every byte of the user's text")
    func add() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(userFile, to: sandbox.globalFile)
            let profiles = sandbox.profiles()
            let profile = Profile(
                name: "staging", baseURL: "https://staging.example.org", auth: .pat(token: "d2p_staging"),
                version: .v43, timeout: .seconds(20))
            try profiles.add(profile, scope: .global)
            let text = try sandbox.read(sandbox.globalFile)
            #expect(text.hasPrefix(userFile))
            #expect(
                text.dropFirst(userFile.count)
                    == """

                    [profiles.staging]
                    base_url = "https://staging.example.org"
                    auth = "pat"
                    token = "d2p_staging"
                    version = "v43"
                    timeout = 20

                    """)
            let read = try profiles.resolve("staging").profile
            #expect(read == profile)
            let duplicate = try #require(throws: ProfileError.self) { try profiles.add(profile, scope: .global) }
            #expect(duplicate.code == .alreadyExists)
        }
    }

    @Test("add --default sets default in place, keeping its comment")
    func addAsDefault() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(userFile, to: sandbox.globalFile)
            try sandbox.profiles().add(
                Profile(name: "local", baseURL: "http://localhost:8080", auth: .basic(username: "a", password: "b")),
                makeDefault: true)
            let text = try sandbox.read(sandbox.globalFile)
            #expect(text.contains("default = \"local\"   # the demo\n"))
            #expect(try sandbox.profiles().resolve().profile.name == "local")
        }
    }

    @Test("rename changes only the header and the default that names the profile")
    func rename() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(userFile, to: sandbox.globalFile)
            try sandbox.profiles().rename("play", to: "demo")
            let expected =
                userFile
                .replacingOccurrences(of: "[profiles.play]", with: "[profiles.demo]")
                .replacingOccurrences(of: "default = \"play\"", with: "default = \"demo\"")
            #expect(try sandbox.read(sandbox.globalFile) == expected)
            #expect(try sandbox.profiles().resolve().profile.name == "demo")
        }
    }

    @Test("remove takes out exactly the profile's table and the default that named it")
    func remove() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(userFile, to: sandbox.globalFile)
            try sandbox.profiles().remove("prod")
            let withoutProd = userFile.replacingOccurrences(
                of: """

                    [profiles.prod]
                    auth = "pat"
                    base_url = 'https://prod.example.org'
                    token = "d2p_prodtoken"

                    """, with: "")
            #expect(try sandbox.read(sandbox.globalFile) == withoutProd)

            try sandbox.profiles().remove("play")
            let text = try sandbox.read(sandbox.globalFile)
            #expect(!text.contains("default ="))
            #expect(!text.contains("[profiles.play]"))
            for kept in [
                "# My DHIS2 servers", "[tool.other]   # someone else's table", "keep = 'me'", "# production, careful",
                "# trailing note about prod", "[other]", "list = [1, 2]",
            ] {
                #expect(text.contains(kept))
            }
            #expect(try sandbox.profiles().list().isEmpty)
        }
    }

    @Test("set-default adds a default line to a file without one, then replaces it")
    func setDefault() async throws {
        try await withSandbox { sandbox in
            let original = "# servers\n\n[profiles.a]\nbase_url = \"https://a.org\"\nauth = \"pat\"\ntoken = \"t\"\n"
            try sandbox.write(original, to: sandbox.projectFile)
            let profiles = sandbox.profiles()
            try profiles.setDefault("a")
            #expect(try sandbox.read(sandbox.projectFile) == "# servers\n\ndefault = \"a\"\n\n" + original.dropFirst(11))
            #expect(try profiles.resolve().source == .projectDefault)
            #expect(throws: ProfileError.self) { try profiles.setDefault("missing") }
        }
    }

    @Test("a new file and an edited file both have mode 0600; a new global directory has mode 0700")
    func modes() async throws {
        try await withSandbox { sandbox in
            let profiles = sandbox.profiles()
            try profiles.add(Profile(name: "one", baseURL: "https://a.org", auth: .pat(token: "t")))
            #expect(try permissions(of: sandbox.globalFile) == 0o600)
            #expect(try permissions(of: URL(fileURLWithPath: sandbox.globalFile).deletingLastPathComponent().path) == 0o700)

            try sandbox.write(userFile, to: sandbox.projectFile)
            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: sandbox.projectFile)
            try profiles.rename("prod", to: "production")
            #expect(try permissions(of: sandbox.projectFile) == 0o600)
        }
    }

    @Test("an interrupted write leaves the previous file intact and no temporary file behind")
    func interruptedWrite() async throws {
        try await withSandbox { sandbox in
            struct Interrupted: Error {}
            try sandbox.write(userFile, to: sandbox.globalFile)
            #expect(throws: ProfileError.self) {
                try AtomicFile.write("garbage", to: sandbox.globalFile, beforeRename: { throw Interrupted() })
            }
            #expect(try sandbox.read(sandbox.globalFile) == userFile)
            let directory = URL(fileURLWithPath: sandbox.globalFile).deletingLastPathComponent().path
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["profiles.toml"])
        }
    }

    @Test("names are checked on add and rename; a file with inline-table profiles is not rewritten")
    func refusals() async throws {
        try await withSandbox { sandbox in
            let profiles = sandbox.profiles()
            let bad = try #require(throws: ProfileError.self) {
                try profiles.add(Profile(name: "bad-name", baseURL: "https://a.org", auth: .pat(token: "t")))
            }
            #expect(bad.code == .invalidName)
            #expect(throws: ProfileError.self) {
                try profiles.add(Profile(name: "ftp", baseURL: "ftp://a.org", auth: .pat(token: "t")))
            }
            let inline = "[profiles]\nlegacy = { base_url = \"https://a.org\", auth = \"pat\", token = \"t\" }\n"
            try sandbox.write(inline, to: sandbox.globalFile)
            #expect(try profiles.resolve("legacy").profile.baseURL == "https://a.org")
            let error = try #require(throws: ProfileError.self) { try profiles.rename("legacy", to: "modern") }
            #expect(error.code == .notEditable)
            #expect(try sandbox.read(sandbox.globalFile) == inline)
            #expect(throws: ProfileError.self) { try profiles.rename("legacy", to: "9lives") }
        }
    }

    @Test("project scope creates .dhis2/profiles.toml in the working directory when no project file exists")
    func projectScope() async throws {
        try await withSandbox { sandbox in
            let profiles = sandbox.profiles()
            let path = try profiles.add(
                Profile(name: "here", baseURL: "https://a.org", auth: .pat(token: "t")), scope: .project)
            #expect(path == sandbox.workingDirectory.appendingPathComponent(".dhis2/profiles.toml").path)
            #expect(try profiles.resolve("here").scope == .project)
        }
    }
}
