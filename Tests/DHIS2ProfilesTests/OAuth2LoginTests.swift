import AsyncHTTPClient
import DHIS2
import DHIS2Emulator
@testable import DHIS2Profiles
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Synchronization
import Testing

/// Plays the user's browser against the emulator: follows the authorization URL to the login app, logs in through
/// `POST /api/auth/login` as DHIS2's login app does, follows the saved request back to `/oauth2/authorize` and
/// delivers the final redirect to the loopback receiver.
struct OAuth2TestBrowser: Sendable {
    static let httpClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup,
        configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

    let baseURL: String
    var username = "admin"
    var password = "district"

    struct Reply: Sendable {
        let status: Int
        let headers: HTTPHeaders
        let body: Data
    }

    static func send(
        _ method: HTTPMethod, _ url: String, headers: [(String, String)] = [], body: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let body { request.body = .bytes(ByteBuffer(string: body)) }
        let response = try await httpClient.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 1 << 20)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(data.readableBytesView))
    }

    /// Follows the whole login; returns the loopback receiver's answer.
    func logIn(at authorizationURL: URL) async throws -> Reply {
        let first = try await Self.send(.GET, authorizationURL.absoluteString)
        guard first.status == 302, let cookie = first.headers.first(name: "Set-Cookie")?.split(separator: ";").first
        else { throw OAuth2TestFailure("authorize answered \(first.status) without a session") }
        let credentials = try JSONValue.object(["username": .string(username), "password": .string(password)])
            .jsonData()
        let login = try await Self.send(
            .POST, baseURL + "/api/auth/login",
            headers: [("Cookie", String(cookie)), ("Content-Type", "application/json")],
            body: String(decoding: credentials, as: UTF8.self))
        guard login.status == 200, let json = try? JSONValue(parsing: login.body),
            let target = json["redirectUrl"]?.stringValue,
            let session = login.headers.first(name: "Set-Cookie")?.split(separator: ";").first
        else { throw OAuth2TestFailure("login answered \(login.status)") }
        let authorized = try await Self.send(.GET, target, headers: [("Cookie", String(session))])
        guard authorized.status == 302, let location = authorized.headers.first(name: "Location") else {
            throw OAuth2TestFailure("authorize after login answered \(authorized.status)")
        }
        return try await Self.send(.GET, location)
    }
}

struct OAuth2TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// An emulated 2.42 server with a registered client, and profiles for it.
struct OAuth2LoginFixture {
    static let clientID = "swift-dhis2-cli"
    static let clientSecret = "cli-Secret-41f0"

    let emulator: Emulator

    static func with<T: Sendable>(
        version: String = "2.42.6", accessTokenLifetime: Duration = .seconds(300),
        _ body: (OAuth2LoginFixture) async throws -> T
    ) async throws -> T {
        var configuration = EmulatorConfiguration(version: version, accessTokenLifetime: accessTokenLifetime)
        configuration.logger.logLevel = .warning
        return try await withEmulator(configuration) { emulator in try await body(OAuth2LoginFixture(emulator: emulator)) }
    }

    /// Registers the client through `/api/oAuth2Clients` as an administrator would.
    func register(public isPublic: Bool = false) async throws {
        var client: [String: JSONValue] = [
            "name": "swift-dhis2 CLI", "clientId": .string(Self.clientID),
            "clientAuthenticationMethods": isPublic ? "none" : "client_secret_basic",
            "authorizationGrantTypes": "authorization_code,refresh_token",
            "redirectUris": "http://127.0.0.1/callback", "scopes": "openid,username",
        ]
        if !isPublic { client["clientSecret"] = .string(Self.clientSecret) }
        let reply = try await OAuth2TestBrowser.send(
            .POST, emulator.baseURL + "/api/oAuth2Clients",
            headers: [
                ("Authorization", "Basic " + Data("admin:district".utf8).base64EncodedString()),
                ("Content-Type", "application/json"),
            ],
            body: String(decoding: try JSONValue.object(client).jsonData(), as: UTF8.self))
        guard reply.status == 201 else { throw OAuth2TestFailure("registering the client answered \(reply.status)") }
    }

    func profile(secret: Bool = true, redirectURI: String? = nil) -> Profile {
        Profile(
            name: "local", baseURL: emulator.baseURL,
            auth: .oauth2(
                OAuth2Settings(
                    clientID: Self.clientID, clientSecret: secret ? Self.clientSecret : nil, redirectURI: redirectURI)))
    }

