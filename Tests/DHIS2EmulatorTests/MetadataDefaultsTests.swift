import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// DHIS2's metadata importer connects the default category objects to every missing single reference to a
/// Category, CategoryCombo, CategoryOption or CategoryOptionCombo, on create and on update, through `/api/metadata`
/// and the single-object endpoints alike (dhis2-core `DefaultPreheatService.connectDefaults`, called from
/// `connectReferences` in `DefaultObjectBundleService.handleCreates`/`handleUpdates`).
@Suite("Metadata import connects DHIS2's default category objects to missing references")
struct MetadataDefaultsTests {
    static let versions = ["2.41.10", "2.42.6", "2.43.2", "2.44.0"]
    static let defaultCombo = DemoData.defaultCategoryComboID.rawValue
    static let defaultOptionCombo = DemoData.defaultCategoryOptionComboID.rawValue

    /// An event program with every required property except its category combinations.
    static func program(_ id: String, name: String) -> JSONValue {
        ["id": .string(id), "name": .string(name), "shortName": .string(name), "programType": "WITHOUT_REGISTRATION"]
    }

    static func emulator(_ version: String) -> EmulatorConfiguration {
        var configuration = EmulatorConfiguration(version: version)
        configuration.loadsDemoData = false
        return configuration
    }

    @Test("a program and a predictor imported without category references get the defaults", arguments: versions)
    func bundleImportFillsDefaults(version: String) async throws {
        try await withEmulator(Self.emulator(version)) { emulator in
            let payload: JSONValue = [
                "programs": [Self.program("Qw7ePmoUw9V", name: "Defaults program")],
                "dataElements": [
                    [
                        "id": "oXsAUi1SdYn", "name": "Defaults element", "shortName": "Defaults element",
                        "valueType": "NUMBER", "aggregationType": "SUM", "domainType": "AGGREGATE",
                    ]
                ],
                "predictors": [
                    [
                        "id": "kGq3Zu9Tvae", "name": "Defaults predictor", "shortName": "Defaults predictor",
                        "periodType": "Monthly",
                        "output": ["id": "oXsAUi1SdYn"],
                        "generator": ["expression": "1", "missingValueStrategy": "NEVER_SKIP"],
                        "sequentialSampleCount": 0, "annualSampleCount": 0,
                        "organisationUnitLevels": [], "organisationUnitDescendants": "DESCENDANTS",
                    ]
                ],
            ]
            let reply = try await emulator.send(.POST, "/api/metadata", json: payload)
            #expect(reply.status == 200, "\(MetadataImportFidelityTests.errorSummary(reply.json))")
            #expect(reply.json["response"]?["status"] == "OK")

            let program = try await emulator.getJSON("/api/programs/Qw7ePmoUw9V?fields=:owner")
            #expect(program["categoryCombo"]?["id"]?.stringValue == Self.defaultCombo)
            if version.hasPrefix("2.43") || version.hasPrefix("2.44") {
                // `enrollmentCategoryCombo` is new and required in 2.43; an export without it still imports.
                #expect(program["enrollmentCategoryCombo"]?["id"]?.stringValue == Self.defaultCombo)
            } else {
                #expect(program["enrollmentCategoryCombo"] == nil)
            }
            // A predictor's `outputCombo` is optional, but a CategoryOptionCombo reference all the same.
            let predictor = try await emulator.getJSON("/api/predictors/kGq3Zu9Tvae?fields=outputCombo")
            #expect(predictor["outputCombo"]?["id"]?.stringValue == Self.defaultOptionCombo)
        }
    }

