import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/system/tasks*`, `/api/system/taskSummaries*`, `/api/jobConfigurations/{id}` of the runner's jobs,
/// `/api/tracker/jobs/**`, and the resource table and monitoring jobs (reference §10, §9.2).
enum JobRoutes {
    /// The response for a job route, or `nil` when the request is not one (the generic routes answer it).
    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        let method = environment.request.method
        let segments = environment.segments
        guard let first = segments.first else { return nil }
        switch (first, segments.count) {
        case ("system", 2...4) where segments[1] == "tasks":
            return await tasks(environment, state: state, method: method)
        case ("system", 3...4) where segments[1] == "taskSummaries" && method == .get:
            return await taskSummaries(environment, state: state)
        case ("jobConfigurations", 2) where method == .get:
            return await jobConfiguration(id: segments[1], environment: environment, state: state)
        case ("tracker", 3...4) where segments[1] == "jobs" && method == .get:
            return await trackerJob(environment, state: state)
        case ("resourceTables", 1) where method == .post || method == .put:
            return await ResourceTableJobs.resourceTables(environment, state: state)
        case ("resourceTables", 2) where segments[1] == "monitoring" && (method == .post || method == .put):
            return await ResourceTableJobs.monitoring(environment, state: state)
        default:
            return nil
        }
    }

    // MARK: /api/system/tasks

    private static func tasks(_ environment: RequestEnvironment, state: EmulatorState, method: HTTPRequest.Method)
        async -> Response?
    {
        let segments = environment.segments
        let type = segments.count >= 3 ? segments[2] : nil
        let id = segments.count == 4 ? segments[3] : nil
        switch method {
        case .get:
            let gist = environment.query["gist"] == "true"
            if let id {
                // The path names the type too; a job of another type is unknown under this one.
                guard await state.jobs.job(id: id)?.type == type else { return noStore(Reply.json([])) }
                return noStore(Reply.json(.array(await state.jobs.notifications(id: id) ?? [])))
            }
            let records = await state.jobs.records(type: type)
            func rows(_ record: JobRunner.Record) -> JSONValue {
                let newestFirst = Array((record.notifications ?? []).reversed())
                guard gist, newestFirst.count > 2, let newest = newestFirst.first, let oldest = newestFirst.last else {
                    return .array(newestFirst)
                }
                return .array([newest, oldest])
            }
            if type != nil {
                // DHIS2 keeps insertion order (most recent job first); JSON objects here are unordered maps.
                var byJob: [String: JSONValue] = [:]
                for record in records { byJob[record.job.id] = rows(record) }
                return noStore(Reply.json(.object(byJob)))
            }
            var byType: [String: [String: JSONValue]] = [:]
            for record in records { byType[record.job.type, default: [:]][record.job.id] = rows(record) }
            return noStore(Reply.json(.object(byType.mapValues { .object($0) })))
        case .delete:
            let maxAge = environment.query["maxAge"].flatMap(Int.init)
            let maxCount = environment.query["maxCount"].flatMap(Int.init)
            await state.jobs.clear(type: type, id: id, maxAgeDays: maxAge, maxCount: maxCount)
            return noStore(Response(status: .noContent))
        default:
            return nil
        }
    }

    // MARK: /api/system/taskSummaries

    private static func taskSummaries(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let segments = environment.segments
        let type = segments[2]
        if segments.count == 4 {
            let id = segments[3]
            guard await state.jobs.job(id: id)?.type == type, let summary = await state.jobs.summary(id: id) else {
                // DHIS2 answers 200 with an empty body when the job has no summary.
                return noStore(Response(status: .ok))
            }
            return noStore(Reply.json(summary))
        }
        var byJob: [String: JSONValue] = [:]
        for record in await state.jobs.summaries(type: type) {
            if let summary = record.summary { byJob[record.job.id] = summary }
        }
        return noStore(Reply.json(.object(byJob)))
    }

    // MARK: /api/jobConfigurations/{id}

    /// The JobConfiguration of an ad-hoc job the runner knows; `nil` for other ids (stored job configurations are
    /// served by the generic metadata routes).
    private static func jobConfiguration(id: String, environment: RequestEnvironment, state: EmulatorState) async
        -> Response?
    {
        guard let record = await state.jobs.record(id: id) else { return nil }
        let job = record.job
        var configuration: [String: JSONValue] = [
            "id": .string(job.id), "name": .string(job.name), "displayName": .string(job.name),
            "created": .string(job.created), "lastUpdated": .string(record.finished ?? record.started ?? job.created),
            "href": .string(environment.contextPath + "/api/jobConfigurations/" + job.id),
            "jobType": .string(job.type), "schedulingType": "ONCE_ASAP", "configurable": false,
            "leaderOnlyJob": false, "attributeValues": [], "translations": [],
        ]
        switch record.outcome {
        case .running:
            configuration["jobStatus"] = record.started == nil ? "SCHEDULED" : "RUNNING"
            configuration["lastExecutedStatus"] = "NOT_STARTED"
            configuration["enabled"] = true
            if let started = record.started {
                configuration["lastExecuted"] = .string(started)
                configuration["lastAlive"] = .string(DHIS2Date.format(Date()))
            }
        case .completed, .failed:
            // A run-once job is disabled when it finishes; its outcome is `lastExecutedStatus`.
            configuration["jobStatus"] = "DISABLED"
            configuration["enabled"] = false
            configuration["lastExecutedStatus"] = record.outcome == .completed ? "COMPLETED" : "FAILED"
            if let started = record.started { configuration["lastExecuted"] = .string(started) }
            if let finished = record.finished { configuration["lastFinished"] = .string(finished) }
            if let runtime = record.runtime { configuration["lastRuntimeExecution"] = .string(runtime) }
        }
        if let parameters = job.parameters { configuration["jobParameters"] = parameters }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        return noStore(Reply.json(PlainFieldFilter.apply(fields, to: .object(configuration))))
    }

    // MARK: /api/tracker/jobs

    private static func trackerJob(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let segments = environment.segments
        let id = segments[2]
        if segments.count == 3 {
            return noStore(Reply.json(.array(await state.jobs.notifications(id: id) ?? [])))
        }
        guard segments[3] == "report" else { return Reply.tomcatNotFound(path: environment.request.uri.path) }
        guard let report = await state.jobs.summary(id: id) else {
            return Reply.webMessage(.notFound, message: "Summary for job \(id) does not exist", errorCode: "E1005")
        }
        return noStore(Reply.json(report))
    }

    static func noStore(_ response: Response) -> Response {
        var response = response
        response.headers[.cacheControl] = "no-store"
        return response
    }
}

extension Emulator {
    /// Changes how long the emulator's jobs take and how long a failed job's notifications survive on 2.44.
    public func setJobTiming(_ timing: JobTiming) async {
        await jobRunner.setTiming(timing)
    }

    /// Makes the next job of `jobType` (e.g. `"RESOURCE_TABLE"`) fail with `message` as its ERROR row (fault
    /// injection for clients that must handle failed jobs).
    public func failNextJob(ofType jobType: String, message: String) async {
        await jobRunner.failNext(type: jobType, message: message)
    }
}
