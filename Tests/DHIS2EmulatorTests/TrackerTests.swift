import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// `/api/tracker` import and the tracker export lists over HTTP, against the demo data's Child Programme.
@Suite("Tracker: /api/tracker import with DHIS2's validation, and the export lists per version")
struct TrackerTests {
    static let program = DemoData.childProgramID.rawValue
    static let person = DemoData.personTypeID.rawValue
    static let birthStage = "A03MvHHogjR"
    static let postnatalStage = "ZzYYXq4fJie"
    static let firstName = "w75KJ2mc4zz"
    static let lastName = "zDhUuAYrxNC"

    /// A facility the Child Programme is assigned to.
    static func facility(_ emulator: Emulator) async throws -> String {
        let program = try await emulator.getJSON("/api/programs/\(Self.program)?fields=organisationUnits[id]")
        return try #require(program["organisationUnits"]?.arrayValue?.first?["id"]?.stringValue)
    }

    /// A nested bundle: a person, enrolled in the Child Programme, with a birth event.
    static func person(
        _ uid: String, enrollment: String, event: String, orgUnit: String, first: String = "Ada", last: String = "Lovelace"
    ) -> JSONValue {
        [
            "trackedEntity": .string(uid), "trackedEntityType": .string(person), "orgUnit": .string(orgUnit),
            "attributes": [["attribute": .string(firstName), "value": .string(first)]],
            "enrollments": [
                [
                    "enrollment": .string(enrollment), "program": .string(program), "orgUnit": .string(orgUnit),
                    "enrolledAt": "2025-01-10", "occurredAt": "2025-01-09", "status": "ACTIVE",
                    "attributes": [["attribute": .string(lastName), "value": .string(last)]],
                    "events": [
                        [
                            "event": .string(event), "programStage": .string(birthStage), "orgUnit": .string(orgUnit),
                            "occurredAt": "2025-01-10", "status": "ACTIVE",
                        ]
                    ],
                ]
            ],
        ]
    }

    static func errorCodes(_ report: JSONValue) -> [String] {
        (report["validationReport"]?["errorReports"]?.arrayValue ?? []).compactMap { $0["errorCode"]?.stringValue }
    }

    static func emulatorConfiguration(_ version: String) -> EmulatorConfiguration {
        EmulatorConfiguration(version: version)
    }

