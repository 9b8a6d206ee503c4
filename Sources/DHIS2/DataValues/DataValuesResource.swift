import DHIS2Core
import DHIS2Models
import Foundation

extension DHIS2Client {
    /// Aggregate data values: `/api/dataValueSets` import and export, `/api/dataValues` single values.
    public var dataValues: DataValuesResource { DataValuesResource(client: self) }
}

/// Aggregate data values of one client (reference §7).
///
/// ```swift
/// let result = try await client.dataValues.import(set, options: .dryRun)
/// for conflict in result.outcome.conflicts { print(conflict.indexes, conflict.message ?? "") }
///
/// for try await value in client.dataValues.export(DataValueQuery(dataSets: [dataSet], periods: [period],
///                                                                 orgUnits: [district], children: true)) { … }
/// ```
///
/// Imports stream their request bodies and exports their answers, so memory stays bounded by one chunk of values
/// however many are sent or received.
public struct DataValuesResource: Sendable {
    /// The client requests go through.
    public let client: DHIS2Client

    /// The data values of `client`.
    public init(client: DHIS2Client) { self.client = client }

    static let path = "/api/dataValueSets"

    // MARK: - Import

    /// Imports `set` (`POST /api/dataValueSets`) and returns DHIS2's ImportSummary and the outcome — also when DHIS2
    /// answers 409 because values conflicted: a rejected value is a result, not a thrown error.
    ///
    /// With ``DataValueImportOptions/chunkSize`` the values go in several requests, each with the set's other
    /// members (`dataSet`, `period`, `orgUnit`, …), and the result merges their summaries with every conflict's
    /// indexes mapped back to positions in `set.dataValues`. With ``DataValueImportOptions/async`` each request
    /// runs as a DHIS2 job that is awaited, its ImportSummary read from `/api/system/taskSummaries`.
    ///
    /// - Throws: ``DHIS2Error`` — `api` when DHIS2 rejects a request as a whole without an ImportSummary (an
    ///   unreadable payload, a missing authority) in a one-request import; `jobTimeout` when an async import's job
    ///   outlasts ``DataValueImportOptions/jobTimeout``; the usual transport errors.
    public func `import`(_ set: DataValueSet, options: DataValueImportOptions = .default)
        async throws(DHIS2Error) -> DataValueImportResult
    {
        try await `import`(ValueList(values: set.dataValues ?? []), header: set, options: options)
    }

    /// Imports the values `values` produces, streaming them into the request body as they come (or, with
    /// ``DataValueImportOptions/chunkSize``, gathering at most that many per request), so a sequence of any length
    /// is imported with bounded memory.
    ///
    /// - Parameters:
    ///   - values: the values, each with its own period, org unit and so on, or relying on `header`'s.
    ///   - header: the set members sent with every request (`dataSet`, `period`, `orgUnit`,
    ///     `attributeOptionCombo`, `completeDate`, payload id schemes); its `dataValues` are ignored.
    /// - Without chunking the sequence is read once, while the request is sent: if the server refuses the
    ///   credentials and the client renews them, the request cannot be sent again and fails with a `transport` error
    ///   saying so. Chunks are kept until sent and are sent again in that case.
    /// - Throws: as ``import(_:options:)``, and the sequence's own error as `transport` (its description in
    ///   `underlying`) when it fails mid-upload.
    public func `import`<Values: AsyncSequence & Sendable>(
        _ values: Values, header: DataValueSet = DataValueSet(), options: DataValueImportOptions = .default
    ) async throws(DHIS2Error) -> DataValueImportResult where Values.Element == DataValue {
        if let chunkSize = options.chunkSize {
            return try await importChunked(values, header: header, chunkSize: chunkSize, options: options)
        }
        let counter = ValueCounter()
        let body = StreamingRequestBody(isReplayable: false) {
            DataValueSetBody(header: header, values: values, counter: counter)
        }
        let answer = try await send(body, options: options, valueRange: nil, counter: counter)
        return DataValueImportResult(requests: [answer], valueCount: counter.count)
    }

