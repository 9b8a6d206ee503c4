import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import Logging

/// One running or finished background job of the emulator (DHIS2's ad-hoc `JobConfiguration`).
struct EmulatorJob: Sendable {
    /// The job's UID.
    let id: String
    /// DHIS2's `JobType` name, e.g. `RESOURCE_TABLE`, `DATAVALUE_IMPORT`, `TRACKER_IMPORT_JOB`.
    let type: String
    /// `"<JOB_TYPE> (<epoch-millis>)"`, as DHIS2 names ad-hoc jobs (reference §10.1).
    let name: String
    /// When the job was created, `yyyy-MM-dd'T'HH:mm:ss.SSS`.
    let created: String
    /// The job's parameters as DHIS2 renders them in `jobParameters`, when it has any.
    let parameters: JSONValue?
}

/// How long emulated jobs take, and how long a failed job's notifications survive on 2.44.
public struct JobTiming: Sendable, Hashable {
    /// The pause between the progress rows of the emulator's own job kinds (resource tables, monitoring).
    public var stepDelay: Duration
    /// How long after its last row a FAILED job's notifications stay readable on emulated 2.44 (DHIS2 2.44 clears
    /// them shortly after; earlier versions keep them).
    public var failedNotificationRetention: Duration

    /// Timing; the defaults make a resource table job take well under a second.
    public init(stepDelay: Duration = .milliseconds(100), failedNotificationRetention: Duration = .seconds(2)) {
        self.stepDelay = stepDelay
        self.failedNotificationRetention = failedNotificationRetention
    }
}

/// The error a job's work throws to end the job FAILED with `message` as its ERROR row.
struct JobFailure: Error, Sendable {
    let message: String
    init(_ message: String) { self.message = message }
}

/// Progress reporting inside a job's work: each call records a DHIS2 notification for the job.
struct JobProgress: Sendable {
    let job: EmulatorJob
    let runner: JobRunner
    /// The pause the emulator's own job kinds take between steps.
    let stepDelay: Duration

    /// An INFO row.
    func info(_ message: String) async { await runner.record(job, level: "INFO", message: message) }
    /// A WARN row.
    func warn(_ message: String) async { await runner.record(job, level: "WARN", message: message) }
    /// An ERROR row that does not end the job (throw to fail it).
    func error(_ message: String) async { await runner.record(job, level: "ERROR", message: message) }
    /// An INFO row carrying data, e.g. the tracker job's first row: `dataType: "PARAMETERS"` and the import params.
    func info(_ message: String, dataType: String, data: JSONValue) async {
        await runner.record(job, level: "INFO", message: message, dataType: dataType, data: data)
    }
    /// Sets the message of the terminal `completed: true` row written when the work returns.
    func completionMessage(_ message: String) async { await runner.setCompletionMessage(message, for: job.id) }
    /// Pauses for one step of the emulator's own job kinds.
    func step() async { try? await Task.sleep(for: stepDelay) }
}

