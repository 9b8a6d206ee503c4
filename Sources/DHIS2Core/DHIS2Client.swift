import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import Synchronization
import _NIOFileSystem

/// A connection to one DHIS2 server.
///
/// Create one with ``connect(to:auth:configuration:)`` and call ``shutdown()`` when done, or scope its lifetime with
/// ``withConnection(to:auth:configuration:isolation:_:)``, which always shuts it down. Connecting reads
/// `/api/system/info` once to learn the server's version (unless a version is pinned); that answer also primes
/// ``system``'s cache. The client is `Sendable`: share one across tasks; it keeps a pool of connections.
public final class DHIS2Client: Sendable {
    /// The server's root, without a trailing slash (e.g. `https://play.im.dhis2.org/stable-2-42-4`).
    public let baseURL: URL
    /// The configuration the client was created with.
    public let configuration: DHIS2Configuration
    /// The API generation the client speaks.
    public let apiVersion: APIVersion
    /// The version the server reported at connect; `nil` when the version was pinned and detection skipped.
    public let serverVersion: ServerVersion?
    /// System reads (info, me, settings) with their cache.
    public let system: SystemResource

    let executor: RequestExecutor
    private let isShutDown = Mutex(false)

    private init(
        executor: RequestExecutor, apiVersion: APIVersion, serverVersion: ServerVersion?, systemInfo: SystemInfo?
    ) {
        self.baseURL = executor.baseURL
        self.configuration = executor.configuration
        self.executor = executor
        self.apiVersion = apiVersion
        self.serverVersion = serverVersion
        self.system = SystemResource(
            executor: executor, cache: SystemCache(ttl: executor.configuration.systemCacheTTL, clock: executor.configuration.clock),
            primedInfo: systemInfo)
    }

    /// Connects to the DHIS2 server at `baseURL`: validates the URL, then (unless a version is pinned) reads
    /// `/api/system/info` to learn and check the server's version.
    ///
    /// - Parameter baseURL: the server's root, e.g. `https://dhis2.example.org` or `http://localhost:8080/dhis`; a
    ///   trailing `/api` is removed.
    /// - Throws: ``DHIS2Error`` — `invalidBaseURL`, `unauthorized`, `transport`, `timeout`, `unexpectedContent`
    ///   (an HTML page where DHIS2 was expected) or `unsupportedVersion`.
    public static func connect(
        to baseURL: String, auth: any AuthProvider, configuration: DHIS2Configuration = DHIS2Configuration()
    ) async throws(DHIS2Error) -> DHIS2Client {
        let url = try validateBaseURL(baseURL)
        let transport = configuration.transport ?? AsyncHTTPClientTransport(configuration: configuration)
        let executor = RequestExecutor(baseURL: url, auth: auth, transport: transport, configuration: configuration)
        do throws(DHIS2Error) {
            switch configuration.version {
            case .pinned(let version):
                configuration.logger.debug("DHIS2 version pinned", metadata: ["version": "\(version)"])
                return DHIS2Client(executor: executor, apiVersion: version, serverVersion: nil, systemInfo: nil)
            case .detect:
                let request = DHIS2Request(method: .get, path: "/api/system/info")
                let response = try await executor.send(request)
                let info = try ResponseInterpreter.decode(SystemInfo.self, from: response, request: request)
                guard let versionString = info.version, let version = ServerVersion(versionString) else {
                    throw DHIS2Error(
                        code: .unexpectedContent,
                        message: "The server's /api/system/info has no readable DHIS2 version (\(info.version ?? "none")). "
                            + "Check that the base URL points at DHIS2, or pin a version.",
                        method: "GET", path: "/api/system/info", status: response.status)
                }
                let apiVersion = try APIVersion.resolve(
                    for: version, allowingFallback: configuration.allowsVersionFallback)
                configuration.logger.debug(
                    "Connected to DHIS2", metadata: ["version": "\(version)", "api": "\(apiVersion)"])
                return DHIS2Client(executor: executor, apiVersion: apiVersion, serverVersion: version, systemInfo: info)
            }
        } catch {
            try? await transport.shutdown()
            throw error
        }
    }

    /// Connects, runs `body` with the client, and shuts the client down afterwards — also when `body` throws.
    public static func withConnection<T>(
        to baseURL: String, auth: any AuthProvider, configuration: DHIS2Configuration = DHIS2Configuration(),
        isolation: isolated (any Actor)? = #isolation, _ body: (DHIS2Client) async throws -> sending T
    ) async throws -> sending T {
        let client = try await connect(to: baseURL, auth: auth, configuration: configuration)
        return try await client.use(body)
    }

