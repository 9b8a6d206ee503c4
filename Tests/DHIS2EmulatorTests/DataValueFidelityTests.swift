import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// The real play data values, and the emulator's data value answers checked against DHIS2's own OpenAPI schemas.
@Suite("Data values against the real DHIS2: the play values import cleanly, answers match the OpenAPI schemas")
struct DataValueFidelityTests {
    /// `fixtures/play/<name>` decompressed (`gzip -dc`).
    static func gunzip(_ name: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", ReferenceDirectory.url.appendingPathComponent("fixtures/play/\(name)").path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw EmulatorTestFailure("gzip -dc \(name) failed") }
        return data
    }

    /// Every real play value imports with zero conflicts, one payload per data set.
    ///
    /// Run on 2.43, where a superuser may enter data anywhere [core/2.43 DefaultDataEntryService.validateUserAccess]:
    /// on 2.41–2.42 the hierarchy check applies to superusers too, and the emulator serves no `/api/users` to give
    /// the admin the play hierarchy's root. One payload per data set is what 2.43 requires when data elements of
    /// several data sets are sent (E8002 otherwise).
    @Test(
        "the 188,701 real play values import with zero conflicts after the real org units and metadata, and export back",
        .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason), .heavy)
    func realPlayValues() async throws {
        let units = try MetadataImportFidelityTests.fixture("organisation_units.json")
        let metadata = try MetadataImportFidelityTests.fixture("metadata.json")
        let source = try JSONValue(parsing: try Self.gunzip("data_values.json.gz"))["dataValues"]?.arrayValue ?? []
        #expect(source.count == 188_701)
        var dataSetOf: [String: String] = [:]
        for dataSet in metadata["dataSets"]?.arrayValue ?? [] {
            for element in dataSet["dataSetElements"]?.arrayValue ?? [] {
                if let id = element["dataElement"]?["id"]?.stringValue { dataSetOf[id] = dataSet["id"]?.stringValue }
            }
        }
        var payloads: [String: [JSONValue]] = [:]
        for value in source {
            payloads[dataSetOf[value["dataElement"]?.stringValue ?? ""] ?? "none", default: []].append(value)
        }
        #expect(payloads["none"] == nil)
        var configuration = EmulatorConfiguration(version: "2.43.2")
        configuration.loadsDemoData = false
        try await withEmulator(configuration) { emulator in
            let first = try await emulator.send(.POST, "/api/metadata", json: ["organisationUnits": units])
            #expect(first.status == 200)
            // The aggregate part of the export: the play programs lack `enrollmentCategoryCombo`, which 2.43 requires
            // (a real 2.43 refuses them too), and data values need none of the tracker metadata.
            let aggregate = (metadata.objectValue ?? [:]).filter { Self.aggregateTypes.contains($0.key) }
            let second = try await emulator.send(.POST, "/api/metadata", json: .object(aggregate))
            #expect(second.status == 200, "\(MetadataImportFidelityTests.errorSummary(second.json))")

            var written = 0
            for (dataSet, values) in payloads.sorted(by: { $0.key < $1.key }) {
                let payload: JSONValue = ["dataSet": .string(dataSet), "dataValues": .array(values)]
                let reply = try await emulator.post("/api/dataValueSets", bytes: Array(try payload.jsonData()))
                #expect(reply.status == 200, "\(String(reply.text.prefix(1000)))")
                #expect(reply.json["response"]?["conflicts"] == [])
                written += Int(reply.json["response"]?["importCount"]?["updated"]?.doubleValue ?? 0)
            }
            #expect(written == 188_701)

            let export = try await emulator.getLarge(
                "/api/dataValueSets?dataSet=BfMAe6Itzgt&dataSet=TuL8IOPzpHh&startDate=2025-01-01&endDate=2025-12-31"
                    + "&orgUnit=ImspTQPwCqd&children=true")
            #expect(export.status == 200)
            let exported = try JSONValue(parsing: export.body)["dataValues"]?.arrayValue ?? []
            #expect(exported.count == source.count)
            // A value sent without `storedBy` is stored by the importing user.
            func identity(_ value: JSONValue) -> String {
                ["dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy",
                 "created", "lastUpdated"].map { value[$0]?.stringValue ?? ($0 == "storedBy" ? "admin" : "-") }
                    .joined(separator: "|")
            }
            let difference = Set(source.map(identity)).symmetricDifference(exported.map(identity))
            #expect(difference.isEmpty, "\(difference.count) differ, e.g. \(difference.prefix(3))")
        }
    }

    @Test("import summaries, kick-offs and exports conform to the real OpenAPI schemas", arguments: ["2.41.10", "2.42.6", "2.43.2", "2.44"])
    func conformance(version: String) async throws {
        guard ReferenceDirectory.testsShouldRun else { return }
        // ImportOptions.idSchemes and the export's explicit nulls are in SpecDefect.allowList.
        let validator = SchemaValidator(document: try await OpenAPIDocument.shared(serverVersion: version))
        try await withEmulator(.init(version: version)) { emulator in
            let units = try await DataValueFixture.facilities(emulator)
            let good = try await emulator.send(.POST, "/api/dataValueSets", json: [
                "dataSet": .string(DataValueFixture.dataSet),
                "dataValues": [DataValueFixture.row(DataValueFixture.anc1, "202401", units[0], "3")],
            ])
            let bad = try await emulator.send(.POST, "/api/dataValueSets", json: [
                "dataSet": .string(DataValueFixture.dataSet),
                "dataValues": [
                    DataValueFixture.row(DataValueFixture.anc1, "202402", units[0], "3"),
                    DataValueFixture.row(DataValueFixture.anc1, "202403", units[0], "x"),
                ],
            ])
            #expect(bad.status == 409)
            for reply in [good, bad] {
                var violations = validator.validate(reply.json, component: "WebMessage")
                // v41 declares WebMessage.response opaque and has no ImportSummary component.
                if version != "2.41.10" {
                    violations += validator.validate(reply.json["response"] ?? .null, component: "ImportSummary")
                }
                #expect(violations.isEmpty, "\(violations)")
            }
            let export = try await emulator.getJSON(
                "/api/dataValueSets?dataSet=\(DataValueFixture.dataSet)&period=202401&orgUnit=\(units[0])")
            // The data value set writer streams explicit nulls (reference §0.1, §7.4 [core/2.42
            // JsonDataValueSetWriter]), the one documented exception to NON_NULL; SpecDefect.allowList accepts them
            // at exactly those members, the schema check (rightly, everywhere else) refuses nulls.
            #expect(export["completeDate"] == .null)
            #expect(export["dataValues"]?[0]?["comment"] == .null)
            let violations = validator.validate(export, component: "DataValueSet")
            #expect(violations.isEmpty, "\(violations)")
            #expect(export["dataValues"]?.arrayValue?.count == 1)
        }
    }

    /// The metadata types aggregate data entry needs.
    static let aggregateTypes: Set<String> = [
        "categoryOptions", "categories", "categoryCombos", "categoryOptionCombos", "dataElements", "dataSets",
        "sections", "optionSets", "options", "legendSets", "legends", "indicators", "indicatorTypes",
        "organisationUnitGroups", "organisationUnitGroupSets", "dataEntryForms",
    ]
}
