import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1

/// Sends requests with authentication and retries, and turns failures into ``DHIS2Error``s.
///
/// This is the one place that knows the order of things: authorize, send, renew credentials once on 401, retry what
/// the policy allows, map errors. Nothing here copies a header into an error or a log line.
struct RequestExecutor: Sendable {
    let baseURL: URL
    let auth: any AuthProvider
    let transport: any DHIS2Transport
    let configuration: DHIS2Configuration

    var logger: Logger { configuration.logger }

    /// Sends `request` and buffers the answer, whatever its status; `timeout` defaults to the configured one.
    func send(_ request: DHIS2Request, timeout: TimeAmount? = nil) async throws(DHIS2Error) -> DHIS2Response {
        try await perform(request, timeout: timeout ?? configuration.requestTimeout.timeAmount) {
            response throws(DHIS2Error) in
            let body: ByteBuffer
            do {
                body = try await response.body.collect(upTo: configuration.maxResponseSize)
            } catch {
                throw bodyError(error, request: request)
            }
            return DHIS2Response(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
        }
    }

    /// Sends `request`; a 2xx body streams to `handle`, any other status is buffered and thrown as an error.
    func stream<T: Sendable>(
        _ request: DHIS2Request, timeout: TimeAmount,
        handle: @Sendable (HTTPClientResponse) async throws -> T
    ) async throws(DHIS2Error) -> T {
        let outcome: Result<T, DHIS2Error> = try await perform(request, timeout: timeout) {
            response throws(DHIS2Error) in
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let body: ByteBuffer
                do { body = try await response.body.collect(upTo: 1 << 20) } catch { throw bodyError(error, request: request) }
                let buffered = DHIS2Response(status: status, headers: response.headers, body: Data(buffer: body))
                return .failure(ResponseInterpreter.error(for: buffered, request: request))
            }
            do {
                return .success(try await handle(response))
            } catch let error as DHIS2Error {
                return .failure(error)
            } catch {
                return .failure(bodyError(error, request: request))
            }
        }
        return try outcome.get()
    }

    private func perform<T>(
        _ request: DHIS2Request, timeout: TimeAmount,
        consume: (HTTPClientResponse) async throws(DHIS2Error) -> T
    ) async throws(DHIS2Error) -> T {
        let policy = configuration.retryPolicy
        let retryable = policy.allowsRetry(of: request.method)
        var attempt = 1
        var renewedCredentials = false
        while true {
            if Task.isCancelled { throw cancelled(request) }
            let authorization: AuthorizationHeader?
            do {
                authorization = try await auth.authorization()
            } catch let error as DHIS2Error {
                throw error
            } catch {
                throw DHIS2Error(
                    code: .authentication, message: "The credentials could not be prepared: \(type(of: error)).",
                    method: request.method.rawValue, path: request.pathWithQuery)
            }
            let httpRequest = makeHTTPRequest(request, authorization: authorization)
            let response: HTTPClientResponse
            do {
                response = try await transport.execute(httpRequest, timeout: timeout, logger: logger)
            } catch {
                let mapped = transportError(error, request: request)
                if mapped.code != .cancelled, retryable, attempt < policy.maxAttempts {
                    try await wait(afterAttempt: attempt, retryAfter: nil, request: request, reason: "\(mapped.code)")
                    attempt += 1
                    continue
                }
                throw mapped
            }
            let status = Int(response.status.code)
            logger.debug(
                "DHIS2 response",
                metadata: [
                    "method": "\(request.method)", "path": "\(request.pathWithQuery)", "status": "\(status)",
                    "attempt": "\(attempt)",
                ])
            if status == 401, !renewedCredentials {
                let renewed: Bool
                do {
                    renewed = try await auth.credentialsRejected(authorization)
                } catch let error as DHIS2Error {
                    throw error
                } catch {
                    throw DHIS2Error(
                        code: .authentication, message: "Renewing the credentials failed: \(type(of: error)).",
                        method: request.method.rawValue, path: request.pathWithQuery)
                }
                if renewed {
                    renewedCredentials = true
                    continue
                }
            }
            if policy.retryableStatuses.contains(status), retryable, attempt < policy.maxAttempts {
                let retryAfter = response.headers.first(name: "Retry-After")
                try await wait(afterAttempt: attempt, retryAfter: retryAfter, request: request, reason: "HTTP \(status)")
                attempt += 1
                continue
            }
            return try await consume(response)
        }
    }

