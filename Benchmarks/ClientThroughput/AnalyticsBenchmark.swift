// `analytics` mode of dhis2-benchmark (issue 8 item 7): a real grid of N rows (default 100,000) built on the server
// from generated data values (imported, then the analytics tables job run and awaited), fetched and decoded through
// the typed client into `AnalyticsGrid`, reporting fetch and decode wall time, rows/s, bytes and the client's peak
// resident memory (VmHWM).
import DHIS2
import Foundation

/// Runs the analytics grid benchmark against `client`: imports `rows` generated values (the monthly data set with
/// the most org units, its numeric data elements, the months of 2000, as many of its org units as the count needs),
/// regenerates the analytics tables, then reads `dx × pe × ou` over exactly those items `repetitions` times.
func benchmarkAnalyticsGrid(_ client: DHIS2Client, rows: Int, repetitions: Int, skipSetup: Bool) async throws {
    print("server:      \(client.baseURL) (DHIS2 \(client.serverVersion?.rawValue ?? "?"), API \(client.apiVersion))")
    print("before:      VmRSS \(String(format: "%.1f", Double(ProcessMemory.kilobytes("VmRSS") ?? 0) / 1024)) MiB")
    let clock = ContinuousClock()

    // The items: the data set with the most org units, its numeric data elements, the twelve months of 2000 (a year
    // the demo data leaves empty, so the grid holds exactly the generated values), and as many org units as needed.
    let sets = try await client.metadata.dataSets.list(
        fields: "id,periodType,organisationUnits[id],dataSetElements[dataElement[id,valueType]]", pageSize: 1000
    ).items
    guard
        let set = sets.filter({ $0.periodType == "Monthly" })
            .max(by: { ($0.organisationUnits?.count ?? 0) < ($1.organisationUnits?.count ?? 0) }),
        let setID = set.id
    else { throw BenchmarkFailure("The server has no monthly data set to import values into.") }
    let numeric: Set<String> = ["INTEGER", "INTEGER_POSITIVE", "INTEGER_ZERO_OR_POSITIVE", "NUMBER"]
    let elements = (set.dataSetElements ?? []).compactMap { $0.dataElement }
        .filter { numeric.contains($0.valueType?.rawValue ?? "") }.compactMap(\.id).sorted()
    guard let january = Period("200001") else { throw BenchmarkFailure("Period 200001 does not parse.") }
    let periods = (0..<12).map { january.advanced(by: $0) }
    let perOrgUnit = elements.count * periods.count
    guard perOrgUnit > 0 else { throw BenchmarkFailure("The data set \(setID) has no numeric data elements.") }
    let needed = (rows + perOrgUnit - 1) / perOrgUnit
    let available = (set.organisationUnits ?? []).compactMap(\.id).sorted()
    guard available.count >= needed else {
        throw BenchmarkFailure(
            "\(rows) rows need \(needed) org units in data set \(setID) (\(elements.count) data elements × 12 "
                + "months each), but it has \(available.count); serve a larger hierarchy (--org-units).")
    }
    let orgUnits = Array(available.prefix(needed))
    print(
        "grid:        dx \(elements.count) numeric data elements of data set \(setID) × pe 12 months (200001–200012) "
            + "× ou \(orgUnits.count) org units; \(rows) values")

    if !skipSetup {
        // 1. Import exactly `rows` values, one per (data element, month, org unit), in one streamed request.
        var start = clock.now
        let set = dataValueSet(count: rows, elements: elements, periods: periods, orgUnits: orgUnits)
        let imported = try await client.dataValues.import(
            set, options: DataValueImportOptions(skipAudit: true, requestTimeout: .seconds(3600)))
        print(
            "import:      \(String(format: "%.2f", seconds(start.duration(to: clock.now)))) s  "
                + imported.outcome.description)

        // 2. Regenerate the analytics tables (aggregate data only) and wait for the job.
        start = clock.now
        let job = try await client.maintenance.analyticsTables(
            skipEvents: true, skipEnrollment: true, skipTrackedEntities: true, skipOrgUnitOwnership: true)
        let completion = try await client.jobs.wait(for: job, timeout: .seconds(3600))
        guard completion.status == .succeeded else {
            throw BenchmarkFailure("The analytics table job \(job.id) failed: \(completion.message ?? "no message").")
        }
        print(
            "tables:      \(String(format: "%.2f", seconds(start.duration(to: clock.now)))) s  job \(job.id) "
                + "\(completion.status)")
    }

    // 3. Read the grid: fetch (bytes in memory) and decode (AnalyticsGrid) timed apart, then the rows read by
    //    header name as a caller would; finally `client.analytics.query` end to end.
    let query = AnalyticsQuery(dimensions: [
        .data(elements.compactMap(UID.init(rawValue:)).map { .dataElement($0) }),
        .periods(periods),
        .orgUnit(orgUnits.compactMap(UID.init(rawValue:)).map { .orgUnit($0) }),
    ])
    let path = AnalyticsEndpoint.aggregated.path(.json)
    print("request:     GET \(path) (\(query.queryItems.count) query items, URL query of "
        + "\(query.queryItems.reduce(0) { $0 + $1.name.count + ($1.value?.count ?? 0) + 2 }) characters)")
    print("")
    let header = ["run", "rows", "MiB", "fetch s", "decode s", "read s", "total s", "rows/s", "VmHWM MiB"]
    print(Table.row(header))
    print(Table.separator(columns: header.count))
    var kept: AnalyticsGrid?
    for run in 1...repetitions {
        kept = nil  // The previous run's grid is released before this one is read.
        let start = clock.now
        let bytes = try await client.data(path, query: query.queryItems)
        let fetched = clock.now
        let grid = try AnalyticsGrid(jsonBytes: bytes)
        let decoded = clock.now
        let checksum = readEveryRow(grid)
        let read = clock.now
        guard grid.rowCount == rows, checksum.rows == rows else {
            throw BenchmarkFailure(
                "The grid has \(grid.rowCount) rows (\(checksum.rows) with a value), not \(rows): the server's "
                    + "data differs from the generated values.")
        }
        kept = grid
        let fetchSeconds = seconds(start.duration(to: fetched))
        let decodeSeconds = seconds(fetched.duration(to: decoded))
        let readSeconds = seconds(decoded.duration(to: read))
        let total = fetchSeconds + decodeSeconds + readSeconds
        print(
            Table.row([
                "\(run)", "\(grid.rowCount)", String(format: "%.1f", Double(bytes.count) / 1_048_576),
                String(format: "%.2f", fetchSeconds), String(format: "%.2f", decodeSeconds),
                String(format: "%.2f", readSeconds), String(format: "%.2f", total),
                String(format: "%.0f", Double(grid.rowCount) / total),
                String(format: "%.1f", Double(ProcessMemory.kilobytes("VmHWM") ?? 0) / 1024),
            ]))
    }
    kept = nil
    let start = clock.now
    let grid = try await client.analytics.query(query)
    let queried = seconds(start.duration(to: clock.now))
    print(
        "\nclient.analytics.query end to end: \(grid.rowCount) rows in \(String(format: "%.2f", queried)) s "
            + "(\(String(format: "%.0f", Double(grid.rowCount) / queried)) rows/s), VmHWM "
            + "\(String(format: "%.1f", Double(ProcessMemory.kilobytes("VmHWM") ?? 0) / 1024)) MiB")
    withExtendedLifetime(kept) {}
}

/// The generated values: the first `count` of data element × month × org unit, each a small positive integer.
private func dataValueSet(count: Int, elements: [String], periods: [Period], orgUnits: [String]) -> DataValueSet {
    var set = DataValueSet()
    var values: [DataValue] = []
    values.reserveCapacity(count)
    outer: for orgUnit in orgUnits {
        for period in periods {
            for element in elements {
                guard values.count < count else { break outer }
                var value = DataValue()
                value.dataElement = element
                value.period = period.isoString
                value.orgUnit = orgUnit
                value.value = String(values.count % 997 + 1)
                values.append(value)
            }
        }
    }
    set.dataValues = values
    return set
}

/// Reads every row's `dx`, `pe`, `ou` and numeric `value` by header name, as a caller walking the grid would.
private func readEveryRow(_ grid: AnalyticsGrid) -> (rows: Int, sum: Double) {
    var rows = 0
    var sum = 0.0
    for row in grid.rows {
        guard row.string("dx") != nil, row.string("pe") != nil, row.string("ou") != nil, let value = row.value
        else { continue }
        rows += 1
        sum += value
    }
    return (rows, sum)
}
