import DHIS2Core
import Foundation
import Testing

/// Every way a value commonly reaches a log line or an error message.
private func renderings(_ value: some CustomStringConvertible & CustomDebugStringConvertible) -> [String] {
    [
        value.description, value.debugDescription, String(describing: value), String(reflecting: value), "\(value)",
        "\([value])", "\(Optional(value) as Any)", String(describing: [value]), String(reflecting: Optional(value)),
    ]
}

@Suite("Secrets stay out of descriptions")
struct SecretRedactionTests {
    static let password = "district-S3cret!"
    static let basicCredentials = Data("admin:\(password)".utf8).base64EncodedString()
    static let pat = "d2p_2jv7cX1Lq7yXb0GmVQq4fUjXWg0b5GmK5Hnq8Tk4Jb0ZbXxQkq"

    @Test("BasicAuth never shows the password or the encoded credentials, but does send them")
    func basicAuth() async throws {
        let auth = BasicAuth(username: "admin", password: Self.password)
        for text in renderings(auth) {
            #expect(!text.contains(Self.password))
            #expect(!text.contains(Self.basicCredentials))
            #expect(text.contains("admin"))
        }
        // The secret really is in the header, so the checks above can fail.
        #expect(try await auth.authorization()?.value == "Basic \(Self.basicCredentials)")
        #expect(try await auth.credentialsRejected(auth.authorization()) == false)
    }

    @Test("PersonalAccessTokenAuth never shows the token, but sends it as ApiToken")
    func personalAccessToken() async throws {
        let auth = PersonalAccessTokenAuth(token: " \(Self.pat)\n")
        for text in renderings(auth) {
            #expect(!text.contains(Self.pat))
            #expect(!text.contains(String(Self.pat.dropFirst(4).prefix(12))))
        }
        #expect(try await auth.authorization()?.value == "ApiToken \(Self.pat)")
    }

    @Test("An Authorization header shows only its scheme")
    func authorizationHeader() {
        let header = AuthorizationHeader("Bearer eyJhbGciOiJSUzI1NiJ9.secret-payload.sig")
        for text in renderings(header) {
            #expect(!text.contains("eyJhbGciOiJSUzI1NiJ9"))
            #expect(!text.contains("secret-payload"))
        }
        #expect(header.description == "Bearer <redacted>")
        #expect(AuthorizationHeader("Basic \(Self.basicCredentials)").description == "Basic <redacted>")
        #expect(AuthorizationHeader("ApiToken \(Self.pat)").debugDescription == "ApiToken <redacted>")
    }

    @Test(
        "An Authorization header without a scheme shows nothing of its value")
    func schemelessAuthorizationHeader() {
        let header = AuthorizationHeader(Self.pat)
        for text in renderings(header) {
            #expect(!text.contains(Self.pat))
            #expect(!text.contains(String(Self.pat.dropFirst(4).prefix(12))))
        }
    }

    @Test("An OAuth2 token never shows its access or refresh token")
    func oauth2Token() {
        let token = OAuth2Token(
            accessToken: "access-AAAA-1111", refreshToken: "refresh-RRRR-2222",
            expiresAt: Date(timeIntervalSince1970: 1_800_000_000), scope: "ALL")
        for text in renderings(token) {
            #expect(!text.contains("access-AAAA-1111"))
            #expect(!text.contains("refresh-RRRR-2222"))
            #expect(text.contains("ALL"))
        }
        let withoutRefresh = OAuth2Token(accessToken: "access-BBBB", expiresAt: Date())
        #expect(!withoutRefresh.description.contains("access-BBBB"))
        #expect(withoutRefresh.description.contains("refreshToken: none"))
    }

    @Test("OAuth2Auth never shows the client secret or its tokens, but sends the access token")
    func oauth2Auth() async throws {
        let token = OAuth2Token(
            accessToken: "access-CCCC-3333", refreshToken: "refresh-DDDD-4444",
            expiresAt: Date().addingTimeInterval(3600))
        let auth = OAuth2Auth(
            tokenEndpoint: try #require(URL(string: "https://dhis2.example.org/oauth2/token")), clientID: "dhis2-cli",
            clientSecret: "client-secret-EEEE", token: token, storeKey: "profile:test")
        for text in renderings(auth) {
            #expect(!text.contains("client-secret-EEEE"))
            #expect(!text.contains("access-CCCC-3333"))
            #expect(!text.contains("refresh-DDDD-4444"))
            #expect(text.contains("dhis2-cli"))
        }
        let header = try #require(try await auth.authorization())
        #expect(header.value == "Bearer access-CCCC-3333")
        #expect(!header.description.contains("access-CCCC-3333"))
    }
}