    @Test("a nested bundle imports synchronously and lists back with the version's pager", arguments: EmulatorConformanceVersions.all)
    func importAndList(version: String) async throws {
        try await withEmulator(Self.emulatorConfiguration(version)) { emulator in
            let unit = try await Self.facility(emulator)
            let bundle: JSONValue = [
                "trackedEntities": [
                    Self.person("PQfMcpmXeF1", enrollment: "JMgRZyeLWO1", event: "RcBUozdEU81", orgUnit: unit),
                    Self.person("PQfMcpmXeF2", enrollment: "JMgRZyeLWO2", event: "RcBUozdEU82", orgUnit: unit,
                                first: "Grace", last: "Hopper"),
                    Self.person("PQfMcpmXeF3", enrollment: "JMgRZyeLWO3", event: "RcBUozdEU83", orgUnit: unit,
                                first: "Katherine", last: "Johnson"),
                ]
            ]
            let imported = try await emulator.send(.POST, "/api/tracker?async=false", json: bundle)
            #expect(imported.status == 200, "\(imported.text)")
            #expect(imported.json["status"] == "OK")
            #expect(imported.json["stats"]?["created"] == 9)
            #expect(imported.json["bundleReport"]?["typeReportMap"]?["EVENT"]?["stats"]?["created"] == 3)

            let page = try await emulator.send(
                .GET, "/api/tracker/trackedEntities?program=\(Self.program)&orgUnits=\(unit)&pageSize=2&totalPages=true&fields=*")
            #expect(page.status == 200, "\(page.text)")
            let items = try #require(page.json["trackedEntities"]?.arrayValue)
            #expect(items.map { $0["trackedEntity"]?.stringValue } == ["PQfMcpmXeF1", "PQfMcpmXeF2"])
            let pager = try #require(page.json["pager"])
            #expect(pager["total"] == 3)
            #expect(pager["pageCount"] == 2)
            if version.hasPrefix("2.41") {
                #expect(page.json["page"] == 1, "2.41 keeps the deprecated top-level page")
                #expect(pager["nextPage"] == nil)
            } else {
                #expect(page.json["page"] == nil, "2.42+ has the pager only")
                let next = try #require(pager["nextPage"]?.stringValue)
                #expect(next.hasPrefix(emulator.baseURL + "/api/tracker/trackedEntities?"))
                #expect(next.hasSuffix("&page=2"))
            }
            let first = items[0]
            #expect(first["createdBy"]?["uid"]?.stringValue == DemoData.adminUserID.rawValue)
            #expect(first["enrollments"]?.arrayValue?.first?["events"]?.arrayValue?.count == 1)
            let attributes = first["attributes"]?.arrayValue?.compactMap { $0["value"]?.stringValue } ?? []
            #expect(Set(attributes) == ["Ada", "Lovelace"])

            // Attribute filter, ordering and the enrollment/event lists.
            let filtered = try await emulator.getJSON(
                "/api/tracker/trackedEntities?program=\(Self.program)&orgUnits=\(unit)&filter=\(Self.lastName):like:hop")
            #expect(filtered["trackedEntities"]?.arrayValue?.map { $0["trackedEntity"]?.stringValue } == ["PQfMcpmXeF2"])
            let ordered = try await emulator.getJSON(
                "/api/tracker/trackedEntities?program=\(Self.program)&orgUnits=\(unit)&order=\(Self.firstName):desc&paging=false")
            #expect(ordered["pager"] == nil)
            #expect(ordered["trackedEntities"]?.arrayValue?.map { $0["trackedEntity"]?.stringValue }
                    == ["PQfMcpmXeF3", "PQfMcpmXeF2", "PQfMcpmXeF1"])
            let events = try await emulator.getJSON(
                "/api/tracker/events?program=\(Self.program)&orgUnit=\(unit)&occurredAfter=2025-01-01")
            #expect(events["events"]?.arrayValue?.count == 3)
            let enrollment = try await emulator.getJSON("/api/tracker/enrollments/JMgRZyeLWO1")
            #expect(enrollment["trackedEntity"] == "PQfMcpmXeF1")
            #expect(enrollment["events"] == nil, "events are not in the default enrollment fields")

            let missing = try await emulator.send(.GET, "/api/tracker/trackedEntities/Aaaaaaaaaaa")
            #expect(missing.status == 404)
        }
    }

    @Test("list parameters: required ones answer 400, 2.41 rejects a deprecated alias next to its successor",
          arguments: EmulatorConformanceVersions.all)
    func requiredParameters(version: String) async throws {
        try await withEmulator(Self.emulatorConfiguration(version)) { emulator in
            let none = try await emulator.send(.GET, "/api/tracker/trackedEntities")
            #expect(none.status == 400)
            #expect(none.json["message"] == "Either `program`, `trackedEntityType` or `trackedEntities` should be specified")
            let both = try await emulator.send(
                .GET, "/api/tracker/trackedEntities?program=\(Self.program)&trackedEntityType=\(Self.person)")
            #expect(both.status == 400)
            let relationships = try await emulator.send(.GET, "/api/tracker/relationships")
            #expect(relationships.status == 400)
            let selected = try await emulator.send(
                .GET, "/api/tracker/trackedEntities?trackedEntityType=\(Self.person)&orgUnitMode=SELECTED")
            #expect(selected.status == 400)
            let aliases = try await emulator.send(
                .GET, "/api/tracker/trackedEntities?trackedEntityType=\(Self.person)&ouMode=ALL&orgUnitMode=ALL")
            #expect(aliases.status == (version.hasPrefix("2.41") ? 400 : 200), "\(aliases.text)")
        }
    }

    @Test("each validation rule rejects what it should with DHIS2's code")
    func validationRules() async throws {
        try await withEmulator(Self.emulatorConfiguration("2.42.6")) { emulator in
            let unit = try await Self.facility(emulator)
            let outside = try await emulator.getJSON("/api/organisationUnits?filter=level:eq:1&fields=id")
            let root = try #require(outside["organisationUnits"]?.arrayValue?.first?["id"]?.stringValue)
            let seeded = try await emulator.send(
                .POST, "/api/tracker?async=false",
                json: ["trackedEntities": [Self.person("Xk1TrackEn1", enrollment: "Xk1Enrollm1", event: "Xk1EventAa1", orgUnit: unit)]])
            #expect(seeded.status == 200, "\(seeded.text)")

            func expectCode(_ code: String, _ payload: JSONValue, query: String = "", _ comment: Comment? = nil) async throws {
                let reply = try await emulator.send(.POST, "/api/tracker?async=false" + query, json: payload)
                #expect(reply.status == 409, "\(code): \(reply.text)")
                #expect(Self.errorCodes(reply.json).contains(code), "\(code) expected, got \(reply.text)")
                #expect(reply.json["bundleReport"] == nil, "atomicMode ALL reports no bundle on errors")
            }
            func te(_ uid: String, type: String = Self.person, orgUnit: String = unit, attributes: JSONValue = []) -> JSONValue {
                ["trackedEntity": .string(uid), "trackedEntityType": .string(type), "orgUnit": .string(orgUnit),
                 "attributes": attributes]
            }
            func enrollment(_ uid: String, te: String, program: String = Self.program, orgUnit: String = unit,
                            attributes: JSONValue = [["attribute": .string(Self.firstName), "value": "A"],
                                                     ["attribute": .string(Self.lastName), "value": "B"]]) -> JSONValue {
                ["enrollment": .string(uid), "trackedEntity": .string(te), "program": .string(program),
                 "orgUnit": .string(orgUnit), "enrolledAt": "2025-02-01", "attributes": attributes]
            }

            try await expectCode("E1048", ["trackedEntities": [te("not-a-uid")]])
            try await expectCode("E1005", ["trackedEntities": [te("Xk1TrackEn2", type: "Q9GufDoplCL")]])
            try await expectCode("E1049", ["trackedEntities": [te("Xk1TrackEn2", orgUnit: "Q9GufDoplCL")]])
            try await expectCode("E1006", ["trackedEntities": [te("Xk1TrackEn2", attributes: [["attribute": "Q9GufDoplCL", "value": "x"]])]])
            try await expectCode("E1125", ["trackedEntities": [te("Xk1TrackEn2", attributes: [["attribute": "cejWyOfXge6", "value": "Unknown"]])]])
            try await expectCode("E1002", ["trackedEntities": [te("Xk1TrackEn1")]], query: "&importStrategy=CREATE")
            try await expectCode("E1063", ["trackedEntities": [te("Xk1TrackEn9")]], query: "&importStrategy=UPDATE")
            try await expectCode("E1068", ["enrollments": [enrollment("Xk1Enrollm2", te: "Xk1TrackEn9")]])
            try await expectCode("E1069", ["enrollments": [enrollment("Xk1Enrollm2", te: "Xk1TrackEn1", program: "Q9GufDoplCL")]])
            try await expectCode("E1041", ["trackedEntities": [te("Xk1TrackEn3")],
                                           "enrollments": [enrollment("Xk1Enrollm3", te: "Xk1TrackEn3", orgUnit: root)]])
            try await expectCode("E1018", ["trackedEntities": [te("Xk1TrackEn3")],
                                           "enrollments": [enrollment("Xk1Enrollm3", te: "Xk1TrackEn3", attributes: [])]])
            try await expectCode("E1016", ["enrollments": [enrollment("Xk1Enrollm4", te: "Xk1TrackEn1")]])
            try await expectCode("E1013", ["events": [["event": "Xk1EventAa2", "program": .string(Self.program),
                                                       "programStage": "Q9GufDoplCL", "enrollment": "Xk1Enrollm1",
                                                       "orgUnit": .string(unit), "occurredAt": "2025-02-02"]]])
            try await expectCode("E1033", ["events": [["event": "Xk1EventAa2", "programStage": .string(Self.birthStage),
                                                       "orgUnit": .string(unit), "occurredAt": "2025-02-02"]]])
            try await expectCode("E1039", ["events": [["event": "Xk1EventAa2", "programStage": .string(Self.birthStage),
                                                       "enrollment": "Xk1Enrollm1", "orgUnit": .string(unit),
                                                       "occurredAt": "2025-02-02"]]])
            try await expectCode("E1029", ["events": [["event": "Xk1EventAa2", "programStage": .string(Self.postnatalStage),
                                                       "enrollment": "Xk1Enrollm1", "orgUnit": .string(root),
                                                       "occurredAt": "2025-02-02"]]])
            try await expectCode("E1030", ["events": [["event": "Xk1EventAa1", "programStage": .string(Self.postnatalStage),
                                                       "enrollment": "Xk1Enrollm1", "orgUnit": .string(unit),
                                                       "occurredAt": "2025-02-02"]]], query: "&importStrategy=CREATE")
            // A child of an invalid parent in the same payload cannot be persisted.
            try await expectCode("E5000", ["trackedEntities": [te("Xk1TrackEn5", type: "Q9GufDoplCL")],
                                           "enrollments": [enrollment("Xk1Enrollm5", te: "Xk1TrackEn5")]])

            // atomicMode OBJECT keeps the valid objects and still reports ERROR.
            let partial = try await emulator.send(
                .POST, "/api/tracker?async=false&atomicMode=OBJECT",
                json: ["trackedEntities": [te("Xk1TrackEn6"), te("Xk1TrackEn7", type: "Q9GufDoplCL")]])
            #expect(partial.status == 409)
            #expect(partial.json["stats"]?["created"] == 1)
            #expect(partial.json["stats"]?["ignored"] == 1)
            let kept = try await emulator.send(.GET, "/api/tracker/trackedEntities/Xk1TrackEn6")
            #expect(kept.status == 200)
        }
    }

    @Test("relationships between tracked entities import, list and validate", arguments: ["2.41.10", "2.44"])
    func relationships(version: String) async throws {
        try await withEmulator(Self.emulatorConfiguration(version)) { emulator in
            let unit = try await Self.facility(emulator)
            let constraint: JSONValue = [
                "relationshipEntity": "TRACKED_ENTITY_INSTANCE", "trackedEntityType": ["id": .string(Self.person)],
            ]
            let type = try await emulator.send(
                .POST, "/api/relationshipTypes",
                json: ["id": "Rt1RelType1", "name": "Mother of", "fromToName": "Mother of", "toFromName": "Child of",
                       "bidirectional": true, "fromConstraint": constraint, "toConstraint": constraint])
            #expect(type.status == 201, "\(type.text)")
            func link(_ uid: String, type: String = "Rt1RelType1", from: String, to: String) -> JSONValue {
                ["relationship": .string(uid), "relationshipType": .string(type),
                 "from": ["trackedEntity": .string(from)], "to": ["trackedEntity": .string(to)]]
            }
            let people: JSONValue = [
                "trackedEntities": [
                    ["trackedEntity": "Rl1Mother01", "trackedEntityType": .string(Self.person), "orgUnit": .string(unit)],
                    ["trackedEntity": "Rl1Child001", "trackedEntityType": .string(Self.person), "orgUnit": .string(unit)],
                ],
                "relationships": [link("Rl1Relation", from: "Rl1Mother01", to: "Rl1Child001")],
            ]
            let imported = try await emulator.send(.POST, "/api/tracker?async=false", json: people)
            #expect(imported.status == 200, "\(imported.text)")
            #expect(imported.json["bundleReport"]?["typeReportMap"]?["RELATIONSHIP"]?["stats"]?["created"] == 1)

            let list = try await emulator.getJSON("/api/tracker/relationships?trackedEntity=Rl1Child001")
            let item = try #require(list["relationships"]?.arrayValue?.first)
            #expect(item["relationship"] == "Rl1Relation")
            #expect(item["from"]?["trackedEntity"]?["trackedEntity"] == "Rl1Mother01")
            #expect(item["to"]?["trackedEntity"]?["trackedEntity"] == "Rl1Child001")
            let document = try await OpenAPIDocument.shared(serverVersion: version)
            let full = try await emulator.getJSON("/api/tracker/relationships/Rl1Relation?fields=*")
            let violations = SchemaValidator(document: document).validate(full, component: "TrackerRelationship")
            #expect(violations.isEmpty, "\(violations)")
            let withRelationships = try await emulator.getJSON(
                "/api/tracker/trackedEntities/Rl1Mother01?fields=trackedEntity,relationships[relationship]")
            #expect(withRelationships["relationships"] == [["relationship": "Rl1Relation"]])

            for (code, payload) in [
                ("E4006", link("Rl1Relatio2", type: "Q9GufDoplCL", from: "Rl1Mother01", to: "Rl1Child001")),
                ("E4012", link("Rl1Relatio2", from: "Rl1Mother01", to: "Rl1Missing1")),
                ("E4000", link("Rl1Relatio2", from: "Rl1Mother01", to: "Rl1Mother01")),
                ("E4015", link("Rl1Relation", from: "Rl1Mother01", to: "Rl1Child001")),
            ] {
                let rejected = try await emulator.send(.POST, "/api/tracker?async=false", json: ["relationships": [payload]])
                #expect(rejected.status == 409)
                #expect(Self.errorCodes(rejected.json) == [code], "\(rejected.text)")
            }
            let missing = try await emulator.send(.GET, "/api/tracker/relationships?trackedEntity=Rl1Missing1")
            #expect(missing.status == 404)
        }
    }

    @Test("VALIDATE stores nothing; DELETE soft-deletes with its children")
    func validateAndDelete() async throws {
        try await withEmulator(Self.emulatorConfiguration("2.44")) { emulator in
            let unit = try await Self.facility(emulator)
            let bundle: JSONValue = ["trackedEntities": [Self.person("Vd1TrackEn1", enrollment: "Vd1Enrollm1", event: "Vd1EventAa1", orgUnit: unit)]]
            let dryRun = try await emulator.send(.POST, "/api/tracker?async=false&importMode=VALIDATE", json: bundle)
            #expect(dryRun.status == 200, "\(dryRun.text)")
            #expect(dryRun.json["status"] == "OK")
            #expect(try await emulator.send(.GET, "/api/tracker/trackedEntities/Vd1TrackEn1").status == 404)

            #expect(try await emulator.send(.POST, "/api/tracker?async=false", json: bundle).status == 200)
            #expect(try await emulator.send(.GET, "/api/tracker/events/Vd1EventAa1").status == 200)
            let deleted = try await emulator.send(
                .POST, "/api/tracker?async=false&importStrategy=DELETE",
                json: ["trackedEntities": [["trackedEntity": "Vd1TrackEn1"]]])
            #expect(deleted.status == 200, "\(deleted.text)")
            #expect(deleted.json["stats"]?["deleted"] == 1)
            #expect(try await emulator.send(.GET, "/api/tracker/trackedEntities/Vd1TrackEn1").status == 404)
            #expect(try await emulator.send(.GET, "/api/tracker/events/Vd1EventAa1").status == 404)
        }
    }

    @Test("an async import is a tracker job whose report is the import report", arguments: ["2.41.10", "2.42.6"])
    func asyncImport(version: String) async throws {
        try await withEmulator(Self.emulatorConfiguration(version)) { emulator in
            let unit = try await Self.facility(emulator)
            let bundle: JSONValue = ["trackedEntities": [Self.person("As1TrackEn1", enrollment: "As1Enrollm1", event: "As1EventAa1", orgUnit: unit)]]
            let kickOff = try await emulator.send(.POST, "/api/tracker", json: bundle)
            #expect(kickOff.status == 200, "\(kickOff.text)")
            #expect(kickOff.json["message"] == "Tracker job added")
            let location = try #require(kickOff.json["response"]?["location"]?.stringValue)
            #expect(kickOff.header("Location") == location)
            let id = try #require(kickOff.json["response"]?["id"]?.stringValue)
            #expect(location == emulator.baseURL + "/api/tracker/jobs/" + id)
            #expect((kickOff.json["response"]?["responseType"] == nil) == version.hasPrefix("2.41"))

            var report: EmulatorReply?
            for _ in 0..<200 {
                let reply = try await emulator.send(.GET, "/api/tracker/jobs/\(id)/report")
                if reply.status == 200 {
                    report = reply
                    break
                }
                try await Task.sleep(for: .milliseconds(25))
            }
            let finished = try #require(report, "the job's report never appeared")
            #expect(finished.json["status"] == "OK")
            #expect(finished.json["stats"]?["created"] == 3)
            #expect(try await emulator.send(.GET, "/api/tracker/trackedEntities/As1TrackEn1").status == 200)
        }
    }

    @Test("tracker data survives a restart on the same data directory")
    func persistence() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracker-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = Self.emulatorConfiguration("2.42.6")
        configuration.dataDirectory = directory
        try await withEmulator(configuration) { emulator in
            let unit = try await Self.facility(emulator)
            let bundle: JSONValue = ["trackedEntities": [Self.person("Ps1TrackEn1", enrollment: "Ps1Enrollm1", event: "Ps1EventAa1", orgUnit: unit)]]
            #expect(try await emulator.send(.POST, "/api/tracker?async=false", json: bundle).status == 200)
        }
        try await withEmulator(configuration) { emulator in
            let event = try await emulator.getJSON("/api/tracker/events/Ps1EventAa1")
            #expect(event["enrollment"] == "Ps1Enrollm1")
        }
    }
}

/// The emulated versions, one per supported DHIS2 minor.
enum EmulatorConformanceVersions {
    static let all = ["2.41.10", "2.42.6", "2.43.2", "2.44"]
}
