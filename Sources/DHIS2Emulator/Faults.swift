import Synchronization

/// A failure the emulator plays instead of (or before) its normal answer, so client retry and timeout paths are
/// exercised over real HTTP.
public struct Fault: Sendable, Hashable {
    enum Kind: Hashable {
        case status(Int, retryAfter: String?)
        case delay(Duration)
        case dropConnection
    }

    let kind: Kind

    /// Answers with a DHIS2 WebMessage error body carrying `code` (and a `Retry-After` header when given).
    public static func status(_ code: Int, retryAfter: String? = nil) -> Fault {
        Fault(kind: .status(code, retryAfter: retryAfter))
    }

    /// Waits `duration`, then answers normally.
    public static func delay(_ duration: Duration) -> Fault { Fault(kind: .delay(duration)) }

    /// Closes the TCP connection without sending any response.
    public static var dropConnection: Fault { Fault(kind: .dropConnection) }
}

/// The faults waiting to be played on the next matching requests.
///
/// Faults run before authentication and routing. For one route they play in the order they were injected, each
/// `times` times; once used up, requests pass through normally.
public final class FaultInjector: Sendable {
    private struct Entry {
        let fault: Fault
        let method: String?
        let path: String
        var remaining: Int

        func matches(method requestMethod: String, path requestPath: String) -> Bool {
            if let method, method.uppercased() != requestMethod.uppercased() { return false }
            if path.hasSuffix("*") { return requestPath.hasPrefix(path.dropLast()) }
            return requestPath == path
        }
    }

    private let entries = Mutex<[Entry]>([])

    init() {}

    /// Plays `fault` on the next `times` requests to `path` (an exact path without query, or a prefix ending in
    /// `*`), for any method or only `method`.
    public func inject(_ fault: Fault, method: String? = nil, path: String, times: Int = 1) {
        guard times > 0 else { return }
        entries.withLock { $0.append(Entry(fault: fault, method: method, path: path, remaining: times)) }
    }

    /// Forgets every fault not yet played.
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// Takes the next fault for a request, using up one of its repetitions.
    func next(method: String, path: String) -> Fault? {
        entries.withLock { entries in
            guard let index = entries.firstIndex(where: { $0.matches(method: method, path: path) }) else { return nil }
            let fault = entries[index].fault
            entries[index].remaining -= 1
            if entries[index].remaining == 0 { entries.remove(at: index) }
            return fault
        }
    }
}

/// Counts the requests the emulator received, by method and exact path.
final class RequestCounter: Sendable {
    private struct Key: Hashable {
        let method: String
        let path: String
    }

    private let counts = Mutex<[Key: Int]>([:])

    func record(method: String, path: String) {
        counts.withLock { $0[Key(method: method.uppercased(), path: path), default: 0] += 1 }
    }

    func count(method: String?, path: String) -> Int {
        counts.withLock { counts in
            if let method { return counts[Key(method: method.uppercased(), path: path)] ?? 0 }
            return counts.reduce(0) { $0 + ($1.key.path == path ? $1.value : 0) }
        }
    }
}
