import DHIS2
import Foundation
import Testing

@testable import DHIS2Profiles

@Suite("Reading profiles.toml")
struct ProfileFileTests {
    @Test("each auth kind reads its fields, with the optional version, TLS switch and timeouts")
    func kinds() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(
                """
                [profiles.basic_one]
                base_url = "https://a.example.org"
                auth = "basic"
                username = "admin"
                password = "district"
                version = "v42"
                verify_tls = false
                timeout = 30
                connect_timeout = 2.5

                [profiles.pat_one]
                base_url = "https://b.example.org"
                auth = "pat"
                token = "d2p_abc"

                [profiles.oauth_one]
                base_url = "https://c.example.org"
                auth = "oauth2"
                client_id = "cli"
                client_secret = "s3cret"
                scope = "openid email"
                redirect_uri = "http://127.0.0.1:8765/callback"
                """, to: sandbox.globalFile)
            let profiles = sandbox.profiles()
            let basic = try profiles.resolve("basic_one").profile
            #expect(basic.auth == .basic(username: "admin", password: "district"))
            #expect(basic.version == .v42)
            #expect(basic.verifiesTLS == false)
            #expect(basic.timeout == .seconds(30))
            #expect(basic.connectTimeout == .milliseconds(2500))
            let pat = try profiles.resolve("pat_one").profile
            #expect(pat.auth == .pat(token: "d2p_abc"))
            #expect(pat.verifiesTLS)
            #expect(pat.version == nil)
            let oauth = try profiles.resolve("oauth_one").profile
            #expect(
                oauth.auth
                    == .oauth2(
                        OAuth2Settings(
                            clientID: "cli", clientSecret: "s3cret", scope: "openid email",
                            redirectURI: "http://127.0.0.1:8765/callback")))
        }
    }

    @Test(
        "a table missing a field its kind needs is refused, naming the profile, the field, the file and the line",
        arguments: [
            ("auth = \"basic\"\nusername = \"u\"", "password"),
            ("auth = \"basic\"\npassword = \"p\"", "username"),
            ("auth = \"pat\"", "token"),
            ("auth = \"oauth2\"\nclient_secret = \"s\"", "client_id"),
            ("auth = \"pat\"\ntoken = 42", "token of type integer"),
        ])
    func missingField(body: String, field: String) async throws {
        try await withSandbox { sandbox in
            try sandbox.write(
                "# header\n\n[profiles.broken]\nbase_url = \"https://x.example.org\"\n\(body)\n", to: sandbox.globalFile)
            let error = try #require(throws: ProfileError.self) { try sandbox.profiles().resolve("broken") }
            #expect(error.code == .invalidProfile)
            #expect(error.message.contains("broken"))
            #expect(error.message.contains(field))
            #expect(error.message.contains(sandbox.globalFile))
            #expect(error.line == 3)
        }
    }

    @Test("a profile without base_url is refused")
    func missingBaseURL() async throws {
        try await withSandbox { sandbox in
            try sandbox.write("[profiles.nourl]\nauth = \"pat\"\ntoken = \"t\"\n", to: sandbox.globalFile)
            let error = try #require(throws: ProfileError.self) { try sandbox.profiles().resolve("nourl") }
            #expect(error.message.contains("base_url"))
        }
    }

    @Test("an unknown auth kind is listed with its problem and refused when used")
    func unsupportedKind() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(
                "[profiles.sess]\nbase_url = \"http://127.0.0.1:9\"\nauth = \"session\"\n", to: sandbox.globalFile)
            let profiles = sandbox.profiles()
            let listed = try #require(try profiles.list().first)
            #expect(listed.name == "sess")
            #expect(listed.authKind == "session")
            #expect(listed.problem?.contains("not supported") == true)
            #expect(try profiles.resolve("sess").profile.auth == .unsupported(kind: "session"))
            await #expect {
                _ = try await profiles.open("sess")
            } throws: { error in
                (error as? ProfileError)?.code == .unsupportedAuth
            }
        }
    }

    @Test("malformed TOML is reported with the file and the line")
    func malformed() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(
                "default = \"a\"\n\n[profiles.a]\nbase_url = \"https://x.example.org\nauth = \"pat\"\n",
                to: sandbox.projectFile)
            let error = try #require(throws: ProfileError.self) { try sandbox.profiles().resolve() }
            #expect(error.code == .malformedFile)
            #expect(error.file == sandbox.projectFile)
            #expect(error.line == 4)
            #expect(error.message.contains("\(sandbox.projectFile):4:"))
        }
    }

    @Test("profile names must start with a letter and use letters, digits and _ (at most 64)")
    func names() {
        #expect(Profile.isValidName("local"))
        #expect(Profile.isValidName("Prod_2"))
        #expect(Profile.isValidName("a" + String(repeating: "b", count: 63)))
        #expect(!Profile.isValidName("a" + String(repeating: "b", count: 64)))
        #expect(!Profile.isValidName("2fast"))
        #expect(!Profile.isValidName("_x"))
        #expect(!Profile.isValidName("with-dash"))
        #expect(!Profile.isValidName(""))
        #expect(!Profile.isValidName("naïve"))
    }

    @Test("a profile's description, debug description and dump never show its secrets")
    func secretsHidden() {
        let secrets = ["pa55-word-xyz", "d2p_tokentokentoken", "client-s3cret-value"]
        let profiles = [
            Profile(name: "a", baseURL: "https://x.org", auth: .basic(username: "admin", password: secrets[0])),
            Profile(name: "b", baseURL: "https://x.org", auth: .pat(token: secrets[1])),
            Profile(
                name: "c", baseURL: "https://x.org",
                auth: .oauth2(OAuth2Settings(clientID: "cli", clientSecret: secrets[2]))),
        ]
        for profile in profiles {
            var dumped = ""
            dump(profile, to: &dumped)
            let shown = [profile.description, profile.debugDescription, "\(profile)", dumped, String(reflecting: profile)]
            for text in shown {
                for secret in secrets { #expect(!text.contains(secret)) }
            }
            #expect(profile.description.contains("<redacted>"))
            let fields = profile.fields()
            #expect(fields.allSatisfy { !$0.isSecret || $0.value == "<redacted>" })
            #expect(profile.fields(revealingSecrets: true).contains { $0.isSecret && secrets.contains($0.value) })
        }
    }
}
