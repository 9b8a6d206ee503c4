/// The result of a tracker import: DHIS2's `TrackerImportReport` (reference §9.2).
///
/// Not a WebMessage: the bare body of a synchronous `POST /api/tracker?async=false` (200, or **409** when `status`
/// is `ERROR`) and of `GET /api/tracker/jobs/{id}/report`.
public struct TrackerImportReport: Codable, Hashable, Sendable {
    /// DHIS2's `TrackerType`: `TRACKED_ENTITY`, `ENROLLMENT`, `EVENT` or `RELATIONSHIP`.
    public struct TrackerType: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// The wire name.
        public let rawValue: String
        /// A value by its wire name; values this library does not list are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `TRACKED_ENTITY`.
        public static let trackedEntity = TrackerType(rawValue: "TRACKED_ENTITY")
        /// `ENROLLMENT`.
        public static let enrollment = TrackerType(rawValue: "ENROLLMENT")
        /// `EVENT`.
        public static let event = TrackerType(rawValue: "EVENT")
        /// `RELATIONSHIP`.
        public static let relationship = TrackerType(rawValue: "RELATIONSHIP")
        public var description: String { rawValue }
    }

    /// One tracker validation or persistence error: DHIS2's `TrackerImportError`
    /// (`{"message","errorCode","trackerType","uid","args"}`).
    public struct Error: Codable, Hashable, Sendable {
        /// The rendered message, e.g. ``"Could not find TrackedEntityType: `Q9GufDoplCL`."``.
        public var message: String?
        /// The tracker error code, e.g. `E1005`.
        public var errorCode: String?
        /// The type of the offending object.
        public var trackerType: TrackerType?
        /// The UID of the offending object.
        public var uid: String?
        /// The message arguments as text.
        public var args: [String]

        /// A tracker error.
        public init(
            errorCode: String?, message: String? = nil, trackerType: TrackerType? = nil, uid: String? = nil,
            args: [String] = []
        ) {
            self.errorCode = errorCode
            self.message = message
            self.trackerType = trackerType
            self.uid = uid
            self.args = args
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case message, errorCode, trackerType, uid, args
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.message = try container.decodeIfPresent(String.self, forKey: .message)
            self.errorCode = try container.decodeIfPresent(String.self, forKey: .errorCode)
            self.trackerType = try container.decodeIfPresent(TrackerType.self, forKey: .trackerType)
            self.uid = try container.decodeIfPresent(String.self, forKey: .uid)
            self.args = try container.decodeTextArray(forKey: .args)
        }
    }

    /// One tracker validation warning: DHIS2's `Warning` (`{"message","warningCode","trackerType","uid"}`); a
    /// warning does not stop the object from being imported.
    public struct Warning: Codable, Hashable, Sendable {
        /// The rendered message.
        public var message: String?
        /// The warning code, e.g. `E1200`.
        public var warningCode: String?
        /// The type of the object.
        public var trackerType: TrackerType?
        /// The UID of the object.
        public var uid: String?

        /// A tracker warning.
        public init(warningCode: String?, message: String? = nil, trackerType: TrackerType? = nil, uid: String? = nil) {
            self.warningCode = warningCode
            self.message = message
            self.trackerType = trackerType
            self.uid = uid
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case message, warningCode, trackerType, uid
        }
    }

    /// DHIS2's `ValidationReport`: the errors that rejected objects and (with `reportMode=WARNINGS|FULL`) warnings.
    public struct ValidationReport: Codable, Hashable, Sendable {
        /// Errors; each rejected an object.
        public var errorReports: [Error]
        /// Warnings; only sent with `reportMode=WARNINGS` or `FULL`.
        public var warningReports: [Warning]

        /// A validation report.
        public init(errorReports: [Error] = [], warningReports: [Warning] = []) {
            self.errorReports = errorReports
            self.warningReports = warningReports
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case errorReports, warningReports
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.errorReports = try container.decodeArray([Error].self, forKey: .errorReports)
            self.warningReports = try container.decodeArray([Warning].self, forKey: .warningReports)
        }
    }

    /// The persistence result for one tracked object: DHIS2's `Entity` (`{"trackerType","uid","errorReports"}`).
    public struct ObjectReport: Codable, Hashable, Sendable {
        /// The type of the object.
        public var trackerType: TrackerType?
        /// The UID of the object.
        public var uid: String?
        /// Persistence errors for this object.
        public var errorReports: [Error]

        /// An object report.
        public init(trackerType: TrackerType? = nil, uid: String? = nil, errorReports: [Error] = []) {
            self.trackerType = trackerType
            self.uid = uid
            self.errorReports = errorReports
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case trackerType, uid, errorReports
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.trackerType = try container.decodeIfPresent(TrackerType.self, forKey: .trackerType)
            self.uid = try container.decodeIfPresent(String.self, forKey: .uid)
            self.errorReports = try container.decodeArray([Error].self, forKey: .errorReports)
        }
    }

    /// The persistence results for one tracker type: DHIS2's `TrackerTypeReport`.
    public struct TypeReport: Codable, Hashable, Sendable {
        /// The tracker type.
        public var trackerType: TrackerType?
        /// The counts for this type.
        public var stats: ImportStats?
        /// One report per persisted object.
        public var objectReports: [ObjectReport]

        /// A type report.
        public init(trackerType: TrackerType? = nil, stats: ImportStats? = nil, objectReports: [ObjectReport] = []) {
            self.trackerType = trackerType
            self.stats = stats
            self.objectReports = objectReports
        }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case trackerType, stats, objectReports
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.trackerType = try container.decodeIfPresent(TrackerType.self, forKey: .trackerType)
            self.stats = try container.decodeIfPresent(ImportStats.self, forKey: .stats)
            self.objectReports = try container.decodeArray([ObjectReport].self, forKey: .objectReports)
        }
    }

    /// DHIS2's `PersistenceReport`: the type reports keyed by tracker type (`TRACKED_ENTITY`, `ENROLLMENT`, …).
    public struct BundleReport: Codable, Hashable, Sendable {
        /// The type reports keyed by tracker type name.
        public var typeReportMap: [String: TypeReport]

        /// A bundle report.
        public init(typeReportMap: [String: TypeReport] = [:]) { self.typeReportMap = typeReportMap }

        enum CodingKeys: String, CodingKey, CaseIterable {
            case typeReportMap
        }

        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.typeReportMap = try container.decodeIfPresent([String: TypeReport].self, forKey: .typeReportMap) ?? [:]
        }

        /// The report for `type`, when present.
        public subscript(type: TrackerType) -> TypeReport? { typeReportMap[type.rawValue] }
    }

    /// `OK`, `WARNING` or `ERROR` (`ERROR` if any object was rejected, even with `atomicMode=OBJECT`); always sent.
    public var status: WebMessage.Status
    /// Validation errors and warnings.
    public var validationReport: ValidationReport?
    /// The counts over all types; with `atomicMode=ALL` and any error, `ignored` is the payload size.
    public var stats: ImportStats?
    /// The persistence results per type; absent when validation rejected the payload.
    public var bundleReport: BundleReport?
    /// The error message of a fatal failure.
    public var message: String?

    /// A tracker import report.
    public init(
        status: WebMessage.Status, validationReport: ValidationReport? = nil, stats: ImportStats? = nil,
        bundleReport: BundleReport? = nil, message: String? = nil
    ) {
        self.status = status
        self.validationReport = validationReport
        self.stats = stats
        self.bundleReport = bundleReport
        self.message = message
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, validationReport, stats, bundleReport, message
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try container.decode(WebMessage.Status.self, forKey: .status)
        self.validationReport = try container.decodeIfPresent(ValidationReport.self, forKey: .validationReport)
        self.stats = try container.decodeIfPresent(ImportStats.self, forKey: .stats)
        self.bundleReport = try container.decodeIfPresent(BundleReport.self, forKey: .bundleReport)
        self.message = try container.decodeIfPresent(String.self, forKey: .message)
    }

    /// Every validation error and every persistence error, as ``ImportConflict``s (duplicates removed).
    public var conflicts: [ImportConflict] {
        let validation = validationReport?.errorReports ?? []
        let persistence = (bundleReport?.typeReportMap ?? [:])
            .sorted { $0.key < $1.key }
            .flatMap { $0.value.objectReports.flatMap(\.errorReports) }
        var seen = Set<Error>()
        return (validation + persistence).filter { seen.insert($0).inserted }.map(ImportConflict.init(trackerError:))
    }

    /// The validation warnings (empty unless requested with `reportMode=WARNINGS|FULL`).
    public var warnings: [Warning] { validationReport?.warningReports ?? [] }
}
