import DHIS2
import DHIS2CommandLine
import Foundation
import Testing

@Suite("dhis2 commands that need no server")
struct OfflineCommandTests {
    @Test("dev uid -n 5 prints five distinct valid UIDs, one per line")
    func uidCount() async throws {
        let run = await runDHIS2(["dev", "uid", "-n", "5"])
        #expect(run.status == ExitStatus.success)
        #expect(run.error.isEmpty)
        let lines = run.output.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(run.output.hasSuffix("\n"))
        #expect(lines.count == 5)
        #expect(lines.allSatisfy { UID.isValid($0) })
        #expect(Set(lines).count == 5)
    }

    @Test("dev uid without a count prints exactly one UID; --count is the long spelling")
    func uidDefaultAndLongOption() async throws {
        let single = await runDHIS2(["dev", "uid"])
        #expect(single.status == ExitStatus.success)
        let line = single.output.trimmingCharacters(in: .newlines)
        #expect(UID.isValid(line))

        let many = await runDHIS2(["dev", "uid", "--count", "10000"])
        #expect(many.status == ExitStatus.success)
        let uids = many.output.split(separator: "\n")
        #expect(uids.count == 10_000)
        #expect(Set(uids).count == 10_000)
    }

    @Test(
        "dev uid refuses a count below 1 or above 10000 as a usage error",
        arguments: [["-n", "0"], ["--count=-3"], ["-n", "10001"]])
    func uidCountBounds(count: [String]) async throws {
        let run = await runDHIS2(["dev", "uid"] + count)
        #expect(run.status == ExitStatus.usage)
        #expect(run.output.isEmpty)
        #expect(run.error.contains("--count must be between 1 and 10000"))
    }

    @Test("an unknown command or option is a usage error with the usage on standard error")
    func unknownCommand() async throws {
        let command = await runDHIS2(["frobnicate"])
        #expect(command.status == ExitStatus.usage)
        #expect(command.error.contains("Usage"))

        let option = await runDHIS2(["dev", "uid", "--bogus"])
        #expect(option.status == ExitStatus.usage)
        #expect(option.error.contains("--bogus"))
    }

    @Test("credentials are not accepted as flags")
    func noCredentialFlags() async throws {
        for flag in ["--password", "--username", "--token", "--pat"] {
            let run = await runDHIS2(["system", "info", flag, "secret"])
            #expect(run.status == ExitStatus.usage, "\(flag) must not exist")
        }
    }

    @Test("--help prints the command tree to standard output and exits 0")
    func help() async throws {
        let run = await runDHIS2(["--help"])
        #expect(run.status == ExitStatus.success)
        for command in ["system", "dev", "emulator", "demo"] {
            #expect(run.output.contains(command))
        }
        #expect(run.output.contains("DHIS2_PAT"))
        #expect(run.error.isEmpty)

        let version = await runDHIS2(["--version"])
        #expect(version.status == ExitStatus.success)
        #expect(version.output.contains(DHIS2Command.version))
    }

    @Test(
        "an emulated DHIS2 version outside 2.41–2.44 is refused before anything starts",
        arguments: [["demo", "--dhis2-version", "2.40.3"], ["emulator", "serve", "--dhis2-version", "3.1"],
            ["emulator", "serve", "--dhis2-version", "latest"]])
    func versionValidation(arguments: [String]) async throws {
        let run = await runDHIS2(arguments)
        #expect(run.status == ExitStatus.usage)
        #expect(run.error.contains("--dhis2-version must be a DHIS2 version from 2.41 to 2.44"))
        #expect(run.output.isEmpty)
    }

    @Test("emulator serve refuses a port outside 0–65535 and an unknown log level")
    func serveValidation() async throws {
        let port = await runDHIS2(["emulator", "serve", "--port", "70000"])
        #expect(port.status == ExitStatus.usage)
        #expect(port.error.contains("--port must be between 0 and 65535"))

        let level = await runDHIS2(["emulator", "serve", "--log-level", "loud"])
        #expect(level.status == ExitStatus.usage)
        #expect(level.error.contains("--log-level must be one of"))
    }
}

@Suite("dhis2 connection settings from the environment")
struct ConnectionEnvironmentTests {
    @Test("a server command without a URL names --url and DHIS2_URL", arguments: [["system", "info"], ["system", "me"]])
    func missingURL(arguments: [String]) async throws {
        let run = await runDHIS2(arguments, environment: ["DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district"])
        #expect(run.status == ExitStatus.configuration)
        #expect(run.error.hasPrefix("error: "))
        #expect(run.error.contains("--url"))
        #expect(run.error.contains("DHIS2_URL"))
        #expect(run.output.isEmpty)
    }

    @Test("a server command without credentials names every variable that can supply them")
    func missingCredentials() async throws {
        let run = await runDHIS2(["system", "info", "--url", "http://127.0.0.1:9"])
        #expect(run.status == ExitStatus.configuration)
        #expect(run.error.contains("DHIS2_PAT"))
        #expect(run.error.contains("DHIS2_USERNAME"))
        #expect(run.error.contains("DHIS2_PASSWORD"))
    }

    @Test("a username without a password, or a password without a username, names the missing variable")
    func halfCredentials() async throws {
        let noPassword = await runDHIS2(
            ["system", "me"], environment: ["DHIS2_URL": "http://127.0.0.1:9", "DHIS2_USERNAME": "admin"])
        #expect(noPassword.status == ExitStatus.configuration)
        #expect(noPassword.error.contains("DHIS2_PASSWORD is not"))

        let secret = "only-a-password-41"
        let noUsername = await runDHIS2(
            ["system", "me"], environment: ["DHIS2_URL": "http://127.0.0.1:9", "DHIS2_PASSWORD": secret])
        #expect(noUsername.status == ExitStatus.configuration)
        #expect(noUsername.error.contains("DHIS2_USERNAME is not"))
        #expect(!noUsername.everything.contains(secret))
    }

    @Test("an empty variable counts as unset")
    func emptyVariables() async throws {
        let run = await runDHIS2(
            ["system", "info"], environment: ["DHIS2_URL": "", "DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district"])
        #expect(run.status == ExitStatus.configuration)
        #expect(run.error.contains("DHIS2_URL"))
    }

    @Test("an unusable URL is a configuration error that never echoes credentials embedded in it")
    func invalidURL() async throws {
        let run = await runDHIS2(
            ["system", "info", "--url", "http://admin:hunter2-secret@127.0.0.1:9"],
            environment: ["DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district"])
        #expect(run.status == ExitStatus.configuration)
        #expect(run.error.hasPrefix("error: "))
        #expect(!run.everything.contains("hunter2-secret"))
    }

    @Test("an unreachable server is reported as unavailable with its own exit status")
    func unreachable() async throws {
        // Port 9 (discard) on loopback: nothing listens there on a test machine, so the connection is refused.
        let run = await runDHIS2(
            ["system", "info", "--url", "http://127.0.0.1:9"],
            environment: ["DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "unreachable-secret-9"])
        #expect(run.status == ExitStatus.unavailable)
        #expect(run.error.hasPrefix("error: DHIS2Error."))
        #expect(!run.everything.contains("unreachable-secret-9"))
    }
}
