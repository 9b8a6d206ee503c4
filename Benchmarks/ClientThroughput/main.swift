// dhis2-benchmark: client request throughput against a DHIS2 server (or the emulator) in another process.
//
//   swift run -c release dhis2 emulator serve --port 8080 --log-level warning   # terminal 1
//   swift run -c release dhis2-benchmark --url http://127.0.0.1:8080             # terminal 2
//
// Modes:
// - `throughput` (default): for every concurrency level it sends N `GET /api/dataElements/{id}` through one
//   DHIS2Client, spread over that many tasks, and reports wall time, throughput, latency percentiles and the
//   client's own CPU time per request.
// - `analytics`: a dx × pe × ou grid of 100,000 rows (generated values imported, analytics tables run), fetched and
//   decoded into `AnalyticsGrid` (AnalyticsBenchmark.swift). `data-values`: DataValuesBenchmark.swift.
// - `org-units`: reads every organisation unit in one `paging=false` request and decodes them into the generated
//   `OrganisationUnit` model, reporting wall time, bytes, objects/s and the client's peak resident memory.
//   Serve a large hierarchy for it: `dhis2 emulator serve --org-units 50000`.
import ArgumentParser
import DHIS2
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

struct ClientThroughputBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dhis2-benchmark",
        abstract: "Measure DHIS2Client request throughput against a server running in another process.",
        discussion: """
            Credentials come from DHIS2_PAT, or DHIS2_USERNAME and DHIS2_PASSWORD (default admin / district, the \
            emulator's demo account). Build in release mode: a debug build measures the compiler, not the client.
            """)

    /// What to measure.
    enum Mode: String, ExpressibleByArgument, CaseIterable {
        /// Requests per second at several concurrency levels.
        case throughput
        /// One `paging=false` read of every organisation unit, decoded into models.
        case orgUnits = "org-units"
        /// Generated data values imported from a file and exported again (DataValuesBenchmark.swift).
        case dataValues = "data-values"
        /// A dx × pe × ou analytics grid of `--rows` rows fetched and decoded (AnalyticsBenchmark.swift).
        case analytics
    }

    @Option(help: "analytics mode: the grid's row count (values generated and imported first).")
    var rows = 100_000

    @Flag(help: "analytics mode: the values and analytics tables exist already (a second run); only read the grid.")
    var skipSetup = false

    @Option(help: "data-values mode: how many values to generate, import and export.")
    var values = 1_000_000

    @Option(help: "data-values mode: values per request of the chunked import.")
    var chunkSize = 50_000

    @Option(help: "The server's root URL, e.g. http://127.0.0.1:8080.")
    var url: String

    @Option(help: "What to measure: throughput (requests/s) or org-units (decode every organisation unit, unpaged).")
    var mode = Mode.throughput

    @Option(help: "org-units mode: the fields= selection of the unpaged read.")
    var fields = ":owner"

    @Option(help: "org-units and analytics modes: how many times to read and decode the whole collection or grid.")
    var repetitions = 3

    @Option(help: "Requests per concurrency level.")
    var requests = 20_000

    @Option(
        help: ArgumentHelp("Comma-separated concurrency levels (tasks sending requests at once).", valueName: "list"))
    var concurrency = "1,8,64"

    @Option(help: "HTTP connections the client keeps to the server (the library's default is 8).")
    var connections = DHIS2Configuration().connectionPoolSize

    @Option(help: "Warm-up requests before measuring (at the highest concurrency level).")
    var warmup = 2_000

    var levels: [Int] { concurrency.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        guard requests > 0 else { throw ValidationError("--requests must be at least 1.") }
        guard warmup >= 0 else { throw ValidationError("--warmup must not be negative.") }
        guard connections > 0 else { throw ValidationError("--connections must be at least 1.") }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be at least 1.") }
        guard rows > 0 else { throw ValidationError("--rows must be at least 1.") }
        let parts = concurrency.split(separator: ",")
        guard !parts.isEmpty, levels.count == parts.count, levels.allSatisfy({ $0 > 0 && $0 <= requests }) else {
            throw ValidationError("--concurrency must be a comma-separated list of levels from 1 to --requests.")
        }
    }

    func run() async throws {
        #if DEBUG
            FileHandle.standardError.write(Data("warning: this is a debug build; measure with `-c release`.\n".utf8))
        #endif
        let environment = ProcessInfo.processInfo.environment
        let auth: any AuthProvider
        if let token = environment["DHIS2_PAT"], !token.isEmpty {
            auth = PersonalAccessTokenAuth(token: token)
        } else {
            auth = BasicAuth(
                username: environment["DHIS2_USERNAME"].flatMap { $0.isEmpty ? nil : $0 } ?? "admin",
                password: environment["DHIS2_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 } ?? "district")
        }
        let configuration = DHIS2Configuration(connectionPoolSize: connections, userAgent: "swift-dhis2-benchmark/0.1")
        if mode == .dataValues {
            // A large import keeps the server busy (silent) for a while before it answers.
            var longer = configuration
            longer.readTimeout = .seconds(3600)
            let (values, chunkSize) = (self.values, self.chunkSize)
            try await DHIS2Client.withConnection(to: url, auth: auth, configuration: longer) { client in
                try await benchmarkDataValues(
                    client, count: values, chunkSize: chunkSize, directory: FileManager.default.temporaryDirectory.path)
            }
            return
        }
        if mode == .analytics {
            let (rows, repetitions, skipSetup) = (self.rows, self.repetitions, self.skipSetup)
            var longer = configuration
            longer.readTimeout = .seconds(3600)
            try await DHIS2Client.withConnection(to: url, auth: auth, configuration: longer) { client in
                try await benchmarkAnalyticsGrid(client, rows: rows, repetitions: repetitions, skipSetup: skipSetup)
            }
            return
        }
        if mode == .orgUnits {
            let fields = self.fields
            let repetitions = self.repetitions
            try await DHIS2Client.withConnection(to: url, auth: auth, configuration: configuration) { client in
                try await decodeAllOrganisationUnits(client, fields: fields, repetitions: repetitions)
            }
            return
        }
        let levels = self.levels
        let requests = self.requests
        let warmup = self.warmup
        try await DHIS2Client.withConnection(to: url, auth: auth, configuration: configuration) { client in
            let page = try await client.get(
                "/api/dataElements",
                query: [URLQueryItem(name: "fields", value: "id"), URLQueryItem(name: "pageSize", value: "1")])
            guard let id = page["dataElements"]?[0]?["id"]?.stringValue else {
                throw ValidationError("The server at \(url) has no data elements to read.")
            }
            let path = "/api/dataElements/\(id)"
            print("server:      \(client.baseURL) (DHIS2 \(client.serverVersion?.rawValue ?? "?"), API \(client.apiVersion))")
            print("request:     GET \(path)")
            print("connections: \(connections)   requests per level: \(requests)   warm-up: \(warmup)")
            if warmup > 0 {
                _ = try await measure(client, path: path, requests: warmup, concurrency: min(levels.max() ?? 1, warmup))
            }
            print("")
            let header = ["concurrency", "requests", "wall s", "req/s", "p50 ms", "p99 ms", "CPU µs/req"]
            print(Table.row(header))
            print(Table.separator(columns: header.count))
            for level in levels {
                let result = try await measure(client, path: path, requests: requests, concurrency: level)
                print(Table.row(result.cells))
            }
        }
    }
}

/// `org-units` mode: reads `/api/organisationUnits?paging=false` `repetitions` times and decodes every unit into the
/// generated model with the models' own reader (what the typed metadata API does with each page), keeping the
/// decoded array alive until the next read, as a caller that wants every unit would.
func decodeAllOrganisationUnits(_ client: DHIS2Client, fields: String, repetitions: Int) async throws {
    let path = "/api/organisationUnits"
    let query = [URLQueryItem(name: "fields", value: fields), URLQueryItem(name: "paging", value: "false")]
    print("server:      \(client.baseURL) (DHIS2 \(client.serverVersion?.rawValue ?? "?"), API \(client.apiVersion))")
    print("request:     GET \(path)?fields=\(fields)&paging=false, decoded into [OrganisationUnit]")
    print("before:      VmRSS \(String(format: "%.1f", Double(ProcessMemory.kilobytes("VmRSS") ?? 0) / 1024)) MiB")
    print("")
    let header = ["run", "units", "MiB", "fetch s", "decode s", "total s", "units/s", "MB/s dec", "VmHWM MiB"]
    print(Table.row(header))
    print(Table.separator(columns: header.count))
    let clock = ContinuousClock()
    var kept: [OrganisationUnit] = []
    for run in 1...repetitions {
        kept = []  // The previous run's units are released before this one is read.
        let start = clock.now
        let bytes = Array(try await client.data(path, query: query))
        let fetched = clock.now
        var reader = DHIS2JSONReader(bytes: bytes)
        var units: [OrganisationUnit] = []
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard key == "organisationUnits" else {
                _ = try reader.readValue()
                continue
            }
            try reader.beginArray()
            while try reader.nextElement() { units.append(try OrganisationUnit(json: &reader)) }
        }
        let decoded = clock.now
        kept = units
        let fetchSeconds = seconds(start.duration(to: fetched))
        let decodeSeconds = seconds(fetched.duration(to: decoded))
        let total = fetchSeconds + decodeSeconds
        print(
            Table.row([
                "\(run)", "\(kept.count)", String(format: "%.1f", Double(bytes.count) / 1_048_576),
                String(format: "%.2f", fetchSeconds), String(format: "%.2f", decodeSeconds),
                String(format: "%.2f", total), String(format: "%.0f", Double(kept.count) / total),
                String(format: "%.1f", Double(bytes.count) / 1_000_000 / decodeSeconds),
                String(format: "%.1f", Double(ProcessMemory.kilobytes("VmHWM") ?? 0) / 1024),
            ]))
    }
    withExtendedLifetime(kept) {}
}

