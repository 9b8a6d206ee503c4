import DHIS2
import DHIS2CommandLine
import DHIS2Emulator
import Foundation
import Testing

/// A temporary home and working directory; no command in these tests sees the real `$HOME`.
private struct ProfileSandbox {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("dhis2-cli-\(UUID().uuidString)")
    var home: String { root.appendingPathComponent("home").path }
    var workingDirectory: String { root.appendingPathComponent("work").path }
    var globalFile: String { home + "/.config/dhis2/profiles.toml" }

    init() throws {
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: workingDirectory, withIntermediateDirectories: true)
    }

    /// Runs `dhis2 arguments…` with this home and working directory, `environment` added, and the given input.
    func run(
        _ arguments: [String], environment: [String: String] = [:], standardInput: String? = nil,
        typedSecret: String? = nil
    ) async -> CommandRun {
        let output = CapturedText()
        let error = CapturedText()
        var variables = environment
        variables["HOME"] = home
        let terminal = Terminal(
            environment: variables, standardOutput: { output.append($0) }, standardError: { error.append($0) },
            workingDirectory: workingDirectory, readSecret: { _ in typedSecret }, readStandardInput: { standardInput })
        let status = await DHIS2Command.run(arguments, terminal: terminal)
        return CommandRun(status: status, output: output.value, error: error.value)
    }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

private func withProfileSandbox(_ body: (ProfileSandbox) async throws -> Void) async throws {
    let sandbox = try ProfileSandbox()
    defer { sandbox.remove() }
    try await body(sandbox)
}