    /// Runs `body` with this client and shuts the client down afterwards — also when `body` throws. For a client
    /// obtained elsewhere (a profile, a custom transport) that should live only as long as one piece of work.
    public func use<T>(
        isolation: isolated (any Actor)? = #isolation, _ body: (DHIS2Client) async throws -> sending T
    ) async throws -> sending T {
        let result: T
        do {
            result = try await body(self)
        } catch {
            try? await shutdown()
            throw error
        }
        try await shutdown()
        return result
    }

    /// Closes the client's connections. Later requests fail; calling it again does nothing.
    public func shutdown() async throws {
        let alreadyShutDown = isShutDown.withLock { value in
            defer { value = true }
            return value
        }
        guard !alreadyShutDown else { return }
        try await executor.transport.shutdown()
    }

    static func validateBaseURL(_ string: String) throws(DHIS2Error) -> URL {
        var text = string.trimmingWhitespace()
        while text.hasSuffix("/") { text.removeLast() }
        if text.lowercased().hasSuffix("/api") { text.removeLast(4) }
        func invalid(_ why: String) -> DHIS2Error {
            DHIS2Error(
                code: .invalidBaseURL,
                message: "\"\(redactUserInfo(string))\" is not a usable DHIS2 base URL: \(why). Give the server's root, "
                    + "e.g. https://dhis2.example.org or http://localhost:8080.")
        }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased() else {
            throw invalid("it is not a URL")
        }
        guard scheme == "http" || scheme == "https" else { throw invalid("the scheme must be http or https") }
        guard let host = components.host, !host.isEmpty else { throw invalid("it has no host") }
        guard components.user == nil, components.password == nil else {
            throw invalid("credentials in the URL are not accepted; pass them as the auth provider")
        }
        guard components.query == nil, components.fragment == nil else {
            throw invalid("it must not have a query or a fragment")
        }
        guard let url = URL(string: text) else { throw invalid("it is not a URL") }
        return url
    }

    /// The URL with anything that could be credentials removed. Plain string handling, so a password Foundation
    /// cannot parse (one containing `/`, `?`, `#` or `@`) is redacted too: everything between `://` and the last `@`
    /// goes, which may take part of a path with it — harmless in an error message.
    static func redactUserInfo(_ string: String) -> String {
        guard let schemeEnd = string.range(of: "://") else {
            return string.contains("@") ? "<redacted URL>" : string
        }
        let rest = string[schemeEnd.upperBound...]
        guard let at = rest.lastIndex(of: "@") else { return string }
        return String(string[..<schemeEnd.upperBound]) + "<redacted>" + String(rest[at...])
    }
}

// MARK: - Raw escape hatches

extension DHIS2Client {
    /// Sends `request` and returns the buffered response whatever its status (retries and authentication applied).
    public func send(_ request: DHIS2Request) async throws(DHIS2Error) -> DHIS2Response {
        try await executor.send(request)
    }

    /// `GET path` as JSON. A bare JSON array comes back as `{"data": [...]}`, text (such as `pong`) as a string, an
    /// empty body as null. A path without a leading `/` is below `/api/`.
    public func get(_ path: String, query: [URLQueryItem] = []) async throws(DHIS2Error) -> JSONValue {
        try await json(DHIS2Request(method: .get, path: path, query: query))
    }

    /// `GET path` decoded as `T`; a decoding error names the JSON path where the shape differed.
    public func get<T: Decodable>(_ path: String, query: [URLQueryItem] = [], as type: T.Type) async throws(DHIS2Error)
        -> T
    {
        let request = DHIS2Request(method: .get, path: path, query: query)
        return try ResponseInterpreter.decode(type, from: try await executor.send(request), request: request)
    }

    /// `GET path`, returning the raw body of a 2xx answer, for callers that decode with a reader of their own (the
    /// typed metadata API decodes pages straight from these bytes). Failures throw as ``get(_:query:)``'s do, and an
    /// HTML page answered with 2xx is `unexpectedContent`.
    public func data(_ path: String, query: [URLQueryItem] = []) async throws(DHIS2Error) -> Data {
        let request = DHIS2Request(method: .get, path: path, query: query)
        let response = try await executor.send(request)
        guard (200..<300).contains(response.status) else {
            throw ResponseInterpreter.error(for: response, request: request)
        }
        if response.looksLikeHTML { throw ResponseInterpreter.htmlError(response, request: request) }
        return response.body
    }

