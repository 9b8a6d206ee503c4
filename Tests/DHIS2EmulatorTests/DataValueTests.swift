import AsyncHTTPClient
import DHIS2
import DHIS2Emulator
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Facts of the demo data the data value tests use.
enum DataValueFixture {
    static let anc1 = DemoData.ancFirstVisitID.rawValue
    static let bedOccupancy = DemoData.bedOccupancyRateID.rawValue
    static let electricity = "wR4y9ojfljo"  // BOOLEAN
    static let dataSet = DemoData.monthlyDataSetID.rawValue
    static let defaultCombo = DemoData.defaultCategoryOptionComboID.rawValue
    static let female = "xlGs1WzQCS4"  // a COC of the Sex combo, not of the data elements' default combo

    /// Two facilities of the monthly data set.
    static func facilities(_ emulator: Emulator) async throws -> [String] {
        let dataSet = try await emulator.getJSON("/api/dataSets/\(dataSet)?fields=organisationUnits[id]")
        let ids = (dataSet["organisationUnits"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }.sorted()
        guard ids.count >= 2 else { throw EmulatorTestFailure("the demo data set has fewer than two facilities") }
        return Array(ids.prefix(2))
    }

    static func row(
        _ dataElement: String, _ period: String, _ orgUnit: String, _ value: String, combo: String? = nil
    ) -> JSONValue {
        var row: [String: JSONValue] = [
            "dataElement": .string(dataElement), "period": .string(period), "orgUnit": .string(orgUnit),
            "value": .string(value),
        ]
        if let combo { row["categoryOptionCombo"] = .string(combo) }
        return .object(row)
    }
}

extension Emulator {
    /// POSTs raw bytes (a large data value set) and collects the answer.
    func post(_ path: String, bytes: [UInt8], contentType: String = "application/json") async throws -> EmulatorReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        if let authorization = TestCredentials.admin.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        request.headers.add(name: "Content-Type", value: contentType)
        request.body = .bytes(ByteBuffer(bytes: bytes))
        let response = try await emulatorTestHTTPClient.execute(request, timeout: .seconds(600))
        let body = try await response.body.collect(upTo: 256 * 1024 * 1024)
        return EmulatorReply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    /// GETs `path` as admin allowing a large body.
    func getLarge(_ path: String) async throws -> EmulatorReply {
        var request = HTTPClientRequest(url: baseURL + path)
        if let authorization = TestCredentials.admin.authorization {
            request.headers.add(name: "Authorization", value: authorization)
        }
        let response = try await emulatorTestHTTPClient.execute(request, timeout: .seconds(600))
        let body = try await response.body.collect(upTo: 512 * 1024 * 1024)
        return EmulatorReply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }
}

/// The conflicts of an ImportSummary WebMessage, by error code.
private func conflictCodes(_ reply: EmulatorReply) -> [String] {
    (reply.json["response"]?["conflicts"]?.arrayValue ?? []).compactMap { $0["errorCode"]?.stringValue }
}

private func count(_ reply: EmulatorReply, _ name: String) -> Int {
    Int(reply.json["response"]?["importCount"]?[name]?.doubleValue ?? -1)
}

@Suite("Data values: /api/dataValueSets import and export, /api/dataValues")
struct DataValueTests {
    @Test("an import stores the values, answers 200 SUCCESS with counts, and the export returns them", arguments: ["2.41.10", "2.42.6", "2.43.2", "2.44"])
    func importAndExport(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            let rows: [JSONValue] = [
                DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "12"),
                DataValueFixture.row(DataValueFixture.anc1, "202402", units[0], "15"),
                DataValueFixture.row(DataValueFixture.bedOccupancy, "202401", units[1], "87.5"),
                DataValueFixture.row(DataValueFixture.electricity, "202401", units[1], "yes"),
            ]
            let payload: JSONValue = ["dataSet": .string(DataValueFixture.dataSet), "dataValues": .array(rows)]
            let reply = try await emulator.send(.POST, "/api/dataValueSets", json: payload)
            #expect(reply.status == 200, "\(reply.text)")
            #expect(reply.json["status"] == "OK")
            #expect(reply.json["message"] == "Import was successful.")
            #expect(reply.json["response"]?["responseType"] == "ImportSummary")
            #expect(reply.json["response"]?["status"] == "SUCCESS")
            #expect(reply.json["response"]?["rejectedIndexes"] == [])
            let minor = Int(version.split(separator: ".")[1]) ?? 0
            if minor >= 43 {
                #expect(count(reply, "updated") == 4)  // the 2.43 pipeline counts every upsert as updated
            } else {
                #expect(count(reply, "imported") == 4)
            }

