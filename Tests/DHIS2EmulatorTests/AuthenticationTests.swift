import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("Authentication failures look like DHIS2's")
struct AuthenticationTests {
    @Test("no credentials: 302 to the login app")
    func redirectToLogin() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.GET, "/api/me", as: .none)
            #expect(reply.status == 302)
            #expect(reply.header("Location") == emulator.baseURL + "/dhis-web-login/")
        }
    }

    @Test("no credentials with X-Requested-With: 401 JSON WebMessage")
    func ajaxUnauthorized() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(
                .GET, "/api/me", as: .none, headers: [("X-Requested-With", "XMLHttpRequest")])
            #expect(reply.status == 401)
            #expect(reply.json == ["httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR", "message": "Unauthorized"])
        }
    }

    @Test("wrong Basic credentials: 401 with DHIS2's exact body")
    func wrongBasic() async throws {
        try await withEmulator { emulator in
            for credentials in [TestCredentials.basic("admin", "wrong"), .basic("nobody", "district"), .rawAuthorization("Basic !!!")] {
                let reply = try await emulator.send(.GET, "/api/me", as: credentials)
                #expect(reply.status == 401)
                #expect(reply.json == ["httpStatus": "Unauthorized", "httpStatusCode": 401, "status": "ERROR", "message": "Unauthorized"])
                #expect(!reply.text.contains("district"))
            }
        }
    }

    @Test("personal access token failures: malformed, bad checksum, unknown — each with WWW-Authenticate: ApiToken")
    func tokenFailures() async throws {
        try await withEmulator { emulator in
            let cases: [(String, Int, String)] = [
                ("ApiToken not*valid", 400, "Api token is malformed"),
                ("ApiToken d2p_Xq3vT9pLmN2bR7kW4yZs8cF1hJ6dG0aE5uV2iO9tK3wP3hsfmX", 400, "Checksum validation failed"),
                ("ApiToken d2x_whatever", 400, "Checksum validation failed"),
                ("ApiToken d2p_Xq3vT9pLmN2bR7kW4yZs8cF1hJ6dG0aE5uV2iO9tK3wP3hsfmi", 401, "The API token does not exists"),
            ]
            for (authorization, status, message) in cases {
                let reply = try await emulator.send(.GET, "/api/me", as: .rawAuthorization(authorization))
                #expect(reply.status == status, "\(authorization)")
                #expect(reply.json["message"] == .string(message))
                #expect(reply.json["httpStatusCode"] == .number(Double(status)))
                #expect(reply.header("WWW-Authenticate") == "ApiToken")
            }
        }
    }

    @Test("an expired token is refused with 401")
    func expiredToken() async throws {
        try await withEmulator { emulator in
            let created = try await emulator.send(
                .POST, "/api/apiToken", json: ["expire": .number(Date().timeIntervalSince1970 * 1000 - 60_000)])
            #expect(created.status == 201)
            let key = try #require(created.json["response"]?["key"]?.stringValue)
            let reply = try await emulator.send(.GET, "/api/me", as: .apiToken(key))
            #expect(reply.status == 401)
            #expect(reply.json["message"] == "Failed to authenticate API token, token has expired.")
            #expect(reply.header("WWW-Authenticate") == "ApiToken")
        }
    }

    @Test("a registered bearer token authenticates until it expires; unknown ones get an RFC 6750 challenge")
    func bearerTokens() async throws {
        try await withEmulator { emulator in
            emulator.registerBearerToken("live-token", username: "admin", expiresAt: Date().addingTimeInterval(600))
            emulator.registerBearerToken("old-token", username: "admin", expiresAt: Date().addingTimeInterval(-1))
            let ok = try await emulator.send(.GET, "/api/me?fields=username", as: .bearer("live-token"))
            #expect(ok.status == 200)
            #expect(ok.json == ["username": "admin"])
            for token in ["old-token", "never-registered"] {
                let reply = try await emulator.send(.GET, "/api/me", as: .bearer(token))
                #expect(reply.status == 401)
                let challenge = try #require(reply.header("WWW-Authenticate"))
                #expect(challenge.hasPrefix("Bearer error=\"invalid_token\""))
            }
        }
    }
}

