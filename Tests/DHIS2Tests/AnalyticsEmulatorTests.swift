import DHIS2
import DHIS2Emulator
import Foundation
import Logging
import Testing

/// `client.analytics` end to end against the emulator: values imported, the analytics table job run through
/// `client.maintenance` and `client.jobs`, then typed queries whose values are checked against sums computed
/// directly from the imported values.
@Suite("Analytics client against the emulator")
struct AnalyticsEmulatorTests {
    static let today = CalendarDate(year: 2026, month: 11, day: 26)

    struct Facility {
        let id: String
        let region: String
    }

    struct Value {
        let period: Period
        let facility: Facility
        let value: Int
    }

    private func withAnalyticsClient<T: Sendable>(_ body: (DHIS2Client) async throws -> T) async throws -> T {
        var configuration = EmulatorConfiguration(
            version: "2.42.6", logger: Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        configuration.today = Self.today
        return try await withEmulator(configuration) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                try await body(client)
            }
        }
    }

    /// Two facilities of each of two regions.
    private func facilities(_ client: DHIS2Client) async throws -> [Facility] {
        let page = try await client.get(
            "organisationUnits",
            query: [
                URLQueryItem(name: "fields", value: "id,path"), URLQueryItem(name: "paging", value: "false"),
                URLQueryItem(name: "filter", value: "level:eq:4"),
            ])
        let all = (page["organisationUnits"]?.arrayValue ?? []).compactMap { unit -> Facility? in
            guard let id = unit["id"]?.stringValue, let path = unit["path"]?.stringValue else { return nil }
            let parts = path.split(separator: "/").map(String.init)
            return parts.count >= 2 ? Facility(id: id, region: parts[1]) : nil
        }.sorted { $0.id < $1.id }
        let regions = Array(Set(all.map(\.region))).sorted().prefix(2)
        let chosen = regions.flatMap { region in all.filter { $0.region == region }.prefix(2) }
        try #require(chosen.count == 4, "the demo hierarchy lacks two regions with two facilities each")
        return chosen
    }

    private func createDataElement(_ client: DHIS2Client) async throws -> UID {
        let reply = try await client.post(
            "dataElements",
            body: [
                "name": "Analytics client test", "shortName": "Analytics client test", "valueType": "INTEGER",
                "domainType": "AGGREGATE", "aggregationType": "SUM",
                "categoryCombo": ["id": .string(DemoData.defaultCategoryComboID.rawValue)],
            ])
        return try #require(reply["response"]?["uid"]?.stringValue.flatMap(UID.init(rawValue:)))
    }

    @Test("Typed queries over the emulator: E7144 before the table job, then sums by month, quarter and region")
    func endToEnd() async throws {
        try await withAnalyticsClient { client in
            let element = try await createDataElement(client)
            let facilities = try await facilities(client)
            let query = AnalyticsQuery(
                dimensions: [.data([.dataElement(element)]), .periods([RelativePeriod.last12Months])],
                filters: [.orgUnit([.orgUnit(DemoData.countryID)])])

            let early = await expectDHIS2Error { _ = try await client.analytics.query(query) }
            #expect(early?.analyticsErrorCode == .analyticsTablesMissing)

            // 2025-09 … 2026-11: the first two and the current month fall outside LAST_12_MONTHS.
            let first = try #require(Period("202509"))
            var values: [Value] = []
            for step in 0..<15 {
                for (index, facility) in facilities.enumerated() {
                    values.append(Value(period: first.advanced(by: step), facility: facility, value: 100 * index + step + 1))
                }
            }
            let rows: [JSONValue] = values.map { value in
                [
                    "dataElement": .string(element.rawValue), "period": .string(value.period.isoString),
                    "orgUnit": .string(value.facility.id), "value": .string(String(value.value)),
                ]
            }
            _ = try await client.post("dataValueSets", body: ["dataValues": .array(rows)])
            let job = try await client.maintenance.analyticsTables()
            _ = try await client.jobs.wait(for: job, timeout: .seconds(120), pollInterval: .milliseconds(50))

            // LAST_12_MONTHS: the emulator resolves the same months as RelativePeriod does for the same today.
            let grid = try await client.analytics.query(query)
            let months = RelativePeriod.last12Months.periods(relativeTo: try #require(Self.today))
            #expect(grid.metaData?.periods == months)
            #expect(grid.headerNames == ["dx", "pe", "value"])
            #expect(grid.headers.last?.valueType == .number)
            var byMonth: [String: Double] = [:]
            for row in grid.rows {
                #expect(row.string("dx") == element.rawValue)
                byMonth[row.string("pe") ?? "?"] = row.value
            }
            for month in months {
                let expected = values.filter { $0.period == month }.reduce(0) { $0 + $1.value }
                #expect(byMonth[month.isoString] == Double(expected), "\(month)")
            }
            #expect(byMonth.count == 12)

            // Quarters of 2026 by region: LEVEL-2 below the country, as a dimension.
            var byRegion = AnalyticsQuery(
                dimensions: [
                    .data([.dataElement(element)]),
                    .periods(try #require(Period("2026")).periods(of: .quarterly)),
                    .orgUnit([.level(2), .orgUnit(DemoData.countryID)]),
                ])
            byRegion.skipMeta = true
            let regional = try await client.analytics.query(byRegion)
            #expect(regional.metaData?.items.isEmpty ?? true, "skipMeta leaves metaData unpopulated")
            for row in regional.rows {
                let quarter = try #require(Period(row.string("pe") ?? ""))
                let region = try #require(row.string("ou"))
                let expected = values.filter { quarter.contains($0.period) && $0.facility.region == region }
                    .reduce(0) { $0 + $1.value }
                #expect(row.value == Double(expected), "\(quarter) \(region)")
            }
            #expect(Set(regional.rows.compactMap { $0.string("ou") }) == Set(facilities.map(\.region)))

            // The data value set of the same cells, and the streamed download equals the in-memory grid.
            let set = try await client.analytics.dataValueSet(
                AnalyticsQuery(
                    dimensions: [
                        .data([.dataElement(element)]), .periods([try #require(Period("202601"))]),
                        .orgUnit([.orgUnit(DemoData.countryID)]),
                    ]))
            let january = values.filter { $0.period.isoString == "202601" }.reduce(0) { $0 + $1.value }
            #expect(set.dataValues?.map(\.value) == [String(january)])
            let file = FileManager.default.temporaryDirectory.appendingPathComponent("analytics-\(UUID().uuidString).json")
            defer { try? FileManager.default.removeItem(at: file) }
            try await client.analytics.download(query, to: file.path)
            let streamed = try AnalyticsGrid(jsonBytes: try Data(contentsOf: file))
            #expect(streamed.rows.map(\.strings) == grid.rows.map(\.strings))
        }
    }
}