@Suite("OAuth2 tokens and the in-memory token store")
struct OAuth2TokenTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)

    @Test("A token is about to expire when its expiry is within the margin, or already past")
    func expiryWithinMargin() {
        func token(expiringIn seconds: TimeInterval) -> OAuth2Token {
            OAuth2Token(accessToken: "a", expiresAt: Self.now.addingTimeInterval(seconds))
        }
        #expect(!token(expiringIn: 3600).expires(within: .seconds(60), of: Self.now))
        #expect(!token(expiringIn: 61).expires(within: .seconds(60), of: Self.now))
        #expect(token(expiringIn: 60).expires(within: .seconds(60), of: Self.now))
        #expect(token(expiringIn: 30).expires(within: .seconds(60), of: Self.now))
        #expect(token(expiringIn: -10).expires(within: .seconds(60), of: Self.now))
        #expect(token(expiringIn: -10).expires(within: .zero, of: Self.now))
        #expect(!token(expiringIn: 10).expires(within: .zero, of: Self.now))
    }

    @Test("A token defaults to the Bearer type and survives a JSON round trip")
    func codable() throws {
        let token = OAuth2Token(
            accessToken: "a1", refreshToken: "r1", expiresAt: Self.now, scope: "ALL openid")
        #expect(token.tokenType == "Bearer")
        let data = try JSONEncoder().encode(token)
        #expect(try JSONDecoder().decode(OAuth2Token.self, from: data) == token)
    }

    @Test("The in-memory store saves, replaces, returns and forgets tokens by key")
    func inMemoryStore() async throws {
        let first = OAuth2Token(accessToken: "a1", expiresAt: Self.now)
        let second = OAuth2Token(accessToken: "a2", refreshToken: "r2", expiresAt: Self.now)
        let store = InMemoryTokenStore(tokens: ["seeded": first])
        #expect(await store.token(for: "seeded") == first)
        #expect(await store.token(for: "other") == nil)
        await store.save(second, for: "other")
        #expect(await store.token(for: "other") == second)
        await store.save(second, for: "seeded")
        #expect(await store.token(for: "seeded") == second)
        await store.removeToken(for: "seeded")
        #expect(await store.token(for: "seeded") == nil)
        #expect(await store.token(for: "other") == second)
    }

    @Test("OAuth2Auth reads its starting token from the store when none is given")
    func oauth2AuthLoadsFromStore() async throws {
        let saved = OAuth2Token(accessToken: "stored-access", expiresAt: Date().addingTimeInterval(3600))
        let store = InMemoryTokenStore(tokens: ["profile:play": saved])
        let auth = OAuth2Auth(
            tokenEndpoint: try #require(URL(string: "https://dhis2.example.org/oauth2/token")), clientID: "cli",
            tokenStore: store, storeKey: "profile:play")
        #expect(try await auth.currentToken() == saved)
        #expect(try await auth.authorization()?.value == "Bearer stored-access")
    }

    @Test("OAuth2Auth without any token fails with an authentication error telling the user to log in")
    func oauth2AuthWithoutToken() async throws {
        let auth = OAuth2Auth(
            tokenEndpoint: try #require(URL(string: "https://dhis2.example.org/oauth2/token")), clientID: "cli",
            storeKey: "nothing-here")
        let error = try await #require(throws: DHIS2Error.self) { try await auth.authorization() }
        #expect(error.code == .authentication)
        #expect(error.message.contains("Log in"))
    }

    @Test("An expired OAuth2 token without a refresh token fails without contacting the server")
    func expiredWithoutRefreshToken() async throws {
        let expired = OAuth2Token(accessToken: "old-access", expiresAt: Date().addingTimeInterval(-60))
        let auth = OAuth2Auth(
            tokenEndpoint: try #require(URL(string: "https://dhis2.invalid/oauth2/token")), clientID: "cli",
            token: expired, storeKey: "k")
        let error = try await #require(throws: DHIS2Error.self) { try await auth.authorization() }
        #expect(error.code == .authentication)
        #expect(error.message.contains("Log in again"))
        #expect(!error.description.contains("old-access"))
    }
}

@Suite("Mirror-based printing")
struct MirrorRedactionTests {
    @Test("dump() of credentials and tokens shows no secret")
    func dumpShowsNoSecret() throws {
        let password = "Dump-Pa55word-x1"
        let token = "d2p_DumpTokenDumpTokenDumpTokenDumpTokenDumpTokenAB"
        let values: [Any] = [
            BasicAuth(username: "admin", password: password),
            PersonalAccessTokenAuth(token: token),
            AuthorizationHeader("ApiToken \(token)"),
            OAuth2Token(accessToken: token, refreshToken: password, expiresAt: Date()),
            OAuth2Auth(
                tokenEndpoint: try #require(URL(string: "https://dhis2.example.org/oauth2/token")), clientID: "c",
                clientSecret: password, token: OAuth2Token(accessToken: token, expiresAt: Date()), storeKey: "k"),
        ]
        for value in values {
            var text = ""
            dump(value, to: &text)
            #expect(!text.contains(password), "dump leaks the password: \(type(of: value))")
            #expect(!text.contains(token), "dump leaks the token: \(type(of: value))")
        }
    }
}