func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// The process's memory figures from `/proc/self/status` (Linux).
enum ProcessMemory {
    /// The value of `field` (e.g. `VmHWM`, the peak resident set; `VmRSS`, the current one) in kB, or `nil` where
    /// there is no procfs.
    static func kilobytes(_ field: String) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(field + ":") {
            // "VmHWM:\t  123456 kB": the number after the tab and padding.
            return Int(line.dropFirst(field.count + 1).split(whereSeparator: { $0 == " " || $0 == "\t" }).first ?? "")
        }
        return nil
    }
}

/// What one concurrency level measured.
struct LevelResult {
    var concurrency: Int
    var requests: Int
    var wallSeconds: Double
    var latenciesMs: [Double]
    var cpuSeconds: Double

    var cells: [String] {
        let sorted = latenciesMs.sorted()
        return [
            "\(concurrency)", "\(requests)", String(format: "%.2f", wallSeconds),
            String(format: "%.0f", Double(requests) / wallSeconds),
            String(format: "%.2f", percentile(sorted, 0.50)), String(format: "%.2f", percentile(sorted, 0.99)),
            String(format: "%.1f", cpuSeconds / Double(requests) * 1_000_000),
        ]
    }

    /// The nearest-rank percentile of an ascending list.
    private func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }
}

