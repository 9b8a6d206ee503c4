import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The request context: Hummingbird's core storage plus the channel, so a fault can drop the connection.
struct EmulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }

    /// The peer's IP address, for API token IP allow-lists.
    var remoteAddress: String? { channel.remoteAddress?.ipAddress }
}

/// Everything a handler needs for one request.
struct RequestEnvironment: Sendable {
    let request: Request
    /// The path with the `/api` prefix, any `/api/<n>` version segment and a `.json` suffix removed, split in segments.
    let segments: [String]
    let query: QueryParameters
    /// `scheme://host:port` as the client addressed the server (DHIS2's `contextPath`).
    let contextPath: String
    let principal: Principal
    let snapshot: StoreSnapshot
    let body: ByteBuffer
}

/// Thrown by a dropped-connection fault after the channel is closed; the server has nothing left to write.
struct ConnectionDropped: Error {}

/// The emulator's single responder: counts, plays faults, authenticates, then dispatches by path.
struct EmulatorResponder: HTTPResponder {
    typealias Context = EmulatorRequestContext

    let state: EmulatorState

    func respond(to request: Request, context: Context) async throws -> Response {
        let path = request.uri.path
        let method = request.method.rawValue
        state.counter.record(method: method, path: path)
        state.logger.debug("request", metadata: ["method": "\(method)", "path": "\(path)"])

        if let fault = state.faults.next(method: method, path: path) {
            switch fault.kind {
            case .status(let code, let retryAfter):
                var headers = HTTPFields()
                if let retryAfter { headers[.retryAfter] = retryAfter }
                let status = HTTPResponse.Status(code: code)
                return Reply.webMessage(status, message: Reply.reasonPhrase(code), headers: headers)
            case .delay(let duration):
                try await Task.sleep(for: duration)
            case .dropConnection:
                try? await context.channel.close(mode: .all)
                throw ConnectionDropped()
            }
        }

        let contextPath = Self.contextPath(of: request, fallback: state.fallbackBaseURL)
        var segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        if path.hasPrefix("/oauth2/") || path.hasPrefix("/.well-known/") {
            guard let oauth2 = state.oauth2 else { return OAuth2Server.absent(path: path) ?? Reply.tomcatNotFound(path: path) }
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return oauth2.respond(
                to: request, body: body, snapshot: await state.store.snapshot, contextPath: contextPath)
                ?? Reply.tomcatNotFound(path: path)
        }
        if LoginPage.matches(path), request.method == .get { return LoginPage.response() }
        guard segments.first == "api" else { return Reply.tomcatNotFound(path: path) }
        segments.removeFirst()
        // `/api/42/dataElements` ≡ `/api/dataElements` (versions 28 up to the server's own are accepted).
        if let first = segments.first, let number = Int(first), (28...state.version.minor).contains(number) {
            segments.removeFirst()
        }
        if let last = segments.last, last.hasSuffix(".json"), last.count > 5 {
            segments[segments.count - 1] = String(last.dropLast(5))
        }
        if segments == ["ping"] {
            return Response(status: .ok)
        }

        let snapshot = await state.store.snapshot
        // The login app's JSON login is open to everyone (reference §1, §1.2).
        if segments == ["auth", "login"], request.method == .post {
            var request = request
            let body = try await request.collectBody(upTo: 1 << 20)
            return LoginStep.login(request: request, body: body, snapshot: snapshot, sessions: state.sessions)
        }
        let principal: Principal
        switch state.authenticator.authenticate(
            request: request, snapshot: snapshot, contextPath: contextPath, remoteAddress: context.remoteAddress)
        {
        case .authenticated(let authenticated): principal = authenticated
        case .rejected(let response): return response
        }

        // Data value sets may be very large (a million values is about 200 MiB of JSON): their own body limit.
        if segments.first == "dataValueSets" {
            var request = request
            guard let body = try? await request.collectBody(upTo: DataValueRoutes.bodyLimit) else {
                return Reply.webMessage(HTTPResponse.Status(code: 413), message: "Request body too large")
            }
            let environment = RequestEnvironment(
                request: request, segments: segments, query: QueryParameters(request.uri.query),
                contextPath: contextPath, principal: principal, snapshot: snapshot, body: body)
            return try await APIRouter.route(environment, state: state) ?? Reply.tomcatNotFound(path: path)
        }
        var request = request
        let body: ByteBuffer
        do {
            // Tracker bundles may be larger (the play tracker export alone is several MiB).
            body = try await request.collectBody(upTo: (segments.first == "tracker" ? 256 : 16) * 1024 * 1024)
        } catch {
            return Reply.webMessage(HTTPResponse.Status(code: 413), message: "Request body too large")
        }
        let environment = RequestEnvironment(
            request: request, segments: segments, query: QueryParameters(request.uri.query), contextPath: contextPath,
            principal: principal, snapshot: snapshot, body: body)
        return try await APIRouter.route(environment, state: state) ?? Reply.tomcatNotFound(path: path)
    }