@Suite("Personal access tokens")
struct PersonalAccessTokenTests {
    /// DHIS2's V2 checksum, recomputed here independently: CRC32 over the 44 random characters plus 4 NUL bytes,
    /// base62 (`0-9A-Za-z`), left-padded to 6.
    static func checksum(ofRandomPart random: String) -> String {
        var table = [UInt32](repeating: 0, count: 256)
        for index in 0..<256 {
            var crc = UInt32(index)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
            table[index] = crc
        }
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in Array(random.utf8) + [0, 0, 0, 0] { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        var value = UInt64(crc ^ 0xFFFF_FFFF)
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var digits = ""
        repeat {
            digits.insert(alphabet[Int(value % 62)], at: digits.startIndex)
            value /= 62
        } while value > 0
        return String(repeating: "0", count: max(0, 6 - digits.count)) + digits
    }

    @Test("the checksum algorithm reproduces the reference's example token")
    func referenceExample() {
        let example = "d2p_Xq3vT9pLmN2bR7kW4yZs8cF1hJ6dG0aE5uV2iO9tK3wP3hsfmi"
        let random = String(example.dropFirst(4).prefix(44))
        #expect(Self.checksum(ofRandomPart: random) == String(example.suffix(6)))
    }

    @Test("a minted token has DHIS2's V2 shape and a valid checksum, and authenticates", arguments: versionsUnderTest)
    func mintAndUse(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let reply = try await emulator.send(.POST, "/api/apiToken", json: [:])
            #expect(reply.status == 201)
            let body = reply.json
            #expect(body["httpStatus"] == "Created")
            #expect(body["status"] == "OK")
            let response = try #require(body["response"])
            let uid = try #require(response["uid"]?.stringValue)
            #expect(reply.header("Location") == "\(emulator.baseURL)/api/apiToken/\(uid)")
            #expect(response["klass"] == "org.hisp.dhis.security.apikey.ApiToken")
            #expect(response["responseType"] == (version == "2.41.10" ? "ApiTokenCreationResponse" : "ObjectReport"))
            let key = try #require(response["key"]?.stringValue)
            #expect(key.count == 54)
            #expect(key.hasPrefix("d2p_"))
            let random = String(key.dropFirst(4).prefix(44))
            #expect(random.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) })
            #expect(Self.checksum(ofRandomPart: random) == String(key.suffix(6)))

            let me = try await emulator.send(.GET, "/api/me?fields=username", as: .apiToken(key))
            #expect(me.status == 200)
            #expect(me.json == ["username": "admin"])

            let token = try await emulator.getJSON("/api/apiToken/\(uid)")
            #expect(token["type"] == "PERSONAL_ACCESS_TOKEN_V2")
            let expire = try #require(token["expire"]?.doubleValue)
            let thirtyDays = Date().addingTimeInterval(30 * 24 * 3600).timeIntervalSince1970 * 1000
            #expect(abs(expire - thirtyDays) < 3_600_000)
            #expect(!token.description.contains(key))
        }
    }

    @Test("2.42.0–2.42.4 name the payload ObjectReportWebMessageResponse")
    func responseTypeOfEarly242() async throws {
        try await withEmulator(.init(version: "2.42.4")) { emulator in
            let reply = try await emulator.send(.POST, "/api/apiToken", json: [:])
            #expect(reply.json["response"]?["responseType"] == "ObjectReportWebMessageResponse")
        }
    }

    @Test("tokens are listed under apiToken, read, and deleted (after which they no longer authenticate)")
    func listAndDelete() async throws {
        try await withEmulator { emulator in
            let created = try await emulator.send(.POST, "/api/apiTokens", json: ["expire": 4_102_444_800_000])
            let uid = try #require(created.json["response"]?["uid"]?.stringValue)
            let key = try #require(created.json["response"]?["key"]?.stringValue)
            let list = try await emulator.getJSON("/api/apiToken?fields=id,expire")
            #expect(list["apiToken"] == [["id": .string(uid), "expire": 4_102_444_800_000]])
            let deleted = try await emulator.send(.DELETE, "/api/apiToken/\(uid)")
            #expect(deleted.status == 200)
            let gone = try await emulator.send(.GET, "/api/apiToken/\(uid)")
            #expect(gone.status == 404)
            let reply = try await emulator.send(.GET, "/api/me", as: .apiToken(key))
            #expect(reply.status == 401)
            #expect(reply.json["message"] == "The API token does not exists")
        }
    }

    @Test("invalid attributes are refused with 409; allowed methods are enforced")
    func attributes() async throws {
        try await withEmulator { emulator in
            let invalid: [JSONValue] = [
                ["type": "IpAllowedList", "allowedIps": ["10.0.0.0/8"]],
                ["type": "MethodAllowedList", "allowedMethods": ["FETCH"]],
                ["type": "RefererAllowedList", "allowedReferrers": ["http://localhost:8080"]],
            ]
            for attribute in invalid {
                let reply = try await emulator.send(.POST, "/api/apiToken", json: ["attributes": [attribute]])
                #expect(reply.status == 409)
                let message = try #require(reply.json["message"]?.stringValue)
                #expect(message.hasPrefix("Failed to validate the token's attributes, message: "))
            }
            let created = try await emulator.send(
                .POST, "/api/apiToken", json: ["attributes": [["type": "MethodAllowedList", "allowedMethods": ["POST"]]]])
            #expect(created.status == 201)
            let key = try #require(created.json["response"]?["key"]?.stringValue)
            let refused = try await emulator.send(.GET, "/api/me", as: .apiToken(key))
            #expect(refused.status == 401)
            #expect(refused.json["message"] == "Failed to authenticate API token, request http method is not allowed.")
        }
    }
}
