import DHIS2
import DHIS2Emulator
import Foundation
import Testing

/// The data integrity endpoints' answers, for every emulated version, are shapes the real OpenAPI document of that
/// version declares.
@Suite("Data integrity endpoints conform to DHIS2's OpenAPI documents",
       .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason))
struct DataIntegrityConformanceTests {
    @Test("the list, both triggers, results by name, one check's result and the running/completed sets",
          arguments: EmulatorConformanceTests.versions)
    func endpoints(version: String) async throws {
        let document = try await OpenAPIDocument.shared(serverVersion: version)
        // The check members DHIS2 unwraps into summaries and details are in SpecDefect.allowList.
        let validator = SchemaValidator(document: document)
        try await withEmulator(EmulatorConfiguration(version: version)) { emulator in
            let session = ConformanceSession(version: version, baseURL: emulator.baseURL, validator: validator)
            let list = try await session.check("GET", "/api/dataIntegrity/")
            #expect((list.body.arrayValue?.count ?? 0) >= 10, "\(version): \(list.body)")

            let summaryTrigger = try await session.check("POST", "/api/dataIntegrity/summary?checks=*orgunits*,DEWD")
            let summaryParameters = try #require(summaryTrigger.body["response"]?["jobParameters"])
            let parameterViolations = validator.validate(summaryParameters, component: "DataIntegrityJobParameters")
            #expect(parameterViolations.isEmpty, "\(version): \(parameterViolations)")
            let detailsTrigger = try await session.check("POST", "/api/dataIntegrity/details", body: ["orgunits_orphaned", "OIG"])
            let detailsParameters = try #require(detailsTrigger.body["response"]?["jobParameters"])
            let detailsViolations = validator.validate(detailsParameters, component: "DataIntegrityDetailsJobParameters")
            #expect(detailsViolations.isEmpty, "\(version): \(detailsViolations)")
            try await session.check("POST", "/api/dataIntegrity")

            // `timeout` makes the server wait for the checks still running.
            let summaries = try await session.check("GET", "/api/dataIntegrity/summary?checks=*orgunits*,DEWD&timeout=30000")
            #expect((summaries.body.objectValue?.count ?? 0) >= 4, "\(version): \(summaries.body)")
            let details = try await session.check("GET", "/api/dataIntegrity/details?checks=orgunits_orphaned&timeout=30000")
            #expect(details.body["orgunits_orphaned"]?["issues"]?.arrayValue != nil, "\(version): \(details.body)")
            let one = try await session.check("GET", "/api/dataIntegrity/orgunits_orphaned/summary?timeout=30000")
            #expect(one.body["count"]?.intValue != nil)
            try await session.check("GET", "/api/dataIntegrity/orgunits_orphaned/details")
            try await session.check("GET", "/api/dataIntegrity/summary/completed")
            try await session.check("GET", "/api/dataIntegrity/summary/running")
            try await session.check("GET", "/api/dataIntegrity/details/completed")
            try await session.check("GET", "/api/dataIntegrity/details/running")
        }
    }
}
