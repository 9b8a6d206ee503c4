import DHIS2
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// The tracker client on its own: payloads of the real shapes, request parameters per version, the pager of each
/// version, and the import protocol (sync 200/409, async job) against a stub speaking DHIS2's documented answers.
@Suite("Tracker client: bundles, parameters, pagers and imports")
struct TrackerClientTests {
    // MARK: - The real payload

    @Test(
        "The real tracker payload decodes into a nested bundle, flattens with parents set, and re-encodes whole",
        .enabled(if: PlayFixtures.shouldRun, PlayFixtures.skipReason))
    func realPayload() throws {
        let json = try PlayFixtures.json("tracker_payload.json.gz")
        let bundle = try TrackerBundle(json: json)
        #expect(bundle.trackedEntities.count == 500)
        #expect(bundle.enrollments.isEmpty && bundle.events.isEmpty)
        let nestedEnrollments = bundle.trackedEntities.reduce(0) { $0 + ($1.enrollments?.count ?? 0) }
        let nestedEvents = bundle.trackedEntities.reduce(0) { total, entity in
            total + (entity.enrollments ?? []).reduce(0) { $0 + ($1.events?.count ?? 0) }
        }
        #expect(nestedEnrollments == 500)
        #expect(nestedEvents == 971)
        #expect(bundle.count == 500 + 500 + 971)

        let first = try #require(bundle.trackedEntities.first)
        #expect(first.trackedEntity == "PQfMcpmXeFE")
        #expect(first.trackedEntityType == "nEenWmSyUEp")
        #expect(first.attributes?.first { $0.attribute == "w75KJ2mc4zz" }?.value == "John")
        #expect(first.enrollments?.first?.status == .active)

        let flat = try bundle.flattened()
        #expect(flat.trackedEntities.count == 500)
        #expect(flat.enrollments.count == 500)
        #expect(flat.events.count == 971)
        #expect(flat.count == bundle.count)
        #expect(flat.trackedEntities.allSatisfy { $0.enrollments == nil })
        #expect(flat.enrollments.allSatisfy { $0.events == nil && $0.trackedEntity != nil })
        let enrollmentIDs = Set(flat.enrollments.compactMap(\.enrollment))
        #expect(flat.events.allSatisfy { $0.enrollment.map(enrollmentIDs.contains) == true })
        let event = try #require(flat.events.first { $0.event == "RcBUozdEU8o" })
        #expect(event.programStage == "ZzYYXq4fJie")
        #expect(event.status == .completed)
        #expect(event.dataValues?.first?.dataElement == "GQY2lXrypjO")
        #expect(event.dataValues?.first?.value == "5312")

        // What is sent is what was read: encoding and decoding again keeps every object and member.
        let again = try TrackerBundle(json: try bundle.jsonValue())
        #expect(again.count == bundle.count)
        #expect(try again.jsonValue() == (try bundle.jsonValue()))
        #expect(try bundle.jsonValue()["trackedEntities"]?[0] == json["trackedEntities"]?[0])
    }

    @Test("A payload member that is not an array, or an object of the wrong shape, is refused with its location")
    func malformedPayload() {
        #expect(throws: DHIS2Error.self) { try TrackerBundle(json: ["events": "nope"]) }
        do {
            _ = try TrackerBundle(json: ["enrollments": ["JMgRZyeLWOo"]])
            Issue.record("an enrollment that is not an object decoded")
        } catch {
            #expect(error.code == .decoding)
            #expect(error.codingPath == ["enrollments", "0"])
        }
    }

    // MARK: - Registration and client-side UIDs

