import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// A demo-data emulator prepared for analytics tests: facilities of two regions and helpers that import values
/// through `/api/dataValueSets`, run the analytics table job and read grids.
struct AnalyticsScenario {
    struct Facility: Sendable {
        let id: String
        /// Root first, the facility last.
        let ancestors: [String]
        var region: String { ancestors[1] }
        var district: String { ancestors[2] }
    }

    let emulator: Emulator
    /// Three facilities of one region, then three of another.
    let facilities: [Facility]

    static let country = DemoData.countryID.rawValue

    init(emulator: Emulator) async throws {
        self.emulator = emulator
        let units = try await emulator.getJSON("/api/organisationUnits?fields=id,path&paging=false&filter=level:eq:4")
        let all = (units["organisationUnits"]?.arrayValue ?? []).compactMap { unit -> Facility? in
            guard let id = unit["id"]?.stringValue, let path = unit["path"]?.stringValue else { return nil }
            return Facility(id: id, ancestors: path.split(separator: "/").map(String.init))
        }.sorted { $0.ancestors.joined() < $1.ancestors.joined() }
        let regions = Array(Set(all.map(\.region))).sorted()
        try #require(regions.count >= 2, "the demo hierarchy has fewer than two regions")
        let first = all.filter { $0.region == regions[0] }.prefix(3)
        let second = all.filter { $0.region == regions[1] }.prefix(3)
        facilities = Array(first) + Array(second)
        try #require(facilities.count == 6, "the demo regions have fewer than three facilities each")
    }

    /// Creates an aggregate data element in no data set (so any period type is accepted) and returns its UID.
    func createDataElement(
        _ name: String, aggregationType: String, valueType: String = "INTEGER",
        categoryCombo: String = DemoData.defaultCategoryComboID.rawValue, code: String? = nil
    ) async throws -> String {
        var body: [String: JSONValue] = [
            "name": .string(name), "shortName": .string(String(name.prefix(50))), "valueType": .string(valueType),
            "domainType": "AGGREGATE", "aggregationType": .string(aggregationType),
            "categoryCombo": ["id": .string(categoryCombo)],
        ]
        if let code { body["code"] = .string(code) }
        let reply = try await emulator.send(.POST, "/api/dataElements", json: .object(body))
        try #require(reply.status == 201, "creating \(name) answered \(reply.status): \(reply.text)")
        return try #require(reply.json["response"]?["uid"]?.stringValue)
    }

    /// Imports `(dataElement, period, orgUnit, value[, categoryOptionCombo])` through `POST /api/dataValueSets`.
    func importValues(_ values: [ImportedValue]) async throws {
        let rows: [JSONValue] = values.map { value in
            var row: [String: JSONValue] = [
                "dataElement": .string(value.dataElement), "period": .string(value.period),
                "orgUnit": .string(value.orgUnit), "value": .string(value.value),
            ]
            if let combo = value.categoryOptionCombo { row["categoryOptionCombo"] = .string(combo) }
            return .object(row)
        }
        let reply = try await emulator.send(.POST, "/api/dataValueSets", json: ["dataValues": .array(rows)])
        try #require(reply.status == 200, "importing \(values.count) values answered \(reply.status): \(reply.text.prefix(800))")
        let summary = reply.json["response"] ?? reply.json
        let conflicts = summary["conflicts"]?.arrayValue ?? []
        try #require(conflicts.isEmpty, "the import reported conflicts: \(conflicts.prefix(3))")
    }

    /// Runs `POST /api/resourceTables/analytics[?query]` and waits for the job's terminal notification.
    @discardableResult
    func runAnalyticsTables(_ query: String = "") async throws -> [JSONValue] {
        let reply = try await emulator.send(.POST, "/api/resourceTables/analytics" + query)
        try #require(reply.status == 200, "the analytics job kick-off answered \(reply.status): \(reply.text)")
        #expect(reply.json["response"]?["jobType"] == "ANALYTICS_TABLE")
        let endpoint = try #require(reply.json["response"]?["relativeNotifierEndpoint"]?.stringValue)
        for _ in 0..<600 {
            let rows = try await emulator.getJSON(endpoint).arrayValue ?? []
            if rows.first?["completed"]?.boolValue == true {
                #expect(rows.first?["level"] == "INFO", "the analytics job failed: \(rows.first ?? .null)")
                return rows
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw EmulatorTestFailure("the analytics job did not complete")
    }

    /// `GET /api/analytics?<query>` as a grid (requires 200).
    func grid(_ query: String) async throws -> JSONValue {
        try await emulator.getJSON("/api/analytics?" + query)
    }
}

/// One value to import.
struct ImportedValue: Sendable {
    let dataElement: String
    let period: String
    let orgUnit: String
    let value: String
    var categoryOptionCombo: String? = nil

    var number: Double { Double(value) ?? 0 }
}

extension JSONValue {
    /// The grid's rows as `"item|item|…" → value`, the dimension columns joined in header order.
    var gridValues: [String: String] {
        var result: [String: String] = [:]
        for row in self["rows"]?.arrayValue ?? [] {
            let cells = (row.arrayValue ?? []).compactMap(\.stringValue)
            guard let value = cells.last else { continue }
            result[cells.dropLast().joined(separator: "|")] = value
        }
        return result
    }
}
