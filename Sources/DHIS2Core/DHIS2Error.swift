/// The one error family thrown by swift-dhis2.
///
/// Every error says what happened, to which request, and what to do next. None ever contains a password, token,
/// client secret or `Authorization` header: request headers are never copied into an error, and URLs are reduced to
/// their path.
public struct DHIS2Error: Error, Sendable, CustomStringConvertible {
    /// What kind of failure this is; compare with the static members (`error.code == .unauthorized`).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private enum Base: String, Hashable, Sendable {
            case api, unauthorized, transport, timeout, decoding, unexpectedContent, unsupportedVersion
            case invalidUID, invalidBaseURL, invalidRequest, authentication, cancelled, responseTooLarge
            case jobTimeout
        }

        private let base: Base
        private init(_ base: Base) { self.base = base }

        /// The server answered with an error status (other than 401).
        public static let api = Code(.api)
        /// The server answered 401, or redirected an unauthenticated request to its login page.
        public static let unauthorized = Code(.unauthorized)
        /// The connection could not be made or was dropped.
        public static let transport = Code(.transport)
        /// The connection or the read timed out.
        public static let timeout = Code(.timeout)
        /// The body was JSON but not of the expected shape.
        public static let decoding = Code(.decoding)
        /// The body was not JSON (an HTML login page, a proxy error page, …).
        public static let unexpectedContent = Code(.unexpectedContent)
        /// The server's DHIS2 version is outside 2.41–2.44 and fallback was not allowed.
        public static let unsupportedVersion = Code(.unsupportedVersion)
        /// A string that is not a DHIS2 UID was given where one is required.
        public static let invalidUID = Code(.invalidUID)
        /// The base URL is malformed or uses a scheme other than http/https.
        public static let invalidBaseURL = Code(.invalidBaseURL)
        /// The request could not be built (bad path, unencodable body, …).
        public static let invalidRequest = Code(.invalidRequest)
        /// Credentials could not be obtained (e.g. an OAuth2 token refresh failed).
        public static let authentication = Code(.authentication)
        /// The task was cancelled.
        public static let cancelled = Code(.cancelled)
        /// A response body exceeded the configured buffering limit.
        public static let responseTooLarge = Code(.responseTooLarge)
        /// A background job did not finish within the time the caller was willing to wait (the job itself may still
        /// be running on the server).
        public static let jobTimeout = Code(.jobTimeout)

        public var description: String { base.rawValue }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened and what to do next.
    public var message: String
    /// The HTTP method of the failed request, when there was one.
    public var method: String?
    /// The path (with query, never credentials) of the failed request, when there was one.
    public var path: String?
    /// The HTTP status, when the server answered.
    public var status: Int?
    /// The server's WebMessage, when the error body was one.
    public var webMessage: WebMessage?
    /// The raw response body (truncated to 64 KiB), when the server answered.
    public var body: String?
    /// Where in the JSON decoding failed, e.g. `["dataElements", "3", "valueType"]`.
    public var codingPath: [String]?
    /// A description of the underlying error (transport, decoding), when there was one.
    public var underlying: String?

    public init(
        code: Code, message: String, method: String? = nil, path: String? = nil, status: Int? = nil,
        webMessage: WebMessage? = nil, body: String? = nil, codingPath: [String]? = nil, underlying: String? = nil
    ) {
        self.code = code
        self.message = message
        self.method = method
        self.path = path
        self.status = status
        self.webMessage = webMessage
        self.body = body
        self.codingPath = codingPath
        self.underlying = underlying
    }

    /// Whether the server refused the credentials (HTTP 401 or a redirect to its login page).
    public var isUnauthorized: Bool { code == .unauthorized }

    public var description: String {
        var text = "DHIS2Error.\(code): \(message)"
        if let method, let path { text += " [\(method) \(path)]" }
        if let status { text += " (HTTP \(status))" }
        if let serverMessage = webMessage?.message, !message.contains(serverMessage) {
            text += " — server said: \(serverMessage)"
        }
        if let errorCode = webMessage?.errorCode { text += " [\(errorCode)]" }
        if let codingPath, !codingPath.isEmpty { text += " at \(codingPath.joined(separator: "."))" }
        if let underlying { text += " (\(underlying))" }
        return text
    }

    static func invalidUID(_ value: String) -> DHIS2Error {
        DHIS2Error(
            code: .invalidUID,
            message: "\"\(value)\" is not a DHIS2 UID: a UID is 11 letters or digits, the first a letter "
                + "(^[A-Za-z][A-Za-z0-9]{10}$). Check the value, or generate one with UID.generate().")
    }
}
