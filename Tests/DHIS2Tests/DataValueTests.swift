import DHIS2
import DHIS2Emulator
import Foundation
import Testing

/// Helpers shared by the data value tests: the demo's monthly data set, its facilities and values for them.
enum DataValueFixture {
    static let dataSet = DemoData.monthlyDataSetID
    /// An integer data element of the monthly data set (`INTEGER_ZERO_OR_POSITIVE`).
    static let anc1 = DemoData.ancFirstVisitID
    static let malaria = DemoData.malariaCasesConfirmedID
    /// A closed past month (the data set has no expiry days and no open future periods).
    static let period = Period("202401")!  // a literal DHIS2 period: always valid

    /// The facilities the monthly data set is assigned to, sorted.
    static func facilities(_ client: DHIS2Client) async throws -> [UID] {
        let set = try await client.metadata.dataSets.get(dataSet, fields: "organisationUnits[id]")
        let ids = (set.organisationUnits ?? []).compactMap { $0.id.flatMap(UID.init(rawValue:)) }
        return ids.sorted { $0.rawValue < $1.rawValue }
    }

    static func value(_ dataElement: UID, _ orgUnit: UID, _ value: String, period: Period = period) -> DataValue {
        var dataValue = DataValue()
        dataValue.dataElement = dataElement.rawValue
        dataValue.period = period.isoString
        dataValue.orgUnit = orgUnit.rawValue
        dataValue.categoryOptionCombo = DemoData.defaultCategoryOptionComboID.rawValue
        dataValue.attributeOptionCombo = DemoData.defaultCategoryOptionComboID.rawValue
        dataValue.value = value
        return dataValue
    }

    /// What identifies a stored value and what it holds, for comparing an export with what was imported.
    struct Row: Hashable, CustomStringConvertible {
        var dataElement, period, orgUnit, categoryOptionCombo, attributeOptionCombo, value: String?
        init(_ value: DataValue) {
            dataElement = value.dataElement
            period = value.period
            orgUnit = value.orgUnit
            categoryOptionCombo = value.categoryOptionCombo
            attributeOptionCombo = value.attributeOptionCombo
            self.value = value.value
        }
        var description: String {
            [dataElement, period, orgUnit, categoryOptionCombo, attributeOptionCombo, value].map { $0 ?? "-" }
                .joined(separator: "/")
        }
    }

    static func temporaryFile(_ name: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString).json").path
    }
}

@Suite("Aggregate data values over HTTP: import, conflicts, chunking, async, export, single values")
struct DataValueTests {
    typealias Fixture = DataValueFixture

