import DHIS2
@testable import DHIS2Emulator
import Foundation
import Logging
import NIOHTTP1
import Testing

/// Starts a quiet emulator whose jobs take a few milliseconds per step.
func withJobEmulator<T: Sendable>(
    version: String = "2.42.6", retention: Duration = .milliseconds(50), _ body: (Emulator) async throws -> T
) async throws -> T {
    let quiet = Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() })
    return try await withEmulator(EmulatorConfiguration(version: version, logger: quiet)) { emulator in
        await emulator.setJobTiming(JobTiming(stepDelay: .milliseconds(5), failedNotificationRetention: retention))
        return try await body(emulator)
    }
}

extension Emulator {
    /// Polls a job's notifications until the newest row is the terminal one, and returns them (newest first).
    func terminalNotifications(_ path: String) async throws -> [JSONValue] {
        for _ in 0..<1000 {
            let rows = try await getJSON(path).arrayValue ?? []
            if rows.first?["completed"]?.boolValue == true { return rows }
            try await Task.sleep(for: .milliseconds(10))
        }
        throw EmulatorTestFailure("\(path) never reached a completed row")
    }

    /// Starts a job with `POST path` and returns the kick-off reply and the job's id.
    func kickOff(_ path: String) async throws -> (reply: EmulatorReply, id: String) {
        let reply = try await send(.POST, path)
        guard let id = reply.json["response"]?["id"]?.stringValue else {
            throw EmulatorTestFailure("POST \(path) answered \(reply.status) without a job id: \(reply.text)")
        }
        return (reply, id)
    }
}

@Suite("Emulator background jobs")
struct JobRunnerTests {
    @Test(
        "a resource table kick-off is DHIS2's JobConfiguration WebMessage with the version's responseType",
        arguments: [
            ("2.41.10", nil), ("2.42.3", "JobConfigurationWebMessageResponse"), ("2.42.6", "JobConfiguration"),
            ("2.43.0", "JobConfigurationWebMessageResponse"), ("2.43.2", "JobConfiguration"),
            ("2.44.0", "JobConfiguration"),
        ] as [(String, String?)])
    func kickOff(version: String, responseType: String?) async throws {
        try await withJobEmulator(version: version) { emulator in
            let (reply, id) = try await emulator.kickOff("/api/resourceTables")
            #expect(reply.status == 200)
            let body = reply.json
            #expect(body["httpStatus"] == "OK")
            #expect(body["httpStatusCode"]?.intValue == 200)
            #expect(body["status"] == "OK")
            let response = try #require(body["response"])
            #expect(response["responseType"]?.stringValue == responseType)
            #expect(response["jobType"] == "RESOURCE_TABLE")
            #expect(UID.isValid(id))
            let name = try #require(response["name"]?.stringValue)
            #expect(name.hasPrefix("RESOURCE_TABLE ("), "name \(name)")
            #expect(Int64(name.dropFirst("RESOURCE_TABLE (".count).dropLast()) != nil, "name \(name)")
            #expect(body["message"]?.stringValue == "Initiated \(name)")
            #expect(response["relativeNotifierEndpoint"]?.stringValue == "/api/system/tasks/RESOURCE_TABLE/\(id)")
            #expect(response["created"]?.stringValue.flatMap(DHIS2Date.parse) != nil)
            #expect(response["jobParameters"] == nil, "resource tables take no parameters")
            #expect(reply.header("Location") == emulator.baseURL + "/api/system/tasks/RESOURCE_TABLE")
            #expect(reply.header("Cache-Control") == "no-store")
            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
        }
    }

    @Test("notifications come newest first, with unique time-derived ids, and only the newest is completed")
    func notificationOrder() async throws {
        try await withJobEmulator { emulator in
            let (_, id) = try await emulator.kickOff("/api/resourceTables")
            let rows = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
            #expect(rows.count == 7, "a start row, five tables and the terminal row: \(rows)")
            let times = rows.compactMap { $0["time"]?.stringValue }
            #expect(times.count == rows.count)
            #expect(times == times.sorted(by: >), "newest first: \(times)")
            let ids = rows.compactMap { $0["uid"]?.stringValue }
            #expect(Set(ids).count == rows.count)
            #expect(ids == ids.sorted(by: >), "ids follow the times")
            for row in rows {
                #expect(row["id"] == row["uid"])
                #expect(row["category"] == "RESOURCE_TABLE")
                #expect(row["level"] == "INFO")
                #expect(row["time"]?.stringValue.flatMap(DHIS2Date.parse) != nil)
                #expect(row["dataType"] == nil && row["data"] == nil)
            }
            #expect(rows.map { $0["completed"]?.boolValue } == [true] + Array(repeating: false, count: 6))
            #expect(rows.first?["message"]?.stringValue?.hasPrefix("Resource tables generated") == true)
            #expect(rows.last?["message"] == "Generating resource tables")
        }
    }

