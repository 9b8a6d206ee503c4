import Crypto
import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The OAuth2 authorization server of DHIS2 2.42+ (Spring Authorization Server, reference §1.4): discovery,
/// `/oauth2/authorize` (authorization code with PKCE), `/oauth2/token` (`authorization_code`, `refresh_token`),
/// `/oauth2/revoke` and `/oauth2/jwks`, with RS256 JWT access tokens.
///
/// Differences from a real server, all deliberate: consent is approved automatically once the user has logged in
/// (DHIS2 shows a consent page for clients that require it); authorization codes, refresh tokens and sessions live
/// in memory, so a restart invalidates them (the access tokens die anyway, the signing key being ephemeral);
/// `/oauth2/introspect`, `/userinfo`, `/connect/*` and dynamic client registration are not offered.
final class OAuth2Server: Sendable {
    /// How long access tokens live (Spring's default is 5 minutes).
    let accessTokenLifetime: Duration
    /// How long refresh tokens live (Spring's default is 60 minutes).
    let refreshTokenLifetime: Duration
    /// How long an authorization code may wait to be exchanged (Spring's default is 5 minutes).
    let authorizationCodeLifetime: Duration = .seconds(300)
    let sessions: SessionRegistry
    private let logger: Logger

    /// The RSA key, made on first use: generating it costs noticeable time, and most emulators never sign a token.
    private let signerBox = Mutex<JWTSigner?>(nil)
    /// `server.base.url` with a trailing `/`, known once the emulator listens.
    private let issuerBox: Mutex<String>
    private let grants = Mutex(Grants())

    private struct PendingCode {
        let clientID: String
        let username: String
        let redirectURI: String?
        let scopes: [String]
        let codeChallenge: String?
        let expiresAt: Date
    }

    private struct RefreshGrant {
        let clientID: String
        let username: String
        let scopes: [String]
        let expiresAt: Date
        var revoked = false
    }

    private struct Grants {
        var codes: [String: PendingCode] = [:]
        var refreshTokens: [String: RefreshGrant] = [:]
    }

    init(
        issuer: String, accessTokenLifetime: Duration, refreshTokenLifetime: Duration, sessions: SessionRegistry,
        logger: Logger
    ) {
        self.issuerBox = Mutex(issuer)
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.sessions = sessions
        self.logger = logger
    }

    var issuer: String { issuerBox.withLock { $0 } }

    /// Sets the issuer once the listening address is known (`<base URL>/`).
    func setIssuer(_ issuer: String) { issuerBox.withLock { $0 = issuer } }

    func signer() throws -> JWTSigner {
        try signerBox.withLock { signer in
            if let signer { return signer }
            let made = try JWTSigner()
            signer = made
            return made
        }
    }

    // MARK: Routing

    /// Answers a request to `/oauth2/*` or `/.well-known/*`, or `nil` for any other path.
    func respond(to request: Request, body: ByteBuffer, snapshot: StoreSnapshot, contextPath: String) -> Response? {
        let path = request.uri.path
        switch (request.method, path) {
        case (.get, "/.well-known/openid-configuration"):
            return Reply.json(discovery(openID: true))
        case (.get, "/.well-known/oauth-authorization-server"):
            return Reply.json(discovery(openID: false))
        case (.get, "/oauth2/jwks"):
            do {
                return Reply.json(["keys": [try signer().jwk()]])
            } catch {
                return Reply.webMessage(.internalServerError, message: "The signing key could not be created")
            }
        case (.get, "/oauth2/authorize"), (.post, "/oauth2/authorize"):
            let query = request.method == .get ? QueryParameters(request.uri.query) : Self.form(body)
            return authorize(query, request: request, snapshot: snapshot, contextPath: contextPath)
        case (.post, "/oauth2/token"):
            return token(Self.form(body), request: request, snapshot: snapshot)
        case (.post, "/oauth2/revoke"):
            return revoke(Self.form(body), request: request, snapshot: snapshot)
        default:
            if path.hasPrefix("/oauth2/") || path.hasPrefix("/.well-known/") { return Reply.tomcatNotFound(path: path) }
            return nil
        }
    }

