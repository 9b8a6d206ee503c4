import DHIS2
import DHIS2Emulator
import Foundation
import Logging
import Testing

/// Runs `body` against a fresh emulator (no demo data) holding a small metadata set with known integrity issues:
/// one orphaned organisation unit, one aggregate data element in no group and no data set, one empty option set.
private func withIntegrityClient<T: Sendable>(
    version: String = "2.42.6", _ body: (DHIS2Client) async throws -> T
) async throws -> T {
    var configuration = EmulatorConfiguration(
        version: version, logger: Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
    configuration.loadsDemoData = false
    return try await withEmulator(configuration) { emulator in
        try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
            func unit(_ id: String, _ name: String, parent: String?) -> JSONValue {
                var object: [String: JSONValue] = [
                    "id": .string(id), "name": .string(name), "shortName": .string(name),
                    "openingDate": "2000-01-01T00:00:00.000",
                ]
                if let parent { object["parent"] = ["id": .string(parent)] }
                return .object(object)
            }
            func element(_ id: String, _ name: String) -> JSONValue {
                [
                    "id": .string(id), "name": .string(name), "shortName": .string(name), "valueType": "NUMBER",
                    "aggregationType": "SUM", "domainType": "AGGREGATE", "categoryCombo": ["id": "bjDvmb4bfuf"],
                ]
            }
            let bundle: JSONValue = [
                "organisationUnits": [
                    unit("ciRootUnit1", "Ci Root", parent: nil), unit("ciDistrict1", "Ci District", parent: "ciRootUnit1"),
                    unit("ciOrphan001", "Ci Orphan", parent: nil),
                ],
                "dataElements": [element("ciDataElem1", "Ci Element"), element("ciLoneElem1", "Ci Lone Element")],
                "dataElementGroups": [[
                    "id": "ciDeGroup01", "name": "Ci Group", "shortName": "Ci Group",
                    "dataElements": [["id": "ciDataElem1"]],
                ]],
                "dataSets": [[
                    "id": "ciDataSet01", "name": "Ci Data Set", "shortName": "Ci Data Set", "periodType": "Monthly",
                    "categoryCombo": ["id": "bjDvmb4bfuf"], "dataSetElements": [["dataElement": ["id": "ciDataElem1"]]],
                    "organisationUnits": [["id": "ciDistrict1"]],
                ]],
                "optionSets": [["id": "ciEmptyOpts", "name": "Ci Empty Options", "valueType": "TEXT", "version": 1]],
            ]
            _ = try await client.post("metadata", body: bundle)
            return try await body(client)
        }
    }
}

@Suite("Data integrity through client.dataIntegrity")
struct DataIntegrityClientTests {
    @Test("checks() lists typed checks; selections by name, pattern and code; section narrows", arguments: emulatedVersions)
    func list(version: String) async throws {
        try await withIntegrityClient(version: version) { client in
            let all = try await client.dataIntegrity.checks()
            #expect(all.count >= 10)
            let orphaned = try #require(all.first { $0.name == "orgunits_orphaned" })
            #expect(orphaned.severity == .critical)
            #expect(orphaned.section == "Organisation units")
            #expect(orphaned.code == "OO")
            #expect(orphaned.issuesIdType == "organisationUnits")

            #expect(try await client.dataIntegrity.checks([.code("oo")]).map(\.name) == ["orgunits_orphaned"])
            let elements = try await client.dataIntegrity.checks([.pattern("data_elements_*")])
            #expect(Set(elements.compactMap(\.name)) == ["data_elements_aggregate_no_groups", "data_elements_without_datasets"])
            let dataSets = try await client.dataIntegrity.checks(section: "Data sets")
            #expect(!dataSets.isEmpty && dataSets.allSatisfy { $0.section == "Data sets" })
        }
    }

