import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization
import _NIOFileSystem

/// A request body produced piece by piece while it is sent, so a large upload (a data value import of millions of
/// rows) never sits in memory whole.
///
/// The body is described by a function that makes the sequence of byte chunks. The client may need to send a
/// request again (once, after the server refused credentials that could then be renewed); a *replayable* body makes
/// a fresh sequence each time (a file read again from the start, values encoded again), a one-shot body (one made
/// from a sequence that can be iterated once) fails that second attempt with a clear error instead of sending a
/// truncated body.
public struct StreamingRequestBody: Sendable {
    /// The exact size in bytes when known in advance (sent as `Content-Length`); otherwise the body is sent with
    /// chunked transfer encoding.
    public let length: Int64?
    /// Whether the body can be produced again for a second attempt.
    public let isReplayable: Bool
    private let make: @Sendable () -> HTTPClientRequest.Body

    /// A body whose chunks `makeChunks` produces; it is called once per attempt.
    ///
    /// - Parameters:
    ///   - length: the body's exact size in bytes, when known.
    ///   - isReplayable: whether `makeChunks` can be called again and produce the same bytes. When `false` it is
    ///     called at most once.
    public init<Chunks: AsyncSequence & Sendable>(
        length: Int64? = nil, isReplayable: Bool, makeChunks: @escaping @Sendable () -> Chunks
    ) where Chunks.Element == [UInt8] {
        self.length = length
        self.isReplayable = isReplayable
        let used = OneShotFlag()
        let bodyLength: HTTPClientRequest.Body.Length = length.map { .known($0) } ?? .unknown
        self.make = {
            if !isReplayable, used.markUsed() {
                return .stream(RefusedReplay(), length: bodyLength)
            }
            return .stream(ByteBufferChunks(base: makeChunks()), length: bodyLength)
        }
    }

    /// A replayable body that streams the file at `path` from its start, in chunks of `chunkSize` bytes.
    ///
    /// The file is opened when the body is sent and closed when it has been read; its size is sent as
    /// `Content-Length`.
    ///
    /// - Throws: ``DHIS2Error`` with code `invalidRequest` when the file cannot be read.
    public static func file(at path: String, chunkSize: Int = 256 * 1024) async throws(DHIS2Error) -> StreamingRequestBody {
        let size: Int64
        do {
            guard let info = try await FileSystem.shared.info(forFileAt: FilePath(path)) else {
                throw DHIS2Error(
                    code: .invalidRequest, message: "There is no file at \(path) to send. Check the path.")
            }
            size = info.size
        } catch let error as DHIS2Error {
            throw error
        } catch {
            throw DHIS2Error(
                code: .invalidRequest, message: "The file \(path) could not be read: \(error). Check the path.",
                underlying: "\(error)")
        }
        return StreamingRequestBody(length: size, isReplayable: true) {
            FileChunks(path: path, chunkSize: chunkSize)
        }
    }

    func makeHTTPBody() -> HTTPClientRequest.Body { make() }
}

/// Remembers whether a one-shot body was already handed out.
private final class OneShotFlag: Sendable {
    private let used = Mutex(false)

    /// Marks the flag and says whether it had been marked before.
    func markUsed() -> Bool {
        used.withLock { value in
            defer { value = true }
            return value
        }
    }
}

/// The error a one-shot body's second attempt fails with.
struct StreamingBodyNotReplayable: Error, CustomStringConvertible {
    var description: String {
        "the request body was streamed from a sequence that can be read only once, and the request had to be sent "
            + "again (the server refused the credentials first); send it again with a fresh sequence"
    }
}

/// A body sequence that fails at once: the second attempt of a one-shot body.
private struct RefusedReplay: AsyncSequence, Sendable {
    typealias Element = ByteBuffer
    struct AsyncIterator: AsyncIteratorProtocol {
        mutating func next() async throws -> ByteBuffer? { throw StreamingBodyNotReplayable() }
    }
    func makeAsyncIterator() -> AsyncIterator { AsyncIterator() }
}

/// Byte-array chunks as the `ByteBuffer`s AsyncHTTPClient sends.
private struct ByteBufferChunks<Base: AsyncSequence & Sendable>: AsyncSequence, Sendable where Base.Element == [UInt8] {
    typealias Element = ByteBuffer
    let base: Base

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: Base.AsyncIterator
        mutating func next() async throws -> ByteBuffer? {
            guard let chunk = try await base.next() else { return nil }
            return ByteBuffer(bytes: chunk)
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: base.makeAsyncIterator()) }
}

