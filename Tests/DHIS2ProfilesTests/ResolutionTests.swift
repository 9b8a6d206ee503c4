import DHIS2
import DHIS2Profiles
import Foundation
import Testing

/// Which sources of a profile are present in one row of the precedence matrix.
struct Sources: Sendable, CustomTestStringConvertible {
    var explicitName: Bool
    var environmentName: Bool
    var environmentURL: Bool
    var projectDefault: Bool
    var globalDefault: Bool

    static let all: [Sources] = (0..<32).map { bits in
        Sources(
            explicitName: bits & 1 != 0, environmentName: bits & 2 != 0, environmentURL: bits & 4 != 0,
            projectDefault: bits & 8 != 0, globalDefault: bits & 16 != 0)
    }

    var testDescription: String {
        let names = [
            explicitName ? "name" : nil, environmentName ? "DHIS2_PROFILE" : nil, environmentURL ? "DHIS2_URL" : nil,
            projectDefault ? "project default" : nil, globalDefault ? "global default" : nil,
        ].compactMap { $0 }
        return names.isEmpty ? "nothing" : names.joined(separator: " + ")
    }
}

@Suite("Resolving a profile")
struct ResolutionTests {
    @Test("the chain picks the first source present: name, DHIS2_PROFILE, DHIS2_URL, project default, global default",
        arguments: Sources.all)
    func precedence(sources: Sources) async throws {
        try await withSandbox { sandbox in
            try sandbox.write(
                """
                \(sources.globalDefault ? "default = \"global_default\"\n" : "")
                [profiles.explicit_one]
                base_url = "https://explicit.example.org"
                auth = "pat"
                token = "d2p_explicit"

                [profiles.env_named]
                base_url = "https://env-named.example.org"
                auth = "pat"
                token = "d2p_env_named"

                [profiles.global_default]
                base_url = "https://global.example.org"
                auth = "pat"
                token = "d2p_global"
                """, to: sandbox.globalFile)
            try sandbox.write(
                """
                \(sources.projectDefault ? "default = \"project_default\"\n" : "")
                [profiles.project_default]
                base_url = "https://project.example.org"
                auth = "basic"
                username = "admin"
                password = "district"
                """, to: sandbox.projectFile)
            var variables: [String: String] = [:]
            if sources.environmentName { variables["DHIS2_PROFILE"] = "env_named" }
            if sources.environmentURL {
                variables["DHIS2_URL"] = "https://from-env.example.org"
                variables["DHIS2_PAT"] = "d2p_from_env"
            }
            let profiles = sandbox.profiles(variables)
            let name = sources.explicitName ? "explicit_one" : nil
            let expected: (String?, ProfileSource, String)? =
                sources.explicitName ? ("explicit_one", .explicitName, "https://explicit.example.org")
                : sources.environmentName ? ("env_named", .environmentName, "https://env-named.example.org")
                : sources.environmentURL ? (nil, .environment, "https://from-env.example.org")
                : sources.projectDefault ? ("project_default", .projectDefault, "https://project.example.org")
                : sources.globalDefault ? ("global_default", .globalDefault, "https://global.example.org") : nil
            if let (expectedName, expectedSource, expectedURL) = expected {
                let resolved = try profiles.resolve(name)
                #expect(resolved.profile.name == expectedName)
                #expect(resolved.source == expectedSource)
                #expect(resolved.profile.baseURL == expectedURL)
            } else {
                #expect(throws: ProfileError.self) { try profiles.resolve(name) }
            }
        }
    }