    /// `POST path` with a JSON body.
    public func post(_ path: String, query: [URLQueryItem] = [], body: JSONValue? = nil) async throws(DHIS2Error)
        -> JSONValue
    {
        try await json(try jsonRequest(.post, path, query, body))
    }

    /// `PUT path` with a JSON body.
    public func put(_ path: String, query: [URLQueryItem] = [], body: JSONValue? = nil) async throws(DHIS2Error)
        -> JSONValue
    {
        try await json(try jsonRequest(.put, path, query, body))
    }

    /// `PATCH path`; DHIS2 takes JSON Patch (`application/json-patch+json`), the default content type here.
    public func patch(
        _ path: String, query: [URLQueryItem] = [], body: JSONValue,
        contentType: String = "application/json-patch+json"
    ) async throws(DHIS2Error) -> JSONValue {
        var request = try jsonRequest(.patch, path, query, body)
        request.contentType = contentType
        return try await json(request)
    }

    /// `DELETE path`.
    public func delete(_ path: String, query: [URLQueryItem] = []) async throws(DHIS2Error) -> JSONValue {
        try await json(DHIS2Request(method: .delete, path: path, query: query))
    }

    /// Sends a write and returns DHIS2's WebMessage — also when the server answers 409 with one, because a 409 that
    /// carries an import report or import summary is a result to read (what was imported, what conflicted), not a
    /// lost exception. Other failures throw.
    public func webMessage(
        _ method: DHIS2Request.Method, _ path: String, query: [URLQueryItem] = [], body: JSONValue? = nil,
        contentType: String? = nil
    ) async throws(DHIS2Error) -> WebMessage {
        var request = try jsonRequest(method, path, query, body)
        if let contentType { request.contentType = contentType }
        let response = try await executor.send(request)
        if (200..<300).contains(response.status) || response.status == 409, let message = response.webMessage {
            return message
        }
        if (200..<300).contains(response.status) {
            if response.looksLikeHTML { throw ResponseInterpreter.htmlError(response, request: request) }
            throw DHIS2Error(
                code: .decoding, message: "The server's answer is not a DHIS2 WebMessage.", method: method.rawValue,
                path: request.pathWithQuery, status: response.status, body: ResponseInterpreter.truncated(response.text))
        }
        throw ResponseInterpreter.error(for: response, request: request)
    }

    /// Streams the body of `GET path` to the file at `filePath` (replacing it) with bounded memory, and returns the
    /// number of bytes written. A failure status throws before the file is touched.
    @discardableResult
    public func download(_ path: String, query: [URLQueryItem] = [], to filePath: String, accept: String = "application/json")
        async throws(DHIS2Error) -> Int64
    {
        let request = DHIS2Request(method: .get, path: path, query: query, accept: accept)
        // A download may run far longer than a buffered request; the read timeout still catches a silent server.
        return try await executor.stream(request, timeout: .hours(24)) { response in
            do {
                return try await FileSystem.shared.withFileHandle(
                    forWritingAt: FilePath(filePath), options: .newFile(replaceExisting: true)
                ) { handle in
                    var writer = handle.bufferedWriter()
                    var written: Int64 = 0
                    for try await chunk in response.body {
                        written += try await writer.write(contentsOf: chunk)
                    }
                    try await writer.flush()
                    return written
                }
            } catch let error as FileSystemError {
                throw DHIS2Error(
                    code: .invalidRequest,
                    message: "Could not write the download to \(filePath): \(error.message). Check that the folder "
                        + "exists and is writable.",
                    method: "GET", path: request.pathWithQuery)
            }
        }
    }

    private func json(_ request: DHIS2Request) async throws(DHIS2Error) -> JSONValue {
        try ResponseInterpreter.json(from: try await executor.send(request), request: request)
    }

    private func jsonRequest(_ method: DHIS2Request.Method, _ path: String, _ query: [URLQueryItem], _ body: JSONValue?)
        throws(DHIS2Error) -> DHIS2Request
    {
        var request = DHIS2Request(method: method, path: path, query: query)
        if let body {
            do {
                request.body = try body.jsonData()
            } catch {
                throw DHIS2Error(
                    code: .invalidRequest, message: "The request body could not be encoded as JSON: \(error).",
                    method: method.rawValue, path: request.pathWithQuery)
            }
            request.contentType = "application/json"
        }
        return request
    }
}
