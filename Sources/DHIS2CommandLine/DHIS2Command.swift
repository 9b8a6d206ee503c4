import ArgumentParser
import DHIS2
import DHIS2Emulator
import DHIS2Profiles

/// The `dhis2` command: the root of the command tree.
///
/// The executable only calls ``run(_:)``; tests call ``run(_:terminal:)`` with a fake ``Terminal`` and read what the
/// command wrote and the exit status it returned.
public struct DHIS2Command: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "dhis2",
        abstract: "Work with a DHIS2 server (2.41–2.44) from the command line.",
        discussion: """
            Server commands use a profile (`dhis2 profile add`), picked in this order: --profile, DHIS2_PROFILE, \
            DHIS2_URL with credentials, the project default (.dhis2/profiles.toml), the global default \
            (~/.config/dhis2/profiles.toml). With --url or DHIS2_URL, credentials come from the environment only: \
            DHIS2_PAT (a personal access token), or DHIS2_USERNAME and DHIS2_PASSWORD.

            Try it without a server: `dhis2 demo` starts a local emulator and walks through the library.
            """,
        version: DHIS2Command.version,
        subcommands: [
            SystemCommand.self, ProfileCommand.self, DevCommand.self, EmulatorCommand.self, DemoCommand.self,
        ])

    /// The version `dhis2 --version` prints.
    public static let version = "0.1.0"
    /// The `User-Agent` the command line's requests carry.
    static let userAgent = "swift-dhis2-cli/\(version)"

    public init() {}

    /// Runs `dhis2` with `arguments` (without the program name) on ``Terminal/current`` and returns the exit status.
    ///
    /// Help goes to standard output with status 0. Errors go to standard error as `error: <description>`, with a
    /// status from ``ExitStatus``: 64 for usage errors, 78 for a missing or unusable configuration, 77 for refused
    /// credentials, 69 for an unreachable server, 1 for anything else.
    public static func run(_ arguments: [String]) async -> Int32 {
        let terminal = Terminal.current
        do {
            var command = try await asyncParseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
            return ExitStatus.success
        } catch {
            return report(error, on: terminal)
        }
    }

    /// Runs `dhis2` with `arguments` on `terminal` and returns the exit status.
    public static func run(_ arguments: [String], terminal: Terminal) async -> Int32 {
        await Terminal.$current.withValue(terminal) {
            await run(arguments)
        }
    }

    /// Writes `error` the way the command line presents it and returns the exit status it maps to.
    static func report(_ error: any Error, on terminal: Terminal) -> Int32 {
        switch error {
        case let error as DHIS2Error:
            terminal.printError("error: \(error.description)")
            return ExitStatus.forDHIS2Error(error)
        case let error as CommandLineError:
            terminal.printError("error: \(error.message)")
            return error.exitStatus
        case let error as ProfileError:
            terminal.printError("error: \(error.message)")
            return ExitStatus.forProfileError(error)
        case let error as OAuth2LoginError:
            terminal.printError("error: \(error.message)")
            return ExitStatus.forLoginError(error)
        case let error as EmulatorError:
            terminal.printError("error: \(error.message)")
            return ExitStatus.failure
        default:
            // Argument parser errors (usage, validation, help and version requests) and anything else.
            let message = fullMessage(for: error)
            let status = exitCode(for: error).rawValue
            if status == ExitStatus.success {
                if !message.isEmpty { terminal.print(message) }
            } else {
                terminal.printError(message)
            }
            return status
        }
    }
}
