import DHIS2

/// How to reach one DHIS2 server: its base URL, how to authenticate, and connection settings.
///
/// Building a profile in memory never touches the disk. Profiles usually come from a `profiles.toml` file or the
/// environment through ``Profiles``; open one with ``DHIS2Client/open(_:options:)``. The description and `dump()` of a
/// profile never show its password, token or client secret.
public struct Profile: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The profile's name; `nil` for a profile built from environment variables.
    public var name: String?
    /// The server's root URL, e.g. `https://dhis2.example.org`.
    public var baseURL: String
    /// How requests authenticate.
    public var auth: Auth
    /// The API generation to speak without asking the server (`version = "v42"`); `nil` detects it at connect.
    public var version: APIVersion?
    /// Whether TLS certificates are verified (`verify_tls`, on by default).
    public var verifiesTLS: Bool
    /// The longest a request may take (`timeout`, seconds); `nil` keeps the client's default.
    public var timeout: Duration?
    /// The longest establishing a connection may take (`connect_timeout`, seconds); `nil` keeps the default.
    public var connectTimeout: Duration?

    /// A profile with the given settings; TLS verification is on unless turned off.
    public init(
        name: String? = nil, baseURL: String, auth: Auth, version: APIVersion? = nil, verifiesTLS: Bool = true,
        timeout: Duration? = nil, connectTimeout: Duration? = nil
    ) {
        self.name = name
        self.baseURL = baseURL
        self.auth = auth
        self.version = version
        self.verifiesTLS = verifiesTLS
        self.timeout = timeout
        self.connectTimeout = connectTimeout
    }

    /// How a profile authenticates.
    public enum Auth: Sendable, Hashable, CustomStringConvertible {
        /// HTTP Basic with a DHIS2 username and password (`auth = "basic"`).
        case basic(username: String, password: String)
        /// A personal access token (`auth = "pat"`).
        case pat(token: String)
        /// OAuth2 authorization code with a stored, refreshed token (`auth = "oauth2"`).
        case oauth2(OAuth2Settings)
        /// A kind this package does not support (e.g. `session`): listed, but refused when used.
        case unsupported(kind: String)

        /// The `auth` value as written in `profiles.toml`: `basic`, `pat`, `oauth2` or the unsupported kind.
        public var kind: String {
            switch self {
            case .basic: "basic"
            case .pat: "pat"
            case .oauth2: "oauth2"
            case .unsupported(let kind): kind
            }
        }

        /// The kind and its non-secret fields; secrets show as `<redacted>`.
        public var description: String {
            switch self {
            case .basic(let username, _): "basic(username: \(username), password: <redacted>)"
            case .pat: "pat(token: <redacted>)"
            case .oauth2(let settings): "oauth2(\(settings))"
            case .unsupported(let kind): "unsupported(\(kind))"
            }
        }
    }

    /// Whether `name` can name a profile: a letter, then letters, digits or `_`, at most 64 characters.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.unicodeScalars.count <= 64, first.isASCIILetter else {
            return false
        }
        return name.unicodeScalars.allSatisfy { $0.isASCIILetter || $0.isASCIIDigit || $0 == "_" }
    }

    public var description: String {
        var parts = ["name: \(name ?? "(environment)")", "baseURL: \(baseURL)", "auth: \(auth)"]
        if let version { parts.append("version: \(version)") }
        if !verifiesTLS { parts.append("verifiesTLS: false") }
        if let timeout { parts.append("timeout: \(timeout)") }
        if let connectTimeout { parts.append("connectTimeout: \(connectTimeout)") }
        return "Profile(\(parts.joined(separator: ", ")))"
    }

    public var debugDescription: String { description }

    /// Keeps `dump()` and other mirror-based printing from showing secrets.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "name": name ?? "(environment)", "baseURL": baseURL, "auth": auth.description,
                "version": version?.key ?? "detect", "verifiesTLS": verifiesTLS,
            ])
    }
}

/// What an OAuth2 profile needs to log in and refresh: the client registered on the DHIS2 server.
public struct OAuth2Settings: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    /// The OAuth2 client id (`client_id`).
    public var clientID: String
    /// The client secret (`client_secret`); `nil` for a public client. Treat it as a secret.
    public var clientSecret: String?
    /// The scopes to request, space-separated (`scope`), e.g. `openid email`.
    public var scope: String?
    /// The redirect URI registered for the client (`redirect_uri`), e.g. `http://127.0.0.1:8765/callback`; `nil` lets
    /// the login choose a loopback address.
    public var redirectURI: String?

    /// Settings for the client `clientID`.
    public init(clientID: String, clientSecret: String? = nil, scope: String? = nil, redirectURI: String? = nil) {
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.scope = scope
        self.redirectURI = redirectURI
    }

    public var description: String {
        var parts = ["clientID: \(clientID)", "clientSecret: \(clientSecret == nil ? "none" : "<redacted>")"]
        if let scope { parts.append("scope: \(scope)") }
        if let redirectURI { parts.append("redirectURI: \(redirectURI)") }
        return parts.joined(separator: ", ")
    }

    public var debugDescription: String { description }

    /// Keeps `dump()` and other mirror-based printing from showing the client secret.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "clientID": clientID, "clientSecret": clientSecret == nil ? "none" : "<redacted>",
                "scope": scope ?? "none", "redirectURI": redirectURI ?? "none",
            ])
    }
}

extension Unicode.Scalar {
    var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
    var isASCIIDigit: Bool { ("0"..."9").contains(self) }
}
