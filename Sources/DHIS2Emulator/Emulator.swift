import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A local DHIS2-compatible server: the Web API endpoints the library uses, over real HTTP, backed by SQLite.
///
/// ```swift
/// try await withEmulator(.init(version: "2.41.10")) { emulator in
///     // talk to emulator.baseURL as admin / district
/// }
/// ```
public final class Emulator: Sendable {
    /// The port the server listens on (the one chosen by the system when the configuration said `0`).
    public let port: Int
    /// `http://<host>:<port>`, without a trailing slash.
    public let baseURL: String
    /// The emulated DHIS2 version string (as `/api/system/info` reports it).
    public let version: String
    /// Faults to play on coming requests (status codes, delays, dropped connections).
    public let faults: FaultInjector

    private let counter: RequestCounter
    private let bearerTokens: BearerTokenRegistry
    /// The OAuth2 authorization server (emulated 2.42+ only).
    let oauth2Server: OAuth2Server?
    /// The background job runner.
    let jobRunner: JobRunner
    private let store: Store
    private let tracker: TrackerStore
    private let serviceGroup: ServiceGroup
    private let runTask: Task<Void, any Error>
    private let logger: Logger

    private init(
        port: Int, baseURL: String, version: String, faults: FaultInjector, counter: RequestCounter,
        bearerTokens: BearerTokenRegistry, oauth2Server: OAuth2Server?, jobRunner: JobRunner, store: Store,
        tracker: TrackerStore, serviceGroup: ServiceGroup, runTask: Task<Void, any Error>, logger: Logger
    ) {
        self.port = port
        self.baseURL = baseURL
        self.version = version
        self.faults = faults
        self.counter = counter
        self.bearerTokens = bearerTokens
        self.oauth2Server = oauth2Server
        self.jobRunner = jobRunner
        self.store = store
        self.tracker = tracker
        self.serviceGroup = serviceGroup
        self.runTask = runTask
        self.logger = logger
    }

