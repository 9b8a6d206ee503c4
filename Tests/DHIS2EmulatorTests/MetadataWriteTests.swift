import AsyncHTTPClient
import DHIS2
import DHIS2Emulator
import Foundation
import NIOCore
import NIOHTTP1
import Testing

@Suite("Metadata writes: POST, PUT, PATCH and DELETE answer as DHIS2 does")
struct MetadataWriteTests {
    /// Sends a JSON Patch document (the helper's `json:` would set `application/json`).
    static func patch(_ emulator: Emulator, _ path: String, _ operations: JSONValue, contentType: String = "application/json-patch+json")
        async throws -> EmulatorReply
    {
        try await emulator.sendRaw(.PATCH, path, body: try operations.jsonData(), contentType: contentType)
    }

    @Test("PATCH applies add, replace and remove-by-id and answers 200 with an ObjectReport")
    func patchOperations() async throws {
        try await withEmulator { emulator in
            let id = DemoData.ancFirstVisitID.rawValue
            let reply = try await Self.patch(emulator, "/api/dataElements/\(id)", [
                ["op": "replace", "path": "/name", "value": "ANC first visit (revised)"],
                ["op": "add", "path": "/description", "value": "Patched"],
                ["op": "add", "path": "/legendSets/-", "value": ["id": "fqs276KXCXi"]],
            ])
            #expect(reply.status == 409)  // the legend set does not exist: E5002 like any update
            #expect(reply.json["response"]?["errorReports"]?[0]?["errorCode"] == "E5002")

            let ok = try await Self.patch(emulator, "/api/dataElements/\(id)", [
                ["op": "replace", "path": "/name", "value": "ANC first visit (revised)"],
                ["op": "add", "path": "/description", "value": "Patched"],
                ["op": "remove", "path": "/code"],
            ])
            #expect(ok.status == 200)
            #expect(ok.json["status"] == "OK")
            #expect(ok.json["response"]?["uid"] == .string(id))
            #expect(ok.json["response"]?["responseType"] == "ObjectReport")
            let read = try await emulator.getJSON("/api/dataElements/\(id)?fields=name,description,code")
            #expect(read == ["name": "ANC first visit (revised)", "description": "Patched"])

            let removed = try await Self.patch(emulator, "/api/categories/\(DemoData.defaultCategoryID.rawValue)", [
                ["op": "remove-by-id", "path": "/categoryOptions", "id": .string(DemoData.defaultCategoryOptionID.rawValue)],
            ])
            #expect(removed.status == 200)
            let after = try await emulator.getJSON("/api/categories/\(DemoData.defaultCategoryID.rawValue)?fields=categoryOptions")
            #expect(after["categoryOptions"] == [])
        }
    }

    @Test("PATCH refuses other content types (415), move/copy/test and invalid paths (400), and keeps the id")
    func patchRefusals() async throws {
        try await withEmulator { emulator in
            let id = DemoData.ancFirstVisitID.rawValue
            let wrongType = try await Self.patch(
                emulator, "/api/dataElements/\(id)", [["op": "replace", "path": "/name", "value": "x"]],
                contentType: "application/json")
            #expect(wrongType.status == 415)
            #expect(wrongType.json["message"] == "Content-Type 'application/json' is not supported")
            #expect(wrongType.json["httpStatus"] == "Unsupported Media Type")

            for op in ["move", "copy", "test"] {
                let refused = try await Self.patch(emulator, "/api/dataElements/\(id)", [
                    ["op": .string(op), "path": "/name", "from": "/shortName", "value": "x"],
                ])
                #expect(refused.status == 400)
                #expect(refused.json["message"]?.stringValue?.contains("Could not resolve type id '\(op)'") == true)
            }

            let invalid = try await Self.patch(emulator, "/api/dataElements/\(id)", [["op": "add", "path": "/test", "value": 1]])
            #expect(invalid.status == 400)
            #expect(invalid.json == ["httpStatus": "Bad Request", "httpStatusCode": 400, "status": "ERROR", "message": "Invalid path /test"])

            let idChange = try await Self.patch(emulator, "/api/dataElements/\(id)", [["op": "replace", "path": "/id", "value": "abcdefghijk"]])
            #expect(idChange.status == 200)
            #expect(idChange.json["response"]?["uid"] == .string(id))
            #expect(try await emulator.send(.GET, "/api/dataElements/\(id)").status == 200)
            #expect(try await emulator.send(.GET, "/api/dataElements/abcdefghijk").status == 404)

            let missing = try await Self.patch(emulator, "/api/dataElements/abcdefghijk", [["op": "replace", "path": "/name", "value": "x"]])
            #expect(missing.status == 404)
        }
    }

