import DHIS2
import DHIS2CommandLine
import DHIS2Emulator
import Foundation
import Logging
import Testing

/// An in-memory emulator on a free loopback port, quiet.
func quietEmulator(version: String = "2.42.6") -> EmulatorConfiguration {
    EmulatorConfiguration(
        host: "127.0.0.1", port: 0, version: version,
        logger: Logger(label: "test.emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
}

/// The environment a user of the emulator's demo account would have.
func adminEnvironment(_ emulator: Emulator) -> [String: String] {
    ["DHIS2_URL": emulator.baseURL, "DHIS2_USERNAME": DemoData.adminUsername, "DHIS2_PASSWORD": DemoData.adminPassword]
}

@Suite("dhis2 system against the emulator")
struct SystemCommandTests {
    @Test("system info prints the server's version and API generation", arguments: ["2.41.10", "2.42.6", "2.44.0"])
    func info(version: String) async throws {
        try await withEmulator(quietEmulator(version: version)) { emulator in
            let run = await runDHIS2(["system", "info"], environment: adminEnvironment(emulator))
            #expect(run.status == ExitStatus.success, "\(run.error)")
            #expect(run.error.isEmpty)
            let apiVersion = try #require(ServerVersion(version)?.apiVersion)
            #expect(run.output.contains("Version:"))
            #expect(run.output.contains("\(version) (API \(apiVersion.key))"))
        }
    }

    @Test("system me prints the signed-in username and that the user is a superuser")
    func me() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            let run = await runDHIS2(["system", "me"], environment: adminEnvironment(emulator))
            #expect(run.status == ExitStatus.success, "\(run.error)")
            let usernameLine = run.output.split(separator: "\n").first { $0.hasPrefix("Username:") }
            #expect(usernameLine?.hasSuffix(" \(DemoData.adminUsername)") == true)
            #expect(run.output.contains(DemoData.adminUserID.rawValue))
            #expect(run.output.contains("ALL (superuser)"))
        }
    }

    @Test("--json prints the server's JSON, pretty-printed with sorted keys")
    func json() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            let info = await runDHIS2(["system", "info", "--json"], environment: adminEnvironment(emulator))
            #expect(info.status == ExitStatus.success, "\(info.error)")
            let infoJSON = try JSONValue(parsing: Data(info.output.utf8))
            #expect(infoJSON["version"]?.stringValue == emulator.version)
            #expect(info.output.contains("\n  \""), "pretty-printed: one member per indented line")
            let keys = info.output.split(separator: "\n").filter { $0.hasPrefix("  \"") }.map { line in
                line.dropFirst(3).prefix { $0 != "\"" }
            }
            #expect(keys == keys.sorted())

            let me = await runDHIS2(["system", "me", "--json"], environment: adminEnvironment(emulator))
            #expect(me.status == ExitStatus.success, "\(me.error)")
            let meJSON = try JSONValue(parsing: Data(me.output.utf8))
            #expect(meJSON["id"]?.stringValue == DemoData.adminUserID.rawValue)
        }
    }

    @Test("--url overrides DHIS2_URL")
    func urlOverridesEnvironment() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            var environment = adminEnvironment(emulator)
            environment["DHIS2_URL"] = "http://127.0.0.1:9"
            let run = await runDHIS2(["system", "info", "--url", emulator.baseURL], environment: environment)
            #expect(run.status == ExitStatus.success, "\(run.error)")
            #expect(run.output.contains(emulator.version))
        }
    }

    @Test("the password never appears in any output, whether the credentials work or not")
    func passwordNeverPrinted() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            let wrongPassword = "Wr0ng-pa55word-c0rrect-h0rse"
            var environment = adminEnvironment(emulator)
            environment["DHIS2_PASSWORD"] = wrongPassword
            let basic = Data("\(DemoData.adminUsername):\(wrongPassword)".utf8).base64EncodedString()
            for arguments in [["system", "info"], ["system", "me"], ["system", "me", "--json"]] {
                let run = await runDHIS2(arguments, environment: environment)
                #expect(run.status == ExitStatus.unauthorized)
                #expect(run.error.hasPrefix("error: DHIS2Error.unauthorized"))
                #expect(!run.everything.contains(wrongPassword))
                #expect(!run.everything.contains(basic))
            }

            let good = await runDHIS2(["system", "me", "--json"], environment: adminEnvironment(emulator))
            #expect(good.status == ExitStatus.success)
            #expect(!good.everything.contains(DemoData.adminPassword))
        }
    }

    @Test("a personal access token from DHIS2_PAT signs in, takes precedence, and is never printed")
    func personalAccessToken() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            let token = try await DHIS2Client.withConnection(
                to: emulator.baseURL,
                auth: BasicAuth(username: DemoData.adminUsername, password: DemoData.adminPassword)
            ) { client in
                let minted = try await client.webMessage(.post, "/api/apiToken", body: ["attributes": []])
                return try #require(minted.response?["key"]?.stringValue)
            }
            let environment = [
                "DHIS2_URL": emulator.baseURL, "DHIS2_PAT": token,
                // A wrong password next to a valid token: the token must be the one used.
                "DHIS2_USERNAME": DemoData.adminUsername, "DHIS2_PASSWORD": "not-the-password",
            ]
            let run = await runDHIS2(["system", "me"], environment: environment)
            #expect(run.status == ExitStatus.success, "\(run.error)")
            #expect(run.output.contains(DemoData.adminUsername))
            #expect(!run.everything.contains(token))

            // A well-formed token the server does not know: refused, and not echoed.
            let unknown = "d2p_Xq3vT9pLmN2bR7kW4yZs8cF1hJ6dG0aE5uV2iO9tK3wP3hsfmi"
            let refused = await runDHIS2(
                ["system", "me"], environment: ["DHIS2_URL": emulator.baseURL, "DHIS2_PAT": unknown])
            #expect(refused.status == ExitStatus.unauthorized)
            #expect(refused.error.hasPrefix("error: "))
            #expect(!refused.everything.contains(unknown))
        }
    }
}

