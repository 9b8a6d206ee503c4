import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// Personal access tokens on `/api/apiToken` (alias `/api/apiTokens`), reference §1.3.
enum ApiTokenHandlers {
    static let klass = "org.hisp.dhis.security.apikey.ApiToken"
    static let thirtyDaysMillis: Int64 = 30 * 24 * 3600 * 1000
    static let allowedMethods: Set<String> = ["HEAD", "GET", "POST", "PATCH", "PUT", "DELETE"]

    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        let segments = environment.segments
        switch (environment.request.method, segments.count) {
        case (.get, 1): return list(environment, state: state)
        case (.post, 1): return try await create(environment, state: state)
        case (.get, 2) where UID.isValid(segments[1]): return get(environment, state: state, id: segments[1])
        case (.delete, 2) where UID.isValid(segments[1]): return try await delete(environment, state: state, id: segments[1])
        default: return nil
        }
    }

    /// Tokens are private to their owner (schema `defaultPrivate`): other users' tokens are "not found".
    private static func ownToken(_ environment: RequestEnvironment, id: String) -> StoredToken? {
        guard let token = environment.snapshot.tokens[id], token.ownerID == environment.principal.user.id else {
            return nil
        }
        return token
    }

    private static func view(_ token: StoredToken, environment: RequestEnvironment, version: EmulatedVersion)
        -> [String: JSONValue]
    {
        var object = token.object
        object["href"] = .string("\(environment.contextPath)/api/apiToken/\(token.id)")
        object["access"] = ["manage": true, "write": true, "read": true, "update": true, "delete": true]
        if MetadataView.hasFavorites("apiToken", version: version) {
            object["favorite"] = false
            object["favorites"] = []
        }
        return object
    }

    static func list(_ environment: RequestEnvironment, state: EmulatorState) -> Response {
        let tokens = environment.snapshot.tokens.values.filter { $0.ownerID == environment.principal.user.id }
            .sorted { $0.id < $1.id }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "id,displayName")
        let rendered = tokens.map { PlainFieldFilter.apply(fields, to: .object(view($0, environment: environment, version: state.version))) }
        var body: [String: JSONValue] = ["apiToken": .array(rendered)]
        if environment.query["paging"]?.lowercased() != "false" {
            body["pager"] = [
                "page": 1, "total": .number(Double(tokens.count)), "pageSize": 50,
                "pageCount": .number(Double(tokens.isEmpty ? 0 : (tokens.count + 49) / 50)),
            ]
        }
        return Reply.json(.object(body))
    }

    static func get(_ environment: RequestEnvironment, state: EmulatorState, id: String) -> Response {
        guard let token = ownToken(environment, id: id) else { return notFound(id) }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        return Reply.json(PlainFieldFilter.apply(fields, to: .object(view(token, environment: environment, version: state.version))))
    }

    private static func notFound(_ id: String) -> Response {
        Reply.webMessage(.notFound, message: "ApiToken with id \(id) could not be found.", errorCode: "E1005")
    }

    static func delete(_ environment: RequestEnvironment, state: EmulatorState, id: String) async throws -> Response {
        guard ownToken(environment, id: id) != nil else { return notFound(id) }
        try await state.store.mutate { _ in ((), [.deleteToken(id: id)]) }
        return Reply.webMessage(
            .ok, messageStatus: "OK",
            response: [
                "responseType": .string(state.version.objectReportResponseType), "uid": .string(id),
                "klass": .string(klass), "errorReports": [],
            ])
    }

    static func create(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response {
        let bytes = Data(environment.body.readableBytesView)
        let input: [String: JSONValue]
        if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) {
            input = [:]
        } else if let value = try? JSONValue(parsing: bytes), let object = value.objectValue {
            input = object
        } else {
            return Reply.webMessage(.badRequest, message: "JSON parse error: the request body is not a JSON object")
        }
        if let type = input["type"], !type.isNull {
            guard let text = type.stringValue, ["PERSONAL_ACCESS_TOKEN_V1", "PERSONAL_ACCESS_TOKEN_V2"].contains(text) else {
                // Observed on 2.42: an unknown token type fails deserialisation with a 500 (reference §1.3).
                return Reply.webMessage(
                    .internalServerError,
                    message: "Cannot deserialize value of type `org.hisp.dhis.security.apikey.ApiTokenType` from "
                        + "String \(type): not one of the values accepted for Enum class: "
                        + "[PERSONAL_ACCESS_TOKEN_V1, PERSONAL_ACCESS_TOKEN_V2]")
            }
        }
        let nowMillis = Int64(Date().timeIntervalSince1970 * 1000)
        var expire = nowMillis + thirtyDaysMillis
        if let value = input["expire"], !value.isNull {
            guard let number = value.doubleValue, let millis = Int64(exactly: number.rounded()) else {
                return Reply.webMessage(.badRequest, message: "JSON parse error: `expire` must be epoch milliseconds")
            }
            expire = millis
        }
        let attributes = input["attributes"]?.arrayValue ?? []
        if let problem = validate(attributes) {
            return Reply.webMessage(.conflict, message: "Failed to validate the token's attributes, message: \(problem)")
        }

        let key = PersonalAccessToken.generateV2()
        let id = UID.generate().rawValue
        let now = JSONValue.string(DHIS2Date.format(Date()))
        let owner = environment.principal.user.id
        let object: [String: JSONValue] = [
            "id": .string(id), "type": "PERSONAL_ACCESS_TOKEN_V2", "version": 2,
            "expire": .number(Double(expire)), "attributes": .array(attributes),
            "created": now, "lastUpdated": now, "createdBy": ["id": .string(owner)],
            "lastUpdatedBy": ["id": .string(owner)],
            "sharing": ["owner": .string(owner), "public": "--------", "users": [:], "userGroups": [:]],
            "translations": [], "attributeValues": [],
        ]
        let token = StoredToken(id: id, ownerID: owner, keyHash: PersonalAccessToken.hash(key), object: object)
        try await state.store.mutate { _ in ((), [.putToken(token)]) }
        var headers = HTTPFields()
        headers[.location] = "\(environment.contextPath)/api/apiToken/\(id)"
        return Reply.webMessage(
            .created, messageStatus: "OK",
            response: [
                "responseType": .string(state.version.apiTokenCreationResponseType), "uid": .string(id),
                "klass": .string(klass), "errorReports": [], "key": .string(key),
            ],
            headers: headers)
    }

    /// The checks of `ApiTokenController.validateBeforeCreate`: plain IPs, known methods, valid referrer URLs.
    private static func validate(_ attributes: [JSONValue]) -> String? {
        for attribute in attributes {
            switch attribute["type"]?.stringValue {
            case "IpAllowedList":
                for ip in (attribute["allowedIps"]?.arrayValue ?? []).map({ $0.stringValue ?? $0.description })
                where !isPlainIPAddress(ip) {
                    return "Not a valid ip address, value=\(ip)"
                }
            case "MethodAllowedList":
                for method in (attribute["allowedMethods"]?.arrayValue ?? []).map({ $0.stringValue ?? $0.description })
                where !allowedMethods.contains(method) {
                    return "Not a valid http method, value=\(method)"
                }
            case "RefererAllowedList":
                for referrer in (attribute["allowedReferrers"]?.arrayValue ?? []).map({ $0.stringValue ?? $0.description })
                where !isValidURL(referrer) {
                    return "Not a valid referrer url, value=\(referrer)"
                }
            default:
                return "Unknown attribute type, value=\(attribute["type"]?.description ?? "null")"
            }
        }
        return nil
    }

    static func isPlainIPAddress(_ text: String) -> Bool {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        if octets.count == 4 {
            return octets.allSatisfy { octet in
                !octet.isEmpty && octet.count <= 3 && octet.allSatisfy(\.isASCIIDigit) && (Int(octet) ?? 256) <= 255
            }
        }
        guard text.contains(":"), !text.contains("/") else { return false }
        let groups = text.split(separator: ":", omittingEmptySubsequences: false)
        guard groups.count >= 3, groups.count <= 8 else { return false }
        return groups.allSatisfy { group in group.count <= 4 && group.allSatisfy(\.isHexDigit) }
    }

    /// Apache's `UrlValidator` with default settings: http/https/ftp, a host with a top-level domain (so
    /// `localhost` is rejected).
    static func isValidURL(_ text: String) -> Bool {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            ["http", "https", "ftp"].contains(scheme), let host = components.host, !host.isEmpty
        else { return false }
        let labels = host.split(separator: ".")
        guard labels.count >= 2, let tld = labels.last, tld.allSatisfy(\.isLetter) else { return false }
        return true
    }
}
