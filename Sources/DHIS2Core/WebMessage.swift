/// DHIS2's envelope for write results and errors (`{"httpStatus","httpStatusCode","status","message","response"}`).
///
/// The `response` payload is kept as ``JSONValue`` because DHIS2 discriminates it only by `responseType`, whose
/// spelling differs between versions (reference §11.3); typed views of it are in the `WebMessage+…` extensions.
public struct WebMessage: Codable, Hashable, Sendable {
    /// The envelope status: `OK`, `WARNING` or `ERROR` (not ImportSummary's `SUCCESS`/`WARNING`/`ERROR`).
    public struct Status: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public static let ok = Status(rawValue: "OK")
        public static let warning = Status(rawValue: "WARNING")
        public static let error = Status(rawValue: "ERROR")
        public var description: String { rawValue }

        public init(from decoder: any Decoder) throws {
            self.rawValue = try decoder.singleValueContainer().decode(String.self)
        }

        public func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(rawValue)
        }
    }

    /// `OK`, `WARNING` or `ERROR`.
    public var status: Status?
    /// The reason phrase, e.g. `"Conflict"`.
    public var httpStatus: String?
    /// The HTTP status code; DHIS2 always sends the same code on the status line.
    public var httpStatusCode: Int?
    /// A human-readable message.
    public var message: String?
    /// A developer message, rarely present.
    public var devMessage: String?
    /// A DHIS2 error code such as `E1005`.
    public var errorCode: String?
    /// The typed payload (ObjectReport, ImportReport, ImportSummary, JobConfiguration, …) as raw JSON.
    public var response: JSONValue?

    public init(
        status: Status? = nil, httpStatus: String? = nil, httpStatusCode: Int? = nil, message: String? = nil,
        devMessage: String? = nil, errorCode: String? = nil, response: JSONValue? = nil
    ) {
        self.status = status
        self.httpStatus = httpStatus
        self.httpStatusCode = httpStatusCode
        self.message = message
        self.devMessage = devMessage
        self.errorCode = errorCode
        self.response = response
    }

    /// The wire names DHIS2 uses (reference §11.1); tests check them against each version's OpenAPI `WebMessage`.
    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, httpStatus, httpStatusCode, message, devMessage, errorCode, response
    }

    /// Reads a WebMessage out of a raw JSON body, or `nil` when the body is not one (no `httpStatusCode` or `status`).
    public init?(json: JSONValue) {
        guard case .object(let members) = json,
            members["httpStatusCode"]?.intValue != nil || members["status"]?.stringValue != nil,
            members["httpStatus"] != nil || members["message"] != nil || members["response"] != nil
        else { return nil }
        self.status = members["status"]?.stringValue.map(Status.init(rawValue:))
        self.httpStatus = members["httpStatus"]?.stringValue
        self.httpStatusCode = members["httpStatusCode"]?.intValue
        self.message = members["message"]?.stringValue
        self.devMessage = members["devMessage"]?.stringValue
        self.errorCode = members["errorCode"]?.stringValue
        self.response = members["response"]
    }
}
