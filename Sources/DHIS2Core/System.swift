import Foundation

/// What `/api/system/info` reports. The fields a client commonly needs are typed; everything is in ``raw``.
public struct SystemInfo: Decodable, Hashable, Sendable {
    /// The server's version string, e.g. `2.42.4`.
    public var version: String?
    /// The build's short git revision.
    public var revision: String?
    /// When the server was built.
    public var buildTime: String?
    /// The server's own idea of its address.
    public var contextPath: String?
    /// The server's current time (no zone).
    public var serverDate: String?
    /// The server's time zone, e.g. `Etc/UTC`.
    public var serverTimeZoneId: String?
    /// The calendar, e.g. `iso8601`.
    public var calendar: String?
    /// The date format, e.g. `yyyy-mm-dd`.
    public var dateFormat: String?
    /// The installation's system id.
    public var systemId: String?
    /// The installation's name.
    public var systemName: String?
    /// The configured base URL of the instance.
    public var instanceBaseUrl: String?
    /// When analytics tables were last generated (`1970-01-01T00:00:00.000` on a fresh instance).
    public var lastAnalyticsTableSuccess: String?
    /// The whole object as the server sent it.
    public var raw: JSONValue

    /// ``version`` parsed.
    public var serverVersion: ServerVersion? { version.flatMap(ServerVersion.init) }

    private enum CodingKeys: String, CodingKey {
        case version, revision, buildTime, contextPath, serverDate, serverTimeZoneId, calendar, dateFormat, systemId
        case systemName, instanceBaseUrl, lastAnalyticsTableSuccess
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(String.self, forKey: .version)
        revision = try container.decodeIfPresent(String.self, forKey: .revision)
        buildTime = try container.decodeIfPresent(String.self, forKey: .buildTime)
        contextPath = try container.decodeIfPresent(String.self, forKey: .contextPath)
        serverDate = try container.decodeIfPresent(String.self, forKey: .serverDate)
        serverTimeZoneId = try container.decodeIfPresent(String.self, forKey: .serverTimeZoneId)
        calendar = try container.decodeIfPresent(String.self, forKey: .calendar)
        dateFormat = try container.decodeIfPresent(String.self, forKey: .dateFormat)
        systemId = try container.decodeIfPresent(String.self, forKey: .systemId)
        systemName = try container.decodeIfPresent(String.self, forKey: .systemName)
        instanceBaseUrl = try container.decodeIfPresent(String.self, forKey: .instanceBaseUrl)
        lastAnalyticsTableSuccess = try container.decodeIfPresent(String.self, forKey: .lastAnalyticsTableSuccess)
        raw = try JSONValue(from: decoder)
    }
}

/// The authenticated user as `/api/me` reports it. Common fields are typed; everything is in ``raw``.
public struct CurrentUser: Decodable, Hashable, Sendable {
    /// The user's UID.
    public var id: String?
    /// The login name.
    public var username: String?
    /// The full name.
    public var name: String?
    /// The name as shown in the user's locale.
    public var displayName: String?
    /// Given name.
    public var firstName: String?
    /// Family name.
    public var surname: String?
    /// E-mail address.
    public var email: String?
    /// Authorities granted through the user's roles (`ALL` for a superuser).
    public var authorities: [String]
    /// UIDs of the organisation units the user captures data for.
    public var organisationUnitIDs: [String]
    /// The whole object as the server sent it.
    public var raw: JSONValue

    /// Whether the user has `authority`, or `ALL`.
    public func hasAuthority(_ authority: String) -> Bool {
        authorities.contains("ALL") || authorities.contains(authority)
    }

    public init(from decoder: any Decoder) throws {
        raw = try JSONValue(from: decoder)
        id = raw["id"]?.stringValue
        username = raw["username"]?.stringValue ?? raw["userCredentials"]?["username"]?.stringValue
        name = raw["name"]?.stringValue
        displayName = raw["displayName"]?.stringValue
        firstName = raw["firstName"]?.stringValue
        surname = raw["surname"]?.stringValue
        email = raw["email"]?.stringValue
        authorities = raw["authorities"]?.arrayValue?.compactMap(\.stringValue) ?? []
        organisationUnitIDs = raw["organisationUnits"]?.arrayValue?.compactMap { $0["id"]?.stringValue } ?? []
    }
}

