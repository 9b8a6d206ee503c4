import AsyncHTTPClient
import DHIS2
import DHIS2Emulator
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite("System endpoints: ping, info, UID generator, me")
struct SystemEndpointTests {
    @Test("/api/ping answers 200 with an empty body without credentials")
    func pingIsUnauthenticated() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.GET, "/api/ping", as: .none)
            #expect(reply.status == 200)
            #expect(reply.body.isEmpty)
        }
    }

    @Test("/api/system/ping needs credentials and answers pong as text/plain")
    func systemPing() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.GET, "/api/system/ping")
            #expect(reply.status == 200)
            #expect(reply.text == "pong")
            #expect(reply.header("Content-Type")?.hasPrefix("text/plain") == true)
            let anonymous = try await emulator.send(.GET, "/api/system/ping", as: .none)
            #expect(anonymous.status == 302)
        }
    }

    @Test("system info reports the emulated version and the request's context path", arguments: versionsUnderTest)
    func systemInfo(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let info = try await emulator.getJSON("/api/system/info")
            #expect(info["version"] == .string(version))
            #expect(info["contextPath"] == .string(emulator.baseURL))
            #expect(info["instanceBaseUrl"] == .string(emulator.baseURL))
            #expect(info["calendar"] == "iso8601")
            #expect(info["dateFormat"] == "yyyy-mm-dd")
            #expect(info["serverTimeZoneId"] == "Etc/UTC")
            #expect(info["lastAnalyticsTableSuccess"] == "1970-01-01T00:00:00.000")
            #expect(info["databaseInfo"]?["spatialSupport"] == true)
            #expect(info["revision"]?.stringValue?.count == 7)
            #expect(info["systemId"]?.stringValue?.isEmpty == false)
            let serverDate = try #require(info["serverDate"]?.stringValue)
            #expect(serverDate.range(of: #"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}$"#, options: .regularExpression) != nil)
            // sessionTimeout and capability appear in 2.43's SystemInfo, not before.
            #expect(info["sessionTimeout"] == nil)
            #expect(info["capability"] == nil)
        }
    }

    @Test("system info of 2.43 carries sessionTimeout and capability")
    func systemInfo243() async throws {
        try await withEmulator(.init(version: "2.43.2")) { emulator in
            let info = try await emulator.getJSON("/api/system/info")
            #expect(info["sessionTimeout"]?.intValue != nil)
            #expect(info["capability"]?.objectValue != nil)
        }
    }

    @Test("system info honours fields")
    func systemInfoFields() async throws {
        try await withEmulator { emulator in
            let info = try await emulator.getJSON("/api/system/info?fields=version,revision")
            #expect(info.objectValue?.keys.sorted() == ["revision", "version"])
        }
    }

    @Test("the UID generator answers {codes:[…]} with valid, distinct UIDs; limit defaults to 1 and caps at 10000")
    func uidGenerator() async throws {
        try await withEmulator { emulator in
            let one = try await emulator.getJSON("/api/system/id")
            #expect(one["codes"]?.arrayValue?.count == 1)
            let many = try await emulator.getJSON("/api/system/uid?limit=25")
            let codes = (many["codes"]?.arrayValue ?? []).compactMap { $0.stringValue }
            #expect(codes.count == 25)
            #expect(Set(codes).count == 25)
            #expect(codes.allSatisfy { UID.isValid($0) })
            let capped = try await emulator.getJSON("/api/system/id?limit=10001")
            #expect(capped["codes"]?.arrayValue?.count == 10000)
            let bad = try await emulator.send(.GET, "/api/system/id?limit=abc")
            #expect(bad.status == 400)
        }
    }

    @Test("/api/me on 2.41 carries userCredentials and no twoFactorType")
    func me241() async throws {
        try await withEmulator(.init(version: "2.41.10")) { emulator in
            let me = try await emulator.getJSON("/api/me")
            #expect(me["id"] == .string(DemoData.adminUserID.rawValue))
            #expect(me["username"] == "admin")
            #expect(me["authorities"] == ["ALL"])
            #expect(me["userCredentials"]?["username"] == "admin")
            #expect(me["twoFactorType"] == nil)
        }
    }

    @Test("/api/me on 2.42 has twoFactorType and no userCredentials; fields selects members")
    func me242() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let me = try await emulator.getJSON("/api/me")
            #expect(me["userCredentials"] == nil)
            #expect(me["twoFactorType"] == "NOT_ENABLED")
            #expect(me["organisationUnits"] == [["id": .string(DemoData.countryID.rawValue)]])
            let selected = try await emulator.getJSON("/api/me?fields=id,username")
            #expect(selected == ["id": .string(DemoData.adminUserID.rawValue), "username": "admin"])
        }
    }

    @Test("paths no controller maps answer Tomcat's HTML 404")
    func unmappedPath() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.GET, "/api/noSuchThing")
            #expect(reply.status == 404)
            #expect(reply.header("Content-Type")?.hasPrefix("text/html") == true)
            let outside = try await emulator.send(.GET, "/nothing-here", as: .none)
            #expect(outside.status == 404)
        }
    }

    @Test("an unsupported version is refused with a clear error")
    func unsupportedVersion() async throws {
        for version in ["2.40.3", "3.0.0", "2.45.1", "banana", "2.42.x"] {
            await #expect(throws: EmulatorError.self) {
                try await Emulator.start(.init(version: version)).shutdown()
            }
        }
        for version in ["2.41.10", "2.42-SNAPSHOT", "2.44-SNAPSHOT", "2.42.4.1", "2.43.0"] {
            try await withEmulator(.init(version: version)) { emulator in
                #expect(emulator.version == version)
                let info = try await emulator.getJSON("/api/system/info")
                #expect(info["version"] == .string(version))
            }
        }
    }
}

@Suite("Emulator lifecycle")
struct EmulatorLifecycleTests {
    @Test("cancelling the task in waitUntilShutdown stops the server")
    func cancelWaitingTask() async throws {
        let emulator = try await Emulator.start()
        let before = try await emulator.send(.GET, "/api/ping", as: .none)
        #expect(before.status == 200)
        let waiter = Task { try await emulator.waitUntilShutdown() }
        waiter.cancel()
        try await waiter.value
        // A fresh client with a short connect timeout: the listening socket is gone, so connecting fails.
        let client = HTTPClient(
            eventLoopGroup: HTTPClient.defaultEventLoopGroup,
            configuration: .init(timeout: .init(connect: .milliseconds(500))))
        await #expect(throws: (any Error).self) {
            _ = try await client.execute(HTTPClientRequest(url: emulator.baseURL + "/api/ping"), timeout: .seconds(5))
        }
        try await client.shutdown()
    }

    @Test("a port already in use is reported as an EmulatorError")
    func portInUse() async throws {
        try await withEmulator { first in
            await #expect(throws: EmulatorError.self) {
                try await Emulator.start(.init(port: first.port)).shutdown()
            }
        }
    }

    @Test("the /api/<version>/ prefix and the .json suffix reach the same resources")
    func versionPrefixAndSuffix() async throws {
        try await withEmulator { emulator in
            let plain = try await emulator.getJSON("/api/dataElements/\(DemoData.ancFirstVisitID)?fields=id,name")
            let prefixed = try await emulator.getJSON("/api/42/dataElements/\(DemoData.ancFirstVisitID)?fields=id,name")
            let suffixed = try await emulator.getJSON("/api/dataElements/\(DemoData.ancFirstVisitID).json?fields=id,name")
            #expect(plain == prefixed)
            #expect(plain == suffixed)
        }
    }
}
