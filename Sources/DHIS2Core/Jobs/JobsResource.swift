import Foundation
import Logging

extension DHIS2Client {
    /// Background jobs: wait for one, watch its progress rows, read its summary (reference §10).
    public var jobs: JobsResource { JobsResource(client: self) }
}

/// Background jobs started by asynchronous requests (`async=true` imports, resource and analytics tables, data
/// integrity, tracker imports), identified by the ``JobReference`` their kick-off response carries.
///
/// ```swift
/// let job = try await client.maintenance.resourceTables()
/// let completion = try await client.jobs.wait(for: job, timeout: .seconds(300))
/// ```
///
/// Polling sleeps through the client's ``DHIS2Clock``, so tests can run without waiting.
public struct JobsResource: Sendable {
    let client: DHIS2Client

    /// Polls the job's notifications until its last row arrives and returns how it ended.
    ///
    /// One request per `pollInterval` (two when the server lists no rows: the job's configuration is then read at
    /// `/api/jobConfigurations/{id}`, because DHIS2 2.44 clears a failed job's rows shortly after its last one).
    ///
    /// - Throws: ``DHIS2Error`` `jobTimeout` when the job has not finished after `timeout` (the job may still be
    ///   running on the server: wait again with the same reference), `cancelled` when the task is cancelled, and the
    ///   usual request errors.
    public func wait(
        for job: JobReference, timeout: Duration = .seconds(600), pollInterval: Duration = .seconds(1)
    ) async throws(DHIS2Error) -> JobCompletion {
        let feed = try JobFeed(client: client, job: job)
        let clock = client.configuration.clock
        let started = clock.now()
        var slept = Duration.zero
        var tracker = JobRowTracker()
        while true {
            let step = try await feed.poll(&tracker)
            if let outcome = step.outcome {
                return JobCompletion(
                    job: job, status: outcome, terminal: tracker.terminal, notifications: tracker.seen)
            }
            let elapsed = max(slept, .seconds(clock.now().timeIntervalSince(started)))
            if elapsed >= timeout {
                throw DHIS2Error(
                    code: .jobTimeout,
                    message: "Job \(job.id) (\(job.jobType?.rawValue ?? "tracker import")) had not finished after "
                        + "\(timeout); it may still be running on the server. Wait again with the same job "
                        + "reference, or pass a longer timeout.",
                    method: "GET", path: feed.path)
            }
            do {
                try await clock.sleep(for: pollInterval)
            } catch {
                throw DHIS2Error(
                    code: .cancelled, message: "Waiting for job \(job.id) was cancelled.", method: "GET",
                    path: feed.path)
            }
            slept += pollInterval
        }
    }

    /// The job's progress rows as they appear: new rows only, oldest first, each once; the sequence ends after the
    /// job's last row (or when the server reports the job finished after clearing its rows).
    ///
    /// One request per `pollInterval` while iterating; cancelling the iterating task stops the polling (the
    /// iteration then throws ``DHIS2Error`` `cancelled`).
    public func notifications(for job: JobReference, pollInterval: Duration = .seconds(1)) -> JobNotifications {
        JobNotifications(client: client, job: job, pollInterval: pollInterval)
    }

    /// The job's stored summary: `GET /api/system/taskSummaries/{jobType}/{id}` (the bare `ImportSummary` of a data
    /// value import, the `ImportReport` of a metadata import, …), or for a tracker job
    /// `GET /api/tracker/jobs/{id}/report` (the `TrackerImportReport`).
    ///
    /// - Returns: the summary, or `nil` when the job has none (yet): DHIS2 answers 200 with an empty body, or, for
    ///   tracker jobs, 404 until the job finished.
    public func summary(for job: JobReference) async throws(DHIS2Error) -> JSONValue? {
        let path: String
        if job.isTrackerJob {
            path = "/api/tracker/jobs/\(job.id.rawValue)/report"
        } else if let type = job.jobType {
            path = "/api/system/taskSummaries/\(type.rawValue)/\(job.id.rawValue)"
        } else {
            throw JobFeed.untyped(job)
        }
        let request = DHIS2Request(method: .get, path: path)
        let response = try await client.send(request)
        if job.isTrackerJob, response.status == 404 { return nil }
        guard (200..<300).contains(response.status) else {
            throw ResponseInterpreter.error(for: response, request: request)
        }
        if response.body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return nil }
        let value = try ResponseInterpreter.json(from: response, request: request)
        return value.isNull ? nil : value
    }
}

/// The rows of one job seen so far.
struct JobRowTracker: Sendable {
    private(set) var seen: [TaskNotification] = []
    private var ids: Set<String> = []
    private(set) var terminal: TaskNotification?
    /// Whether the server ever listed a row.
    var sawRows: Bool { !seen.isEmpty }

    /// Adds the rows of one poll (newest first, as the server lists them); returns the new ones, oldest first.
    mutating func add(newestFirst rows: [TaskNotification]) -> [TaskNotification] {
        var fresh: [TaskNotification] = []
        for row in rows.reversed() where !ids.contains(row.id) {
            ids.insert(row.id)
            fresh.append(row)
            if row.isCompleted, terminal == nil { terminal = row }
        }
        seen += fresh
        return fresh
    }
}

/// One job's notification feed and, when the feed is empty, its configuration.
struct JobFeed: Sendable {
    struct Step: Sendable {
        /// The rows new in this poll, oldest first.
        var fresh: [TaskNotification]
        /// How the job ended, once it did.
        var outcome: JobCompletion.Status?
    }

    let client: DHIS2Client
    let job: JobReference
    /// The notifications path.
    let path: String

