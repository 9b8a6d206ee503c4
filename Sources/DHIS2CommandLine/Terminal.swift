import DHIS2Profiles
import Foundation

/// Where a command writes and which environment it reads: the process's own by default, a fake one in tests.
///
/// Commands never call `print` or `ProcessInfo` directly; they go through ``current``, a task-local value, so a test
/// can run a whole command in-process with its own environment and capture everything it writes:
///
/// ```swift
/// let status = await DHIS2Command.run(["dev", "uid", "-n", "3"], terminal: Terminal(
///     environment: [:], standardOutput: { text in captured.append(text) }, standardError: { _ in }))
/// ```
public struct Terminal: Sendable {
    /// The environment variables a command reads (`DHIS2_URL`, `DHIS2_PAT`, `DHIS2_USERNAME`, `DHIS2_PASSWORD`, …).
    public var environment: [String: String]
    /// Receives everything a command writes to standard output, newlines included.
    public var standardOutput: @Sendable (String) -> Void
    /// Receives everything a command writes to standard error, newlines included.
    public var standardError: @Sendable (String) -> Void
    /// The directory the search for a project `.dhis2/profiles.toml` starts from.
    public var workingDirectory: String
    /// Shows a prompt and reads one line without echoing it (for a password or token); `nil` when there is no
    /// interactive input.
    public var readSecret: @Sendable (_ prompt: String) -> String?
    /// Reads all of standard input (for `--secret-stdin`); `nil` when there is none.
    public var readStandardInput: @Sendable () -> String?

    /// A terminal with the given environment and output sinks; by default it reads no input and starts profile
    /// searches in the process's working directory.
    public init(
        environment: [String: String], standardOutput: @escaping @Sendable (String) -> Void,
        standardError: @escaping @Sendable (String) -> Void,
        workingDirectory: String = FileManager.default.currentDirectoryPath,
        readSecret: @escaping @Sendable (_ prompt: String) -> String? = { _ in nil },
        readStandardInput: @escaping @Sendable () -> String? = { nil }
    ) {
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
        self.workingDirectory = workingDirectory
        self.readSecret = readSecret
        self.readStandardInput = readStandardInput
    }

    /// The process's environment, working directory, standard output, standard error and standard input.
    public static var process: Terminal {
        Terminal(
            environment: ProcessInfo.processInfo.environment,
            standardOutput: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            standardError: { text in FileHandle.standardError.write(Data(text.utf8)) },
            workingDirectory: FileManager.default.currentDirectoryPath,
            readSecret: { prompt in SecretPrompt.read(prompt: prompt) },
            readStandardInput: {
                let data = FileHandle.standardInput.readDataToEndOfFile()
                return String(data: data, encoding: .utf8)
            })
    }

    /// The terminal commands in this task write to; ``process`` unless a caller bound another one.
    @TaskLocal public static var current: Terminal = .process

    /// Writes `line` and a newline to standard output.
    public func print(_ line: String = "") {
        standardOutput(line + "\n")
    }

    /// Writes `line` and a newline to standard error.
    public func printError(_ line: String) {
        standardError(line + "\n")
    }

    /// The value of the environment variable `name`, or `nil` when it is unset or empty.
    public func variable(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }
}

extension Terminal {
    /// What profile resolution sees through this terminal: its environment (with `HOME`) and working directory.
    var profileEnvironment: ProfileEnvironment {
        ProfileEnvironment(variables: environment, workingDirectory: workingDirectory)
    }
}