    @Test("runSummary returns a DATA_INTEGRITY job; once awaited, summary(checks:) has typed counts")
    func summary() async throws {
        try await withIntegrityClient { client in
            #expect(try await client.dataIntegrity.summary(checks: ["orgunits_orphaned"]).isEmpty)

            let job = try await client.dataIntegrity.runSummary(checks: ["orgunits_orphaned", "DEWD", "options_sets_empty"])
            #expect(job.jobType == .dataIntegrity)
            let completion = try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(10))
            #expect(completion.succeeded)

            let summaries = try await client.dataIntegrity.summary(
                checks: ["orgunits_orphaned", "data_elements_without_datasets", "options_sets_empty"])
            #expect(Set(summaries.keys) == ["orgunits_orphaned", "data_elements_without_datasets", "options_sets_empty"])
            let orphaned = try #require(summaries["orgunits_orphaned"])
            #expect(orphaned.summary.count == 1)
            // 100 * 1 / 3 in integer arithmetic, as DHIS2's SQL computes it.
            #expect(orphaned.summary.percentage == 33)
            #expect(orphaned.check.severity == .critical)
            #expect(orphaned.summary.finishedTime != nil)
            #expect(summaries["data_elements_without_datasets"]?.summary.count == 1)
            #expect(summaries["options_sets_empty"]?.summary.count == 1)
            #expect(try await client.dataIntegrity.completed(.summary).isSuperset(of: ["orgunits_orphaned"]))
            #expect(try await client.dataIntegrity.running(.summary).isEmpty)
        }
    }

    @Test("runDetails returns a DATA_INTEGRITY_DETAILS job; once awaited, details(checks:) lists the flagged objects")
    func details() async throws {
        try await withIntegrityClient { client in
            let job = try await client.dataIntegrity.runDetails(checks: [.pattern("*orphaned"), .name("data_elements_aggregate_no_groups")])
            #expect(job.jobType == .dataIntegrityDetails)
            #expect(try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(10)).succeeded)

            let details = try await client.dataIntegrity.details(
                checks: ["orgunits_orphaned", "data_elements_aggregate_no_groups"])
            #expect(details["orgunits_orphaned"]?.issues.map(\.id) == ["ciOrphan001"])
            #expect(details["orgunits_orphaned"]?.issues.map(\.name) == ["Ci Orphan"])
            #expect(details["data_elements_aggregate_no_groups"]?.issues.map(\.id) == ["ciLoneElem1"])
            #expect(details["data_elements_aggregate_no_groups"]?.check.section == "Data elements (aggregate)")
        }
    }

    @Test("issues() runs the details, waits, and yields every issue with its check's name, display name and severity")
    func issues() async throws {
        try await withIntegrityClient { client in
            // Nothing cached yet: without a run there is nothing to read.
            var cached: [DataIntegrityFoundIssue] = []
            for try await issue in client.dataIntegrity.issues(run: false) { cached.append(issue) }
            #expect(cached.isEmpty)

            var found: [DataIntegrityFoundIssue] = []
            for try await issue in client.dataIntegrity.issues(pollInterval: .milliseconds(10)) { found.append(issue) }
            let flagged = Set(found.map { "\($0.checkName):\($0.issue.id ?? "")" })
            #expect(flagged == [
                "orgunits_orphaned:ciOrphan001",
                "data_elements_aggregate_no_groups:ciLoneElem1",
                "data_elements_without_datasets:ciLoneElem1",
                "options_sets_empty:ciEmptyOpts",
            ])
            // The most severe check comes first.
            let first = try #require(found.first)
            #expect(first.checkName == "orgunits_orphaned")
            #expect(first.severity == .critical)
            #expect(first.checkDisplayName == "orgunits orphaned")
            #expect(first.issuesIdType == "organisationUnits")
            #expect(found.dropFirst().allSatisfy { $0.severity == .warning })

            // Reading the cache again gives the same issues without a new run.
            var again: [DataIntegrityFoundIssue] = []
            for try await issue in client.dataIntegrity.issues(checks: [.name("options_sets_empty")], run: false) {
                again.append(issue)
            }
            #expect(again.map(\.issue.id) == ["ciEmptyOpts"])
        }
    }
}
