import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// A rejected analytics query: DHIS2 answers constraint violations with a 409 WebMessage carrying an E71xx
/// `errorCode` (reference §8.3; messages from dhis2-core's `ErrorCode`), and unknown enum values with a 400.
struct AnalyticsQueryError: Error, Sendable {
    let status: HTTPResponse.Status
    let errorCode: String?
    let message: String

    static func conflict(_ code: String, _ message: String) -> AnalyticsQueryError {
        AnalyticsQueryError(status: .conflict, errorCode: code, message: message)
    }

    /// Spring's enum conversion failure as DHIS2's controller advice words it (reference §8.3).
    static func invalidValue(_ value: String, parameter: String, valid: [String]) -> AnalyticsQueryError {
        AnalyticsQueryError(
            status: .badRequest, errorCode: nil,
            message: "Value '\(value)' is not valid for parameter \(parameter). Valid values are: [\(valid.joined(separator: ", "))]")
    }

    static let noDimension = conflict("E7101", "At least one dimension must be specified")
    static let noData = conflict(
        "E7102", "At least one data dimension item or data element group set dimension item must be specified")
    static func dimensionAndFilter(_ ids: [String]) -> AnalyticsQueryError {
        conflict("E7103", "Dimensions cannot be specified as dimension and filter simultaneously: `\(ids.joined(separator: ", "))`")
    }
    static let noPeriod = conflict(
        "E7104", "At least one period as dimension or filter, or start and dates, must be specified")
    static let periodsAndDates = conflict("E7105", "Periods and start and end dates cannot be specified simultaneously")
    static let startAfterEnd = conflict("E7106", "Start date cannot be after end date")
    static let indicatorFilters = conflict("E7108", "Only a single indicator can be specified as filter")
    static let optionCombosAsFilter = conflict("E7110", "Category option combos cannot be specified as filter")
    static func duplicateDimension(_ id: String) -> AnalyticsQueryError {
        conflict("E7111", "Dimensions cannot be specified more than once: `\(id)`")
    }
    static let categoriesWithoutDataElements = conflict(
        "E7113", "Assigned categories cannot be specified when data elements are not specified")
    static let categoriesWithOtherItems = conflict(
        "E7114", "Assigned categories can only be specified together with data elements, not indicators or reporting rates")
    static func notAggregatable(_ ids: [String]) -> AnalyticsQueryError {
        conflict("E7115", "Data elements must be of a value and aggregation type that allow aggregation: `\(ids.joined(separator: ", "))`")
    }
    static let noDataDimensionForDataValueSet = conflict(
        "E7117", "A data dimension 'dx' must be specified when output format is DATA_VALUE_SET")
    static let noPeriodDimensionForDataValueSet = conflict(
        "E7118", "A period dimension 'pe' must be specified when output format is DATA_VALUE_SET")
    static let noOrgUnitDimensionForDataValueSet = conflict(
        "E7119", "An organisation unit dimension 'ou' must be specified when output format is DATA_VALUE_SET")
    static func noValidItems(_ id: String) -> AnalyticsQueryError {
        conflict("E7124", "Dimension is present in query without any valid dimension options: `\(id)`")
    }
    static func unknownDimension(_ id: String) -> AnalyticsQueryError {
        conflict("E7125", "Dimension identifier does not reference any dimension: `\(id)`")
    }
    /// No analytics table yet: what DHIS2 answers before the first analytics table run (its e2e test
    /// `AnalyticsMissingTablesTest` on Postgres; the `devMessage` carrying the SQL position is left out).
    static let missingTables = conflict(
        "E7144", "Query failed because a referenced table does not exist. Please ensure analytics job was run (SqlState: 42P01)")

    var response: Response {
        Reply.webMessage(status, message: message, errorCode: errorCode)
    }
}

/// One `dimension=` or `filter=` entry: `id[:item;item…]`.
struct DimensionParameter: Sendable {
    let id: String
    /// The items as written; empty means "all items" (allowed for `co`, categories and group sets).
    let items: [String]
    let isFilter: Bool
}

