import DHIS2
import DHIS2Emulator
import Foundation

/// What the aggregate-data steps of `dhis2 demo` share: the facilities reported for and the months they report.
struct DemoReporting {
    /// One facility the demo reports for, with the region (level 2) it lies in.
    struct Facility {
        let id: UID
        let name: String
        let regionName: String
    }

    /// Two facilities per region, regions in the demo data set's order.
    let facilities: [Facility]
    /// The month pushed synchronously (with the deliberate mistake).
    let january: Period
    /// The month imported as a background job.
    let february: Period

    /// ANC 1st visits per facility (same order as ``facilities``), fixed so every run prints the same numbers.
    static let januaryVisits = [34, 27, 41, 19, 52, 38, 23, 30]
    static let februaryVisits = [31, 29, 45, 22, 48, 40, 26, 33]
    /// Where in the January payload the malformed value goes.
    static let wrongValueIndex = 3
    /// The malformed value: text for an `INTEGER_ZERO_OR_POSITIVE` data element.
    static let wrongValue = "twelve"
}

/// The aggregate-data, jobs, analytics, data-integrity and tracker steps of `dhis2 demo`.
extension DemoTour {
    /// Reads the regions and picks two facilities of the monthly data set in each.
    func reportingFacilities(_ client: DHIS2Client) async throws -> DemoReporting {
        let regions = try await client.metadata.organisationUnits.list(
            fields: [Field("id"), Field("name")], filters: [.eq("level", 2)], pageSize: 50
        ).items
        let orderedRegions = regions.sorted { regionRank($0.name) < regionRank($1.name) }
        let dataSet = try await client.metadata.dataSets.get(
            DemoData.monthlyDataSetID, fields: "organisationUnits[id,name,path]")
        let assigned = dataSet.organisationUnits ?? []
        var facilities: [DemoReporting.Facility] = []
        for region in orderedRegions {
            guard let regionID = region.id else { continue }
            let inRegion = assigned.filter { $0.path?.contains("/\(regionID)/") == true }
                .sorted { ($0.name ?? "") < ($1.name ?? "") }
            for unit in inRegion.prefix(2) {
                guard let id = unit.id.flatMap(UID.init(rawValue:)) else { continue }
                facilities.append(.init(id: id, name: unit.name ?? id.rawValue, regionName: region.name ?? regionID))
            }
        }
        guard facilities.count == DemoReporting.januaryVisits.count else {
            throw CommandLineError(
                "The demo needs two facilities of the monthly data set in each of four regions; found "
                    + "\(facilities.count).")
        }
        return DemoReporting(
            facilities: facilities, january: try period("202401"), february: try period("202402"))
    }

    /// Step: one month of ANC 1st visits for eight facilities, with one malformed value, and the 409 it earns.
    func pushDataValuesTour(_ client: DHIS2Client, _ reporting: DemoReporting) async throws {
        var values = zip(reporting.facilities, DemoReporting.januaryVisits).map { facility, visits in
            dataValue(DemoData.ancFirstVisitID, facility.id, reporting.january, String(visits))
        }
        let wrongFacility = reporting.facilities[0]
        values.insert(
            dataValue(DemoData.malariaCasesConfirmedID, wrongFacility.id, reporting.january, DemoReporting.wrongValue),
            at: DemoReporting.wrongValueIndex)
        var set = DataValueSet()
        set.dataSet = DemoData.monthlyDataSetID.rawValue
        set.dataValues = values
        detail(
            "\(values.count) values for \(reporting.january): ANC 1st visit at \(reporting.facilities.count) "
                + "facilities in \(Set(reporting.facilities.map(\.regionName)).count) regions, and at index "
                + "\(DemoReporting.wrongValueIndex) Malaria cases confirmed = \"\(DemoReporting.wrongValue)\" "
                + "(not a number)")
        let result = try await client.dataValues.import(set)
        let counts = result.summary.importCount
        detail(
            "HTTP \(result.requests.first?.webMessage?.httpStatusCode ?? 0), "
                + "status \(result.summary.status.rawValue): \(describe(counts)); outcome: \(result.outcome)")
        for conflict in result.outcome.conflicts {
            detail(
                "conflict \(conflict.errorCode ?? "(no code)") at input index "
                    + "\(conflict.indexes.map(String.init).joined(separator: ", ")): "
                    + "\(conflict.message ?? conflict.value ?? "no message")")
        }
        guard result.outcome.conflicts.contains(where: { $0.indexes == [DemoReporting.wrongValueIndex] }) else {
            throw CommandLineError("The server did not report the malformed value as a conflict: \(result.outcome)")
        }
    }

