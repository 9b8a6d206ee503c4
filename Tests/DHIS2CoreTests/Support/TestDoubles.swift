import DHIS2Core
import Foundation
import Synchronization

/// A ``DHIS2Clock`` whose time only moves when a test says so; `sleep` records the duration and returns at once.
final class ManualClock: DHIS2Clock {
    private let current: Mutex<Date>
    private let sleeps = Mutex<[Duration]>([])

    init(now: Date = Date(timeIntervalSince1970: 1_790_000_000)) {
        current = Mutex(now)
    }

    func now() -> Date { current.withLock { $0 } }

    /// Records `duration` and advances the clock by it, without suspending.
    func sleep(for duration: Duration) async throws {
        try Task.checkCancellation()
        sleeps.withLock { $0.append(duration) }
        advance(by: duration)
    }

    /// Every duration passed to `sleep`, in order.
    var recordedSleeps: [Duration] { sleeps.withLock { $0 } }

    func set(_ date: Date) { current.withLock { $0 = date } }

    func advance(by duration: Duration) {
        let (seconds, attoseconds) = duration.components
        let interval = TimeInterval(seconds) + TimeInterval(attoseconds) / 1e18
        current.withLock { $0 = $0.addingTimeInterval(interval) }
    }
}

/// SplitMix64: a small deterministic generator, so "random" output is reproducible from a seed.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
