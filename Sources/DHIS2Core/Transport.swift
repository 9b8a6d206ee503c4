import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL
import NIOHTTPCompression

/// What carries requests to the server: AsyncHTTPClient by default, or your own (a proxy, a recorder, a test double).
///
/// A transport sends exactly what it is given; authentication, retries and error mapping happen in the client.
public protocol DHIS2Transport: Sendable {
    /// Sends `request`; the response body streams and must be read or dropped by the caller.
    func execute(_ request: HTTPClientRequest, timeout: TimeAmount, logger: Logger) async throws -> HTTPClientResponse
    /// Releases the transport's connections. Called once by the client that owns it.
    func shutdown() async throws
}

/// The default transport: one AsyncHTTPClient `HTTPClient` configured from a ``DHIS2Configuration``.
///
/// Redirects are not followed: DHIS2 redirects unauthenticated requests to its login page, which the client reports
/// as an authentication failure, and following a redirect elsewhere could send credentials to another host.
public final class AsyncHTTPClientTransport: DHIS2Transport {
    private let client: HTTPClient

    public init(configuration: DHIS2Configuration) {
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.verifiesTLS { tls.certificateVerification = .none }
        var config = HTTPClient.Configuration(
            tlsConfiguration: tls,
            redirectConfiguration: .disallow,
            timeout: .init(connect: configuration.connectTimeout.timeAmount, read: configuration.readTimeout.timeAmount),
            connectionPool: .init(
                idleTimeout: .seconds(60),
                concurrentHTTP1ConnectionsPerHostSoftLimit: configuration.connectionPoolSize),
            decompression: .enabled(limit: .ratio(200)))
        config.httpVersion = .automatic
        // AsyncHTTPClient would keep retrying a refused connection until the connect timeout, so an unreachable server
        // took 3 × 10 s to report. Failing fast hands the error to the client's RetryPolicy, the one place that
        // decides about retries.
        config.connectionPool.retryConnectionEstablishment = false
        self.client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: config)
    }

    public func execute(_ request: HTTPClientRequest, timeout: TimeAmount, logger: Logger) async throws
        -> HTTPClientResponse
    {
        try await client.execute(request, timeout: timeout, logger: logger)
    }

    public func shutdown() async throws { try await client.shutdown() }
}

/// A request before authentication: method, path below the base URL, query and body.
public struct DHIS2Request: Sendable {
    /// An HTTP method. (Nested, so it never clashes with NIO's `HTTPMethod` in files that import both.)
    public struct Method: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue.uppercased() }

        public static let get = Method(rawValue: "GET")
        public static let post = Method(rawValue: "POST")
        public static let put = Method(rawValue: "PUT")
        public static let patch = Method(rawValue: "PATCH")
        public static let delete = Method(rawValue: "DELETE")
        public static let head = Method(rawValue: "HEAD")

        /// Whether sending the request twice has the same effect as once (GET, HEAD, PUT, DELETE, OPTIONS).
        public var isIdempotent: Bool { ["GET", "HEAD", "PUT", "DELETE", "OPTIONS"].contains(rawValue) }

        public var description: String { rawValue }
    }

    /// The HTTP method.
    public var method: Method
    /// The path below the base URL, e.g. `/api/dataElements`. A path without a leading `/` is taken as below
    /// `/api/` (`dataElements` → `/api/dataElements`).
    public var path: String
    /// Query parameters in order; repeated names are kept (`filter=a&filter=b`).
    public var query: [URLQueryItem]
    /// The body, sent with ``contentType``.
    public var body: Data?
    /// The body's media type.
    public var contentType: String?
    /// The `Accept` header.
    public var accept: String
    /// A body produced piece by piece, sent instead of ``body`` (see `DHIS2Client.send(_:streaming:timeout:)`).
    var streamingBody: StreamingRequestBody?

    public init(
        method: Method, path: String, query: [URLQueryItem] = [], body: Data? = nil, contentType: String? = nil,
        accept: String = "application/json"
    ) {
        self.method = method
        self.path = path
        self.query = query
        self.body = body
        self.contentType = contentType
        self.accept = accept
    }

    /// The path normalised to start with `/`.
    var normalizedPath: String {
        if path.hasPrefix("/") { return path }
        if path.hasPrefix("api/") { return "/" + path }
        return "/api/" + path
    }

    /// The path and the encoded query, as it appears in errors and logs (never credentials).
    var pathWithQuery: String {
        let path = PercentEncoding.path(normalizedPath)
        guard !query.isEmpty else { return path }
        return path + "?" + encodedQuery
    }

    var encodedQuery: String {
        query.map { item in
            let name = PercentEncoding.queryComponent(item.name)
            guard let value = item.value else { return name }
            return name + "=" + PercentEncoding.queryComponent(value)
        }.joined(separator: "&")
    }
}

/// A complete, buffered response.
public struct DHIS2Response: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The response headers.
    public let headers: HTTPHeaders
    /// The body bytes.
    public let body: Data

    public init(status: Int, headers: HTTPHeaders, body: Data) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// The `Content-Type` header's media type, lower-cased, without parameters.
    public var mediaType: String? {
        headers.first(name: "Content-Type").map {
            $0.split(separator: ";", maxSplits: 1).first.map { $0.trimmingWhitespace().lowercased() } ?? ""
        }
    }

    /// The body as UTF-8 text.
    public var text: String { String(decoding: body, as: UTF8.self) }

    /// The body's WebMessage, when it is one.
    public var webMessage: WebMessage? {
        guard looksLikeJSON, let json = try? JSONValue(parsing: body) else { return nil }
        return WebMessage(json: json)
    }

    var looksLikeJSON: Bool {
        if let mediaType, mediaType.contains("json") { return true }
        let first = body.first(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) })
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[")
    }

    var looksLikeHTML: Bool {
        if let mediaType, mediaType.contains("html") { return true }
        let prefix = String(decoding: body.prefix(64), as: UTF8.self).trimmingWhitespace().lowercased()
        return prefix.hasPrefix("<!doctype html") || prefix.hasPrefix("<html")
    }
}

extension Duration {
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