    @Test("when nothing resolves, the error lists every place it looked")
    func nothingResolved() async throws {
        try await withSandbox { sandbox in
            let error = try #require(throws: ProfileError.self) { try sandbox.profiles().resolve() }
            #expect(error.code == .nothingResolved)
            #expect(error.message.contains("DHIS2_PROFILE is not set"))
            #expect(error.message.contains("DHIS2_URL is not set"))
            #expect(error.message.contains(".dhis2/profiles.toml in \(sandbox.workingDirectory.path)"))
            #expect(error.message.contains(sandbox.globalFile))

            let urlOnly = try #require(throws: ProfileError.self) {
                try sandbox.profiles(["DHIS2_URL": "https://x.example.org"]).resolve()
            }
            #expect(urlOnly.message.contains("DHIS2_URL is set but no credentials are"))
        }
    }

    @Test("a project profile shadows a global one of the same name; list shows the global one only when asked")
    func shadowing() async throws {
        try await withSandbox { sandbox in
            try sandbox.write(
                "[profiles.shared]\nbase_url = \"https://global.example.org\"\nauth = \"pat\"\ntoken = \"g\"\n",
                to: sandbox.globalFile)
            try sandbox.write(
                "[profiles.shared]\nbase_url = \"https://project.example.org\"\nauth = \"pat\"\ntoken = \"p\"\n",
                to: sandbox.projectFile)
            let profiles = sandbox.profiles()
            let resolved = try profiles.resolve("shared")
            #expect(resolved.profile.baseURL == "https://project.example.org")
            #expect(resolved.scope == .project)
            #expect(resolved.file == sandbox.projectFile)

            let visible = try profiles.list()
            #expect(visible.map(\.scope) == [.project])
            let all = try profiles.list(includingShadowed: true)
            #expect(all.map(\.scope) == [.project, .global])
            #expect(all.map(\.isShadowed) == [false, true])
        }
    }

    @Test("the global file is found under XDG_CONFIG_HOME when it is set, else under ~/.config")
    func xdg() async throws {
        try await withSandbox { sandbox in
            let xdg = sandbox.root.appendingPathComponent("xdg").path
            try sandbox.write(
                "default = \"x\"\n[profiles.x]\nbase_url = \"https://xdg.example.org\"\nauth = \"pat\"\ntoken = \"t\"\n",
                to: xdg + "/dhis2/profiles.toml")
            let viaXDG = try sandbox.profiles(["XDG_CONFIG_HOME": xdg]).resolve()
            #expect(viaXDG.profile.baseURL == "https://xdg.example.org")
            #expect(viaXDG.tokenStorePath == xdg + "/dhis2/swift-dhis2-tokens.sqlite")
            #expect(throws: ProfileError.self) { try sandbox.profiles().resolve() }
        }
    }

    @Test("environment credentials: a PAT wins, then username and password, then OAuth2; DHIS2_VERSION pins")
    func environmentProfile() throws {
        let base = ["DHIS2_URL": "https://env.example.org"]
        func profile(_ more: [String: String]) throws -> Profile? {
            try Profiles(
                environment: ProfileEnvironment(
                    variables: base.merging(more) { $1 }, workingDirectory: "/nonexistent", homeDirectory: nil)
            ).environmentProfile()
        }
        let everything = [
            "DHIS2_PAT": "d2p_t", "DHIS2_USERNAME": "u", "DHIS2_PASSWORD": "p", "DHIS2_OAUTH_CLIENT_ID": "c",
            "DHIS2_OAUTH_CLIENT_SECRET": "s",
        ]
        #expect(try profile(everything)?.auth == .pat(token: "d2p_t"))
        #expect(try profile(everything.filter { $0.key != "DHIS2_PAT" })?.auth == .basic(username: "u", password: "p"))
        #expect(
            try profile([
                "DHIS2_OAUTH_CLIENT_ID": "c", "DHIS2_OAUTH_CLIENT_SECRET": "s", "DHIS2_OAUTH_SCOPES": "openid email",
                "DHIS2_OAUTH_REDIRECT_URI": "http://127.0.0.1:9999/callback",
            ])?.auth
                == .oauth2(
                    OAuth2Settings(
                        clientID: "c", clientSecret: "s", scope: "openid email",
                        redirectURI: "http://127.0.0.1:9999/callback")))
        #expect(try profile(["DHIS2_PAT": "t", "DHIS2_VERSION": "43"])?.version == .v43)
        #expect(try profile(["DHIS2_PAT": "t", "DHIS2_VERSION": "v43"])?.version == .v43)
        #expect(try profile([:]) == nil)
        let halfSet = try #require(throws: ProfileError.self) { try profile(["DHIS2_USERNAME": "u"]) }
        #expect(halfSet.code == .invalidEnvironment)
        #expect(halfSet.message.contains("DHIS2_PASSWORD"))
        #expect(throws: ProfileError.self) { try profile(["DHIS2_PAT": "t", "DHIS2_VERSION": "39"]) }
    }
}
