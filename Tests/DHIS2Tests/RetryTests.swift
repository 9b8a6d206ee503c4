import DHIS2
import DHIS2Emulator
import Foundation
import Testing

@Suite("Retries over real HTTP, with faults injected in the emulator")
struct RetryTests {
    @Test("A GET that fails twice with 503 and Retry-After succeeds on the third attempt")
    func getRetriedAfter503() async throws {
        try await withTestEmulator { emulator in
            let clock = TestClock()
            let path = "/api/dataElements/\(DemoData.ancFirstVisitID)"
            try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: adminAuth, configuration: DHIS2Configuration(clock: clock)
            ) { client in
                emulator.faults.inject(.status(503, retryAfter: "2"), method: "GET", path: path, times: 2)
                let element = try await client.get(path)
                #expect(element["id"]?.stringValue == DemoData.ancFirstVisitID.rawValue)
                #expect(emulator.requestCount(method: "GET", path: path) == 3)
                // Retry-After (2 s) replaced the computed backoff both times.
                #expect(clock.sleeps == [.seconds(2), .seconds(2)])
            }
        }
    }

    @Test("Without Retry-After the delays back off exponentially, and the last failure is returned")
    func exhaustedRetries() async throws {
        try await withTestEmulator { emulator in
            let clock = TestClock()
            let policy = RetryPolicy(maxAttempts: 4, baseDelay: .milliseconds(500), jitter: 0)
            let path = "/api/dataElements/\(DemoData.ancFirstVisitID)"
            try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: adminAuth, configuration: DHIS2Configuration(retryPolicy: policy, clock: clock)
            ) { client in
                emulator.faults.inject(.status(502), method: "GET", path: path, times: 10)
                let error = await expectDHIS2Error { _ = try await client.get(path) }
                #expect(error?.status == 502)
                #expect(emulator.requestCount(method: "GET", path: path) == 4)
                #expect(clock.sleeps == [.milliseconds(500), .seconds(1), .seconds(2)])
            }
        }
    }

    @Test("A POST that gets 503 is not retried by default, and is retried when the policy opts in")
    func postRetriedOnlyWhenOptedIn() async throws {
        try await withTestEmulator { emulator in
            let body: JSONValue = [
                "name": "Retry probe", "shortName": "Retry probe", "valueType": "NUMBER", "domainType": "AGGREGATE",
                "aggregationType": "SUM",
            ]
            try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: adminAuth, configuration: DHIS2Configuration(clock: TestClock())
            ) { client in
                emulator.faults.inject(.status(503, retryAfter: "1"), method: "POST", path: "/api/dataElements", times: 1)
                let error = await expectDHIS2Error { _ = try await client.post("dataElements", body: body) }
                #expect(error?.status == 503)
                #expect(emulator.requestCount(method: "POST", path: "/api/dataElements") == 1)
            }
            let optIn = RetryPolicy(retriesNonIdempotentRequests: true)
            try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: adminAuth,
                configuration: DHIS2Configuration(retryPolicy: optIn, clock: TestClock())
            ) { client in
                emulator.faults.inject(.status(503, retryAfter: "1"), method: "POST", path: "/api/dataElements", times: 1)
                let created = try await client.webMessage(.post, "dataElements", body: body)
                #expect(created.httpStatusCode == 201)
                #expect(emulator.requestCount(method: "POST", path: "/api/dataElements") == 3)
            }
        }
    }

    @Test("A dropped connection is retried for a GET but not for a POST")
    func droppedConnections() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: adminAuth, configuration: DHIS2Configuration(clock: TestClock())
            ) { client in
                emulator.faults.inject(.dropConnection, method: "GET", path: "/api/me", times: 1)
                let me = try await client.system.me()
                #expect(me.username == "admin")
                #expect(emulator.requestCount(method: "GET", path: "/api/me") == 2)

                emulator.faults.inject(.dropConnection, method: "POST", path: "/api/dataElements", times: 1)
                let error = await expectDHIS2Error { _ = try await client.post("dataElements", body: ["name": "x"]) }
                #expect(error?.code == .transport)
                #expect(emulator.requestCount(method: "POST", path: "/api/dataElements") == 1)
            }
        }
    }

    @Test("A server slower than the read timeout gives a timeout error")
    func readTimeout() async throws {
        try await withTestEmulator { emulator in
            // Pinned, so the delayed request is the client's only one; the margins are wide so that a loaded machine
            // answering a normal request slowly cannot be mistaken for the timeout under test.
            let configuration = DHIS2Configuration(
                readTimeout: .seconds(2), retryPolicy: .never, version: .pinned(.v42))
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth, configuration: configuration) {
                client in
                emulator.faults.inject(.delay(.seconds(8)), method: "GET", path: "/api/me", times: 1)
                let error = await expectDHIS2Error { _ = try await client.system.me() }
                #expect(error?.code == .timeout)
                #expect(error?.path == "/api/me")
                #expect(emulator.requestCount(method: "GET", path: "/api/me") == 1)
            }
        }
    }
}
