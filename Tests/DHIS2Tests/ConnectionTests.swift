import DHIS2
import DHIS2Emulator
import Foundation
import Hummingbird
import Testing

@Suite("Connecting to a server")
struct ConnectionTests {
    @Test("The handshake reads the emulated version and picks its API generation", arguments: emulatedVersions)
    func handshakeDetectsVersion(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let expected = try #require(ServerVersion(version))
                #expect(client.serverVersion == expected)
                #expect(client.apiVersion.minor == expected.minor)
                #expect(client.apiVersion.key == "v\(expected.minor)")
            }
        }
    }

    @Test("System info after connecting comes from the handshake, without a second request")
    func systemInfoIsPrimedByTheHandshake() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let info = try await client.system.info()
                #expect(info.version == "2.42.6")
                #expect(info.serverVersion == ServerVersion("2.42.6"))
                #expect(emulator.requestCount(method: "GET", path: "/api/system/info") == 1)
            }
        }
    }

    @Test("A pinned version skips detection entirely")
    func pinnedVersionSkipsDetection() async throws {
        try await withTestEmulator { emulator in
            let configuration = DHIS2Configuration(version: .pinned(.v41))
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth, configuration: configuration) {
                client in
                #expect(client.apiVersion == .v41)
                #expect(client.serverVersion == nil)
                #expect(emulator.requestCount(path: "/api/system/info") == 0)
                _ = try await client.system.me()
            }
        }
    }

    @Test("A server outside 2.41–2.44 is refused, unless fallback is allowed", arguments: [
        ("2.40.3", nil as APIVersion?, false), ("2.40.3", nil, true), ("2.45.1", nil, false), ("2.45.1", .v44, true),
        ("2.44-SNAPSHOT", .v44, false), ("2.41.8.1", .v41, false),
    ])
    func unsupportedVersions(serverVersion: String, expected: APIVersion?, fallback: Bool) async throws {
        try await StubServer.with({ router in
            router.get("/api/system/info") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(string: #"{"version":"\#(serverVersion)","revision":"abc1234"}"#)))
            }
        }) { server in
            let configuration = DHIS2Configuration(allowsVersionFallback: fallback)
            if let expected {
                let client = try await DHIS2Client.connect(to: server.baseURL, auth: adminAuth, configuration: configuration)
                #expect(client.apiVersion == expected)
                #expect(client.serverVersion == ServerVersion(serverVersion))
                try await client.shutdown()
            } else {
                let error = await expectDHIS2Error {
                    _ = try await DHIS2Client.connect(to: server.baseURL, auth: adminAuth, configuration: configuration)
                }
                #expect(error?.code == .unsupportedVersion)
                #expect(error?.message.contains(serverVersion) == true)
            }
        }
    }

    @Test("A malformed base URL, an unreachable port and an HTML page each fail with their own clear error")
    func distinctConnectionErrors() async throws {
        let badURL = await expectDHIS2Error { _ = try await DHIS2Client.connect(to: "ftp://example.org", auth: adminAuth) }
        #expect(badURL?.code == .invalidBaseURL)
        let noHost = await expectDHIS2Error { _ = try await DHIS2Client.connect(to: "not a url", auth: adminAuth) }
        #expect(noHost?.code == .invalidBaseURL)

        // A port that was just free: nothing listens there.
        let closedPort = try await StubServer.with({ _ in }) { $0.port }
        let unreachable = await expectDHIS2Error {
            _ = try await DHIS2Client.connect(
                to: "http://127.0.0.1:\(closedPort)", auth: adminAuth,
                configuration: DHIS2Configuration(retryPolicy: .never))
        }
        #expect(unreachable?.code == .transport)
        #expect(unreachable?.message.contains("127.0.0.1:\(closedPort)") == true)

        try await StubServer.with({ router in
            router.get("/api/system/info") { _, _ in
                Response(
                    status: .ok, headers: [.contentType: "text/html;charset=UTF-8"],
                    body: .init(byteBuffer: ByteBuffer(string: "<!DOCTYPE html><html><body>Login</body></html>")))
            }
        }) { server in
            let html = await expectDHIS2Error { _ = try await DHIS2Client.connect(to: server.baseURL, auth: adminAuth) }
            #expect(html?.code == .unexpectedContent)
            #expect(html?.status == 200)
            #expect(html?.message.contains("HTML") == true)
        }
    }

    @Test("The client shuts down once, and a scoped connection shuts down when its body throws")
    func scopedLifetime() async throws {
        try await withTestEmulator { emulator in
            struct Boom: Error {}
            var escaped: DHIS2Client?
            await #expect(throws: Boom.self) {
                try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                    escaped = client
                    throw Boom()
                }
            }
            let client = try #require(escaped)
            // The transport is closed: a request now fails instead of leaking a live client.
            let error = await expectDHIS2Error { _ = try await client.get("system/ping") }
            #expect(error != nil)
            try await client.shutdown()  // a second shutdown is harmless
        }
    }
}