    /// Imports the data value set in the JSON file at `path`.
    ///
    /// Without ``DataValueImportOptions/chunkSize`` the file's bytes are streamed to the server as they are (never
    /// held in memory, never parsed here: the result's ``DataValueImportResult/valueCount`` is then the number of
    /// values DHIS2 counted). With a chunk size the file is read twice with bounded memory — once for the set's
    /// members outside `dataValues`, once for the values — and sent in chunks as ``import(_:header:options:)`` does,
    /// conflict indexes mapped to the values' positions in the file.
    ///
    /// - Throws: ``DHIS2Error`` — `invalidRequest` when the file cannot be read, `decoding` (chunked) when it is not
    ///   a data value set, and ``import(_:options:)``'s errors.
    public func importFile(at path: String, options: DataValueImportOptions = .default)
        async throws(DHIS2Error) -> DataValueImportResult
    {
        guard let chunkSize = options.chunkSize else {
            let body = try await StreamingRequestBody.file(at: path)
            let answer = try await send(body, options: options, valueRange: nil, counter: nil)
            return DataValueImportResult(requests: [answer], valueCount: answer.summary.importCount?.total ?? 0)
        }
        let header = try await Self.header(ofFileAt: path)
        return try await importChunked(
            DataValueFile(path: path), header: header, chunkSize: chunkSize, options: options)
    }

    /// The members of the data value set in the file at `path` other than `dataValues`, read with bounded memory.
    static func header(ofFileAt path: String) async throws(DHIS2Error) -> DataValueSet {
        var iterator = JSONArrayElements(FileChunks(path: path), member: "dataValues").makeAsyncIterator()
        do {
            while try await iterator.next() != nil {}
        } catch let error as DHIS2Error {
            throw error
        } catch {
            throw DHIS2Error(code: .invalidRequest, message: "The file \(path) could not be read: \(error).")
        }
        var object: [UInt8] = [UInt8(ascii: "{")]
        for (name, value) in iterator.rootMembers.sorted(by: { $0.key < $1.key }) {
            if object.count > 1 { object.append(UInt8(ascii: ",")) }
            var writer = DHIS2JSONWriter()
            writer.write(name)
            object.append(contentsOf: writer.bytes)
            object.append(UInt8(ascii: ":"))
            object.append(contentsOf: value)
        }
        object.append(UInt8(ascii: "}"))
        do {
            return try DataValueSet(jsonBytes: object)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The file \(path) is not a data value set: \(error).", underlying: "\(error)")
        }
    }

    private func importChunked<Values: AsyncSequence & Sendable>(
        _ values: Values, header: DataValueSet, chunkSize: Int, options: DataValueImportOptions
    ) async throws(DHIS2Error) -> DataValueImportResult where Values.Element == DataValue {
        guard chunkSize > 0 else {
            throw DHIS2Error(code: .invalidRequest, message: "The chunk size must be at least 1 (it is \(chunkSize)).")
        }
        var answers: [DataValueImportResult.Request] = []
        // A chunk is kept encoded (about a fifth of the size of the decoded values) until it has been sent, so it
        // can be sent again if the client must retry with renewed credentials.
        let opening = DataValueSetBody<ValueList>.opening(header)
        var encoded = opening
        var count = 0
        var sent = 0
        var writer = DHIS2JSONWriter()
        var iterator = values.makeAsyncIterator()
        while true {
            let value: DataValue?
            do {
                value = try await iterator.next()
            } catch let error as DHIS2Error {
                throw error
            } catch {
                throw DHIS2Error(
                    code: .invalidRequest,
                    message: "Reading the values to import failed after \(sent + count) values: \(error). "
                        + "The first \(sent) were sent.",
                    underlying: "\(error)")
            }
            if let value {
                if count > 0 { encoded.append(UInt8(ascii: ",")) }
                writer = DHIS2JSONWriter()
                value.writeJSON(to: &writer)
                encoded.append(contentsOf: writer.bytes)
                count += 1
            }
            if count == chunkSize || (value == nil && (count > 0 || answers.isEmpty)) {
                // (An empty input still sends one request with the empty set, so the result is DHIS2's own.)
                encoded.append(contentsOf: "]}".utf8)
                let body = StreamingRequestBody(length: Int64(encoded.count), isReplayable: true) {
                    [encoded] in ByteSlices(bytes: encoded)
                }
                answers.append(try await send(body, options: options, valueRange: sent..<(sent + count), counter: nil))
                sent += count
                count = 0
                encoded = opening
            }
            if value == nil { break }
        }
        return DataValueImportResult(requests: answers, valueCount: sent)
    }

