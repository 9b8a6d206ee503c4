import DHIS2Core
import DHIS2Models
import Foundation

/// An aggregate analytics query: its dimensions, filters and options, rendered to DHIS2's query syntax
/// (`dimension=dx:a;b&dimension=pe:LAST_12_MONTHS&filter=ou:USER_ORGUNIT&…`).
///
/// ```swift
/// var query = AnalyticsQuery(
///     dimensions: [.data([.dataElement("s46m5MS0hxu")]), .period([.relative(.last12Months)])],
///     filters: [.orgUnit([.orgUnit("ImspTQPwCqd")])])
/// query.skipMeta = true
/// let grid = try await client.analytics.query(query)
/// ```
///
/// The same query serves `/api/analytics`, `/api/analytics/rawData.json` and `/api/analytics/dataValueSet.json`
/// (the last needs exactly the `dx`, `pe` and `ou` dimensions). DHIS2 checks the query and answers 409 with an
/// `E71xx` code when it is not valid; see ``AnalyticsErrorCode``. Unset options are not sent (the server's defaults
/// apply). Parameters: [OAS `paths./api/analytics.get`] and dhis2-core `DataQueryRequest`.
public struct AnalyticsQuery: Hashable, Sendable {
    /// The dimensions that become columns of the grid (`dimension=`), in order.
    public var dimensions: [AnalyticsDimension]
    /// The dimensions aggregated away (`filter=`): they narrow the data but do not appear in the rows.
    public var filters: [AnalyticsDimension]
    /// Overrides each data element's aggregation type (`aggregationType`).
    public var aggregationType: AggregationType?
    /// Keeps only aggregated values meeting every criterion (`measureCriteria=GE:10;LT:100`).
    public var measureCriteria: [AnalyticsMeasureCriterion]
    /// Keeps only raw values meeting every criterion before aggregation (`preAggregationMeasureCriteria`).
    public var preAggregationMeasureCriteria: [AnalyticsMeasureCriterion]
    /// The first day of a date range used instead of periods (`startDate`; not together with a `pe` dimension).
    public var startDate: CalendarDate?
    /// The last day of that date range (`endDate`).
    public var endDate: CalendarDate?
    /// Leaves `metaData` out of the response (`skipMeta`).
    public var skipMeta: Bool?
    /// Leaves the rows out of the response (`skipData`).
    public var skipData: Bool?
    /// Returns values unrounded (`skipRounding`).
    public var skipRounding: Bool?
    /// Adds each org unit's ancestor path to `metaData.ouHierarchy` (`hierarchyMeta`).
    public var hierarchyMeta: Bool?
    /// Shows org unit names with their ancestors (`showHierarchy`).
    public var showHierarchy: Bool?
    /// Adds numerator, denominator, factor, multiplier and divisor columns for indicators (`includeNumDen`).
    public var includeNumDen: Bool?
    /// Adds uid, code, value type and more to every `metaData.items` entry (`includeMetadataDetails`).
    public var includeMetadataDetails: Bool?
    /// Whether names in metaData are the name or the short name (`displayProperty=NAME|SHORTNAME`).
    public var displayProperty: DisplayProperty?
    /// The identifier scheme of every item in the response (`outputIdScheme`).
    public var outputIdScheme: AnalyticsIdScheme?
    /// The identifier scheme of org units in the response (`outputOrgUnitIdScheme`).
    public var outputOrgUnitIdScheme: AnalyticsIdScheme?
    /// The identifier scheme of data elements in the response (`outputDataElementIdScheme`).
    public var outputDataElementIdScheme: AnalyticsIdScheme?
    /// The identifier scheme of all data items in the response (`outputDataItemIdScheme`).
    public var outputDataItemIdScheme: AnalyticsIdScheme?
    /// The identifier scheme the query's items are written in (`inputIdScheme`).
    public var inputIdScheme: AnalyticsIdScheme?
    /// The date relative periods are resolved against instead of today (`relativePeriodDate`).
    public var relativePeriodDate: CalendarDate?
    /// The org units `USER_ORGUNIT` stands for instead of the current user's (`userOrgUnit=a;b`).
    public var userOrgUnits: [UID]
    /// Which of the user's org unit sets `USER_ORGUNIT` means (`userOrgUnitType`).
    public var userOrgUnitType: UserOrgUnitType?
    /// Shows only data approved at this approval level or above (`approvalLevel`, a level UID).
    public var approvalLevel: UID?
    /// Sorts rows by value (`order=ASC|DESC`).
    public var order: DHIS2Models.SortOrder?
    /// Returns more than the server's row cap (50,000 by default) instead of failing with E7128 (`ignoreLimit`).
    public var ignoreLimit: Bool?
    /// Only data of completed data set registrations (`completedOnly`).
    public var completedOnly: Bool?
    /// The date field periods are matched on for event data (`timeField`).
    public var timeField: String?
    /// The org unit field event data is aggregated on (`orgUnitField`).
    public var orgUnitField: String?
    /// Further query parameters, appended as given (for options this type does not model).
    public var additionalParameters: [URLQueryItem]