    /// Step: the month read back as a stream of typed values.
    func exportDataValuesTour(_ client: DHIS2Client, _ reporting: DemoReporting) async throws {
        let query = DataValueQuery(
            dataSets: [DemoData.monthlyDataSetID], periods: [reporting.january], orgUnits: [DemoData.countryID],
            children: true)
        detail("client.dataValues.export(DataValueQuery(dataSets: [monthly], periods: [\(reporting.january)], "
            + "orgUnits: [\(DemoData.countryName)], children: true))")
        var exported: [DataValue] = []
        for try await value in client.dataValues.export(query) { exported.append(value) }
        detail("\(exported.count) values came back (the malformed one was never stored), for example:")
        let names = Dictionary(
            reporting.facilities.map { ($0.id.rawValue, $0.name) }, uniquingKeysWith: { first, _ in first })
        func name(_ value: DataValue) -> String { names[value.orgUnit ?? ""] ?? value.orgUnit ?? "?" }
        for value in exported.sorted(by: { name($0) < name($1) }).prefix(2) {
            detail(
                "  \(value.period ?? "?")  \(name(value))  \(dataElementName(value.dataElement)) = "
                    + "\(value.value ?? "?")  (stored by \(value.storedBy ?? "?"))")
        }
    }

    /// Step: the next month imported with `async=true`, its job's progress rows printed as they arrive.
    func asyncImportTour(_ client: DHIS2Client, _ reporting: DemoReporting) async throws {
        var set = DataValueSet()
        set.dataSet = DemoData.monthlyDataSetID.rawValue
        set.dataValues = zip(reporting.facilities, DemoReporting.februaryVisits).map { facility, visits in
            dataValue(DemoData.ancFirstVisitID, facility.id, reporting.february, String(visits))
        }
        let kickOff = try await client.webMessage(
            .post, "/api/dataValueSets", query: [URLQueryItem(name: "async", value: "true")], body: try set.jsonValue())
        guard let job = kickOff.jobReference else {
            throw CommandLineError(
                "The asynchronous import did not start a job (HTTP \(kickOff.httpStatusCode ?? 0)).")
        }
        detail("\(set.dataValues?.count ?? 0) values for \(reporting.february) sent with async=true: "
            + "HTTP \(kickOff.httpStatusCode ?? 0), job \(job.jobType?.rawValue ?? "?") \(job.id)")
        try await watch(client, job)
        guard let json = try await client.jobs.summary(for: job) else {
            throw CommandLineError("The import job \(job.id) left no import summary.")
        }
        let summary = try json.decode(ImportSummary.self)
        detail(
            "job summary (client.jobs.summary): status \(summary.status.rawValue), \(describe(summary.importCount)), "
                + "\(summary.conflicts.count) conflicts")
    }

    /// Step: the analytics tables rebuilt, the job watched to its end.
    func analyticsTablesTour(_ client: DHIS2Client) async throws {
        let job = try await client.maintenance.analyticsTables(lastYears: 3)
        detail("client.maintenance.analyticsTables(lastYears: 3): job \(job.jobType?.rawValue ?? "?") \(job.id)")
        try await watch(client, job)
    }

