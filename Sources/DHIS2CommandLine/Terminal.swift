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

    /// A terminal with the given environment and output sinks.
    public init(
        environment: [String: String], standardOutput: @escaping @Sendable (String) -> Void,
        standardError: @escaping @Sendable (String) -> Void
    ) {
        self.environment = environment
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// The process's environment, standard output and standard error.
    public static var process: Terminal {
        Terminal(
            environment: ProcessInfo.processInfo.environment,
            standardOutput: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
            standardError: { text in FileHandle.standardError.write(Data(text.utf8)) })
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