/// The parameters of `GET /api/analytics` (and the raw data / data value set variants) the emulator honours
/// (reference §8.1).
struct AnalyticsRequest: Sendable {
    enum IDScheme: String, Sendable, CaseIterable { case uid = "UID", id = "ID", code = "CODE", name = "NAME" }
    enum DisplayProperty: String, Sendable, CaseIterable { case name = "NAME", shortName = "SHORTNAME" }

    var dimensions: [DimensionParameter] = []
    var filters: [DimensionParameter] = []
    var aggregationType: String?
    var skipMeta = false
    var skipData = false
    var skipRounding = false
    var displayProperty: DisplayProperty = .name
    var outputIdScheme: IDScheme = .uid
    var relativePeriodDate: CalendarDate?
    var startDate: CalendarDate?
    var endDate: CalendarDate?

    /// DHIS2's `AggregationType` values accepted by the `aggregationType` parameter.
    static let aggregationTypes = [
        "SUM", "AVERAGE", "AVERAGE_SUM_ORG_UNIT", "LAST", "LAST_AVERAGE_ORG_UNIT", "LAST_LAST_ORG_UNIT",
        "LAST_IN_PERIOD", "LAST_IN_PERIOD_AVERAGE_ORG_UNIT", "FIRST", "FIRST_AVERAGE_ORG_UNIT", "FIRST_FIRST_ORG_UNIT",
        "COUNT", "STDDEV", "VARIANCE", "MIN", "MAX", "MIN_SUM_ORG_UNIT", "MAX_SUM_ORG_UNIT", "NONE", "CUSTOM",
        "DEFAULT",
    ]

    init(_ query: QueryParameters) throws(AnalyticsQueryError) {
        dimensions = Self.parse(query.all("dimension"), isFilter: false)
        filters = Self.parse(query.all("filter"), isFilter: true)
        if let value = query["aggregationType"], !value.isEmpty {
            guard Self.aggregationTypes.contains(value) else {
                throw .invalidValue(value, parameter: "aggregationType", valid: Self.aggregationTypes)
            }
            aggregationType = value
        }
        skipMeta = query["skipMeta"] == "true"
        skipData = query["skipData"] == "true"
        skipRounding = query["skipRounding"] == "true"
        if let value = query["displayProperty"], !value.isEmpty {
            guard let property = DisplayProperty(rawValue: value) else {
                throw .invalidValue(value, parameter: "displayProperty", valid: DisplayProperty.allCases.map(\.rawValue))
            }
            displayProperty = property
        }
        if let value = query["outputIdScheme"], !value.isEmpty {
            guard let scheme = IDScheme(rawValue: value) else {
                throw .invalidValue(value, parameter: "outputIdScheme", valid: IDScheme.allCases.map(\.rawValue))
            }
            outputIdScheme = scheme
        }
        relativePeriodDate = query["relativePeriodDate"].flatMap { CalendarDate(String($0.prefix(10))) }
        startDate = query["startDate"].flatMap { CalendarDate(String($0.prefix(10))) }
        endDate = query["endDate"].flatMap { CalendarDate(String($0.prefix(10))) }
    }

    /// Spring binds a repeated or comma-separated parameter to a list; each element is `id` or `id:items`.
    private static func parse(_ values: [String], isFilter: Bool) -> [DimensionParameter] {
        values.flatMap { $0.split(separator: ",", omittingEmptySubsequences: true) }.map { part in
            let pieces = part.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            let id = String(pieces[0]).trimmingCharacters(in: .whitespaces)
            let items =
                pieces.count > 1
                ? pieces[1].split(separator: ";", omittingEmptySubsequences: true).map {
                    String($0).trimmingCharacters(in: .whitespaces)
                } : []
            return DimensionParameter(id: id, items: items, isFilter: isFilter)
        }
    }
}