    @Test("A registration is one flat bundle of a tracked entity, its enrollment and an event, tied by new UIDs")
    func registration() throws {
        let visit = TrackerRegistration(
            trackedEntityType: "nEenWmSyUEp", program: "IpHINAT79UW", programStage: "A03MvHHogjR",
            orgUnit: "DiszpKrYNg8", enrolledAt: "2025-03-06", eventOccurredAt: "2025-03-07",
            attributes: [TrackerAttribute("w75KJ2mc4zz", value: "Anna", valueType: .text)],
            dataValues: [TrackerDataValue("UXz7xuGCEhU", value: "3200")])
        let other = TrackerRegistration(
            trackedEntityType: "nEenWmSyUEp", program: "IpHINAT79UW", programStage: "A03MvHHogjR",
            orgUnit: "DiszpKrYNg8", enrolledAt: "2025-03-06", eventOccurredAt: "2025-03-07")
        #expect(Set([visit.trackedEntity, visit.enrollment, visit.event, other.trackedEntity]).count == 4)

        let json = try visit.bundle.jsonValue()
        let entity = try #require(json["trackedEntities"]?[0])
        let enrollment = try #require(json["enrollments"]?[0])
        let event = try #require(json["events"]?[0])
        #expect(entity["trackedEntity"] == .string(visit.trackedEntity.rawValue))
        #expect(entity["orgUnit"] == "DiszpKrYNg8")
        #expect(entity["attributes"]?[0]?["attribute"] == "w75KJ2mc4zz")
        #expect(entity["attributes"]?[0]?["value"] == "Anna")
        #expect(enrollment["enrollment"] == .string(visit.enrollment.rawValue))
        #expect(enrollment["trackedEntity"] == .string(visit.trackedEntity.rawValue))
        #expect(enrollment["program"] == "IpHINAT79UW")
        #expect(enrollment["status"] == "ACTIVE")
        #expect(enrollment["enrolledAt"] == "2025-03-06")
        #expect(enrollment["occurredAt"] == "2025-03-06")
        #expect(event["event"] == .string(visit.event.rawValue))
        #expect(event["enrollment"] == .string(visit.enrollment.rawValue))
        #expect(event["programStage"] == "A03MvHHogjR")
        #expect(event["occurredAt"] == "2025-03-07")
        #expect(event["status"] == "COMPLETED")
        #expect(event["dataValues"]?[0] == ["dataElement": "UXz7xuGCEhU", "value": "3200"])
        // Nothing server-managed is sent.
        #expect(entity["createdAt"] == nil && event["createdAt"] == nil)
    }

    @Test("assignUIDs gives new objects valid UIDs, nested ones their parents' references, and keeps existing UIDs")
    func assignUIDs() throws {
        var entity = TrackerTrackedEntity()
        entity.trackedEntityType = "nEenWmSyUEp"
        var enrollment = TrackerEnrollment()
        enrollment.status = .active
        enrollment.program = "IpHINAT79UW"
        enrollment.events = [["programStage": "A03MvHHogjR"]]
        entity.enrollments = [enrollment]
        var kept = TrackerEvent()
        kept.event = "RcBUozdEU8o"
        var bundle = TrackerBundle(trackedEntities: [entity], events: [kept, TrackerEvent()])
        bundle.assignUIDs()

        let teID = try #require(bundle.trackedEntities[0].trackedEntity)
        let nested = try #require(bundle.trackedEntities[0].enrollments?[0])
        let enrollmentID = try #require(nested.enrollment)
        #expect(UID.isValid(teID) && UID.isValid(enrollmentID))
        #expect(nested.trackedEntity == teID)
        let nestedEvent = try #require(nested.events?[0])
        #expect(nestedEvent["event"]?.stringValue.map(UID.isValid) == true)
        #expect(nestedEvent["enrollment"] == .string(enrollmentID))
        #expect(bundle.events[0].event == "RcBUozdEU8o")
        #expect(bundle.events[1].event.map(UID.isValid) == true)
    }

    // MARK: - Parameters per version

    @Test("Each list names the enrollment-status filter as the connected version does")
    func statusNamesPerVersion() {
        func names(_ items: [URLQueryItem]) -> [String: String] {
            Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        }
        let v41 = TrackerDialect(.v41)
        let v42 = TrackerDialect(.v42)
        let entities = TrackedEntityQuery(program: "IpHINAT79UW", enrollmentStatus: .completed)
        #expect(names(entities.queryItems(v41))["programStatus"] == "COMPLETED")
        #expect(names(entities.queryItems(v41))["enrollmentStatus"] == nil)
        #expect(names(entities.queryItems(v42))["enrollmentStatus"] == "COMPLETED")
        #expect(names(entities.queryItems(v42))["programStatus"] == nil)

        let enrollments = EnrollmentQuery(program: "IpHINAT79UW", status: .active)
        #expect(names(enrollments.queryItems(v41))["programStatus"] == "ACTIVE")
        #expect(names(enrollments.queryItems(v42))["status"] == "ACTIVE")
        #expect(names(enrollments.queryItems(v42))["programStatus"] == nil)

        var events = EventQuery(program: "IpHINAT79UW")
        events.enrollmentStatus = .active
        #expect(names(events.queryItems(v41))["programStatus"] == "ACTIVE")
        #expect(names(events.queryItems(TrackerDialect(.v44)))["enrollmentStatus"] == "ACTIVE")
    }

