import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/dataIntegrity/**` (reference §10.3) [core/2.42 DataIntegrityController]: the list of checks, the
/// `DATA_INTEGRITY` / `DATA_INTEGRITY_DETAILS` jobs that run them, and the cached summaries and details.
enum DataIntegrityRoutes {
    /// The response for a data integrity route, or `nil` when the request is not one.
    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        guard environment.segments.first == "dataIntegrity" else { return nil }
        let rest = Array(environment.segments.dropFirst())
        let method = environment.request.method
        switch (method, rest.count) {
        case (.get, 0):
            return await list(environment, state: state)
        case (.post, 0):
            return await run(.report, environment: environment, state: state)
        case (.post, 1) where rest[0] == "summary":
            return await run(.summary, environment: environment, state: state)
        case (.post, 1) where rest[0] == "details":
            return await run(.details, environment: environment, state: state)
        case (.get, 1) where rest[0] == "summary":
            return await results(.summary, environment: environment, state: state)
        case (.get, 1) where rest[0] == "details":
            return await results(.details, environment: environment, state: state)
        case (.get, 1) where rest[0] == "metrics" && state.version.minor >= 42:
            return await metrics(state: state)
        case (.get, 2) where ["summary", "details"].contains(rest[0]) && ["running", "completed"].contains(rest[1]):
            let kind: DataIntegrityResults.Kind = rest[0] == "summary" ? .summary : .details
            let cache = DataIntegrityRegistry.results(for: state)
            let names = rest[1] == "running" ? await cache.runningNames(kind) : Set(await cache.completed(kind).keys)
            return Reply.json(.array(names.sorted().map(JSONValue.string)))
        case (.get, 2) where rest[1] == "summary" || rest[1] == "details":
            let kind: DataIntegrityResults.Kind = rest[1] == "summary" ? .summary : .details
            return await single(kind, check: rest[0], environment: environment, state: state)
        default:
            return nil
        }
    }

    // MARK: Check selection

    /// DHIS2's expansion of a `checks` selection: names (`-` read as `_`), `*` wildcards and codes; empty means
    /// every non-slow check. Unknown names select nothing.
    static func expand(_ selection: [String]) -> [String] {
        let known = DataIntegrityCheckDefinition.all
        guard !selection.isEmpty else { return known.filter { !$0.isSlow }.map(\.name) }
        var expanded: [String] = []
        func add(_ name: String) { if !expanded.contains(name) { expanded.append(name) } }
        for entry in selection {
            let uniform = entry.lowercased().replacingOccurrences(of: "-", with: "_")
            if uniform.contains("*") {
                let parts = uniform.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
                for check in known where matches(check.name, parts: parts) { add(check.name) }
            } else if let check = DataIntegrityCheckDefinition.byName[uniform] {
                add(check.name)
            } else if entry == entry.uppercased() {
                for check in known where check.code == entry { add(check.name) }
            }
        }
        return expanded
    }

    /// Whether `name` matches a `*` pattern split at its stars.
    private static func matches(_ name: String, parts: [String]) -> Bool {
        guard let first = parts.first, name.hasPrefix(first) else { return false }
        var rest = name.dropFirst(first.count)
        for (index, part) in parts.enumerated().dropFirst() {
            if index == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return rest.isEmpty
    }

    /// The `checks` query parameter values (repeated and/or comma-separated).
    private static func queryChecks(_ environment: RequestEnvironment) -> [String] {
        environment.query.all("checks").flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    // MARK: GET /api/dataIntegrity

    private static func list(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let requested = queryChecks(environment)
        let names = requested.isEmpty ? DataIntegrityCheckDefinition.all.map(\.name) : expand(requested)
        let section = environment.query["section"].flatMap { $0.isEmpty ? nil : $0 }
        let slow = environment.query["slow"].flatMap { Bool($0.lowercased()) }
        let programmatic = environment.query["programmatic"].flatMap { Bool($0.lowercased()) }
        let averages = await DataIntegrityRegistry.results(for: state).averageExecutionTimes()
        let checks = names.compactMap { DataIntegrityCheckDefinition.byName[$0] }.filter { check in
            (section == nil || check.section == section) && (slow == nil || check.isSlow == slow)
                && (programmatic == nil || programmatic == false)
        }
        return Reply.json(.array(checks.map { .object(checkMembers($0, averageExecutionTime: averages[$0.name])) }))
    }

    /// A check as DHIS2 serialises `DataIntegrityCheck` (also unwrapped into summaries and details).
    static func checkMembers(_ check: DataIntegrityCheckDefinition, averageExecutionTime: Int64?) -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "name": .string(check.name), "displayName": .string(check.displayName),
            "section": .string(check.section), "sectionOrder": .number(Double(check.sectionOrder)),
            "severity": .string(check.severity), "description": .string(check.description),
            "introduction": .string(check.introduction), "recommendation": .string(check.recommendation),
            "issuesIdType": .string(check.issuesIdType), "isSlow": .bool(check.isSlow), "isProgrammatic": false,
            "code": .string(check.code),
        ]
        if let averageExecutionTime { members["averageExecutionTime"] = .number(Double(averageExecutionTime)) }
        return members
    }

    // MARK: POST /api/dataIntegrity[/summary|/details]

    private enum RunType {
        /// `POST /api/dataIntegrity`: job `DATA_INTEGRITY` with parameters type `REPORT`.
        case report
        case summary
        case details
    }

    private static func run(_ type: RunType, environment: RequestEnvironment, state: EmulatorState) async -> Response {
        // The checks come from a JSON array body, else from the `checks` parameter.
        var requested: [String] = []
        if environment.body.readableBytes > 0 {
            guard let body = try? JSONValue(parsing: Data(environment.body.readableBytesView)) else {
                return Reply.webMessage(.badRequest, message: "The request body is not a JSON array of check names")
            }
            switch body {
            case .array(let items):
                requested = items.compactMap(\.stringValue)
            case .null:
                break
            default:
                return Reply.webMessage(.badRequest, message: "The request body is not a JSON array of check names")
            }
        }
        if requested.isEmpty { requested = queryChecks(environment) }
        let names = expand(requested)
        let checksJSON = JSONValue.array(requested.map(JSONValue.string))

        let jobType: String
        let parameters: JSONValue
        let kinds: [DataIntegrityResults.Kind]
        switch type {
        case .report:
            jobType = "DATA_INTEGRITY"
            parameters = ["checks": checksJSON, "type": "REPORT"]
            kinds = [.summary, .details]
        case .summary:
            jobType = "DATA_INTEGRITY"
            parameters = ["checks": checksJSON, "type": "SUMMARY"]
            kinds = [.summary]
        case .details:
            jobType = "DATA_INTEGRITY_DETAILS"
            parameters = ["checks": checksJSON]
            kinds = [.details]
        }

        let cache = DataIntegrityRegistry.results(for: state)
        for kind in kinds { await cache.begin(kind, names: names) }
        let store = state.store
        let job = await state.jobs.submit(type: jobType, parameters: parameters) { progress in
            await evaluate(names: names, kinds: kinds, store: store, cache: cache, progress: progress)
            return nil
        }
        var response = state.jobs.kickOff(job, environment: environment, state: state)
        // The summary and details triggers point at their results instead of the task list [core/2.42
        // DataIntegrityController]; the plain trigger keeps the task-list Location.
        if type != .report {
            let path = type == .summary ? "summary" : "details"
            response.headers[.location] =
                environment.contextPath + "/api/dataIntegrity/\(path)?checks=" + requested.joined(separator: ",")
        }
        return response
    }

    /// Runs `names` over the current metadata, storing each check's result as it finishes.
    private static func evaluate(
        names: [String], kinds: [DataIntegrityResults.Kind], store: Store, cache: DataIntegrityResults,
        progress: JobProgress
    ) async {
        let metadata = DataIntegrityMetadata(snapshot: await store.snapshot)
        let label = kinds == [.details] ? "details" : kinds == [.summary] ? "summaries" : "checks"
        await progress.info("Running \(names.count) data integrity \(label)")
        let clock = ContinuousClock()
        for name in names {
            guard let check = DataIntegrityCheckDefinition.byName[name] else { continue }
            let start = clock.now
            let startTime = DHIS2Date.format(Date())
            let outcome = check.evaluate(metadata)
            let finishedTime = DHIS2Date.format(Date())
            let elapsed = clock.now - start
            let milliseconds = elapsed.components.seconds * 1000
                + elapsed.components.attoseconds / 1_000_000_000_000_000
            for kind in kinds {
                var members: [String: JSONValue] = [
                    "startTime": .string(startTime), "finishedTime": .string(finishedTime),
                ]
                switch kind {
                case .summary:
                    members["count"] = .number(Double(outcome.issues.count))
                    if let percentage = check.percentage(count: outcome.issues.count, denominator: outcome.denominator) {
                        members["percentage"] = .number(percentage)
                    }
                case .details:
                    members["issues"] = .array(outcome.issues.map(\.json))
                }
                await cache.finish(kind, name: name, members: members, milliseconds: milliseconds)
            }
            await progress.info("Data integrity check \(name) found \(outcome.issues.count) issue(s)")
        }
        await progress.completionMessage("Data integrity \(label) completed for \(names.count) check(s)")
    }

    // MARK: GET results

    /// Waits up to `timeout` milliseconds for the selected checks that are still running, then answers what the
    /// cache holds.
    private static func cached(
        _ kind: DataIntegrityResults.Kind, names: [String], timeout: Int, state: EmulatorState
    ) async -> [String: JSONValue] {
        let cache = DataIntegrityRegistry.results(for: state)
        if timeout > 0 {
            let deadline = ContinuousClock.now + .milliseconds(timeout)
            while ContinuousClock.now < deadline, !(await cache.runningNames(kind)).isDisjoint(with: names) {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        let completed = await cache.completed(kind)
        var answer: [String: JSONValue] = [:]
        for name in names {
            guard let result = completed[name], let check = DataIntegrityCheckDefinition.byName[name] else { continue }
            var members = checkMembers(check, averageExecutionTime: await cache.averageExecutionTime(name))
            members.merge(result.members) { _, new in new }
            answer[name] = .object(members)
        }
        return answer
    }

    private static func timeout(_ environment: RequestEnvironment) -> Int {
        environment.query["timeout"].flatMap(Int.init).map { max(0, $0) } ?? 0
    }

    private static func results(
        _ kind: DataIntegrityResults.Kind, environment: RequestEnvironment, state: EmulatorState
    ) async -> Response {
        let names = expand(queryChecks(environment))
        let answer = await cached(kind, names: names, timeout: timeout(environment), state: state)
        return Reply.json(.object(answer))
    }

    private static func single(
        _ kind: DataIntegrityResults.Kind, check: String, environment: RequestEnvironment, state: EmulatorState
    ) async -> Response {
        let names = expand([check])
        let answer = await cached(kind, names: names, timeout: timeout(environment), state: state)
        // DHIS2 returns the one result, or a 200 without a body when there is none (a `null` controller result).
        guard let name = names.first, let result = answer[name] else { return Response(status: .ok) }
        return Reply.json(result)
    }

    // MARK: GET /api/dataIntegrity/metrics (2.42+)

    /// The cached summaries in Prometheus' text format [docs/2.42 data-validation.md §metrics].
    private static func metrics(state: EmulatorState) async -> Response {
        let cache = DataIntegrityRegistry.results(for: state)
        let completed = await cache.completed(.summary)
        let names = completed.keys.sorted()
        var lines = [
            "# HELP dhis_data_integrity_check_count Data integrity check counts",
            "# TYPE dhis_data_integrity_check_count gauge",
        ]
        for name in names {
            if let count = completed[name]?.members["count"]?.intValue {
                lines.append("dhis_data_integrity_check_count{check=\"\(name)\"} \(count)")
            }
        }
        lines += [
            "# HELP dhis_data_integrity_check_percentage Data integrity check percentages",
            "# TYPE dhis_data_integrity_check_percentage gauge",
        ]
        for name in names {
            if let percentage = completed[name]?.members["percentage"]?.doubleValue {
                lines.append("dhis_data_integrity_check_percentage{check=\"\(name)\"} \(percentage)")
            }
        }
        lines += [
            "# HELP dhis_data_integrity_check_duration Data integrity check durations",
            "# TYPE dhis_data_integrity_check_duration gauge",
        ]
        for name in names {
            if let duration = await cache.averageExecutionTime(name) {
                lines.append("dhis_data_integrity_check_duration{check=\"\(name)\"} \(duration)")
            }
        }
        return Reply.text(lines.joined(separator: "\n") + "\n")
    }
}
