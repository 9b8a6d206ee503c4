import DHIS2
import Logging

/// How to start an ``Emulator``: where it listens, which DHIS2 version it speaks and where it keeps its data.
public struct EmulatorConfiguration: Sendable {
    /// The address to listen on; `127.0.0.1` keeps the server on the loopback interface.
    public var host: String
    /// The port to listen on; `0` picks any free port (read it back from ``Emulator/port``).
    public var port: Int
    /// The DHIS2 version to emulate: `2.41.x`, `2.42.x`, `2.43.x` or `2.44.x`, optionally with `-SNAPSHOT`.
    public var version: String
    /// The folder holding `emulator.sqlite` (created when missing); `nil` keeps everything in memory.
    public var dataDirectory: String?
    /// Where the emulator logs (requests at `debug`, never credentials).
    public var logger: Logger
    /// How long the OAuth2 access tokens of an emulated 2.42+ server live (Spring Authorization Server's default is
    /// five minutes); shorten it to exercise token refresh in tests.
    public var accessTokenLifetime: Duration
    /// How long OAuth2 refresh tokens live (Spring Authorization Server's default is one hour).
    public var refreshTokenLifetime: Duration
    /// Whether a new store gets the generated demo data set (``DemoData``). When off, the server starts as a fresh
    /// DHIS2 database does: only the superuser (`admin` / `district`, with its role) and DHIS2's default category
    /// objects, ready for a metadata import.
    public var loadsDemoData: Bool
    /// How many organisation units the demo hierarchy has; `nil` keeps the standard hierarchy (one country, four
    /// regions, sixteen districts and their facilities, about 120 units). Larger counts (e.g. `50_000`) add
    /// chiefdoms and facilities under the same country and regions, deterministically, for large-scale tests.
    public var demoOrganisationUnitCount: Int?
    /// The date analytics resolves relative periods against (`THIS_YEAR`, `LAST_12_MONTHS`, …) when a request has
    /// no `relativePeriodDate`, and the "current year" of `lastYears`; `nil` is the real date (UTC).
    public var today: CalendarDate?

    /// Creates a configuration; the defaults give an in-memory 2.42.6 server on a free loopback port.
    public init(
        host: String = "127.0.0.1", port: Int = 0, version: String = "2.42.6", dataDirectory: String? = nil,
        accessTokenLifetime: Duration = .seconds(300), refreshTokenLifetime: Duration = .seconds(3600),
        logger: Logger = Logger(label: "dhis2.emulator")
    ) {
        self.loadsDemoData = true
        self.demoOrganisationUnitCount = nil
        self.today = nil
        self.host = host
        self.port = port
        self.version = version
        self.dataDirectory = dataDirectory
        self.accessTokenLifetime = accessTokenLifetime
        self.refreshTokenLifetime = refreshTokenLifetime
        self.logger = logger
    }
}

/// Why an ``Emulator`` could not start.
public struct EmulatorError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do about it.
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { "EmulatorError: \(message)" }
}

/// A parsed DHIS2 version (`major.minor[.patch[.hotfix]][-SNAPSHOT]`) and the wire facts that depend on it.
struct EmulatedVersion: Sendable, Hashable {
    let string: String
    let minor: Int
    /// `nil` for `2.44-SNAPSHOT`-style versions (the tip of that line).
    let patch: Int?
    let isSnapshot: Bool

    static let supportedMinors = 41...44

    init(parsing string: String) throws(EmulatorError) {
        var core = Substring(string)
        var snapshot = false
        if core.hasSuffix("-SNAPSHOT") {
            snapshot = true
            core = core.dropLast("-SNAPSHOT".count)
        }
        let parts = core.split(separator: ".", omittingEmptySubsequences: false)
        let numbers = parts.compactMap { part in part.allSatisfy(\.isASCIIDigit) ? Int(part) : nil }
        guard (2...4).contains(parts.count), numbers.count == parts.count, numbers[0] == 2,
            EmulatedVersion.supportedMinors.contains(numbers[1])
        else {
            throw EmulatorError(
                "unsupported DHIS2 version \"\(string)\": the emulator speaks 2.41.x, 2.42.x, 2.43.x and 2.44.x "
                    + "(e.g. \"2.42.6\", \"2.41.10\" or \"2.44-SNAPSHOT\")")
        }
        self.string = string
        self.minor = numbers[1]
        self.patch = parts.count >= 3 ? numbers[2] : nil
        self.isSnapshot = snapshot
    }

    /// `responseType` of an ObjectReport payload (reference §11.3): the class-name variant was shipped in
    /// 2.42.0–2.42.4 and 2.43.0 and reverted by DHIS2-21364 in 2.42.5 / 2.43.1.
    var objectReportResponseType: String {
        hasWebMessageResponseSuffix ? "ObjectReportWebMessageResponse" : "ObjectReport"
    }

    /// `responseType` of an ImportReport payload (`/api/metadata`), with the same version split (reference §11.3).
    var importReportResponseType: String {
        hasWebMessageResponseSuffix ? "ImportReportWebMessageResponse" : "ImportReport"
    }

    /// `responseType` of the personal access token creation payload (reference §11.3).
    var apiTokenCreationResponseType: String {
        minor == 41 ? "ApiTokenCreationResponse" : objectReportResponseType
    }

    private var hasWebMessageResponseSuffix: Bool {
        guard let patch else { return false }
        switch minor {
        case 42: return patch <= 4
        case 43: return patch == 0
        default: return false
        }
    }

    /// Whether `/api/me` still carries `userCredentials` (removed in 2.42).
    var hasUserCredentials: Bool { minor == 41 }
    /// Whether the `!empty` filter operator exists (2.42+).
    var hasNotEmptyOperator: Bool { minor >= 42 }
    /// Whether the Spring Authorization Server (`/oauth2/*`, JWT access tokens, `Dhis2OAuth2Client`) exists (2.42+);
    /// 2.41 had the legacy `/uaa` server, which the emulator does not offer.
    var hasAuthorizationServer: Bool { minor >= 42 }
    /// Whether SystemInfo carries `capability` and `sessionTimeout` (2.43+).
    var hasSystemCapability: Bool { minor >= 43 }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
