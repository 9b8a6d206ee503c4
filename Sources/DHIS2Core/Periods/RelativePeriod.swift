/// A DHIS2 relative period keyword (`LAST_12_MONTHS`, `THIS_YEAR`, …), resolvable to ISO periods against a date.
///
/// The keywords are DHIS2's `RelativePeriodEnum` (the same 45 in the OpenAPI documents of 2.41–2.44);
/// ``init(rawValue:)`` accepts exactly those. Resolution follows dhis2-core `RelativePeriods.getRelativePeriods`:
/// "last N" ranges end with the previous period and exclude the current one (`LAST_12_MONTHS` on 2026-11-26 is
/// `202511` … `202610`); `LAST_N_DAYS` ends yesterday; the year-based keywords (`LAST_YEAR`, `LAST_5_YEARS`,
/// `MONTHS_LAST_YEAR`, …) count back from the same date one year earlier.
public struct RelativePeriod: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// DHIS2's keyword, e.g. `"LAST_12_MONTHS"`.
    public let rawValue: String

    /// The keyword, or `nil` when `rawValue` is not one of DHIS2's relative periods.
    public init?(rawValue: String) {
        guard RelativePeriod.rules[rawValue] != nil else { return nil }
        self.rawValue = rawValue
    }

    private init(known rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static let today = RelativePeriod(known: "TODAY")
    public static let yesterday = RelativePeriod(known: "YESTERDAY")
    public static let last3Days = RelativePeriod(known: "LAST_3_DAYS")
    public static let last7Days = RelativePeriod(known: "LAST_7_DAYS")
    public static let last14Days = RelativePeriod(known: "LAST_14_DAYS")
    public static let last30Days = RelativePeriod(known: "LAST_30_DAYS")
    public static let last60Days = RelativePeriod(known: "LAST_60_DAYS")
    public static let last90Days = RelativePeriod(known: "LAST_90_DAYS")
    public static let last180Days = RelativePeriod(known: "LAST_180_DAYS")
    public static let thisMonth = RelativePeriod(known: "THIS_MONTH")
    public static let lastMonth = RelativePeriod(known: "LAST_MONTH")
    public static let thisBimonth = RelativePeriod(known: "THIS_BIMONTH")
    public static let lastBimonth = RelativePeriod(known: "LAST_BIMONTH")
    public static let thisQuarter = RelativePeriod(known: "THIS_QUARTER")
    public static let lastQuarter = RelativePeriod(known: "LAST_QUARTER")
    public static let thisSixMonth = RelativePeriod(known: "THIS_SIX_MONTH")
    public static let lastSixMonth = RelativePeriod(known: "LAST_SIX_MONTH")
    public static let weeksThisYear = RelativePeriod(known: "WEEKS_THIS_YEAR")
    public static let monthsThisYear = RelativePeriod(known: "MONTHS_THIS_YEAR")
    public static let biMonthsThisYear = RelativePeriod(known: "BIMONTHS_THIS_YEAR")
    public static let quartersThisYear = RelativePeriod(known: "QUARTERS_THIS_YEAR")
    public static let thisYear = RelativePeriod(known: "THIS_YEAR")
    public static let monthsLastYear = RelativePeriod(known: "MONTHS_LAST_YEAR")
    public static let quartersLastYear = RelativePeriod(known: "QUARTERS_LAST_YEAR")
    public static let lastYear = RelativePeriod(known: "LAST_YEAR")
    public static let last5Years = RelativePeriod(known: "LAST_5_YEARS")
    public static let last10Years = RelativePeriod(known: "LAST_10_YEARS")
    public static let last12Months = RelativePeriod(known: "LAST_12_MONTHS")
    public static let last6Months = RelativePeriod(known: "LAST_6_MONTHS")
    public static let last3Months = RelativePeriod(known: "LAST_3_MONTHS")
    public static let last6BiMonths = RelativePeriod(known: "LAST_6_BIMONTHS")
    public static let last4Quarters = RelativePeriod(known: "LAST_4_QUARTERS")
    public static let last2SixMonths = RelativePeriod(known: "LAST_2_SIXMONTHS")
    public static let thisFinancialYear = RelativePeriod(known: "THIS_FINANCIAL_YEAR")
    public static let lastFinancialYear = RelativePeriod(known: "LAST_FINANCIAL_YEAR")
    public static let last5FinancialYears = RelativePeriod(known: "LAST_5_FINANCIAL_YEARS")
    public static let last10FinancialYears = RelativePeriod(known: "LAST_10_FINANCIAL_YEARS")
    public static let thisWeek = RelativePeriod(known: "THIS_WEEK")
    public static let lastWeek = RelativePeriod(known: "LAST_WEEK")
    public static let thisBiWeek = RelativePeriod(known: "THIS_BIWEEK")
    public static let lastBiWeek = RelativePeriod(known: "LAST_BIWEEK")
    public static let last4Weeks = RelativePeriod(known: "LAST_4_WEEKS")
    public static let last4BiWeeks = RelativePeriod(known: "LAST_4_BIWEEKS")
    public static let last12Weeks = RelativePeriod(known: "LAST_12_WEEKS")
    public static let last52Weeks = RelativePeriod(known: "LAST_52_WEEKS")

    /// Every keyword, in the order of DHIS2's `RelativePeriodEnum`.
    public static let allCases: [RelativePeriod] = order.map { RelativePeriod(known: $0) }

    /// The type of the periods this keyword resolves to (financial keywords: ``FinancialYearStart/october``'s
    /// type; pass the server's setting to ``periods(relativeTo:financialYearStart:)`` for the actual one).
    public var periodType: PeriodType {
        guard let rule = RelativePeriod.rules[rawValue] else { return .yearly }
        switch rule {
        case .financial: return FinancialYearStart.october.periodType
        case .current(let type, _), .rolling(let type, _, _, _), .wholeYear(let type, _): return type
        case .days: return .daily
        }
    }

    /// The ISO periods this keyword means on `today`, oldest first, as DHIS2 resolves them.
    ///
    /// - Parameter financialYearStart: the server's analytics financial year start (system setting
    ///   `keyAnalyticsFinancialYearStart`, DHIS2's default October); used by the `…FINANCIAL_YEAR…` keywords.
    ///   DHIS2 resolves those against the server's clock even when a relative period date is given; this resolves
    ///   every keyword against `today`.
    public func periods(relativeTo today: CalendarDate, financialYearStart: FinancialYearStart = .october)
        -> [Period]
    {
        guard let rule = RelativePeriod.rules[rawValue] else { return [] }
        let lastYearDate = today.adding(years: -1)
        switch rule {
        case .days(let count, let includeToday):
            let end = includeToday ? today : today.adding(days: -1)
            return (0..<count).reversed().map { Period.day(end.adding(days: -$0), .daily) }
        case .current(let type, let back):
            return [period(containing: back.apply(to: today), type)].compactMap { $0 }
        case .rolling(let type, let back, let count, let window):
            return rolling(type, ending: back.apply(to: today), count: count, window: window)
        case .wholeYear(let type, let lastYear):
            let year = (lastYear ? lastYearDate : today).year
            guard let yearPeriod = Period(containing: CalendarDate(unchecked: year, 1, 1), type: .yearly) else {
                return []
            }
            if type == .yearly { return [yearPeriod] }
            if type == .weekly {
                // DHIS2 quirk (WeeklyAbstractPeriodType.generatePeriods): from the week containing 4 January, as many
                // weeks as Calendar.weeksInYear(year of that week's Monday) — Joda's count for the week-based year
                // holding 1 January of that year. So 2026 lists W1…W52 without W53, and 2021 runs on into 2022W1.
                guard let first = Period(containing: CalendarDate(unchecked: year, 1, 4), type: .weekly) else {
                    return []
                }
                let januaryFirst = CalendarDate(unchecked: first.startDate.year, 1, 1)
                let weekYear = Period.weekNumber(Period.weekStart(januaryFirst, 1), 1).year
                return (0..<Period.weeksInYear(weekYear, 1)).map { first.advanced(by: $0) }
            }
            return yearPeriod.periods(of: type)
        case .financial(let count, let lastYear):
            let type = financialYearStart.periodType
            let end = lastYear ? lastYearDate : today
            return rolling(type, ending: end, count: count, window: count)
        }
    }

    private func period(containing date: CalendarDate, _ type: PeriodType) -> Period? {
        Period(containing: date, type: type)
    }

    /// The last `count` of the `window` periods ending with the one containing `end` (DHIS2 generates a rolling
    /// window, e.g. 52 weeks, and takes its tail; for bi-weeks the window's steps decide which bi-weeks appear).
    private func rolling(_ type: PeriodType, ending end: CalendarDate, count: Int, window: Int) -> [Period] {
        guard let last = Period(containing: end, type: type) else { return [] }
        if type == .biWeekly {
            // BiWeeklyAbstractPeriodType.generateRollingPeriods: from the bi-week start 350 days back, 26 steps of
            // two weeks, each mapped to the bi-week containing it.
            let first = last.startDate.adding(days: -350)
            let all = (0..<26).compactMap { Period(containing: first.adding(days: 14 * $0), type: .biWeekly) }
            return Array(all.suffix(count))
        }
        return (0..<count).reversed().map { last.advanced(by: -$0) }
    }

    /// How far back from today the reference date is.
    enum Back: Sendable {
        case none, days(Int), months(Int)

        func apply(to date: CalendarDate) -> CalendarDate {
            switch self {
            case .none: return date
            case .days(let days): return date.adding(days: -days)
            case .months(let months): return date.adding(months: -months)
            }
        }
    }

    enum Rule: Sendable {
        /// `count` days ending yesterday (or today).
        case days(count: Int, includeToday: Bool)
        /// The one period containing the reference date.
        case current(PeriodType, Back)
        /// The last `count` periods of a `window`-long rolling list ending with the one containing the date.
        case rolling(PeriodType, Back, count: Int, window: Int)
        /// Every period of `type` in this (or last) calendar year.
        case wholeYear(PeriodType, lastYear: Bool)
        /// `count` financial years ending with this (or last) one.
        case financial(count: Int, lastYear: Bool)
    }

    static let order: [String] = [
        "TODAY", "YESTERDAY", "LAST_3_DAYS", "LAST_7_DAYS", "LAST_14_DAYS", "LAST_30_DAYS", "LAST_60_DAYS",
        "LAST_90_DAYS", "LAST_180_DAYS", "THIS_MONTH", "LAST_MONTH", "THIS_BIMONTH", "LAST_BIMONTH", "THIS_QUARTER",
        "LAST_QUARTER", "THIS_SIX_MONTH", "LAST_SIX_MONTH", "WEEKS_THIS_YEAR", "MONTHS_THIS_YEAR",
        "BIMONTHS_THIS_YEAR", "QUARTERS_THIS_YEAR", "THIS_YEAR", "MONTHS_LAST_YEAR", "QUARTERS_LAST_YEAR",
        "LAST_YEAR", "LAST_5_YEARS", "LAST_10_YEARS", "LAST_12_MONTHS", "LAST_6_MONTHS", "LAST_3_MONTHS",
        "LAST_6_BIMONTHS", "LAST_4_QUARTERS", "LAST_2_SIXMONTHS", "THIS_FINANCIAL_YEAR", "LAST_FINANCIAL_YEAR",
        "LAST_5_FINANCIAL_YEARS", "LAST_10_FINANCIAL_YEARS", "THIS_WEEK", "LAST_WEEK", "THIS_BIWEEK", "LAST_BIWEEK",
        "LAST_4_WEEKS", "LAST_4_BIWEEKS", "LAST_12_WEEKS", "LAST_52_WEEKS",
    ]

    // The reference dates and window sizes of dhis2-core RelativePeriods.getRelativePeriods.
    static let rules: [String: Rule] = [
        "TODAY": .days(count: 1, includeToday: true),
        "YESTERDAY": .days(count: 1, includeToday: false),
        "LAST_3_DAYS": .days(count: 3, includeToday: false),
        "LAST_7_DAYS": .days(count: 7, includeToday: false),
        "LAST_14_DAYS": .days(count: 14, includeToday: false),
        "LAST_30_DAYS": .days(count: 30, includeToday: false),
        "LAST_60_DAYS": .days(count: 60, includeToday: false),
        "LAST_90_DAYS": .days(count: 90, includeToday: false),
        "LAST_180_DAYS": .days(count: 180, includeToday: false),
        "THIS_WEEK": .current(.weekly, .none),
        "LAST_WEEK": .current(.weekly, .days(7)),
        "THIS_BIWEEK": .current(.biWeekly, .none),
        "LAST_BIWEEK": .current(.biWeekly, .days(14)),
        "THIS_MONTH": .current(.monthly, .none),
        "LAST_MONTH": .current(.monthly, .months(1)),
        "THIS_BIMONTH": .current(.biMonthly, .none),
        "LAST_BIMONTH": .current(.biMonthly, .months(2)),
        "THIS_QUARTER": .current(.quarterly, .none),
        "LAST_QUARTER": .current(.quarterly, .months(3)),
        "THIS_SIX_MONTH": .current(.sixMonthly, .none),
        "LAST_SIX_MONTH": .current(.sixMonthly, .months(6)),
        "WEEKS_THIS_YEAR": .wholeYear(.weekly, lastYear: false),
        "MONTHS_THIS_YEAR": .wholeYear(.monthly, lastYear: false),
        "BIMONTHS_THIS_YEAR": .wholeYear(.biMonthly, lastYear: false),
        "QUARTERS_THIS_YEAR": .wholeYear(.quarterly, lastYear: false),
        "THIS_YEAR": .wholeYear(.yearly, lastYear: false),
        "LAST_3_MONTHS": .rolling(.monthly, .months(1), count: 3, window: 12),
        "LAST_6_MONTHS": .rolling(.monthly, .months(1), count: 6, window: 12),
        "LAST_12_MONTHS": .rolling(.monthly, .months(1), count: 12, window: 12),
        "LAST_6_BIMONTHS": .rolling(.biMonthly, .months(2), count: 6, window: 6),
        "LAST_4_QUARTERS": .rolling(.quarterly, .months(3), count: 4, window: 4),
        "LAST_2_SIXMONTHS": .rolling(.sixMonthly, .months(6), count: 2, window: 2),
        "LAST_4_WEEKS": .rolling(.weekly, .days(7), count: 4, window: 52),
        "LAST_12_WEEKS": .rolling(.weekly, .days(7), count: 12, window: 52),
        "LAST_52_WEEKS": .rolling(.weekly, .days(7), count: 52, window: 52),
        "LAST_4_BIWEEKS": .rolling(.biWeekly, .days(14), count: 4, window: 26),
        "MONTHS_LAST_YEAR": .wholeYear(.monthly, lastYear: true),
        "QUARTERS_LAST_YEAR": .wholeYear(.quarterly, lastYear: true),
        "LAST_YEAR": .wholeYear(.yearly, lastYear: true),
        "LAST_5_YEARS": .rolling(.yearly, .months(12), count: 5, window: 5),
        "LAST_10_YEARS": .rolling(.yearly, .months(12), count: 10, window: 10),
        "THIS_FINANCIAL_YEAR": .financial(count: 1, lastYear: false),
        "LAST_FINANCIAL_YEAR": .financial(count: 1, lastYear: true),
        "LAST_5_FINANCIAL_YEARS": .financial(count: 5, lastYear: true),
        "LAST_10_FINANCIAL_YEARS": .financial(count: 10, lastYear: true),
    ]

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let keyword = RelativePeriod(rawValue: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a DHIS2 relative period")
        }
        self = keyword
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}

