import DHIS2
import DHIS2Emulator
import DHIS2Profiles
import Foundation
import Logging
import Testing

/// An in-memory emulator on a free loopback port, quiet.
private func quietEmulator(_ version: String = "2.42.6") -> EmulatorConfiguration {
    EmulatorConfiguration(
        host: "127.0.0.1", port: 0, version: version,
        logger: Logger(label: "test.emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
}

/// Mints a personal access token for the demo admin through `POST /api/apiToken`, as a user would.
private func mintToken(on emulator: Emulator) async throws -> String {
    try await DHIS2Client.withConnection(
        to: emulator.baseURL, auth: BasicAuth(username: DemoData.adminUsername, password: DemoData.adminPassword)
    ) { client in
        let answer = try await client.post("/api/apiToken", body: .object([:]))
        return try #require(answer["response"]?["key"]?.stringValue)
    }
}

@Suite("Opening a profile against the emulator")
struct OpenProfileTests {
    @Test("a basic profile from a file opens a client signed in as its user")
    func basic() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            try await withSandbox { sandbox in
                try sandbox.write(
                    """
                    default = "local"
                    [profiles.local]
                    base_url = "\(emulator.baseURL)"
                    auth = "basic"
                    username = "\(DemoData.adminUsername)"
                    password = "\(DemoData.adminPassword)"
                    """, to: sandbox.projectFile)
                let client = try await sandbox.profiles().open()
                let me = try await client.system.me()
                try await client.shutdown()
                #expect(me.username == DemoData.adminUsername)
                #expect(client.apiVersion == .v42)
            }
        }
    }

    @Test("a pat profile with a token minted through /api/apiToken opens, and its pinned version is used")
    func pat() async throws {
        try await withEmulator(quietEmulator("2.43.2")) { emulator in
            let token = try await mintToken(on: emulator)
            let profile = Profile(name: "tok", baseURL: emulator.baseURL, auth: .pat(token: token), version: .v43)
            let client = try await DHIS2Client.open(profile)
            let me = try await client.system.me()
            try await client.shutdown()
            #expect(me.username == DemoData.adminUsername)
            #expect(client.serverVersion == nil, "a pinned version skips detection")
            #expect(client.apiVersion == .v43)
        }
    }

    @Test("verify reports the server version, the user and a round-trip time")
    func verify() async throws {
        try await withEmulator(quietEmulator("2.44.0")) { emulator in
            try await withSandbox { sandbox in
                let profiles = sandbox.profiles()
                try profiles.add(
                    Profile(
                        name: "emu", baseURL: emulator.baseURL,
                        auth: .basic(username: DemoData.adminUsername, password: DemoData.adminPassword)))
                let verification = try await profiles.verify("emu")
                #expect(verification.serverVersion == "2.44.0")
                #expect(verification.apiVersion == .v44)
                #expect(verification.username == DemoData.adminUsername)
                #expect(verification.roundTrip > .zero)
                #expect(verification.profile.scope == .global)
            }
        }
    }

    @Test("verify with a wrong password fails as unauthorized and never shows the password")
    func verifyRefused() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            let password = "n0t-the-Pa55word"
            let profiles = Profiles(
                environment: ProfileEnvironment(
                    variables: ["DHIS2_URL": emulator.baseURL, "DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": password],
                    workingDirectory: "/nonexistent", homeDirectory: nil))
            await #expect {
                _ = try await profiles.verify()
            } throws: { error in
                guard let error = error as? DHIS2Error else { return false }
                return error.isUnauthorized && !"\(error)".contains(password)
            }
        }
    }

    @Test("an OAuth2 profile without a stored token fails and says to run dhis2 profile login")
    func oauth2NotLoggedIn() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            try await withSandbox { sandbox in
                try sandbox.write(
                    """
                    [profiles.sso]
                    base_url = "\(emulator.baseURL)"
                    auth = "oauth2"
                    client_id = "cli"
                    client_secret = "very-secret-value"
                    """, to: sandbox.globalFile)
                let error = try await #require(throws: ProfileError.self) { try await sandbox.profiles().open("sso") }
                #expect(error.code == .notLoggedIn)
                #expect(error.message.contains("dhis2 profile login sso"))
                #expect(!error.message.contains("very-secret-value"))
            }
        }
    }

    @Test("an OAuth2 profile uses the token stored beside its profiles file")
    func oauth2StoredToken() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            try await withSandbox { sandbox in
                try sandbox.write(
                    """
                    [profiles.sso]
                    base_url = "\(emulator.baseURL)"
                    auth = "oauth2"
                    client_id = "cli"
                    """, to: sandbox.globalFile)
                let profiles = sandbox.profiles()
                let resolved = try profiles.resolve("sso")
                #expect(resolved.tokenStorePath == ProfileLocations.tokenStorePath(for: sandbox.globalFile))
                let store = try #require(try profiles.tokenStore(for: resolved))
                let key = try #require(resolved.profile.tokenStoreKey)
                // A token the server does not know: the client sends it, so the 401 proves the stored one was used.
                try await store.save(
                    OAuth2Token(accessToken: "stored-but-unknown", expiresAt: Date().addingTimeInterval(3600)), for: key)
                await #expect {
                    _ = try await profiles.open("sso")
                } throws: { error in
                    (error as? DHIS2Error)?.isUnauthorized == true || (error as? DHIS2Error)?.code == .authentication
                }
            }
        }
    }
}