    @Test("a 409 import is a result: the caller reads each conflict and its input index", arguments: emulatedVersions)
    func conflictsAreRead(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facility = try #require(try await Fixture.facilities(client).first)
                var set = DataValueSet()
                set.dataSet = Fixture.dataSet.rawValue
                set.dataValues = [
                    Fixture.value(Fixture.anc1, facility, "12"),
                    Fixture.value(Fixture.malaria, facility, "not a number"),
                    Fixture.value(DemoData.bedOccupancyRateID, facility, "55"),
                ]
                let result = try await client.dataValues.import(set)
                #expect(result.summary.status != .success)
                #expect(result.outcome.isPartial)
                // 2.41–2.42 count new values as imported; 2.43+'s pipeline may count them as updated.
                #expect(result.summary.importCount?.changed == 2)
                #expect(result.summary.rejectedIndexes == [1])
                let conflict = try #require(result.outcome.conflicts.first)
                #expect(result.outcome.conflicts.count == 1)
                #expect(conflict.indexes == [1])
                #expect(conflict.errorCode != nil)
                #expect(result.requests.count == 1)
                #expect(result.requests.first?.webMessage?.httpStatusCode == 409)
                #expect(result.valueCount == 3)
            }
        }
    }

    @Test("a dry run reports what would be imported and stores nothing")
    func dryRun() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facility = try #require(try await Fixture.facilities(client).first)
                var set = DataValueSet()
                set.dataValues = [Fixture.value(Fixture.anc1, facility, "7")]
                let result = try await client.dataValues.import(set, options: .dryRun)
                #expect(result.outcome.didSucceed)
                #expect(result.summary.importCount?.imported == 1)
                let key = DataValueKey(dataElement: Fixture.anc1, period: Fixture.period, orgUnit: facility)
                #expect(try await client.dataValues.value(at: key) == nil)
            }
        }
    }

    @Test("a chunked import merges the requests' summaries and maps every conflict back to the input index",
        arguments: emulatedVersions)
    func chunkedImportMapsIndexes(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facilities = try await Fixture.facilities(client)
                try #require(facilities.count >= 10)
                let bad: Set<Int> = [3, 8, 9]
                let values = (0..<10).map { index in
                    Fixture.value(Fixture.anc1, facilities[index], bad.contains(index) ? "-\(index)x" : "\(index)")
                }
                var set = DataValueSet()
                set.dataValues = values
                let result = try await client.dataValues.import(set, options: .init(chunkSize: 4))
                #expect(result.requests.map(\.range) == [0..<4, 4..<8, 8..<10])
                #expect(result.summary.importCount?.changed == 7)
                #expect(result.summary.rejectedIndexes.sorted() == [3, 8, 9])
                #expect(Set(result.outcome.conflicts.flatMap(\.indexes)) == bad)
                #expect(result.outcome.isPartial)
                // Each conflict names the value it rejected: the org unit at that input position.
                for conflict in result.outcome.conflicts {
                    for index in conflict.indexes {
                        #expect(result.requests.contains { $0.range.contains(index) })
                    }
                }
                // The last request carried positions 8 and 9 as its own 0 and 1.
                #expect(result.requests[2].summary.rejectedIndexes.sorted() == [0, 1])
            }
        }
    }

    @Test("an async import is awaited as a job and its ImportSummary read from the task summary")
    func asyncImport() async throws {
        try await withTestEmulator { emulator in
            let configuration = DHIS2Configuration(clock: FastClock())
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth, configuration: configuration) {
                client in
                let facilities = try await Fixture.facilities(client)
                var set = DataValueSet()
                set.dataValues = [
                    Fixture.value(Fixture.anc1, facilities[0], "3"), Fixture.value(Fixture.anc1, facilities[1], "x"),
                ]
                let result = try await client.dataValues.import(
                    set, options: .init(async: true, jobPollInterval: .milliseconds(50)))
                let request = try #require(result.requests.first)
                #expect(request.job?.jobType == .dataValueImport)
                #expect(request.webMessage?.jobReference != nil)
                #expect(result.summary.importCount?.imported == 1)
                #expect(result.summary.rejectedIndexes == [1])
                #expect(result.outcome.isPartial)
                let key = DataValueKey(dataElement: Fixture.anc1, period: Fixture.period, orgUnit: facilities[0])
                #expect(try await client.dataValues.value(at: key) == "3")
            }
        }
    }

    @Test("what is imported exports back equal, streamed as typed values and to a file", arguments: emulatedVersions)
    func exportEqualsImport(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facilities = try await Fixture.facilities(client)
                let elements = [Fixture.anc1, Fixture.malaria, DemoData.bedOccupancyRateID]
                var values: [DataValue] = []
                for (index, facility) in facilities.prefix(40).enumerated() {
                    for (offset, element) in elements.enumerated() {
                        // Below 100: one element is a percentage.
                        values.append(Fixture.value(element, facility, "\((index * 3 + offset) % 97)"))
                    }
                }
                var set = DataValueSet()
                set.dataValues = values
                let imported = try await client.dataValues.import(set)
                #expect(imported.outcome.didSucceed)
                #expect(imported.summary.importCount?.changed == values.count)

                let query = DataValueQuery(
                    dataSets: [Fixture.dataSet], periods: [Fixture.period], orgUnits: [DemoData.countryID],
                    children: true)
                var streamed: [DataValue] = []
                for try await value in client.dataValues.export(query) { streamed.append(value) }
                #expect(Set(streamed.map(Fixture.Row.init)) == Set(values.map(Fixture.Row.init)))
                #expect(streamed.count == values.count)
                #expect(streamed.allSatisfy { $0.lastUpdated != nil && $0.created != nil })

                let path = Fixture.temporaryFile("export")
                defer { try? FileManager.default.removeItem(atPath: path) }
                let written = try await client.dataValues.export(query, to: path)
                #expect(written > 0)
                let file = try DataValueSet(jsonBytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))))
                #expect(Set((file.dataValues ?? []).map(Fixture.Row.init)) == Set(values.map(Fixture.Row.init)))

                // The exported file imports back whole, every value accepted.
                let again = try await client.dataValues.importFile(at: path)
                #expect(again.outcome.didSucceed)
                #expect(again.summary.importCount?.total == values.count)
                #expect(again.valueCount == values.count)
            }
        }
    }

    @Test("an export query DHIS2 refuses for a missing parameter is a clear invalidRequest error")
    func exportMissingParameter() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let query = DataValueQuery(dataSets: [Fixture.dataSet], periods: [Fixture.period])
                let error = await #expect(throws: DHIS2Error.self) {
                    for try await _ in client.dataValues.export(query) {}
                }
                #expect(error?.code == .invalidRequest)
                #expect(error?.status == 409)
                #expect(error?.message.contains("refused the data value export query") == true)
                #expect(error?.webMessage?.message != nil)

                let path = Fixture.temporaryFile("refused")
                let fileError = await #expect(throws: DHIS2Error.self) {
                    try await client.dataValues.export(query, to: path)
                }
                #expect(fileError?.code == .invalidRequest)
                #expect(!FileManager.default.fileExists(atPath: path))
            }
        }
    }

    @Test("single values: set, read as DHIS2's text, delete, and a missing value reads as nil",
        arguments: emulatedVersions)
    func singleValues(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facility = try #require(try await Fixture.facilities(client).first)
                let key = DataValueKey(
                    dataElement: Fixture.anc1, period: Fixture.period, orgUnit: facility,
                    categoryOptionCombo: DemoData.defaultCategoryOptionComboID)
                #expect(try await client.dataValues.value(at: key) == nil)
                try await client.dataValues.set("112", at: key, comment: "checked")
                #expect(try await client.dataValues.value(at: key) == "112")
                try await client.dataValues.set("113", at: key)
                #expect(try await client.dataValues.value(at: key) == "113")
                try await client.dataValues.delete(at: key)
                #expect(try await client.dataValues.value(at: key) == nil)

                let wrong = await #expect(throws: DHIS2Error.self) {
                    try await client.dataValues.set("many", at: key)
                }
                #expect(wrong?.status == 409)
            }
        }
    }

    @Test("values from an AsyncSequence stream into one request, header members applied to every value")
    func streamedSequence() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facilities = try await Fixture.facilities(client)
                let (stream, continuation) = AsyncStream.makeStream(of: DataValue.self)
                for (index, facility) in facilities.prefix(25).enumerated() {
                    var value = Fixture.value(Fixture.malaria, facility, "\(index)")
                    value.period = nil  // from the header
                    continuation.yield(value)
                }
                continuation.finish()
                var header = DataValueSet()
                header.period = Fixture.period.isoString
                let result = try await client.dataValues.import(stream, header: header)
                #expect(result.valueCount == 25)
                #expect(result.summary.importCount?.imported == 25)
                #expect(result.requests.first?.range == 0..<25)
                let key = DataValueKey(dataElement: Fixture.malaria, period: Fixture.period, orgUnit: facilities[24])
                #expect(try await client.dataValues.value(at: key) == "24")
            }
        }
    }

    @Test("a file imports streamed as it is, or chunked with its set members (even after dataValues) on every chunk")
    func fileImport() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let facilities = try await Fixture.facilities(client)
                let rows = facilities.prefix(9).enumerated().map { index, facility in
                    #"{"dataElement":"\#(Fixture.anc1.rawValue)","orgUnit":"\#(facility.rawValue)","value":"\#(index == 4 ? "bad" : String(index))"}"#
                }
                // The set's period follows the values: a chunked import must still send it with every chunk.
                let document = #"{"dataValues":[\#(rows.joined(separator: ",\n"))],"period":"202402"}"#
                let path = Fixture.temporaryFile("import")
                defer { try? FileManager.default.removeItem(atPath: path) }
                try Data(document.utf8).write(to: URL(fileURLWithPath: path))

                let chunked = try await client.dataValues.importFile(at: path, options: .init(chunkSize: 2))
                #expect(chunked.requests.count == 5)
                #expect(chunked.valueCount == 9)
                #expect(chunked.summary.importCount?.imported == 8)
                #expect(chunked.summary.rejectedIndexes == [4])
                #expect(chunked.outcome.conflicts.flatMap(\.indexes) == [4])

                let whole = try await client.dataValues.importFile(at: path)
                #expect(whole.requests.count == 1)
                #expect(whole.summary.importCount?.ignored == 9)
                #expect(whole.summary.rejectedIndexes == [4])
                let key = DataValueKey(dataElement: Fixture.anc1, period: Period("202402")!, orgUnit: facilities[8])  // literal
                #expect(try await client.dataValues.value(at: key) == "8")
            }
        }
    }
}

/// A clock whose sleeps return at once, so job polling in tests never waits.
final class FastClock: DHIS2Clock {
    func now() -> Date { Date() }
    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        try await Task.sleep(for: .milliseconds(5))
    }
}
