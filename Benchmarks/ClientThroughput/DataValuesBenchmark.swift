// `data-values` mode of dhis2-benchmark (issue 7 item 6): generate N data values to a file, import the file
// streamed (one request, and chunked), export the values to a file and as a typed stream, reporting wall time,
// values/s and the client's peak resident memory (VmHWM) after each phase.
import DHIS2
import Foundation

/// Runs the data value benchmark against `client`: `count` generated values of the monthly data set's numeric data
/// elements, for its org units, over as many monthly periods (from January 2000) as needed.
func benchmarkDataValues(_ client: DHIS2Client, count: Int, chunkSize: Int, directory: String) async throws {
    print("server:      \(client.baseURL) (DHIS2 \(client.serverVersion?.rawValue ?? "?"), API \(client.apiVersion))")
    print("before:      VmRSS \(mebibytes("VmRSS")) MiB")
    let clock = ContinuousClock()

    // What to generate: the data set with the most org units, its numeric data elements.
    let sets = try await client.metadata.dataSets.list(
        fields: "id,periodType,organisationUnits[id],dataSetElements[dataElement[id,valueType]]", pageSize: 1000
    ).items
    guard
        let set = sets.filter({ $0.periodType == "Monthly" })
            .max(by: { ($0.organisationUnits?.count ?? 0) < ($1.organisationUnits?.count ?? 0) }),
        let setID = set.id.flatMap(UID.init(rawValue:))
    else { throw BenchmarkFailure("The server has no monthly data set to import values into.") }
    let numeric: Set<String> = ["INTEGER", "INTEGER_POSITIVE", "INTEGER_ZERO_OR_POSITIVE", "NUMBER"]
    let elements = (set.dataSetElements ?? []).compactMap { $0.dataElement }
        .filter { numeric.contains($0.valueType?.rawValue ?? "") }.compactMap(\.id)
    let orgUnits = (set.organisationUnits ?? []).compactMap(\.id)
    guard !elements.isEmpty, !orgUnits.isEmpty else {
        throw BenchmarkFailure("The data set \(setID) has no numeric data elements or no org units.")
    }
    let perPeriod = elements.count * orgUnits.count
    let periodCount = (count + perPeriod - 1) / perPeriod
    guard let first = Period("200001"), periodCount <= 12 * 25 else {
        throw BenchmarkFailure("\(count) values need \(periodCount) months of \(perPeriod) values; too many.")
    }
    let periods = (0..<periodCount).map { first.advanced(by: $0) }
    print("data:        data set \(setID): \(elements.count) numeric data elements × \(orgUnits.count) org units × "
        + "\(periodCount) months (\(periods.first?.isoString ?? "")–\(periods.last?.isoString ?? ""))")

    // 1. Generate the file, streamed to disk.
    let importPath = directory + "/dhis2-benchmark-values.json"
    let exportPath = directory + "/dhis2-benchmark-export.json"
    defer {
        try? FileManager.default.removeItem(atPath: importPath)
        try? FileManager.default.removeItem(atPath: exportPath)
    }
    var start = clock.now
    let bytes = try writeValues(
        to: importPath, count: count, elements: elements, orgUnits: orgUnits, periods: periods)
    let generated = seconds(start.duration(to: clock.now))

    let header = ["phase", "values", "MiB", "wall s", "values/s", "VmHWM MiB"]
    print("")
    print(Table.row(header))
    print(Table.separator(columns: header.count))
    report("generate file", values: count, bytes: bytes, seconds: generated, row: true)

    // 2. Import the file streamed in one request (bytes sent as they are read).
    start = clock.now
    let options = DataValueImportOptions(skipAudit: true, requestTimeout: .seconds(3600))
    let whole = try await client.dataValues.importFile(at: importPath, options: options)
    report("import file, 1 request", values: whole.valueCount, bytes: bytes,
        seconds: seconds(start.duration(to: clock.now)), row: true, note: whole.outcome.description)

    // 3. The same file again, parsed and sent in chunks (all values now unchanged: counted as ignored).
    start = clock.now
    var chunked = options
    chunked.chunkSize = chunkSize
    let again = try await client.dataValues.importFile(at: importPath, options: chunked)
    report("import file, chunks of \(chunkSize)", values: again.valueCount, bytes: bytes,
        seconds: seconds(start.duration(to: clock.now)), row: true,
        note: "\(again.requests.count) requests, " + again.outcome.description)

    // 4. Export to a file, streamed.
    let query = DataValueQuery(
        dataSets: [setID], startDate: periods.first?.startDate, endDate: periods.last?.endDate,
        orgUnits: orgUnits.compactMap(UID.init(rawValue:)))
    start = clock.now
    let written = try await client.dataValues.export(query, to: exportPath)
    report("export to file", values: count, bytes: Int(written), seconds: seconds(start.duration(to: clock.now)),
        row: true)

    // 5. Export as typed values, streamed and dropped one by one.
    start = clock.now
    var exported = 0
    for try await value in client.dataValues.export(query) where value.value != nil { exported += 1 }
    report("export as DataValue stream", values: exported, bytes: Int(written),
        seconds: seconds(start.duration(to: clock.now)), row: true)
}

/// Writes `count` values as a data value set to `path` in pieces of about 1 MiB; returns the bytes written.
private func writeValues(
    to path: String, count: Int, elements: [String], orgUnits: [String], periods: [Period]
) throws -> Int {
    guard FileManager.default.createFile(atPath: path, contents: nil),
        let handle = FileHandle(forWritingAtPath: path)
    else { throw BenchmarkFailure("Could not create \(path).") }
    defer { try? handle.close() }
    var buffer: [UInt8] = Array(#"{"dataValues":["#.utf8)
    buffer.reserveCapacity(1 << 21)
    var total = 0
    var writer = DHIS2JSONWriter()
    var index = 0
    outer: for period in periods {
        for orgUnit in orgUnits {
            for element in elements {
                guard index < count else { break outer }
                var value = DataValue()
                value.dataElement = element
                value.period = period.isoString
                value.orgUnit = orgUnit
                value.value = String(index % 997 + 1)
                writer = DHIS2JSONWriter()
                value.writeJSON(to: &writer)
                if index > 0 { buffer.append(UInt8(ascii: ",")) }
                buffer.append(contentsOf: writer.bytes)
                index += 1
                if buffer.count >= 1 << 20 {
                    try handle.write(contentsOf: buffer)
                    total += buffer.count
                    buffer.removeAll(keepingCapacity: true)
                }
            }
        }
    }
    buffer.append(contentsOf: "]}".utf8)
    try handle.write(contentsOf: buffer)
    return total + buffer.count
}

private func mebibytes(_ field: String) -> String {
    String(format: "%.1f", Double(ProcessMemory.kilobytes(field) ?? 0) / 1024)
}

private func report(
    _ phase: String, values: Int, bytes: Int, seconds: Double, row: Bool = false, note: String? = nil
) {
    guard row else { return }
    print(
        Table.row([
            phase, "\(values)", String(format: "%.1f", Double(bytes) / 1_048_576), String(format: "%.2f", seconds),
            String(format: "%.0f", Double(values) / seconds), mebibytes("VmHWM"),
        ]) + (note.map { "  \($0)" } ?? ""))
}

struct BenchmarkFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
