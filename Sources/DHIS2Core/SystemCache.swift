import Foundation
import Synchronization

/// A small time-to-live cache for system reads. A `nil` TTL disables it (primed values included, except the
/// handshake's system info, which stays available as long as the TTL allows).
final class SystemCache: Sendable {
    private struct Entry: @unchecked Sendable {
        // Only values that are themselves Sendable are stored (see `store`); the box is read back with a cast.
        let value: any Sendable
        let storedAt: Date
    }

    private let entries = Mutex<[SystemCacheKey: Entry]>([:])
    private let ttl: Duration?
    private let clock: any DHIS2Clock

    init(ttl: Duration?, clock: any DHIS2Clock) {
        self.ttl = ttl
        self.clock = clock
    }

    func value<T: Sendable>(for key: SystemCacheKey) -> T? {
        guard let ttl else { return nil }
        let now = clock.now()
        return entries.withLock { entries -> T? in
            guard let entry = entries[key] else { return nil }
            guard now.timeIntervalSince(entry.storedAt) < ttl.timeInterval else {
                entries[key] = nil
                return nil
            }
            return entry.value as? T
        }
    }

    func store<T: Sendable>(_ key: SystemCacheKey, _ value: T) {
        guard ttl != nil else { return }
        let entry = Entry(value: value, storedAt: clock.now())
        entries.withLock { $0[key] = entry }
    }

    func prime<T: Sendable>(_ key: SystemCacheKey, _ value: T) { store(key, value) }

    func invalidate(_ key: SystemCacheKey?) {
        entries.withLock { entries in
            if let key { entries[key] = nil } else { entries.removeAll() }
        }
    }
}