            let export = try await emulator.getLarge(
                "/api/dataValueSets?dataSet=\(DataValueFixture.dataSet)&startDate=2024-01-01&endDate=2024-12-31"
                    + "&orgUnit=\(DemoData.countryID.rawValue)&children=true")
            #expect(export.status == 200, "\(export.text)")
            let values = export.json["dataValues"]?.arrayValue ?? []
            #expect(values.count == 4)
            let electricity = values.first { $0["dataElement"]?.stringValue == DataValueFixture.electricity }
            #expect(electricity?["value"] == "true")  // Boolean spellings are normalised
            #expect(electricity?["comment"] == .null)  // explicit null, as DHIS2's streaming writer does
            #expect(electricity?["categoryOptionCombo"]?.stringValue == DataValueFixture.defaultCombo)
            #expect(electricity?["storedBy"] == "admin")
            #expect(electricity?["created"]?.stringValue?.hasSuffix("+0000") == true)
            #expect(export.json["dataSet"] == nil)

            // The same payload again changes nothing: every row is ignored (2.41–2.42) / upserted (2.43+).
            let again = try await emulator.send(.POST, "/api/dataValueSets", json: payload)
            #expect(again.status == 200)
            if minor < 43 { #expect(count(again, "ignored") == 4) }
        }
    }

