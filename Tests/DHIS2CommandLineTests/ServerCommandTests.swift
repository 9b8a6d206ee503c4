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
            "[1/12] Connect", "[2/12] Who am I", "[3/12] Create a data element", "[4/12] Read it back",
            "[5/12] Update it (PUT", "[6/12] Patch it with typed JSON Patch", "[7/12] List data elements with a filter",
            "[8/12] Delete it", "[9/12] Page through level-3 org units", "[10/12] Dry-run a metadata import",
            "[11/12] Mint a personal access token", "[12/12] Generate UIDs",
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
        #expect(run.output.contains("Demo complete"))
        #expect(!run.output.contains("d2p_"), "the token value must never be printed")
        #expect(!run.output.contains(DemoData.adminPassword))
    }

    @Test("demo speaks the emulated version it is given")
    func demoVersion() async throws {
        let run = await runDHIS2(["demo", "--dhis2-version", "2.41.10"])
        #expect(run.status == ExitStatus.success, "\(run.error)")
        #expect(run.output.contains("server version 2.41.10, API generation v41"))
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