    static func contextPath(of request: Request, fallback: String) -> String {
        guard let host = request.head.authority, !host.isEmpty else { return fallback }
        return "http://" + host
    }
}

/// Maps the path of an authenticated `/api` request to its handler; `nil` means no controller maps it.
enum APIRouter {
    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        let method = environment.request.method
        let segments = environment.segments
        if let response = try await JobRoutes.route(environment, state: state) { return response }
        if let response = try await AnalyticsRoutes.route(environment, state: state) { return response }
        if let response = try await DataValueRoutes.route(environment, state: state) { return response }
        if let response = try await TrackerRoutes.route(environment, state: state) { return response }
        if let response = try await DataIntegrityRoutes.route(environment, state: state) { return response }
        switch (method, segments.first, segments.count) {
        case (.get, "system", 2) where segments[1] == "ping":
            return Reply.text("pong")
        case (.get, "system", 2) where segments[1] == "info":
            return SystemHandlers.info(environment, state: state)
        case (.get, "system", 2) where segments[1] == "id" || segments[1] == "uid":
            return SystemHandlers.uids(environment)
        case (.get, "me", 1):
            return SystemHandlers.me(environment, state: state)
        case (.get, "systemSettings", 1):
            return SystemSettingsHandlers.all()
        case (.get, "systemSettings", 2):
            return SystemSettingsHandlers.one(key: segments[1])
        case (.get, "schemas", 1):
            return SchemasHandlers(environment: environment, state: state).list()
        case (.get, "schemas", 2):
            return SchemasHandlers(environment: environment, state: state).one(segments[1])
        case (.get, "schemas", 3):
            return SchemasHandlers(environment: environment, state: state).property(segments[1], segments[2])
        case (_, "apiToken", _), (_, "apiTokens", _):
            return try await ApiTokenHandlers.route(environment, state: state)
        case (.get, "metadata", 1):
            return MetadataBulkHandlers(environment: environment, state: state).export()
        case (.post, "metadata", 1):
            return try await MetadataBulkHandlers(environment: environment, state: state).importPayload()
        default:
            break
        }
        guard let plural = segments.first, let type = state.types[plural] else { return nil }
        let environment =
            plural == OAuth2ClientRegistration.plural ? OAuth2ClientRegistration.prepared(environment) : environment
        let handlers = MetadataHandlers(type: type, environment: environment, state: state)
        switch (method, segments.count) {
        case (.get, 1): return handlers.list()
        case (.post, 1): return try await handlers.create()
        case (.get, 2) where UID.isValid(segments[1]): return handlers.get(id: segments[1])
        case (.get, 3) where UID.isValid(segments[1]):
            return handlers.getProperty(id: segments[1], property: segments[2])
        case (.put, 2) where UID.isValid(segments[1]): return try await handlers.replace(id: segments[1])
        case (.delete, 2) where UID.isValid(segments[1]): return try await handlers.delete(id: segments[1])
        case (.patch, 2) where UID.isValid(segments[1]): return try await handlers.patch(id: segments[1])
        default: return nil
        }
    }
}

/// Shared, immutable-by-reference state of a running emulator.
struct EmulatorState: Sendable {
    let version: EmulatedVersion
    let store: Store
    let types: [String: MetadataType]
    let faults: FaultInjector
    let counter: RequestCounter
    let authenticator: Authenticator
    let systemID: String
    let fallbackBaseURL: String
    /// `JSESSIONID` sessions made by the login step.
    let sessions: SessionRegistry
    /// The OAuth2 authorization server, on emulated 2.42+ only.
    let oauth2: OAuth2Server?
    /// Background jobs: notifications, summaries and the kick-off response (reference §10).
    let jobs: JobRunner
    /// The analytics tables and query engine (`/api/resourceTables/analytics`, `/api/analytics*`).
    let analytics: AnalyticsEngine
    /// Tracked entities, enrollments, events and relationships (`/api/tracker`).
    let tracker: TrackerStore
    /// Aggregate data values (`/api/dataValueSets`, `/api/dataValues`).
    let dataValues: DataValueStore
    let logger: Logger
}