    init(client: DHIS2Client, job: JobReference) throws(DHIS2Error) {
        self.client = client
        self.job = job
        if job.isTrackerJob {
            path = "/api/tracker/jobs/\(job.id.rawValue)"
        } else if let type = job.jobType {
            path = "/api/system/tasks/\(type.rawValue)/\(job.id.rawValue)"
        } else {
            throw Self.untyped(job)
        }
    }

    static func untyped(_ job: JobReference) -> DHIS2Error {
        DHIS2Error(
            code: .invalidRequest,
            message: "Job \(job.id) has neither a job type nor a tracker job location, so there is no endpoint to "
                + "poll. Build the reference from the kick-off WebMessage (WebMessage.jobReference).")
    }

    /// One poll: the feed, then (when the feed is empty) the job's configuration.
    func poll(_ tracker: inout JobRowTracker) async throws(DHIS2Error) -> Step {
        let rows = try await notifications()
        let fresh = tracker.add(newestFirst: rows)
        if let terminal = tracker.terminal {
            return Step(fresh: fresh, outcome: terminal.level == .error ? .failed : .succeeded)
        }
        if rows.isEmpty, let outcome = try await configurationOutcome() {
            // DHIS2 2.44 clears a failed job's notifications shortly after its last row; the job's configuration
            // still says how it ended.
            client.configuration.logger.debug(
                "job notifications gone; outcome read from the job configuration",
                metadata: ["job": "\(job.id)", "outcome": "\(outcome)"])
            return Step(fresh: fresh, outcome: outcome)
        }
        return Step(fresh: fresh, outcome: nil)
    }

    /// The job's rows, newest first as listed.
    private func notifications() async throws(DHIS2Error) -> [TaskNotification] {
        let data = try await client.data(path)
        let json: JSONValue
        do {
            json = data.isEmpty ? .array([]) : try JSONValue(parsing: data)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The job's notifications are not JSON: \(error).", method: "GET", path: path)
        }
        guard let array = json.arrayValue else {
            throw DHIS2Error(
                code: .decoding, message: "The job's notifications are not a JSON array.", method: "GET", path: path,
                body: String(decoding: data.prefix(2048), as: UTF8.self))
        }
        return array.compactMap(TaskNotification.init(json:))
    }

    /// The outcome `/api/jobConfigurations/{id}` reports, or `nil` while the job has not finished (or the server no
    /// longer knows it).
    private func configurationOutcome() async throws(DHIS2Error) -> JobCompletion.Status? {
        let request = DHIS2Request(
            method: .get, path: "/api/jobConfigurations/\(job.id.rawValue)",
            query: [URLQueryItem(name: "fields", value: "id,jobStatus,lastExecutedStatus,lastExecuted,lastFinished")])
        let response = try await client.send(request)
        if response.status == 404 { return nil }
        let configuration = try ResponseInterpreter.json(from: response, request: request)
        let jobStatus = configuration["jobStatus"]?.stringValue
        if jobStatus == JobReference.JobStatus.running.rawValue { return nil }
        // A run-once job reports its outcome in lastExecutedStatus (its jobStatus turns DISABLED); accept the outcome
        // in jobStatus too.
        for status in [configuration["lastExecutedStatus"]?.stringValue, jobStatus] {
            switch status {
            case JobReference.JobStatus.completed.rawValue: return .succeeded
            case JobReference.JobStatus.failed.rawValue, JobReference.JobStatus.stopped.rawValue: return .failed
            default: continue
            }
        }
        return nil
    }
}

/// The progress rows of one job as an `AsyncSequence`: new rows only, oldest first, each once, ending after the
/// job's last row. Made by ``JobsResource/notifications(for:pollInterval:)``.
public struct JobNotifications: AsyncSequence, Sendable {
    public typealias Element = TaskNotification
    public typealias Failure = DHIS2Error

    let client: DHIS2Client
    let job: JobReference
    let pollInterval: Duration

    public func makeAsyncIterator() -> Iterator {
        Iterator(client: client, job: job, pollInterval: pollInterval)
    }

    /// Polls the job while rows are asked for.
    public struct Iterator: AsyncIteratorProtocol {
        let client: DHIS2Client
        let job: JobReference
        let pollInterval: Duration
        private var tracker = JobRowTracker()
        private var pending: [TaskNotification] = []
        private var isFinished = false
        private var hasPolled = false

        init(client: DHIS2Client, job: JobReference, pollInterval: Duration) {
            self.client = client
            self.job = job
            self.pollInterval = pollInterval
        }

        public mutating func next(isolation actor: isolated (any Actor)? = #isolation) async throws(DHIS2Error)
            -> TaskNotification?
        {
            while true {
                if !pending.isEmpty { return pending.removeFirst() }
                if isFinished { return nil }
                let feed = try JobFeed(client: client, job: job)
                if hasPolled {
                    do {
                        try await client.configuration.clock.sleep(for: pollInterval)
                    } catch {
                        isFinished = true
                        throw DHIS2Error(
                            code: .cancelled, message: "Watching job \(job.id) was cancelled.", method: "GET",
                            path: feed.path)
                    }
                } else if Task.isCancelled {
                    isFinished = true
                    throw DHIS2Error(
                        code: .cancelled, message: "Watching job \(job.id) was cancelled.", method: "GET",
                        path: feed.path)
                }
                hasPolled = true
                let step = try await feed.poll(&tracker)
                pending += step.fresh
                if step.outcome != nil { isFinished = true }
            }
        }

        public mutating func next() async throws(DHIS2Error) -> TaskNotification? {
            try await next(isolation: nil)
        }
    }
}