    /// What a server without an authorization server answers (2.41, which had the legacy `/uaa` server instead, or
    /// 2.42+ with `oauth2.server.enabled` off): `/oauth2/*` gets Spring Security's HTML 401 with a Basic challenge,
    /// `/.well-known/*` is not mapped (reference §11.4).
    static func absent(path: String) -> Response? {
        if path.hasPrefix("/.well-known/") { return Reply.tomcatNotFound(path: path) }
        guard path.hasPrefix("/oauth2/") else { return nil }
        var headers = HTTPFields()
        headers[.wwwAuthenticate] = "Basic realm=\"DHIS2\""
        headers[.contentType] = "text/html;charset=utf-8"
        let html = """
            <!doctype html><html lang="en"><head><title>HTTP Status 401 – Unauthorized</title></head><body>\
            <h1>HTTP Status 401 – Unauthorized</h1><hr class="line" /><p><b>Type</b> Status Report</p>\
            <p><b>Message</b> Unauthorized</p><hr class="line" /><h3>Apache Tomcat/10.1</h3></body></html>
            """
        return Response(status: .unauthorized, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    // MARK: Discovery

    private func endpoint(_ path: String) -> String {
        let base = issuer.hasSuffix("/") ? String(issuer.dropLast()) : issuer
        return base + path
    }

    /// Spring Authorization Server's metadata document (RFC 8414; OpenID Connect Discovery adds the OIDC members).
    func discovery(openID: Bool) -> JSONValue {
        var document: [String: JSONValue] = [
            "issuer": .string(issuer),
            "authorization_endpoint": .string(endpoint("/oauth2/authorize")),
            "token_endpoint": .string(endpoint("/oauth2/token")),
            "token_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
            ],
            "jwks_uri": .string(endpoint("/oauth2/jwks")),
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code", "client_credentials", "refresh_token"],
            "revocation_endpoint": .string(endpoint("/oauth2/revoke")),
            "revocation_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
            ],
            "introspection_endpoint": .string(endpoint("/oauth2/introspect")),
            "introspection_endpoint_auth_methods_supported": [
                "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt",
            ],
            "code_challenge_methods_supported": ["S256"],
        ]
        if openID {
            document["userinfo_endpoint"] = .string(endpoint("/userinfo"))
            document["end_session_endpoint"] = .string(endpoint("/connect/logout"))
            document["subject_types_supported"] = ["public"]
            document["id_token_signing_alg_values_supported"] = ["RS256"]
            document["scopes_supported"] = ["openid"]
        }
        return .object(document)
    }

    // MARK: Authorization endpoint

    private func authorize(
        _ query: QueryParameters, request: Request, snapshot: StoreSnapshot, contextPath: String
    ) -> Response {
        // Errors about the client or the redirect URI cannot be sent to the client: Spring answers 400 itself.
        guard let clientID = query["client_id"], !clientID.isEmpty,
            let client = RegisteredClient.find(clientID, in: snapshot)
        else { return Self.errorPage("[invalid_request] OAuth 2.0 Parameter: client_id") }
        let requestedRedirect = query["redirect_uri"]
        let redirectURI: String
        if let requestedRedirect {
            guard client.allows(redirectURI: requestedRedirect) else {
                return Self.errorPage("[invalid_request] OAuth 2.0 Parameter: redirect_uri")
            }
            redirectURI = requestedRedirect
        } else {
            guard client.redirectURIs.count == 1, let only = client.redirectURIs.first else {
                return Self.errorPage("[invalid_request] OAuth 2.0 Parameter: redirect_uri")
            }
            redirectURI = only
        }
        let state = query["state"]
        func fail(_ error: String, _ parameter: String) -> Response {
            Self.redirect(
                to: redirectURI,
                with: [
                    ("error", error), ("error_description", "OAuth 2.0 Parameter: \(parameter)"),
                    ("error_uri", "https://datatracker.ietf.org/doc/html/rfc6749#section-4.1.2.1"),
                ] + (state.map { [("state", $0)] } ?? []))
        }
        guard query["response_type"] == "code" else { return fail("unsupported_response_type", "response_type") }
        guard client.grantTypes.contains("authorization_code") else { return fail("unauthorized_client", "client_id") }
        let scopes = (query["scope"] ?? "").split(separator: " ").map(String.init)
        guard scopes.allSatisfy(client.scopes.contains) else { return fail("invalid_scope", "scope") }
        let challenge = query["code_challenge"].flatMap { $0.isEmpty ? nil : $0 }
        if challenge != nil {
            guard (query["code_challenge_method"] ?? "S256") == "S256" else {
                return fail("invalid_request", "code_challenge_method")
            }
        } else if client.requiresProofKey {
            return fail("invalid_request", "code_challenge")
        }

        guard let username = sessions.username(for: request) else {
            // Not logged in: remember the request and send the browser to the login app, which logs in through
            // POST /api/auth/login and then returns here (reference §1.4).
            let target = contextPath + request.uri.path + (request.uri.query.map { "?" + $0 } ?? "")
            var headers = HTTPFields()
            if let newSession = sessions.saveRequest(target, for: request) {
                headers[.setCookie] = SessionRegistry.setCookie(newSession)
            }
            headers[.location] = contextPath + "/dhis-web-login/"
            return Response(status: .found, headers: headers)
        }
        guard snapshot.user(named: username) != nil else { return Self.errorPage("[access_denied] unknown user") }

        // Consent is approved automatically in the emulator (a real DHIS2 asks the user when the client requires it).
        let code = Self.randomToken()
        grants.withLock {
            $0.codes[code] = PendingCode(
                clientID: client.clientID, username: username, redirectURI: requestedRedirect, scopes: scopes,
                codeChallenge: challenge, expiresAt: Date().addingTimeInterval(authorizationCodeLifetime.inSeconds))
        }
        logger.debug("OAuth2 authorization code issued", metadata: ["client_id": "\(client.clientID)"])
        return Self.redirect(to: redirectURI, with: [("code", code)] + (state.map { [("state", $0)] } ?? []))
    }

