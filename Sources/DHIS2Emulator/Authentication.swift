import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Who a request acts as, once authenticated.
struct Principal: Sendable {
    let user: StoredUser
}

/// Opaque bearer tokens registered from outside (``Emulator/registerBearerToken(_:username:expiresAt:)``), by token
/// text; the OAuth2 server's own JWTs are checked by ``OAuth2Server`` instead.
final class BearerTokenRegistry: Sendable {
    private struct Entry {
        let username: String
        let expiresAt: Date
    }

    private let tokens = Mutex<[String: Entry]>([:])

    func register(_ token: String, username: String, expiresAt: Date) {
        tokens.withLock { $0[token] = Entry(username: username, expiresAt: expiresAt) }
    }

    /// The username for a live token, or `nil` when unknown or expired.
    func username(for token: String, now: Date) -> String? {
        tokens.withLock { tokens in
            guard let entry = tokens[token], entry.expiresAt > now else { return nil }
            return entry.username
        }
    }
}

/// DHIS2's authentication chain: API token filter, HTTP Basic, JWT bearer, then the session or the login redirect
/// (§1).
struct Authenticator: Sendable {
    let bearerTokens: BearerTokenRegistry
    /// Sessions made by `POST /api/auth/login`, accepted when a request carries no `Authorization` header.
    var sessions: SessionRegistry = SessionRegistry()
    /// The authorization server whose JWT access tokens are accepted as bearer tokens (2.42+).
    var oauth2: OAuth2Server?

    enum Outcome: Sendable {
        case authenticated(Principal)
        case rejected(Response)
    }

    func authenticate(
        request: Request, snapshot: StoreSnapshot, contextPath: String, remoteAddress: String?
    ) -> Outcome {
        guard let header = request.headers[.authorization], !header.isEmpty else {
            if let username = sessions.username(for: request), let user = snapshot.user(named: username) {
                return .authenticated(Principal(user: user))
            }
            return .rejected(unauthenticated(request: request, contextPath: contextPath))
        }
        let scheme = header.prefix { $0 != " " }.lowercased()
        let credentials = header.drop { $0 != " " }.drop { $0 == " " }
        switch scheme {
        case "apitoken":
            return apiToken(
                header: header, token: String(credentials), request: request, snapshot: snapshot,
                remoteAddress: remoteAddress)
        case "basic":
            return basic(String(credentials), snapshot: snapshot)
        case "bearer":
            return bearer(String(credentials), snapshot: snapshot)
        default:
            return .rejected(unauthenticated(request: request, contextPath: contextPath))
        }
    }

    /// No usable credentials: browsers are sent to the login app; `X-Requested-With: XMLHttpRequest` gets a 401
    /// WebMessage instead (`Http401LoginUrlAuthenticationEntryPoint`).
    private func unauthenticated(request: Request, contextPath: String) -> Response {
        if request.headers[.xRequestedWith]?.lowercased() == "xmlhttprequest" {
            return Reply.webMessage(.unauthorized, message: "Unauthorized")
        }
        var headers = HTTPFields()
        headers[.location] = contextPath + "/dhis-web-login/"
        return Response(status: .found, headers: headers)
    }

    private func basic(_ credentials: String, snapshot: StoreSnapshot) -> Outcome {
        guard let data = Data(base64Encoded: credentials.trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8), let colon = decoded.firstIndex(of: ":")
        else { return .rejected(Reply.webMessage(.unauthorized, message: "Unauthorized")) }
        let username = String(decoded[..<colon])
        let password = String(decoded[decoded.index(after: colon)...])
        guard let user = snapshot.user(named: username), user.accepts(password: password) else {
            return .rejected(Reply.webMessage(.unauthorized, message: "Unauthorized"))
        }
        return .authenticated(Principal(user: user))
    }

