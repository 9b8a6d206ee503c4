import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// Metadata for the data integrity tests: a clean set on which every check finds nothing, and additions that each
/// trip known checks.
enum DataIntegrityFixture {
    static let defaultCombo: JSONValue = ["id": "bjDvmb4bfuf"]

    static func orgUnit(_ id: String, _ name: String, parent: String?, shortName: String? = nil,
                        opening: String = "2000-01-01T00:00:00.000", closed: String? = nil) -> JSONValue
    {
        var object: [String: JSONValue] = [
            "id": .string(id), "name": .string(name), "shortName": .string(shortName ?? name),
            "openingDate": .string(opening),
        ]
        if let parent { object["parent"] = ["id": .string(parent)] }
        if let closed { object["closedDate"] = .string(closed) }
        return .object(object)
    }

    static func dataElement(_ id: String, _ name: String, domain: String = "AGGREGATE") -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "shortName": .string(name), "valueType": "NUMBER",
            "aggregationType": "SUM", "domainType": .string(domain), "categoryCombo": defaultCombo,
        ]
    }

    static func dataSet(_ id: String, _ name: String, elements: [String], orgUnits: [String]) -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "shortName": .string(name), "periodType": "Monthly",
            "categoryCombo": defaultCombo,
            "dataSetElements": .array(elements.map { ["dataElement": ["id": .string($0)]] }),
            "organisationUnits": .array(orgUnits.map { ["id": .string($0)] }),
        ]
    }

    static func indicator(_ id: String, _ name: String, numerator: String, denominator: String) -> JSONValue {
        [
            "id": .string(id), "name": .string(name), "shortName": .string(name), "numerator": .string(numerator),
            "denominator": .string(denominator), "indicatorType": ["id": "diIndType01"],
        ]
    }

    /// On this set every check of the emulator finds nothing.
    static let clean: JSONValue = [
        "organisationUnits": [
            orgUnit("diRootUnit1", "Di Root", parent: nil),
            orgUnit("diDistrict1", "Di District", parent: "diRootUnit1"),
        ],
        "organisationUnitGroups": [[
            "id": "diOuGroup01", "name": "Di Group", "shortName": "Di Group",
            "organisationUnits": [["id": "diRootUnit1"], ["id": "diDistrict1"]],
        ]],
        "dataElements": [dataElement("diDataElem1", "Di Element")],
        "dataElementGroups": [[
            "id": "diDeGroup01", "name": "Di Element Group", "shortName": "Di Element Group",
            "dataElements": [["id": "diDataElem1"]],
        ]],
        "dataSets": [dataSet("diDataSet01", "Di Data Set", elements: ["diDataElem1"], orgUnits: ["diDistrict1"])],
        "indicatorTypes": [["id": "diIndType01", "name": "Di Per cent", "factor": 100]],
        "indicators": [indicator("diIndicat01", "Di Indicator", numerator: "#{diDataElem1}", denominator: "1")],
        "indicatorGroups": [[
            "id": "diIndGroup1", "name": "Di Indicator Group", "indicators": [["id": "diIndicat01"]],
        ]],
        "optionSets": [[
            "id": "diOptSet001", "name": "Di Options", "valueType": "TEXT", "version": 1, "options": [["id": "diOption001"]],
        ]],
        "options": [[
            "id": "diOption001", "name": "Di Option", "code": "DI_OPTION", "optionSet": ["id": "diOptSet001"],
        ]],
    ]

    /// Added to the clean set, these trip the checks listed in ``expected``.
    static let faulty: JSONValue = [
        "organisationUnits": [
            // Orphaned: no parent, no children.
            orgUnit("diOrphan001", "Di Orphan", parent: nil),
            // Trailing space in the short name only.
            orgUnit("diTrailing1", "Di Trailing", parent: "diRootUnit1", shortName: "Di Trailing "),
            // Opened after it closed.
            orgUnit("diClosedEar", "Di Closed Early", parent: "diRootUnit1", opening: "2020-01-01T00:00:00.000",
                    closed: "2019-06-30T00:00:00.000"),
            // Same name as a sibling once case and spaces are ignored.
            orgUnit("diTwinA0001", "Di Twin Clinic", parent: "diDistrict1"),
            orgUnit("diTwinB0001", "di twinclinic", parent: "diDistrict1"),
        ],
        "dataElements": [
            // Aggregate, in no group and no data set.
            dataElement("diLoneElem1", "Di Lone Element"),
            // Tracker data elements are not aggregate: never flagged by the aggregate checks.
            dataElement("diTrackElem", "Di Tracker Element", domain: "TRACKER"),
        ],
        "dataSets": [
            dataSet("diEmptySet1", "Di Empty Set", elements: [], orgUnits: ["diDistrict1"]),
            dataSet("diUnassign1", "Di Unassigned Set", elements: ["diDataElem1"], orgUnits: []),
        ],
        "indicators": [
            // Same formula as diIndicat01 once spaces are removed; in no group.
            indicator("diIndicat02", "Di Indicator Copy", numerator: "#{diDataElem1} ", denominator: " 1"),
        ],
        "optionSets": [["id": "diEmptyOpts", "name": "Di Empty Options", "valueType": "TEXT", "version": 1]],
        "categoryOptions": [["id": "diCatOpt001", "name": "Di Category Option", "shortName": "Di Category Option"]],
        "categories": [[
            "id": "diNoOptCat1", "name": "Di Empty Category", "shortName": "Di Empty Category",
            "dataDimensionType": "DISAGGREGATION",
        ]],
        "categoryCombos": [[
            "id": "diUnusedCC1", "name": "Di Unused Combo", "dataDimensionType": "DISAGGREGATION",
            "categories": [["id": "diUsedCat01"]],
        ]],
    ]

    /// The category the unused combination refers to (it has an option, so it is not itself flagged).
    static let faultyCategories: JSONValue = [
        "categoryOptions": [["id": "diCatOpt001", "name": "Di Category Option", "shortName": "Di Category Option"]],
        "categories": [[
            "id": "diUsedCat01", "name": "Di Used Category", "shortName": "Di Used Category",
            "dataDimensionType": "DISAGGREGATION", "categoryOptions": [["id": "diCatOpt001"]],
        ]],
    ]

    /// What each check finds once ``faulty`` is imported on top of ``clean``.
    static let expected: [String: Set<String>] = [
        "categories_no_options": ["diNoOptCat1"],
        "category_combos_unused": ["diUnusedCC1"],
        "data_elements_aggregate_no_groups": ["diLoneElem1"],
        "data_elements_without_datasets": ["diLoneElem1"],
        "datasets_empty": ["diEmptySet1"],
        "datasets_not_assigned_to_org_units": ["diUnassign1"],
        "indicators_not_grouped": ["diIndicat02"],
        "indicators_exact_duplicates": ["diIndicat01", "diIndicat02"],
        "options_sets_empty": ["diEmptyOpts"],
        "orgunits_trailing_spaces": ["diTrailing1"],
        "orgunits_openingdate_gt_closeddate": ["diClosedEar"],
        "orgunits_orphaned": ["diOrphan001"],
        "orgunits_same_name_and_parent": ["diTwinA0001", "diTwinB0001"],
    ]

    static func freshConfiguration(_ version: String = "2.42.6") -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(version: version)
        configuration.loadsDemoData = false
        return configuration
    }

    static func importing(_ bundle: JSONValue, into emulator: Emulator) async throws {
        let reply = try await emulator.send(.POST, "/api/metadata", json: bundle)
        guard reply.status == 200 else {
            throw EmulatorTestFailure("the fixture import answered \(reply.status): \(reply.text)")
        }
    }

    /// Starts a run and waits, by polling its notifications, until the job's last row says completed.
    static func run(_ path: String, on emulator: Emulator, json: JSONValue? = nil) async throws -> EmulatorReply {
        let kickOff = try await emulator.send(.POST, path, json: json)
        guard kickOff.status == 200, let id = kickOff.json["response"]?["id"]?.stringValue,
            let type = kickOff.json["response"]?["jobType"]?.stringValue
        else { throw EmulatorTestFailure("POST \(path) answered \(kickOff.status): \(kickOff.text)") }
        for _ in 0..<500 {
            let rows = try await emulator.getJSON("/api/system/tasks/\(type)/\(id)")
            if rows[0]?["completed"] == true { return kickOff }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw EmulatorTestFailure("the \(type) job \(id) did not complete")
    }

    static func issueIDs(_ details: JSONValue, _ check: String) -> Set<String> {
        Set((details[check]?["issues"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
    }
}

@Suite("/api/dataIntegrity: DHIS2's checks computed over the stored metadata")
struct DataIntegrityTests {
    @Test("the list names DHIS2's checks with their sections, severities, issue types and codes")
    func list() async throws {
        try await withEmulator(DataIntegrityFixture.freshConfiguration()) { emulator in
            let checks = try #require(try await emulator.getJSON("/api/dataIntegrity").arrayValue)
            let names = Set(checks.compactMap { $0["name"]?.stringValue })
            #expect(names == Set(DataIntegrityFixture.expected.keys))
            let orphaned = try #require(checks.first { $0["name"] == "orgunits_orphaned" })
            #expect(orphaned["section"] == "Organisation units")
            #expect(orphaned["sectionOrder"] == 9)
            #expect(orphaned["severity"] == "CRITICAL")
            #expect(orphaned["issuesIdType"] == "organisationUnits")
            #expect(orphaned["code"] == "OO")
            #expect(orphaned["displayName"] == "orgunits orphaned")
            #expect(orphaned["isSlow"] == false)
            #expect(orphaned["isProgrammatic"] == false)
            // Never run: no average execution time yet.
            #expect(orphaned["averageExecutionTime"] == nil)
            let withoutDataSets = try #require(checks.first { $0["name"] == "data_elements_without_datasets" })
            #expect(withoutDataSets["code"] == "DEWD")
            #expect(withoutDataSets["section"] == "Data elements (aggregate)")
        }
    }

    @Test("checks= selects by name, * pattern and code (deduplicated); section= narrows the list")
    func selection() async throws {
        try await withEmulator(DataIntegrityFixture.freshConfiguration()) { (emulator) async throws in
            func names(_ query: String) async throws -> [String] {
                try await emulator.getJSON("/api/dataIntegrity?\(query)").arrayValue?
                    .compactMap { $0["name"]?.stringValue } ?? []
            }
            #expect(try await names("checks=orgunits_orphaned") == ["orgunits_orphaned"])
            #expect(try await names("checks=orgunits-orphaned") == ["orgunits_orphaned"])
            #expect(try await Set(names("checks=*element*")) == [
                "data_elements_aggregate_no_groups", "data_elements_without_datasets",
            ])
            #expect(try await names("checks=OO,orgunits_orphaned") == ["orgunits_orphaned"])
            #expect(try await names("checks=no_such_check").isEmpty)
            #expect(try await Set(names("section=Data%20sets")) == ["datasets_empty", "datasets_not_assigned_to_org_units"])
            #expect(try await names("programmatic=true").isEmpty)
        }
    }

    @Test("on clean metadata every check runs and finds nothing")
    func cleanMetadata() async throws {
        try await withEmulator(DataIntegrityFixture.freshConfiguration()) { emulator in
            try await DataIntegrityFixture.importing(DataIntegrityFixture.clean, into: emulator)
            _ = try await DataIntegrityFixture.run("/api/dataIntegrity/details", on: emulator)
            _ = try await DataIntegrityFixture.run("/api/dataIntegrity/summary", on: emulator)
            let details = try await emulator.getJSON("/api/dataIntegrity/details")
            let summary = try await emulator.getJSON("/api/dataIntegrity/summary")
            for check in DataIntegrityFixture.expected.keys {
                #expect(details[check]?["issues"] == [], "\(check) found \(details[check] ?? nil)")
                #expect(summary[check]?["count"] == 0, "\(check) counted \(summary[check] ?? nil)")
            }
        }
    }

    @Test("each check flags exactly the faulty objects, and the summary counts them", arguments: versionsUnderTest)
    func faultyMetadata(version: String) async throws {
        try await withEmulator(DataIntegrityFixture.freshConfiguration(version)) { emulator in
            try await DataIntegrityFixture.importing(DataIntegrityFixture.clean, into: emulator)
            try await DataIntegrityFixture.importing(DataIntegrityFixture.faultyCategories, into: emulator)
            try await DataIntegrityFixture.importing(DataIntegrityFixture.faulty, into: emulator)
            _ = try await DataIntegrityFixture.run("/api/dataIntegrity/details", on: emulator)
            _ = try await DataIntegrityFixture.run("/api/dataIntegrity/summary", on: emulator)
            let details = try await emulator.getJSON("/api/dataIntegrity/details")
            let summary = try await emulator.getJSON("/api/dataIntegrity/summary")
            for (check, ids) in DataIntegrityFixture.expected {
                #expect(DataIntegrityFixture.issueIDs(details, check) == ids, "\(version) \(check)")
                #expect(summary[check]?["count"]?.intValue == ids.count, "\(version) \(check)")
            }

            // Comments as DHIS2's details queries write them.
            let trailing = try #require(details["orgunits_trailing_spaces"]?["issues"]?[0])
            #expect(trailing == ["id": "diTrailing1", "name": "Di Trailing", "comment": "Di Trailing "])
            let twins = details["orgunits_same_name_and_parent"]?["issues"]?.arrayValue ?? []
            #expect(twins.allSatisfy { $0["comment"] == "Di District" })
            let duplicates = details["indicators_exact_duplicates"]?["issues"]?.arrayValue ?? []
            #expect(Set(duplicates.compactMap { $0["comment"]?.stringValue }) == ["#{diDataElem1}/1", "#{diDataElem1} / 1"])

            // Percentages as the summary SQL computes them: integer division over the baseline...
            // 7 org units, 1 orphan: 100 * 1 / 7 = 14.
            #expect(summary["orgunits_orphaned"]?["percentage"] == 14)
            // 2 aggregate data elements (the tracker one is not counted), 1 without data sets: 50.
            #expect(summary["data_elements_without_datasets"]?["percentage"] == 50)
            // ...or in decimals where the SQL says 100.0: 2 of 7 org units.
            let twinsPercentage = try #require(summary["orgunits_same_name_and_parent"]?["percentage"]?.doubleValue)
            #expect(abs(twinsPercentage - 200.0 / 7.0) < 1e-9)

            // The results keep the check's own members (DHIS2 unwraps the check into them).
            #expect(details["orgunits_orphaned"]?["severity"] == "CRITICAL")
            #expect(details["orgunits_orphaned"]?["startTime"]?.stringValue != nil)
            #expect(summary["orgunits_orphaned"]?["finishedTime"]?.stringValue != nil)
            #expect(summary["orgunits_orphaned"]?["averageExecutionTime"] != nil)

            // A fix shows after the next run.
            let fixed = try await emulator.send(.DELETE, "/api/organisationUnits/diOrphan001")
            #expect(fixed.status == 200, "\(fixed.text)")
            _ = try await DataIntegrityFixture.run(
                "/api/dataIntegrity/details?checks=orgunits_orphaned", on: emulator)
            let after = try await emulator.getJSON("/api/dataIntegrity/orgunits_orphaned/details")
            #expect(after["issues"] == [])
        }
    }

    @Test("summary and details triggers: the job WebMessage, Location pointing at the results, results by name")
    func jobFlow() async throws {
        try await withEmulator(DataIntegrityFixture.freshConfiguration()) { emulator in
            try await DataIntegrityFixture.importing(DataIntegrityFixture.clean, into: emulator)
            try await DataIntegrityFixture.importing(["organisationUnits": [
                DataIntegrityFixture.orgUnit("diOrphan001", "Di Orphan", parent: nil),
            ]], into: emulator)

            #expect(try await emulator.send(.GET, "/api/dataIntegrity/summary/completed").json == [])
            #expect(try await emulator.getJSON("/api/dataIntegrity/summary?checks=orgunits_orphaned") == [:])
            // A check that never ran: 200 without a body.
            let never = try await emulator.send(.GET, "/api/dataIntegrity/orgunits_orphaned/summary")
            #expect(never.status == 200)
            #expect(never.body.isEmpty)

            let kickOff = try await DataIntegrityFixture.run(
                "/api/dataIntegrity/summary?checks=orgunits_orphaned,OIG", on: emulator)
            #expect(kickOff.json["status"] == "OK")
            #expect(kickOff.json["response"]?["jobType"] == "DATA_INTEGRITY")
            #expect(kickOff.json["response"]?["jobParameters"] == [
                "checks": ["orgunits_orphaned", "OIG"], "type": "SUMMARY",
            ])
            #expect(kickOff.json["message"]?.stringValue?.hasPrefix("Initiated DATA_INTEGRITY (") == true)
            #expect(kickOff.header("Location")
                    == emulator.baseURL + "/api/dataIntegrity/summary?checks=orgunits_orphaned,OIG")

            let summaries = try await emulator.getJSON("/api/dataIntegrity/summary?checks=orgunits_orphaned")
            #expect(summaries.objectValue?.keys.sorted() == ["orgunits_orphaned"])
            #expect(summaries["orgunits_orphaned"]?["count"] == 1)
            let single = try await emulator.getJSON("/api/dataIntegrity/orgunits_orphaned/summary")
            #expect(single["name"] == "orgunits_orphaned")
            #expect(single["count"] == 1)
            #expect(try await emulator.getJSON("/api/dataIntegrity/summary/completed") == ["orgunits_orphaned"])
            #expect(try await emulator.getJSON("/api/dataIntegrity/summary/running") == [])
            // A summary run leaves no details.
            #expect(try await emulator.getJSON("/api/dataIntegrity/details/completed") == [])

            // Details, with the checks in a JSON array body; the plain trigger keeps the task-list Location.
            let details = try await DataIntegrityFixture.run(
                "/api/dataIntegrity/details", on: emulator, json: ["orgunits_orphaned"])
            #expect(details.json["response"]?["jobType"] == "DATA_INTEGRITY_DETAILS")
            #expect(details.header("Location") == emulator.baseURL + "/api/dataIntegrity/details?checks=orgunits_orphaned")
            let issues = try await emulator.getJSON("/api/dataIntegrity/orgunits_orphaned/details")
            #expect(issues["issues"] == [["id": "diOrphan001", "name": "Di Orphan"]])
            let report = try await DataIntegrityFixture.run("/api/dataIntegrity?checks=OO", on: emulator)
            #expect(report.header("Location") == emulator.baseURL + "/api/system/tasks/DATA_INTEGRITY")
            #expect(report.json["response"]?["jobParameters"]?["type"] == "REPORT")

            // The run's progress rows end with the completed one.
            let id = try #require(kickOff.json["response"]?["id"]?.stringValue)
            let rows = try await emulator.getJSON("/api/system/tasks/DATA_INTEGRITY/\(id)")
            #expect(rows[0]?["completed"] == true)
            #expect(rows[0]?["level"] == "INFO")
        }
    }

    @Test("metrics: the cached summaries in Prometheus' text format (2.42+)")
    func metrics() async throws {
        try await withEmulator(DataIntegrityFixture.freshConfiguration()) { emulator in
            try await DataIntegrityFixture.importing(DataIntegrityFixture.clean, into: emulator)
            _ = try await DataIntegrityFixture.run("/api/dataIntegrity/summary?checks=OO", on: emulator)
            let reply = try await emulator.send(.GET, "/api/dataIntegrity/metrics")
            #expect(reply.status == 200)
            #expect(reply.text.contains("dhis_data_integrity_check_count{check=\"orgunits_orphaned\"} 0"))
            #expect(reply.text.contains("# TYPE dhis_data_integrity_check_percentage gauge"))
        }
        try await withEmulator(DataIntegrityFixture.freshConfiguration("2.41.10")) { (emulator) async throws in
            #expect(try await emulator.send(.GET, "/api/dataIntegrity/metrics").status == 404)
        }
    }
}
