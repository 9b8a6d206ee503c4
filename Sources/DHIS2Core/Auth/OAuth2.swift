import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// An OAuth2 access token with its refresh token and expiry. Its description never shows either token.
public struct OAuth2Token: Codable, Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The bearer access token. Treat it as a secret.
    public var accessToken: String
    /// The refresh token, when the server issued one. Treat it as a secret.
    public var refreshToken: String?
    /// When the access token stops being accepted.
    public var expiresAt: Date
    /// The granted scopes, space-separated, when the server said.
    public var scope: String?
    /// The token type; DHIS2 issues `Bearer` tokens.
    public var tokenType: String

    public init(
        accessToken: String, refreshToken: String? = nil, expiresAt: Date, scope: String? = nil,
        tokenType: String = "Bearer"
    ) {
        self.accessToken = accessToken
        self.refreshToken = refreshToken
        self.expiresAt = expiresAt
        self.scope = scope
        self.tokenType = tokenType
    }

    /// Whether the token expires within `margin` of `now` (or already has).
    public func expires(within margin: Duration, of now: Date) -> Bool {
        expiresAt.timeIntervalSince(now) <= margin.timeInterval
    }

    public var description: String {
        "OAuth2Token(accessToken: <redacted>, refreshToken: \(refreshToken == nil ? "none" : "<redacted>"), "
            + "expiresAt: \(expiresAt), scope: \(scope ?? "none"))"
    }

    public var debugDescription: String { description }
}

extension OAuth2Token: CustomReflectable {
    /// Keeps `dump()` and other mirror-based printing from showing the tokens.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "accessToken": "<redacted>", "refreshToken": refreshToken == nil ? "none" : "<redacted>",
                "expiresAt": expiresAt, "scope": scope ?? "none", "tokenType": tokenType,
            ])
    }
}

/// Where OAuth2 tokens are kept between requests and between runs.
///
/// The client saves every refreshed token here, so the next process starts from the newest one. `DHIS2Profiles`
/// provides a SQLite store (file mode 0600); ``InMemoryTokenStore`` keeps tokens for the life of the process.
public protocol TokenStore: Sendable {
    /// The token saved under `key`, if any.
    func token(for key: String) async throws -> OAuth2Token?
    /// Saves `token` under `key`, replacing any previous one.
    func save(_ token: OAuth2Token, for key: String) async throws
    /// Forgets the token saved under `key`.
    func removeToken(for key: String) async throws
}

/// A ``TokenStore`` that keeps tokens in memory for the life of the process.
public actor InMemoryTokenStore: TokenStore {
    private var tokens: [String: OAuth2Token] = [:]

    public init(tokens: [String: OAuth2Token] = [:]) { self.tokens = tokens }

    public func token(for key: String) -> OAuth2Token? { tokens[key] }
    public func save(_ token: OAuth2Token, for key: String) { tokens[key] = token }
    public func removeToken(for key: String) { tokens[key] = nil }
}

/// OAuth2 bearer authentication with automatic refresh.
///
/// The access token is refreshed (grant `refresh_token`) when it is within ``refreshMargin`` of expiry, or when the
/// server rejects it with 401. Concurrent requests share one in-flight refresh. Every new token is saved to the
/// token store. The client authenticates to the token endpoint with HTTP Basic (`client_secret_basic`), or sends its
/// `client_id` in the form when it has no secret (a public client).
public final class OAuth2Auth: AuthProvider, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The token endpoint: `<base>/oauth2/token` on DHIS2 2.42+, `<base>/uaa/oauth/token` on 2.41.
    public let tokenEndpoint: URL
    /// The OAuth2 client id.
    public let clientID: String
    /// How long before expiry a token is refreshed.
    public let refreshMargin: Duration
    private let refresher: TokenRefresher

    /// - Parameters:
    ///   - token: the token to start from; when `nil`, the one saved in `tokenStore` under `storeKey` is used.
    ///   - httpClient: the HTTP client for token requests; the shared one by default (it needs no shutdown).
    public init(
        tokenEndpoint: URL, clientID: String, clientSecret: String? = nil, token: OAuth2Token? = nil,
        tokenStore: any TokenStore = InMemoryTokenStore(), storeKey: String, refreshMargin: Duration = .seconds(60),
        clock: any DHIS2Clock = SystemClock(), httpClient: HTTPClient = .shared,
        logger: Logger = Logger(label: "dhis2.oauth2")
    ) {
        self.tokenEndpoint = tokenEndpoint
        self.clientID = clientID
        self.refreshMargin = refreshMargin
        self.refresher = TokenRefresher(
            request: TokenRequest(
                endpoint: tokenEndpoint, clientID: clientID, clientSecret: clientSecret, httpClient: httpClient,
                logger: logger),
            current: token, store: tokenStore, storeKey: storeKey, margin: refreshMargin, clock: clock)
    }

    public func authorization() async throws -> AuthorizationHeader? {
        let token = try await refresher.validToken()
        return AuthorizationHeader("Bearer \(token.accessToken)")
    }

    public func credentialsRejected(_ rejected: AuthorizationHeader?) async throws -> Bool {
        try await refresher.refreshAfterRejection(of: rejected)
        return true
    }

    /// The current token (refreshed first if it is about to expire).
    public func currentToken() async throws -> OAuth2Token { try await refresher.validToken() }

    public var description: String { "OAuth2Auth(clientID: \(clientID), tokenEndpoint: \(tokenEndpoint.absoluteString))" }
    public var debugDescription: String { description }

    /// Keeps `dump()` and other mirror-based printing from reaching the client secret or tokens.
    public var customMirror: Mirror {
        Mirror(self, children: ["clientID": clientID, "tokenEndpoint": tokenEndpoint, "refreshMargin": refreshMargin])
    }
}

