import AsyncHTTPClient
import DHIS2
@testable import DHIS2Emulator
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// A confidential client registered over `/api/oAuth2Clients`, and the browser steps a login takes.
struct OAuth2Fixture {
    static let clientID = "emulator-tests"
    static let clientSecret = "s3cret-for-tests"
    static let redirectURI = "http://127.0.0.1/callback"

    let emulator: Emulator

    /// Registers a client (the secret in plain text; the emulator stores a hash).
    func register(
        clientID: String = OAuth2Fixture.clientID, secret: String? = OAuth2Fixture.clientSecret,
        methods: String = "client_secret_basic", grants: JSONValue = "authorization_code,refresh_token",
        scopes: String = "openid,username,email"
    ) async throws {
        var body: [String: JSONValue] = [
            "name": .string("Client \(clientID)"), "clientId": .string(clientID),
            "clientAuthenticationMethods": .string(methods), "authorizationGrantTypes": grants,
            "redirectUris": .string(Self.redirectURI), "scopes": .string(scopes),
        ]
        if let secret { body["clientSecret"] = .string(secret) }
        let reply = try await emulator.send(.POST, "/api/oAuth2Clients", json: .object(body))
        guard reply.status == 201 else { throw EmulatorTestFailure("registering the client: \(reply.status) \(reply.text)") }
    }

    /// Plays the browser: authorize → login app → authorize again; returns the redirect's query items.
    func authorize(
        clientID: String = OAuth2Fixture.clientID, scope: String = "openid username", state: String = "st-1",
        challenge: String? = PKCEPair.sample.challenge
    ) async throws -> [String: String] {
        var query = "response_type=code&client_id=\(clientID)&redirect_uri="
            + QueryParameters.encode("http://127.0.0.1:5555/callback") + "&scope=" + QueryParameters.encode(scope)
            + "&state=\(state)"
        if let challenge { query += "&code_challenge=\(challenge)&code_challenge_method=S256" }
        let first = try await emulator.send(.GET, "/oauth2/authorize?" + query, as: .none)
        #expect(first.status == 302)
        #expect(first.header("Location") == emulator.baseURL + "/dhis-web-login/")
        let cookie = try #require(first.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        let login = try await emulator.send(
            .POST, "/api/auth/login", as: .none, headers: [("Cookie", cookie)],
            json: ["username": "admin", "password": "district"])
        #expect(login.status == 200)
        #expect(login.json["loginStatus"] == "SUCCESS")
        let redirectURL = try #require(login.json["redirectUrl"]?.stringValue)
        #expect(redirectURL.hasPrefix(emulator.baseURL + "/oauth2/authorize?"))
        let newCookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
        #expect(newCookie != cookie, "the session id changes at login")
        let second = try await emulator.send(
            .GET, String(redirectURL.dropFirst(emulator.baseURL.count)), as: .none, headers: [("Cookie", newCookie)])
        #expect(second.status == 302)
        let location = try #require(second.header("Location"))
        #expect(location.hasPrefix("http://127.0.0.1:5555/callback?"))
        let items = URLComponents(string: location)?.queryItems ?? []
        return Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
    }

    /// POSTs a form to the token endpoint, with Basic client credentials unless `basic` is nil.
    func token(
        _ form: [(String, String)], basic: (String, String)? = (OAuth2Fixture.clientID, OAuth2Fixture.clientSecret),
        path: String = "/oauth2/token"
    ) async throws -> EmulatorReply {
        var request = HTTPClientRequest(url: emulator.baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        if let basic {
            request.headers.add(
                name: "Authorization", value: "Basic " + Data("\(basic.0):\(basic.1)".utf8).base64EncodedString())
        }
        let body = form.map { QueryParameters.encode($0.0) + "=" + QueryParameters.encode($0.1) }.joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await emulatorTestHTTPClient.execute(request, timeout: .seconds(30))
        let data = try await response.body.collect(upTo: 1 << 20)
        return EmulatorReply(status: Int(response.status.code), headers: response.headers, body: Data(data.readableBytesView))
    }

    /// A full login: returns the token response.
    func login(scope: String = "openid username") async throws -> JSONValue {
        let redirect = try await authorize(scope: scope)
        let code = try #require(redirect["code"])
        let reply = try await token([
            ("grant_type", "authorization_code"), ("code", code),
            ("redirect_uri", "http://127.0.0.1:5555/callback"), ("code_verifier", PKCEPair.sample.verifier),
        ])
        guard reply.status == 200 else { throw EmulatorTestFailure("token exchange: \(reply.status) \(reply.text)") }
        return reply.json
    }
}

