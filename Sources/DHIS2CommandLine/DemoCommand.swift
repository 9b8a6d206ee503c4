import ArgumentParser
import DHIS2
import DHIS2Emulator
import Foundation
import Logging

/// `dhis2 demo`: a guided tour of the library against an emulator started in-process.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract:
            "Start a local emulator and walk through the library: CRUD, metadata, tokens, data values, jobs, "
            + "analytics, data integrity, tracker.",
        discussion: """
            Nothing leaves the machine: the emulator listens on a free loopback port, keeps its data in memory and \
            stops when the tour ends.
            """)

    @OptionGroup var version: EmulatedVersionOption

    func run() async throws {
        let terminal = Terminal.current
        terminal.print("Starting a DHIS2 \(version.dhis2Version) emulator in-process (in-memory data)…")
        // The tour's own lines are the output; the emulator's request log would drown them.
        let quiet = Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() })
        let configuration = EmulatorConfiguration(host: "127.0.0.1", port: 0, version: version.dhis2Version, logger: quiet)
        try await withEmulator(configuration) { emulator in
            terminal.print("Emulator listening on \(emulator.baseURL)")
            try await DemoTour(terminal: terminal, baseURL: emulator.baseURL).run()
        }
        terminal.print("")
        terminal.print("Demo complete: the emulator is stopped. Next: `dhis2 emulator serve` to keep one running.")
    }
}

/// The steps of `dhis2 demo`, each printed as it runs.
struct DemoTour {
    let terminal: Terminal
    let baseURL: String

    static let stepCount = 20
    static let dataElementName = "swift-dhis2 demo: children weighed"
    static let updatedDataElementName = "swift-dhis2 demo: children weighed (revised)"