    /// Step: ANC 1st visits by region and month, as a grid.
    func analyticsGridTour(_ client: DHIS2Client, _ reporting: DemoReporting) async throws {
        let months = [reporting.january, reporting.february]
        let query = AnalyticsQuery(
            dimensions: [
                .data([.dataElement(DemoData.ancFirstVisitID)]), .orgUnit([.level(2)]), .periods(months),
            ])
        detail("dx: ANC 1st visit, ou: LEVEL-2, pe: \(months.map(\.isoString).joined(separator: ";"))")
        let grid = try await client.analytics.query(query)
        var cells: [String: [String: String]] = [:]
        for row in grid.rows {
            guard let ou = row.string("ou"), let pe = row.string("pe") else { continue }
            cells[ou, default: [:]][pe] = row.string("value") ?? "-"
        }
        let orgUnits = grid.metaData?.orgUnits ?? Array(cells.keys).sorted()
        let names = orgUnits.map { ($0, grid.metaData?.name(of: $0) ?? $0) }
            .sorted { regionRank($0.1) < regionRank($1.1) }
        let width = max(16, (names.map(\.1.count).max() ?? 0) + 2)
        func padded(_ text: String, _ count: Int) -> String {
            text.count >= count ? text : text + String(repeating: " ", count: count - text.count)
        }
        detail("\(grid.rowCount) rows; headers \(grid.headerNames.joined(separator: ", "))")
        detail("  " + padded("", width) + months.map { padded($0.isoString, 8) }.joined().trimmingTrailingSpaces)
        for (id, name) in names {
            let row = months.map { padded(cells[id]?[$0.isoString] ?? "-", 8) }.joined()
            detail(("  " + padded(name, width) + row).trimmingTrailingSpaces)
        }
    }

