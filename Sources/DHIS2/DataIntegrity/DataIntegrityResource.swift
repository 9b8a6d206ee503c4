import DHIS2Core
import DHIS2Models
import Foundation

extension DHIS2Client {
    /// DHIS2's metadata integrity checks (`/api/dataIntegrity`): list them, run them as jobs, read their summaries
    /// and details, or stream every issue found.
    public var dataIntegrity: DataIntegrityResource { DataIntegrityResource(client: self) }
}

/// Selects data integrity checks: a check's name (`orgunits_orphaned`), a `*` pattern (`*element*`) or a check's
/// code, the initials of its name's words (`OO`). DHIS2 expands the selection; names it does not know select nothing.
public struct DataIntegrityCheckSelector: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The selector as DHIS2 reads it in `checks=`.
    public let rawValue: String

    /// A selector from its wire form.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A selector from a literal.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The check with this name.
    public static func name(_ name: String) -> DataIntegrityCheckSelector { DataIntegrityCheckSelector(rawValue: name) }

    /// The checks whose names match a pattern where `*` stands for any text.
    public static func pattern(_ pattern: String) -> DataIntegrityCheckSelector {
        DataIntegrityCheckSelector(rawValue: pattern)
    }

    /// The check with this code (the upper-cased initials of its name's words).
    public static func code(_ code: String) -> DataIntegrityCheckSelector {
        DataIntegrityCheckSelector(rawValue: code.uppercased())
    }

    /// The selector as written in `checks=`.
    public var description: String { rawValue }
}

/// One check's cached summary: the check itself and what its last summary run counted.
public struct DataIntegrityCheckSummary: Sendable {
    /// The check (name, display name, section, severity, …), which DHIS2 unwraps into the summary object.
    public var check: DataIntegrityCheck
    /// The run's result: `count` (−1 when the check failed), `percentage` when the check has a baseline, times, `error`.
    public var summary: DataIntegritySummary
}

/// One check's cached details: the check itself and the objects its last details run flagged.
public struct DataIntegrityCheckDetails: Sendable {
    /// The check (name, display name, section, severity, …), which DHIS2 unwraps into the details object.
    public var check: DataIntegrityCheck
    /// The run's result: `issues`, times, `error`.
    public var details: DataIntegrityDetails

    /// The flagged objects (empty when none, or when the check failed).
    public var issues: [DataIntegrityIssue] { details.issues ?? [] }
}

/// One issue of a details run, with the check that found it.
public struct DataIntegrityFoundIssue: Sendable {
    /// The check's name, e.g. `orgunits_orphaned`.
    public var checkName: String
    /// The check's display name.
    public var checkDisplayName: String
    /// The check's severity.
    public var severity: DataIntegritySeverity
    /// The check's section, e.g. `Organisation units`.
    public var section: String?
    /// The type of object the issue's `id` names, e.g. `organisationUnits`.
    public var issuesIdType: String?
    /// The flagged object: `id`, `name`, optional `comment` and `refs`.
    public var issue: DataIntegrityIssue
}

/// Which kind of data integrity result to ask about.
public enum DataIntegrityResultKind: String, Sendable, Hashable {
    /// Counts (and percentages) per check.
    case summary
    /// Flagged objects per check.
    case details
}

/// The data integrity API of one client; get it from ``DHIS2Client/dataIntegrity``.
public struct DataIntegrityResource: Sendable {
    /// The client the requests go through.
    public let client: DHIS2Client

    /// A resource over `client`.
    public init(client: DHIS2Client) { self.client = client }

    /// The checks the server offers (`GET /api/dataIntegrity`), optionally narrowed by selection, section, whether
    /// they are slow, and whether they are programmatic (Java) rather than SQL checks.
    public func checks(
        _ selection: [DataIntegrityCheckSelector] = [], section: String? = nil, slow: Bool? = nil,
        programmatic: Bool? = nil
    ) async throws(DHIS2Error) -> [DataIntegrityCheck] {
        var query = Self.query(selection)
        if let section { query.append(URLQueryItem(name: "section", value: section)) }
        if let slow { query.append(URLQueryItem(name: "slow", value: String(slow))) }
        if let programmatic { query.append(URLQueryItem(name: "programmatic", value: String(programmatic))) }
        return try await client.get("dataIntegrity", query: query, as: [DataIntegrityCheck].self)
    }

