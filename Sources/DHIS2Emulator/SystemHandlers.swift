import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/system/info`, `/api/system/id`, `/api/me`.
enum SystemHandlers {
    /// SystemInfo with only the properties the emulated version's OpenAPI `SystemInfo` schema has (§2.1).
    static func info(_ environment: RequestEnvironment, state: EmulatorState) -> Response {
        let now = DHIS2Date.format(Date())
        let isSuperuser = environment.principal.user.profile["authorities"]?.arrayValue?.contains("ALL") ?? false
        var info: [String: JSONValue] = [
            "contextPath": .string(environment.contextPath),
            "calendar": "iso8601",
            "dateFormat": "yyyy-mm-dd",
            "serverDate": .string(now),
            "serverTimeZoneId": "Etc/UTC",
            "serverTimeZoneDisplayName": "Coordinated Universal Time",
            "lastAnalyticsTableSuccess": "1970-01-01T00:00:00.000",
            "version": .string(state.version.string),
            "revision": .string(revision(for: state.version)),
            "buildTime": "2025-06-02T10:15:30.000",
            "systemId": .string(state.systemID),
            "systemName": "DHIS 2",
            "instanceBaseUrl": .string(environment.contextPath),
            "emailConfigured": false,
            "encryption": false,
            "redisEnabled": false,
            "isMetadataVersionEnabled": true,
            "isMetadataSyncEnabled": false,
            "databaseInfo": ["spatialSupport": true, "time": .string(now)],
        ]
        if let agent = environment.request.headers[.userAgent] { info["userAgent"] = .string(agent) }
        if isSuperuser {
            // Superusers also see the server's environment (SystemInfo.clearSensitiveInfo strips these otherwise).
            info["environmentVariable"] = "DHIS2_HOME"
            info["fileStoreProvider"] = "filesystem"
            info["readOnlyMode"] = "off"
            info["nodeId"] = "dhis2-emulator"
            info["javaVersion"] = "17.0.13"
            info["javaVendor"] = "Eclipse Adoptium"
            info["osName"] = "Linux"
            info["osArchitecture"] = "amd64"
            info["readReplicaCount"] = 0
            info["cpuCores"] = .number(Double(ProcessInfo.processInfo.activeProcessorCount))
            info["databaseInfo"] = [
                "name": "dhis2", "user": "dhis", "url": "jdbc:postgresql:dhis2",
                "databaseVersion": "PostgreSQL 16.4", "spatialSupport": true, "time": .string(now),
            ]
        }
        if state.version.hasSystemCapability {
            info["sessionTimeout"] = 3600
            info["capability"] = ["analyticsTotalCounts": true]
        }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        return noStore(Reply.json(PlainFieldFilter.apply(fields, to: .object(info))))
    }

    /// A short, stable git-hash-like revision per emulated version.
    static func revision(for version: EmulatedVersion) -> String {
        let digest = PersonalAccessToken.hash("dhis2-emulator-" + version.string)
        return String(digest.prefix(7))
    }

    /// `{"codes":[…]}`; `limit` defaults to 1 and is capped at 10000 like `SystemController.getUid`
    /// (`Math.min(limit, 10000)`), a non-numeric limit is a 400 parameter type error.
    static func uids(_ environment: RequestEnvironment) -> Response {
        var limit = 1
        if let text = environment.query["limit"] {
            guard let parsed = Int(text) else {
                return Reply.webMessage(
                    .badRequest, message: "Value '\(text)' is not valid for parameter limit. It should be of type Integer")
            }
            limit = parsed
        }
        let codes = UID.generate(count: min(max(limit, 0), 10000)).map { JSONValue.string($0.rawValue) }
        return noStore(Reply.json(["codes": .array(codes)]))
    }

    /// `GET /api/me`: the MeDto of the emulated version (v41 adds `userCredentials`, 2.42+ `twoFactorType`,
    /// 2.43+ `canImpersonate`, 2.44 drops `favorites`).
    static func me(_ environment: RequestEnvironment, state: EmulatorState) -> Response {
        let user = environment.principal.user
        let profile = user.profile
        let firstName = profile["firstName"]?.stringValue ?? ""
        let surname = profile["surname"]?.stringValue ?? ""
        let name = [firstName, surname].filter { !$0.isEmpty }.joined(separator: " ")
        var me: [String: JSONValue] = [
            "id": .string(user.id),
            "username": .string(user.username),
            "firstName": .string(firstName),
            "surname": .string(surname),
            "name": .string(name),
            "displayName": .string(name),
            "settings": [
                "keyUiLocale": "en", "keyDbLocale": "en", "keyAnalysisDisplayProperty": "name",
                "keyStyle": "light_blue/light_blue.css", "keyMessageEmailNotification": false,
                "keyMessageSmsNotification": false,
            ],
            "programs": [],
            "dataSets": [],
            "patTokens": .array(
                environment.snapshot.tokens.values.filter { $0.ownerID == user.id }.map { ["id": .string($0.id)] }
                    .sorted { ($0["id"]?.stringValue ?? "") < ($1["id"]?.stringValue ?? "") }),
            "translations": [],
            "access": ["manage": true, "write": true, "read": true, "update": true, "delete": true],
            "sharing": ["owner": .string(user.id), "public": "--------", "users": [:], "userGroups": [:]],
            "userGroupAccesses": [],
            "userAccesses": [],
        ]
        for key in [
            "email", "created", "lastUpdated", "authorities", "organisationUnits", "dataViewOrganisationUnits",
            "teiSearchOrganisationUnits", "userRoles", "userGroups", "phoneNumber",
        ] {
            if let value = profile[key] { me[key] = value }
        }
        if state.version.minor < 44 { me["favorites"] = [] }
        // MeDto's attributeValues is an array in 2.41 and an `AttributeValues` object from 2.42; the admin has none.
        if state.version.minor == 41 { me["attributeValues"] = [] }
        if state.version.minor >= 42 {
            me["twoFactorType"] = "NOT_ENABLED"
            me["emailVerified"] = false
        }
        if state.version.minor >= 43 { me["canImpersonate"] = true }
        if state.version.hasUserCredentials {
            var credentials: [String: JSONValue] = [
                "id": .string(user.id), "username": .string(user.username), "disabled": false,
                "externalAuth": false, "selfRegistered": false, "invitation": false, "twoFA": false,
                "userRoles": profile["userRoles"] ?? [], "previousPasswords": [],
                "catDimensionConstraints": [], "cogsDimensionConstraints": [],
                "access": ["manage": true, "write": true, "read": true, "update": true, "delete": true],
                "sharing": ["public": "--------", "users": [:], "userGroups": [:]],
            ]
            if let created = profile["created"] { credentials["passwordLastUpdated"] = created }
            me["userCredentials"] = .object(credentials)
        }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        return Reply.json(PlainFieldFilter.apply(fields, to: .object(me)))
    }

    static func noStore(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }
}