    // MARK: Token endpoint

    private enum ClientAuthentication {
        case authenticated(RegisteredClient)
        case failed(Response)
    }

    /// RFC 6749 §2.3 client authentication: HTTP Basic, form `client_secret`, or a public client's `client_id`.
    private func authenticateClient(
        _ form: QueryParameters, request: Request, snapshot: StoreSnapshot, allowPublic: Bool
    ) -> ClientAuthentication {
        let invalid = ClientAuthentication.failed(Self.oauthError("invalid_client", status: .unauthorized))
        if let header = request.headers[.authorization], header.lowercased().hasPrefix("basic ") {
            guard let data = Data(base64Encoded: String(header.dropFirst(6)).trimmingCharacters(in: .whitespaces)),
                let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
            else { return invalid }
            let id = QueryParameters.decode(decoded[..<colon])
            let secret = QueryParameters.decode(decoded[decoded.index(after: colon)...])
            guard let client = RegisteredClient.find(id, in: snapshot),
                client.authenticationMethods.contains("client_secret_basic"), client.accepts(secret: secret)
            else { return invalid }
            return .authenticated(client)
        }
        guard let id = form["client_id"], let client = RegisteredClient.find(id, in: snapshot) else { return invalid }
        if let secret = form["client_secret"] {
            guard client.authenticationMethods.contains("client_secret_post"), client.accepts(secret: secret) else {
                return invalid
            }
            return .authenticated(client)
        }
        guard allowPublic, client.isPublic else { return invalid }
        return .authenticated(client)
    }

    private func token(_ form: QueryParameters, request: Request, snapshot: StoreSnapshot) -> Response {
        let grantType = form["grant_type"]
        // A public client may only redeem an authorization code with its PKCE verifier.
        let allowPublic = grantType == "authorization_code" && form["code_verifier"] != nil
        let client: RegisteredClient
        switch authenticateClient(form, request: request, snapshot: snapshot, allowPublic: allowPublic) {
        case .authenticated(let authenticated): client = authenticated
        case .failed(let response): return response
        }
        switch grantType {
        case "authorization_code":
            return exchange(form, client: client, snapshot: snapshot)
        case "refresh_token":
            return refresh(form, client: client, snapshot: snapshot)
        case "client_credentials":
            // Only DHIS2's internal DCR registrar may use this grant; ordinary clients cannot register it.
            return Self.oauthError("unauthorized_client")
        case nil:
            return Self.oauthError("invalid_request", description: "OAuth 2.0 Parameter: grant_type")
        default:
            return Self.oauthError("unsupported_grant_type")
        }
    }

