import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// The real play database's data values (188,701 of them) through the analytics engine: after the real org units,
/// metadata and values are imported and the analytics job ran, grid values equal sums computed directly from the
/// fixture file, and the play indicators equal their formulas.
@Suite("Analytics over the real play data values")
struct AnalyticsPlayDataTests {
    static let sierraLeone = "ImspTQPwCqd"

    /// The fixture's values by data element, with each value's period and org unit ancestry resolved.
    struct Source {
        struct Value {
            let period: Period
            let ancestors: [String]
            let number: Double
        }

        var byElement: [String: [Value]] = [:]

        /// The sum of `element`'s values whose org unit lies under `orgUnit` and whose period starts inside
        /// `period` and is not longer; `nil` when there is none.
        func sum(_ element: String, period: Period, orgUnit: String) -> Double? {
            var total = 0.0
            var any = false
            for value in byElement[element] ?? []
            where period.contains(value.period.startDate) && value.period.dayCount <= period.dayCount
                && value.ancestors.contains(orgUnit)
            {
                total += value.number
                any = true
            }
            return any ? total : nil
        }
    }

    @Test(
        "grid values for several data elements, periods, org unit levels and indicators equal the fixture's sums",
        .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason), .heavy)
    func playData() async throws {
        let units = try MetadataImportFidelityTests.fixture("organisation_units.json")
        let metadata = try MetadataImportFidelityTests.fixture("metadata.json")
        let bytes = try DataValueFidelityTests.gunzip("data_values.json.gz")

        var ancestry: [String: [String]] = [:]
        for unit in units.arrayValue ?? [] {
            guard let id = unit["id"]?.stringValue, let path = unit["path"]?.stringValue else { continue }
            ancestry[id] = path.split(separator: "/").map(String.init)
        }
        let rows = try JSONValue(parsing: bytes)["dataValues"]?.arrayValue ?? []
        /// The values the server took: all rows but those its import rejected (by index).
        func source(excluding rejected: Set<Int>) -> Source {
            var source = Source()
            for (index, value) in rows.enumerated() where !rejected.contains(index) {
                guard let element = value["dataElement"]?.stringValue, let unit = value["orgUnit"]?.stringValue,
                    let period = value["period"]?.stringValue.flatMap({ Period($0) }),
                    let number = value["value"]?.stringValue.flatMap(Double.init)
                else { continue }
                source.byElement[element, default: []].append(
                    Source.Value(period: period, ancestors: ancestry[unit] ?? [unit], number: number))
            }
            return source
        }

        let districts = ancestry.filter { $0.value.count == 2 }.map(\.key).sorted()
        try #require(districts.count > 10, "the play hierarchy has no level 2")

        // The play tree goes under the demo country, whose admin may write data there (the emulator has no
        // /api/users to give the admin Sierra Leone); play objects whose unique names or codes clash with demo
        // objects are renamed. Sums below Sierra Leone are unaffected.
        var movedUnits = units.arrayValue ?? []
        for index in movedUnits.indices where movedUnits[index]["id"] == .string(Self.sierraLeone) {
            movedUnits[index] = .object(
                (movedUnits[index].objectValue ?? [:]).merging(["parent": ["id": .string(AnalyticsScenario.country)]]) { $1 })
        }
        try await withEmulator(AnalyticsEngineTests.configuration()) { emulator in
            var renamed = metadata.objectValue ?? [:]
            for (plural, items) in renamed {
                guard let list = items.arrayValue else { continue }
                let existing = try await emulator.send(.GET, "/api/\(plural)?fields=id,name,shortName,code&paging=false")
                guard existing.status == 200 else { continue }
                var taken: [String: Set<String>] = [:]
                for object in existing.json[plural]?.arrayValue ?? [] {
                    for key in ["name", "shortName", "code"] {
                        if let value = object[key]?.stringValue { taken[key, default: []].insert(value) }
                    }
                }
                let ids = Set((existing.json[plural]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
                renamed[plural] = .array(list.map { item in
                    guard var object = item.objectValue, let id = object["id"]?.stringValue, !ids.contains(id) else { return item }
                    for key in ["name", "shortName", "code"] {
                        if let value = object[key]?.stringValue, taken[key]?.contains(value) == true {
                            object[key] = .string(String((value + " (play)").prefix(key == "shortName" ? 50 : 230)))
                        }
                    }
                    return .object(object)
                })
            }
            let unitsReply = try await emulator.send(.POST, "/api/metadata", json: ["organisationUnits": .array(movedUnits)])
            try #require(unitsReply.status == 200, "\(unitsReply.text.prefix(1000))")
            let metadataReply = try await emulator.send(.POST, "/api/metadata", json: .object(renamed))
            try #require(metadataReply.status == 200, "\(metadataReply.text.prefix(1500))")
            // Four play values ("017", "020", "010") are not numbers by DHIS2's rules and are rejected (E7619), which
            // makes the answer a 409 with the rest imported.
            let imported = try await emulator.post("/api/dataValueSets", bytes: Array(bytes))
            let report = imported.json["response"] ?? imported.json
            let rejected = Set((report["conflicts"]?.arrayValue ?? []).flatMap { conflict in
                (conflict["indexes"]?.arrayValue ?? []).compactMap { $0.doubleValue.map { Int($0) } }
            })
            #expect(rejected.count <= 10, "\(imported.text.prefix(1000))")
            #expect(report["importCount"]?["imported"]?.doubleValue == Double(rows.count - rejected.count))
            let source = source(excluding: rejected)
            let scenario = AnalyticsPlaySession(emulator: emulator)
            try await scenario.runAnalyticsTables()

            // Data elements: default and non-default category combos, NUMBER and INTEGER.
            let elements = ["FTINmL2lehN", "NLnXLV5YpZF", "s46m5MS0hxu", "cZnQDuF3IDz"]
            let periods = ["202501", "202506", "2025Q1", "2025Q3", "2025"]
            let byDistrict = try await emulator.getLarge(
                "/api/analytics?dimension=dx:\(elements.joined(separator: ";"))"
                    + "&dimension=pe:\(periods.joined(separator: ";"))&dimension=ou:\(districts.joined(separator: ";"))")
            try #require(byDistrict.status == 200, "\(byDistrict.text.prefix(500))")
            let grid = try JSONValue(parsing: byDistrict.body)
            #expect(grid["metaData"]?["dimensions"]?["ou"]?.arrayValue?.count == districts.count)
            let cells = grid.gridValues
            var compared = 0
            for element in elements {
                for isoPeriod in periods {
                    let period = try #require(Period(isoPeriod))
                    for district in districts {
                        let key = "\(element)|\(isoPeriod)|\(district)"
                        guard let expected = source.sum(element, period: period, orgUnit: district) else {
                            #expect(cells[key] == nil, "\(key) shows \(cells[key] ?? "") without data")
                            continue
                        }
                        let actual = try AnalyticsEngineTests.number(cells[key])
                        #expect(abs(actual - expected) <= 0.05 + abs(expected) * 1e-12, "\(key): \(actual) vs \(expected)")
                        compared += 1
                    }
                }
            }
            #expect(compared > 100)
            #expect(cells.count == compared, "rows without data in the fixture")

            // The country, by the last 12 months before 2026-01-01 and a quarter.
            let national = try await scenario.grid(
                "dimension=dx:\(elements.joined(separator: ";"))&dimension=pe:LAST_12_MONTHS;2025Q2"
                    + "&filter=ou:\(Self.sierraLeone)&relativePeriodDate=2026-01-01")
            let months = (1...12).map { String(format: "2025%02d", $0) }
            #expect(national["metaData"]?["dimensions"]?["pe"] == .array((months + ["2025Q2"]).map(JSONValue.string)))
            for element in elements {
                for isoPeriod in months + ["2025Q2"] {
                    let expected = source.sum(element, period: try #require(Period(isoPeriod)), orgUnit: Self.sierraLeone)
                    let cell = national.gridValues["\(element)|\(isoPeriod)"]
                    guard let expected else {
                        #expect(cell == nil)
                        continue
                    }
                    #expect(abs(try AnalyticsEngineTests.number(cell) - expected) <= 0.05, "\(element) \(isoPeriod)")
                }
            }

            // The play indicators: stock balances, start + received - dispensed - discarded, over 1.
            let indicators: [(String, [String], [String])] = [
                ("OEWO2PpiUKx", ["t99PL3gUxIl", "axVhq1itoQD"], ["p1MDHOT6ENy", "cZnQDuF3IDz"]),
                ("bASXd9ukRGD", ["iuSIObmKutb", "nGCLjZDn0Q4"], ["FTINmL2lehN", "WVrH6j3Wfye"]),
                ("loEBZlcsTlx", ["vEAo4KwsAzl", "XNrjXqZrHD8"], ["lVknokmR4Ip", "FvKdfA2SuWI"]),
            ]
            let typeFactor = (metadata["indicatorTypes"]?.arrayValue ?? [])
                .first { $0["id"] == "JkWynlWMjJR" }?["factor"]?.doubleValue ?? 1
            let stock = try await scenario.grid(
                "dimension=dx:\(indicators.map(\.0).joined(separator: ";"))&dimension=pe:2025Q1;2025"
                    + "&dimension=ou:\(Self.sierraLeone);\(districts[0]);\(districts[1])")
            for (indicator, plus, minus) in indicators {
                for isoPeriod in ["2025Q1", "2025"] {
                    let period = try #require(Period(isoPeriod))
                    for unit in [Self.sierraLeone, districts[0], districts[1]] {
                        let added = plus.map { source.sum($0, period: period, orgUnit: unit) }
                        let taken = minus.map { source.sum($0, period: period, orgUnit: unit) }
                        let cell = stock.gridValues["\(indicator)|\(isoPeriod)|\(unit)"]
                        // Missing items count as 0 unless every item is missing (SKIP_IF_ALL_VALUES_MISSING).
                        guard (added + taken).contains(where: { $0 != nil }) else {
                            #expect(cell == nil)
                            continue
                        }
                        let expected =
                            (added.reduce(0) { $0 + ($1 ?? 0) } - taken.reduce(0) { $0 + ($1 ?? 0) }) * typeFactor
                        #expect(abs(try AnalyticsEngineTests.number(cell) - expected) <= 0.05 + abs(expected) * 1e-12,
                                "\(indicator) \(isoPeriod) \(unit)")
                    }
                }
            }
        }
    }
}

/// The analytics helpers of ``AnalyticsScenario`` for an emulator without the demo data set.
struct AnalyticsPlaySession {
    let emulator: Emulator

    func runAnalyticsTables() async throws {
        let reply = try await emulator.send(.POST, "/api/resourceTables/analytics")
        try #require(reply.status == 200, "\(reply.text)")
        let endpoint = try #require(reply.json["response"]?["relativeNotifierEndpoint"]?.stringValue)
        for _ in 0..<2400 {
            let rows = try await emulator.getJSON(endpoint).arrayValue ?? []
            if rows.first?["completed"]?.boolValue == true {
                #expect(rows.first?["level"] == "INFO", "the analytics job failed: \(rows.first ?? .null)")
                return
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw EmulatorTestFailure("the analytics job did not complete")
    }

    func grid(_ query: String) async throws -> JSONValue {
        let reply = try await emulator.getLarge("/api/analytics?" + query)
        try #require(reply.status == 200, "\(reply.text.prefix(500))")
        return try JSONValue(parsing: reply.body)
    }
}
