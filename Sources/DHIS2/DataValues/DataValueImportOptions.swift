import DHIS2Core
import Foundation

/// How DHIS2 identifies the objects a data value refers to: by `UID` (the default), `CODE`, `NAME`, or the value of
/// a unique attribute (`ATTRIBUTE:<uid>`) — reference §7.1.
public struct IDScheme: RawRepresentable, Hashable, Sendable, CustomStringConvertible, ExpressibleByStringLiteral {
    /// The wire spelling, e.g. `CODE` or `ATTRIBUTE:l1VmqIHKk6t`.
    public let rawValue: String
    /// A scheme by its wire spelling; spellings this library does not list are sent as they are.
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.init(rawValue: value) }
    /// `UID` (DHIS2's default, except for ADX).
    public static let uid = IDScheme(rawValue: "UID")
    /// `CODE`.
    public static let code = IDScheme(rawValue: "CODE")
    /// `NAME`.
    public static let name = IDScheme(rawValue: "NAME")
    /// `ATTRIBUTE:<uid>`: the value of the unique attribute `attribute`.
    public static func attribute(_ attribute: UID) -> IDScheme { IDScheme(rawValue: "ATTRIBUTE:\(attribute.rawValue)") }
    public var description: String { rawValue }
}

/// The identifier schemes of a data value import or export, one per kind of object; a `nil` scheme is not sent, so
/// DHIS2 uses ``idScheme`` (or its default, `UID`).
public struct IDSchemes: Hashable, Sendable {
    /// `idScheme`: the scheme for every kind of object not given its own.
    public var idScheme: IDScheme?
    /// `dataElementIdScheme`.
    public var dataElement: IDScheme?
    /// `orgUnitIdScheme`.
    public var orgUnit: IDScheme?
    /// `categoryOptionComboIdScheme`.
    public var categoryOptionCombo: IDScheme?
    /// `attributeOptionComboIdScheme`.
    public var attributeOptionCombo: IDScheme?
    /// `dataSetIdScheme`.
    public var dataSet: IDScheme?
    /// `categoryIdScheme`.
    public var category: IDScheme?
    /// `categoryOptionIdScheme`.
    public var categoryOption: IDScheme?

    public init(
        idScheme: IDScheme? = nil, dataElement: IDScheme? = nil, orgUnit: IDScheme? = nil,
        categoryOptionCombo: IDScheme? = nil, attributeOptionCombo: IDScheme? = nil, dataSet: IDScheme? = nil,
        category: IDScheme? = nil, categoryOption: IDScheme? = nil
    ) {
        self.idScheme = idScheme
        self.dataElement = dataElement
        self.orgUnit = orgUnit
        self.categoryOptionCombo = categoryOptionCombo
        self.attributeOptionCombo = attributeOptionCombo
        self.dataSet = dataSet
        self.category = category
        self.categoryOption = categoryOption
    }

    /// The query parameters, in a fixed order.
    func queryItems() -> [URLQueryItem] {
        let pairs: [(String, IDScheme?)] = [
            ("idScheme", idScheme), ("dataElementIdScheme", dataElement), ("orgUnitIdScheme", orgUnit),
            ("categoryOptionComboIdScheme", categoryOptionCombo),
            ("attributeOptionComboIdScheme", attributeOptionCombo), ("dataSetIdScheme", dataSet),
            ("categoryIdScheme", category), ("categoryOptionIdScheme", categoryOption),
        ]
        return pairs.compactMap { name, scheme in scheme.map { URLQueryItem(name: name, value: $0.rawValue) } }
    }
}

/// The options of `POST /api/dataValueSets` (reference §7.1), plus how this client sends the values.
///
/// A `nil` option is not sent, so DHIS2's default applies. ``chunkSize`` and ``requestTimeout`` are the client's
/// own and never sent.
public struct DataValueImportOptions: Hashable, Sendable {
    /// `importStrategy`: what to do with values that exist or do not.
    public struct ImportStrategy: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `CREATE_AND_UPDATE` (DHIS2's default).
        public static let createAndUpdate = ImportStrategy(rawValue: "CREATE_AND_UPDATE")
        /// `CREATE`: only new values are stored.
        public static let create = ImportStrategy(rawValue: "CREATE")
        /// `UPDATE`: only existing values are changed.
        public static let update = ImportStrategy(rawValue: "UPDATE")
        /// `DELETE`: the values are soft-deleted (kept with `deleted: true`).
        public static let delete = ImportStrategy(rawValue: "DELETE")
        public var description: String { rawValue }
    }