    @Test("2.41–2.42 report per-row E76xx conflicts with 409 WARNING, store the valid rows and list rejected indexes", arguments: ["2.41.10", "2.42.6"])
    func classicConflicts(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            // A root org unit outside the admin's hierarchy.
            let outsider: JSONValue = ["name": "Elsewhere", "shortName": "Elsewhere", "openingDate": "2000-01-01"]
            let created = try await emulator.send(.POST, "/api/organisationUnits", json: outsider)
            let outsiderID = try #require(created.json["response"]?["uid"]?.stringValue)
            let rows: [JSONValue] = [
                DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "5"),  // 0 valid
                DataValueFixture.row("UnknownDE01", "202401", units[0], "5"),  // 1 E7610
                DataValueFixture.row(DataValueFixture.anc1, "2024-13", units[0], "5"),  // 2 E7611
                DataValueFixture.row(DataValueFixture.anc1, "202401", "UnknownOU01", "5"),  // 3 E7612
                DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "5", combo: "UnknownCO01"),  // 4 E7613
                DataValueFixture.row(DataValueFixture.anc1, "202401", outsiderID, "5"),  // 5 E7617
                DataValueFixture.row(DataValueFixture.anc1, "202403", units[0], "-3"),  // 6 E7619
                DataValueFixture.row(DataValueFixture.anc1, "2024Q1", units[0], "5"),  // 7 E7632
                DataValueFixture.row(DataValueFixture.anc1, "202404", units[0], "5", combo: DataValueFixture.female),  // 8 E7634
                DataValueFixture.row(DataValueFixture.bedOccupancy, "202401", units[0], "150"),  // 9 E7619
            ]
            let reply = try await emulator.send(.POST, "/api/dataValueSets", json: ["dataValues": .array(rows)])
            #expect(reply.status == 409)
            #expect(reply.json["status"] == "WARNING")
            #expect(reply.json["message"] == "One more conflicts encountered, please check import summary.")
            #expect(reply.json["response"]?["status"] == "WARNING")
            #expect(Set(conflictCodes(reply)) == ["E7610", "E7611", "E7612", "E7613", "E7617", "E7619", "E7632", "E7634"])
            #expect(reply.json["response"]?["rejectedIndexes"] == [1, 2, 3, 4, 5, 6, 7, 8, 9])
            #expect(count(reply, "imported") == 1)
            #expect(count(reply, "ignored") == 9)
            let unknown = (reply.json["response"]?["conflicts"]?.arrayValue ?? []).first { $0["errorCode"] == "E7610" }
            #expect(unknown?["object"] == "UnknownDE01")
            #expect(unknown?["property"] == "dataElement")
            #expect(unknown?["objects"]?["dataElement"] == "UnknownDE01")
            #expect(unknown?["value"] == "Data element not found or not accessible: `UnknownDE01`")
            #expect(unknown?["indexes"] == [1])

            // A data element outside the named data set, and an unknown data set.
            let outside = try await emulator.send(.POST, "/api/dataValueSets", json: [
                "dataSet": .string(DataValueFixture.dataSet),
                "dataValues": [DataValueFixture.row("UXz7xuGCEhU", "202401", units[0], "3200")],
            ])
            #expect(conflictCodes(outside) == ["E7633"])
            let missing = try await emulator.send(.POST, "/api/dataValueSets", json: [
                "dataSet": "NoSuchSet01", "dataValues": [DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "1")],
            ])
            #expect(missing.status == 409)
            #expect(missing.json["status"] == "ERROR")
            #expect(missing.json["response"]?["status"] == "ERROR")
            #expect(conflictCodes(missing) == ["E7600"])
        }
    }

    @Test("2.43+ run the data entry pipeline: request-level E8xxx conflicts reject the group, value errors only their row", arguments: ["2.43.2", "2.44"])
    func pipelineConflicts(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            func post(_ rows: [JSONValue], dataSet: String? = DataValueFixture.dataSet) async throws -> EmulatorReply {
                var payload: [String: JSONValue] = ["dataValues": .array(rows)]
                if let dataSet { payload["dataSet"] = .string(dataSet) }
                return try await emulator.send(.POST, "/api/dataValueSets", json: .object(payload))
            }
            let valueErrors = try await post([
                DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "5"),
                DataValueFixture.row(DataValueFixture.anc1, "202402", units[0], "-3"),
            ])
            #expect(valueErrors.status == 409)
            #expect(valueErrors.json["status"] == "WARNING")
            #expect(conflictCodes(valueErrors) == ["E8122"])
            #expect(valueErrors.json["response"]?["rejectedIndexes"] == [1])
            #expect(count(valueErrors, "updated") == 1)
            #expect(count(valueErrors, "ignored") == 1)
            let conflict = valueErrors.json["response"]?["conflicts"]?[0]
            #expect(conflict?["objects"]?["args"] != nil)
            #expect(conflict?["indexes"] == [1])

            let checks: [(String, [JSONValue], String?)] = [
                ("E8020", [DataValueFixture.row("UXz7xuGCEhU", "202401", units[0], "1")], DataValueFixture.dataSet),
                ("E8021", [DataValueFixture.row(DataValueFixture.anc1, "2024Q1", units[0], "1")], DataValueFixture.dataSet),
                ("E8022", [DataValueFixture.row(DataValueFixture.anc1, "202401", DemoData.countryID.rawValue, "1")],
                 DataValueFixture.dataSet),
                ("E8024", [DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "1", combo: DataValueFixture.female)],
                 DataValueFixture.dataSet),
                ("E8003", [DataValueFixture.row("UXz7xuGCEhU", "202401", units[0], "1")], nil),
                ("E8104", [DataValueFixture.row("not-a-uid", "202401", units[0], "1")], nil),
            ]
            for (code, rows, dataSet) in checks {
                let reply = try await post(rows, dataSet: dataSet)
                #expect(reply.status == 409, "\(code): \(reply.text)")
                #expect(reply.json["status"] == "ERROR", "\(code)")
                #expect(conflictCodes(reply) == [code], "\(reply.text)")
            }
            // A decoding failure points at no row (index -1); a group failure rejects every row.
            let decoding = try await post([DataValueFixture.row("not-a-uid", "202401", units[0], "1")], dataSet: nil)
            #expect(decoding.json["response"]?["conflicts"]?[0]?["indexes"] == [-1])
            let group = try await post([
                DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "1"),
                DataValueFixture.row("UXz7xuGCEhU", "202401", units[0], "1"),
            ])
            #expect(group.json["response"]?["rejectedIndexes"] == [0, 1])
            #expect(count(group, "updated") == 0)
        }
    }

    @Test("a dry run validates and counts but stores nothing", arguments: ["2.42.6", "2.44"])
    func dryRun(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            let payload: JSONValue = [
                "dataSet": .string(DataValueFixture.dataSet),
                "dataValues": [DataValueFixture.row(DataValueFixture.anc1, "202405", units[0], "9")],
            ]
            let reply = try await emulator.send(.POST, "/api/dataValueSets?dryRun=true", json: payload)
            #expect(reply.status == 200)
            #expect(reply.json["response"]?["importOptions"]?["dryRun"] == true)
            let read = try await emulator.send(
                .GET, "/api/dataValues?de=\(DataValueFixture.anc1)&pe=202405&ou=\(units[0])")
            #expect(read.status == 409)
            #expect(read.json["message"] == "Data value does not exist")
        }
    }

    @Test("DELETE and the legacy DELETES strategy soft-delete: the value leaves the export unless includeDeleted")
    func deleteStrategy() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            let payload: JSONValue = [
                "dataValues": [DataValueFixture.row(DataValueFixture.anc1, "202406", units[0], "4")],
            ]
            _ = try await emulator.send(.POST, "/api/dataValueSets", json: payload)
            let deleted = try await emulator.send(.POST, "/api/dataValueSets?importStrategy=DELETES", json: payload)
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(count(deleted, "deleted") == 1)
            #expect(deleted.json["response"]?["importOptions"]?["importStrategy"] == "DELETES")
            let query = "/api/dataValueSets?dataElement=\(DataValueFixture.anc1)&period=202406&orgUnit=\(units[0])"
            #expect(try await emulator.getJSON(query)["dataValues"] == [])
            let withDeleted = try await emulator.getJSON(query + "&includeDeleted=true")
            #expect(withDeleted["dataValues"]?[0]?["deleted"] == true)
            let bad = try await emulator.send(.POST, "/api/dataValueSets?importStrategy=MERGE", json: payload)
            #expect(bad.status == 400)
        }
    }

    @Test("the export requires its parameters (E2001, E2002, E2006) and names the root for one set, period and unit")
    func exportParameters() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            for (query, code) in [
                ("period=202401&orgUnit=\(units[0])", "E2001"),
                ("dataSet=\(DataValueFixture.dataSet)&orgUnit=\(units[0])", "E2002"),
                ("dataSet=\(DataValueFixture.dataSet)&period=202401", "E2006"),
            ] {
                let reply = try await emulator.send(.GET, "/api/dataValueSets?" + query)
                #expect(reply.status == 409)
                #expect(reply.json["errorCode"]?.stringValue == code)
                #expect(reply.json["httpStatus"] == "Conflict")
            }
            #expect(
                try await emulator.send(.GET, "/api/dataValueSets?dataSet=\(DataValueFixture.dataSet)&period=202401")
                    .json["message"] == "At least one organisation unit or organisation unit group must be specified")
            _ = try await emulator.send(.POST, "/api/dataValueSets", json: [
                "dataValues": [DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "7")],
            ])
            let single = try await emulator.getJSON(
                "/api/dataValueSets?dataSet=\(DataValueFixture.dataSet)&period=202401&orgUnit=\(units[0])")
            #expect(single["dataSet"]?.stringValue == DataValueFixture.dataSet)
            #expect(single["period"] == "202401")
            #expect(single["orgUnit"]?.stringValue == units[0])
            #expect(single["dataValues"]?.arrayValue?.count == 1)
            let limited = try await emulator.getJSON(
                "/api/dataValueSets?dataSet=\(DataValueFixture.dataSet)&startDate=2024-01-01&endDate=2024-01-31"
                    + "&orgUnit=\(units[1])")
            #expect(limited["dataValues"] == [])
        }
    }

    @Test("single values: POST with query parameters answers 201, GET [\"value\"], DELETE 204, problems 409")
    func singleValues() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            let base = "/api/dataValues?de=\(DataValueFixture.anc1)&pe=202407&ou=\(units[0])"
            let posted = try await emulator.send(.POST, base + "&value=21&comment=checked")
            #expect(posted.status == 201)
            #expect(posted.body.isEmpty)
            let read = try await emulator.send(.GET, base)
            #expect(read.status == 200)
            #expect(read.json == ["21"])
            let json = try await emulator.send(.POST, "/api/dataValues", json: [
                "dataElement": .string(DataValueFixture.anc1), "period": "202407", "orgUnit": .string(units[0]),
                "value": "22",
            ])
            #expect(json.status == 201)
            #expect(try await emulator.send(.GET, base).json == ["22"])
            let invalid = try await emulator.send(.POST, base + "&value=abc")
            #expect(invalid.status == 409)
            #expect(invalid.json["errorCode"] == "E2030")
            let unknown = try await emulator.send(.POST, "/api/dataValues?de=NoSuchDE001&pe=202407&ou=\(units[0])&value=1")
            #expect(unknown.json["errorCode"] == "E1100")
            #expect(try await emulator.send(.DELETE, base).status == 204)
            #expect(try await emulator.send(.GET, base).status == 409)
        }
    }

    @Test("values survive a restart with a data directory")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dve-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = EmulatorConfiguration(version: "2.42.6")
        configuration.dataDirectory = directory.path
        var units: [String] = []
        try await withEmulator(configuration) { emulator in
            units = try await DataValueFixture.facilities(emulator)
            let rows = (1...12).map { month in
                DataValueFixture.row(DataValueFixture.anc1, String(format: "2023%02d", month), units[0], "\(month)")
            }
            let reply = try await emulator.send(.POST, "/api/dataValueSets", json: ["dataValues": .array(rows)])
            #expect(count(reply, "imported") == 12)
            #expect(try await emulator.send(.POST, "/api/dataValues?de=\(DataValueFixture.anc1)&pe=202301&ou=\(units[0])&value=100").status == 201)
        }
        try await withEmulator(configuration) { emulator in
            let export = try await emulator.getJSON(
                "/api/dataValueSets?dataElement=\(DataValueFixture.anc1)&startDate=2023-01-01&endDate=2023-12-31"
                    + "&orgUnit=\(units[0])")
            let values = export["dataValues"]?.arrayValue ?? []
            #expect(values.count == 12)
            #expect(values.first?["period"] == "202301")
            #expect(values.first?["value"] == "100")
        }
    }

    @Test("async=true starts a DATAVALUE_IMPORT job whose summary is the bare ImportSummary")
    func asyncImport() async throws {
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            let payload: JSONValue = [
                "dataValues": [
                    DataValueFixture.row(DataValueFixture.anc1, "202408", units[0], "3"),
                    DataValueFixture.row(DataValueFixture.anc1, "202408", units[1], "x"),
                ],
            ]
            let kickOff = try await emulator.send(.POST, "/api/dataValueSets?async=true", json: payload)
            #expect(kickOff.status == 200, "\(kickOff.text)")
            #expect(kickOff.json["response"]?["jobType"] == "DATAVALUE_IMPORT")
            let id = try #require(kickOff.json["response"]?["id"]?.stringValue)
            var summary = JSONValue.null
            for _ in 0..<200 {
                let reply = try await emulator.send(.GET, "/api/system/taskSummaries/DATAVALUE_IMPORT/\(id)")
                if reply.status == 200, !reply.body.isEmpty {
                    summary = reply.json
                    break
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            #expect(summary["responseType"] == "ImportSummary")
            #expect(summary["status"] == "WARNING")
            #expect(summary["importCount"]?["imported"] == 1)
            #expect(summary["conflicts"]?[0]?["errorCode"] == "E7619")
            #expect(summary["httpStatusCode"] == nil)
        }
    }
}
