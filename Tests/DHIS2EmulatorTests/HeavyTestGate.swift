#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

/// Runs the tests that import the real play data (tens of megabytes, minutes of CPU on two cores) one at a time.
///
/// `swift test` runs every suite of every test target in one process, in parallel. Several real-data imports at once
/// made each of them slow enough to hit request deadlines, and made the resident-set measurement of the paging test
/// meaningless. The gate is an exclusive `flock` on one file in the temporary directory: it serialises these tests
/// across test targets (each target has its own copy of this file) and across processes, and never blocks a thread
/// of the cooperative pool (it polls with `LOCK_NB`).
struct HeavyTestGate: TestTrait, TestScoping {
    static let lockPath = (NSTemporaryDirectory() as NSString).appendingPathComponent("swift-dhis2-heavy-tests.lock")

    func provideScope(
        for test: Test, testCase: Test.Case?, performing function: @Sendable () async throws -> Void
    ) async throws {
        try await Self.exclusively(function)
    }

    static func exclusively(_ body: @Sendable () async throws -> Void) async throws {
        let descriptor = open(lockPath, O_CREAT | O_RDWR, 0o600)
        guard descriptor >= 0 else {
            // No lock file (an unusual temporary directory): run unserialised rather than not at all.
            try await body()
            return
        }
        defer { close(descriptor) }
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
        defer { flock(descriptor, LOCK_UN) }
        try await body()
    }
}

extension Trait where Self == HeavyTestGate {
    /// One real-data test at a time, across test targets.
    static var heavy: Self { HeavyTestGate() }
}