    /// `dryRun`: validate and report, store nothing.
    public var dryRun: Bool?
    /// `importStrategy`.
    public var importStrategy: ImportStrategy?
    /// The identifier schemes of the payload (a payload's own `idScheme` members win over these).
    public var idSchemes: IDSchemes
    /// `skipExistingCheck`: skip looking for existing values (faster; only for values known to be new).
    public var skipExistingCheck: Bool?
    /// `skipAudit`: write no audit rows.
    public var skipAudit: Bool?
    /// `force`: superusers only — ignore locked periods and approvals.
    public var force: Bool?
    /// `async`: run the import as a background job; the client waits for it and reads its summary.
    public var async: Bool?
    /// `preheatCache`: load the metadata caches first (faster for large imports).
    public var preheatCache: Bool?
    /// `strictPeriods`: reject values whose period type differs from the data set's.
    public var strictPeriods: Bool?
    /// `strictDataElements`: reject values of data elements not in the data set.
    public var strictDataElements: Bool?
    /// `strictCategoryOptionCombos`: reject category option combos not in the data element's category combo.
    public var strictCategoryOptionCombos: Bool?
    /// `strictAttributeOptionCombos`: reject attribute option combos not in the data set's category combo.
    public var strictAttributeOptionCombos: Bool?
    /// `strictOrganisationUnits`: reject org units the data set is not assigned to.
    public var strictOrganisationUnits: Bool?
    /// `requireCategoryOptionCombo`: reject values without a category option combo.
    public var requireCategoryOptionCombo: Bool?
    /// `requireAttributeOptionCombo`: reject values without an attribute option combo.
    public var requireAttributeOptionCombo: Bool?
    /// Client side: send the values in requests of at most this many, and merge the answers into one result whose
    /// conflict indexes refer to the positions in the caller's input. `nil` sends everything in one request.
    public var chunkSize: Int?
    /// Client side: the longest one request may take until the server starts answering (the upload and the
    /// server's work); `nil` uses the client's configured request timeout.
    public var requestTimeout: Duration?
    /// Client side, with ``async``: the longest to wait for each import job.
    public var jobTimeout: Duration
    /// Client side, with ``async``: how often the job's progress is read.
    public var jobPollInterval: Duration

    public init(
        dryRun: Bool? = nil, importStrategy: ImportStrategy? = nil, idSchemes: IDSchemes = IDSchemes(),
        skipExistingCheck: Bool? = nil, skipAudit: Bool? = nil, force: Bool? = nil, async: Bool? = nil,
        preheatCache: Bool? = nil, strictPeriods: Bool? = nil, strictDataElements: Bool? = nil,
        strictCategoryOptionCombos: Bool? = nil, strictAttributeOptionCombos: Bool? = nil,
        strictOrganisationUnits: Bool? = nil, requireCategoryOptionCombo: Bool? = nil,
        requireAttributeOptionCombo: Bool? = nil, chunkSize: Int? = nil, requestTimeout: Duration? = nil,
        jobTimeout: Duration = .seconds(3600), jobPollInterval: Duration = .seconds(1)
    ) {
        self.dryRun = dryRun
        self.importStrategy = importStrategy
        self.idSchemes = idSchemes
        self.skipExistingCheck = skipExistingCheck
        self.skipAudit = skipAudit
        self.force = force
        self.async = async
        self.preheatCache = preheatCache
        self.strictPeriods = strictPeriods
        self.strictDataElements = strictDataElements
        self.strictCategoryOptionCombos = strictCategoryOptionCombos
        self.strictAttributeOptionCombos = strictAttributeOptionCombos
        self.strictOrganisationUnits = strictOrganisationUnits
        self.requireCategoryOptionCombo = requireCategoryOptionCombo
        self.requireAttributeOptionCombo = requireAttributeOptionCombo
        self.chunkSize = chunkSize
        self.requestTimeout = requestTimeout
        self.jobTimeout = jobTimeout
        self.jobPollInterval = jobPollInterval
    }

    /// DHIS2's defaults, one request.
    public static let `default` = DataValueImportOptions()

    /// A dry run: validate and report, store nothing.
    public static let dryRun = DataValueImportOptions(dryRun: true)

    /// The query parameters, in a fixed order (the client-side options are not among them).
    public var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        func add(_ name: String, _ value: Bool?) {
            if let value { items.append(URLQueryItem(name: name, value: String(value))) }
        }
        add("dryRun", dryRun)
        if let importStrategy { items.append(URLQueryItem(name: "importStrategy", value: importStrategy.rawValue)) }
        items.append(contentsOf: idSchemes.queryItems())
        add("skipExistingCheck", skipExistingCheck)
        add("skipAudit", skipAudit)
        add("force", force)
        add("async", async)
        add("preheatCache", preheatCache)
        add("strictPeriods", strictPeriods)
        add("strictDataElements", strictDataElements)
        add("strictCategoryOptionCombos", strictCategoryOptionCombos)
        add("strictAttributeOptionCombos", strictAttributeOptionCombos)
        add("strictOrganisationUnits", strictOrganisationUnits)
        add("requireCategoryOptionCombo", requireCategoryOptionCombo)
        add("requireAttributeOptionCombo", requireAttributeOptionCombo)
        return items
    }
}