    @Test("POST reports E4000 for a missing required property and E5003 for a duplicate name with mainId")
    func createErrors() async throws {
        try await withEmulator { emulator in
            let missing = try await emulator.send(.POST, "/api/dataElements", json: ["name": "Only a name"])
            #expect(missing.status == 409)
            #expect(missing.json["status"] == "ERROR")
            let codes = (missing.json["response"]?["errorReports"]?.arrayValue ?? []).compactMap { $0["errorCode"]?.stringValue }
            #expect(codes.contains("E4000"))

            let duplicate = try await emulator.send(.POST, "/api/dataElements", json: [
                "name": "ANC 1st visit", "shortName": "Another short name", "valueType": "NUMBER",
                "aggregationType": "SUM", "domainType": "AGGREGATE",
            ])
            #expect(duplicate.status == 409)
            let report = try #require(duplicate.json["response"]?["errorReports"]?.arrayValue?.first { $0["errorCode"] == "E5003" })
            #expect(report["mainId"] == .string(DemoData.ancFirstVisitID.rawValue))
            #expect(report["errorProperty"] == "name")
            #expect(report["args"]?[0] == "name")
            #expect(report["args"]?[1] == "ANC 1st visit")

            let created = try await emulator.send(.POST, "/api/dataElements", json: [
                "name": "New element", "shortName": "New element", "valueType": "NUMBER",
                "aggregationType": "SUM", "domainType": "AGGREGATE",
            ])
            #expect(created.status == 201)
            let uid = try #require(created.json["response"]?["uid"]?.stringValue)
            #expect(created.header("Location")?.hasSuffix("/api/dataElements/\(uid)") == true)
        }
    }

    @Test("DELETE of a referenced object answers 409 with status WARNING and E4030")
    func deleteVeto() async throws {
        try await withEmulator { emulator in
            let veto = try await emulator.send(.DELETE, "/api/categoryOptions/\(DemoData.defaultCategoryOptionID.rawValue)")
            #expect(veto.status == 409)
            #expect(veto.json["status"] == "WARNING")
            #expect(veto.json["response"]?["errorReports"]?[0]?["errorCode"] == "E4030")

            let created = try await emulator.send(.POST, "/api/categoryOptions", json: ["name": "Temporary", "shortName": "Temporary"])
            let uid = try #require(created.json["response"]?["uid"]?.stringValue)
            let deleted = try await emulator.send(.DELETE, "/api/categoryOptions/\(uid)")
            #expect(deleted.status == 200)
            #expect(deleted.json["status"] == "OK")
            #expect(try await emulator.send(.GET, "/api/categoryOptions/\(uid)").status == 404)
        }
    }

    @Test("responseType follows the version: ObjectReportWebMessageResponse on 2.42.0-2.42.4, ObjectReport after")
    func responseTypePerVersion() async throws {
        for (version, expected) in [("2.42.4", "ObjectReportWebMessageResponse"), ("2.42.6", "ObjectReport"), ("2.41.10", "ObjectReport"), ("2.43.0", "ObjectReportWebMessageResponse")] {
            try await withEmulator(.init(version: version)) { emulator in
                let reply = try await Self.patch(emulator, "/api/dataElements/\(DemoData.ancFirstVisitID.rawValue)", [
                    ["op": "replace", "path": "/name", "value": "Renamed"],
                ])
                #expect(reply.status == 200)
                #expect(reply.json["response"]?["responseType"] == .string(expected), "\(version)")
            }
        }
    }
}

extension Emulator {
    /// Sends raw bytes with an explicit content type.
    func sendRaw(_ method: HTTPMethod, _ path: String, body: Data, contentType: String) async throws -> EmulatorReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let authorization = TestCredentials.admin.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: body))
        let response = try await emulatorTestHTTPClient.execute(request, timeout: .seconds(30))
        let collected = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return EmulatorReply(
            status: Int(response.status.code), headers: response.headers, body: Data(collected.readableBytesView))
    }
}
