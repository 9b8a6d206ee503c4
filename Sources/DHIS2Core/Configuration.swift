import Logging

/// How a ``DHIS2Client`` connects, retries, caches and logs.
public struct DHIS2Configuration: Sendable {
    /// How long establishing a connection may take.
    public var connectTimeout: Duration
    /// How long the server may stay silent while a response is read.
    public var readTimeout: Duration
    /// The longest a whole buffered request may take, body included (downloads are bounded by ``readTimeout`` only).
    public var requestTimeout: Duration
    /// Concurrent HTTP/1.1 connections kept to the server.
    public var connectionPoolSize: Int
    /// Whether TLS certificates are verified. On by default; turn it off only for one test server you trust.
    public var verifiesTLS: Bool
    /// The `User-Agent` header.
    public var userAgent: String
    /// When failed requests are sent again.
    public var retryPolicy: RetryPolicy
    /// Detect the server's version at connect, or pin one and skip detection.
    public var version: VersionSelection
    /// Whether a server outside 2.41–2.44 is spoken to as the nearest supported generation instead of refused.
    public var allowsVersionFallback: Bool
    /// How long system reads (info, me, default category combo, settings) are cached; `nil` disables the cache.
    public var systemCacheTTL: Duration?
    /// The most bytes a buffered response may have; larger responses fail with `responseTooLarge` (use
    /// ``DHIS2Client/download(_:query:to:)`` to stream them to a file instead).
    public var maxResponseSize: Int
    /// The time source for retry delays, token expiry and cache ages.
    public var clock: any DHIS2Clock
    /// Where the client logs (at debug and trace level only; never headers, bodies or secrets).
    public var logger: Logger
    /// A custom transport; by default the client creates, owns and shuts down an AsyncHTTPClient transport.
    public var transport: (any DHIS2Transport)?

    public init(
        connectTimeout: Duration = .seconds(10), readTimeout: Duration = .seconds(60),
        requestTimeout: Duration = .seconds(300), connectionPoolSize: Int = 8, verifiesTLS: Bool = true,
        userAgent: String = "swift-dhis2/0.1", retryPolicy: RetryPolicy = .default, version: VersionSelection = .detect,
        allowsVersionFallback: Bool = false, systemCacheTTL: Duration? = .seconds(300),
        maxResponseSize: Int = 256 * 1024 * 1024, clock: any DHIS2Clock = SystemClock(),
        logger: Logger = Logger(label: "dhis2.client"), transport: (any DHIS2Transport)? = nil
    ) {
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.requestTimeout = requestTimeout
        self.connectionPoolSize = max(1, connectionPoolSize)
        self.verifiesTLS = verifiesTLS
        self.userAgent = userAgent
        self.retryPolicy = retryPolicy
        self.version = version
        self.allowsVersionFallback = allowsVersionFallback
        self.systemCacheTTL = systemCacheTTL
        self.maxResponseSize = maxResponseSize
        self.clock = clock
        self.logger = logger
        self.transport = transport
    }
}