@Suite("dhis2 demo and dhis2 emulator serve")
struct DemoAndServeTests {
    @Test("demo runs every step of the tour to completion and exits 0")
    func demo() async throws {
        let run = await runDHIS2(["demo"])
        #expect(run.status == ExitStatus.success, "\(run.error)")
        #expect(run.error.isEmpty)
        let steps = [
            "[1/20] Connect", "[2/20] Who am I", "[3/20] Create a data element", "[4/20] Read it back",
            "[5/20] Update it (PUT", "[6/20] Patch it with typed JSON Patch", "[7/20] List data elements with a filter",
            "[8/20] Delete it", "[9/20] Page through level-3 org units", "[10/20] Dry-run a metadata import",
            "[11/20] Mint a personal access token", "[12/20] Generate UIDs", "[13/20] Push a month of data values",
            "[14/20] Export them back", "[15/20] Import the next month as a background job",
            "[16/20] Refresh the analytics tables", "[17/20] Query analytics", "[18/20] Stream data integrity issues",
            "[19/20] Register a child", "[20/20] List them back",
        ]
        for step in steps {
            #expect(run.output.contains(step), "missing step \(step)")
        }
        #expect(run.output.contains("server version 2.42.6, API generation v42"))
        #expect(run.output.contains("signed in as admin"))
        #expect(run.output.contains("outcome: succeeded"))
        #expect(run.output.contains("(revised)"))
        #expect(run.output.contains("pager total 1"))
        #expect(run.output.contains("short name is now \"Children weighed (patched)\""))
        #expect(run.output.contains("page 1 of 4 (16 org units): Busa District, Dijeko District"))
        #expect(run.output.contains("page 2 of 4"))
        #expect(!run.output.contains("page 3 of 4"), "the demo stops after two pages")
        #expect(run.output.contains("report status OK, stats: created 2, updated 0, ignored 0, total 2"))
        #expect(run.output.contains("validated only: nothing was stored"))
        #expect(run.output.contains("answers 404"))
        #expect(run.output.contains("it worked"))
        expectDataSteps(run.output)
        #expect(run.output.contains("Demo complete"))
        #expect(!run.output.contains("d2p_"), "the token value must never be printed")
        #expect(!run.output.contains(DemoData.adminPassword))
    }

    @Test(
        "demo speaks the emulated version it is given, with that version's data value conflict codes",
        arguments: [("2.41.10", "v41", "E76"), ("2.44.0", "v44", "E8")])
    func demoVersion(version: String, generation: String, conflictCode: String) async throws {
        let run = await runDHIS2(["demo", "--dhis2-version", version])
        #expect(run.status == ExitStatus.success, "\(run.error)")
        #expect(run.output.contains("server version \(version), API generation \(generation)"))
        // 2.41-2.42 report a value of the wrong type with an E76xx code; 2.43+'s rewritten import pipeline with E8xxx.
        #expect(run.output.contains("conflict \(conflictCode)"))
        #expect(run.output.contains(" at input index 3: "))
        expectDataSteps(run.output)
    }

