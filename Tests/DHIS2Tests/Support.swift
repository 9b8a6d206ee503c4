import DHIS2
import DHIS2Emulator
import Foundation
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The versions the emulator emulates; client behaviour that depends on the version is checked on each.
let emulatedVersions = ["2.41.10", "2.42.6", "2.43.2", "2.44.0"]

let adminAuth = BasicAuth(username: DemoData.adminUsername, password: DemoData.adminPassword)

/// Runs `body` with an emulator of `version` started on a free port, shutting it down afterwards.
func withTestEmulator<T: Sendable>(
    version: String = "2.42.6", _ body: (Emulator) async throws -> T
) async throws -> T {
    let quiet = Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() })
    return try await withEmulator(EmulatorConfiguration(version: version, logger: quiet), body)
}

/// A clock for tests: `now` moves only when told, `sleep` records the duration and returns at once.
final class TestClock: DHIS2Clock {
    private let state: Mutex<(now: Date, sleeps: [Duration])>

    init(now: Date = Date()) { state = Mutex((now, [])) }

    func now() -> Date { state.withLock { $0.now } }

    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        state.withLock { $0.sleeps.append(duration) }
        await Task.yield()
    }

    func advance(by seconds: TimeInterval) { state.withLock { $0.now = $0.now.addingTimeInterval(seconds) } }

    var sleeps: [Duration] { state.withLock { $0.sleeps } }
}

/// Captures every log line (message and metadata) at trace level, to prove secrets never reach the logs.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var all: [String] { lines.withLock { $0 } }

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    func logger(label: String = "test") -> Logger {
        var logger = Logger(label: label) { _ in CapturingHandler(capture: self) }
        logger.logLevel = .trace
        return logger
    }

    struct CapturingHandler: LogHandler {
        let capture: LogCapture
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            let merged = metadata.merging(event.metadata ?? [:]) { _, new in new }
            capture.append("\(event.level) \(event.message) \(merged) \(event.source)")
        }
    }
}

/// A small HTTP server inside a test, for behaviour no real DHIS2 endpoint offers on demand (a token endpoint, a
/// server that answers HTML or an unsupported version).
final class StubServer: Sendable {
    let port: Int
    private let task: Task<Void, any Error>

    private init(port: Int, task: Task<Void, any Error>) {
        self.port = port
        self.task = task
    }

    var baseURL: String { "http://127.0.0.1:\(port)" }

    static func start(_ configure: (Router<BasicRequestContext>) -> Void) async throws -> StubServer {
        let router = Router()
        configure(router)
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { channel in portContinuation.yield(channel.localAddress?.port ?? 0) },
            logger: Logger(label: "stub", factory: { _ in SwiftLogNoOpLogHandler() }))
        let task = Task { try await app.runService(gracefulShutdownSignals: []) }
        var port = 0
        for await value in portStream {
            port = value
            break
        }
        return StubServer(port: port, task: task)
    }

    func stop() async {
        task.cancel()
        _ = await task.result
    }

    static func with<T: Sendable>(
        _ configure: (Router<BasicRequestContext>) -> Void, _ body: (StubServer) async throws -> T
    ) async throws -> T {
        let server = try await start(configure)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }
}

/// Runs `body`, expecting a `DHIS2Error`, and returns it.
func expectDHIS2Error(_ body: () async throws -> Void) async -> DHIS2Error? {
    do {
        try await body()
        return nil
    } catch let error as DHIS2Error {
        return error
    } catch {
        return nil
    }
}