    /// Starts a summary run (`POST /api/dataIntegrity/summary`, job `DATA_INTEGRITY`) of the selected checks, or of
    /// every non-slow check when the selection is empty. Await it with `client.jobs.wait(for:)`.
    public func runSummary(checks selection: [DataIntegrityCheckSelector] = []) async throws(DHIS2Error)
        -> JobReference
    {
        try await start("dataIntegrity/summary", selection)
    }

    /// Starts a details run (`POST /api/dataIntegrity/details`, job `DATA_INTEGRITY_DETAILS`) of the selected checks,
    /// or of every non-slow check when the selection is empty. Await it with `client.jobs.wait(for:)`.
    public func runDetails(checks selection: [DataIntegrityCheckSelector] = []) async throws(DHIS2Error)
        -> JobReference
    {
        try await start("dataIntegrity/details", selection)
    }

    /// The cached summaries of the selected checks (every non-slow check when empty), by check name. Checks that
    /// never ran, or whose result expired (DHIS2 keeps them an hour), are absent. With `timeout`, the server waits
    /// that long for checks still running.
    public func summary(
        checks selection: [DataIntegrityCheckSelector] = [], timeout: Duration? = nil
    ) async throws(DHIS2Error) -> [String: DataIntegrityCheckSummary] {
        let body = try await client.data("dataIntegrity/summary", query: Self.query(selection, timeout: timeout))
        let (checks, results) = try Self.decodePairs(body, [String: DataIntegritySummary].self, path: "dataIntegrity/summary")
        var answer: [String: DataIntegrityCheckSummary] = [:]
        for (name, summary) in results {
            guard let check = checks[name] else { continue }
            answer[name] = DataIntegrityCheckSummary(check: check, summary: summary)
        }
        return answer
    }

    /// The cached details of the selected checks (every non-slow check when empty), by check name. Checks that
    /// never ran, or whose result expired, are absent. With `timeout`, the server waits that long for checks still
    /// running.
    public func details(
        checks selection: [DataIntegrityCheckSelector] = [], timeout: Duration? = nil
    ) async throws(DHIS2Error) -> [String: DataIntegrityCheckDetails] {
        let body = try await client.data("dataIntegrity/details", query: Self.query(selection, timeout: timeout))
        let (checks, results) = try Self.decodePairs(body, [String: DataIntegrityDetails].self, path: "dataIntegrity/details")
        var answer: [String: DataIntegrityCheckDetails] = [:]
        for (name, details) in results {
            guard let check = checks[name] else { continue }
            answer[name] = DataIntegrityCheckDetails(check: check, details: details)
        }
        return answer
    }

    /// The names of the checks whose `kind` runs are in progress (`GET /api/dataIntegrity/{kind}/running`).
    public func running(_ kind: DataIntegrityResultKind) async throws(DHIS2Error) -> Set<String> {
        Set(try await client.get("dataIntegrity/\(kind.rawValue)/running", as: [String].self))
    }

    /// The names of the checks with a cached `kind` result (`GET /api/dataIntegrity/{kind}/completed`).
    public func completed(_ kind: DataIntegrityResultKind) async throws(DHIS2Error) -> Set<String> {
        Set(try await client.get("dataIntegrity/\(kind.rawValue)/completed", as: [String].self))
    }

    /// Every issue of the selected checks as one flat sequence, each carrying its check's name, display name and
    /// severity. With `run` (the default) it first starts a details run and waits for its job (polling every
    /// `pollInterval`, failing after `timeout`); without, it reads what the server has cached. The details are one
    /// request, buffered; issues come check by check, most severe checks first.
    public func issues(
        checks selection: [DataIntegrityCheckSelector] = [], run: Bool = true, timeout: Duration = .seconds(600),
        pollInterval: Duration = .seconds(1)
    ) -> DataIntegrityIssueSequence {
        DataIntegrityIssueSequence(
            resource: self, selection: selection, run: run, timeout: timeout, pollInterval: pollInterval)
    }

    // MARK: Helpers

