/// The result of an aggregate data import: DHIS2's `ImportSummary` (reference §7.2).
///
/// The payload of `POST /api/dataValueSets` (200 on `SUCCESS`, **409** on `WARNING`/`ERROR` — the conflicts live
/// only in that 409 body), of complete data set registrations, and the bare body of
/// `/api/system/taskSummaries/DATAVALUE_IMPORT/{id}`.
public struct ImportSummary: Codable, Hashable, Sendable {
    /// DHIS2's `ImportStatus`: `SUCCESS`, `WARNING` or `ERROR` (not the envelope's `OK`/`WARNING`/`ERROR`).
    public struct Status: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// The wire name.
        public let rawValue: String
        /// A value by its wire name; values this library does not list are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Every row was imported, updated, deleted or ignored as unchanged.
        public static let success = Status(rawValue: "SUCCESS")
        /// Some or all rows were rejected with conflicts.
        public static let warning = Status(rawValue: "WARNING")
        /// The import failed as a whole.
        public static let error = Status(rawValue: "ERROR")
        public var description: String { rawValue }
    }

    /// `SUCCESS`, `WARNING` or `ERROR`; always sent.
    public var status: Status
    /// A description of the result, e.g. `"Import process completed successfully"`.
    public var description: String?
    /// How many rows were imported, updated, ignored and deleted.
    public var importCount: ImportCount?
    /// Why rows were rejected; empty when none was.
    public var conflicts: [ImportConflict]
    /// The 0-based positions in the payload of the rejected rows.
    public var rejectedIndexes: [Int]
    /// The identifier of the imported object, for single-object imports.
    public var reference: String?
    /// A link to the imported object, for single-object imports.
    public var href: String?
    /// `"false"`, or the completion date when the import also completed the data set.
    public var dataSetComplete: String?
    /// The import options echoed back by the server, as JSON.
    public var importOptions: JSONValue?

    /// An import summary.
    public init(
        status: Status, description: String? = nil, importCount: ImportCount? = nil, conflicts: [ImportConflict] = [],
        rejectedIndexes: [Int] = [], reference: String? = nil, href: String? = nil, dataSetComplete: String? = nil,
        importOptions: JSONValue? = nil
    ) {
        self.status = status
        self.description = description
        self.importCount = importCount
        self.conflicts = conflicts
        self.rejectedIndexes = rejectedIndexes
        self.reference = reference
        self.href = href
        self.dataSetComplete = dataSetComplete
        self.importOptions = importOptions
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, description, importCount, conflicts, rejectedIndexes, reference, href, dataSetComplete
        case importOptions
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try container.decode(Status.self, forKey: .status)
        self.description = try container.decodeIfPresent(String.self, forKey: .description)
        self.importCount = try container.decodeIfPresent(ImportCount.self, forKey: .importCount)
        self.conflicts = try container.decodeArray([ImportConflict].self, forKey: .conflicts)
        self.rejectedIndexes = try container.decodeArray([Int].self, forKey: .rejectedIndexes)
        self.reference = try container.decodeTextIfPresent(forKey: .reference)
        self.href = try container.decodeIfPresent(String.self, forKey: .href)
        self.dataSetComplete = try container.decodeTextIfPresent(forKey: .dataSetComplete)
        self.importOptions = try container.decodeIfPresent(JSONValue.self, forKey: .importOptions)
    }

    /// The reference as a ``UID``, or `nil` when absent or not a valid UID.
    public var referenceUID: UID? { reference.flatMap(UID.init(rawValue:)) }
}