/// The keys of ``SystemResource``'s cache, to invalidate one entry.
public struct SystemCacheKey: Hashable, Sendable, CustomStringConvertible {
    let rawValue: String
    /// `/api/system/info`.
    public static let info = SystemCacheKey(rawValue: "info")
    /// `/api/me`.
    public static let me = SystemCacheKey(rawValue: "me")
    /// The default category combo's UID.
    public static let defaultCategoryCombo = SystemCacheKey(rawValue: "defaultCategoryCombo")
    /// One system setting.
    public static func setting(_ key: String) -> SystemCacheKey { SystemCacheKey(rawValue: "setting:\(key)") }
    public var description: String { rawValue }
}

/// System reads, cached for ``DHIS2Configuration/systemCacheTTL`` (300 s by default).
public struct SystemResource: Sendable {
    let executor: RequestExecutor
    let cache: SystemCache

    init(executor: RequestExecutor, cache: SystemCache, primedInfo: SystemInfo?) {
        self.executor = executor
        self.cache = cache
        if let primedInfo { cache.prime(.info, primedInfo) }
    }

    /// `/api/system/info`. Right after connecting this is the handshake's answer: no second request.
    public func info() async throws(DHIS2Error) -> SystemInfo {
        try await cached(.info) { () throws(DHIS2Error) in try await fetch(SystemInfo.self, "/api/system/info") }
    }

    /// `/api/me`: the authenticated user.
    public func me() async throws(DHIS2Error) -> CurrentUser {
        try await cached(.me) { () throws(DHIS2Error) in try await fetch(CurrentUser.self, "/api/me") }
    }

    /// The UID of the server's default category combo (named `default`), needed to write data values without
    /// disaggregation.
    public func defaultCategoryComboID() async throws(DHIS2Error) -> UID {
        try await cached(.defaultCategoryCombo) { () throws(DHIS2Error) in
            let query = [
                URLQueryItem(name: "filter", value: "name:eq:default"), URLQueryItem(name: "fields", value: "id"),
                URLQueryItem(name: "paging", value: "false"),
            ]
            let request = DHIS2Request(method: .get, path: "/api/categoryCombos", query: query)
            let json = try ResponseInterpreter.json(from: try await executor.send(request), request: request)
            guard let id = json["categoryCombos"]?[0]?["id"]?.stringValue, let uid = UID(rawValue: id) else {
                throw DHIS2Error(
                    code: .decoding, message: "The server has no category combo named \"default\".",
                    method: "GET", path: request.pathWithQuery)
            }
            return uid
        }
    }

    /// The system setting `key` (e.g. `keyUiLocale`), or `nil` when the server has no value for it.
    public func setting(_ key: String) async throws(DHIS2Error) -> JSONValue? {
        try await cached(.setting(key)) { () throws(DHIS2Error) -> JSONValue? in
            let request = DHIS2Request(method: .get, path: "/api/systemSettings/" + key)
            let response = try await executor.send(request)
            if response.status == 404 { return nil }
            // With Accept: application/json DHIS2 answers {"<key>": value} (OpenAPI getSystemSettingJson).
            let json = try ResponseInterpreter.json(from: response, request: request)
            guard let value = json[key], !value.isNull else { return nil }
            return value
        }
    }

    /// Forgets one cached read, or all of them when `key` is `nil`.
    public func invalidateCache(_ key: SystemCacheKey? = nil) {
        cache.invalidate(key)
    }

    private func fetch<T: Decodable>(_ type: T.Type, _ path: String) async throws(DHIS2Error) -> T {
        let request = DHIS2Request(method: .get, path: path)
        return try ResponseInterpreter.decode(type, from: try await executor.send(request), request: request)
    }

    private func cached<T: Sendable>(_ key: SystemCacheKey, _ load: () async throws(DHIS2Error) -> T)
        async throws(DHIS2Error) -> T
    {
        if let hit: T = cache.value(for: key) { return hit }
        let value = try await load()
        cache.store(key, value)
        return value
    }
}