    /// Sends one import request and reads its ImportSummary (awaiting the job of an async import).
    ///
    /// `valueRange` is the request's values' positions in the input when known; `nil` for a one-request import,
    /// whose range is filled from `counter` (or DHIS2's count) afterwards.
    private func send(
        _ body: StreamingRequestBody, options: DataValueImportOptions, valueRange: Range<Int>?, counter: ValueCounter?
    ) async throws(DHIS2Error) -> DataValueImportResult.Request {
        let request = DHIS2Request(
            method: .post, path: Self.path, query: options.queryItems, contentType: "application/json")
        let message = try await client.webMessage(request, streaming: body, timeout: options.requestTimeout)
        func range(_ summary: ImportSummary) -> Range<Int> {
            valueRange ?? 0..<(counter?.count ?? summary.importCount?.total ?? 0)
        }
        if let job = message.jobReference {
            let summary = try await awaitSummary(of: job, options: options)
            return .init(range: range(summary), summary: summary, webMessage: message, job: job)
        }
        if let summary = message.importSummary {
            return .init(range: range(summary), summary: summary, webMessage: message)
        }
        let status = message.httpStatusCode ?? 0
        guard let valueRange, valueRange.count > 0 || status >= 400 else {
            throw DHIS2Error(
                code: status >= 400 ? .api : .decoding,
                message: status >= 400
                    ? "DHIS2 rejected the data value import as a whole: \(message.message ?? "no message")"
                    : "The answer to the data value import carries no ImportSummary.",
                method: "POST", path: Self.path, status: status, webMessage: message)
        }
        // A chunk rejected as a whole (e.g. 2.43+'s E8002 when the data set cannot be told): every value of the chunk
        // is reported rejected with the server's message, so earlier chunks' results are kept and each value stays
        // traceable to its input position.
        let indexes = Array(0..<valueRange.count)
        let summary = ImportSummary(
            status: .error, description: message.message, importCount: ImportCount(ignored: valueRange.count),
            conflicts: [
                ImportConflict(
                    origin: .importSummary, value: message.message, errorCode: message.errorCode,
                    message: message.message, indexes: indexes)
            ],
            rejectedIndexes: indexes)
        return .init(range: valueRange, summary: summary, webMessage: message)
    }

    /// Waits for an async import's job and reads its bare ImportSummary.
    private func awaitSummary(of job: JobReference, options: DataValueImportOptions) async throws(DHIS2Error)
        -> ImportSummary
    {
        let completion = try await client.jobs.wait(
            for: job, timeout: options.jobTimeout, pollInterval: options.jobPollInterval)
        let path = "/api/system/taskSummaries/\(job.jobType?.rawValue ?? "DATAVALUE_IMPORT")/\(job.id.rawValue)"
        guard let json = try await client.jobs.summary(for: job) else {
            throw DHIS2Error(
                code: .api,
                message: "The data value import job \(job.id) ended (\(completion.status)) without an import summary"
                    + (completion.message.map { ": \($0)" } ?? ".") + " Check the server's log for the job.",
                method: "GET", path: path)
        }
        do {
            return try json.decode(ImportSummary.self)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The summary of data value import job \(job.id) is not an ImportSummary.",
                method: "GET", path: path, underlying: "\(error)")
        }
    }
}

/// The values of the data value set in a file, read with bounded memory.
struct DataValueFile: AsyncSequence, Sendable {
    typealias Element = DataValue
    let path: String

    struct AsyncIterator: AsyncIteratorProtocol {
        var elements: JSONArrayElements<FileChunks>.AsyncIterator
        var index = 0

        mutating func next() async throws -> DataValue? {
            guard let bytes = try await elements.next() else { return nil }
            defer { index += 1 }
            do {
                return try DataValue(jsonBytes: bytes)
            } catch {
                throw DHIS2Error(
                    code: .decoding, message: "Data value \(index) is not a data value: \(error).",
                    codingPath: ["dataValues", String(index)], underlying: "\(error)")
            }
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(elements: JSONArrayElements(FileChunks(path: path), member: "dataValues").makeAsyncIterator())
    }
}

/// Bytes held in memory, handed out in slices of at most 256 KiB.
struct ByteSlices: AsyncSequence, Sendable {
    typealias Element = [UInt8]
    let bytes: [UInt8]

    struct AsyncIterator: AsyncIteratorProtocol {
        let bytes: [UInt8]
        var offset = 0
        mutating func next() async -> [UInt8]? {
            guard offset < bytes.count else { return nil }
            let end = Swift.min(bytes.count, offset + 256 * 1024)
            defer { offset = end }
            return Array(bytes[offset..<end])
        }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(bytes: bytes) }
}