    /// A query with these dimensions and filters and no other options set.
    public init(dimensions: [AnalyticsDimension] = [], filters: [AnalyticsDimension] = []) {
        self.dimensions = dimensions
        self.filters = filters
        self.measureCriteria = []
        self.preAggregationMeasureCriteria = []
        self.userOrgUnits = []
        self.additionalParameters = []
    }

    /// The query parameters: `dimension` and `filter` repeated in order, then every option that is set.
    public var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        for dimension in dimensions { items.append(URLQueryItem(name: "dimension", value: dimension.rendered)) }
        for filter in filters { items.append(URLQueryItem(name: "filter", value: filter.rendered)) }
        func add(_ name: String, _ value: String?) {
            if let value { items.append(URLQueryItem(name: name, value: value)) }
        }
        func add(_ name: String, _ value: Bool?) { add(name, value.map { $0 ? "true" : "false" }) }
        add("aggregationType", aggregationType?.rawValue)
        if !measureCriteria.isEmpty { add("measureCriteria", measureCriteria.map(\.rendered).joined(separator: ";")) }
        if !preAggregationMeasureCriteria.isEmpty {
            add("preAggregationMeasureCriteria", preAggregationMeasureCriteria.map(\.rendered).joined(separator: ";"))
        }
        add("startDate", startDate?.description)
        add("endDate", endDate?.description)
        add("skipMeta", skipMeta)
        add("skipData", skipData)
        add("skipRounding", skipRounding)
        add("hierarchyMeta", hierarchyMeta)
        add("showHierarchy", showHierarchy)
        add("includeNumDen", includeNumDen)
        add("includeMetadataDetails", includeMetadataDetails)
        add("displayProperty", displayProperty?.rawValue)
        add("outputIdScheme", outputIdScheme?.rawValue)
        add("outputOrgUnitIdScheme", outputOrgUnitIdScheme?.rawValue)
        add("outputDataElementIdScheme", outputDataElementIdScheme?.rawValue)
        add("outputDataItemIdScheme", outputDataItemIdScheme?.rawValue)
        add("inputIdScheme", inputIdScheme?.rawValue)
        add("relativePeriodDate", relativePeriodDate?.description)
        if !userOrgUnits.isEmpty { add("userOrgUnit", userOrgUnits.map(\.rawValue).joined(separator: ";")) }
        add("userOrgUnitType", userOrgUnitType?.rawValue)
        add("approvalLevel", approvalLevel?.rawValue)
        add("order", order?.rawValue)
        add("ignoreLimit", ignoreLimit)
        add("completedOnly", completedOnly)
        add("timeField", timeField)
        add("orgUnitField", orgUnitField)
        items.append(contentsOf: additionalParameters)
        return items
    }
}

/// One analytics dimension with its items: `dx:a;b`, `pe:LAST_12_MONTHS`, `ou:LEVEL-2;ImspTQPwCqd`, `co`, or a
/// category / group set UID. A dimension without items means all of its items (`co`, or `J5jldMd8OHv`).
public struct AnalyticsDimension: Hashable, Sendable, CustomStringConvertible {
    /// The dimension identifier: `dx`, `pe`, `ou`, `co`, `ao`, or a category / group set UID.
    public let identifier: String
    /// The items as DHIS2 writes them; empty for "all items".
    public let items: [String]

    /// A dimension by identifier and raw items (an escape hatch; prefer the typed constructors).
    public init(identifier: String, items: [String] = []) {
        self.identifier = identifier
        self.items = items
    }

    /// The `dx` dimension: data elements, indicators, operands, groups, reporting rates, program items.
    public static func data(_ items: [AnalyticsDataItem]) -> AnalyticsDimension {
        AnalyticsDimension(identifier: "dx", items: items.map(\.rawValue))
    }

    /// The `pe` dimension: ISO periods and relative periods.
    public static func period(_ items: [AnalyticsPeriodItem]) -> AnalyticsDimension {
        AnalyticsDimension(identifier: "pe", items: items.map(\.rawValue))
    }

    /// The `pe` dimension with these ISO periods.
    public static func periods(_ periods: [Period]) -> AnalyticsDimension {
        period(periods.map(AnalyticsPeriodItem.period))
    }

    /// The `pe` dimension with these relative periods.
    public static func periods(_ relative: [RelativePeriod]) -> AnalyticsDimension {
        period(relative.map(AnalyticsPeriodItem.relative))
    }

