import DHIS2
import DHIS2Emulator
import Foundation
import Testing

@Suite("Authentication against the emulator")
struct AuthenticationTests {
    @Test("Wrong Basic credentials give an unauthorized error that names no secret", arguments: emulatedVersions)
    func wrongBasicCredentials(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            let secret = "Wr0ng-Passw0rd-9f3c"
            let error = await expectDHIS2Error {
                _ = try await DHIS2Client.connect(
                    to: emulator.baseURL, auth: BasicAuth(username: "admin", password: secret))
            }
            let unauthorized = try #require(error)
            #expect(unauthorized.isUnauthorized)
            #expect(unauthorized.status == 401)
            #expect(unauthorized.webMessage?.httpStatusCode == 401)
            #expect(!unauthorized.description.contains(secret))
            #expect(!unauthorized.description.contains(Data("admin:\(secret)".utf8).base64EncodedString()))
        }
    }

    @Test("A personal access token minted through /api/apiToken authenticates as its owner", arguments: emulatedVersions)
    func personalAccessTokenRoundTrip(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            let token = try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let message = try await client.webMessage(.post, "apiToken", body: [:])
                #expect(message.httpStatusCode == 201)
                #expect(message.createdUID != nil)
                return try #require(message.response?["key"]?.stringValue)
            }
            #expect(token.hasPrefix("d2p_"))
            #expect(token.count == 54)
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: PersonalAccessTokenAuth(token: token)) {
                client in
                let me = try await client.system.me()
                #expect(me.username == DemoData.adminUsername)
            }
        }
    }

    @Test("An unknown or malformed personal access token is refused with the server's reason")
    func badPersonalAccessTokens() async throws {
        try await withTestEmulator { emulator in
            // Passes DHIS2's checksum rule (reference §1.3) but was never issued by this server.
            let unknown = "d2p_Xq3vT9pLmN2bR7kW4yZs8cF1hJ6dG0aE5uV2iO9tK3wP3hsfmi"
            let unknownError = await expectDHIS2Error {
                _ = try await DHIS2Client.connect(to: emulator.baseURL, auth: PersonalAccessTokenAuth(token: unknown))
            }
            #expect(unknownError?.code == .unauthorized)
            #expect(unknownError?.webMessage?.message == "The API token does not exists")
            #expect(unknownError?.description.contains(unknown) == false)

            let badChecksum = "d2p_Xq3vT9pLmN2bR7kW4yZs8cF1hJ6dG0aE5uV2iO9tK3wP3hsfmj"
            let checksumError = await expectDHIS2Error {
                _ = try await DHIS2Client.connect(
                    to: emulator.baseURL, auth: PersonalAccessTokenAuth(token: badChecksum))
            }
            #expect(checksumError?.status == 400)
            #expect(checksumError?.webMessage?.message == "Checksum validation failed")
            #expect(checksumError?.description.contains(badChecksum) == false)
        }
    }

    @Test("A request with no credentials at all is reported as unauthorized")
    func noCredentials() async throws {
        struct NoAuth: AuthProvider {
            func authorization() async throws -> AuthorizationHeader? { nil }
        }
        try await withTestEmulator { emulator in
            let error = await expectDHIS2Error {
                _ = try await DHIS2Client.connect(to: emulator.baseURL, auth: NoAuth())
            }
            #expect(error?.isUnauthorized == true)
        }
    }
}