/// The bytes of a file in chunks, read on demand.
///
/// The file is opened for each chunk and closed again at once, so an iteration abandoned half-way (an upload that
/// failed) never leaves a file open.
public struct FileChunks: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    /// The file's path.
    public let path: String
    /// The most bytes one chunk holds.
    public let chunkSize: Int

    /// The chunks of the file at `path`.
    public init(path: String, chunkSize: Int = 256 * 1024) {
        self.path = path
        self.chunkSize = Swift.max(1, chunkSize)
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        let path: String
        let chunkSize: Int
        var offset: Int64 = 0
        var finished = false

        /// The next chunk, or `nil` at the end of the file.
        ///
        /// - Throws: ``DHIS2Error`` with code `invalidRequest` when the file cannot be opened or read.
        public mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            let (offset, length) = (self.offset, Int64(chunkSize))
            let buffer: ByteBuffer
            do {
                buffer = try await FileSystem.shared.withFileHandle(forReadingAt: FilePath(path)) { handle in
                    try await handle.readChunk(fromAbsoluteOffset: offset, length: .bytes(length))
                }
            } catch {
                finished = true
                throw DHIS2Error(
                    code: .invalidRequest,
                    message: "The file \(path) could not be read: \(error). Check that it exists and is readable.",
                    underlying: "\(error)")
            }
            guard buffer.readableBytes > 0 else {
                finished = true
                return nil
            }
            self.offset += Int64(buffer.readableBytes)
            return Array(buffer.readableBytesView)
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path, chunkSize: chunkSize) }
}

/// The body of one `GET`, read on demand as byte chunks: the request is sent when iteration starts, and a status
/// other than 2xx throws from the first `next()` with the usual ``DHIS2Error``.
///
/// Memory stays bounded: AsyncHTTPClient reads from the network only as fast as the chunks are taken. Stopping
/// early (leaving the loop) drops the connection's remaining body.
public struct DHIS2ByteStream: AsyncSequence, Sendable {
    public typealias Element = [UInt8]
    let executor: RequestExecutor
    let request: DHIS2Request
    let timeout: TimeAmount

    public struct AsyncIterator: AsyncIteratorProtocol {
        enum State {
            case idle
            case open(HTTPClientResponse.Body.AsyncIterator)
            case finished
        }

        let stream: DHIS2ByteStream
        var state = State.idle