    /// The essentials of the data value, job, analytics, data integrity and tracker steps, on any version.
    private func expectDataSteps(_ output: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let lines = output.split(separator: "\n").map { String($0) }
        func expectLine(_ text: String) {
            #expect(lines.contains { $0.contains(text) }, "missing \"\(text)\"", sourceLocation: sourceLocation)
        }
        // Step 13: eight good values stored, the malformed one (input index 3) rejected with a 409.
        expectLine("9 values for 202401")
        expectLine("HTTP 409, status WARNING")
        expectLine("ignored 1; outcome: partial")
        #expect(
            lines.contains { $0.contains("conflict E") && $0.contains(" at input index 3: ") },
            "the conflict names its code and the input index", sourceLocation: sourceLocation)
        // Step 14: the export holds exactly the stored values.
        expectLine("8 values came back")
        expectLine("ANC 1st visit = ")
        // Step 15: the async import's progress rows, its last one, and its summary.
        expectLine("sent with async=true: HTTP 200, job DATAVALUE_IMPORT")
        expectLine("progress: [INFO] Process started")
        expectLine("job summary (client.jobs.summary): status SUCCESS")
        // Step 16: the analytics job's rows up to its completed one.
        expectLine("job ANALYTICS_TABLE")
        #expect(
            lines.filter { $0.contains("progress: [INFO]") && $0.hasSuffix("(completed)") }.count == 2,
            "both jobs are watched to their completed row", sourceLocation: sourceLocation)
        // Step 17: the grid sums each region's two facilities per month (values fixed in DemoReporting).
        expectLine("8 rows; headers dx, ou, pe, value")
        for (region, january, february) in [
            ("Northern Region", 34 + 27, 31 + 29), ("Southern Region", 41 + 19, 45 + 22),
            ("Eastern Region", 52 + 38, 48 + 40), ("Western Region", 23 + 30, 26 + 33),
        ] {
            #expect(
                lines.contains { line in
                    line.split(separator: " ").map(String.init) == region.split(separator: " ").map(String.init)
                        + ["\(january)", "\(february)"]
                },
                "grid row for \(region)", sourceLocation: sourceLocation)
        }
        // Step 18: issues with their severity and check name.
        expectLine("[WARNING] data_elements_aggregate_no_groups: dataElements")
        expectLine("issues in all")
        // Steps 19-20: one bundle creates three objects, read back through the lists.
        expectLine("POST /api/tracker: status OK, created 3")
        expectLine(": Amina Bangura")
        expectLine(": ACTIVE, enrolled 2024-03-06")
        expectLine("stage Birth, COMPLETED, occurred 2024-03-06; Infant weight (g) = 3150")
    }

    @Test("emulator serve prints its URL and the demo credentials, serves until cancelled, then stops cleanly")
    func serve() async throws {
        let output = CapturedText()
        let errors = CapturedText()
        let terminal = Terminal(
            environment: [:], standardOutput: { output.append($0) }, standardError: { errors.append($0) })
        let serving = Task {
            await DHIS2Command.run(
                ["emulator", "serve", "--port", "0", "--log-level", "critical", "--dhis2-version", "2.43.1"],
                terminal: terminal)
        }
        // Wait for the announcement (bounded so a broken serve fails instead of hanging).
        var url: String?
        for _ in 0..<3000 where url == nil {
            url = output.value.split(separator: "\n").first { $0.contains("listening on ") }
                .flatMap { $0.split(separator: " ").last.map(String.init) }
            if url == nil { try await Task.sleep(for: .milliseconds(10)) }
        }
        let baseURL = try #require(url, "serve never printed its URL; stderr: \(errors.value)")
        #expect(output.value.contains("DHIS2_USERNAME=admin DHIS2_PASSWORD=district"))

        let run = await runDHIS2(
            ["system", "info"],
            environment: ["DHIS2_URL": baseURL, "DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district"])
        #expect(run.status == ExitStatus.success, "\(run.error)")
        #expect(run.output.contains("2.43.1 (API v43)"))

        serving.cancel()
        let status = await serving.value
        #expect(status == ExitStatus.success, "\(errors.value)")
        #expect(output.value.contains("Emulator stopped."))
    }
}
