import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// What the authorization server's redirect to the loopback receiver said.
enum CallbackOutcome: Sendable, Equatable {
    case code(String)
    case failure(OAuth2LoginError)

    /// Reads the redirect's query (RFC 6749 §4.1.2): the `state` must be the one sent, then either a `code` or an
    /// `error` (with `error_description`) must be present.
    static func evaluate(query: [String: String], expectedState: String) -> CallbackOutcome {
        guard let state = query["state"], constantTimeEquals(state, expectedState) else {
            return .failure(
                OAuth2LoginError(
                    .stateMismatch,
                    "The redirect to the login receiver carried a different state than the login sent, so it did not "
                        + "come from this login and was ignored. Start the login again.",
                    oauthError: query["error"]))
        }
        if let error = query["error"] {
            let detail = query["error_description"].map { ": \($0)" } ?? ""
            if error == "access_denied" {
                return .failure(
                    OAuth2LoginError(
                        .consentDenied,
                        "Consent was denied at the authorization server (access_denied\(detail)). Log in again and "
                            + "approve the access, or check that the user may use this client.",
                        oauthError: error))
            }
            return .failure(
                OAuth2LoginError(
                    .authorizationFailed,
                    "The authorization server refused the login (\(error)\(detail)). Check the client's registered "
                        + "redirect URIs, scopes and grant types on the server.",
                    oauthError: error))
        }
        guard let code = query["code"], !code.isEmpty else {
            return .failure(
                OAuth2LoginError(
                    .missingCode,
                    "The redirect to the login receiver carried no authorization code and no error. Start the login "
                        + "again."))
        }
        return .code(code)
    }

    private static func constantTimeEquals(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        return zip(left, right).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}

/// A one-shot HTTP/1.1 server on `127.0.0.1` that waits for the authorization server's redirect.
///
/// It answers the first request to its redirect path with a short HTML page for the browser, hands the outcome to
/// ``outcome()`` and stops listening; requests to other paths (a browser's `/favicon.ico`) get a 404 and are
/// otherwise ignored.
final class LoopbackReceiver: Sendable {
    /// The port it listens on (chosen by the system when asked for port 0).
    let port: Int
    private let serverChannel: any Channel
    private let outcomes: AsyncStream<CallbackOutcome>
    private let gate: CallbackGate

    private init(port: Int, serverChannel: any Channel, outcomes: AsyncStream<CallbackOutcome>, gate: CallbackGate) {
        self.port = port
        self.serverChannel = serverChannel
        self.outcomes = outcomes
        self.gate = gate
    }

    /// Starts listening on `127.0.0.1:port` (`0` for any free port).
    static func start(port: Int, path: String, expectedState: String) async throws -> LoopbackReceiver {
        let (stream, continuation) = AsyncStream.makeStream(of: CallbackOutcome.self, bufferingPolicy: .bufferingNewest(1))
        let gate = CallbackGate(continuation: continuation)
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        CallbackHandler(path: path, expectedState: expectedState, gate: gate))
                }
            }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: "127.0.0.1", port: port).get()
        } catch {
            continuation.finish()
            throw OAuth2LoginError(
                .receiverFailed,
                "The login receiver could not listen on 127.0.0.1:\(port) (\(error)). Free the port or use a redirect "
                    + "URI with another port, or none for a free one.")
        }
        let receiver = LoopbackReceiver(
            port: channel.localAddress?.port ?? port, serverChannel: channel, outcomes: stream, gate: gate)
        gate.onDelivered { channel.close(promise: nil) }
        return receiver
    }

    /// Waits for the redirect; returns `nil` when the task is cancelled or the receiver was closed first.
    func outcome() async -> CallbackOutcome? {
        for await outcome in outcomes { return outcome }
        return nil
    }

    /// Stops listening (idempotent).
    func close() async {
        gate.finish()
        try? await serverChannel.close()
    }
}

/// Lets exactly one redirect through, across connections.
final class CallbackGate: Sendable {
    private struct State {
        var delivered = false
        var afterDelivery: (@Sendable () -> Void)?
    }

    private let state = Mutex(State())
    private let continuation: AsyncStream<CallbackOutcome>.Continuation

    init(continuation: AsyncStream<CallbackOutcome>.Continuation) { self.continuation = continuation }

    func onDelivered(_ action: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.delivered { return true }
            state.afterDelivery = action
            return false
        }
        if runNow { action() }
    }

    /// Delivers the first outcome; returns `false` when one was already delivered.
    func deliver(_ outcome: CallbackOutcome) -> Bool {
        let (first, action) = state.withLock { state -> (Bool, (@Sendable () -> Void)?) in
            guard !state.delivered else { return (false, nil) }
            state.delivered = true
            return (true, state.afterDelivery)
        }
        guard first else { return false }
        continuation.yield(outcome)
        continuation.finish()
        action?()
        return true
    }

    func finish() {
        state.withLock { $0.delivered = true }
        continuation.finish()
    }
}

/// Answers one HTTP connection of the loopback receiver.
private final class CallbackHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let path: String
    private let expectedState: String
    private let gate: CallbackGate
    private var head: HTTPRequestHead?

    init(path: String, expectedState: String, gate: CallbackGate) {
        self.path = path
        self.expectedState = expectedState
        self.gate = gate
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): self.head = head
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let components = URLComponents(string: head.uri)
        guard head.method == .GET, let components, components.path == path else {
            write(status: .notFound, html: page("Not found", "This address only receives the DHIS2 login redirect."),
                  context: context)
            return
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] where query[item.name] == nil { query[item.name] = item.value ?? "" }
        let outcome = CallbackOutcome.evaluate(query: query, expectedState: expectedState)
        let html: String
        let status: HTTPResponseStatus
        switch outcome {
        case .code:
            status = .ok
            html = page("Logged in", "The DHIS2 login is complete. You can close this window and return to the terminal.")
        case .failure(let error):
            status = .badRequest
            html = page("Login failed", Self.escape(error.message))
        }
        // A second redirect (a reload, or a stray request) finds the login already decided.
        guard gate.deliver(outcome) else {
            write(status: .gone, html: page("Already used", "This login already received its redirect."), context: context)
            return
        }
        write(status: status, html: html, context: context)
    }

    private func write(status: HTTPResponseStatus, html: String, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "text/html; charset=utf-8")
        headers.add(name: "Content-Length", value: String(html.utf8.count))
        headers.add(name: "Cache-Control", value: "no-store")
        headers.add(name: "Connection", value: "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: html)))), promise: nil)
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
    }

    private func page(_ title: String, _ text: String) -> String {
        """
        <!doctype html><html lang="en"><head><meta charset="utf-8"><title>\(title) – DHIS2</title></head>\
        <body style="font-family: sans-serif; margin: 3em"><h1>\(title)</h1><p>\(text)</p></body></html>
        """
    }

    private static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
    }
}
