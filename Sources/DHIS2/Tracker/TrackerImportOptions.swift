import DHIS2Core
import Foundation

/// The options of `POST /api/tracker` (reference §9.2). A `nil` option is not sent, so DHIS2's default applies.
public struct TrackerImportOptions: Hashable, Sendable {
    /// `importMode`: store the changes, or only validate them.
    public struct ImportMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `COMMIT` (DHIS2's default).
        public static let commit = ImportMode(rawValue: "COMMIT")
        /// `VALIDATE`: validated and reported, nothing stored (a dry run).
        public static let validate = ImportMode(rawValue: "VALIDATE")
        public var description: String { rawValue }
    }

    /// `importStrategy`: what to do with objects that exist or do not.
    public struct ImportStrategy: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `CREATE_AND_UPDATE` (DHIS2's default in code).
        public static let createAndUpdate = ImportStrategy(rawValue: "CREATE_AND_UPDATE")
        /// `CREATE`: an object that exists is an error.
        public static let create = ImportStrategy(rawValue: "CREATE")
        /// `UPDATE`: an object that does not exist is an error.
        public static let update = ImportStrategy(rawValue: "UPDATE")
        /// `DELETE`: the bundle's objects are deleted.
        public static let delete = ImportStrategy(rawValue: "DELETE")
        public var description: String { rawValue }
    }

    /// `atomicMode`: whether one invalid object stops the whole import.
    public struct AtomicMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `ALL` (DHIS2's default): any validation error and nothing is stored.
        public static let all = AtomicMode(rawValue: "ALL")
        /// `OBJECT`: valid objects are stored, invalid ones (and what depends on them) reported.
        public static let object = AtomicMode(rawValue: "OBJECT")
        public var description: String { rawValue }
    }

    /// `flushMode`: when DHIS2 writes to the database.
    public struct FlushMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `AUTO` (DHIS2's default): at the end.
        public static let auto = FlushMode(rawValue: "AUTO")
        /// `OBJECT`: after each object (slower, useful to find a failing one).
        public static let object = FlushMode(rawValue: "OBJECT")
        public var description: String { rawValue }
    }

    /// `validationMode`: how much validation runs.
    public struct ValidationMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `FULL` (DHIS2's default).
        public static let full = ValidationMode(rawValue: "FULL")
        /// `FAIL_FAST`: stop at the first error.
        public static let failFast = ValidationMode(rawValue: "FAIL_FAST")
        /// `SKIP`: no validation (superusers only).
        public static let skip = ValidationMode(rawValue: "SKIP")
        public var description: String { rawValue }
    }

    /// `reportMode`: how much the report carries.
    public struct ReportMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `ERRORS` (DHIS2's default): errors only.
        public static let errors = ReportMode(rawValue: "ERRORS")
        /// `WARNINGS`: errors and warnings.
        public static let warnings = ReportMode(rawValue: "WARNINGS")
        /// `FULL`: everything.
        public static let full = ReportMode(rawValue: "FULL")
        public var description: String { rawValue }
    }

    /// An identifier scheme: how the payload names metadata (`UID`, `CODE`, `NAME`, `ATTRIBUTE:<uid>`).
    public struct IDScheme: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `UID` (DHIS2's default).
        public static let uid = IDScheme(rawValue: "UID")
        /// `CODE`.
        public static let code = IDScheme(rawValue: "CODE")
        /// `NAME`.
        public static let name = IDScheme(rawValue: "NAME")
        /// `ATTRIBUTE:<uid>`: the value of a unique metadata attribute.
        public static func attribute(_ attribute: UID) -> IDScheme { IDScheme(rawValue: "ATTRIBUTE:" + attribute.rawValue) }
        public var description: String { rawValue }
    }

