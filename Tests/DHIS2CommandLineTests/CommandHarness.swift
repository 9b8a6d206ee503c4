import DHIS2
import DHIS2CommandLine
import Synchronization

/// What one in-process run of `dhis2` printed and returned.
struct CommandRun: Sendable {
    var status: Int32
    var output: String
    var error: String

    /// Standard output and standard error together, for "never printed anywhere" checks.
    var everything: String { output + error }
}

/// Collects what a command writes, from any task.
final class CapturedText: Sendable {
    private let text = Mutex("")

    func append(_ more: String) { text.withLock { $0 += more } }
    var value: String { text.withLock { $0 } }
}

/// Runs `dhis2 arguments…` in-process with `environment` as its whole environment and captures its output.
func runDHIS2(_ arguments: [String], environment: [String: String] = [:]) async -> CommandRun {
    let output = CapturedText()
    let error = CapturedText()
    let terminal = Terminal(
        environment: environment, standardOutput: { output.append($0) }, standardError: { error.append($0) })
    let status = await DHIS2Command.run(arguments, terminal: terminal)
    return CommandRun(status: status, output: output.value, error: error.value)
}