/// The month a server's financial years start in for the `…FINANCIAL_YEAR…` relative periods (DHIS2 system setting
/// `keyAnalyticsFinancialYearStart`: `FINANCIAL_YEAR_APRIL`, `…_JULY`, `…_SEPTEMBER`, `…_OCTOBER` (default),
/// `…_NOVEMBER`).
public struct FinancialYearStart: Hashable, Sendable {
    /// The financial-year period type the relative periods resolve to.
    public let periodType: PeriodType

    private init(_ periodType: PeriodType) { self.periodType = periodType }

    /// April (`FinancialApril`).
    public static let april = FinancialYearStart(.financialApril)
    /// July (`FinancialJuly`).
    public static let july = FinancialYearStart(.financialJuly)
    /// September (`FinancialSep`).
    public static let september = FinancialYearStart(.financialSeptember)
    /// October (`FinancialOct`), DHIS2's default.
    public static let october = FinancialYearStart(.financialOctober)
    /// November (`FinancialNov`).
    public static let november = FinancialYearStart(.financialNovember)

    /// The start for a `keyAnalyticsFinancialYearStart` setting value (`"FINANCIAL_YEAR_APRIL"`, …), `nil` for
    /// another value.
    public init?(settingValue: String) {
        switch settingValue {
        case "FINANCIAL_YEAR_APRIL": self = .april
        case "FINANCIAL_YEAR_JULY": self = .july
        case "FINANCIAL_YEAR_SEPTEMBER": self = .september
        case "FINANCIAL_YEAR_OCTOBER": self = .october
        case "FINANCIAL_YEAR_NOVEMBER": self = .november
        default: return nil
        }
    }
}
