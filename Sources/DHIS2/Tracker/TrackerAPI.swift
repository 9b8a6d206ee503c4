import DHIS2Core
import DHIS2Models
import Foundation

extension DHIS2Client {
    /// Tracked entities, enrollments, events and relationships through `/api/tracker` (reference §9).
    public var tracker: TrackerAPI { TrackerAPI(client: self) }
}

/// The tracker API of one client: typed lists (one page, or every page lazily), single objects, and imports.
///
/// List parameters are named as the connected server's version names them (``TrackerDialect``), and the pager is
/// read in the version's shape.
///
/// ```swift
/// let page = try await client.tracker.list(
///     TrackedEntityQuery(program: "IpHINAT79UW", orgUnits: ["DiszpKrYNg8"]), pageSize: 100)
/// for try await page in client.tracker.pages(EventQuery(program: "IpHINAT79UW")) { … }
/// let report = try await client.tracker.import(bundle, options: .dryRun)
/// ```
public struct TrackerAPI: Sendable {
    /// The client requests go through.
    public let client: DHIS2Client

    /// The tracker API of `client`.
    public init(client: DHIS2Client) { self.client = client }

    /// The parameter names and pager shape of the connected server.
    public var dialect: TrackerDialect { TrackerDialect(client.apiVersion) }

    // MARK: - Reading

    /// Reads one page of a tracker list (`GET /api/tracker/<collection>`).
    ///
    /// - Parameters:
    ///   - fields: the `fields` selection; DHIS2's default for the list applies when `nil` (tracked entities
    ///     leave out enrollments, events, relationships and program owners).
    ///   - totalPages: ask for `total` and `pageCount` in the pager (costs the server a count).
    /// - Throws: ``DHIS2Error`` `api` (400) for parameters DHIS2 refuses, e.g. a tracked entity list with neither
    ///   `program`, `trackedEntityType` nor `trackedEntities`.
    public func list<Query: TrackerQuery>(
        _ query: Query, fields: Fields? = nil, page: Int? = nil, pageSize: Int? = nil, totalPages: Bool = false
    ) async throws(DHIS2Error) -> TrackerPage<Query.Object> {
        var items = listQuery(query, fields: fields, pageSize: pageSize, totalPages: totalPages)
        if let page { items.append(URLQueryItem(name: "page", value: String(page))) }
        return try await Self.fetchPage(Query.Object.self, client: client, query: items)
    }

    /// Every page of a tracker list as a lazy sequence: each page is requested only when the loop asks for it,
    /// and cancelling the surrounding task stops the requests. Costs one request per page (on 2.41, whose pager
    /// has no next-page link, one more when the last page is full).
    public func pages<Query: TrackerQuery>(
        _ query: Query, fields: Fields? = nil, pageSize: Int? = nil, totalPages: Bool = false
    ) -> TrackerPageSequence<Query.Object> {
        TrackerPageSequence(
            client: client, query: listQuery(query, fields: fields, pageSize: pageSize, totalPages: totalPages))
    }

