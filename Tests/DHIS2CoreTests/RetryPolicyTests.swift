import DHIS2Core
import Foundation
import Testing

@Suite("RetryPolicy")
struct RetryPolicyTests {
    /// The default policy without jitter, so delays are exact.
    static let exact = RetryPolicy(jitter: 0)
    /// 2026-10-21T07:27:48Z, twelve seconds before the HTTP dates used below.
    static let now = Date(timeIntervalSince1970: 1_792_567_668)

    @Test("The defaults are 3 attempts, 0.5 s doubling up to 30 s, ±10 % jitter and statuses 429/502/503/504")
    func defaults() {
        let policy = RetryPolicy.default
        #expect(policy.maxAttempts == 3)
        #expect(policy.baseDelay == .milliseconds(500))
        #expect(policy.backoffFactor == 2)
        #expect(policy.maxDelay == .seconds(30))
        #expect(policy.jitter == 0.1)
        #expect(policy.retryableStatuses == [429, 502, 503, 504])
        #expect(policy.retriesNonIdempotentRequests == false)
        #expect(RetryPolicy() == .default)
    }

    @Test("Never means exactly one attempt, and fewer than one attempt is raised to one")
    func neverAndClamping() {
        #expect(RetryPolicy.never.maxAttempts == 1)
        #expect(RetryPolicy(maxAttempts: 0).maxAttempts == 1)
        #expect(RetryPolicy(maxAttempts: -3).maxAttempts == 1)
    }

    @Test("Jitter is kept between 0 and 1")
    func jitterClamping() {
        #expect(RetryPolicy(jitter: -0.5).jitter == 0)
        #expect(RetryPolicy(jitter: 3).jitter == 1)
        #expect(RetryPolicy(jitter: 0.25).jitter == 0.25)
    }

    @Test("GET, HEAD, PUT and DELETE are retried by default", arguments: [DHIS2Request.Method.get, .head, .put, .delete])
    func idempotentRetried(_ method: DHIS2Request.Method) {
        #expect(RetryPolicy.default.allowsRetry(of: method))
    }

    @Test("POST and PATCH are not retried unless the policy opts in", arguments: [DHIS2Request.Method.post, .patch])
    func nonIdempotentNotRetried(_ method: DHIS2Request.Method) {
        #expect(!RetryPolicy.default.allowsRetry(of: method))
        #expect(RetryPolicy(retriesNonIdempotentRequests: true).allowsRetry(of: method))
    }

    @Test("Method names are compared case-insensitively")
    func methodCase() {
        #expect(DHIS2Request.Method(rawValue: "get") == .get)
        #expect(RetryPolicy.default.allowsRetry(of: DHIS2Request.Method(rawValue: "delete")))
        #expect(!RetryPolicy.default.allowsRetry(of: DHIS2Request.Method(rawValue: "post")))
    }

    @Test("Without jitter the delays are 0.5, 1, 2, 4 and 8 s")
    func exponentialDelays() {
        let delays = (1...5).map { Self.exact.delay(afterAttempt: $0) }
        #expect(delays == [.milliseconds(500), .seconds(1), .seconds(2), .seconds(4), .seconds(8)])
    }

    @Test("Delays never exceed maxDelay")
    func delaysCapped() {
        #expect(Self.exact.delay(afterAttempt: 7) == .seconds(30))  // 0.5 × 2⁶ = 32 s
        #expect(Self.exact.delay(afterAttempt: 60) == .seconds(30))
        let short = RetryPolicy(baseDelay: .seconds(1), backoffFactor: 3, maxDelay: .seconds(5), jitter: 0)
        #expect((1...4).map { short.delay(afterAttempt: $0) } == [.seconds(1), .seconds(3), .seconds(5), .seconds(5)])
        let jittered = RetryPolicy(maxDelay: .seconds(2))
        var generator = SeededGenerator(seed: 1)
        for _ in 0..<200 {
            #expect(jittered.delay(afterAttempt: 3, using: &generator) <= .seconds(2))
        }
    }