    private func exchange(_ form: QueryParameters, client: RegisteredClient, snapshot: StoreSnapshot) -> Response {
        guard client.grantTypes.contains("authorization_code") else { return Self.oauthError("unauthorized_client") }
        guard let code = form["code"] else {
            return Self.oauthError("invalid_request", description: "OAuth 2.0 Parameter: code")
        }
        // Codes are single use: taken out whether or not the rest of the request is valid.
        guard let pending = grants.withLock({ $0.codes.removeValue(forKey: code) }),
            pending.clientID == client.clientID, pending.expiresAt > Date()
        else { return Self.oauthError("invalid_grant") }
        if let redirect = pending.redirectURI, form["redirect_uri"] != redirect { return Self.oauthError("invalid_grant") }
        if let challenge = pending.codeChallenge {
            guard let verifier = form["code_verifier"],
                Base64URL.encode(Array(SHA256.hash(data: Data(verifier.utf8)))) == challenge
            else { return Self.oauthError("invalid_grant") }
        } else if client.isPublic || form["code_verifier"] != nil {
            return Self.oauthError("invalid_grant")
        }
        guard let user = snapshot.user(named: pending.username) else { return Self.oauthError("invalid_grant") }
        var refreshToken: String?
        // Spring Authorization Server issues no refresh token to a public client.
        if client.grantTypes.contains("refresh_token"), !client.isPublic {
            let token = Self.randomToken()
            grants.withLock {
                $0.refreshTokens[token] = RefreshGrant(
                    clientID: client.clientID, username: pending.username, scopes: pending.scopes,
                    expiresAt: Date().addingTimeInterval(refreshTokenLifetime.inSeconds))
            }
            refreshToken = token
        }
        return tokenResponse(
            client: client, user: user, scopes: pending.scopes, refreshToken: refreshToken, withIDToken: true)
    }

    private func refresh(_ form: QueryParameters, client: RegisteredClient, snapshot: StoreSnapshot) -> Response {
        guard client.grantTypes.contains("refresh_token") else { return Self.oauthError("unauthorized_client") }
        guard let token = form["refresh_token"] else {
            return Self.oauthError("invalid_request", description: "OAuth 2.0 Parameter: refresh_token")
        }
        guard let grant = grants.withLock({ $0.refreshTokens[token] }), grant.clientID == client.clientID,
            !grant.revoked, grant.expiresAt > Date(), let user = snapshot.user(named: grant.username)
        else { return Self.oauthError("invalid_grant") }
        var scopes = grant.scopes
        if let requested = form["scope"] {
            let narrowed = requested.split(separator: " ").map(String.init)
            guard narrowed.allSatisfy(grant.scopes.contains) else { return Self.oauthError("invalid_scope") }
            scopes = narrowed
        }
        // Spring reuses refresh tokens by default (`reuseRefreshTokens`), so the same one comes back.
        return tokenResponse(client: client, user: user, scopes: scopes, refreshToken: token, withIDToken: false)
    }

    private func tokenResponse(
        client: RegisteredClient, user: StoredUser, scopes: [String], refreshToken: String?, withIDToken: Bool
    ) -> Response {
        let now = Date()
        let lifetime = accessTokenLifetime.inSeconds
        let issuedAt = now.timeIntervalSince1970.rounded(.down)
        var claims: [String: JSONValue] = [
            "sub": .string(user.username),
            "aud": .string(client.clientID),
            "nbf": .number(issuedAt),
            "scope": .array(scopes.map(JSONValue.string)),
            "iss": .string(issuer),
            "exp": .number(issuedAt + lifetime.rounded(.down)),
            "iat": .number(issuedAt),
            "jti": .string(UUID().uuidString.lowercased()),
        ]
        // DHIS2's token customizer adds these when the scope asks for them (AuthorizationServerConfig).
        if scopes.contains("username") { claims["username"] = .string(user.username) }
        if scopes.contains("email"), let email = user.profile["email"]?.stringValue { claims["email"] = .string(email) }
        var body: [String: JSONValue] = [
            "token_type": "Bearer",
            "expires_in": .number(max(0, lifetime.rounded(.down) - 1)),
        ]
        do {
            let signer = try signer()
            body["access_token"] = .string(try signer.sign(.object(claims)))
            if withIDToken, scopes.contains("openid") {
                let idClaims: [String: JSONValue] = [
                    "sub": .string(user.username), "aud": .string(client.clientID), "azp": .string(client.clientID),
                    "iss": .string(issuer), "iat": .number(issuedAt), "exp": .number(issuedAt + 1800),
                    "auth_time": .number(issuedAt), "jti": .string(UUID().uuidString.lowercased()),
                ]
                body["id_token"] = .string(try signer.sign(.object(idClaims)))
            }
        } catch {
            return Self.oauthError("server_error", status: .internalServerError)
        }
        if let refreshToken { body["refresh_token"] = .string(refreshToken) }
        if !scopes.isEmpty { body["scope"] = .string(scopes.joined(separator: " ")) }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
        logger.debug("OAuth2 access token issued", metadata: ["client_id": "\(client.clientID)"])
        return Reply.json(.object(body), headers: headers)
    }

    // MARK: Revocation