    @Test("Query parameters render in DHIS2's syntax: comma lists, singular orgUnit on events, filters, order")
    func queryRendering() {
        var entities = TrackedEntityQuery(
            trackedEntityType: "nEenWmSyUEp", orgUnits: ["DiszpKrYNg8", "ImspTQPwCqd"], orgUnitMode: .descendants,
            filters: [.like("w75KJ2mc4zz", "Ann"), .in("cejWyOfXge6", ["Male", "Female"]), .isNotNull("zDhUuAYrxNC")],
            order: [.desc("createdAt"), .asc("w75KJ2mc4zz")])
        entities.updatedAfter = TrackerDate(CalendarDate(year: 2025, month: 3, day: 6) ?? CalendarDate(Date()))
        let items = entities.queryItems(TrackerDialect(.v42))
        #expect(items.contains(URLQueryItem(name: "trackedEntityType", value: "nEenWmSyUEp")))
        #expect(items.contains(URLQueryItem(name: "orgUnits", value: "DiszpKrYNg8,ImspTQPwCqd")))
        #expect(items.contains(URLQueryItem(name: "orgUnitMode", value: "DESCENDANTS")))
        #expect(items.filter { $0.name == "filter" }.map(\.value) == [
            "w75KJ2mc4zz:like:Ann", "cejWyOfXge6:in:Male;Female", "zDhUuAYrxNC:!null",
        ])
        #expect(items.contains(URLQueryItem(name: "order", value: "createdAt:desc,w75KJ2mc4zz:asc")))
        #expect(items.contains(URLQueryItem(name: "updatedAfter", value: "2025-03-06")))
        // The names removed in 2.42 are never sent.
        #expect(!items.contains { ["ouMode", "orgUnit", "trackedEntity", "skipPaging", "assignedUser"].contains($0.name) })

        let events = EventQuery(program: "IpHINAT79UW", orgUnit: "DiszpKrYNg8", orgUnitMode: .selected)
        #expect(events.queryItems(TrackerDialect(.v41)).contains(URLQueryItem(name: "orgUnit", value: "DiszpKrYNg8")))
        #expect(!events.queryItems(TrackerDialect(.v41)).contains { $0.name == "orgUnits" })

        #expect(RelationshipQuery(.enrollment("JMgRZyeLWOo")).queryItems(TrackerDialect(.v43)) == [
            URLQueryItem(name: "enrollment", value: "JMgRZyeLWOo")
        ])
    }

    @Test("Import options render every parameter DHIS2 takes, async always explicit")
    func importOptions() {
        #expect(TrackerImportOptions.default.queryItems(async: false) == [URLQueryItem(name: "async", value: "false")])
        var options = TrackerImportOptions(
            importMode: .validate, importStrategy: .createAndUpdate, atomicMode: .object, reportMode: .full)
        options.flushMode = .object
        options.validationMode = .failFast
        options.skipRuleEngine = true
        options.idScheme = .code
        options.orgUnitIdScheme = .attribute("FhxH3mDTEhs")
        let items = options.queryItems(async: true)
        #expect(items.first == URLQueryItem(name: "async", value: "true"))
        let rendered = Dictionary(items.map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { first, _ in first })
        #expect(rendered == [
            "async": "true", "importMode": "VALIDATE", "importStrategy": "CREATE_AND_UPDATE", "atomicMode": "OBJECT",
            "reportMode": "FULL", "flushMode": "OBJECT", "validationMode": "FAIL_FAST", "skipRuleEngine": "true",
            "idScheme": "CODE", "orgUnitIdScheme": "ATTRIBUTE:FhxH3mDTEhs",
        ])
        #expect(TrackerImportOptions.dryRun.queryItems(async: false).contains(URLQueryItem(name: "importMode", value: "VALIDATE")))
    }

    /// DHIS2's OpenAPI document of `version` (e.g. `42`), read with the models' fast reader (the documents are large).
    static func openAPIDocument(_ version: String) throws -> JSONValue {
        let url = PlayFixtures.directory.appendingPathComponent("openapi/v\(version).json")
        return try JSONValue(jsonBytes: Array(try Data(contentsOf: url)))
    }

    /// The query parameter names of `method path` in `document`.
    static func openAPIParameters(_ document: JSONValue, _ method: String, _ path: String) throws -> Set<String> {
        let version = document["info"]?["version"]?.stringValue ?? "?"
        let operation = try #require(document["paths"]?[path]?[method], "no \(method) \(path) in v\(version)")
        var names = Set<String>()
        for parameter in operation["parameters"]?.arrayValue ?? [] {
            var resolved = parameter
            if let reference = parameter["$ref"]?.stringValue, let name = reference.split(separator: "/").last {
                resolved = try #require(document["components"]?["parameters"]?[String(name)])
            }
            if let name = resolved["name"]?.stringValue { names.insert(name) }
        }
        return names
    }

    @Test(
        "Every parameter the client sends on 2.42+ is one DHIS2's OpenAPI document declares for that endpoint",
        .enabled(if: PlayFixtures.shouldRun, PlayFixtures.skipReason), arguments: ["42", "43", "44"])
    func parametersAgainstOpenAPI(version: String) throws {
        let dialect = TrackerDialect(try #require(APIVersion(minor: Int(version) ?? 0)))
        let date: TrackerDate = "2025-01-01"
        var entities = TrackedEntityQuery(
            program: "IpHINAT79UW", trackedEntityType: "nEenWmSyUEp", trackedEntities: ["PQfMcpmXeFE"],
            orgUnits: ["DiszpKrYNg8"], orgUnitMode: .descendants, enrollmentStatus: .active,
            filters: [.eq("w75KJ2mc4zz", "Anna")], order: [.asc("createdAt")])
        entities.followUp = true
        entities.updatedAfter = date
        entities.updatedBefore = date
        entities.updatedWithin = "2d"
        entities.enrollmentEnrolledAfter = date
        entities.enrollmentEnrolledBefore = date
        entities.enrollmentOccurredAfter = date
        entities.enrollmentOccurredBefore = date
        entities.programStage = "A03MvHHogjR"
        entities.eventStatus = .active
        entities.eventOccurredAfter = date
        entities.eventOccurredBefore = date
        entities.assignedUserMode = .provided
        entities.assignedUsers = ["xE7jOejl9FI"]
        entities.potentialDuplicate = false
        entities.includeDeleted = true

        var enrollments = EnrollmentQuery(
            program: "IpHINAT79UW", trackedEntity: "PQfMcpmXeFE", enrollments: ["JMgRZyeLWOo"],
            orgUnits: ["DiszpKrYNg8"], orgUnitMode: .selected, status: .active, order: [.desc("enrolledAt")])
        enrollments.followUp = false
        enrollments.updatedAfter = date
        enrollments.updatedWithin = "2d"
        enrollments.enrolledAfter = date
        enrollments.enrolledBefore = date
        enrollments.includeDeleted = true
        // 2.43 dropped trackedEntityType from the enrollment list.
        if version == "42" { enrollments.trackedEntityType = "nEenWmSyUEp" }

        var events = EventQuery(
            program: "IpHINAT79UW", programStage: "A03MvHHogjR", orgUnit: "DiszpKrYNg8", orgUnitMode: .selected,
            trackedEntity: "PQfMcpmXeFE", events: ["RcBUozdEU8o"], enrollments: ["JMgRZyeLWOo"], status: .completed,
            filters: [.gt("UXz7xuGCEhU", "3000")], order: [.asc("occurredAt")])
        events.enrollmentStatus = .active
        events.followUp = true
        events.occurredAfter = date
        events.occurredBefore = date
        events.scheduledAfter = date
        events.scheduledBefore = date
        events.updatedAfter = date
        events.updatedBefore = date
        events.updatedWithin = "2d"
        events.attributeCategoryCombo = "bjDvmb4bfuf"
        events.attributeCategoryOptions = ["xYerKDKCefk"]
        events.assignedUserMode = .provided
        events.assignedUsers = ["xE7jOejl9FI"]
        events.includeDeleted = true

        let relationships = RelationshipQuery(.trackedEntity("PQfMcpmXeFE"), includeDeleted: true, order: [.asc("createdAt")])
        let paging: Set<String> = ["fields", "page", "pageSize", "totalPages"]
        let checks: [(String, [URLQueryItem])] = [
            ("/api/tracker/trackedEntities/", entities.queryItems(dialect)),
            ("/api/tracker/enrollments/", enrollments.queryItems(dialect)),
            ("/api/tracker/events/", events.queryItems(dialect)),
            ("/api/tracker/relationships/", relationships.queryItems(dialect)),
        ]
        let document = try Self.openAPIDocument(version)
        for (path, items) in checks {
            let declared = try Self.openAPIParameters(document, "get", path)
            let sent = Set(items.map(\.name)).union(paging)
            #expect(sent.subtracting(declared).isEmpty, "v\(version) \(path) does not declare \(sent.subtracting(declared).sorted())")
        }

        var options = TrackerImportOptions(
            isAsynchronous: true, importMode: .validate, importStrategy: .create, atomicMode: .object, reportMode: .full)
        options.flushMode = .object
        options.validationMode = .full
        options.skipPatternValidation = true
        options.skipSideEffects = true
        options.skipRuleEngine = true
        options.idScheme = .uid
        options.dataElementIdScheme = .code
        options.orgUnitIdScheme = .code
        options.programIdScheme = .code
        options.programStageIdScheme = .code
        options.categoryOptionComboIdScheme = .code
        options.categoryOptionIdScheme = .code
        let declared = try Self.openAPIParameters(document, "post", "/api/tracker/")
        let sent = Set(options.queryItems(async: true).map(\.name))
        #expect(sent.count == 17)
        #expect(sent.subtracting(declared).isEmpty, "v\(version) POST /api/tracker does not declare \(sent.subtracting(declared).sorted())")
    }

    // MARK: - Over HTTP, against a stub speaking DHIS2's documented answers

    /// Requests the stub received: path and query.
    final class Recorder: Sendable {
        private let requests = Mutex<[(path: String, query: [String: String])]>([])
        func record(_ request: Request) {
            var query: [String: String] = [:]
            for (name, value) in request.uri.queryParameters { query[String(name)] = String(value) }
            requests.withLock { $0.append((request.uri.path, query)) }
        }
        var all: [(path: String, query: [String: String])] { requests.withLock { $0 } }
    }

    static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Tracked entities on 2.41 (reference §9.1): the pager object plus deprecated top-level copies, no links.
    static func page41(_ page: Int, size: Int, of total: Int) -> String {
        let ids = (0..<max(0, min(size, total - (page - 1) * size))).map { index in
            #"{"trackedEntity":"\#(String(format: "TE%09d", (page - 1) * size + index))","trackedEntityType":"nEenWmSyUEp"}"#
        }
        return #"{"pager":{"page":\#(page),"pageSize":\#(size)},"page":\#(page),"pageSize":\#(size),"#
            + #""trackedEntities":[\#(ids.joined(separator: ","))]}"#
    }

    /// Tracked entities on 2.42+ (reference §9.1): `pager` only, `nextPage`/`prevPage` links when such pages exist.
    static func page42(_ page: Int, size: Int, of total: Int, base: String) -> String {
        let count = max(0, min(size, total - (page - 1) * size))
        let ids = (0..<count).map { index in
            #"{"trackedEntity":"\#(String(format: "TE%09d", (page - 1) * size + index))","trackedEntityType":"nEenWmSyUEp"}"#
        }
        var pager = #""page":\#(page),"pageSize":\#(size)"#
        if page > 1 { pager += #","prevPage":"\#(base)/api/tracker/trackedEntities?page=\#(page - 1)&pageSize=\#(size)""# }
        if page * size < total { pager += #","nextPage":"\#(base)/api/tracker/trackedEntities?page=\#(page + 1)&pageSize=\#(size)""# }
        return #"{"pager":{\#(pager)},"trackedEntities":[\#(ids.joined(separator: ","))]}"#
    }

    static func client(_ server: StubServer, _ version: APIVersion, _ body: (DHIS2Client) async throws -> Void)
        async throws
    {
        let configuration = DHIS2Configuration(version: .pinned(version))
        let client = try await DHIS2Client.connect(to: server.baseURL, auth: adminAuth, configuration: configuration)
        do {
            try await body(client)
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test("On 2.41 the pages are read through the pager with its top-level copies, asking past a full last page")
    func pagesOn241() async throws {
        let recorder = Recorder()
        try await StubServer.with({ router in
            router.get("/api/tracker/trackedEntities") { request, _ -> Response in
                recorder.record(request)
                let page = Int(request.uri.queryParameters["page"].map(String.init) ?? "1") ?? 1
                return Self.json(Self.page41(page, size: 2, of: 4))
            }
        }) { server in
            try await Self.client(server, .v41) { client in
                let query = TrackedEntityQuery(program: "IpHINAT79UW", enrollmentStatus: .active)
                let sequence = client.tracker.pages(query, pageSize: 2)
                #expect(recorder.all.isEmpty)
                var seen: [String] = []
                var pages = 0
                for try await page in sequence {
                    pages += 1
                    #expect(recorder.all.count == pages)
                    #expect(page.pager?.page == pages)
                    #expect(page.pager?.pageSize == 2)
                    seen += page.items.compactMap(\.trackedEntity)
                }
                // Pages 1 and 2 are full; 2.41 sends no links, so page 3 is read and found empty.
                #expect(pages == 3)
                #expect(seen == ["TE000000000", "TE000000001", "TE000000002", "TE000000003"])
                let first = try #require(recorder.all.first)
                #expect(first.query["program"] == "IpHINAT79UW")
                #expect(first.query["programStatus"] == "ACTIVE")
                #expect(first.query["pageSize"] == "2")
                #expect(first.query["page"] == "1")
            }
        }
    }

    @Test("On 2.42+ the pages follow the pager's nextPage link and stop when there is none")
    func pagesOn242() async throws {
        let recorder = Recorder()
        try await StubServer.with({ router in
            router.get("/api/tracker/trackedEntities") { request, _ -> Response in
                recorder.record(request)
                let page = Int(request.uri.queryParameters["page"].map(String.init) ?? "1") ?? 1
                return Self.json(Self.page42(page, size: 2, of: 4, base: "http://localhost:8080"))
            }
        }) { server in
            try await Self.client(server, .v42) { client in
                let query = TrackedEntityQuery(program: "IpHINAT79UW", enrollmentStatus: .active)
                var seen: [String] = []
                for try await page in client.tracker.pages(query, pageSize: 2) {
                    seen += page.items.compactMap(\.trackedEntity)
                    #expect(page.hasNextPage == (page.pager?.page == 1))
                }
                #expect(seen.count == 4)
                #expect(recorder.all.count == 2)
                #expect(recorder.all.first?.query["enrollmentStatus"] == "ACTIVE")
                #expect(recorder.all.first?.query["programStatus"] == nil)

                let second = try await client.tracker.list(query, page: 2, pageSize: 2)
                #expect(second.pager?.prevPage?.hasSuffix("page=1&pageSize=2") == true)
                #expect(second.pager?.nextPage == nil)
                #expect(second.pager?.total == nil)
            }
        }
    }

    /// DHIS2's synchronous answers (reference §9.2): a bare report, 409 when its status is ERROR.
    static let okReport = #"""
        {"status":"OK","validationReport":{"errorReports":[],"warningReports":[]},
         "stats":{"created":1,"updated":0,"deleted":0,"ignored":0,"total":1},
         "bundleReport":{"typeReportMap":{"TRACKED_ENTITY":{"trackerType":"TRACKED_ENTITY",
           "stats":{"created":1,"updated":0,"deleted":0,"ignored":0,"total":1},
           "objectReports":[{"trackerType":"TRACKED_ENTITY","uid":"PQfMcpmXeFE","errorReports":[]}]}}}}
        """#
    static let errorReport = #"""
        {"status":"ERROR","validationReport":{"errorReports":[{"message":"Could not find TrackedEntityType: `Q9GufDoplCL`.",
          "errorCode":"E1005","trackerType":"TRACKED_ENTITY","uid":"Kj6vYde4LHh","args":["Q9GufDoplCL"]}],"warningReports":[]},
         "stats":{"created":0,"updated":0,"deleted":0,"ignored":1,"total":1}}
        """#

    @Test("A synchronous import returns the report: 200 when it went through, 409 with errors read, not thrown")
    func synchronousImport() async throws {
        let recorder = Recorder()
        try await StubServer.with({ router in
            router.post("/api/tracker") { request, _ -> Response in
                recorder.record(request)
                let body = try await request.body.collect(upTo: 1 << 20)
                let payload = try JSONValue(parsing: body.readableBytesView)
                let type = payload["trackedEntities"]?[0]?["trackedEntityType"]?.stringValue
                return type == "Q9GufDoplCL"
                    ? Self.json(Self.errorReport, status: .conflict) : Self.json(Self.okReport)
            }
        }) { server in
            try await Self.client(server, .v42) { client in
                var entity = TrackerTrackedEntity()
                entity.trackedEntity = "PQfMcpmXeFE"
                entity.trackedEntityType = "nEenWmSyUEp"
                entity.orgUnit = "DiszpKrYNg8"
                let report = try await client.tracker.import(TrackerBundle(trackedEntities: [entity]))
                #expect(report.status == .ok)
                #expect(report.stats?.created == 1)
                #expect(report.bundleReport?[.trackedEntity]?.objectReports.first?.uid == "PQfMcpmXeFE")
                #expect(recorder.all.last?.query["async"] == "false")

                entity.trackedEntityType = "Q9GufDoplCL"
                let rejected = try await client.tracker.import(
                    TrackerBundle(trackedEntities: [entity]), options: .dryRun)
                #expect(rejected.status == .error)
                #expect(rejected.validationReport?.errorReports.first?.errorCode == "E1005")
                #expect(rejected.validationReport?.errorReports.first?.uid == "Kj6vYde4LHh")
                #expect(rejected.stats?.ignored == 1)
                #expect(rejected.bundleReport == nil)
                #expect(recorder.all.last?.query["importMode"] == "VALIDATE")
            }
        }
    }

    @Test("A synchronous import DHIS2 cannot read throws with the server's message")
    func unreadablePayload() async throws {
        try await StubServer.with({ router in
            router.post("/api/tracker") { _, _ -> Response in
                Self.json(
                    #"{"httpStatus":"Bad Request","httpStatusCode":400,"status":"ERROR","message":"Invalid payload"}"#,
                    status: .badRequest)
            }
        }) { server in
            try await Self.client(server, .v42) { client in
                let error = await expectDHIS2Error { _ = try await client.tracker.import(TrackerBundle()) }
                #expect(error?.code == .api)
                #expect(error?.status == 400)
                #expect(error?.webMessage?.message == "Invalid payload")
            }
        }
    }

    @Test("An asynchronous import polls the tracker job until its last row, then returns the job's report")
    func asynchronousImport() async throws {
        let recorder = Recorder()
        let polls = Mutex(0)
        try await StubServer.with({ router in
            router.post("/api/tracker") { request, _ -> Response in
                recorder.record(request)
                return Self.json(#"""
                    {"httpStatus":"OK","httpStatusCode":200,"status":"OK","message":"Tracker job added",
                     "response":{"responseType":"TrackerJob","id":"cHh2OCTJvRw",
                                 "location":"http://localhost:8080/api/tracker/jobs/cHh2OCTJvRw"}}
                    """#)
            }
            router.get("/api/tracker/jobs/cHh2OCTJvRw") { request, _ -> Response in
                recorder.record(request)
                let poll = polls.withLock { count in
                    count += 1
                    return count
                }
                let running = #"{"uid":"r1","level":"INFO","category":"TRACKER_IMPORT_JOB","time":"2026-11-26T10:00:00.000","message":"(TRACKER_IMPORT_JOB) Import:Start","completed":false,"id":"r1"}"#
                let done = #"{"uid":"r2","level":"INFO","category":"TRACKER_IMPORT_JOB","time":"2026-11-26T10:00:01.000","message":"(TRACKER_IMPORT_JOB) Import:Done","completed":true,"id":"r2"}"#
                return Self.json(poll == 1 ? "[\(running)]" : "[\(done),\(running)]")
            }
            router.get("/api/tracker/jobs/cHh2OCTJvRw/report") { request, _ -> Response in
                recorder.record(request)
                return Self.json(Self.okReport)
            }
        }) { server in
            try await Self.client(server, .v42) { client in
                let options = TrackerImportOptions(isAsynchronous: true, pollInterval: .milliseconds(10))
                let report = try await client.tracker.import(TrackerBundle(), options: options)
                #expect(report.status == .ok)
                #expect(report.stats?.created == 1)
                let paths = recorder.all.map(\.path)
                #expect(paths.first == "/api/tracker")
                #expect(recorder.all.first?.query["async"] == "true")
                #expect(paths.filter { $0 == "/api/tracker/jobs/cHh2OCTJvRw" }.count == 2)
                #expect(paths.last == "/api/tracker/jobs/cHh2OCTJvRw/report")
            }
        }
    }
}