    @Test("A seeded generator gives the same jittered delays every time")
    func seededDelaysReproducible() {
        var first = SeededGenerator(seed: 99)
        var second = SeededGenerator(seed: 99)
        let a = (1...5).map { RetryPolicy.default.delay(afterAttempt: $0, using: &first) }
        let b = (1...5).map { RetryPolicy.default.delay(afterAttempt: $0, using: &second) }
        #expect(a == b)
    }

    @Test("Jitter keeps each delay within ±10 % of the computed one, and does vary it")
    func jitterBounds() {
        var generator = SeededGenerator(seed: 2024)
        for attempt in 1...4 {
            let nominal = 0.5 * pow(2, Double(attempt - 1))
            var seen = Set<Duration>()
            for _ in 0..<500 {
                let delay = RetryPolicy.default.delay(afterAttempt: attempt, using: &generator)
                seen.insert(delay)
                #expect(delay >= .milliseconds(Int64((nominal * 0.9 * 1000).rounded(.down))))
                #expect(delay <= .milliseconds(Int64((nominal * 1.1 * 1000).rounded(.up))))
            }
            #expect(seen.count > 10, "jittered delays should differ, so clients do not retry in lockstep")
        }
    }

    @Test("Retry-After in seconds replaces the computed delay", arguments: ["3", " 3 ", "03"])
    func retryAfterSeconds(_ header: String) {
        #expect(Self.exact.delay(afterAttempt: 1, retryAfter: header) == .seconds(3))
        #expect(Self.exact.delay(afterAttempt: 4, retryAfter: header) == .seconds(3))
        var generator = SeededGenerator(seed: 5)
        #expect(RetryPolicy.default.delay(afterAttempt: 2, retryAfter: header, using: &generator) == .seconds(3))
    }

    @Test("Retry-After: 0 means retry at once")
    func retryAfterZero() {
        #expect(Self.exact.delay(afterAttempt: 1, retryAfter: "0") == .zero)
    }

    @Test(
        "Retry-After as an HTTP date waits until that time",
        arguments: [
            "Wed, 21 Oct 2026 07:28:00 GMT",  // IMF-fixdate
            "Wednesday, 21-Oct-26 07:28:00 GMT",  // RFC 850
            "Wed Oct 21 07:28:00 2026",  // asctime
        ])
    func retryAfterDate(_ header: String) {
        #expect(Self.exact.delay(afterAttempt: 1, retryAfter: header, now: Self.now) == .seconds(12))
    }

    @Test("Retry-After as a date in the past means retry at once")
    func retryAfterPastDate() {
        #expect(Self.exact.delay(afterAttempt: 1, retryAfter: "Wed, 21 Oct 2026 07:00:00 GMT", now: Self.now) == .zero)
    }

    @Test("A huge Retry-After is capped at maxDelay", arguments: ["86400", "9999999999", "Fri, 01 Jan 2100 00:00:00 GMT"])
    func retryAfterCapped(_ header: String) {
        #expect(Self.exact.delay(afterAttempt: 1, retryAfter: header, now: Self.now) == .seconds(30))
        let patient = RetryPolicy(maxDelay: .seconds(120), jitter: 0)
        #expect(patient.delay(afterAttempt: 1, retryAfter: header, now: Self.now) == .seconds(120))
    }

    @Test(
        "A Retry-After that is neither seconds nor an HTTP date is ignored",
        arguments: ["soon", "", "-5", "3.5", "3s", "99999999999999999999999", "2026-10-21T07:28:00Z"])
    func retryAfterGarbage(_ header: String) {
        #expect(Self.exact.delay(afterAttempt: 1, retryAfter: header, now: Self.now) == .milliseconds(500))
        #expect(Self.exact.delay(afterAttempt: 3, retryAfter: header, now: Self.now) == .seconds(2))
    }
}
