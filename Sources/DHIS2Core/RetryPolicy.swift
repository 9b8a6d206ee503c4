import Foundation

/// When and how long a client waits before sending a failed request again.
///
/// Defaults: 3 attempts in all, 0.5 s base delay doubling each time up to 30 s, ±10 % jitter, statuses 429, 502, 503
/// and 504. Connection failures and timeouts are retried too. Requests that are not idempotent (POST, PATCH) are never
/// retried unless ``retriesNonIdempotentRequests`` is set: a POST that reached the server may already have created
/// something. A `Retry-After` header (seconds or an HTTP date) replaces the computed delay, capped at ``maxDelay``.
public struct RetryPolicy: Hashable, Sendable {
    /// Attempts in all, the first included; 1 disables retrying.
    public var maxAttempts: Int
    /// The delay before the second attempt.
    public var baseDelay: Duration
    /// Each further delay is the previous one times this factor.
    public var backoffFactor: Double
    /// No delay is longer than this, `Retry-After` included.
    public var maxDelay: Duration
    /// The fraction by which a computed delay varies at random (0.1 = ±10 %), so clients do not retry in lockstep.
    public var jitter: Double
    /// HTTP statuses worth another attempt.
    public var retryableStatuses: Set<Int>
    /// Whether POST and PATCH are retried too.
    public var retriesNonIdempotentRequests: Bool

    public init(
        maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), backoffFactor: Double = 2,
        maxDelay: Duration = .seconds(30), jitter: Double = 0.1, retryableStatuses: Set<Int> = [429, 502, 503, 504],
        retriesNonIdempotentRequests: Bool = false
    ) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.backoffFactor = backoffFactor
        self.maxDelay = maxDelay
        self.jitter = min(max(jitter, 0), 1)
        self.retryableStatuses = retryableStatuses
        self.retriesNonIdempotentRequests = retriesNonIdempotentRequests
    }

    /// The defaults described above.
    public static let `default` = RetryPolicy()
    /// One attempt only.
    public static let never = RetryPolicy(maxAttempts: 1)

    /// Whether a request with `method` may be retried at all under this policy.
    public func allowsRetry(of method: DHIS2Request.Method) -> Bool {
        method.isIdempotent || retriesNonIdempotentRequests
    }

    /// The delay before attempt `attempt + 1`, after attempt `attempt` (1-based) failed.
    ///
    /// - Parameters:
    ///   - retryAfter: the response's `Retry-After` value, when there was one.
    ///   - now: the current time, to turn an HTTP-date `Retry-After` into a delay.
    public func delay<G: RandomNumberGenerator>(
        afterAttempt attempt: Int, retryAfter: String? = nil, now: Date = Date(), using generator: inout G
    ) -> Duration {
        if let retryAfter, let requested = RetryPolicy.parseRetryAfter(retryAfter, now: now) {
            return min(requested, maxDelay)
        }
        let exponent = Double(max(attempt - 1, 0))
        let base = baseDelay.timeInterval * pow(backoffFactor, exponent)
        let spread = jitter > 0 ? Double.random(in: -jitter...jitter, using: &generator) : 0
        let seconds = min(max(base * (1 + spread), 0), maxDelay.timeInterval)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// ``delay(afterAttempt:retryAfter:now:using:)`` with the system's random number generator.
    public func delay(afterAttempt attempt: Int, retryAfter: String? = nil, now: Date = Date()) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(afterAttempt: attempt, retryAfter: retryAfter, now: now, using: &generator)
    }

    /// Parses `Retry-After`: delta-seconds (`120`) or an HTTP date (`Wed, 21 Oct 2026 07:28:00 GMT`).
    static func parseRetryAfter(_ value: String, now: Date) -> Duration? {
        let trimmed = value.trimmingWhitespace()
        if let seconds = Int(trimmed), seconds >= 0 { return .seconds(seconds) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        for format in ["EEE, dd MMM yyyy HH:mm:ss zzz", "EEEE, dd-MMM-yy HH:mm:ss zzz", "EEE MMM d HH:mm:ss yyyy"] {
            formatter.dateFormat = format
            if let date = formatter.date(from: trimmed) {
                let seconds = max(date.timeIntervalSince(now), 0)
                return .milliseconds(Int64((seconds * 1000).rounded()))
            }
        }
        return nil
    }
}
