import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("/api/metadata: bulk import with the ImportReport, and export")
struct MetadataImportTests {
    static func element(_ id: String, _ name: String, code: String? = nil) -> JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "shortName": .string(name), "valueType": "NUMBER",
            "aggregationType": "SUM", "domainType": "AGGREGATE",
        ]
        if let code { object["code"] = .string(code) }
        return .object(object)
    }

    @Test("a valid payload answers 200 OK with stats; references between objects of the payload resolve")
    func importCreates() async throws {
        try await withEmulator { emulator in
            let payload: JSONValue = [
                "system": ["id": "ignored"],
                "categories": [[
                    "id": "aCatImport1", "name": "Import category", "shortName": "Import category",
                    "dataDimensionType": "DISAGGREGATION", "categoryOptions": [["id": "aOptImport1"]],
                ]],
                "categoryOptions": [["id": "aOptImport1", "name": "Import option", "shortName": "Import option"]],
                "dataElements": [Self.element("aDeImport01", "Imported one")],
            ]
            let reply = try await emulator.send(.POST, "/api/metadata", json: payload)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["status"] == "OK")
            let report = try #require(reply.json["response"])
            #expect(report["responseType"] == "ImportReport")
            #expect(report["status"] == "OK")
            #expect(report["stats"] == ["created": 3, "updated": 0, "deleted": 0, "ignored": 0, "total": 3])
            let klasses = (report["typeReports"]?.arrayValue ?? []).compactMap { $0["klass"]?.stringValue }
            // Dependency order: the option before the category that refers to it.
            let optionIndex = try #require(klasses.firstIndex(of: "org.hisp.dhis.category.CategoryOption"))
            let categoryIndex = try #require(klasses.firstIndex(of: "org.hisp.dhis.category.Category"))
            #expect(optionIndex < categoryIndex)
            #expect(report["typeReports"]?[0]?["objectReports"] == [])
            let category = try await emulator.getJSON("/api/categories/aCatImport1?fields=categoryOptions")
            #expect(category["categoryOptions"] == [["id": "aOptImport1"]])

            // A second import of the same payload updates.
            let again = try await emulator.send(.POST, "/api/metadata?importReportMode=FULL", json: ["dataElements": [Self.element("aDeImport01", "Imported once more")]])
            #expect(again.json["response"]?["stats"]?["updated"] == 1)
            #expect(again.json["response"]?["typeReports"]?[0]?["objectReports"]?[0]?["uid"] == "aDeImport01")
            #expect(again.json["response"]?["typeReports"]?[0]?["objectReports"]?[0]?["index"] == 0)
            #expect(try await emulator.getJSON("/api/dataElements/aDeImport01?fields=name") == ["name": "Imported once more"])
        }
    }

    @Test("importMode=VALIDATE stores nothing")
    func validateOnly() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.POST, "/api/metadata?importMode=VALIDATE", json: ["dataElements": [Self.element("aDeValid001", "Validated")]])
            #expect(reply.status == 200)
            #expect(reply.json["response"]?["status"] == "OK")
            #expect(try await emulator.send(.GET, "/api/dataElements/aDeValid001").status == 404)
        }
    }

    @Test("atomicMode=ALL with an error stores nothing: 409, envelope WARNING, report ERROR, all ignored")
    func atomicAll() async throws {
        try await withEmulator { emulator in
            let payload: JSONValue = ["dataElements": [
                Self.element("aDeAtomic01", "Atomic good"),
                ["id": "aDeAtomic02", "name": "Atomic bad"],
            ]]
            let reply = try await emulator.send(.POST, "/api/metadata", json: payload)
            #expect(reply.status == 409)
            #expect(reply.json["status"] == "WARNING")
            #expect(reply.json["message"] == "One or more errors occurred, please see full details in import report.")
            let report = try #require(reply.json["response"])
            #expect(report["status"] == "ERROR")
            #expect(report["stats"] == ["created": 0, "updated": 0, "deleted": 0, "ignored": 2, "total": 2])
            let objectReport = try #require(report["typeReports"]?[0]?["objectReports"]?[0])
            #expect(objectReport["index"] == 1)
            #expect(objectReport["uid"] == "aDeAtomic02")
            #expect(objectReport["errorReports"]?[0]?["errorCode"] == "E4000")
            #expect(try await emulator.send(.GET, "/api/dataElements/aDeAtomic01").status == 404)

            let partial = try await emulator.send(.POST, "/api/metadata?atomicMode=NONE", json: payload)
            #expect(partial.status == 409)
            #expect(partial.json["response"]?["status"] == "WARNING")
            #expect(partial.json["response"]?["stats"] == ["created": 1, "updated": 0, "deleted": 0, "ignored": 1, "total": 2])
            #expect(try await emulator.send(.GET, "/api/dataElements/aDeAtomic01").status == 200)
        }
    }

    @Test("importStrategy CREATE refuses existing objects (E5000), UPDATE missing ones (E5001), DELETE removes")
    func strategies() async throws {
        try await withEmulator { emulator in
            let existing = try await emulator.send(
                .POST, "/api/metadata?importStrategy=CREATE",
                json: ["dataElements": [Self.element(DemoData.ancFirstVisitID.rawValue, "ANC 1st visit again")]])
            #expect(existing.status == 409)
            #expect(existing.json["response"]?["typeReports"]?[0]?["objectReports"]?[0]?["errorReports"]?[0]?["errorCode"] == "E5000")

            let missing = try await emulator.send(
                .POST, "/api/metadata?importStrategy=UPDATE", json: ["dataElements": [Self.element("aDeMissing1", "Missing")]])
            #expect(missing.status == 409)
            #expect(missing.json["response"]?["typeReports"]?[0]?["objectReports"]?[0]?["errorReports"]?[0]?["errorCode"] == "E5001")

            _ = try await emulator.send(.POST, "/api/metadata", json: ["dataElements": [Self.element("aDeDelete01", "To delete")]])
            let deleted = try await emulator.send(
                .POST, "/api/metadata?importStrategy=DELETE", json: ["dataElements": [["id": "aDeDelete01"]]])
            #expect(deleted.status == 200)
            #expect(deleted.json["response"]?["stats"]?["deleted"] == 1)
            #expect(try await emulator.send(.GET, "/api/dataElements/aDeDelete01").status == 404)
        }
    }

    @Test("identifier=CODE matches objects and references by code")
    func identifierCode() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(
                .POST, "/api/metadata?identifier=CODE",
                json: ["dataElements": [[
                    "code": "DE_ANC1", "name": "ANC 1st visit (by code)", "shortName": "ANC 1st visit",
                    "valueType": "INTEGER_ZERO_OR_POSITIVE", "aggregationType": "SUM", "domainType": "AGGREGATE",
                    "categoryCombo": ["code": "default"],
                ]]])
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["response"]?["stats"]?["updated"] == 1)
            let read = try await emulator.getJSON("/api/dataElements/\(DemoData.ancFirstVisitID.rawValue)?fields=name,categoryCombo")
            #expect(read["name"] == "ANC 1st visit (by code)")
            #expect(read["categoryCombo"] == ["id": .string(DemoData.defaultCategoryComboID.rawValue)])
        }
    }

    @Test("an invalid reference is an E5002 error report")
    func invalidReference() async throws {
        try await withEmulator { emulator in
            var element = Self.element("aDeBadRef01", "Bad reference").objectValue ?? [:]
            element["categoryCombo"] = ["id": "noSuchCombo"]
            let reply = try await emulator.send(.POST, "/api/metadata", json: ["dataElements": [.object(element)]])
            #expect(reply.status == 409)
            let error = reply.json["response"]?["typeReports"]?[0]?["objectReports"]?[0]?["errorReports"]?[0]
            #expect(error?["errorCode"] == "E5002")
            #expect(error?["errorProperty"] == "categoryCombo")
        }
    }

    @Test("GET /api/metadata exports the chosen types with :owner fields, a system block, filters and defaults=EXCLUDE")
    func export() async throws {
        try await withEmulator { emulator in
            let body = try await emulator.getJSON("/api/metadata?dataElements=true&categoryCombos=true&defaults=EXCLUDE&dataElements:filter=code:eq:DE_ANC1")
            let system = try #require(body["system"]?.objectValue)
            #expect(system["version"] == "2.42.6")
            #expect(system["date"]?.stringValue?.hasSuffix("+0000") == true)
            let elements = try #require(body["dataElements"]?.arrayValue)
            #expect(elements.count == 1)
            #expect(elements.first?["id"] == .string(DemoData.ancFirstVisitID.rawValue))
            #expect(elements.first?["categoryCombo"] == ["id": .string(DemoData.defaultCategoryComboID.rawValue)])
            #expect(elements.first?["href"] == nil)
            #expect(elements.first?["displayName"] == nil)
            #expect(Set((body.objectValue ?? [:]).keys).isSubset(of: ["system", "dataElements", "categoryCombos"]))
            let combos = body["categoryCombos"]?.arrayValue ?? []
            #expect(!combos.contains { $0["name"] == "default" })

            let fields = try await emulator.getJSON("/api/metadata?dataElements=true&fields=id,name&skipSharing=true")
            #expect(fields["dataElements"]?[0]?.objectValue.map { Set($0.keys) } == ["id", "name"])
        }
    }
}