    func run() async throws {
        let adminAuth = BasicAuth(username: DemoData.adminUsername, password: DemoData.adminPassword)
        let configuration = DHIS2Configuration(userAgent: DHIS2Command.userAgent)
        try await DHIS2Client.withConnection(to: baseURL, auth: adminAuth, configuration: configuration) { client in
            step(1, "Connect")
            detail("DHIS2Client.connect(to: \"\(baseURL)\", auth: BasicAuth(username: \"\(DemoData.adminUsername)\", …))")
            detail("server version \(client.serverVersion?.rawValue ?? "unknown"), API generation \(client.apiVersion)")

            step(2, "Who am I")
            let me = try await client.system.me()
            detail(
                "signed in as \(me.username ?? "?") (\(me.displayName ?? me.name ?? "no name")), "
                    + (me.hasAuthority("ALL") ? "superuser" : "\(me.authorities.count) authorities"))

            step(3, "Create a data element (POST /api/dataElements)")
            let categoryCombo = try await client.system.defaultCategoryComboID()
            let created = try await client.webMessage(
                .post, "/api/dataElements", body: dataElement(name: Self.dataElementName, categoryCombo: categoryCombo))
            guard let id = created.createdUID else {
                throw CommandLineError(
                    "The server did not create the data element: \(created.outcome?.description ?? "no outcome")"
                        + (created.conflicts.first.map { " — \($0)" } ?? ""))
            }
            detail("created \(id), HTTP \(created.httpStatusCode ?? 0), outcome: \(describe(created.outcome))")

            step(4, "Read it back (GET /api/dataElements/\(id))")
            let read = try await client.get(
                "/api/dataElements/\(id)", query: [URLQueryItem(name: "fields", value: "id,name,shortName,valueType")])
            detail(
                "name \"\(read["name"]?.stringValue ?? "?")\", short name \"\(read["shortName"]?.stringValue ?? "?")\", "
                    + "value type \(read["valueType"]?.stringValue ?? "?")")

            step(5, "Update it (PUT /api/dataElements/\(id))")
            let updated = try await client.webMessage(
                .put, "/api/dataElements/\(id)",
                body: dataElement(name: Self.updatedDataElementName, categoryCombo: categoryCombo))
            try require(updated, "update the data element")
            let reread = try await client.get(
                "/api/dataElements/\(id)", query: [URLQueryItem(name: "fields", value: "name")])
            detail("HTTP \(updated.httpStatusCode ?? 0), status \(updated.status?.rawValue ?? "?"); "
                + "name is now \"\(reread["name"]?.stringValue ?? "?")\"")

            step(6, "Patch it with typed JSON Patch (client.metadata.dataElements.patch)")
            let elements = client.metadata.dataElements
            let patched = try await elements.patch(id, [.replace("/shortName", "Children weighed (patched)")])
            try require(patched, "patch the data element")
            let afterPatch = try await elements.get(id, fields: [Field("name"), Field("shortName")])
            detail("[.replace(\"/shortName\", …)]: HTTP \(patched.httpStatusCode ?? 0), status \(patched.status?.rawValue ?? "?"); "
                + "short name is now \"\(afterPatch.shortName ?? "?")\"")

            step(7, "List data elements with a filter (name:like:swift-dhis2 demo)")
            let page = try await client.get(
                "/api/dataElements",
                query: [
                    URLQueryItem(name: "filter", value: "name:like:swift-dhis2 demo"),
                    URLQueryItem(name: "fields", value: "id,name"),
                    URLQueryItem(name: "pageSize", value: "5"),
                ])
            let listed = page["dataElements"]?.arrayValue ?? []
            detail("pager total \(page["pager"]?["total"]?.intValue.map(String.init) ?? "?"), this page:")
            for element in listed {
                detail("  \(element["id"]?.stringValue ?? "?")  \(element["name"]?.stringValue ?? "?")")
            }

            step(8, "Delete it (DELETE /api/dataElements/\(id))")
            let deleted = try await client.webMessage(.delete, "/api/dataElements/\(id)")
            try require(deleted, "delete the data element")
            do {
                _ = try await client.get("/api/dataElements/\(id)")
                throw CommandLineError("The data element \(id) can still be read after it was deleted.")
            } catch let error as DHIS2Error where error.status == 404 {
                detail("HTTP \(deleted.httpStatusCode ?? 0), status \(deleted.status?.rawValue ?? "?"); "
                    + "reading it again answers 404 (\(error.webMessage?.errorCode ?? "no error code"))")
            }

            step(9, "Page through level-3 org units by name, 5 per page (client.metadata.organisationUnits.pages)")
            try await pagingTour(client)

            step(10, "Dry-run a metadata import (POST /api/metadata?importMode=VALIDATE)")
            try await dryRunTour(client, categoryCombo: categoryCombo)

            step(11, "Mint a personal access token (POST /api/apiToken) and connect with it")
            try await tokenTour(client)

            step(12, "Generate UIDs")
            let local = UID.generate(count: 3).map(\.rawValue)
            detail("locally with UID.generate(count: 3): \(local.joined(separator: " "))")
            let codes = try await client.get("/api/system/id", query: [URLQueryItem(name: "limit", value: "3")])
            let server = codes["codes"]?.arrayValue?.compactMap(\.stringValue) ?? []
            detail("from the server (GET /api/system/id?limit=3): \(server.joined(separator: " "))")

            let reporting = try await reportingFacilities(client)
            step(13, "Push a month of data values, one of them wrong (client.dataValues.import)")
            try await pushDataValuesTour(client, reporting)

            step(14, "Export them back as a stream (client.dataValues.export)")
            try await exportDataValuesTour(client, reporting)

            step(15, "Import the next month as a background job and watch it (client.jobs.notifications)")
            try await asyncImportTour(client, reporting)

            step(16, "Refresh the analytics tables (client.maintenance.analyticsTables)")
            try await analyticsTablesTour(client)

            step(17, "Query analytics: ANC 1st visits by region and month (client.analytics.query)")
            try await analyticsGridTour(client, reporting)

            step(18, "Stream data integrity issues (client.dataIntegrity.issues)")
            try await dataIntegrityTour(client)

            step(19, "Register a child, enroll them and record a birth visit in one bundle (client.tracker.import)")
            let visit = try await trackerRegistrationTour(client)

            step(20, "List them back (client.tracker.list)")
            try await trackerListTour(client, visit)
        }
    }

    /// Step 9: the first two pages of a filtered, ordered listing, each fetched only when the loop reaches it.
    private func pagingTour(_ client: DHIS2Client) async throws {
        let pages = try client.metadata.organisationUnits.pages(
            fields: [Field("id"), Field("name")], filters: [.eq("level", 3)], order: [.asc("name")], pageSize: 5)
        detail("filters: [.eq(\"level\", 3)], order: [.asc(\"name\")], pageSize: 5")
        var shown = 0
        for try await page in pages {
            let pager = page.pager
            detail(
                "page \(pager?.page ?? shown + 1) of \(pager?.pageCount ?? 0) (\(pager?.total ?? 0) org units): "
                    + page.items.map { $0.name ?? "?" }.joined(separator: ", "))
            shown += 1
            if shown == 2 { break }
        }
    }