    /// The `ou` dimension: org units, user org unit keywords, levels and groups.
    public static func orgUnit(_ items: [AnalyticsOrgUnitItem]) -> AnalyticsDimension {
        AnalyticsDimension(identifier: "ou", items: items.map(\.rawValue))
    }

    /// The `co` dimension (category option combos): all of them, or the ones listed.
    public static func categoryOptionCombos(_ items: [UID] = []) -> AnalyticsDimension {
        AnalyticsDimension(identifier: "co", items: items.map(\.rawValue))
    }

    /// The `ao` dimension (attribute option combos): all of them, or the ones listed.
    public static func attributeOptionCombos(_ items: [UID] = []) -> AnalyticsDimension {
        AnalyticsDimension(identifier: "ao", items: items.map(\.rawValue))
    }

    /// A data dimension category, org unit group set, data element group set or category option group set by its
    /// UID, with all of its items or the ones listed.
    public static func dimension(_ uid: UID, items: [UID] = []) -> AnalyticsDimension {
        AnalyticsDimension(identifier: uid.rawValue, items: items.map(\.rawValue))
    }

    /// `identifier` alone or `identifier:item;item`.
    public var rendered: String {
        items.isEmpty ? identifier : identifier + ":" + items.joined(separator: ";")
    }

    public var description: String { rendered }
}

/// An item of the `dx` dimension, written as DHIS2 expects it.
public struct AnalyticsDataItem: Hashable, Sendable, CustomStringConvertible {
    /// The item as written in the query (`s46m5MS0hxu`, `s46m5MS0hxu.Prlt0C1RF0s`, `DE_GROUP-oDkJh5Ddh7d`, …).
    public let rawValue: String

    /// An item written as given (an escape hatch).
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// A data element (its total over all category option combos).
    public static func dataElement(_ uid: UID) -> AnalyticsDataItem { AnalyticsDataItem(rawValue: uid.rawValue) }

    /// An indicator.
    public static func indicator(_ uid: UID) -> AnalyticsDataItem { AnalyticsDataItem(rawValue: uid.rawValue) }

    /// A data element operand: one category option combo of a data element (`de.coc`), optionally one attribute
    /// option combo too (`de.coc.aoc`).
    public static func operand(
        dataElement: UID, categoryOptionCombo: UID, attributeOptionCombo: UID? = nil
    ) -> AnalyticsDataItem {
        var text = dataElement.rawValue + "." + categoryOptionCombo.rawValue
        if let attributeOptionCombo { text += "." + attributeOptionCombo.rawValue }
        return AnalyticsDataItem(rawValue: text)
    }

    /// Every data element of a data element group (`DE_GROUP-<uid>`).
    public static func dataElementGroup(_ uid: UID) -> AnalyticsDataItem {
        AnalyticsDataItem(rawValue: "DE_GROUP-" + uid.rawValue)
    }

    /// Every indicator of an indicator group (`IN_GROUP-<uid>`).
    public static func indicatorGroup(_ uid: UID) -> AnalyticsDataItem {
        AnalyticsDataItem(rawValue: "IN_GROUP-" + uid.rawValue)
    }

    /// A reporting rate metric of a data set (`<ds>.REPORTING_RATE`, `<ds>.ACTUAL_REPORTS`, …).
    public static func reportingRate(_ dataSet: UID, _ metric: ReportingRateMetric = .reportingRate)
        -> AnalyticsDataItem
    {
        AnalyticsDataItem(rawValue: dataSet.rawValue + "." + metric.rawValue)
    }

    /// A program indicator.
    public static func programIndicator(_ uid: UID) -> AnalyticsDataItem { AnalyticsDataItem(rawValue: uid.rawValue) }

    /// A data element of a program (`<program>.<dataElement>`).
    public static func programDataElement(program: UID, dataElement: UID) -> AnalyticsDataItem {
        AnalyticsDataItem(rawValue: program.rawValue + "." + dataElement.rawValue)
    }

    /// A tracked entity attribute of a program (`<program>.<attribute>`).
    public static func programAttribute(program: UID, attribute: UID) -> AnalyticsDataItem {
        AnalyticsDataItem(rawValue: program.rawValue + "." + attribute.rawValue)
    }

    /// A reporting rate metric of a data set.
    public struct ReportingRateMetric: RawRepresentable, Hashable, Sendable {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }

        public static let reportingRate = ReportingRateMetric(rawValue: "REPORTING_RATE")
        public static let reportingRateOnTime = ReportingRateMetric(rawValue: "REPORTING_RATE_ON_TIME")
        public static let actualReports = ReportingRateMetric(rawValue: "ACTUAL_REPORTS")
        public static let actualReportsOnTime = ReportingRateMetric(rawValue: "ACTUAL_REPORTS_ON_TIME")
        public static let expectedReports = ReportingRateMetric(rawValue: "EXPECTED_REPORTS")
    }
}