@Suite("dhis2 profile")
struct ProfileCommandTests {
    @Test("add, list, show, rename, set-default and remove work on the global file and keep secrets off the screen")
    func lifecycle() async throws {
        try await withProfileSandbox { sandbox in
            let password = "Sup3r-secret-pw-77"
            let added = await sandbox.run(
                ["profile", "add", "play", "--url", "https://play.example.org", "--auth", "basic", "--username",
                 "admin", "--secret-stdin", "--default"],
                standardInput: password + "\n")
            #expect(added.status == ExitStatus.success, "\(added.error)")
            #expect(added.output.contains(sandbox.globalFile))
            let file = try String(contentsOfFile: sandbox.globalFile, encoding: .utf8)
            #expect(file.contains("password = \"\(password)\""))
            #expect(file.contains("default = \"play\""))

            let token = "d2p_tokenFromEnvironment123"
            let second = await sandbox.run(
                ["profile", "add", "prod", "--url", "https://prod.example.org", "--auth", "pat"],
                environment: ["DHIS2_PAT": token])
            #expect(second.status == ExitStatus.success, "\(second.error)")

            let list = await sandbox.run(["profile", "list"])
            #expect(list.status == ExitStatus.success)
            let lines = list.output.split(separator: "\n")
            #expect(lines.count == 2)
            #expect(lines[0].hasPrefix("* play"))
            #expect(lines[0].contains("global"))
            #expect(lines[0].contains("https://play.example.org"))
            #expect(lines[1].hasPrefix("  prod"))

            let show = await sandbox.run(["profile", "show", "play"])
            #expect(show.status == ExitStatus.success)
            #expect(show.output.contains("username = admin"))
            #expect(show.output.contains("password = <redacted>"))
            let revealed = await sandbox.run(["profile", "show", "prod", "--show-secrets"])
            #expect(revealed.output.contains("token = \(token)"))

            for run in [added, second, list, show] { #expect(!run.everything.contains(password)) }
            #expect(!(await sandbox.run(["profile", "show", "prod"])).everything.contains(token))

            let renamed = await sandbox.run(["profile", "rename", "play", "demo"])
            #expect(renamed.status == ExitStatus.success, "\(renamed.error)")
            #expect((await sandbox.run(["profile", "show"])).output.hasPrefix("[demo]"))

            let setDefault = await sandbox.run(["profile", "set-default", "prod"])
            #expect(setDefault.status == ExitStatus.success)
            #expect((await sandbox.run(["profile", "show"])).output.hasPrefix("[prod]"))

            let removed = await sandbox.run(["profile", "remove", "prod"])
            #expect(removed.status == ExitStatus.success)
            let after = await sandbox.run(["profile", "list"])
            #expect(after.output.split(separator: "\n").count == 1)
            #expect(after.output.contains("demo"))
        }
    }

    @Test("--project adds to .dhis2/profiles.toml in the working directory, shadowing a global profile")
    func projectScope() async throws {
        try await withProfileSandbox { sandbox in
            _ = await sandbox.run(
                ["profile", "add", "same", "--url", "https://global.example.org", "--auth", "pat"],
                environment: ["DHIS2_PAT": "g"])
            let project = await sandbox.run(
                ["profile", "add", "same", "--url", "https://project.example.org", "--auth", "pat", "--project"],
                environment: ["DHIS2_PAT": "p"])
            #expect(project.status == ExitStatus.success, "\(project.error)")
            #expect(FileManager.default.fileExists(atPath: sandbox.workingDirectory + "/.dhis2/profiles.toml"))
            let list = await sandbox.run(["profile", "list"])
            #expect(list.output.split(separator: "\n").count == 1)
            #expect(list.output.contains("project.example.org"))
            let all = await sandbox.run(["profile", "list", "--all"])
            #expect(all.output.contains("(shadowed)"))
        }
    }

    @Test("secrets are not flags, a missing secret is a usage error, and a bad name is refused")
    func refusals() async throws {
        try await withProfileSandbox { sandbox in
            let flag = await sandbox.run(
                ["profile", "add", "x", "--url", "https://x.org", "--auth", "basic", "--username", "u", "--password", "p"])
            #expect(flag.status == ExitStatus.usage)

            let noSecret = await sandbox.run(
                ["profile", "add", "x", "--url", "https://x.org", "--auth", "basic", "--username", "u"])
            #expect(noSecret.status == ExitStatus.usage)
            #expect(noSecret.error.contains("never taken as flags"))
            #expect(!FileManager.default.fileExists(atPath: sandbox.globalFile))

            let typed = await sandbox.run(
                ["profile", "add", "typed", "--url", "https://x.org", "--auth", "pat"], typedSecret: "d2p_typed")
            #expect(typed.status == ExitStatus.success, "\(typed.error)")

            let badName = await sandbox.run(
                ["profile", "add", "9lives", "--url", "https://x.org", "--auth", "pat"], environment: ["DHIS2_PAT": "t"])
            #expect(badName.status == ExitStatus.usage)

            let missing = await sandbox.run(["profile", "show", "nope"])
            #expect(missing.status == ExitStatus.configuration)
            #expect(missing.error.contains("No profile named nope"))
        }
    }

    @Test("server commands resolve --profile, DHIS2_PROFILE and the default through the profile chain")
    func serverCommandsUseProfiles() async throws {
        try await withEmulator(quietEmulator()) { emulator in
            try await withProfileSandbox { sandbox in
                let add = await sandbox.run(
                    ["profile", "add", "emu", "--url", emulator.baseURL, "--auth", "basic", "--username",
                     DemoData.adminUsername],
                    environment: ["DHIS2_PASSWORD": DemoData.adminPassword])
                #expect(add.status == ExitStatus.success, "\(add.error)")

                let named = await sandbox.run(["system", "me", "--profile", "emu"])
                #expect(named.status == ExitStatus.success, "\(named.error)")
                #expect(named.output.contains(DemoData.adminUserID.rawValue))

                let viaVariable = await sandbox.run(["system", "info"], environment: ["DHIS2_PROFILE": "emu"])
                #expect(viaVariable.status == ExitStatus.success, "\(viaVariable.error)")
                #expect(viaVariable.output.contains(emulator.version))

                let noDefault = await sandbox.run(["system", "info"])
                #expect(noDefault.status == ExitStatus.configuration)
                #expect(noDefault.error.contains("--profile"))

                _ = await sandbox.run(["profile", "set-default", "emu"])
                let viaDefault = await sandbox.run(["system", "info"])
                #expect(viaDefault.status == ExitStatus.success, "\(viaDefault.error)")

                let unknown = await sandbox.run(["system", "info", "--profile", "ghost"])
                #expect(unknown.status == ExitStatus.configuration)

                let both = await sandbox.run(["system", "info", "--profile", "emu", "--url", emulator.baseURL])
                #expect(both.status == ExitStatus.usage)
            }
        }
    }

    @Test("verify prints the server version, the user and the round trip; a wrong password exits 77")
    func verify() async throws {
        try await withEmulator(quietEmulator(version: "2.43.2")) { emulator in
            try await withProfileSandbox { sandbox in
                _ = await sandbox.run(
                    ["profile", "add", "emu", "--url", emulator.baseURL, "--auth", "basic", "--username", "admin",
                     "--secret-stdin"],
                    standardInput: DemoData.adminPassword)
                let verify = await sandbox.run(["profile", "verify", "emu"])
                #expect(verify.status == ExitStatus.success, "\(verify.error)")
                #expect(verify.output.contains("Version:"))
                #expect(verify.output.contains("2.43.2 (API v43)"))
                #expect(verify.output.contains("User:"))
                #expect(verify.output.contains("admin"))
                #expect(verify.output.contains("Round trip:"))

                let wrong = "Wr0ng-Password-for-verify"
                _ = await sandbox.run(
                    ["profile", "add", "bad", "--url", emulator.baseURL, "--auth", "basic", "--username", "admin",
                     "--secret-stdin"],
                    standardInput: wrong)
                let refused = await sandbox.run(["profile", "verify", "bad"])
                #expect(refused.status == ExitStatus.unauthorized)
                #expect(!refused.everything.contains(wrong))
            }
        }
    }

    @Test("login refuses a non-oauth2 profile, and reports an emulated 2.41 as having no OAuth2 server")
    func login() async throws {
        try await withEmulator(quietEmulator(version: "2.41.10")) { emulator in
            try await withProfileSandbox { sandbox in
                _ = await sandbox.run(
                    ["profile", "add", "basic_one", "--url", emulator.baseURL, "--auth", "basic", "--username", "admin"],
                    environment: ["DHIS2_PASSWORD": "district"])
                let notOAuth = await sandbox.run(["profile", "login", "basic_one"])
                #expect(notOAuth.status == ExitStatus.usage)
                #expect(notOAuth.error.contains("only an oauth2 profile"))

                let added = await sandbox.run(
                    ["profile", "add", "sso", "--url", emulator.baseURL, "--auth", "oauth2", "--client-id", "cli"],
                    environment: ["DHIS2_OAUTH_CLIENT_SECRET": "cli-secret-value"])
                #expect(added.status == ExitStatus.success, "\(added.error)")
                #expect(added.output.contains("dhis2 profile login sso"))

                let notLoggedIn = await sandbox.run(["system", "me", "--profile", "sso"])
                #expect(notLoggedIn.status == ExitStatus.unauthorized)
                #expect(notLoggedIn.error.contains("dhis2 profile login sso"))

                let login = await sandbox.run(["profile", "login", "sso", "--timeout", "5"])
                #expect(login.status == ExitStatus.configuration, "\(login.error)")
                #expect(!login.everything.contains("cli-secret-value"))
            }
        }
    }
}
