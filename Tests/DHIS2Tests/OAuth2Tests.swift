import DHIS2
import DHIS2Emulator
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// A token endpoint served over HTTP inside the test (the emulator's own OAuth2 server comes with profiles). It checks
/// the refresh grant and the client's Basic credentials, issues a new access token, and registers it with the
/// emulator so that the emulator accepts it as a bearer token.
final class TokenEndpoint: Sendable {
    static let clientID = "swift-dhis2-tests"
    static let clientSecret = "client-Secret-7c1e0b"
    let refreshCount = Mutex(0)
    let issued = Mutex<[String]>([])

    func configure(_ router: Router<BasicRequestContext>, emulator: Emulator, lifetime: TimeInterval = 3600) {
        router.post("/oauth2/token") { request, _ -> Response in
            let expected = "Basic " + Data("\(Self.clientID):\(Self.clientSecret)".utf8).base64EncodedString()
            var body = try await request.body.collect(upTo: 1 << 16)
            let form = body.readString(length: body.readableBytes) ?? ""
            guard request.headers[.authorization] == expected, form.contains("grant_type=refresh_token"),
                form.contains("refresh_token=rt-")
            else {
                return Response(
                    status: .unauthorized, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"error":"invalid_client"}"#)))
            }
            // Slow enough that concurrent callers really overlap with the refresh in flight.
            try await Task.sleep(for: .milliseconds(200))
            let number = self.refreshCount.withLock { count in
                count += 1
                return count
            }
            let accessToken = "at-refreshed-\(number)-\(UID.generate())"
            self.issued.withLock { $0.append(accessToken) }
            emulator.registerBearerToken(accessToken, username: "admin", expiresAt: Date().addingTimeInterval(lifetime))
            let json = #"{"access_token":"\#(accessToken)","token_type":"Bearer","expires_in":\#(Int(lifetime)),"refresh_token":"rt-\#(number)","scope":"ALL"}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }
}

@Suite("OAuth2 bearer authentication with refresh")
struct OAuth2Tests {
    @Test("50 concurrent requests while the token expires cause exactly one refresh, saved to the token store")
    func oneRefreshForConcurrentRequests() async throws {
        try await withTestEmulator { emulator in
            let endpoint = TokenEndpoint()
            try await StubServer.with({ endpoint.configure($0, emulator: emulator) }) { tokenServer in
                let clock = TestClock()
                // Valid for another 30 s on the server, but inside the client's 60 s refresh margin.
                emulator.registerBearerToken("at-initial", username: "admin", expiresAt: Date().addingTimeInterval(30))
                let store = InMemoryTokenStore()
                let auth = OAuth2Auth(
                    tokenEndpoint: try #require(URL(string: tokenServer.baseURL + "/oauth2/token")),
                    clientID: TokenEndpoint.clientID, clientSecret: TokenEndpoint.clientSecret,
                    token: OAuth2Token(
                        accessToken: "at-initial", refreshToken: "rt-0", expiresAt: clock.now().addingTimeInterval(30)),
                    tokenStore: store, storeKey: "emulator", clock: clock)
                let configuration = DHIS2Configuration(version: .pinned(.v42), systemCacheTTL: nil, clock: clock)
                try await DHIS2Client.withConnection(to: emulator.baseURL, auth: auth, configuration: configuration) {
                    client in
                    let usernames = try await withThrowingTaskGroup(of: String?.self) { group in
                        for _ in 0..<50 { group.addTask { try await client.system.me().username } }
                        var names = [String?]()
                        for try await name in group { names.append(name) }
                        return names
                    }
                    #expect(usernames.count == 50)
                    #expect(usernames.allSatisfy { $0 == "admin" })
                }
                #expect(endpoint.refreshCount.withLock { $0 } == 1)
                let saved = try #require(await store.token(for: "emulator"))
                #expect(saved.accessToken == endpoint.issued.withLock { $0.first })
                #expect(saved.refreshToken == "rt-1")
            }
        }
    }

    @Test("A token the server rejects with 401 is refreshed once and the request repeated")
    func refreshAfterRejection() async throws {
        try await withTestEmulator { emulator in
            let endpoint = TokenEndpoint()
            try await StubServer.with({ endpoint.configure($0, emulator: emulator) }) { tokenServer in
                // The client believes the token is good for an hour; the server already considers it expired.
                emulator.registerBearerToken("at-stale", username: "admin", expiresAt: Date().addingTimeInterval(-5))
                let auth = OAuth2Auth(
                    tokenEndpoint: try #require(URL(string: tokenServer.baseURL + "/oauth2/token")),
                    clientID: TokenEndpoint.clientID, clientSecret: TokenEndpoint.clientSecret,
                    token: OAuth2Token(accessToken: "at-stale", refreshToken: "rt-0", expiresAt: Date().addingTimeInterval(3600)),
                    storeKey: "emulator")
                try await DHIS2Client.withConnection(to: emulator.baseURL, auth: auth) { client in
                    let username = try await client.system.me().username
                    #expect(username == "admin")
                }
                #expect(endpoint.refreshCount.withLock { $0 } == 1)
                #expect(emulator.requestCount(path: "/api/system/info") == 2)  // 401, then success after the refresh
            }
        }
    }

    @Test("A refused refresh gives an authentication error that names neither token nor secret")
    func refusedRefresh() async throws {
        try await withTestEmulator { emulator in
            let endpoint = TokenEndpoint()
            try await StubServer.with({ endpoint.configure($0, emulator: emulator) }) { tokenServer in
                let auth = OAuth2Auth(
                    tokenEndpoint: try #require(URL(string: tokenServer.baseURL + "/oauth2/token")),
                    clientID: TokenEndpoint.clientID, clientSecret: "Wrong-Client-Secret-55",
                    token: OAuth2Token(accessToken: "at-old-secret", refreshToken: "rt-0", expiresAt: Date()),
                    storeKey: "emulator")
                let error = await expectDHIS2Error {
                    _ = try await DHIS2Client.connect(to: emulator.baseURL, auth: auth)
                }
                #expect(error?.code == .authentication)
                #expect(error?.message.contains("invalid_client") == true)
                for secret in ["Wrong-Client-Secret-55", "at-old-secret", "rt-0"] {
                    #expect(error?.description.contains(secret) == false)
                }
            }
        }
    }
}
