import DHIS2
import DHIS2Profiles
import Foundation
import Testing

@Suite("The SQLite token store")
struct TokenStoreTests {
    let sample = OAuth2Token(
        accessToken: "access-abc", refreshToken: "refresh-def", expiresAt: Date(timeIntervalSince1970: 1_900_000_000),
        scope: "openid username")

    @Test("a saved token reads back equal, survives a new store on the same file, and can be removed")
    func roundTrip() async throws {
        try await withSandbox { sandbox in
            let path = sandbox.root.appendingPathComponent("cfg/dhis2/swift-dhis2-tokens.sqlite").path
            let key = SQLiteTokenStore.key(profile: "play", baseURL: "https://play.example.org/", clientID: "cli")
            let store = try SQLiteTokenStore(path: path)
            #expect(try await store.token(for: key) == nil)
            try await store.save(sample, for: key)
            #expect(try await store.token(for: key) == sample)

            let reopened = try SQLiteTokenStore(path: path)
            #expect(try await reopened.token(for: key) == sample)
            #expect(try await reopened.keys() == [key])
            try await reopened.removeToken(for: key)
            #expect(try await store.token(for: key) == nil)
        }
    }

    @Test("the file has mode 0600 (an existing wider file is tightened) and its new directory 0700")
    func modes() async throws {
        try await withSandbox { sandbox in
            let path = sandbox.root.appendingPathComponent("fresh/tokens-here.sqlite").path
            let store = try SQLiteTokenStore(path: path)
            try await store.save(sample, for: "k")
            #expect(try permissions(of: path) == 0o600)
            #expect(try permissions(of: sandbox.root.appendingPathComponent("fresh").path) == 0o700)

            try FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: path)
            _ = try SQLiteTokenStore(path: path)
            #expect(try permissions(of: path) == 0o600)
        }
    }

    @Test("keys separate profiles, servers and clients; a trailing slash or /api names the same server")
    func keys() {
        let key = SQLiteTokenStore.key(profile: "p", baseURL: "https://x.org", clientID: "c")
        #expect(SQLiteTokenStore.key(profile: "p", baseURL: "https://x.org/", clientID: "c") == key)
        #expect(SQLiteTokenStore.key(profile: "p", baseURL: "https://x.org/api", clientID: "c") == key)
        #expect(SQLiteTokenStore.key(profile: "q", baseURL: "https://x.org", clientID: "c") != key)
        #expect(SQLiteTokenStore.key(profile: "p", baseURL: "https://y.org", clientID: "c") != key)
        #expect(SQLiteTokenStore.key(profile: "p", baseURL: "https://x.org", clientID: "d") != key)
    }

    @Test("the token store lives beside its profiles file and is not named tokens.sqlite")
    func location() {
        #expect(
            ProfileLocations.tokenStorePath(for: "/p/.dhis2/profiles.toml") == "/p/.dhis2/swift-dhis2-tokens.sqlite")
        #expect(ProfileLocations.tokenStoreFileName != "tokens.sqlite")
    }

    /// Two processes are modelled by independent stores, each opening its own SQLite connection per operation — the
    /// same as two processes would. (Spawning a second process would need a helper executable in the package.)
    @Test("independent connections writing and reading the same file at once all succeed and never see half a token")
    func concurrentConnections() async throws {
        try await withSandbox { sandbox in
            let path = sandbox.root.appendingPathComponent("shared.sqlite").path
            let first = try SQLiteTokenStore(path: path)
            let second = try SQLiteTokenStore(path: path)
            let sample = self.sample
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<40 {
                    let store = index.isMultiple(of: 2) ? first : second
                    group.addTask {
                        var token = sample
                        token.accessToken = "access-\(index)"
                        token.refreshToken = "refresh-\(index)"
                        try await store.save(token, for: "shared")
                        try await store.save(token, for: "own-\(index)")
                        let read = try #require(try await store.token(for: "shared"))
                        // Whatever write won, access and refresh token come from the same one.
                        #expect(read.accessToken.dropFirst(7) == read.refreshToken?.dropFirst(8))
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await first.keys().count == 41)
        }
    }
}