    private func wait(afterAttempt attempt: Int, retryAfter: String?, request: DHIS2Request, reason: String)
        async throws(DHIS2Error)
    {
        let delay = configuration.retryPolicy.delay(
            afterAttempt: attempt, retryAfter: retryAfter, now: configuration.clock.now())
        logger.debug(
            "Retrying DHIS2 request",
            metadata: [
                "method": "\(request.method)", "path": "\(request.pathWithQuery)", "reason": "\(reason)",
                "attempt": "\(attempt)", "delay": "\(delay)",
            ])
        do {
            try await configuration.clock.sleep(for: delay)
        } catch {
            throw cancelled(request)
        }
    }

    func makeHTTPRequest(_ request: DHIS2Request, authorization: AuthorizationHeader?) -> HTTPClientRequest {
        var url = baseURL.absoluteString
        url += request.pathWithQuery
        var httpRequest = HTTPClientRequest(url: url)
        httpRequest.method = .init(rawValue: request.method.rawValue)
        httpRequest.headers.add(name: "Accept", value: request.accept)
        httpRequest.headers.add(name: "User-Agent", value: configuration.userAgent)
        // DHIS2 answers an unauthenticated browser-style request with a redirect to its login page; this header asks
        // for the JSON 401 instead (reference §1.5).
        httpRequest.headers.add(name: "X-Requested-With", value: "XMLHttpRequest")
        if let authorization { httpRequest.headers.add(name: "Authorization", value: authorization.value) }
        if let streamingBody = request.streamingBody {
            httpRequest.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            httpRequest.body = streamingBody.makeHTTPBody()
        } else if let body = request.body {
            httpRequest.headers.add(name: "Content-Type", value: request.contentType ?? "application/json")
            httpRequest.body = .bytes(ByteBuffer(data: body))
        }
        return httpRequest
    }

    private func cancelled(_ request: DHIS2Request) -> DHIS2Error {
        DHIS2Error(
            code: .cancelled, message: "The request was cancelled.", method: request.method.rawValue,
            path: request.pathWithQuery)
    }

    private func transportError(_ error: any Error, request: DHIS2Request) -> DHIS2Error {
        if error is CancellationError || (error as? HTTPClientError) == .cancelled || Task.isCancelled {
            return cancelled(request)
        }
        let target = "\(baseURL.host ?? "the server")\(baseURL.port.map { ":\($0)" } ?? "")"
        if let httpError = error as? HTTPClientError,
            [HTTPClientError.connectTimeout, .readTimeout, .deadlineExceeded, .writeTimeout].contains(httpError)
        {
            return DHIS2Error(
                code: .timeout,
                message: "The request to \(target) timed out (\(httpError.shortDescription)). Check the network; for slow "
                    + "endpoints raise the client's readTimeout or requestTimeout.",
                method: request.method.rawValue, path: request.pathWithQuery, underlying: "\(httpError.shortDescription)")
        }
        let detail = (error as? HTTPClientError)?.shortDescription ?? String(describing: error)
        return DHIS2Error(
            code: .transport,
            message: "Could not reach \(target), or the connection was dropped before a complete answer arrived. "
                + "Check that the server is running and that the base URL is right.",
            method: request.method.rawValue, path: request.pathWithQuery, underlying: detail)
    }

    private func bodyError(_ error: any Error, request: DHIS2Request) -> DHIS2Error {
        if let error = error as? NIOTooManyBytesError {
            return DHIS2Error(
                code: .responseTooLarge,
                message: "The response is larger than the buffering limit (\(error.maxBytes.map(String.init) ?? "?") "
                    + "bytes). Stream it to a file with download(_:to:), or raise maxResponseSize.",
                method: request.method.rawValue, path: request.pathWithQuery)
        }
        return transportError(error, request: request)
    }
}

extension HTTPClientError {
    /// The error's name without any request detail.
    var shortDescription: String {
        String(describing: self).replacingOccurrences(of: "HTTPClientError.", with: "")
    }
}
