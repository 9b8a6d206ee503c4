/// Why an interactive OAuth2 login (``OAuth2Login``) failed. Never contains a code, token, verifier or secret.
public struct OAuth2LoginError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members (`error.code == .consentDenied`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case noAuthorizationServer, invalidConfiguration, receiverFailed, timeout, stateMismatch, missingCode
            case consentDenied, authorizationFailed, exchangeFailed
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server offers no OAuth2 authorization server: discovery answered 404, an HTML 401 or a login
        /// redirect (DHIS2 2.41, whose legacy `/uaa` server this login does not use, or 2.42+ with
        /// `oauth2.server.enabled` off).
        public static let noAuthorizationServer = Code(.noAuthorizationServer)
        /// The profile cannot be used for this login (not an OAuth2 profile, or a redirect URI that is not
        /// `http://127.0.0.1[:port]/path`).
        public static let invalidConfiguration = Code(.invalidConfiguration)
        /// The loopback redirect receiver could not listen (the redirect URI's port is taken, for example).
        public static let receiverFailed = Code(.receiverFailed)
        /// No redirect reached the loopback receiver in time.
        public static let timeout = Code(.timeout)
        /// The redirect carried a `state` other than the one sent: it did not come from this login.
        public static let stateMismatch = Code(.stateMismatch)
        /// The redirect carried neither a code nor an error.
        public static let missingCode = Code(.missingCode)
        /// The user (or the server on their behalf) refused consent: `error=access_denied`.
        public static let consentDenied = Code(.consentDenied)
        /// The authorization server redirected with another error (`invalid_scope`, `invalid_request`, …).
        public static let authorizationFailed = Code(.authorizationFailed)
        /// The token endpoint refused the code or could not be reached.
        public static let exchangeFailed = Code(.exchangeFailed)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened and what to do next.
    public var message: String
    /// The OAuth2 error code the server sent (`access_denied`, `invalid_grant`, …), when it sent one.
    public var oauthError: String?
    /// The HTTP status of the server's answer, when one was involved.
    public var status: Int?

    /// An error of kind `code`; `message` must say what happened and what to do, and never hold a secret.
    public init(_ code: Code, _ message: String, oauthError: String? = nil, status: Int? = nil) {
        self.code = code
        self.message = message
        self.oauthError = oauthError
        self.status = status
    }

    /// The kind and the message, e.g. `OAuth2LoginError.timeout: No login redirect reached …`.
    public var description: String { "OAuth2LoginError.\(code): \(message)" }
}