/// Holds the current token and makes sure only one refresh is in flight at a time.
actor TokenRefresher {
    private let request: TokenRequest
    private var current: OAuth2Token?
    private var loadedFromStore = false
    private var inFlight: Task<OAuth2Token, any Error>?
    private let store: any TokenStore
    private let storeKey: String
    private let margin: Duration
    private let clock: any DHIS2Clock

    init(
        request: TokenRequest, current: OAuth2Token?, store: any TokenStore, storeKey: String, margin: Duration,
        clock: any DHIS2Clock
    ) {
        self.request = request
        self.current = current
        self.loadedFromStore = current != nil
        self.store = store
        self.storeKey = storeKey
        self.margin = margin
        self.clock = clock
    }

    func validToken() async throws -> OAuth2Token {
        if let inFlight { return try await inFlight.value }
        let token = try await loadCurrent()
        if !token.expires(within: margin, of: clock.now()) { return token }
        return try await refresh(from: token)
    }

    func refreshAfterRejection(of rejected: AuthorizationHeader?) async throws {
        if let inFlight {
            _ = try await inFlight.value
            return
        }
        let token = try await loadCurrent()
        // Another request already replaced the token the server rejected: nothing to do.
        if let rejected, rejected.value != "Bearer \(token.accessToken)" { return }
        _ = try await refresh(from: token)
    }

    private func loadCurrent() async throws -> OAuth2Token {
        if current == nil, !loadedFromStore {
            loadedFromStore = true
            current = try await store.token(for: storeKey)
        }
        guard let current else {
            throw DHIS2Error(
                code: .authentication,
                message: "No OAuth2 token is available for client \(request.clientID). Log in first "
                    + "(an authorization-code login), then retry.")
        }
        return current
    }

    private func refresh(from token: OAuth2Token) async throws -> OAuth2Token {
        if let inFlight { return try await inFlight.value }
        guard let refreshToken = token.refreshToken else {
            throw DHIS2Error(
                code: .authentication,
                message: "The OAuth2 access token for client \(request.clientID) has expired and no refresh token was "
                    + "issued. Log in again.")
        }
        let request = self.request
        let clock = self.clock
        let task = Task { try await request.refresh(using: refreshToken, previous: token, now: clock.now()) }
        inFlight = task
        defer { inFlight = nil }
        let fresh = try await task.value
        current = fresh
        try await store.save(fresh, for: storeKey)
        return fresh
    }
}

/// One token-endpoint exchange.
struct TokenRequest: Sendable {
    let endpoint: URL
    let clientID: String
    let clientSecret: String?
    let httpClient: HTTPClient
    let logger: Logger

