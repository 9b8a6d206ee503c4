import Foundation

/// The time source of a client: wall-clock time for token expiry and cache ages, and sleeping for retry delays.
///
/// Injected through ``DHIS2Configuration/clock`` so tests of retries and token expiry never really sleep.
public protocol DHIS2Clock: Sendable {
    /// The current wall-clock time.
    func now() -> Date
    /// Suspends for `duration`; throws `CancellationError` when the task is cancelled.
    func sleep(for duration: Duration) async throws
}

/// The real clock: `Date()` and `Task.sleep`.
public struct SystemClock: DHIS2Clock {
    public init() {}
    public func now() -> Date { Date() }
    public func sleep(for duration: Duration) async throws { try await Task.sleep(for: duration) }
}