/// Sends `requests` GETs of `path`, spread over `concurrency` tasks, and measures them.
func measure(_ client: DHIS2Client, path: String, requests: Int, concurrency: Int) async throws -> LevelResult {
    let clock = ContinuousClock()
    let cpuBefore = processCPUSeconds()
    let start = clock.now
    let latencies = try await withThrowingTaskGroup(of: [Double].self) { group in
        for worker in 0..<concurrency {
            let share = requests / concurrency + (worker < requests % concurrency ? 1 : 0)
            group.addTask {
                var samples = [Double]()
                samples.reserveCapacity(share)
                for _ in 0..<share {
                    let sent = clock.now
                    _ = try await client.get(path)
                    let elapsed = sent.duration(to: clock.now)
                    samples.append(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
                }
                return samples
            }
        }
        var all = [Double]()
        all.reserveCapacity(requests)
        for try await samples in group { all += samples }
        return all
    }
    let wall = start.duration(to: clock.now)
    let cpuAfter = processCPUSeconds()
    return LevelResult(
        concurrency: concurrency, requests: requests,
        wallSeconds: Double(wall.components.seconds) + Double(wall.components.attoseconds) / 1e18,
        latenciesMs: latencies, cpuSeconds: cpuAfter - cpuBefore)
}

/// User plus system CPU time of this process so far (`getrusage(RUSAGE_SELF)`), in seconds.
func processCPUSeconds() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
        // Glibc imports RUSAGE_SELF as an enum case, while getrusage takes the plain integer.
        let who = __rusage_who_t(RUSAGE_SELF.rawValue)
    #else
        let who = RUSAGE_SELF
    #endif
    guard getrusage(who, &usage) == 0 else { return .nan }
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1_000_000 }
    return seconds(usage.ru_utime) + seconds(usage.ru_stime)
}

/// Fixed-width, right-aligned table rows (also valid Markdown table rows).
enum Table {
    static func row(_ cells: [String]) -> String {
        "| " + cells.map { String(repeating: " ", count: max(0, 11 - $0.count)) + $0 }.joined(separator: " | ") + " |"
    }

    /// The Markdown header separator, right-aligning every column.
    static func separator(columns: Int) -> String {
        "| " + Array(repeating: "----------:", count: columns).joined(separator: " | ") + " |"
    }
}

// Top-level code resolves `main()` to ParsableCommand's synchronous one, so parse and run explicitly.
do {
    let command = try ClientThroughputBenchmark.parse()
    try await command.run()
} catch {
    ClientThroughputBenchmark.exit(withError: error)
}
