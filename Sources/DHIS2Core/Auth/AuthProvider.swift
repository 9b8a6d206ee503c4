import Foundation

/// Something that authenticates requests to DHIS2: Basic, personal access token, OAuth2, or your own scheme.
///
/// The client asks for an `Authorization` value before every request. When the server answers 401, the client calls
/// ``credentialsRejected(_:)`` with the value it sent; a provider that can obtain new credentials (an OAuth2 refresh)
/// returns `true` and the request is sent once more.
public protocol AuthProvider: Sendable {
    /// The `Authorization` header value for the next request, or `nil` to send none.
    func authorization() async throws -> AuthorizationHeader?
    /// Called after the server answered 401 to `rejected`, a value this provider returned. Return `true` when new
    /// credentials are now available and the request should be repeated once.
    func credentialsRejected(_ rejected: AuthorizationHeader?) async throws -> Bool
}

extension AuthProvider {
    /// Static credentials cannot be renewed: a 401 is final.
    public func credentialsRejected(_ rejected: AuthorizationHeader?) async throws -> Bool { false }
}

/// An `Authorization` header value. Its description never shows the secret.
public struct AuthorizationHeader: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The full header value, e.g. `Basic YWRtaW46ZGlzdHJpY3Q=`. Treat it as a secret.
    public let value: String

    public init(_ value: String) { self.value = value }

    /// Schemes whose name may be shown; anything else could be part of a secret.
    private static let knownSchemes: Set<String> = ["basic", "bearer", "apitoken", "digest", "token"]

    /// The scheme (`Basic`, `ApiToken`, `Bearer`) followed by a redaction marker; just the marker when the value does
    /// not start with a known scheme.
    public var description: String {
        let parts = value.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, let scheme = parts.first, AuthorizationHeader.knownSchemes.contains(scheme.lowercased())
        else { return "<redacted>" }
        return "\(scheme) <redacted>"
    }

    public var debugDescription: String { description }
}

extension AuthorizationHeader: CustomReflectable {
    /// Keeps `dump()` and other mirror-based printing from showing the value.
    public var customMirror: Mirror { Mirror(self, children: ["value": description]) }
}

/// HTTP Basic authentication with a DHIS2 username and password.
public struct BasicAuth: AuthProvider, CustomStringConvertible, CustomDebugStringConvertible {
    /// The DHIS2 username.
    public let username: String
    private let header: AuthorizationHeader

    public init(username: String, password: String) {
        self.username = username
        let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
        self.header = AuthorizationHeader("Basic \(encoded)")
    }

    public func authorization() async throws -> AuthorizationHeader? { header }

    public var description: String { "BasicAuth(username: \(username), password: <redacted>)" }
    public var debugDescription: String { description }
}

extension BasicAuth: CustomReflectable {
    /// Keeps `dump()` and other mirror-based printing from showing the password.
    public var customMirror: Mirror { Mirror(self, children: ["username": username, "password": "<redacted>"]) }
}

/// A DHIS2 personal access token (`d2p_…` since 2.41, `d2pat_…` before), sent as `Authorization: ApiToken <token>`.
public struct PersonalAccessTokenAuth: AuthProvider, CustomStringConvertible, CustomDebugStringConvertible {
    private let header: AuthorizationHeader

    public init(token: String) {
        self.header = AuthorizationHeader("ApiToken \(token.trimmingWhitespace())")
    }

    public func authorization() async throws -> AuthorizationHeader? { header }

    public var description: String { "PersonalAccessTokenAuth(token: <redacted>)" }
    public var debugDescription: String { description }
}

extension PersonalAccessTokenAuth: CustomReflectable {
    /// Keeps `dump()` and other mirror-based printing from showing the token.
    public var customMirror: Mirror { Mirror(self, children: ["token": "<redacted>"]) }
}