/// Runs the emulator's background jobs and keeps their notifications and summaries (reference §10).
///
/// Jobs run on detached tasks. Notifications are DHIS2-shaped (`uid`/`id` derived from the time, `level`,
/// `category` = job type, `time`, `message`, `completed`) and served newest first; the terminal row has
/// `completed: true` (level ERROR when the job failed). Everything lives in memory, as in DHIS2.
actor JobRunner {
    enum Outcome: Sendable { case running, completed, failed }

    struct Record: Sendable {
        let job: EmulatorJob
        /// Oldest first; `nil` once cleared.
        var notifications: [JSONValue]? = []
        var outcome: Outcome = .running
        var summary: JSONValue?
        var started: String?
        var finished: String?
        var runtime: String?
        var completionMessage: String?
        let sequence: Int
    }

    private let version: EmulatedVersion
    private let logger: Logger
    private var records: [String: Record] = [:]
    private var sequence = 0
    private var lastNotificationMillis: Int64 = 0
    private var timing: JobTiming
    /// Injected failures: job type → the message its next job fails with.
    private var injectedFailures: [String: String] = [:]

    init(version: EmulatedVersion, timing: JobTiming = JobTiming(), logger: Logger) {
        self.version = version
        self.timing = timing
        self.logger = logger
    }

    /// Changes how long jobs take (tests shorten it).
    func setTiming(_ timing: JobTiming) { self.timing = timing }

    /// The current timing.
    var currentTiming: JobTiming { timing }

    /// Makes the next job of `type` fail with `message` before its work runs (fault injection).
    func failNext(type: String, message: String) { injectedFailures[type] = message }

    /// Submits work that runs in the background. The returned summary (if any) is stored for
    /// `/api/system/taskSummaries/{type}/{id}`; a thrown error ends the job FAILED with an ERROR row.
    func submit(
        type: String, parameters: JSONValue?, work: @escaping @Sendable (JobProgress) async throws -> JSONValue?
    ) async -> EmulatorJob {
        let now = Date()
        let millis = Int64((now.timeIntervalSince1970 * 1000).rounded(.down))
        let job = EmulatorJob(
            id: UID.generate().rawValue, type: type, name: "\(type) (\(millis))", created: DHIS2Date.format(now),
            parameters: parameters)
        sequence += 1
        records[job.id] = Record(job: job, sequence: sequence)
        evictOldFinishedJobs()
        let progress = JobProgress(job: job, runner: self, stepDelay: timing.stepDelay)
        let injected = injectedFailures.removeValue(forKey: type)
        Task.detached { [self] in
            await self.markStarted(job.id)
            let clock = ContinuousClock()
            let start = clock.now
            do {
                if let injected { throw JobFailure(injected) }
                let summary = try await work(progress)
                await self.finish(job, outcome: .completed, summary: summary, message: nil, elapsed: clock.now - start)
            } catch let failure as JobFailure {
                await self.finish(job, outcome: .failed, summary: nil, message: failure.message, elapsed: clock.now - start)
            } catch {
                await self.finish(
                    job, outcome: .failed, summary: nil, message: "Job failed: \(error)", elapsed: clock.now - start)
            }
        }
        return job
    }

    /// How many jobs the runner remembers; beyond it the oldest finished ones are forgotten (DHIS2 also keeps its
    /// job notifications and summaries in memory only, and caps them).
    static let retainedJobs = 1000

    private func evictOldFinishedJobs() {
        guard records.count > Self.retainedJobs else { return }
        let finished = records.values.filter { $0.outcome != .running }.sorted { $0.sequence < $1.sequence }
        for record in finished.prefix(records.count - Self.retainedJobs) { records[record.job.id] = nil }
    }

    // MARK: Reading

    /// The job's notifications, newest first; `nil` if the job is unknown or its notifications were cleared.
    func notifications(id: String) -> [JSONValue]? {
        records[id]?.notifications.map { Array($0.reversed()) }
    }

    /// The job's summary; `nil` until it finished, or when it has none.
    func summary(id: String) -> JSONValue? { records[id]?.summary }

    /// The job with `id`, if the runner knows it.
    func job(id: String) -> EmulatorJob? { records[id]?.job }

    /// The record of the job with `id`.
    func record(id: String) -> Record? { records[id] }

    /// The records of `type` (all types when `nil`) that still have notifications, most recent job first.
    func records(type: String?) -> [Record] {
        records.values.filter { ($0.notifications?.isEmpty == false) && (type == nil || $0.job.type == type) }
            .sorted { $0.sequence > $1.sequence }
    }

    /// The finished records of `type` with a summary, most recent first.
    func summaries(type: String) -> [Record] {
        records.values.filter { $0.job.type == type && $0.summary != nil }.sorted { $0.sequence > $1.sequence }
    }

    /// Clears notifications: of one job, of one type, or all. With `maxAgeDays` only jobs whose last row is older
    /// are cleared; with `maxCount` only the jobs beyond the newest `maxCount` of each type.
    func clear(type: String?, id: String?, maxAgeDays: Int? = nil, maxCount: Int? = nil) {
        let matching = records.values.filter {
            (type == nil || $0.job.type == type) && (id == nil || $0.job.id == id) && $0.notifications != nil
        }
        var doomed = Set(matching.map(\.job.id))
        if maxAgeDays != nil || maxCount != nil {
            doomed = []
            if let maxAgeDays {
                let cutoff = DHIS2Date.format(Date().addingTimeInterval(-Double(maxAgeDays) * 86_400))
                for record in matching {
                    let last = record.notifications?.last?["time"]?.stringValue ?? record.job.created
                    if last < cutoff { doomed.insert(record.job.id) }
                }
            }
            if let maxCount {
                let byType = Dictionary(grouping: matching, by: \.job.type)
                for (_, jobs) in byType {
                    for record in jobs.sorted(by: { $0.sequence > $1.sequence }).dropFirst(max(0, maxCount)) {
                        doomed.insert(record.job.id)
                    }
                }
            }
        }
        for key in doomed { records[key]?.notifications = nil }
    }

    // MARK: Recording

    func record(_ job: EmulatorJob, level: String, message: String, dataType: String? = nil, data: JSONValue? = nil) {
        append(to: job, level: level, message: message, completed: false, dataType: dataType, data: data)
    }

    func setCompletionMessage(_ message: String, for id: String) { records[id]?.completionMessage = message }

    private func markStarted(_ id: String) {
        records[id]?.started = DHIS2Date.format(Date())
    }

    private func finish(_ job: EmulatorJob, outcome: Outcome, summary: JSONValue?, message: String?, elapsed: Duration) {
        guard var record = records[job.id] else { return }
        record.outcome = outcome
        record.summary = summary
        record.finished = DHIS2Date.format(Date())
        record.runtime = Self.runtime(elapsed)
        records[job.id] = record
        switch outcome {
        case .completed:
            append(
                to: job, level: "INFO", message: record.completionMessage ?? "Job completed after \(record.runtime ?? "")",
                completed: true)
        case .failed, .running:
            append(to: job, level: "ERROR", message: message ?? "Job failed", completed: true)
        }
        logger.debug("job finished", metadata: ["job": "\(job.id)", "type": "\(job.type)", "outcome": "\(outcome)"])
        if outcome == .failed, version.clearsFailedJobNotifications {
            let delay = timing.failedNotificationRetention
            Task.detached { [self] in
                try? await Task.sleep(for: delay)
                await self.clear(type: nil, id: job.id)
            }
        }
    }

    private func append(
        to job: EmulatorJob, level: String, message: String, completed: Bool, dataType: String? = nil,
        data: JSONValue? = nil
    ) {
        guard records[job.id]?.notifications != nil else { return }
        var millis = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        // Notification ids derive from the time; keep them strictly increasing so each row has its own id.
        if millis <= lastNotificationMillis { millis = lastNotificationMillis + 1 }
        lastNotificationMillis = millis
        let uid = Self.timeUID(millis)
        var row: [String: JSONValue] = [
            "uid": .string(uid), "id": .string(uid), "level": .string(level), "category": .string(job.type),
            "time": .string(DHIS2Date.format(Date(timeIntervalSince1970: Double(millis) / 1000))),
            "message": .string(message), "completed": .bool(completed),
        ]
        if let dataType { row["dataType"] = .string(dataType) }
        if let data { row["data"] = data }
        records[job.id]?.notifications?.append(.object(row))
    }

    /// An 11-character UID-shaped id from epoch milliseconds (base 62, a letter first), ordered like the times.
    static func timeUID(_ millis: Int64) -> String {
        let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
        var value = UInt64(max(millis, 0))
        var digits: [Character] = []
        for _ in 0..<10 {
            digits.append(alphabet[Int(value % 62)])
            value /= 62
        }
        return "n" + String(digits.reversed())
    }

    /// `HH:mm:ss.SSS` of a run's duration (DHIS2's `lastRuntimeExecution`).
    static func runtime(_ duration: Duration) -> String {
        let millis = max(0, duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(millis / 3_600_000, 2)):\(pad(millis / 60_000 % 60, 2)):\(pad(millis / 1000 % 60, 2)).\(pad(millis % 1000, 3))"
    }

    // MARK: Responses

    /// The §10.1 kick-off response: a 200 WebMessage whose `response` is the JobConfiguration, with
    /// `Location: <base>/api/system/tasks/<TYPE>`.
    nonisolated func kickOff(_ job: EmulatorJob, environment: RequestEnvironment, state: EmulatorState) -> Response {
        var payload: [String: JSONValue] = [
            "name": .string(job.name), "id": .string(job.id), "created": .string(job.created),
            "jobType": .string(job.type), "jobStatus": "NOT_STARTED",
            "relativeNotifierEndpoint": .string("/api/system/tasks/\(job.type)/\(job.id)"),
        ]
        if let responseType = state.version.jobConfigurationResponseType {
            payload["responseType"] = .string(responseType)
        }
        if let parameters = job.parameters { payload["jobParameters"] = parameters }
        var headers = HTTPFields()
        headers[.location] = environment.contextPath + "/api/system/tasks/" + job.type
        return Reply.webMessage(
            .ok, messageStatus: "OK", message: "Initiated \(job.name)", response: .object(payload), headers: headers)
    }
}

extension EmulatedVersion {
    /// `responseType` of the job kick-off payload (reference §11.3): absent on 2.41,
    /// `JobConfigurationWebMessageResponse` on 2.42.0–2.42.4 and 2.43.0, `JobConfiguration` from 2.42.5 / 2.43.1.
    var jobConfigurationResponseType: String? {
        switch minor {
        case 41: return nil
        case 42 where (patch ?? Int.max) <= 4: return "JobConfigurationWebMessageResponse"
        case 43 where patch == 0: return "JobConfigurationWebMessageResponse"
        default: return "JobConfiguration"
        }
    }

    /// Whether a FAILED job's notifications are cleared shortly after its last row (2.44).
    var clearsFailedJobNotifications: Bool { minor >= 44 }
}