/// A PKCE pair (the challenge computed independently with Python's hashlib).
struct PKCEPair {
    let verifier: String
    let challenge: String
    static let sample = PKCEPair(
        verifier: "dBjftJeZ4CVP-mB92K27uhbUJU1p1r7wW1gFWFOEjXk", challenge: "bwWFMyPfdG9qreDhH2lmftFx_dFeLDalzcT1gb_j68g")
}

@Suite("Emulator OAuth2 authorization server (2.42+)")
struct OAuth2ServerTests {
    @Test("the discovery documents name the issuer and the endpoints, with S256 PKCE")
    func discovery() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
                let reply = try await emulator.send(.GET, path, as: .none)
                #expect(reply.status == 200)
                let json = reply.json
                #expect(json["issuer"]?.stringValue == emulator.baseURL + "/")
                #expect(json["authorization_endpoint"]?.stringValue == emulator.baseURL + "/oauth2/authorize")
                #expect(json["token_endpoint"]?.stringValue == emulator.baseURL + "/oauth2/token")
                #expect(json["jwks_uri"]?.stringValue == emulator.baseURL + "/oauth2/jwks")
                #expect(json["revocation_endpoint"]?.stringValue == emulator.baseURL + "/oauth2/revoke")
                #expect(json["code_challenge_methods_supported"] == ["S256"])
            }
            let jwks = try await emulator.send(.GET, "/oauth2/jwks", as: .none)
            let key = try #require(jwks.json["keys"]?[0])
            #expect(key["kty"] == "RSA")
            #expect(key["e"] == "AQAB")
            #expect((key["n"]?.stringValue?.count ?? 0) > 300, "an RSA-2048 modulus")
        }
    }

    @Test("2.41 has no such server: discovery is unmapped and /oauth2/token is an HTML 401 with a Basic challenge; only the legacy client registry remains")
    func noServerOn241() async throws {
        try await withEmulator(.init(version: "2.41.10")) { emulator in
            let discovery = try await emulator.send(.GET, "/.well-known/openid-configuration", as: .none)
            #expect(discovery.status == 404)
            #expect(discovery.header("Content-Type")?.hasPrefix("text/html") == true)
            let token = try await emulator.send(.POST, "/oauth2/token", as: .none)
            #expect(token.status == 401)
            #expect(token.header("WWW-Authenticate")?.hasPrefix("Basic realm=") == true)
            #expect(token.header("Content-Type")?.hasPrefix("text/html") == true)
            // 2.41 still has the legacy client registry (schema OAuth2Client: `cid`, `secret`, arrays), but nothing
            // that issues tokens through it is mapped any more in the emulator, as above.
            let clients = try await emulator.send(.GET, "/api/oAuth2Clients")
            #expect(clients.status == 200)
            #expect(clients.json["oAuth2Clients"] != nil)
        }
    }

    @Test("a client registered with a plain secret and array fields is stored with a hash and comma-separated lists")
    func clientRegistration() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let fixture = OAuth2Fixture(emulator: emulator)
            try await fixture.register(grants: ["authorization_code", "refresh_token"])
            let list = try await emulator.getJSON("/api/oAuth2Clients?fields=clientId,clientSecret,authorizationGrantTypes")
            let client = try #require(list["oAuth2Clients"]?[0])
            #expect(client["clientId"]?.stringValue == OAuth2Fixture.clientID)
            #expect(client["authorizationGrantTypes"]?.stringValue == "authorization_code,refresh_token")
            let stored = try #require(client["clientSecret"]?.stringValue)
            #expect(stored != OAuth2Fixture.clientSecret)
            #expect(!stored.contains(OAuth2Fixture.clientSecret))
        }
    }

    @Test("the login step over HTTP leads to a code; the JWT it buys authenticates /api as the user")
    func authorizationCodeFlow() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let fixture = OAuth2Fixture(emulator: emulator)
            try await fixture.register()
            let redirect = try await fixture.authorize(state: "xyz")
            #expect(redirect["state"] == "xyz")
            let json = try await fixture.login()
            #expect(json["token_type"] == "Bearer")
            #expect(json["refresh_token"]?.stringValue != nil)
            #expect(json["id_token"]?.stringValue != nil)
            let accessToken = try #require(json["access_token"]?.stringValue)
            let claims = try #require(Self.claims(of: accessToken))
            #expect(claims["sub"] == "admin")
            #expect(claims["username"] == "admin")
            #expect(claims["aud"]?.stringValue == OAuth2Fixture.clientID)
            #expect(claims["iss"]?.stringValue == emulator.baseURL + "/")
            let me = try await emulator.send(.GET, "/api/me?fields=username", as: .bearer(accessToken))
            #expect(me.status == 200)
            #expect(me.json["username"] == "admin")
        }
    }

    @Test("a session from the login step authenticates /api without credentials")
    func sessionCookie() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let login = try await emulator.send(
                .POST, "/api/auth/login", as: .none, json: ["username": "admin", "password": "district"])
            #expect(login.json["redirectUrl"] == "/")
            let cookie = try #require(login.header("Set-Cookie")?.split(separator: ";").first.map(String.init))
            let me = try await emulator.send(.GET, "/api/me?fields=username", as: .none, headers: [("Cookie", cookie)])
            #expect(me.json["username"] == "admin")
            let wrong = try await emulator.send(
                .POST, "/api/auth/login", as: .none, json: ["username": "admin", "password": "nope"])
            #expect(wrong.status == 401)
            #expect(wrong.json["httpStatusCode"] == 401)
            #expect(wrong.header("Set-Cookie") == nil)
        }
    }

    @Test("a code is single use, needs its PKCE verifier and the client's secret")
    func tokenEndpointErrors() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let fixture = OAuth2Fixture(emulator: emulator)
            try await fixture.register()
            let code = try #require(try await fixture.authorize()["code"])
            let redirect = ("redirect_uri", "http://127.0.0.1:5555/callback")
            let wrongSecret = try await fixture.token(
                [("grant_type", "authorization_code"), ("code", code), redirect], basic: (OAuth2Fixture.clientID, "x"))
            #expect(wrongSecret.status == 401)
            #expect(wrongSecret.json["error"] == "invalid_client")
            let noVerifier = try await fixture.token([("grant_type", "authorization_code"), ("code", code), redirect])
            #expect(noVerifier.status == 400)
            #expect(noVerifier.json["error"] == "invalid_grant")
            // The failed attempt used the code up.
            let again = try await fixture.token([
                ("grant_type", "authorization_code"), ("code", code), redirect,
                ("code_verifier", PKCEPair.sample.verifier),
            ])
            #expect(again.json["error"] == "invalid_grant")
            let credentials = try await fixture.token([("grant_type", "client_credentials")])
            #expect(credentials.status == 400)
            #expect(credentials.json["error"] == "unauthorized_client")
            let password = try await fixture.token([("grant_type", "password"), ("username", "admin")])
            #expect(password.json["error"] == "unsupported_grant_type")
        }
    }

    @Test("an unregistered scope or a public client without PKCE is sent back to the redirect URI with an error")
    func authorizeErrors() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let fixture = OAuth2Fixture(emulator: emulator)
            try await fixture.register(clientID: "public-app", secret: nil, methods: "none")
            let base = "/oauth2/authorize?response_type=code&client_id=public-app&redirect_uri="
                + QueryParameters.encode("http://127.0.0.1:7000/callback") + "&state=s1"
            let noPKCE = try await emulator.send(.GET, base, as: .none)
            #expect(noPKCE.status == 302)
            let location = try #require(noPKCE.header("Location"))
            #expect(location.hasPrefix("http://127.0.0.1:7000/callback?error=invalid_request"))
            #expect(location.hasSuffix("&state=s1"))
            let badScope = try await emulator.send(
                .GET, base + "&scope=admin&code_challenge=\(PKCEPair.sample.challenge)&code_challenge_method=S256",
                as: .none)
            #expect(badScope.header("Location")?.contains("error=invalid_scope") == true)
            let unknown = try await emulator.send(
                .GET, "/oauth2/authorize?response_type=code&client_id=nobody", as: .none)
            #expect(unknown.status == 400)
            let otherHost = try await emulator.send(
                .GET,
                "/oauth2/authorize?response_type=code&client_id=public-app&redirect_uri="
                    + QueryParameters.encode("http://evil.example/callback"), as: .none)
            #expect(otherHost.status == 400)
        }
    }

    @Test("refresh tokens give new access tokens until revoked; public clients get none")
    func refreshAndRevoke() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let fixture = OAuth2Fixture(emulator: emulator)
            try await fixture.register()
            let refreshToken = try #require(try await fixture.login()["refresh_token"]?.stringValue)
            let refreshed = try await fixture.token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
            #expect(refreshed.status == 200)
            let accessToken = try #require(refreshed.json["access_token"]?.stringValue)
            #expect(try await emulator.send(.GET, "/api/me", as: .bearer(accessToken)).status == 200)
            let revoke = try await fixture.token(
                [("token", refreshToken), ("token_type_hint", "refresh_token")], path: "/oauth2/revoke")
            #expect(revoke.status == 200)
            let afterRevoke = try await fixture.token([("grant_type", "refresh_token"), ("refresh_token", refreshToken)])
            #expect(afterRevoke.status == 400)
            #expect(afterRevoke.json["error"] == "invalid_grant")
        }
    }

    @Test("JWTs with a bad signature, past expiry, a foreign audience or no mapping claim get an invalid_token challenge")
    func jwtVerification() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let fixture = OAuth2Fixture(emulator: emulator)
            try await fixture.register()
            let accessToken = try #require(try await fixture.login()["access_token"]?.stringValue)
            let signer = try #require(try emulator.oauth2Server?.signer())
            let now = Date().timeIntervalSince1970.rounded(.down)
            func claims(aud: String = OAuth2Fixture.clientID, exp: Double = now + 300, username: String? = "admin")
                -> JSONValue
            {
                var claims: [String: JSONValue] = [
                    "sub": "admin", "aud": .string(aud), "iss": .string(emulator.baseURL + "/"), "iat": .number(now),
                    "exp": .number(exp),
                ]
                if let username { claims["username"] = .string(username) }
                return .object(claims)
            }
            #expect(try await emulator.send(.GET, "/api/me", as: .bearer(try signer.sign(claims()))).status == 200)

            // Same signature, another payload.
            let parts = accessToken.split(separator: ".").map(String.init)
            let forgedPayload = Base64URL.encode(try claims(username: "someone-else").jsonData())
            let tampered = [parts[0], forgedPayload, parts[2]].joined(separator: ".")
            let otherKey = try JWTSigner()
            let cases: [(String, String)] = [
                ("bad signature", tampered),
                ("another key", try otherKey.sign(claims())),
                ("expired", try signer.sign(claims(exp: now - 120))),
                ("foreign audience", try signer.sign(claims(aud: "not-registered"))),
                ("no username claim", try signer.sign(claims(username: nil))),
            ]
            for (name, token) in cases {
                let reply = try await emulator.send(.GET, "/api/me", as: .bearer(token))
                #expect(reply.status == 401, "\(name)")
                #expect(reply.header("WWW-Authenticate")?.hasPrefix("Bearer error=\"invalid_token\"") == true, "\(name)")
            }
        }
    }

    static func claims(of jwt: String) -> JSONValue? {
        let parts = jwt.split(separator: ".")
        guard parts.count == 3, let data = Base64URL.decode(parts[1]) else { return nil }
        return try? JSONValue(parsing: data)
    }
}
