import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("Fault injection")
struct FaultInjectionTests {
    @Test("two 503s with Retry-After, then the real answer; faulted requests are counted")
    func statusThenPass() async throws {
        try await withEmulator { emulator in
            emulator.faults.inject(.status(503, retryAfter: "1"), path: "/api/system/info", times: 2)
            for _ in 0..<2 {
                let reply = try await emulator.send(.GET, "/api/system/info")
                #expect(reply.status == 503)
                #expect(reply.header("Retry-After") == "1")
                #expect(reply.json["httpStatusCode"] == 503)
                #expect(reply.json["status"] == "ERROR")
            }
            let real = try await emulator.send(.GET, "/api/system/info")
            #expect(real.status == 200)
            #expect(emulator.requestCount(path: "/api/system/info") == 3)
            #expect(emulator.requestCount(method: "GET", path: "/api/system/info") == 3)
            #expect(emulator.requestCount(method: "POST", path: "/api/system/info") == 0)
        }
    }

    @Test("faults run before authentication")
    func beforeAuthentication() async throws {
        try await withEmulator { emulator in
            emulator.faults.inject(.status(429), path: "/api/me")
            let reply = try await emulator.send(.GET, "/api/me", as: .none)
            #expect(reply.status == 429)
        }
    }

    @Test("faults for one route play in order; prefixes and methods select requests")
    func orderPrefixAndMethod() async throws {
        try await withEmulator { emulator in
            emulator.faults.inject(.status(502), path: "/api/dataElements*")
            emulator.faults.inject(.status(504), path: "/api/dataElements*")
            emulator.faults.inject(.status(500), method: "POST", path: "/api/categoryCombos")
            let reply1 = try await emulator.send(.GET, "/api/dataElements/\(DemoData.ancFirstVisitID)")
            #expect(reply1.status == 502)
            let reply2 = try await emulator.send(.GET, "/api/dataElements")
            #expect(reply2.status == 504)
            let reply3 = try await emulator.send(.GET, "/api/dataElements")
            #expect(reply3.status == 200)
            let reply4 = try await emulator.send(.GET, "/api/categoryCombos")
            #expect(reply4.status == 200)
            let reply5 = try await emulator.send(.POST, "/api/categoryCombos", json: [:])
            #expect(reply5.status == 500)
        }
    }

    @Test("a delay fault answers normally afterwards")
    func delay() async throws {
        try await withEmulator { emulator in
            emulator.faults.inject(.delay(.milliseconds(50)), path: "/api/system/ping")
            let reply = try await emulator.send(.GET, "/api/system/ping")
            #expect(reply.status == 200)
            #expect(reply.text == "pong")
        }
    }

    @Test("dropConnection closes the socket without a response; the next request succeeds")
    func dropConnection() async throws {
        try await withEmulator { emulator in
            emulator.faults.inject(.dropConnection, path: "/api/system/ping")
            await #expect(throws: (any Error).self) {
                _ = try await emulator.send(.GET, "/api/system/ping")
            }
            let reply = try await emulator.send(.GET, "/api/system/ping")
            #expect(reply.status == 200)
            #expect(emulator.requestCount(path: "/api/system/ping") == 2)
        }
    }

    @Test("removeAll forgets pending faults")
    func removeAll() async throws {
        try await withEmulator { emulator in
            emulator.faults.inject(.status(503), path: "/api/system/ping", times: 5)
            emulator.faults.removeAll()
            let reply6 = try await emulator.send(.GET, "/api/system/ping")
            #expect(reply6.status == 200)
        }
    }
}

@Suite("Persistence and demo data")
struct PersistenceTests {
    @Test("objects written with a data directory survive a restart; demo data is loaded only once")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("dhis2-emulator-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let (uid, systemID, tokenKey) = try await withEmulator(.init(dataDirectory: directory)) { emulator in
            let created = try await emulator.send(.POST, "/api/categoryCombos", json: [
                "name": "Persistent combo", "dataDimensionType": "ATTRIBUTE",
            ])
            let deleted = try await emulator.send(.DELETE, "/api/dataElements/\(DemoData.bedOccupancyRateID)")
            #expect(deleted.status == 200)
            let token = try await emulator.send(.POST, "/api/apiToken", json: [:])
            let info = try await emulator.getJSON("/api/system/info")
            return (
                created.json["response"]?["uid"]?.stringValue ?? "", info["systemId"]?.stringValue ?? "",
                token.json["response"]?["key"]?.stringValue ?? ""
            )
        }
        #expect(FileManager.default.fileExists(atPath: directory + "/emulator.sqlite"))
        try await withEmulator(.init(dataDirectory: directory)) { emulator in
            let combo = try await emulator.getJSON("/api/categoryCombos/\(uid)?fields=name,dataDimensionType")
            #expect(combo == ["name": "Persistent combo", "dataDimensionType": "ATTRIBUTE"])
            // The deleted demo object stays deleted: demo data is not reloaded on the second start.
            let reply7 = try await emulator.send(.GET, "/api/dataElements/\(DemoData.bedOccupancyRateID)")
            #expect(reply7.status == 404)
            let info = try await emulator.getJSON("/api/system/info")
            #expect(info["systemId"] == .string(systemID))
            let me = try await emulator.send(.GET, "/api/me?fields=username", as: .apiToken(tokenKey))
            #expect(me.status == 200)
        }
    }

    @Test("two fresh starts generate the same demo data, with the documented well-known UIDs")
    func determinism() async throws {
        let path = "/api/organisationUnits?paging=false&fields=id,name,level,path,openingDate,parent"
        let first = try await withEmulator { try await $0.getJSON(path) }
        let second = try await withEmulator(.init(version: "2.41.10")) { try await $0.getJSON(path) }
        #expect(first == second)
        let units = first["organisationUnits"]?.arrayValue ?? []
        let levels = Dictionary(grouping: units, by: { $0["level"]?.intValue ?? 0 }).mapValues(\.count)
        #expect(levels[1] == 1)
        #expect(levels[2] == 4)
        #expect(levels[3] == 16)
        #expect((16 * 5...16 * 8).contains(levels[4] ?? 0))
        #expect(units.contains { $0["id"] == .string(DemoData.countryID.rawValue) && $0["name"] == .string(DemoData.countryName) })
        #expect(units.allSatisfy { $0["path"]?.stringValue?.hasSuffix("/" + ($0["id"]?.stringValue ?? "?")) == true })
        try await withEmulator { emulator in
            for (plural, id) in [
                ("categoryCombos", DemoData.defaultCategoryComboID), ("categories", DemoData.defaultCategoryID),
                ("categoryOptions", DemoData.defaultCategoryOptionID),
                ("categoryOptionCombos", DemoData.defaultCategoryOptionComboID),
            ] {
                let object = try await emulator.getJSON("/api/\(plural)/\(id)?fields=name")
                #expect(object == ["name": "default"])
            }
            for element in DemoData.dataElements {
                let object = try await emulator.getJSON("/api/dataElements/\(element.id)?fields=name,valueType")
                #expect(object == ["name": .string(element.name), "valueType": .string(element.valueType)])
            }
        }
    }
}
