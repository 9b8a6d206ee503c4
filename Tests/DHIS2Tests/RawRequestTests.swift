import DHIS2
import DHIS2Emulator
import Foundation
import Hummingbird
import NIOCore
import Testing

@Suite("Raw requests against the emulator")
struct RawRequestTests {
    @Test("Metadata can be created, read, updated, listed with repeated filters and deleted through the raw calls")
    func crudRoundTrip() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let id = UID.generate()
                let created = try await client.webMessage(
                    .post, "dataElements",
                    body: [
                        "id": .string(id.rawValue), "name": "Raw test visits", "shortName": "Raw test visits",
                        "code": "RAW_TEST_VISITS", "valueType": "INTEGER", "domainType": "AGGREGATE",
                        "aggregationType": "SUM",
                    ])
                #expect(created.httpStatusCode == 201)
                #expect(created.createdUID == id)
                #expect(created.outcome?.didSucceed == true)

                let read = try await client.get("dataElements/\(id)", query: [URLQueryItem(name: "fields", value: "id,name,categoryCombo")])
                #expect(read["name"] == "Raw test visits")
                #expect(read["categoryCombo"]?["id"]?.stringValue == DemoData.defaultCategoryComboID.rawValue)

                _ = try await client.put(
                    "dataElements/\(id)",
                    body: [
                        "name": "Raw test visits (revised)", "shortName": "Raw test visits", "code": "RAW_TEST_VISITS",
                        "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM",
                    ])

                // Two filters under the same key must both reach the server (AND-ed there).
                let listed = try await client.get(
                    "dataElements",
                    query: [
                        URLQueryItem(name: "filter", value: "name:like:Raw test"),
                        URLQueryItem(name: "filter", value: "code:eq:RAW_TEST_VISITS"),
                        URLQueryItem(name: "fields", value: "id,name"),
                    ])
                #expect(listed["pager"]?["total"]?.intValue == 1)
                #expect(listed["dataElements"]?[0]?["name"] == "Raw test visits (revised)")
                let none = try await client.get(
                    "dataElements",
                    query: [
                        URLQueryItem(name: "filter", value: "name:like:Raw test"),
                        URLQueryItem(name: "filter", value: "code:eq:SOMETHING_ELSE"),
                    ])
                #expect(none["pager"]?["total"]?.intValue == 0)

                let deleted = try await client.webMessage(.delete, "dataElements/\(id)")
                #expect(deleted.httpStatusCode == 200)
                let gone = await expectDHIS2Error { _ = try await client.get("dataElements/\(id)") }
                #expect(gone?.code == .api)
                #expect(gone?.status == 404)
                #expect(gone?.webMessage?.errorCode == "E1005")
                #expect(gone?.method == "GET")
                #expect(gone?.path?.contains(id.rawValue) == true)
                #expect(gone?.body?.contains("could not be found") == true)
            }
        }
    }

    @Test("A 409 with an object report is returned as a readable result, not lost in an exception")
    func conflictIsAResult() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let message = try await client.webMessage(.post, "dataElements", body: ["name": "No short name"])
                #expect(message.httpStatusCode == 409)
                #expect(message.status == .error)
                #expect(message.conflicts.contains { $0.errorCode == "E4000" })
                #expect(message.outcome?.didFail == true)

                // The plain JSON call throws instead, with the same WebMessage attached.
                let error = await expectDHIS2Error { _ = try await client.post("dataElements", body: ["name": "x"]) }
                #expect(error?.status == 409)
                #expect(error?.webMessage?.conflicts.isEmpty == false)
            }
        }
    }

    @Test("Text bodies come back as strings and empty bodies as null")
    func textAndEmptyBodies() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let pong = try await client.get("/api/system/ping")
                #expect(pong == "pong")
                let empty = try await client.get("/api/ping")
                #expect(empty == .null)
            }
        }
    }

    @Test("A bare JSON array is wrapped as {\"data\": [...]}")
    func bareArraysAreWrapped() async throws {
        // /api/dataValues and /api/dataStore answer bare arrays on a real server (reference §2.3); the emulator
        // serves neither yet, so a stub stands in for the shape.
        try await StubServer.with({ router in
            router.get("/api/system/info") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"{"version":"2.42.6"}"#)))
            }
            router.get("/api/dataStore") { _, _ in
                Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: #"["ns1","ns2"]"#)))
            }
        }) { server in
            try await DHIS2Client.withConnection(to: server.baseURL, auth: adminAuth) { client in
                let namespaces = try await client.get("dataStore")
                #expect(namespaces == ["data": ["ns1", "ns2"]])
            }
        }
    }

    @Test("Typed reads decode any Decodable and name the JSON path when the shape differs")
    func typedReads() async throws {
        struct Page: Decodable {
            struct Pager: Decodable { let total: Int }
            struct Unit: Decodable { let id: String; let level: Int }
            let pager: Pager
            let organisationUnits: [Unit]
        }
        struct Wrong: Decodable {
            struct Unit: Decodable { let level: String }
            let organisationUnits: [Unit]
        }
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let query = [URLQueryItem(name: "fields", value: "id,level"), URLQueryItem(name: "filter", value: "level:eq:1")]
                let page = try await client.get("organisationUnits", query: query, as: Page.self)
                #expect(page.pager.total == 1)
                #expect(page.organisationUnits.first?.id == DemoData.countryID.rawValue)
                let error = await expectDHIS2Error {
                    _ = try await client.get("organisationUnits", query: query, as: Wrong.self)
                }
                #expect(error?.code == .decoding)
                #expect(error?.codingPath == ["organisationUnits", "0", "level"])
            }
        }
    }

    @Test("A download streams the body to a file")
    func downloadToFile() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let path = FileManager.default.temporaryDirectory.appendingPathComponent("dhis2-\(UID.generate()).json").path
                defer { try? FileManager.default.removeItem(atPath: path) }
                let query = [URLQueryItem(name: "paging", value: "false"), URLQueryItem(name: "fields", value: "id,name,path")]
                let bytes = try await client.download("organisationUnits", query: query, to: path)
                let data = try Data(contentsOf: URL(fileURLWithPath: path))
                #expect(Int64(data.count) == bytes)
                let json = try JSONValue(parsing: data)
                let expected = try await client.get("organisationUnits", query: query)
                #expect(json == expected)
                #expect((json["organisationUnits"]?.arrayValue?.count ?? 0) > 50)

                let missing = await expectDHIS2Error {
                    try await client.download("dataElements/\(UID.generate())", to: path + ".missing")
                }
                #expect(missing?.status == 404)
                #expect(!FileManager.default.fileExists(atPath: path + ".missing"))
            }
        }
    }
}