    @Test("single-object POST and PUT connect the default, and a PUT without the reference resets it", arguments: versions)
    func singleObjectWritesFillDefaults(version: String) async throws {
        try await withEmulator(Self.emulator(version)) { emulator in
            let created = try await emulator.send(.POST, "/api/programs", json: Self.program("bT3Wn6Yk0xQ", name: "Single"))
            #expect(created.status == 201, "\(created.text)")
            var program = try await emulator.getJSON("/api/programs/bT3Wn6Yk0xQ?fields=categoryCombo")
            #expect(program["categoryCombo"]?["id"]?.stringValue == Self.defaultCombo)

            // A combination of its own, then a full replacement that leaves it out: DHIS2 connects the default on
            // update too, and the REPLACE merge carries it onto the stored object.
            let combos: JSONValue = [
                "categoryOptions": [["id": "Fp4gVHbRvEV", "name": "Sex X", "shortName": "Sex X"]],
                "categories": [
                    [
                        "id": "cX5k9anHEHd", "name": "Sex test", "shortName": "Sex test",
                        "dataDimensionType": "ATTRIBUTE", "categoryOptions": [["id": "Fp4gVHbRvEV"]],
                    ]
                ],
                "categoryCombos": [
                    [
                        "id": "m2jTvAj5kkm", "name": "Sex test combo", "dataDimensionType": "ATTRIBUTE",
                        "categories": [["id": "cX5k9anHEHd"]],
                    ]
                ],
            ]
            let imported = try await emulator.send(.POST, "/api/metadata", json: combos)
            #expect(imported.status == 200, "\(MetadataImportFidelityTests.errorSummary(imported.json))")
            var withCombo = Self.program("bT3Wn6Yk0xQ", name: "Single").objectValue ?? [:]
            withCombo["categoryCombo"] = ["id": "m2jTvAj5kkm"]
            let replaced = try await emulator.send(.PUT, "/api/programs/bT3Wn6Yk0xQ", json: .object(withCombo))
            #expect(replaced.status == 200, "\(replaced.text)")
            program = try await emulator.getJSON("/api/programs/bT3Wn6Yk0xQ?fields=categoryCombo")
            #expect(program["categoryCombo"]?["id"] == "m2jTvAj5kkm")

            let reset = try await emulator.send(.PUT, "/api/programs/bT3Wn6Yk0xQ", json: Self.program("bT3Wn6Yk0xQ", name: "Single"))
            #expect(reset.status == 200, "\(reset.text)")
            program = try await emulator.getJSON("/api/programs/bT3Wn6Yk0xQ?fields=categoryCombo")
            #expect(program["categoryCombo"]?["id"]?.stringValue == Self.defaultCombo)
        }
    }

    @Test("reference collections are never filled with defaults", arguments: ["2.41.10", "2.44.0"])
    func collectionsStayEmpty(version: String) async throws {
        try await withEmulator(Self.emulator(version)) { emulator in
            let payload: JSONValue = [
                "categories": [
                    ["id": "rQ7xBC3cSPu", "name": "Empty category", "shortName": "Empty", "dataDimensionType": "DISAGGREGATION"]
                ]
            ]
            let reply = try await emulator.send(.POST, "/api/metadata", json: payload)
            #expect(reply.status == 200, "\(MetadataImportFidelityTests.errorSummary(reply.json))")
            let category = try await emulator.getJSON("/api/categories/rQ7xBC3cSPu?fields=categoryOptions")
            #expect(category["categoryOptions"] == [])
        }
    }

    @Test(
        "the real play export (programs without enrollmentCategoryCombo) imports on 2.43 and 2.44",
        .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason), .heavy,
        arguments: ["2.43.2", "2.44.0"])
    func realExportImports(version: String) async throws {
        let units = try MetadataImportFidelityTests.fixture("organisation_units.json")
        let metadata = try MetadataImportFidelityTests.fixture("metadata.json")
        try await withEmulator(Self.emulator(version)) { emulator in
            let first = try await emulator.send(.POST, "/api/metadata", json: ["organisationUnits": units])
            #expect(first.status == 200, "\(MetadataImportFidelityTests.errorSummary(first.json))")
            let second = try await emulator.send(.POST, "/api/metadata", json: metadata)
            #expect(second.status == 200, "\(MetadataImportFidelityTests.errorSummary(second.json))")
            #expect(second.json["response"]?["status"] == "OK")
            #expect(second.json["response"]?["stats"]?["ignored"] == .number(0))

            for source in metadata["programs"]?.arrayValue ?? [] {
                let id = try #require(source["id"]?.stringValue)
                #expect(source["enrollmentCategoryCombo"] == nil)
                let program = try await emulator.getJSON("/api/programs/\(id)?fields=categoryCombo,enrollmentCategoryCombo")
                #expect(program["categoryCombo"]?["id"] == source["categoryCombo"]?["id"])
                #expect(program["enrollmentCategoryCombo"]?["id"]?.stringValue == Self.defaultCombo)
            }
        }
    }
}