    func refresh(using refreshToken: String, previous: OAuth2Token, now: Date) async throws -> OAuth2Token {
        var form = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        if clientSecret == nil { form.append(("client_id", clientID)) }
        let body = try await post(form: form, to: endpoint)
        guard let json = try? JSONValue(parsing: body.data), let accessToken = json["access_token"]?.stringValue
        else {
            throw DHIS2Error(
                code: .authentication,
                message: "The OAuth2 token endpoint answered \(body.status) without an access token.",
                method: "POST", path: endpoint.path, status: body.status)
        }
        let expiresIn = json["expires_in"]?.doubleValue ?? 3600
        logger.debug("OAuth2 token refreshed", metadata: ["client_id": "\(clientID)", "expires_in": "\(expiresIn)"])
        return OAuth2Token(
            accessToken: accessToken,
            refreshToken: json["refresh_token"]?.stringValue ?? previous.refreshToken,
            expiresAt: now.addingTimeInterval(expiresIn),
            scope: json["scope"]?.stringValue ?? previous.scope,
            tokenType: json["token_type"]?.stringValue ?? "Bearer")
    }

    private func post(form: [(String, String)], to url: URL) async throws -> (status: Int, data: Data) {
        let response: (status: Int, data: Data)
        do {
            response = try await OAuth2TokenEndpoint.post(
                form: form, to: url, clientID: clientID, clientSecret: clientSecret, httpClient: httpClient,
                logger: logger)
        } catch {
            throw DHIS2Error(
                code: .authentication,
                message: "Could not reach the OAuth2 token endpoint \(url.host ?? url.absoluteString) to refresh the "
                    + "access token. Check the connection and the server URL.",
                method: "POST", path: url.path, underlying: String(describing: type(of: error)))
        }
        let (status, data) = response
        guard (200..<300).contains(status) else {
            // RFC 6749 error bodies name the error; they never echo the refresh token or the client secret.
            let json = try? JSONValue(parsing: data)
            let code = json?["error"]?.stringValue ?? "HTTP \(status)"
            let detail = json?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            let advice =
                code == "invalid_grant"
                ? " The refresh token is no longer valid (expired, revoked, or the server restarted); log in again."
                : code == "invalid_client" ? " Check the client id and client secret." : ""
            throw DHIS2Error(
                code: .authentication,
                message: "The OAuth2 token refresh was refused (\(code)\(detail)).\(advice)",
                method: "POST", path: url.path, status: status)
        }
        return (status, data)
    }

}

/// One form POST to an OAuth2 token endpoint, shared by the refresh in ``OAuth2Auth`` and the authorization-code
/// exchange in DHIS2Profiles, so DHIS2's token-endpoint quirks are handled in one place.
package enum OAuth2TokenEndpoint {
    /// POSTs `form` (form-encoded) to `url`, authenticating the client with HTTP Basic (`client_secret_basic`) when it
    /// has a secret, and returns the status and body (at most 1 MiB). Throws only transport failures; reading the
    /// answer is the caller's.
    package static func post(
        form: [(String, String)], to url: URL, clientID: String, clientSecret: String?, httpClient: HTTPClient,
        logger: Logger, redirectsLeft: Int = 1
    ) async throws -> (status: Int, data: Data) {
        var request = HTTPClientRequest(url: url.absoluteString)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
        request.headers.add(name: "Accept", value: "application/json")
        if let clientSecret {
            let credentials = "\(PercentEncoding.encode(clientID)):\(PercentEncoding.encode(clientSecret))"
            request.headers.add(name: "Authorization", value: "Basic \(Data(credentials.utf8).base64EncodedString())")
        }
        let encoded = form.map { "\(PercentEncoding.encode($0.0))=\(PercentEncoding.encode($0.1))" }
            .joined(separator: "&")
        request.body = .bytes(ByteBuffer(string: encoded))
        let response = try await httpClient.execute(request, timeout: .seconds(30), logger: logger)
        let data = Data(buffer: try await response.body.collect(upTo: 1 << 20))
        let status = Int(response.status.code)
        // DHIS2 2.42.4 answered POST /oauth2/token with 301 to /oauth2/token/ (reference §1.4): follow it once on the
        // same origin, keeping the client credentials, which a generic redirect policy would drop.
        if [301, 302, 307, 308].contains(status), redirectsLeft > 0,
            let location = response.headers.first(name: "Location"),
            let target = URL(string: location, relativeTo: url)?.absoluteURL,
            target.host == url.host, target.scheme == url.scheme, target.port == url.port
        {
            return try await post(
                form: form, to: target, clientID: clientID, clientSecret: clientSecret, httpClient: httpClient,
                logger: logger, redirectsLeft: redirectsLeft - 1)
        }
        return (status, data)
    }
}

extension Duration {
    /// The duration in seconds as a `TimeInterval`.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
    }
}