    /// RFC 7009: always 200 for an authenticated client; a refresh token of that client stops working.
    private func revoke(_ form: QueryParameters, request: Request, snapshot: StoreSnapshot) -> Response {
        let client: RegisteredClient
        switch authenticateClient(form, request: request, snapshot: snapshot, allowPublic: false) {
        case .authenticated(let authenticated): client = authenticated
        case .failed(let response): return response
        }
        guard let token = form["token"] else {
            return Self.oauthError("invalid_request", description: "OAuth 2.0 Parameter: token")
        }
        grants.withLock { grants in
            if grants.refreshTokens[token]?.clientID == client.clientID { grants.refreshTokens[token]?.revoked = true }
        }
        return Response(status: .ok)
    }

    // MARK: Bearer tokens on /api

    enum BearerResult {
        case user(StoredUser)
        case rejected(String)
    }

    /// Checks a JWT bearer token as DHIS2's JWT filter does: signature, expiry, issuer, audience = a registered
    /// client, then the `username` mapping claim of the internal provider.
    func authenticate(bearer token: String, snapshot: StoreSnapshot) -> BearerResult {
        let claims: [String: JSONValue]
        do {
            claims = try signer().verify(token, issuer: issuer, now: Date())
        } catch let rejection as JWTSigner.Rejection {
            let prefix = "An error occurred while attempting to decode the Jwt: "
            switch rejection {
            case .malformed: return .rejected(prefix + "Malformed token")
            case .badSignature: return .rejected(prefix + "Signed JWT rejected: Invalid signature")
            case .expired: return .rejected(prefix + "Jwt expired")
            case .wrongIssuer: return .rejected(prefix + "The iss claim is not valid")
            }
        } catch {
            return .rejected("An error occurred while attempting to decode the Jwt: no signing key")
        }
        let audiences = claims["aud"]?.stringValue.map { [$0] } ?? (claims["aud"]?.arrayValue ?? []).compactMap(\.stringValue)
        guard audiences.contains(where: { RegisteredClient.find($0, in: snapshot) != nil }) else {
            return .rejected("Invalid audience: no registered OAuth2 client matches the token's audience")
        }
        let mapped = claims["username"]?.stringValue
        guard let mapped, let user = snapshot.user(named: mapped) else {
            return .rejected(
                "Found no matching DHIS2 user for the mapping claim: 'username' with the value: '\(mapped ?? "null")'")
        }
        return .user(user)
    }

    // MARK: Helpers

    static func form(_ body: ByteBuffer) -> QueryParameters {
        QueryParameters(String(decoding: body.readableBytesView, as: UTF8.self))
    }

    static func randomToken() -> String {
        var rng = SystemRandomNumberGenerator()
        return Base64URL.encode((0..<48).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    /// An RFC 6749 §5.2 error body.
    static func oauthError(_ error: String, description: String? = nil, status: HTTPResponse.Status = .badRequest)
        -> Response
    {
        var body: [String: JSONValue] = ["error": .string(error)]
        if let description { body["error_description"] = .string(description) }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        headers[.pragma] = "no-cache"
        return Reply.json(.object(body), status: status, headers: headers)
    }

    static func redirect(to uri: String, with parameters: [(String, String)]) -> Response {
        let query = parameters.map { QueryParameters.encode($0.0) + "=" + QueryParameters.encode($0.1) }
            .joined(separator: "&")
        var headers = HTTPFields()
        headers[.location] = uri + (uri.contains("?") ? "&" : "?") + query
        return Response(status: .found, headers: headers)
    }

    /// Spring Authorization Server's `sendError(400, …)`: Tomcat's HTML error page.
    static func errorPage(_ message: String) -> Response {
        let escaped = message.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        let html = """
            <!doctype html><html lang="en"><head><title>HTTP Status 400 – Bad Request</title></head><body>\
            <h1>HTTP Status 400 – Bad Request</h1><hr class="line" /><p><b>Message</b> \(escaped)</p>\
            <hr class="line" /><h3>Apache Tomcat/10.1</h3></body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html;charset=utf-8"
        return Response(status: .badRequest, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }
}

extension Duration {
    /// The duration in (fractional) seconds.
    var inSeconds: TimeInterval {
        let (whole, attoseconds) = components
        return TimeInterval(whole) + TimeInterval(attoseconds) / 1e18
    }
}

extension HTTPField.Name {
    // A literal, valid header name: the force unwrap cannot fail.
    static let pragma = HTTPField.Name("Pragma")!
}