    /// Starts a server and returns once it is listening.
    ///
    /// Throws ``EmulatorError`` for an unsupported version, an unusable data directory or a port that cannot be
    /// bound. Demo data is generated only when the store is new (always, for an in-memory store).
    public static func start(_ configuration: EmulatorConfiguration = .init()) async throws -> Emulator {
        let version = try EmulatedVersion(parsing: configuration.version)
        let logger = configuration.logger
        let store = try await Store.open(directory: configuration.dataDirectory, logger: logger)
        let tracker: TrackerStore
        do {
            tracker = try await TrackerStore.open(directory: configuration.dataDirectory, logger: logger)
        } catch {
            await store.close()
            throw error
        }
        let dataValues: DataValueStore
        do {
            dataValues = try await DataValueStore.open(store: store, logger: logger)
        } catch {
            await store.close()
            throw error
        }
        let systemID = try await store.mutate { snapshot -> (String, [Store.Write]) in
            var writes: [Store.Write] = []
            if snapshot.settings["demoDataLoaded"] == nil {
                writes += DemoDataGenerator.writes(
                    full: configuration.loadsDemoData, organisationUnitCount: configuration.demoOrganisationUnitCount)
                writes.append(.setting(key: "demoDataLoaded", value: "true"))
            }
            if let systemID = snapshot.settings["systemId"] { return (systemID, writes) }
            let systemID = UUID().uuidString.lowercased()
            writes.append(.setting(key: "systemId", value: systemID))
            return (systemID, writes)
        }

        let faults = FaultInjector()
        let counter = RequestCounter()
        let bearerTokens = BearerTokenRegistry()
        let sessions = SessionRegistry()
        let fallbackBaseURL = "http://\(configuration.host):\(configuration.port)"
        let oauth2 =
            version.hasAuthorizationServer
            ? OAuth2Server(
                issuer: fallbackBaseURL + "/", accessTokenLifetime: configuration.accessTokenLifetime,
                refreshTokenLifetime: configuration.refreshTokenLifetime, sessions: sessions, logger: logger)
            : nil
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let jobRunner = JobRunner(version: version, logger: logger)
        let state = EmulatorState(
            version: version, store: store, types: MetadataType.all(for: version), faults: faults, counter: counter,
            authenticator: Authenticator(bearerTokens: bearerTokens, sessions: sessions, oauth2: oauth2),
            systemID: systemID, fallbackBaseURL: fallbackBaseURL, sessions: sessions, oauth2: oauth2, jobs: jobRunner,
            analytics: AnalyticsEngine(today: configuration.today, logger: logger),
            tracker: tracker, dataValues: dataValues, logger: logger)
        let application = buildApplication(
            state: state, host: configuration.host, port: configuration.port, logger: logger,
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? configuration.port)
                portContinuation.finish()
            })
        let serviceGroup = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let runTask = Task {
            defer { portContinuation.finish() }
            try await serviceGroup.run()
        }
        var iterator = portStream.makeAsyncIterator()
        guard let port = await iterator.next() else {
            do {
                try await runTask.value
            } catch {
                await store.close()
                await tracker.close()
                throw EmulatorError(
                    "the emulator could not listen on \(configuration.host):\(configuration.port): \(error)")
            }
            await store.close()
            await tracker.close()
            throw EmulatorError("the emulator stopped before listening on \(configuration.host):\(configuration.port)")
        }
        let host = configuration.host.contains(":") ? "[\(configuration.host)]" : configuration.host
        // The issuer is `server.base.url` with a trailing slash (reference §1.4).
        oauth2?.setIssuer("http://\(host):\(port)/")
        logger.info(
            "DHIS2 emulator listening",
            metadata: ["url": "http://\(host):\(port)", "version": "\(configuration.version)"])
        return Emulator(
            port: port, baseURL: "http://\(host):\(port)", version: configuration.version, faults: faults,
            counter: counter, bearerTokens: bearerTokens, oauth2Server: oauth2, jobRunner: jobRunner, store: store,
            tracker: tracker, serviceGroup: serviceGroup, runTask: runTask,
            logger: logger)
    }

    /// The number of requests received for exactly `path` (no query string), for one method or all; requests
    /// answered by a fault are counted too.
    public func requestCount(method: String? = nil, path: String) -> Int {
        counter.count(method: method, path: path)
    }

    /// Makes `Authorization: Bearer <token>` authenticate as `username` until `expiresAt` (a hook for the OAuth2
    /// server; the token text is kept only in memory).
    public func registerBearerToken(_ token: String, username: String, expiresAt: Date) {
        bearerTokens.register(token, username: username, expiresAt: expiresAt)
    }

    /// Stops listening, finishes in-flight requests and closes the database.
    public func shutdown() async throws {
        await serviceGroup.triggerGracefulShutdown()
        let result = await runTask.result
        await store.close()
        await tracker.close()
        if case .failure(let error) = result, !(error is CancellationError) { throw error }
    }

    /// Waits until the server stops; cancelling the waiting task shuts the server down (for `dhis2 emulator serve`).
    public func waitUntilShutdown() async throws {
        try await withTaskCancellationHandler {
            let result = await runTask.result
            if case .failure(let error) = result, !(error is CancellationError) { throw error }
        } onCancel: {
            Task { await self.serviceGroup.triggerGracefulShutdown() }
        }
        await store.close()
        await tracker.close()
    }
}

/// Starts an emulator, runs `body` with it and always shuts it down, also when `body` throws.
public func withEmulator<T: Sendable>(
    _ configuration: EmulatorConfiguration = .init(), _ body: (Emulator) async throws -> T
) async throws -> T {
    let emulator = try await Emulator.start(configuration)
    let result: T
    do {
        result = try await body(emulator)
    } catch {
        try? await emulator.shutdown()
        throw error
    }
    try await emulator.shutdown()
    return result
}

/// Builds the Hummingbird application serving the emulated API.
func buildApplication(
    state: EmulatorState, host: String, port: Int, logger: Logger,
    onServerRunning: @escaping @Sendable (any Channel) async -> Void
) -> some ApplicationProtocol {
    Application(
        responder: EmulatorResponder(state: state),
        configuration: .init(address: .hostname(host, port: port), serverName: nil),
        onServerRunning: onServerRunning,
        logger: logger)
}