    var storeKey: String { SQLiteTokenStore.key(profile: "local", baseURL: emulator.baseURL, clientID: Self.clientID) }

    /// Runs a login whose browser is `browse`; the receiver's answer is kept in `received`.
    func login(
        profile: Profile? = nil, store: any TokenStore, timeout: Duration = .seconds(60),
        browse: @escaping @Sendable (URL) async throws -> OAuth2TestBrowser.Reply?
    ) async throws -> (OAuth2Token, OAuth2TestBrowser.Reply?) {
        let received = Mutex<OAuth2TestBrowser.Reply?>(nil)
        let browserError = Mutex<String?>(nil)
        let token = try await OAuth2Login.run(
            profile: profile ?? self.profile(), tokenStore: store, storeKey: storeKey,
            presentURL: { url in
                do {
                    let reply = try await browse(url)
                    received.withLock { $0 = reply }
                } catch {
                    browserError.withLock { $0 = "\(error)" }
                }
            }, timeout: timeout)
        if let failure = browserError.withLock({ $0 }) { throw OAuth2TestFailure(failure) }
        return (token, received.withLock { $0 })
    }
}

/// The query items of a URL, by name.
func oauth2QueryItems(_ url: URL) -> [String: String] {
    let items = URLComponents(url: url, resolvingAgainstBaseURL: false)?.queryItems ?? []
    return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
}