    /// Step: a details run of the data integrity checks, its issues streamed as they are read.
    func dataIntegrityTour(_ client: DHIS2Client) async throws {
        detail("client.dataIntegrity.issues(): runs every check, then yields each issue with its check")
        var shown = 0
        var total = 0
        for try await found in client.dataIntegrity.issues(pollInterval: .milliseconds(50)) {
            total += 1
            guard shown < 4 else { continue }
            shown += 1
            detail(
                "  [\(found.severity.rawValue)] \(found.checkName): \(found.issuesIdType ?? "object") "
                    + "\(found.issue.id ?? "?") \(found.issue.name.map { "\"\($0)\"" } ?? "")")
        }
        detail(total > shown ? "… \(total) issues in all" : "\(total) issues in all")
    }

    /// Step: a child registered, enrolled in the Child Programme and seen at birth, in one bundle.
    func trackerRegistrationTour(_ client: DHIS2Client) async throws -> TrackerRegistration {
        let program = try await client.metadata.programs.get(
            DemoData.childProgramID, fields: "name,organisationUnits[id,name]")
        guard let unit = (program.organisationUnits ?? []).sorted(by: { ($0.name ?? "") < ($1.name ?? "") }).first,
            let orgUnit = unit.id.flatMap(UID.init(rawValue:))
        else {
            throw CommandLineError("The Child Programme is not assigned to any org unit.")
        }
        let visit = TrackerRegistration(
            trackedEntityType: DemoData.personTypeID, program: DemoData.childProgramID,
            programStage: Self.birthStageID, orgUnit: orgUnit, enrolledAt: "2024-03-06",
            eventOccurredAt: "2024-03-06",
            attributes: [
                TrackerAttribute(Self.firstNameID, value: "Amina", valueType: .text),
                TrackerAttribute(Self.lastNameID, value: "Bangura", valueType: .text),
            ],
            dataValues: [TrackerDataValue(Self.infantWeightID, value: "3150")])
        detail(
            "TrackerRegistration: Person \"Amina Bangura\" at \(unit.name ?? orgUnit.rawValue), enrolled in "
                + "\(program.name ?? "the Child Programme") on 2024-03-06, Birth event with Infant weight 3150 g")
        detail("UIDs made on the client: tracked entity \(visit.trackedEntity), enrollment \(visit.enrollment), "
            + "event \(visit.event)")
        let report = try await client.tracker.import(visit.bundle)
        detail(
            "POST /api/tracker: status \(report.status.rawValue), created \(report.stats?.created ?? 0), "
                + "updated \(report.stats?.updated ?? 0), ignored \(report.stats?.ignored ?? 0)")
        guard report.outcome.didSucceed else {
            throw CommandLineError(
                "The tracker import failed: \(report.outcome)" + (report.conflicts.first.map { " — \($0)" } ?? ""))
        }
        return visit
    }

    /// Step: the registration read back through the tracker lists.
    func trackerListTour(_ client: DHIS2Client, _ visit: TrackerRegistration) async throws {
        let entities = try await client.tracker.list(
            TrackedEntityQuery(program: visit.program, orgUnits: [visit.orgUnit]))
        for entity in entities.items {
            let attributes = (entity.attributes ?? []).compactMap(\.value).joined(separator: " ")
            detail("tracked entity \(entity.trackedEntity ?? "?"): \(attributes)")
        }
        let enrollments = try await client.tracker.list(
            EnrollmentQuery(program: visit.program, trackedEntity: visit.trackedEntity))
        for enrollment in enrollments.items {
            detail(
                "enrollment \(enrollment.enrollment ?? "?"): \(enrollment.status?.rawValue ?? "?"), "
                    + "enrolled \(enrollment.enrolledAt.map { String($0.prefix(10)) } ?? "?")")
        }
        let events = try await client.tracker.list(
            EventQuery(program: visit.program, orgUnit: visit.orgUnit, enrollments: [visit.enrollment]))
        for event in events.items {
            let values = (event.dataValues ?? []).map { "\(dataElementName($0.dataElement)) = \($0.value ?? "?")" }
            detail(
                "event \(event.event ?? "?"): stage \(stageName(event.programStage)), "
                    + "\(event.status?.rawValue ?? "?"), occurred \(event.occurredAt.map { String($0.prefix(10)) } ?? "?"); "
                    + values.joined(separator: ", "))
        }
        let pager = entities.pager
        detail("pager of the tracked entity list: page \(pager?.page ?? 0), page size \(pager?.pageSize ?? 0)")
    }

    // MARK: Helpers

    /// The Child Programme's "Birth" stage and the attributes and data element it uses (demo data set UIDs).
    static let birthStageID: UID = "A03MvHHogjR"
    static let firstNameID: UID = "w75KJ2mc4zz"
    static let lastNameID: UID = "zDhUuAYrxNC"
    static let infantWeightID: UID = "UXz7xuGCEhU"

    /// Prints a job's progress rows as the notification sequence yields them, then how it ended.
    private func watch(_ client: DHIS2Client, _ job: JobReference) async throws {
        var last: TaskNotification?
        for try await row in client.jobs.notifications(for: job, pollInterval: .milliseconds(50)) {
            detail("  progress: [\(row.level.rawValue)] \(row.message ?? "")\(row.isCompleted ? " (completed)" : "")")
            last = row
        }
        if last?.isFailure == true {
            throw CommandLineError("The job \(job.id) failed: \(last?.message ?? "no message")")
        }
    }

    private func dataValue(_ dataElement: UID, _ orgUnit: UID, _ period: Period, _ value: String) -> DataValue {
        var dataValue = DataValue()
        dataValue.dataElement = dataElement.rawValue
        dataValue.period = period.isoString
        dataValue.orgUnit = orgUnit.rawValue
        dataValue.categoryOptionCombo = DemoData.defaultCategoryOptionComboID.rawValue
        dataValue.attributeOptionCombo = DemoData.defaultCategoryOptionComboID.rawValue
        dataValue.value = value
        return dataValue
    }

    /// The demo's regions in the demo data set's order, then any others by name.
    private func regionRank(_ name: String?) -> (Int, String) {
        (DemoData.regionNames.firstIndex(of: name ?? "") ?? Int.max, name ?? "")
    }

    private func stageName(_ id: String?) -> String {
        id == Self.birthStageID.rawValue ? "Birth" : id ?? "?"
    }

    private func describe(_ counts: ImportCount?) -> String {
        "imported \(counts?.imported ?? 0), updated \(counts?.updated ?? 0), ignored \(counts?.ignored ?? 0)"
    }

    /// A demo data element's name, or the identifier as given.
    private func dataElementName(_ id: String?) -> String {
        DemoData.dataElements.first { $0.id.rawValue == id }?.name ?? id ?? "?"
    }

    private func period(_ iso: String) throws -> Period {
        guard let period = Period(iso) else { throw CommandLineError("\"\(iso)\" is not a DHIS2 period.") }
        return period
    }
}

extension String {
    /// The text without the spaces at its end (the demo's grid pads its columns).
    fileprivate var trimmingTrailingSpaces: String {
        String(self[..<(lastIndex(where: { $0 != " " }).map { index(after: $0) } ?? startIndex)])
    }
}
