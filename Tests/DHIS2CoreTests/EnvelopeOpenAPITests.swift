import Foundation
import Testing

@testable import DHIS2Core

/// Where the real DHIS2 reference documents are: `DHIS2_REFERENCE_DIR`, else `../shared/dhis2` next to the repository.
enum EnvelopeReference {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        // This file is <repo>/Tests/DHIS2CoreTests/EnvelopeOpenAPITests.swift.
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/dhis2", isDirectory: true).standardized
    }

    static var isAvailable: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("openapi").path)
    }

    /// Run when the documents are there, and always on CI (where their absence must fail the test).
    static var shouldRun: Bool { isAvailable || ProcessInfo.processInfo.environment["CI"] != nil }
}

/// Just enough of an OpenAPI document to list each component schema's property names.
private struct OpenAPIComponents: Decodable {
    struct Components: Decodable { var schemas: [String: Schema] }
    struct Schema: Decodable { var properties: [String: Ignored]? }
    struct Ignored: Decodable { init(from decoder: any Decoder) throws {} }
    var components: Components
}

/// The wire names one envelope type decodes, and the DHIS2 component schemas that must declare every one of them.
private struct WireExpectation: Sendable {
    var type: String
    var keys: [String]
    /// Component names; a key must be a property of at least one of those present in the document.
    var components: [String]
    /// Whether the components are missing from v41's document (which leaves `WebMessage.response` untyped).
    var absentFromV41 = false

    init<Keys: CaseIterable & RawRepresentable<String>>(
        _ type: String, _ keys: Keys.Type, in components: [String], absentFromV41: Bool = false
    ) {
        self.type = type
        self.keys = keys.allCases.map(\.rawValue)
        self.components = components
        self.absentFromV41 = absentFromV41
    }

    init(_ type: String, keys: [String], in components: [String], absentFromV41: Bool = false) {
        self.type = type
        self.keys = keys
        self.components = components
        self.absentFromV41 = absentFromV41
    }
}

@Suite("Envelope wire names exist in DHIS2's OpenAPI documents")
struct EnvelopeOpenAPITests {
    private static let expectations: [WireExpectation] = [
        WireExpectation("WebMessage", WebMessage.CodingKeys.self, in: ["WebMessage"]),
        WireExpectation("ObjectReport", ObjectReport.CodingKeys.self, in: ["ObjectReport"]),
        WireExpectation("ErrorReport", ErrorReport.CodingKeys.self, in: ["ErrorReport"]),
        WireExpectation("TypeReport", TypeReport.CodingKeys.self, in: ["TypeReport"]),
        WireExpectation("ImportReport", ImportReport.CodingKeys.self, in: ["ImportReport"]),
        WireExpectation("ImportStats", ImportStats.CodingKeys.self, in: ["Stats"]),
        WireExpectation("ImportStats (tracker)", ImportStats.CodingKeys.self, in: ["TrackerStats"]),
        WireExpectation("ImportSummary", ImportSummary.CodingKeys.self, in: ["ImportSummary"], absentFromV41: true),
        WireExpectation("ImportCount", ImportCount.CodingKeys.self, in: ["ImportCount"], absentFromV41: true),
        WireExpectation("ImportConflict", ImportConflict.WireKeys.self, in: ["ImportConflict"], absentFromV41: true),
        WireExpectation(
            "WebMessage.importCount (flat created/updated/deleted)", WebMessage.ImportCountResponseKey.self,
            in: ["ImportCountWebMessageResponse"], absentFromV41: true),
        WireExpectation(
            "JobReference (2.42+ kick-off payloads)", JobReference.CodingKeys.self,
            in: ["JobConfigurationWebMessageResponse", "TrackerJobWebMessageResponse"], absentFromV41: true),
        // v41 leaves WebMessage.response untyped, so it documents no kick-off payload. The payload copies these
        // JobConfiguration fields (checked here in every version) and adds `relativeNotifierEndpoint`, as does the
        // tracker job its `location` (both checked above for v42+).
        WireExpectation(
            "JobReference (JobConfiguration fields)",
            keys: JobReference.CodingKeys.allCases.map(\.rawValue)
                .filter { $0 != "location" && $0 != "relativeNotifierEndpoint" },
            in: ["JobConfiguration"]),
        WireExpectation("TrackerImportReport", TrackerImportReport.CodingKeys.self, in: ["TrackerImportReport"]),
        WireExpectation(
            "TrackerImportReport.ValidationReport", TrackerImportReport.ValidationReport.CodingKeys.self,
            in: ["ValidationReport"]),
        WireExpectation("TrackerImportReport.Error", TrackerImportReport.Error.CodingKeys.self, in: ["TrackerImportError"]),
        WireExpectation("TrackerImportReport.Warning", TrackerImportReport.Warning.CodingKeys.self, in: ["Warning"]),
        WireExpectation("TrackerImportReport.ObjectReport", TrackerImportReport.ObjectReport.CodingKeys.self, in: ["Entity"]),
        WireExpectation(
            "TrackerImportReport.TypeReport", TrackerImportReport.TypeReport.CodingKeys.self, in: ["TrackerTypeReport"]),
        WireExpectation(
            "TrackerImportReport.BundleReport", TrackerImportReport.BundleReport.CodingKeys.self, in: ["PersistenceReport"]),
    ]

    @Test(
        "every field name the envelope types decode is a property of the matching component schema",
        .enabled(
            if: EnvelopeReference.shouldRun,
            "DHIS2 reference documents not found (set DHIS2_REFERENCE_DIR or check out ../shared/dhis2); skipped"),
        arguments: ["v41", "v42", "v43", "v44"])
    func wireNamesExist(version: String) throws {
        let file = EnvelopeReference.directory.appendingPathComponent("openapi/\(version).json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            Issue.record("\(file.path) is missing; the CI environment must provide the DHIS2 reference documents")
            return
        }
        let document = try JSONDecoder().decode(OpenAPIComponents.self, from: Data(contentsOf: file))
        let schemas = document.components.schemas
        var checked = 0
        for expectation in Self.expectations {
            if version == "v41" && expectation.absentFromV41 { continue }
            let present = expectation.components.filter { schemas[$0] != nil }
            #expect(
                !present.isEmpty,
                "\(version): none of \(expectation.components) exists, so \(expectation.type) cannot be checked")
            let declared = Set(present.flatMap { schemas[$0]?.properties?.keys.map { $0 } ?? [] })
            for key in expectation.keys {
                #expect(
                    declared.contains(key),
                    "\(version): \(expectation.type) decodes \"\(key)\", which \(present) does not declare")
            }
            checked += 1
        }
        #expect(checked >= 14)
    }
}
