import ArgumentParser
import DHIS2
import DHIS2Emulator
import Dispatch
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// `--dhis2-version`: the DHIS2 version an emulator speaks.
struct EmulatedVersionOption: ParsableArguments {
    @Option(
        name: .customLong("dhis2-version"),
        help: ArgumentHelp("The DHIS2 version to emulate: 2.41.x, 2.42.x, 2.43.x or 2.44.x.", valueName: "version"))
    var dhis2Version = "2.42.6"

    func validate() throws {
        guard let version = ServerVersion(dhis2Version), version.apiVersion != nil else {
            throw ValidationError(
                "--dhis2-version must be a DHIS2 version from 2.41 to 2.44 (e.g. 2.42.6 or 2.44-SNAPSHOT), "
                    + "not \"\(dhis2Version)\".")
        }
    }
}

/// `dhis2 emulator`: the local DHIS2-compatible server.
struct EmulatorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "emulator",
        abstract: "Run the local DHIS2-compatible emulator.",
        subcommands: [Serve.self])

    /// `dhis2 emulator serve`: start the emulator and keep it running until interrupted.
    struct Serve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Serve the DHIS2 emulator until interrupted (Ctrl-C).",
            discussion: """
                The emulator answers the DHIS2 Web API with a generated demo data set; sign in as \
                \(DemoData.adminUsername) / \(DemoData.adminPassword). Without --data everything is kept in memory \
                and lost when it stops.
                """)

        @Option(help: "The address to listen on.")
        var host = "127.0.0.1"

        @Option(help: "The port to listen on (0 picks a free one).")
        var port = 8080

        @OptionGroup var version: EmulatedVersionOption

        @Option(
            name: .customLong("data"),
            help: ArgumentHelp("A folder for the emulator's database (created if missing).", valueName: "directory"))
        var dataDirectory: String?

        @Option(help: "The emulator's log level on standard error: trace, debug, info, notice, warning, error, critical.")
        var logLevel = "info"

        @Option(
            name: .customLong("org-units"),
            help: ArgumentHelp(
                "Grow the demo organisation unit hierarchy to at least this many units (e.g. 50000, for large-scale "
                    + "tests and benchmarks); by default about 120. Applies when the database is created.",
                valueName: "count"))
        var organisationUnitCount: Int?

        @Option(
            help: ArgumentHelp(
                "The date analytics treats as today for relative periods such as LAST_12_MONTHS (yyyy-MM-dd); "
                    + "by default the real date.",
                valueName: "date"))
        var today: String?

        func validate() throws {
            guard (0...65_535).contains(port) else {
                throw ValidationError("--port must be between 0 and 65535, not \(port).")
            }
            if let organisationUnitCount, organisationUnitCount < 1 {
                throw ValidationError("--org-units must be at least 1, not \(organisationUnitCount).")
            }
            if let today, CalendarDate(today) == nil {
                throw ValidationError("--today must be a date like 2026-11-26, not \"\(today)\".")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError(
                    "--log-level must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")).")
            }
        }

        func run() async throws {
            let terminal = Terminal.current
            var logger = Logger(label: "dhis2.emulator", factory: { label in StreamLogHandler.standardError(label: label) })
            logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info
            var configuration = EmulatorConfiguration(
                host: host, port: port, version: version.dhis2Version, dataDirectory: dataDirectory, logger: logger)
            configuration.demoOrganisationUnitCount = organisationUnitCount
            configuration.today = today.flatMap { CalendarDate($0) }
            let emulator = try await Emulator.start(configuration)
            terminal.print("DHIS2 \(emulator.version) emulator listening on \(emulator.baseURL)")
            terminal.print(
                dataDirectory.map { "Data: \($0)" } ?? "Data: in memory (pass --data DIR to keep it between runs)")
            terminal.print("Sign in as \(DemoData.adminUsername) / \(DemoData.adminPassword), for example:")
            terminal.print(
                "  export \(ConnectionOptions.urlVariable)=\(emulator.baseURL) "
                    + "\(ConnectionOptions.usernameVariable)=\(DemoData.adminUsername) "
                    + "\(ConnectionOptions.passwordVariable)=\(DemoData.adminPassword)")
            terminal.print("  dhis2 system info")
            terminal.print("Press Ctrl-C to stop.")
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await emulator.waitUntilShutdown() }
                    group.addTask { await InterruptSignal.wait() }
                    // Whichever ends first (a signal, the server stopping, or cancellation) ends the serve.
                    _ = try await group.next()
                    group.cancelAll()
                }
            } catch is CancellationError {
                // The caller cancelled the serve: stop like on Ctrl-C.
            } catch {
                try? await Self.stop(emulator)
                throw error
            }
            try await Self.stop(emulator)
            terminal.print("Emulator stopped.")
        }

        /// Shuts `emulator` down in a task of its own, awaited here: the shutdown must run to the end even when the
        /// serving task was cancelled, and in a cancelled task the emulator's SQLite close would be skipped.
        private static func stop(_ emulator: Emulator) async throws {
            try await Task { try await emulator.shutdown() }.value
        }
    }
}

/// Waits for SIGINT or SIGTERM without letting either kill the process, so the caller can shut down cleanly.
enum InterruptSignal {
    /// Returns when the process receives SIGINT or SIGTERM, or when the calling task is cancelled. While it waits,
    /// those signals are caught; afterwards their default behaviour is restored.
    static func wait() async {
        let signals = [SIGINT, SIGTERM]
        let (stream, continuation) = AsyncStream<Int32>.makeStream(bufferingPolicy: .bufferingNewest(1))
        let sources = signals.map { number in
            // The dispatch source only sees the signal once the default action (terminate) is switched off.
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { continuation.yield(number) }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            for number in signals { signal(number, SIG_DFL) }
        }
        // Ends at the first signal, or with nil when the task is cancelled.
        for await _ in stream { break }
    }
}