    private func apiToken(
        header: String, token: String, request: Request, snapshot: StoreSnapshot, remoteAddress: String?
    ) -> Outcome {
        func fail(_ status: HTTPResponse.Status, _ message: String) -> Outcome {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] = "ApiToken"
            return .rejected(Reply.webMessage(status, message: message, headers: headers))
        }
        // `^ApiToken [a-z0-9-._~+/]+=*$`: exactly one space after the scheme, then the token.
        let afterScheme = header.dropFirst("ApiToken".count)
        guard afterScheme.hasPrefix(" "), PersonalAccessToken.isWellFormedHeaderToken(String(afterScheme.dropFirst()))
        else { return fail(.badRequest, "Api token is malformed") }
        guard PersonalAccessToken.hasValidChecksum(token) else { return fail(.badRequest, "Checksum validation failed") }
        let hash = PersonalAccessToken.hash(token)
        guard let stored = snapshot.tokens.values.first(where: { $0.keyHash == hash }),
            let owner = snapshot.users[stored.ownerID]
        else { return fail(.unauthorized, "The API token does not exists") }
        if let expire = stored.expire, expire < Int64(Date().timeIntervalSince1970 * 1000) {
            return fail(.unauthorized, "Failed to authenticate API token, token has expired.")
        }
        for attribute in stored.object["attributes"]?.arrayValue ?? [] {
            switch attribute["type"]?.stringValue {
            case "IpAllowedList":
                let allowed = (attribute["allowedIps"]?.arrayValue ?? []).compactMap(\.stringValue)
                let forwarded = request.headers[.xForwardedFor]
                let address = forwarded ?? remoteAddress ?? ""
                if !allowed.isEmpty, !allowed.contains(address) {
                    return fail(.unauthorized, "Failed to authenticate API token, request ip address is not allowed.")
                }
            case "MethodAllowedList":
                let allowed = (attribute["allowedMethods"]?.arrayValue ?? []).compactMap { $0.stringValue?.uppercased() }
                if !allowed.isEmpty, !allowed.contains(request.method.rawValue.uppercased()) {
                    return fail(.unauthorized, "Failed to authenticate API token, request http method is not allowed.")
                }
            case "RefererAllowedList":
                let allowed = Set((attribute["allowedReferrers"]?.arrayValue ?? []).compactMap { $0.stringValue?.lowercased() })
                let referer = request.headers[.referer]?.lowercased()
                if !allowed.isEmpty, referer.map({ !allowed.contains($0) }) ?? true {
                    return fail(
                        .unauthorized, "Failed to authenticate API token, request http referrer is missing or not allowed.")
                }
            default:
                continue
            }
        }
        return .authenticated(Principal(user: owner))
    }

    private func bearer(_ token: String, snapshot: StoreSnapshot) -> Outcome {
        func fail(_ description: String) -> Outcome {
            var headers = HTTPFields()
            headers[.wwwAuthenticate] =
                "Bearer error=\"invalid_token\", error_description=\"\(description)\", "
                + "error_uri=\"https://tools.ietf.org/html/rfc6750#section-3.1\""
            return .rejected(Response(status: .unauthorized, headers: headers))
        }
        guard let username = bearerTokens.username(for: token, now: Date()) else {
            // Not a registered token: a JWT from the emulator's own authorization server (2.42+), or nothing.
            if let oauth2, token.split(separator: ".", omittingEmptySubsequences: false).count == 3 {
                switch oauth2.authenticate(bearer: token, snapshot: snapshot) {
                case .user(let user): return .authenticated(Principal(user: user))
                case .rejected(let description): return fail(description)
                }
            }
            return fail("An error occurred while attempting to decode the Jwt: Invalid or expired token")
        }
        guard let user = snapshot.user(named: username) else {
            return fail("Found no matching DHIS2 user for the mapping claim: 'username' with the value: '\(username)'")
        }
        return .authenticated(Principal(user: user))
    }
}

extension HTTPField.Name {
    // Literal, valid header names: the force unwraps cannot fail.
    static let xRequestedWith = HTTPField.Name("X-Requested-With")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
}
