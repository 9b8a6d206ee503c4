import DHIS2
import DHIS2Emulator
import Foundation
import Testing

/// The examples of the README and the DocC articles, run against the emulator so they keep compiling and working.
@Suite("Documentation examples")
struct DocumentationExampleTests {
    @Test("The getting-started example connects, reads the user and writes a data element")
    func gettingStarted() async throws {
        try await withTestEmulator { emulator in
            let token = try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                try #require(try await client.webMessage(.post, "apiToken", body: [:]).response?["key"]?.stringValue)
            }
            var lines: [String] = []
            try await DHIS2Client.withConnection(
                to: emulator.baseURL,
                auth: PersonalAccessTokenAuth(token: token)
            ) { client in
                let me = try await client.system.me()
                lines.append("Signed in to DHIS2 \(client.serverVersion?.rawValue ?? "?") as \(me.username ?? "?")")

                let result = try await client.webMessage(.post, "dataElements", body: [
                    "name": "ANC visits", "shortName": "ANC visits",
                    "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM",
                ])
                if let outcome = result.outcome, outcome.didFail {
                    for conflict in outcome.conflicts { lines.append("\(conflict)") }
                }
                #expect(result.outcome?.didSucceed == true)

                let elements = try await client.get("dataElements", query: [
                    URLQueryItem(name: "filter", value: "name:like:ANC"),
                    URLQueryItem(name: "fields", value: "id,name"),
                ])
                #expect(elements["dataElements"]?.arrayValue?.contains { $0["name"] == "ANC visits" } == true)
            }
            #expect(lines == ["Signed in to DHIS2 2.42.6 as admin"])
        }
    }

    @Test("The README's data, jobs and analytics example imports, exports, refreshes analytics and reads the grid")
    func dataJobsAnalytics() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let dataSet = try await client.metadata.dataSets.get(
                    DemoData.monthlyDataSetID, fields: "organisationUnits[id]")
                let facility = try #require(dataSet.organisationUnits?.first?.id)

                // From the README, as written there.
                var value = DataValue()
                value.dataElement = "Ld6GncfBAep"; value.period = "202401"; value.orgUnit = facility; value.value = "12"
                var set = DataValueSet()
                set.dataSet = "QX4ZTUbOt3a"
                set.dataValues = [value]
                let result = try await client.dataValues.import(set)
                #expect(result.outcome.didSucceed)
                #expect(result.summary.conflicts.map(\.indexes).isEmpty)
                let counts = try #require(result.summary.importCount)
                #expect(counts.imported + counts.updated == 1)

                let query = DataValueQuery(
                    dataSets: ["QX4ZTUbOt3a"], periods: [Period("202401")!], orgUnits: ["u8jzPde0Igx"], children: true)
                var exported: [DataValue] = []
                for try await value in client.dataValues.export(query) { exported.append(value) }
                #expect(exported.map(\.orgUnit) == [facility])
                #expect(exported.map(\.value) == ["12"])

                let job = try await client.maintenance.analyticsTables(lastYears: 3)
                var messages: [String] = []
                for try await row in client.jobs.notifications(for: job, pollInterval: .milliseconds(50)) {
                    messages.append(row.message ?? "")
                }
                #expect(!messages.isEmpty)
                let grid = try await client.analytics.query(AnalyticsQuery(dimensions: [
                    .data([.dataElement("Ld6GncfBAep")]), .orgUnit([.level(2)]), .periods([Period("202401")!]),
                ]))
                let values = grid.rows.compactMap { $0.double("value") }
                #expect(values == [12])
                #expect(grid.rows.first?.string("pe") == "202401")
            }
        }
    }
}