    /// Run the import as a server job (`async=true`) and wait for it, instead of in the request (`async=false`).
    public var isAsynchronous: Bool
    /// How long an asynchronous import may take before ``TrackerAPI/import(_:options:)`` gives up waiting.
    public var jobTimeout: Duration
    /// How often an asynchronous import's progress is polled.
    public var pollInterval: Duration
    /// `importMode`: commit, or validate only.
    public var importMode: ImportMode?
    /// `importStrategy`: create, update, both, or delete.
    public var importStrategy: ImportStrategy?
    /// `atomicMode`: all or nothing, or object by object.
    public var atomicMode: AtomicMode?
    /// `flushMode`: when DHIS2 writes to the database.
    public var flushMode: FlushMode?
    /// `validationMode`: full, fail fast, or skipped.
    public var validationMode: ValidationMode?
    /// `reportMode`: how much the report carries (warnings only with `WARNINGS` or `FULL`).
    public var reportMode: ReportMode?
    /// `skipPatternValidation`: skip checking generated attribute values against their pattern.
    public var skipPatternValidation: Bool?
    /// `skipSideEffects`: skip notifications and other side effects.
    public var skipSideEffects: Bool?
    /// `skipRuleEngine`: skip program rules.
    public var skipRuleEngine: Bool?
    /// `idScheme`: how the payload names all metadata, unless a narrower scheme says otherwise.
    public var idScheme: IDScheme?
    /// `dataElementIdScheme`.
    public var dataElementIdScheme: IDScheme?
    /// `orgUnitIdScheme`.
    public var orgUnitIdScheme: IDScheme?
    /// `programIdScheme`.
    public var programIdScheme: IDScheme?
    /// `programStageIdScheme`.
    public var programStageIdScheme: IDScheme?
    /// `categoryOptionComboIdScheme`.
    public var categoryOptionComboIdScheme: IDScheme?
    /// `categoryOptionIdScheme`.
    public var categoryOptionIdScheme: IDScheme?

    /// Options; unset ones take DHIS2's defaults (except `async`, which is always sent: synchronous unless asked).
    public init(
        isAsynchronous: Bool = false, importMode: ImportMode? = nil, importStrategy: ImportStrategy? = nil,
        atomicMode: AtomicMode? = nil, reportMode: ReportMode? = nil, jobTimeout: Duration = .seconds(600),
        pollInterval: Duration = .seconds(1)
    ) {
        self.isAsynchronous = isAsynchronous
        self.importMode = importMode
        self.importStrategy = importStrategy
        self.atomicMode = atomicMode
        self.reportMode = reportMode
        self.jobTimeout = jobTimeout
        self.pollInterval = pollInterval
    }

    /// Synchronous, everything else DHIS2's default.
    public static let `default` = TrackerImportOptions()
    /// A synchronous dry run: `importMode=VALIDATE`.
    public static let dryRun = TrackerImportOptions(importMode: .validate)
    /// An asynchronous import, awaited.
    public static let asynchronous = TrackerImportOptions(isAsynchronous: true)

    /// The query items, `async` included.
    public func queryItems(async: Bool) -> [URLQueryItem] {
        var items = [URLQueryItem(name: "async", value: String(async))]
        func add(_ name: String, _ value: String?) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        add("importMode", importMode?.rawValue)
        add("importStrategy", importStrategy?.rawValue)
        add("atomicMode", atomicMode?.rawValue)
        add("flushMode", flushMode?.rawValue)
        add("validationMode", validationMode?.rawValue)
        add("reportMode", reportMode?.rawValue)
        add("skipPatternValidation", skipPatternValidation.map { String($0) })
        add("skipSideEffects", skipSideEffects.map { String($0) })
        add("skipRuleEngine", skipRuleEngine.map { String($0) })
        add("idScheme", idScheme?.rawValue)
        add("dataElementIdScheme", dataElementIdScheme?.rawValue)
        add("orgUnitIdScheme", orgUnitIdScheme?.rawValue)
        add("programIdScheme", programIdScheme?.rawValue)
        add("programStageIdScheme", programStageIdScheme?.rawValue)
        add("categoryOptionComboIdScheme", categoryOptionComboIdScheme?.rawValue)
        add("categoryOptionIdScheme", categoryOptionIdScheme?.rawValue)
        return items
    }
}