        /// The next chunk of the body, or `nil` at its end.
        ///
        /// - Throws: ``DHIS2Error``: the request's failure (status, WebMessage) on the first call, a `transport`
        ///   error when the connection drops mid-body, `cancelled` when the task is.
        public mutating func next() async throws -> [UInt8]? {
            switch state {
            case .finished:
                return nil
            case .idle:
                let response: HTTPClientResponse
                do {
                    // The handler only returns the response; its body is read lazily below.
                    response = try await stream.executor.stream(stream.request, timeout: stream.timeout) { $0 }
                } catch {
                    state = .finished
                    throw error
                }
                state = .open(response.body.makeAsyncIterator())
                return try await next()
            case .open(var iterator):
                do {
                    guard let buffer = try await iterator.next() else {
                        state = .finished
                        return nil
                    }
                    state = .open(iterator)
                    return Array(buffer.readableBytesView)
                } catch {
                    state = .finished
                    let request = stream.request
                    if error is CancellationError || Task.isCancelled {
                        throw DHIS2Error(
                            code: .cancelled, message: "The request was cancelled.", method: request.method.rawValue,
                            path: request.pathWithQuery)
                    }
                    throw DHIS2Error(
                        code: .transport,
                        message: "The connection was dropped while the answer was being read. Check the server and "
                            + "the network, then try again.",
                        method: request.method.rawValue, path: request.pathWithQuery,
                        underlying: (error as? HTTPClientError)?.shortDescription ?? String(describing: error))
                }
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(stream: self) }
}

/// The elements of one array member of a JSON object that streams in as byte chunks (see
/// ``JSONArrayElementSplitter``): each element's bytes, one at a time, with bounded memory.
public struct JSONArrayElements<Chunks: AsyncSequence & Sendable>: AsyncSequence, Sendable
where Chunks.Element == [UInt8] {
    public typealias Element = [UInt8]
    /// The byte chunks of the document.
    public let chunks: Chunks
    /// The root member whose array elements are handed out.
    public let member: String

    /// The elements of the array `member` of the JSON object `chunks` carries.
    public init(_ chunks: Chunks, member: String) {
        self.chunks = chunks
        self.member = member
    }

    public struct AsyncIterator: AsyncIteratorProtocol {
        var chunks: Chunks.AsyncIterator
        var splitter: JSONArrayElementSplitter
        var finished = false

        /// The next element's bytes, or `nil` after the last.
        ///
        /// - Throws: the chunk source's error, or ``DHIS2Error`` with code `decoding` when the document is not an
        ///   object with that array or ends early.
        public mutating func next() async throws -> [UInt8]? {
            while !finished {
                if let element = try splitter.nextElement() { return element }
                guard let chunk = try await chunks.next() else {
                    finished = true
                    try splitter.finish()
                    return nil
                }
                splitter.append(chunk)
            }
            return nil
        }

        /// The root object's other small members seen so far, as raw JSON by name.
        public var rootMembers: [String: [UInt8]] { splitter.rootMembers }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(chunks: chunks.makeAsyncIterator(), splitter: JSONArrayElementSplitter(member: member))
    }
}

extension DHIS2Client {
    /// Sends `request` with `body` streamed as it is produced, and returns the buffered answer whatever its status
    /// (as ``send(_:)`` does), so a 409 carrying an import summary can be read.
    ///
    /// - Parameters:
    ///   - timeout: the longest the upload and the server's work until its answer starts may take; by default the
    ///     configured ``DHIS2Configuration/requestTimeout``. The configured read timeout applies as well: a server
    ///     silent for longer (busy with a very large import) fails the request.
    /// - Throws: ``DHIS2Error`` — `transport` when the body's source fails (its error in `underlying`) or the
    ///   connection drops, `timeout`, `cancelled`; never for an error status.
    public func send(_ request: DHIS2Request, streaming body: StreamingRequestBody, timeout: Duration? = nil)
        async throws(DHIS2Error) -> DHIS2Response
    {
        var streamed = request
        streamed.body = nil
        streamed.streamingBody = body
        return try await executor.send(streamed, timeout: timeout?.timeAmount)
    }

    /// Sends a write whose body streams, and returns DHIS2's WebMessage — also on 409, whose import summary or
    /// report is a result to read, as ``webMessage(_:_:query:body:contentType:)`` does for buffered bodies.
    ///
    /// - Throws: ``DHIS2Error`` for other failure statuses (with the server's WebMessage when it sent one),
    ///   `decoding` when a 2xx answer is not a WebMessage, and ``send(_:streaming:timeout:)``'s errors.
    public func webMessage(_ request: DHIS2Request, streaming body: StreamingRequestBody, timeout: Duration? = nil)
        async throws(DHIS2Error) -> WebMessage
    {
        let response = try await send(request, streaming: body, timeout: timeout)
        if (200..<300).contains(response.status) || response.status == 409, let message = response.webMessage {
            return message
        }
        if (200..<300).contains(response.status) {
            if response.looksLikeHTML { throw ResponseInterpreter.htmlError(response, request: request) }
            throw DHIS2Error(
                code: .decoding, message: "The server's answer is not a DHIS2 WebMessage.",
                method: request.method.rawValue, path: request.pathWithQuery, status: response.status,
                body: ResponseInterpreter.truncated(response.text))
        }
        throw ResponseInterpreter.error(for: response, request: request)
    }

    /// The body of `request`'s answer as byte chunks read on demand, for answers too large to buffer.
    ///
    /// Nothing is sent until iteration starts; a status other than 2xx throws from the first `next()` as
    /// ``get(_:query:)``'s errors do. `timeout` bounds the wait for the answer to start; once it streams, only the
    /// configured read timeout applies.
    public func byteStream(_ request: DHIS2Request, timeout: Duration? = nil) -> DHIS2ByteStream {
        DHIS2ByteStream(
            executor: executor, request: request,
            timeout: (timeout ?? configuration.requestTimeout).timeAmount)
    }
}