    /// Step 10: a bundle of a data element and a group validated by the server, and nothing stored.
    private func dryRunTour(_ client: DHIS2Client, categoryCombo: UID) async throws {
        var element = DataElement()
        let elementID = UID.generate()
        element.id = elementID.rawValue
        element.name = "swift-dhis2 demo: dry-run element"
        element.shortName = "Dry-run element"
        element.domainType = "AGGREGATE"
        element.valueType = "NUMBER"
        element.aggregationType = "SUM"
        var combo = CategoryCombo()
        combo.id = categoryCombo.rawValue
        element.categoryCombo = combo
        var reference = DataElement()
        reference.id = elementID.rawValue
        var group = DataElementGroup()
        group.id = UID.generate().rawValue
        group.name = "swift-dhis2 demo: dry-run group"
        group.shortName = "Dry-run group"
        group.dataElements = [reference]
        var bundle = MetadataBundle()
        try bundle.append([element])
        try bundle.append([group])
        let result = try await client.metadata.import(bundle, options: .dryRun)
        let stats = result.report.stats
        detail(
            "report status \(result.report.status.rawValue), stats: created \(stats?.created ?? 0), "
                + "updated \(stats?.updated ?? 0), ignored \(stats?.ignored ?? 0), total \(stats?.total ?? 0); "
                + "outcome: \(result.outcome)")
        let stored = try await client.metadata.dataElements.lookup([elementID])
        detail("validated only: \(stored.isEmpty ? "nothing was stored" : "\(stored.count) object(s) stored")")
    }

    /// Step 11: mints a token, connects with it, and revokes it. The token itself is never printed.
    private func tokenTour(_ client: DHIS2Client) async throws {
        let oneHourFromNow = (Date().timeIntervalSince1970 + 3600) * 1000
        let minted = try await client.webMessage(
            .post, "/api/apiToken", body: ["expire": .number(oneHourFromNow.rounded()), "attributes": []])
        guard let token = minted.response?["key"]?.stringValue, let tokenID = minted.createdUID else {
            throw CommandLineError(
                "The server did not return a personal access token (HTTP \(minted.httpStatusCode ?? 0)).")
        }
        detail("token \(tokenID) created, valid for one hour (its value is a secret and is not shown)")
        let tokenAuth = PersonalAccessTokenAuth(token: token)
        let configuration = DHIS2Configuration(userAgent: DHIS2Command.userAgent)
        let user = try await DHIS2Client.withConnection(to: baseURL, auth: tokenAuth, configuration: configuration) {
            tokenClient in
            try await tokenClient.system.me().username
        }
        detail("connected again with PersonalAccessTokenAuth: it worked, signed in as \(user ?? "?")")
        let revoked = try await client.webMessage(.delete, "/api/apiToken/\(tokenID)")
        try require(revoked, "revoke the token")
        detail("token revoked (DELETE /api/apiToken/\(tokenID))")
    }

    private func dataElement(name: String, categoryCombo: UID) -> JSONValue {
        [
            "name": .string(name),
            "shortName": "Children weighed",
            "code": "SWIFT_DHIS2_DEMO_WEIGHED",
            "domainType": "AGGREGATE",
            "valueType": "INTEGER_ZERO_OR_POSITIVE",
            "aggregationType": "SUM",
            "categoryCombo": ["id": .string(categoryCombo.rawValue)],
        ]
    }

    /// Throws when `message` reports a problem, naming what was attempted and the server's first conflict.
    private func require(_ message: WebMessage, _ what: String) throws {
        guard let outcome = message.outcome, !outcome.didSucceed else { return }
        throw CommandLineError(
            "Could not \(what): \(outcome)" + (outcome.conflicts.first.map { " — \($0)" } ?? ""))
    }

    private func describe(_ outcome: ImportOutcome?) -> String {
        outcome?.description ?? "none (the server started a job)"
    }

    func step(_ number: Int, _ title: String) {
        terminal.print("")
        terminal.print("[\(number)/\(Self.stepCount)] \(title)")
    }

    func detail(_ text: String) {
        terminal.print("    " + text)
    }
}