@Suite("OAuth2 login with PKCE and a loopback receiver, against the emulator")
struct OAuth2LoginTests {
    @Test("a full login stores a token that a client opened from the profile then uses on /api/me")
    func fullLogin() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            let store = InMemoryTokenStore()
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let sentURL = Mutex<URL?>(nil)
            let (token, page) = try await fixture.login(store: store) { url in
                sentURL.withLock { $0 = url }
                return try await browser.logIn(at: url)
            }
            let page200 = try #require(page)
            #expect(page200.status == 200)
            #expect(String(decoding: page200.body, as: UTF8.self).contains("login is complete"))
            let query = oauth2QueryItems(try #require(sentURL.withLock { $0 }))
            #expect(query["code_challenge_method"] == "S256")
            #expect(query["code_challenge"]?.count == 43)
            #expect((query["state"]?.count ?? 0) >= 32)
            #expect(query["redirect_uri"]?.hasPrefix("http://127.0.0.1:") == true)
            #expect(query["redirect_uri"]?.hasSuffix("/callback") == true)
            #expect(token.refreshToken != nil)

            let saved = try #require(await store.token(for: fixture.storeKey))
            #expect(saved == token)
            let client = try await DHIS2Client.open(fixture.profile(), options: ProfileOpenOptions(tokenStore: store))
            let me = try await client.system.me()
            try await client.shutdown()
            #expect(me.username == "admin")
        }
    }

    @Test("the token lands in the SQLite token store, where a later process (a new store) finds and uses it")
    func sqliteStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("oauth2-login-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("swift-dhis2-tokens.sqlite").path
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let (token, _) = try await fixture.login(store: try SQLiteTokenStore(path: path)) {
                try await browser.logIn(at: $0)
            }
            let later = try SQLiteTokenStore(path: path)
            #expect(try await later.token(for: fixture.storeKey)?.accessToken == token.accessToken)
            let client = try await DHIS2Client.open(fixture.profile(), options: ProfileOpenOptions(tokenStore: later))
            let me = try await client.system.me()
            try await client.shutdown()
            #expect(me.username == "admin")
        }
    }

    @Test("a public client logs in with PKCE alone and gets no refresh token; the token still works")
    func publicClient() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register(public: true)
            let store = InMemoryTokenStore()
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let (token, _) = try await fixture.login(profile: fixture.profile(secret: false), store: store) {
                try await browser.logIn(at: $0)
            }
            #expect(token.refreshToken == nil)
            let client = try await DHIS2Client.open(
                fixture.profile(secret: false), options: ProfileOpenOptions(tokenStore: store))
            let me = try await client.system.me()
            try await client.shutdown()
            #expect(me.username == "admin")
        }
    }

    @Test("an access token about to expire is refreshed with the refresh token and the new one saved")
    func refreshOnExpiry() async throws {
        // 30 s tokens are inside the client's 60 s refresh margin, so the first request refreshes.
        try await OAuth2LoginFixture.with(accessTokenLifetime: .seconds(30)) { fixture in
            try await fixture.register()
            let store = InMemoryTokenStore()
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let (token, _) = try await fixture.login(store: store) { try await browser.logIn(at: $0) }
            let client = try await DHIS2Client.open(
                fixture.profile(), options: ProfileOpenOptions(systemCacheTTL: nil, tokenStore: store))
            let me = try await client.system.me()
            try await client.shutdown()
            #expect(me.username == "admin")
            #expect(fixture.emulator.requestCount(method: "POST", path: "/oauth2/token") >= 2)
            let saved = try #require(await store.token(for: fixture.storeKey))
            #expect(saved.accessToken != token.accessToken)
            #expect(saved.refreshToken == token.refreshToken)
        }
    }

    @Test("a revoked refresh token makes the next refresh fail with an error that says to log in again")
    func revokedRefreshToken() async throws {
        try await OAuth2LoginFixture.with(accessTokenLifetime: .seconds(30)) { fixture in
            try await fixture.register()
            let store = InMemoryTokenStore()
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let (token, _) = try await fixture.login(store: store) { try await browser.logIn(at: $0) }
            let refreshToken = try #require(token.refreshToken)
            let revoke = try await OAuth2TestBrowser.send(
                .POST, fixture.emulator.baseURL + "/oauth2/revoke",
                headers: [
                    ("Authorization",
                     "Basic " + Data("\(OAuth2LoginFixture.clientID):\(OAuth2LoginFixture.clientSecret)".utf8).base64EncodedString()),
                    ("Content-Type", "application/x-www-form-urlencoded"),
                ],
                body: "token=\(OAuth2Login.formEncode(refreshToken))&token_type_hint=refresh_token")
            #expect(revoke.status == 200)
            let auth = OAuth2Auth(
                tokenEndpoint: try #require(URL(string: fixture.emulator.baseURL + "/oauth2/token")),
                clientID: OAuth2LoginFixture.clientID, clientSecret: OAuth2LoginFixture.clientSecret, tokenStore: store,
                storeKey: fixture.storeKey)
            let error = await #expect(throws: DHIS2Error.self) { try await auth.currentToken() }
            #expect(error?.code == .authentication)
            #expect(error?.message.contains("invalid_grant") == true)
            #expect(error?.message.contains("log in again") == true)
            #expect(error?.message.contains(refreshToken) == false)
        }
    }

    @Test("a redirect with another state is refused as a state mismatch")
    func stateMismatch() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            let error = await #expect(throws: OAuth2LoginError.self) {
                _ = try await fixture.login(store: InMemoryTokenStore()) { url in
                    let redirect = try #require(oauth2QueryItems(url)["redirect_uri"])
                    return try await OAuth2TestBrowser.send(.GET, redirect + "?code=abc&state=forged")
                }
            }
            #expect(error?.code == .stateMismatch)
        }
    }

    @Test("a redirect without a code is refused as a missing code; the browser is told the login failed")
    func missingCode() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            let page = Mutex<OAuth2TestBrowser.Reply?>(nil)
            let error = await #expect(throws: OAuth2LoginError.self) {
                _ = try await fixture.login(store: InMemoryTokenStore()) { url in
                    let query = oauth2QueryItems(url)
                    let redirect = try #require(query["redirect_uri"])
                    let state = try #require(query["state"])
                    let reply = try await OAuth2TestBrowser.send(.GET, redirect + "?state=" + OAuth2Login.formEncode(state))
                    page.withLock { $0 = reply }
                    return reply
                }
            }
            #expect(error?.code == .missingCode)
            #expect(page.withLock { $0?.status } == 400)
        }
    }

    @Test("error=access_denied on the redirect is reported as denied consent")
    func deniedConsent() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            let error = await #expect(throws: OAuth2LoginError.self) {
                _ = try await fixture.login(store: InMemoryTokenStore()) { url in
                    let query = oauth2QueryItems(url)
                    let redirect = try #require(query["redirect_uri"])
                    let state = try #require(query["state"])
                    return try await OAuth2TestBrowser.send(
                        .GET, redirect + "?error=access_denied&state=" + OAuth2Login.formEncode(state))
                }
            }
            #expect(error?.code == .consentDenied)
            #expect(error?.oauthError == "access_denied")
        }
    }

    @Test("no redirect within the timeout ends the login with a timeout error, and nothing is stored")
    func timeout() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            let store = InMemoryTokenStore()
            let error = await #expect(throws: OAuth2LoginError.self) {
                _ = try await fixture.login(store: store, timeout: .milliseconds(200)) { _ in nil }
            }
            #expect(error?.code == .timeout)
            #expect(await store.token(for: fixture.storeKey) == nil)
        }
    }

    @Test("a wrong client secret fails the code exchange with invalid_client")
    func failedExchange() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            var profile = fixture.profile()
            profile.auth = .oauth2(OAuth2Settings(clientID: OAuth2LoginFixture.clientID, clientSecret: "wrong"))
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let error = await #expect(throws: OAuth2LoginError.self) {
                _ = try await fixture.login(profile: profile, store: InMemoryTokenStore()) {
                    try await browser.logIn(at: $0)
                }
            }
            #expect(error?.code == .exchangeFailed)
            #expect(error?.oauthError == "invalid_client")
            #expect(error?.description.contains("wrong") == false)
        }
    }

    @Test("a configured redirect URI port is the one the receiver listens on")
    func configuredPort() async throws {
        try await OAuth2LoginFixture.with { fixture in
            try await fixture.register()
            // Find a free port, then hand it to the profile.
            let probe = try await LoopbackReceiver.start(port: 0, path: "/x", expectedState: "s")
            let port = probe.port
            await probe.close()
            let browser = OAuth2TestBrowser(baseURL: fixture.emulator.baseURL)
            let redirect = Mutex<String?>(nil)
            _ = try await fixture.login(
                profile: fixture.profile(redirectURI: "http://127.0.0.1:\(port)/callback"), store: InMemoryTokenStore()
            ) { url in
                redirect.withLock { $0 = oauth2QueryItems(url)["redirect_uri"] }
                return try await browser.logIn(at: url)
            }
            #expect(redirect.withLock { $0 } == "http://127.0.0.1:\(port)/callback")
        }
    }

    @Test("an emulated 2.41, which has no OAuth2 authorization server, is reported as such")
    func noServerOn241() async throws {
        try await OAuth2LoginFixture.with(version: "2.41.10") { fixture in
            let presented = Mutex(false)
            let error = await #expect(throws: OAuth2LoginError.self) {
                _ = try await OAuth2Login.run(
                    profile: fixture.profile(), tokenStore: InMemoryTokenStore(), storeKey: fixture.storeKey,
                    presentURL: { _ in presented.withLock { $0 = true } }, timeout: .seconds(5))
            }
            #expect(error?.code == .noAuthorizationServer)
            #expect(error?.message.contains("404") == true)
            #expect(!presented.withLock { $0 })
        }
    }

    @Test("non-OAuth2 profiles and redirect URIs that are not 127.0.0.1 are refused before anything is sent")
    func invalidConfiguration() async throws {
        let basic = Profile(name: "b", baseURL: "http://127.0.0.1:1", auth: .basic(username: "a", password: "b"))
        let error = await #expect(throws: OAuth2LoginError.self) {
            _ = try await OAuth2Login.run(
                profile: basic, tokenStore: InMemoryTokenStore(), storeKey: "k", presentURL: { _ in },
                timeout: .seconds(1))
        }
        #expect(error?.code == .invalidConfiguration)
        #expect(error?.description.contains("\"b\"") == false)
        for uri in ["http://localhost:8080/cb", "https://127.0.0.1/cb", "http://example.org/cb"] {
            #expect(throws: OAuth2LoginError.self) { try RedirectTarget(uri) }
        }
        #expect(try RedirectTarget("http://127.0.0.1:7777/cb") == RedirectTarget(port: 7777, path: "/cb"))
        #expect(try RedirectTarget(nil) == RedirectTarget(port: nil, path: "/callback"))
    }

    @Test("the PKCE S256 challenge is BASE64URL(SHA256(verifier)), as computed independently")
    func pkce() {
        let pair = PKCE(verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk")
        #expect(pair.challenge == "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g")
        #expect(PKCE().verifier.count == 43)
        #expect(PKCE().verifier != PKCE().verifier)
    }
}