    /// Reads one object (`GET /api/tracker/<collection>/{uid}`).
    ///
    /// - Parameters:
    ///   - program: for a tracked entity, the program whose attributes and enrollments to include (tracked
    ///     entities only; DHIS2 ignores it elsewhere).
    /// - Throws: ``DHIS2Error`` `api` with status 404 when no such object exists (or the user may not see it).
    public func get<Object: TrackerObject>(
        _ type: Object.Type, _ id: UID, program: UID? = nil, fields: Fields? = nil
    ) async throws(DHIS2Error) -> Object {
        var query: [URLQueryItem] = []
        if let program { query.append(URLQueryItem(name: "program", value: program.rawValue)) }
        if let fields { query.append(URLQueryItem(name: "fields", value: fields.rendered)) }
        let path = "/api/tracker/\(Object.trackerCollection)/\(id.rawValue)"
        let bytes = try await client.data(path, query: query)
        do {
            return try Object(jsonBytes: Array(bytes))
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The server's answer is not a \(Object.self): \(error)", method: "GET",
                path: path, underlying: "\(error)")
        }
    }

    func listQuery<Query: TrackerQuery>(_ query: Query, fields: Fields?, pageSize: Int?, totalPages: Bool)
        -> [URLQueryItem]
    {
        var items = query.queryItems(dialect)
        if let fields { items.append(URLQueryItem(name: "fields", value: fields.rendered)) }
        if let pageSize { items.append(URLQueryItem(name: "pageSize", value: String(pageSize))) }
        if totalPages { items.append(URLQueryItem(name: "totalPages", value: "true")) }
        return items
    }

    static func fetchPage<Object: TrackerObject>(_ type: Object.Type, client: DHIS2Client, query: [URLQueryItem])
        async throws(DHIS2Error) -> TrackerPage<Object>
    {
        let path = "/api/tracker/\(Object.trackerCollection)"
        let bytes = try await client.data(path, query: query)
        do {
            return try TrackerPage<Object>.decode(Array(bytes))
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The server's answer is not a page of \(Object.trackerCollection): \(error)",
                method: "GET", path: path, underlying: "\(error)")
        }
    }

    // MARK: - Importing

    /// Imports `bundle` (`POST /api/tracker`) and returns DHIS2's TrackerImportReport.
    ///
    /// Synchronously (the default here; DHIS2's own default is asynchronous) the report is the answer: HTTP 200, or
    /// 409 when its `status` is `ERROR` — a rejected import is a result to read (validation errors per object),
    /// not a thrown error. With ``TrackerImportOptions/isAsynchronous`` the import runs as a job on the server:
    /// this waits for it through ``DHIS2Client/jobs`` (one request per poll interval) and returns the job's report.
    ///
    /// - Throws: ``DHIS2Error`` — `api` (400) when DHIS2 cannot read the payload; `jobTimeout` when an
    ///   asynchronous import has not finished within the options' timeout; `decoding` when the answer is not a
    ///   TrackerImportReport.
    public func `import`(_ bundle: TrackerBundle, options: TrackerImportOptions = .default)
        async throws(DHIS2Error) -> TrackerImportReport
    {
        if options.isAsynchronous {
            let job = try await submit(bundle, options: options)
            return try await report(of: job, timeout: options.jobTimeout, pollInterval: options.pollInterval)
        }
        let request = DHIS2Request(
            method: .post, path: "/api/tracker", query: options.queryItems(async: false),
            body: try Self.body(bundle), contentType: "application/json")
        let response = try await client.send(request)
        guard response.status == 200 || response.status == 409 else {
            throw Self.failure(response, method: "POST", path: "/api/tracker")
        }
        return try Self.decodeReport(response.body, path: "/api/tracker", status: response.status)
    }

    /// Starts an asynchronous import of `bundle` (`POST /api/tracker?async=true`) and returns the job at once; wait
    /// for it with ``report(of:timeout:pollInterval:)`` or watch it with ``DHIS2Client/jobs``.
    public func submit(_ bundle: TrackerBundle, options: TrackerImportOptions = .default) async throws(DHIS2Error)
        -> JobReference
    {
        let request = DHIS2Request(
            method: .post, path: "/api/tracker", query: options.queryItems(async: true), body: try Self.body(bundle),
            contentType: "application/json")
        let response = try await client.send(request)
        guard (200..<300).contains(response.status), let message = response.webMessage else {
            throw Self.failure(response, method: "POST", path: "/api/tracker")
        }
        guard let job = message.jobReference else {
            throw DHIS2Error(
                code: .decoding, message: "The answer to the asynchronous tracker import names no job.",
                method: "POST", path: "/api/tracker", status: response.status, webMessage: message)
        }
        return job
    }

    /// Waits for the tracker import job `job` to finish, then reads its report (`GET /api/tracker/jobs/{id}/report`).
    ///
    /// - Throws: ``DHIS2Error`` `jobTimeout` when the job has not finished after `timeout`; `api` when the job
    ///   finished without a report (DHIS2 keeps job data in memory only: a restarted server has lost it).
    public func report(of job: JobReference, timeout: Duration = .seconds(600), pollInterval: Duration = .seconds(1))
        async throws(DHIS2Error) -> TrackerImportReport
    {
        let completion = try await client.jobs.wait(for: job, timeout: timeout, pollInterval: pollInterval)
        let path = "/api/tracker/jobs/\(job.id.rawValue)/report"
        guard let summary = try await client.jobs.summary(for: job) else {
            let last = completion.terminal?.message.map { ": \($0)" } ?? ""
            throw DHIS2Error(
                code: .api,
                message: "Tracker import job \(job.id) ended (\(completion.status.rawValue)) without a report\(last).",
                method: "GET", path: path)
        }
        do {
            return try summary.decode(TrackerImportReport.self)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The job's report is not a TrackerImportReport: \(error)", method: "GET",
                path: path, underlying: "\(error)")
        }
    }

    private static func body(_ bundle: TrackerBundle) throws(DHIS2Error) -> Data {
        var writer = DHIS2JSONWriter()
        writer.write(try bundle.jsonValue())
        return Data(writer.bytes)
    }

    private static func decodeReport(_ body: Data, path: String, status: Int) throws(DHIS2Error) -> TrackerImportReport {
        do {
            return try JSONDecoder().decode(TrackerImportReport.self, from: body)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The answer to the tracker import is not a TrackerImportReport: \(error)",
                method: "POST", path: path, status: status, body: String(decoding: body.prefix(4096), as: UTF8.self),
                underlying: "\(error)")
        }
    }

    /// The error for an answer that is neither a report nor a job: DHIS2's WebMessage when it sent one.
    private static func failure(_ response: DHIS2Response, method: String, path: String) -> DHIS2Error {
        let message = response.webMessage
        let said = message?.message ?? message?.httpStatus ?? "no message"
        return DHIS2Error(
            code: response.status == 401 ? .unauthorized : .api,
            message: "DHIS2 answered \(response.status) to \(method) \(path): \(said)", method: method, path: path,
            status: response.status, webMessage: message, body: String(decoding: response.body.prefix(4096), as: UTF8.self))
    }
}
