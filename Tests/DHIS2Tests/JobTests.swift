import DHIS2
@testable import DHIS2Emulator
import Foundation
import Testing

/// Runs `body` with an emulator whose jobs step every few milliseconds and a client connected to it.
private func withJobClient<T: Sendable>(
    version: String = "2.42.6", stepDelay: Duration = .milliseconds(5), retention: Duration = .milliseconds(50),
    clock: (any DHIS2Clock)? = nil, _ body: (Emulator, DHIS2Client) async throws -> T
) async throws -> T {
    try await withTestEmulator(version: version) { emulator in
        await emulator.setJobTiming(JobTiming(stepDelay: stepDelay, failedNotificationRetention: retention))
        var configuration = DHIS2Configuration()
        if let clock { configuration.clock = clock }
        return try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth, configuration: configuration) {
            client in try await body(emulator, client)
        }
    }
}

/// The JSON body of `GET path`, read past the jobs API (to see what the server lists).
private func rawJSON(_ client: DHIS2Client, _ path: String) async throws -> JSONValue {
    try JSONValue(parsing: try await client.data(path))
}

@Suite("Background jobs through client.jobs")
struct JobTests {
    @Test("a resource table job is started, awaited to success and its rows read once each", arguments: emulatedVersions)
    func resourceTables(version: String) async throws {
        try await withJobClient(version: version) { _, client in
            let job = try await client.maintenance.resourceTables()
            #expect(job.jobType == .resourceTable)
            #expect(job.name?.hasPrefix("RESOURCE_TABLE (") == true)
            #expect(job.relativeNotifierEndpoint == "/api/system/tasks/RESOURCE_TABLE/\(job.id)")
            #expect(!job.isTrackerJob)

            let completion = try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(5))
            #expect(completion.status == .succeeded)
            #expect(completion.succeeded)
            let terminal = try #require(completion.terminal)
            #expect(terminal.isCompleted)
            #expect(terminal.level == .info)
            #expect(terminal.message?.hasPrefix("Resource tables generated") == true)
            #expect(completion.notifications.count == 7, "\(completion.notifications)")
            #expect(Set(completion.notifications.map(\.id)).count == 7, "each row once")
            #expect(completion.notifications.first?.message == "Generating resource tables", "oldest first")
            #expect(completion.notifications.last == terminal)
            #expect(completion.notifications.allSatisfy { $0.category == .resourceTable })
            let times = completion.notifications.compactMap(\.time)
            #expect(times == times.sorted())
            #expect(try await client.jobs.summary(for: job) == nil, "resource tables keep no summary")
        }
    }

    @Test("monitoring is started and awaited", arguments: emulatedVersions)
    func monitoring(version: String) async throws {
        try await withJobClient(version: version) { _, client in
            let job = try await client.maintenance.monitoring()
            #expect(job.jobType == .monitoring)
            let completion = try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(5))
            #expect(completion.status == .succeeded)
            #expect(completion.message == "Validation done")
        }
    }

    @Test("the notification sequence yields new rows oldest first, each once, and ends after the terminal row")
    func notificationSequence() async throws {
        try await withJobClient(stepDelay: .milliseconds(20)) { emulator, client in
            let job = try await client.maintenance.resourceTables()
            var rows: [TaskNotification] = []
            for try await row in client.jobs.notifications(for: job, pollInterval: .milliseconds(3)) {
                rows.append(row)
            }
            #expect(rows.count == 7)
            #expect(Set(rows.map(\.id)).count == rows.count)
            #expect(rows.last?.isCompleted == true)
            #expect(rows.dropLast().allSatisfy { !$0.isCompleted })
            let server = try await rawJSON(client, "/api/system/tasks/RESOURCE_TABLE/\(job.id)").arrayValue ?? []
            #expect(rows.map(\.id) == server.reversed().compactMap { $0["uid"]?.stringValue })
            let polls = emulator.requestCount(method: "GET", path: "/api/system/tasks/RESOURCE_TABLE/\(job.id)")
            #expect(polls > 2, "the rows arrived over several polls (\(polls)), so de-duplication was exercised")
        }
    }

    @Test("waiting past the timeout throws jobTimeout, counting time through the injected clock")
    func timeout() async throws {
        let clock = TestClock()
        try await withJobClient(stepDelay: .seconds(5), clock: clock) { _, client in
            let job = try await client.maintenance.resourceTables()
            let error = await #expect(throws: DHIS2Error.self) {
                _ = try await client.jobs.wait(for: job, timeout: .seconds(10), pollInterval: .seconds(2))
            }
            #expect(error?.code == .jobTimeout)
            #expect(error?.message.contains(job.id.rawValue) == true)
            #expect(clock.sleeps == Array(repeating: .seconds(2), count: 5), "polled every 2 s until 10 s had passed")
        }
    }

    @Test("cancelling the task that iterates the notifications stops the polling")
    func cancellation() async throws {
        try await withJobClient(stepDelay: .seconds(5)) { emulator, client in
            let job = try await client.maintenance.resourceTables()
            let path = "/api/system/tasks/RESOURCE_TABLE/\(job.id)"
            let firstRow = AsyncStream<Void>.makeStream()
            let task = Task { () -> DHIS2Error.Code? in
                do {
                    for try await _ in client.jobs.notifications(for: job, pollInterval: .milliseconds(10)) {
                        firstRow.continuation.yield()
                    }
                    return nil
                } catch let error as DHIS2Error {
                    return error.code
                } catch {
                    return nil
                }
            }
            var iterator = firstRow.stream.makeAsyncIterator()
            _ = await iterator.next()
            task.cancel()
            #expect(await task.value == .cancelled)
            let polls = emulator.requestCount(method: "GET", path: path)
            try await Task.sleep(for: .milliseconds(100))
            #expect(emulator.requestCount(method: "GET", path: path) == polls, "no request after the task ended")
        }
    }

    @Test("a failed job ends the wait as failed with its ERROR row", arguments: ["2.41.10", "2.42.6", "2.43.2"])
    func failedJob(version: String) async throws {
        try await withJobClient(version: version) { emulator, client in
            await emulator.failNextJob(ofType: "RESOURCE_TABLE", message: "Resource table generation failed")
            let job = try await client.maintenance.resourceTables()
            let completion = try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(5))
            #expect(completion.status == .failed)
            #expect(completion.terminal?.level == .error)
            #expect(completion.terminal?.isFailure == true)
            #expect(completion.message == "Resource table generation failed")
        }
    }

    @Test("2.44: when a failed job's rows are gone, the outcome comes from /api/jobConfigurations/{id}")
    func clearedFeedFallback() async throws {
        try await withJobClient(version: "2.44.0", retention: .milliseconds(20)) { emulator, client in
            await emulator.failNextJob(ofType: "RESOURCE_TABLE", message: "Resource table generation failed")
            let job = try await client.maintenance.resourceTables()
            let path = "/api/system/tasks/RESOURCE_TABLE/\(job.id)"
            var sawRows = false
            var cleared = false
            for _ in 0..<500 where !cleared {
                let rows = try await rawJSON(client, path).arrayValue ?? []
                sawRows = sawRows || !rows.isEmpty
                cleared = sawRows && rows.isEmpty
                if !cleared { try await Task.sleep(for: .milliseconds(5)) }
            }
            try #require(cleared, "the emulator cleared the failed job's rows")

            let completion = try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(5))
            #expect(completion.status == .failed)
            #expect(completion.terminal == nil)
            #expect(completion.notifications.isEmpty)
            #expect(emulator.requestCount(method: "GET", path: "/api/jobConfigurations/\(job.id)") == 1)

            // The sequence ends too, without a row to give.
            var rows: [TaskNotification] = []
            for try await row in client.jobs.notifications(for: job, pollInterval: .milliseconds(5)) { rows.append(row) }
            #expect(rows.isEmpty)
        }
    }

    @Test("2.44: a failed job watched from the start ends failed whether or not its rows were cleared meanwhile")
    func failedJobOn244() async throws {
        try await withJobClient(version: "2.44.0", retention: .milliseconds(1)) { emulator, client in
            await emulator.failNextJob(ofType: "RESOURCE_TABLE", message: "Resource table generation failed")
            let job = try await client.maintenance.resourceTables()
            let completion = try await client.jobs.wait(for: job, timeout: .seconds(60), pollInterval: .milliseconds(20))
            #expect(completion.status == .failed)
        }
    }

    @Test("summaries: a job's stored summary, and a tracker job's report once it finished")
    func summaries() async throws {
        try await withJobClient { emulator, client in
            let summary: JSONValue = ["responseType": "ImportSummary", "status": "SUCCESS", "importCount": ["imported": 3]]
            let imported = await emulator.jobRunner.submit(type: "DATAVALUE_IMPORT", parameters: nil) { progress in
                await progress.info("Process started")
                return summary
            }
            let job = JobReference(id: try UID(validating: imported.id), jobType: .dataValueImport)
            #expect(try await client.jobs.wait(for: job, pollInterval: .milliseconds(5)).succeeded)
            #expect(try await client.jobs.summary(for: job) == summary)

            let gate = AsyncStream<Void>.makeStream()
            let report: JSONValue = ["status": "OK", "stats": ["created": 1, "updated": 0, "deleted": 0, "ignored": 0, "total": 1]]
            let tracker = await emulator.jobRunner.submit(type: "TRACKER_IMPORT_JOB", parameters: nil) { progress in
                await progress.info("(TRACKER_IMPORT_JOB) Import:Start")
                var iterator = gate.stream.makeAsyncIterator()
                _ = await iterator.next()
                return report
            }
            let trackerJob = JobReference(
                id: try UID(validating: tracker.id), location: emulator.baseURL + "/api/tracker/jobs/\(tracker.id)")
            #expect(trackerJob.isTrackerJob)
            #expect(try await client.jobs.summary(for: trackerJob) == nil, "404 until the job finished")
            gate.continuation.yield()
            let completion = try await client.jobs.wait(for: trackerJob, pollInterval: .milliseconds(5))
            #expect(completion.succeeded)
            #expect(completion.notifications.first?.message == "(TRACKER_IMPORT_JOB) Import:Start")
            #expect(try await client.jobs.summary(for: trackerJob) == report)
            #expect(emulator.requestCount(method: "GET", path: "/api/tracker/jobs/\(tracker.id)") >= 1)
        }
    }

    @Test("a reference with neither a job type nor a location is refused before any request")
    func untypedReference() async throws {
        try await withJobClient { _, client in
            let job = JobReference(id: "abcdefghijk")
            let error = await #expect(throws: DHIS2Error.self) { _ = try await client.jobs.wait(for: job) }
            #expect(error?.code == .invalidRequest)
        }
    }
}
