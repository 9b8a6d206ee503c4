import DHIS2
import DHIS2CommandLine
import DHIS2Emulator
import Foundation
import Testing

/// `dhis2 emulator serve --org-units N` and `--today DATE`, run in-process and observed through the Web API.
@Suite("dhis2 emulator serve options")
struct EmulatorServeOptionTests {
    /// Runs `dhis2 emulator serve --port 0 … extraArguments`, hands `body` a client connected as the demo admin,
    /// then stops the serve and expects it to end successfully.
    private func withServe(
        _ extraArguments: [String], _ body: (DHIS2Client) async throws -> Void
    ) async throws {
        let output = CapturedText()
        let errors = CapturedText()
        let terminal = Terminal(
            environment: [:], standardOutput: { output.append($0) }, standardError: { errors.append($0) })
        let serving = Task {
            await DHIS2Command.run(
                ["emulator", "serve", "--port", "0", "--log-level", "critical"] + extraArguments, terminal: terminal)
        }
        // Wait for the announcement (bounded so a broken serve fails instead of hanging).
        var url: String?
        for _ in 0..<6000 where url == nil {
            url = output.value.split(separator: "\n").first { $0.contains("listening on ") }
                .flatMap { $0.split(separator: " ").last.map(String.init) }
            if url == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        guard let baseURL = url else {
            serving.cancel()
            _ = await serving.value
            Issue.record("serve never printed its URL; stderr: \(errors.value)")
            return
        }
        do {
            try await DHIS2Client.withConnection(
                to: baseURL, auth: BasicAuth(username: DemoData.adminUsername, password: DemoData.adminPassword)
            ) { client in
                try await body(client)
            }
        } catch {
            serving.cancel()
            _ = await serving.value
            throw error
        }
        serving.cancel()
        let status = await serving.value
        #expect(status == ExitStatus.success, "\(errors.value)")
    }

    @Test("--org-units grows the demo hierarchy to exactly that many units, new facilities under the same country")
    func organisationUnits() async throws {
        try await withServe(["--org-units", "500"]) { client in
            let list = try await client.get(
                "/api/organisationUnits",
                query: [URLQueryItem(name: "fields", value: "id,level,path"), URLQueryItem(name: "paging", value: "false")])
            let units = try #require(list["organisationUnits"]?.arrayValue)
            #expect(units.count == 500)
            let roots = units.filter { $0["level"]?.intValue == 1 }
            #expect(roots.count == 1)
            let root = try #require(roots.first?["id"]?.stringValue)
            #expect(units.allSatisfy { $0["path"]?.stringValue?.hasPrefix("/" + root) == true })
            #expect(Set(units.compactMap { $0["level"]?.intValue }) == [1, 2, 3, 4])
            // The pager agrees with the list.
            let page = try await client.get(
                "/api/organisationUnits",
                query: [URLQueryItem(name: "fields", value: "id"), URLQueryItem(name: "pageSize", value: "1")])
            #expect(page["pager"]?["total"]?.intValue == 500)
        }
    }

    @Test("without --org-units the demo hierarchy keeps its small default size")
    func defaultSize() async throws {
        try await withServe([]) { client in
            let page = try await client.get(
                "/api/organisationUnits",
                query: [URLQueryItem(name: "fields", value: "id"), URLQueryItem(name: "pageSize", value: "1")])
            let total = try #require(page["pager"]?["total"]?.intValue)
            #expect(total > 1 && total < 500, "\(total)")
        }
    }

    @Test("--today is the date analytics resolves relative periods from")
    func today() async throws {
        try await withServe(["--today", "2025-03-15"]) { client in
            let job = try await client.maintenance.analyticsTables(skipEvents: true, skipEnrollment: true)
            let completion = try await client.jobs.wait(for: job, pollInterval: .milliseconds(100))
            #expect(completion.status == .succeeded, "\(completion.message ?? "")")
            let elements = try await client.get(
                "/api/dataElements",
                query: [URLQueryItem(name: "fields", value: "id"), URLQueryItem(name: "pageSize", value: "1")])
            let element = try #require(elements["dataElements"]?[0]?["id"]?.stringValue.flatMap(UID.init(rawValue:)))
            var query = AnalyticsQuery(
                dimensions: [.data([.dataElement(element)]), .periods([.last12Months])],
                filters: [.orgUnit([.userOrgUnit])])
            query.skipData = true
            let grid = try await client.analytics.query(query)
            let periods = try #require(grid.metaData?.periods).map(\.isoString)
            #expect(periods.first == "202403")
            #expect(periods.last == "202502")
            #expect(periods.count == 12)
        }
    }
}
