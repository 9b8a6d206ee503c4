import DHIS2
import Foundation
import Synchronization

/// The results of data integrity runs, cached per check and kind the way DHIS2 caches them (one hour), plus the
/// names of the checks currently running and each check's execution times.
actor DataIntegrityResults {
    enum Kind: Sendable, Hashable {
        case summary, details
    }

    /// One check's cached result: the members DHIS2 adds to the unwrapped check (`startTime`, `finishedTime`, and
    /// `count`/`percentage` or `issues`, or `error`).
    struct Result: Sendable {
        let members: [String: JSONValue]
        let finished: Date
    }

    /// DHIS2 keeps results for one hour [docs/2.42 data-validation.md].
    static let lifetime: TimeInterval = 3600

    private var results: [Kind: [String: Result]] = [:]
    private var running: [Kind: [String: Int]] = [:]
    private var durations: [String: [Int64]] = [:]

    /// Marks `names` as running for `kind` (a name may be running in several jobs at once).
    func begin(_ kind: Kind, names: [String]) {
        for name in names { running[kind, default: [:]][name, default: 0] += 1 }
    }

    /// Stores a finished check's result and records how long it took.
    func finish(_ kind: Kind, name: String, members: [String: JSONValue], milliseconds: Int64) {
        results[kind, default: [:]][name] = Result(members: members, finished: Date())
        durations[name, default: []].append(milliseconds)
        end(kind, name: name)
    }

    /// Ends a running mark without a result (the job failed before reaching the check).
    func end(_ kind: Kind, name: String) {
        guard let count = running[kind]?[name] else { return }
        running[kind]?[name] = count > 1 ? count - 1 : nil
    }

    /// The unexpired results of `kind`, by check name.
    func completed(_ kind: Kind) -> [String: Result] {
        let cutoff = Date().addingTimeInterval(-Self.lifetime)
        results[kind] = results[kind]?.filter { $0.value.finished >= cutoff }
        return results[kind] ?? [:]
    }

    /// The names of the checks of `kind` running now.
    func runningNames(_ kind: Kind) -> Set<String> { Set(running[kind].map { Array($0.keys) } ?? []) }

    /// The average execution time of a check in milliseconds, `nil` before it ever ran.
    func averageExecutionTime(_ name: String) -> Int64? {
        guard let times = durations[name], !times.isEmpty else { return nil }
        return times.reduce(0, +) / Int64(times.count)
    }

    /// Every check's average execution time.
    func averageExecutionTimes() -> [String: Int64] {
        durations.compactMapValues { $0.isEmpty ? nil : $0.reduce(0, +) / Int64($0.count) }
    }
}

/// Finds the results cache of a running emulator. The cache belongs with the emulator's other state, which this
/// feature does not own; it is keyed by the emulator's store and dropped when that store is gone.
enum DataIntegrityRegistry {
    private struct Entry: Sendable {
        weak var store: Store?
        let results: DataIntegrityResults
    }

    private static let entries = Mutex<[ObjectIdentifier: Entry]>([:])

    /// The cache of the emulator whose state this is.
    static func results(for state: EmulatorState) -> DataIntegrityResults {
        let key = ObjectIdentifier(state.store)
        return entries.withLock { entries in
            entries = entries.filter { $0.value.store != nil }
            if let entry = entries[key], entry.store === state.store { return entry.results }
            let results = DataIntegrityResults()
            entries[key] = Entry(store: state.store, results: results)
            return results
        }
    }
}