    private func start(_ path: String, _ selection: [DataIntegrityCheckSelector]) async throws(DHIS2Error)
        -> JobReference
    {
        // The checks go in the JSON array body, which DHIS2 reads before the `checks` parameter.
        let body: JSONValue? = selection.isEmpty ? nil : .array(selection.map { .string($0.rawValue) })
        let message = try await client.webMessage(.post, path, body: body)
        guard let reference = message.jobReference else {
            throw DHIS2Error(
                code: .decoding, message: "The answer to POST /api/\(path) does not name the job it started.",
                method: "POST", path: "/api/" + path, status: message.httpStatusCode)
        }
        return reference
    }

    static func query(_ selection: [DataIntegrityCheckSelector], timeout: Duration? = nil) -> [URLQueryItem] {
        var query: [URLQueryItem] = []
        if !selection.isEmpty {
            query.append(URLQueryItem(name: "checks", value: selection.map(\.rawValue).joined(separator: ",")))
        }
        if let timeout {
            let milliseconds = timeout.components.seconds * 1000 + timeout.components.attoseconds / 1_000_000_000_000_000
            query.append(URLQueryItem(name: "timeout", value: String(max(0, milliseconds))))
        }
        return query
    }

    /// Decodes an object keyed by check name twice: as the checks DHIS2 unwraps into each entry, and as `T`.
    private static func decodePairs<T: Decodable>(_ body: Data, _ type: [String: T].Type, path: String)
        throws(DHIS2Error) -> ([String: DataIntegrityCheck], [String: T])
    {
        // A check that never produced a result comes back as an empty body on some endpoints.
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return ([:], [:]) }
        do {
            let decoder = JSONDecoder()
            let checks = try decoder.decode([String: DataIntegrityCheck].self, from: body)
            let results = try decoder.decode(type, from: body)
            return (checks, results)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The data integrity results could not be read: \(error)", method: "GET",
                path: "/api/" + path)
        }
    }
}

/// The issues of a data integrity details run as an `AsyncSequence`; see ``DataIntegrityResource/issues(checks:run:timeout:pollInterval:)``.
public struct DataIntegrityIssueSequence: AsyncSequence, Sendable {
    /// One issue with its check.
    public typealias Element = DataIntegrityFoundIssue
    /// Requests fail with ``DHIS2Error``.
    public typealias Failure = DHIS2Error

    let resource: DataIntegrityResource
    let selection: [DataIntegrityCheckSelector]
    let run: Bool
    let timeout: Duration
    let pollInterval: Duration

    /// An iterator that starts the work on its first `next()`.
    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(sequence: self) }

    /// Runs (when asked) and fetches on the first `next()`, then yields the buffered issues.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let sequence: DataIntegrityIssueSequence
        var buffered: [DataIntegrityFoundIssue]?
        var index = 0

        /// The next issue; the first call runs (when asked) and fetches the details.
        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(DHIS2Error)
            -> DataIntegrityFoundIssue?
        {
            if buffered == nil { buffered = try await sequence.fetch() }
            guard let buffered, index < buffered.count else { return nil }
            defer { index += 1 }
            return buffered[index]
        }

        /// The next issue; the first call runs (when asked) and fetches the details.
        public mutating func next() async throws(DHIS2Error) -> DataIntegrityFoundIssue? {
            try await next(isolation: nil)
        }
    }

    /// Severity rank for ordering: the most severe checks come first.
    static func rank(_ severity: DataIntegritySeverity) -> Int {
        switch severity {
        case .critical: 0
        case .severe: 1
        case .warning: 2
        case .info: 3
        default: 4
        }
    }

    func fetch() async throws(DHIS2Error) -> [DataIntegrityFoundIssue] {
        if run {
            let job = try await resource.runDetails(checks: selection)
            _ = try await resource.client.jobs.wait(for: job, timeout: timeout, pollInterval: pollInterval)
        }
        let details = try await resource.details(checks: selection)
        let ordered = details.values.sorted {
            let (left, right) = (Self.rank($0.check.severity), Self.rank($1.check.severity))
            if left != right { return left < right }
            return ($0.check.name ?? "") < ($1.check.name ?? "")
        }
        var issues: [DataIntegrityFoundIssue] = []
        for entry in ordered {
            let name = entry.check.name ?? ""
            for issue in entry.issues {
                issues.append(DataIntegrityFoundIssue(
                    checkName: name, checkDisplayName: entry.check.displayName ?? name, severity: entry.check.severity,
                    section: entry.check.section, issuesIdType: entry.check.issuesIdType, issue: issue))
            }
        }
        return issues
    }
}