    @Test("monitoring runs as a MONITORING job and completes")
    func monitoring() async throws {
        try await withJobEmulator { emulator in
            let (reply, id) = try await emulator.kickOff("/api/resourceTables/monitoring")
            #expect(reply.json["response"]?["jobType"] == "MONITORING")
            let rows = try await emulator.terminalNotifications("/api/system/tasks/MONITORING/\(id)")
            #expect(rows.count == 4)
            #expect(rows.allSatisfy { $0["category"] == "MONITORING" })
            let put = try await emulator.send(.PUT, "/api/resourceTables/monitoring")
            #expect(put.status == 200 && put.json["response"]?["jobType"] == "MONITORING", "PUT also starts the job")
        }
    }

    @Test("the task maps list jobs by type and id; gist keeps the newest and the oldest row")
    func taskMaps() async throws {
        try await withJobEmulator { emulator in
            let (_, first) = try await emulator.kickOff("/api/resourceTables")
            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(first)")
            let (_, monitoring) = try await emulator.kickOff("/api/resourceTables/monitoring")
            _ = try await emulator.terminalNotifications("/api/system/tasks/MONITORING/\(monitoring)")

            let all = try await emulator.getJSON("/api/system/tasks")
            #expect(Set(all.objectValue?.keys.map { $0 } ?? []) == ["RESOURCE_TABLE", "MONITORING"])
            #expect(all["RESOURCE_TABLE"]?[first]?.arrayValue?.count == 7)
            #expect(all["MONITORING"]?[monitoring]?.arrayValue?.count == 4)

            let byType = try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE")
            #expect(byType.objectValue?.keys.map { $0 } == [first])
            let gist = try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE?gist=true")
            let rows = try #require(gist[first]?.arrayValue)
            #expect(rows.count == 2)
            #expect(rows.first?["completed"] == true)
            #expect(rows.last?["message"] == "Generating resource tables")
            let reply = try await emulator.send(.GET, "/api/system/tasks")
            #expect(reply.header("Cache-Control") == "no-store")
        }
    }

    @Test("an unknown job, or a known job under another type, has no notifications")
    func unknownJob() async throws {
        try await withJobEmulator { emulator in
            #expect(try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE/abcdefghijk") == [])
            let (_, id) = try await emulator.kickOff("/api/resourceTables")
            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
            #expect(try await emulator.getJSON("/api/system/tasks/MONITORING/\(id)") == [])
            #expect(try await emulator.getJSON("/api/system/tasks/MONITORING") == [:])
        }
    }

    @Test("DELETE clears a job's, a type's or all notifications with 204")
    func deleteNotifications() async throws {
        try await withJobEmulator { emulator in
            let (_, one) = try await emulator.kickOff("/api/resourceTables")
            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(one)")
            let (_, two) = try await emulator.kickOff("/api/resourceTables/monitoring")
            _ = try await emulator.terminalNotifications("/api/system/tasks/MONITORING/\(two)")

            let deleted = try await emulator.send(.DELETE, "/api/system/tasks/RESOURCE_TABLE/\(one)")
            #expect(deleted.status == 204)
            #expect(deleted.body.isEmpty)
            #expect(try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE/\(one)") == [])
            #expect(try await emulator.getJSON("/api/system/tasks/MONITORING/\(two)").arrayValue?.count == 4)
            #expect(try await emulator.send(.DELETE, "/api/system/tasks").status == 204)
            #expect(try await emulator.getJSON("/api/system/tasks") == [:])
        }
    }

    @Test("a job without a summary answers 200 with an empty body; summaries are kept per job")
    func summaries() async throws {
        try await withJobEmulator { emulator in
            let (_, id) = try await emulator.kickOff("/api/resourceTables")
            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
            let none = try await emulator.send(.GET, "/api/system/taskSummaries/RESOURCE_TABLE/\(id)")
            #expect(none.status == 200)
            #expect(none.body.isEmpty)
            #expect(none.header("Cache-Control") == "no-store")

            let summary: JSONValue = ["status": "SUCCESS", "importCount": ["imported": 2, "updated": 0]]
            let job = await emulator.jobRunner.submit(type: "DATAVALUE_IMPORT", parameters: nil) { progress in
                await progress.info("Importing data values")
                return summary
            }
            _ = try await emulator.terminalNotifications("/api/system/tasks/DATAVALUE_IMPORT/\(job.id)")
            #expect(try await emulator.getJSON("/api/system/taskSummaries/DATAVALUE_IMPORT/\(job.id)") == summary)
            #expect(try await emulator.getJSON("/api/system/taskSummaries/DATAVALUE_IMPORT") == [job.id: summary])
            #expect(try await emulator.getJSON("/api/system/taskSummaries/RESOURCE_TABLE") == [:])
        }
    }