/// An item of the `pe` dimension: an ISO period or a relative period keyword.
public struct AnalyticsPeriodItem: Hashable, Sendable, CustomStringConvertible {
    /// The item as written in the query (`202601`, `LAST_12_MONTHS`).
    public let rawValue: String

    /// An item written as given (an escape hatch, e.g. a keyword newer than this library).
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// An ISO period.
    public static func period(_ period: Period) -> AnalyticsPeriodItem {
        AnalyticsPeriodItem(rawValue: period.isoString)
    }

    /// A relative period, resolved by the server (against `relativePeriodDate` when set).
    public static func relative(_ relative: RelativePeriod) -> AnalyticsPeriodItem {
        AnalyticsPeriodItem(rawValue: relative.rawValue)
    }
}

/// An item of the `ou` dimension: an org unit, a user org unit keyword, a level or a group.
public struct AnalyticsOrgUnitItem: Hashable, Sendable, CustomStringConvertible {
    /// The item as written in the query (`ImspTQPwCqd`, `USER_ORGUNIT`, `LEVEL-2`, `OU_GROUP-…`).
    public let rawValue: String

    /// An item written as given (an escape hatch).
    public init(rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    /// One org unit.
    public static func orgUnit(_ uid: UID) -> AnalyticsOrgUnitItem { AnalyticsOrgUnitItem(rawValue: uid.rawValue) }

    /// The current user's data view org units (or those of the query's `userOrgUnits`).
    public static let userOrgUnit = AnalyticsOrgUnitItem(rawValue: "USER_ORGUNIT")
    /// The children of the user's org units.
    public static let userOrgUnitChildren = AnalyticsOrgUnitItem(rawValue: "USER_ORGUNIT_CHILDREN")
    /// The grandchildren of the user's org units.
    public static let userOrgUnitGrandchildren = AnalyticsOrgUnitItem(rawValue: "USER_ORGUNIT_GRANDCHILDREN")

    /// Every org unit at hierarchy level `level` (1 is the root) below the other org units listed (`LEVEL-n`).
    public static func level(_ level: Int) -> AnalyticsOrgUnitItem { AnalyticsOrgUnitItem(rawValue: "LEVEL-\(level)") }

    /// Every org unit at the level with this organisation unit level UID (`LEVEL-<uid>`).
    public static func level(_ uid: UID) -> AnalyticsOrgUnitItem {
        AnalyticsOrgUnitItem(rawValue: "LEVEL-" + uid.rawValue)
    }

    /// Every org unit of a group below the other org units listed (`OU_GROUP-<uid>`).
    public static func group(_ uid: UID) -> AnalyticsOrgUnitItem {
        AnalyticsOrgUnitItem(rawValue: "OU_GROUP-" + uid.rawValue)
    }
}

/// A criterion on values: `GE:10`, `LT:100` (`measureCriteria`, `preAggregationMeasureCriteria`).
public struct AnalyticsMeasureCriterion: Hashable, Sendable {
    /// The comparison.
    public let comparison: Comparison
    /// The value compared with.
    public let value: Double

    /// `comparison` against `value`.
    public init(_ comparison: Comparison, _ value: Double) {
        self.comparison = comparison
        self.value = value
    }

    /// `EQ:5`, `GE:10.5`, …
    public var rendered: String {
        let number = value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
        return comparison.rawValue + ":" + number
    }

    /// DHIS2's comparisons for measure criteria.
    public enum Comparison: String, Hashable, Sendable, CaseIterable {
        case equal = "EQ", greaterThan = "GT", greaterOrEqual = "GE", lessThan = "LT", lessOrEqual = "LE"
    }
}

/// An identifier scheme for analytics input and output (`UID`, `CODE`, `NAME`, `ID`, `UUID`, `ATTRIBUTE:<uid>`);
/// DHIS2's `IdentifiableProperty`.
public struct AnalyticsIdScheme: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// Identifiers (the default).
    public static let uid = AnalyticsIdScheme(rawValue: "UID")
    /// Codes.
    public static let code = AnalyticsIdScheme(rawValue: "CODE")
    /// Names.
    public static let name = AnalyticsIdScheme(rawValue: "NAME")
    /// Database ids.
    public static let id = AnalyticsIdScheme(rawValue: "ID")
    /// UUIDs.
    public static let uuid = AnalyticsIdScheme(rawValue: "UUID")

    /// The value of the attribute with this UID (`ATTRIBUTE:<uid>`).
    public static func attribute(_ uid: UID) -> AnalyticsIdScheme {
        AnalyticsIdScheme(rawValue: "ATTRIBUTE:" + uid.rawValue)
    }
}
