import Foundation
import Testing

@testable import DHIS2

@Suite("Data value client values: merging chunk summaries, query and option parameters")
struct DataValueChunkingTests {
    static func conflict(_ code: String, _ object: String, _ indexes: [Int]) -> ImportConflict {
        ImportConflict(
            origin: .importSummary, object: object, property: "value", value: "Value must be a number", errorCode: code,
            message: "Value must be a number", indexes: indexes)
    }

    @Test("merged summaries add counts, keep the worst status and map indexes to input positions")
    func merge() {
        let requests: [DataValueImportResult.Request] = [
            .init(range: 0..<4, summary: ImportSummary(status: .success, importCount: ImportCount(imported: 4))),
            .init(
                range: 4..<8,
                summary: ImportSummary(
                    status: .warning, importCount: ImportCount(imported: 2, ignored: 2),
                    conflicts: [Self.conflict("E7619", "a", [1]), Self.conflict("E7600", "b", [3])],
                    rejectedIndexes: [1, 3])),
            .init(
                range: 8..<10,
                summary: ImportSummary(
                    status: .warning, description: "last", importCount: ImportCount(updated: 1, ignored: 1),
                    conflicts: [Self.conflict("E7619", "a", [0])], rejectedIndexes: [0])),
        ]
        let result = DataValueImportResult(requests: requests, valueCount: 10)
        #expect(result.summary.status == .warning)
        #expect(result.summary.importCount == ImportCount(imported: 6, updated: 1, ignored: 3))
        #expect(result.summary.rejectedIndexes == [5, 7, 8])
        // The same problem in two requests is one conflict with both input positions, as DHIS2 reports it in one.
        #expect(result.summary.conflicts.map(\.errorCode) == ["E7619", "E7600"])
        #expect(result.summary.conflicts.map(\.indexes) == [[5, 8], [7]])
        #expect(result.summary.description == "last")
        #expect(result.outcome.isPartial)
        #expect(result.outcome.rejectedIndexes == [5, 7, 8])
    }

    @Test("an ERROR anywhere makes the merged status ERROR; nothing changed makes the outcome failed")
    func mergeError() {
        let requests: [DataValueImportResult.Request] = [
            .init(range: 0..<1, summary: ImportSummary(status: .warning, importCount: ImportCount(ignored: 1),
                conflicts: [Self.conflict("E7619", "a", [0])], rejectedIndexes: [0])),
            .init(range: 1..<2, summary: ImportSummary(status: .error, importCount: ImportCount(ignored: 1),
                rejectedIndexes: [0])),
        ]
        let result = DataValueImportResult(requests: requests, valueCount: 2)
        #expect(result.summary.status == .error)
        #expect(result.outcome.didFail)
        #expect(result.summary.rejectedIndexes == [0, 1])
    }

    @Test("the export query sends DHIS2's parameter names, repeated where DHIS2 repeats them")
    func queryItems() throws {
        let query = DataValueQuery(
            dataSets: ["pBOMPrpg1QX", "QX4ZTUbOt3a"], periods: [try #require(Period("202401"))],
            startDate: CalendarDate(year: 2024, month: 1, day: 1), endDate: CalendarDate(year: 2024, month: 3, day: 31),
            orgUnits: ["ImspTQPwCqd"], children: true, includeDeleted: true,
            lastUpdated: Date(timeIntervalSince1970: 1_700_000_000.25), lastUpdatedDuration: .seconds(86_400 * 10),
            limit: 5, idSchemes: IDSchemes(orgUnit: .code))
        let pairs = query.queryItems.map { "\($0.name)=\($0.value ?? "")" }
        #expect(pairs == [
            "dataSet=pBOMPrpg1QX", "dataSet=QX4ZTUbOt3a", "period=202401", "startDate=2024-01-01",
            "endDate=2024-03-31", "orgUnit=ImspTQPwCqd", "children=true", "includeDeleted=true",
            "lastUpdated=2023-11-14T22:13:20.250", "lastUpdatedDuration=10d", "limit=5", "orgUnitIdScheme=CODE",
        ])
        #expect(DataValueQuery.durationNotation(.seconds(7200)) == "2h")
        #expect(DataValueQuery.durationNotation(.seconds(90)) == "90s")
        #expect(DataValueQuery.durationNotation(.seconds(300)) == "5m")
        #expect(DataValueQuery.durationNotation(.milliseconds(1500)) == "1500ms")
    }

    @Test("import options send only what is set; the client-side options never")
    func optionItems() {
        let options = DataValueImportOptions(
            dryRun: true, importStrategy: .delete, idSchemes: IDSchemes(idScheme: .code, dataElement: .name),
            skipExistingCheck: true, async: false, chunkSize: 100, requestTimeout: .seconds(5))
        let pairs = options.queryItems.map { "\($0.name)=\($0.value ?? "")" }
        #expect(pairs == [
            "dryRun=true", "importStrategy=DELETE", "idScheme=CODE", "dataElementIdScheme=NAME",
            "skipExistingCheck=true", "async=false",
        ])
        #expect(DataValueImportOptions.default.queryItems.isEmpty)
        #expect(IDScheme.attribute("l1VmqIHKk6t").rawValue == "ATTRIBUTE:l1VmqIHKk6t")
    }

    @Test("a single value's key sends de, pe, ou, co, cc, cp (;-separated) and ds")
    func singleValueKey() throws {
        let key = DataValueKey(
            dataElement: "s46m5MS0hxu", period: try #require(Period("202501")), orgUnit: "DiszpKrYNg8",
            categoryOptionCombo: "Prlt0C1RF0s", attributeCategoryCombo: "bjDvmb4bfuf",
            attributeCategoryOptions: ["xYerKDKCefk", "LFsZ8v5v7rq"], dataSet: "BfMAe6Itzgt")
        #expect(key.queryItems.map { "\($0.name)=\($0.value ?? "")" } == [
            "de=s46m5MS0hxu", "pe=202501", "ou=DiszpKrYNg8", "co=Prlt0C1RF0s", "cc=bjDvmb4bfuf",
            "cp=xYerKDKCefk;LFsZ8v5v7rq", "ds=BfMAe6Itzgt",
        ])
    }

    @Test("the streamed body is the data value set JSON: header members, then every value")
    func body() async throws {
        var header = DataValueSet()
        header.dataSet = "QX4ZTUbOt3a"
        header.dataValues = [DataValue()]  // ignored: the values come from the sequence
        var values: [DataValue] = []
        for index in 0..<3000 {
            var value = DataValue()
            value.dataElement = "Ld6GncfBAep"
            value.value = "\(index)"
            values.append(value)
        }
        let counter = ValueCounter()
        var bytes: [UInt8] = []
        var chunks = 0
        for try await chunk in DataValueSetBody(
            header: header, values: ValueList(values: values), counter: counter, chunkBytes: 4096)
        {
            bytes += chunk
            chunks += 1
        }
        #expect(chunks > 10)
        #expect(counter.count == 3000)
        let set = try DataValueSet(jsonBytes: bytes)
        #expect(set.dataSet == "QX4ZTUbOt3a")
        #expect(set.dataValues?.map(\.value) == values.map(\.value))

        var empty: [UInt8] = []
        for try await chunk in DataValueSetBody(header: DataValueSet(), values: ValueList(values: []), counter: counter) {
            empty += chunk
        }
        #expect(String(decoding: empty, as: UTF8.self) == #"{"dataValues":[]}"#)
    }
}
