import DHIS2
import Foundation
import Logging

/// One data value as the analytics table holds it: the stored value with its period resolved to dates and its
/// organisation unit's ancestry as it was when the table was built (DHIS2's `_orgunitstructure` columns).
struct AnalyticsFact: Sendable {
    let dataElement: String
    let categoryOptionCombo: String
    let attributeOptionCombo: String
    let orgUnit: String
    /// The organisation unit's path from the root (`/root/…/self` split), captured when the table was built.
    let orgUnitAncestors: [String]
    let period: Period
    /// `period.startDate.dayNumber`.
    let startDay: Int
    /// `period.endDate.dayNumber`.
    let endDay: Int
    /// The value as a number (booleans as 1 / 0), `nil` when the text is not numeric.
    let number: Double?
    /// The stored text of the value.
    let text: String
    let storedBy: String?
    /// Milliseconds since 1970 (UTC).
    let created: Int64
    /// Milliseconds since 1970 (UTC).
    let lastUpdated: Int64

    /// Days the value's period covers (DHIS2's `daysno` of the data period).
    var days: Int { endDay - startDay + 1 }
}

/// The analytics table: every non-deleted data value the last completed ANALYTICS_TABLE job saw.
struct AnalyticsTable: Sendable {
    let facts: [AnalyticsFact]
    /// Fact indices by data element UID.
    let byDataElement: [String: [Int]]

    init(facts: [AnalyticsFact]) {
        self.facts = facts
        var index: [String: [Int]] = [:]
        for (position, fact) in facts.enumerated() { index[fact.dataElement, default: []].append(position) }
        self.byDataElement = index
    }
}

/// The emulator's analytics engine: builds the analytics table in an ANALYTICS_TABLE job and answers analytics
/// queries from the last completed table only, as DHIS2 answers from its `analytics` tables (reference §8, §10.1).
actor AnalyticsEngine {
    /// The last completed table; `nil` until the first ANALYTICS_TABLE job completed (queries then fail with E7144).
    private(set) var table: AnalyticsTable?
    /// The date relative periods resolve against when a request gives no `relativePeriodDate`; `nil` is today (UTC).
    nonisolated let fixedToday: CalendarDate?
    private let logger: Logger

    init(today: CalendarDate?, logger: Logger) {
        self.fixedToday = today
        self.logger = logger
    }

    /// "Today" for relative periods and `lastYears`.
    nonisolated var today: CalendarDate { fixedToday ?? CalendarDate(Date()) }

    /// Replaces the table (a full run) or the partitions of the last `lastYears` years (DHIS2 keeps the older
    /// yearly partitions of the previous table on a partial update).
    func install(_ facts: [AnalyticsFact], lastYears: Int?) {
        if let lastYears, lastYears > 0, let previous = table {
            let firstYear = today.year - lastYears + 1
            let kept = previous.facts.filter { $0.period.startDate.year < firstYear }
            let fresh = facts.filter { $0.period.startDate.year >= firstYear }
            table = AnalyticsTable(facts: kept + fresh)
        } else {
            table = AnalyticsTable(facts: facts)
        }
        logger.debug("analytics table installed", metadata: ["rows": "\(table?.facts.count ?? 0)"])
    }

    /// Builds facts from stored values and the metadata snapshot: deleted values, unknown periods and values of
    /// unknown data elements or organisation units are left out, as DHIS2's table population joins them away.
    nonisolated static func facts(from values: [StoredDataValue], snapshot: StoreSnapshot) -> [AnalyticsFact] {
        let units = snapshot.objects["organisationUnits"] ?? [:]
        let elements = snapshot.objects["dataElements"] ?? [:]
        var ancestry: [String: [String]] = [:]
        var periods: [String: Period] = [:]
        var facts: [AnalyticsFact] = []
        facts.reserveCapacity(values.count)
        for value in values where !value.deleted {
            guard let element = elements[value.dataElement] else { continue }
            let ancestors: [String]
            if let known = ancestry[value.orgUnit] {
                ancestors = known
            } else {
                guard let unit = units[value.orgUnit] else { continue }
                let path = unit["path"]?.stringValue ?? "/" + value.orgUnit
                ancestors = path.split(separator: "/").map(String.init)
                ancestry[value.orgUnit] = ancestors
            }
            let period: Period
            if let known = periods[value.period] {
                period = known
            } else {
                guard let parsed = Period(value.period) else { continue }
                periods[value.period] = parsed
                period = parsed
            }
            let text = value.value ?? ""
            let valueType = element["valueType"]?.stringValue ?? "NUMBER"
            facts.append(
                AnalyticsFact(
                    dataElement: value.dataElement, categoryOptionCombo: value.categoryOptionCombo,
                    attributeOptionCombo: value.attributeOptionCombo, orgUnit: value.orgUnit,
                    orgUnitAncestors: ancestors, period: period, startDay: period.startDate.dayNumber,
                    endDay: period.endDate.dayNumber, number: Self.number(text, valueType: valueType), text: text,
                    storedBy: value.storedBy, created: value.created, lastUpdated: value.lastUpdated))
        }
        return facts
    }

    /// The numeric reading of a stored value: booleans count as 1 / 0 (DHIS2's analytics value column).
    nonisolated static func number(_ text: String, valueType: String) -> Double? {
        switch valueType {
        case "BOOLEAN", "TRUE_ONLY":
            switch text.lowercased() {
            case "true", "1": return 1
            case "false", "0": return 0
            default: return nil
            }
        default:
            guard let number = Double(text.trimmingCharacters(in: .whitespaces)), number.isFinite else { return nil }
            return number
        }
    }
}