    @Test("a finished ad-hoc job's configuration reports its outcome; other ids stay with the metadata routes")
    func jobConfiguration() async throws {
        try await withJobEmulator { emulator in
            let (_, id) = try await emulator.kickOff("/api/resourceTables")
            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
            let reply = try await emulator.send(.GET, "/api/jobConfigurations/\(id)")
            #expect(reply.status == 200)
            #expect(reply.header("Cache-Control") == "no-store")
            let configuration = reply.json
            #expect(configuration["id"]?.stringValue == id)
            #expect(configuration["jobType"] == "RESOURCE_TABLE")
            #expect(configuration["lastExecutedStatus"] == "COMPLETED")
            #expect(configuration["jobStatus"] == "DISABLED")
            #expect(configuration["schedulingType"] == "ONCE_ASAP")
            #expect(configuration["lastFinished"]?.stringValue.flatMap(DHIS2Date.parse) != nil)
            let narrowed = try await emulator.getJSON("/api/jobConfigurations/\(id)?fields=id,lastExecutedStatus")
            #expect(narrowed == ["id": .string(id), "lastExecutedStatus": "COMPLETED"])

            let other = try await emulator.send(.GET, "/api/jobConfigurations/abcdefghijk")
            #expect(other.status != 200 || other.json["lastExecutedStatus"] == nil)
        }
    }

    @Test("a failed job ends with an ERROR row; before 2.44 its rows stay", arguments: ["2.41.10", "2.42.6", "2.43.2"])
    func failedJobKeepsRows(version: String) async throws {
        try await withJobEmulator(version: version, retention: .milliseconds(1)) { emulator in
            await emulator.failNextJob(ofType: "RESOURCE_TABLE", message: "Resource table generation failed")
            let (_, id) = try await emulator.kickOff("/api/resourceTables")
            let rows = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
            #expect(rows.first?["level"] == "ERROR")
            #expect(rows.first?["message"] == "Resource table generation failed")
            try await Task.sleep(for: .milliseconds(50))
            #expect(try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE/\(id)") == JSONValue.array(rows))
            #expect(try await emulator.getJSON("/api/jobConfigurations/\(id)")["lastExecutedStatus"] == "FAILED")
        }
    }

    @Test("2.44 clears a failed job's notifications shortly after its last row; its configuration still says FAILED")
    func failedJobClearedOn244() async throws {
        try await withJobEmulator(version: "2.44.0", retention: .milliseconds(30)) { emulator in
            await emulator.failNextJob(ofType: "RESOURCE_TABLE", message: "Resource table generation failed")
            let (_, id) = try await emulator.kickOff("/api/resourceTables")
            var sawRows = false
            var cleared = false
            for _ in 0..<500 where !cleared {
                let rows = try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE/\(id)").arrayValue ?? []
                if let newest = rows.first {
                    sawRows = true
                    #expect(newest["level"] == "ERROR" || newest["completed"] == false)
                }
                cleared = sawRows && rows.isEmpty
                if !cleared { try await Task.sleep(for: .milliseconds(5)) }
            }
            #expect(cleared, "the ERROR row was listed, then cleared")
            let configuration = try await emulator.getJSON("/api/jobConfigurations/\(id)")
            #expect(configuration["lastExecutedStatus"] == "FAILED")

            // A successful job keeps its rows on 2.44 too.
            let (_, ok) = try await emulator.kickOff("/api/resourceTables")
            let rows = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(ok)")
            try await Task.sleep(for: .milliseconds(60))
            #expect(try await emulator.getJSON("/api/system/tasks/RESOURCE_TABLE/\(ok)") == JSONValue.array(rows))
        }
    }

    @Test("tracker jobs: notifications at /api/tracker/jobs/{id}; the report is 404 until the job finished")
    func trackerJobs() async throws {
        try await withJobEmulator { emulator in
            let gate = AsyncStream<Void>.makeStream()
            let report: JSONValue = ["status": "OK", "stats": ["created": 1, "updated": 0, "deleted": 0, "ignored": 0, "total": 1]]
            let job = await emulator.jobRunner.submit(type: "TRACKER_IMPORT_JOB", parameters: nil) { progress in
                await progress.info("(TRACKER_IMPORT_JOB) Import:Start", dataType: "PARAMETERS", data: ["atomicMode": "ALL"])
                var iterator = gate.stream.makeAsyncIterator()
                _ = await iterator.next()
                return report
            }
            var rows: [JSONValue] = []
            for _ in 0..<500 where rows.isEmpty {
                rows = try await emulator.getJSON("/api/tracker/jobs/\(job.id)").arrayValue ?? []
                if rows.isEmpty { try await Task.sleep(for: .milliseconds(10)) }
            }
            #expect(rows.first?["dataType"] == "PARAMETERS")
            #expect(rows.first?["data"] == ["atomicMode": "ALL"])
            let early = try await emulator.send(.GET, "/api/tracker/jobs/\(job.id)/report")
            #expect(early.status == 404)
            #expect(early.json["message"]?.stringValue == "Summary for job \(job.id) does not exist")
            #expect(early.json["httpStatusCode"]?.intValue == 404)

            gate.continuation.yield()
            let finished = try await emulator.terminalNotifications("/api/tracker/jobs/\(job.id)")
            #expect(finished.first?["category"] == "TRACKER_IMPORT_JOB")
            #expect(try await emulator.getJSON("/api/tracker/jobs/\(job.id)/report") == report)
            #expect(try await emulator.getJSON("/api/tracker/jobs/abcdefghijk") == [])
        }
    }
}
