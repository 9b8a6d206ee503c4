import DHIS2
@testable import DHIS2Emulator
import Foundation
import Testing

/// The job endpoints' answers, for every emulated version, are shapes the real OpenAPI document of that version
/// declares (kick-off WebMessages, notification arrays and maps, job configurations, tracker job notifications).
@Suite("Job endpoints conform to DHIS2's OpenAPI documents",
       .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason))
struct JobConformanceTests {
    @Test("kick-offs, notifications, task maps and job configurations", arguments: EmulatorConformanceTests.versions)
    func jobEndpoints(version: String) async throws {
        let document = try await OpenAPIDocument.shared(serverVersion: version)
        let validator = SchemaValidator(document: document)
        try await withJobEmulator(version: version) { emulator in
            let session = ConformanceSession(version: version, baseURL: emulator.baseURL, validator: validator)
            let kickOff = try await session.check("POST", "/api/resourceTables")
            let id = try #require(kickOff.body["response"]?["id"]?.stringValue)
            if version.hasPrefix("2.42") || version.hasPrefix("2.43") || version.hasPrefix("2.44") {
                // From v42 the document types WebMessage.response; the payload must be its job branch.
                let payload = try #require(kickOff.body["response"])
                var withoutType = payload.objectValue ?? [:]
                withoutType["responseType"] = nil
                let violations = validator.validate(.object(withoutType), component: "JobConfigurationWebMessageResponse")
                #expect(violations.isEmpty, "\(version): \(violations)")
            }
            let monitoring = try await session.check("POST", "/api/resourceTables/monitoring")
            let monitoringID = try #require(monitoring.body["response"]?["id"]?.stringValue)

            _ = try await emulator.terminalNotifications("/api/system/tasks/RESOURCE_TABLE/\(id)")
            _ = try await emulator.terminalNotifications("/api/system/tasks/MONITORING/\(monitoringID)")
            let rows = try await session.check("GET", "/api/system/tasks/RESOURCE_TABLE/\(id)")
            #expect(rows.body.arrayValue?.count == 7)
            for (index, row) in (rows.body.arrayValue ?? []).enumerated() {
                let violations = validator.validate(row, component: "Notification")
                #expect(violations.isEmpty, "\(version) notification \(index): \(violations)")
            }
            try await session.check("GET", "/api/system/tasks/RESOURCE_TABLE")
            try await session.check("GET", "/api/system/tasks/RESOURCE_TABLE?gist=true")
            try await session.check("GET", "/api/system/tasks")
            try await session.check("GET", "/api/system/tasks/MONITORING/abcdefghijk")

            let configuration = try await session.check("GET", "/api/jobConfigurations/\(id)")
            session.checkComponent(configuration, "JobConfiguration")

            let job = await emulator.jobRunner.submit(type: "TRACKER_IMPORT_JOB", parameters: nil) { progress in
                await progress.info("(TRACKER_IMPORT_JOB) Import:Start", dataType: "PARAMETERS", data: ["atomicMode": "ALL"])
                return ["status": "OK"]
            }
            _ = try await emulator.terminalNotifications("/api/tracker/jobs/\(job.id)")
            // v41 types Notification.data and the summary values as `JsonValue`, which its generator described from
            // the getters of DHIS2's JSON tree class; SpecDefect.allowList validates them as any JSON there.
            let trackerRows = try await session.check("GET", "/api/tracker/jobs/\(job.id)")
            for row in trackerRows.body.arrayValue ?? [] {
                #expect(row["data"] == nil || row["dataType"] == "PARAMETERS")
            }
            let summaries = try await session.check("GET", "/api/system/taskSummaries/TRACKER_IMPORT_JOB")
            #expect(summaries.body[job.id] == ["status": "OK"])
        }
    }
}
