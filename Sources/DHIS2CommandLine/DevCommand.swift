import ArgumentParser
import DHIS2

/// `dhis2 dev`: developer tools (UIDs made locally; `codegen`, which reads a server only with `--from-server`).
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Developer tools: UIDs made locally, and the model generator.",
        subcommands: [UIDs.self, CodegenCommand.self])

    /// `dhis2 dev uid [-n N]`: fresh DHIS2 UIDs, made locally.
    struct UIDs: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "uid",
            abstract: "Print new DHIS2 UIDs, one per line, generated locally (no server needed).")

        /// The most UIDs one call prints (the same bound as DHIS2's `/api/system/id?limit=`).
        static let maximumCount = 10_000

        @Option(name: [.customShort("n"), .customLong("count")], help: "How many UIDs to print (1–10000).")
        var count = 1

        func validate() throws {
            guard (1...Self.maximumCount).contains(count) else {
                throw ValidationError("--count must be between 1 and \(Self.maximumCount), not \(count).")
            }
        }

        func run() async throws {
            let terminal = Terminal.current
            let text = UID.generate(count: count).map(\.rawValue).joined(separator: "\n")
            terminal.print(text)
        }
    }
}
