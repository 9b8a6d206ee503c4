/// A DHIS2 period type, named as DHIS2 names it (`"Monthly"`, `"Quarterly"`, `"FinancialApril"`, …).
///
/// The vocabulary is open: a name this library does not know still decodes (a newer server may add types), it just
/// has no ISO period format here (``isoFormat`` is `nil`, and ``Period`` cannot be built for it).
/// Source: dhis2-core `org.hisp.dhis.period.*PeriodType` and `PeriodTypeEnum`; the names each supported version
/// lists are in its OpenAPI document (`PeriodType` enum).
public struct PeriodType: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// DHIS2's name for the type, e.g. `"Monthly"`.
    public let rawValue: String

    public init(rawValue: String) { self.rawValue = rawValue }

    /// A period type name literal (any name is accepted; the vocabulary is open).
    public init(stringLiteral value: String) { self.rawValue = value }

    public var description: String { rawValue }

    /// One day: `yyyyMMdd` (`20260315`).
    public static let daily = PeriodType(rawValue: "Daily")
    /// ISO weeks starting on Monday: `yyyyWn` (`2026W5`).
    public static let weekly = PeriodType(rawValue: "Weekly")
    /// Weeks starting on Wednesday: `yyyyWedWn`.
    public static let weeklyWednesday = PeriodType(rawValue: "WeeklyWednesday")
    /// Weeks starting on Thursday: `yyyyThuWn`.
    public static let weeklyThursday = PeriodType(rawValue: "WeeklyThursday")
    /// Weeks starting on Friday: `yyyyFriWn` (2.43+).
    public static let weeklyFriday = PeriodType(rawValue: "WeeklyFriday")
    /// Weeks starting on Saturday: `yyyySatWn`.
    public static let weeklySaturday = PeriodType(rawValue: "WeeklySaturday")
    /// Weeks starting on Sunday: `yyyySunWn`.
    public static let weeklySunday = PeriodType(rawValue: "WeeklySunday")
    /// Two ISO weeks, an odd week and the even week after it: `yyyyBiWn` (`2026BiW3`).
    public static let biWeekly = PeriodType(rawValue: "BiWeekly")
    /// A calendar month: `yyyyMM` (`202603`).
    public static let monthly = PeriodType(rawValue: "Monthly")
    /// Two calendar months from January: `yyyyMMB`, MM the bi-month number (`202601B` is January–February).
    public static let biMonthly = PeriodType(rawValue: "BiMonthly")
    /// A calendar quarter: `yyyyQn` (`2026Q1`).
    public static let quarterly = PeriodType(rawValue: "Quarterly")
    /// Quarters from November: `yyyyNovQn`; `2026NovQ1` is November 2025–January 2026.
    public static let quarterlyNovember = PeriodType(rawValue: "QuarterlyNov")
    /// Half years from January: `yyyySn` (`2026S1`).
    public static let sixMonthly = PeriodType(rawValue: "SixMonthly")
    /// Half years from April: `yyyyAprilSn`; `2026AprilS2` is October 2026–March 2027.
    public static let sixMonthlyApril = PeriodType(rawValue: "SixMonthlyApril")
    /// Half years from November: `yyyyNovSn`; `2026NovS1` is November 2025–April 2026.
    public static let sixMonthlyNovember = PeriodType(rawValue: "SixMonthlyNov")
    /// A calendar year: `yyyy`.
    public static let yearly = PeriodType(rawValue: "Yearly")
    /// Two calendar years. DHIS2 defines no ISO period format for it, so ``Period`` does not support it.
    public static let twoYearly = PeriodType(rawValue: "TwoYearly")
    /// Financial years from February: `yyyyFeb` (2.43+).
    public static let financialFebruary = PeriodType(rawValue: "FinancialFeb")
    /// Financial years from April: `yyyyApril`; `2025April` is April 2025–March 2026.
    public static let financialApril = PeriodType(rawValue: "FinancialApril")
    /// Financial years from July: `yyyyJuly`.
    public static let financialJuly = PeriodType(rawValue: "FinancialJuly")
    /// Financial years from August: `yyyyAug` (2.43+).
    public static let financialAugust = PeriodType(rawValue: "FinancialAug")
    /// Financial years from September: `yyyySep` (2.42+).
    public static let financialSeptember = PeriodType(rawValue: "FinancialSep")
    /// Financial years from October: `yyyyOct`.
    public static let financialOctober = PeriodType(rawValue: "FinancialOct")
    /// Financial years from November: `yyyyNov`.
    public static let financialNovember = PeriodType(rawValue: "FinancialNov")

    /// Every type with an ISO period format that this library can parse, format and step, shortest first.
    public static let allWithISOFormat: [PeriodType] = PeriodType.definitions.map(\.type)

    /// DHIS2's ISO format pattern (`"yyyyMM"`, `"yyyyWn"`, `"yyyyAprilSn"`, …), `nil` for a type without one.
    public var isoFormat: String? { definition?.isoFormat }

    /// DHIS2's ISO-8601 duration of one period (`"P1D"`, `"P7D"`, `"P1M"`, `"P1Y"`, …), when known.
    public var isoDuration: String? {
        if self == .twoYearly { return "P2Y" }
        return definition?.isoDuration
    }

    /// DHIS2's frequency order: the approximate length in days (Daily 1, Weekly 7, Monthly 30, Yearly 365, …);
    /// lower is more frequent. `nil` for a type this library does not know.
    public var frequencyOrder: Int? {
        if self == .twoYearly { return 730 }
        return definition?.frequencyOrder
    }

    /// The oldest API version whose OpenAPI document lists this type (`.v41` for types older than the supported
    /// range), `nil` for a type this library does not know.
    public var introducedIn: APIVersion? {
        if self == .twoYearly { return .v41 }
        return definition?.introducedIn
    }

    /// Whether this is one of the financial-year types (`FinancialApril`, `FinancialOct`, …).
    public var isFinancialYear: Bool {
        if case .months(length: 12, let anchor, _, _)? = definition?.kind { return anchor != 1 }
        return false
    }

    var definition: Definition? { PeriodType.definitionsByName[rawValue] }

    /// How a period type's periods are laid out.
    enum Kind: Sendable {
        /// One day.
        case daily
        /// Seven days starting on `startWeekday` (1 = Monday … 7 = Sunday), labelled `yyyy<infix>n`.
        case weekly(startWeekday: Int, infix: String)
        /// Two ISO weeks: an odd week and the week after it.
        case biWeekly
        /// `length` months; a labelled year starts at month `anchor` of the year `yearOffset` from the label
        /// (QuarterlyNov and SixMonthlyNov label a cycle by the year it ends in: offset -1).
        case months(length: Int, anchor: Int, yearOffset: Int, label: MonthLabel)
    }

    /// How a month-based period writes its number after the year.
    enum MonthLabel: Sendable {
        /// `yyyyMM`: the month, two digits.
        case month
        /// `yyyyMMB`: the bi-month number, two digits, then `B`.
        case biMonth
        /// `yyyy<infix>n`: one digit (quarter or half).
        case infix(String)
        /// `yyyy<suffix>`: one period per labelled year.
        case suffix(String)
    }

    struct Definition: Sendable {
        let type: PeriodType
        let isoFormat: String
        let isoDuration: String
        let frequencyOrder: Int
        let introducedIn: APIVersion
        let kind: Kind
    }

    static let definitions: [Definition] = [
        Definition(type: .daily, isoFormat: "yyyyMMdd", isoDuration: "P1D", frequencyOrder: 1, introducedIn: .v41,
            kind: .daily),
        Definition(type: .weekly, isoFormat: "yyyyWn", isoDuration: "P7D", frequencyOrder: 7, introducedIn: .v41,
            kind: .weekly(startWeekday: 1, infix: "W")),
        Definition(type: .weeklyWednesday, isoFormat: "yyyyWedWn", isoDuration: "P7D", frequencyOrder: 7,
            introducedIn: .v41, kind: .weekly(startWeekday: 3, infix: "WedW")),
        Definition(type: .weeklyThursday, isoFormat: "yyyyThuWn", isoDuration: "P7D", frequencyOrder: 7,
            introducedIn: .v41, kind: .weekly(startWeekday: 4, infix: "ThuW")),
        Definition(type: .weeklyFriday, isoFormat: "yyyyFriWn", isoDuration: "P7D", frequencyOrder: 7,
            introducedIn: .v43, kind: .weekly(startWeekday: 5, infix: "FriW")),
        Definition(type: .weeklySaturday, isoFormat: "yyyySatWn", isoDuration: "P7D", frequencyOrder: 7,
            introducedIn: .v41, kind: .weekly(startWeekday: 6, infix: "SatW")),
        Definition(type: .weeklySunday, isoFormat: "yyyySunWn", isoDuration: "P7D", frequencyOrder: 7,
            introducedIn: .v41, kind: .weekly(startWeekday: 7, infix: "SunW")),
        Definition(type: .biWeekly, isoFormat: "yyyyBiWn", isoDuration: "P14D", frequencyOrder: 14,
            introducedIn: .v41, kind: .biWeekly),
        Definition(type: .monthly, isoFormat: "yyyyMM", isoDuration: "P1M", frequencyOrder: 30, introducedIn: .v41,
            kind: .months(length: 1, anchor: 1, yearOffset: 0, label: .month)),
        Definition(type: .biMonthly, isoFormat: "yyyyMMB", isoDuration: "P2M", frequencyOrder: 61,
            introducedIn: .v41, kind: .months(length: 2, anchor: 1, yearOffset: 0, label: .biMonth)),
        Definition(type: .quarterly, isoFormat: "yyyyQn", isoDuration: "P3M", frequencyOrder: 91, introducedIn: .v41,
            kind: .months(length: 3, anchor: 1, yearOffset: 0, label: .infix("Q"))),
        Definition(type: .quarterlyNovember, isoFormat: "yyyyNovQn", isoDuration: "P3M", frequencyOrder: 91,
            introducedIn: .v41, kind: .months(length: 3, anchor: 11, yearOffset: -1, label: .infix("NovQ"))),
        Definition(type: .sixMonthly, isoFormat: "yyyySn", isoDuration: "P6M", frequencyOrder: 182,
            introducedIn: .v41, kind: .months(length: 6, anchor: 1, yearOffset: 0, label: .infix("S"))),
        Definition(type: .sixMonthlyApril, isoFormat: "yyyyAprilSn", isoDuration: "P6M", frequencyOrder: 182,
            introducedIn: .v41, kind: .months(length: 6, anchor: 4, yearOffset: 0, label: .infix("AprilS"))),
        Definition(type: .sixMonthlyNovember, isoFormat: "yyyyNovSn", isoDuration: "P6M", frequencyOrder: 182,
            introducedIn: .v41, kind: .months(length: 6, anchor: 11, yearOffset: -1, label: .infix("NovS"))),
        Definition(type: .yearly, isoFormat: "yyyy", isoDuration: "P1Y", frequencyOrder: 365, introducedIn: .v41,
            kind: .months(length: 12, anchor: 1, yearOffset: 0, label: .suffix(""))),
        Definition(type: .financialFebruary, isoFormat: "yyyyFeb", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v43, kind: .months(length: 12, anchor: 2, yearOffset: 0, label: .suffix("Feb"))),
        Definition(type: .financialApril, isoFormat: "yyyyApril", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v41, kind: .months(length: 12, anchor: 4, yearOffset: 0, label: .suffix("April"))),
        Definition(type: .financialJuly, isoFormat: "yyyyJuly", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v41, kind: .months(length: 12, anchor: 7, yearOffset: 0, label: .suffix("July"))),
        Definition(type: .financialAugust, isoFormat: "yyyyAug", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v43, kind: .months(length: 12, anchor: 8, yearOffset: 0, label: .suffix("Aug"))),
        Definition(type: .financialSeptember, isoFormat: "yyyySep", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v42, kind: .months(length: 12, anchor: 9, yearOffset: 0, label: .suffix("Sep"))),
        Definition(type: .financialOctober, isoFormat: "yyyyOct", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v41, kind: .months(length: 12, anchor: 10, yearOffset: 0, label: .suffix("Oct"))),
        Definition(type: .financialNovember, isoFormat: "yyyyNov", isoDuration: "P1Y", frequencyOrder: 365,
            introducedIn: .v41, kind: .months(length: 12, anchor: 11, yearOffset: 0, label: .suffix("Nov"))),
    ]

    static let definitionsByName: [String: Definition] = Dictionary(
        uniqueKeysWithValues: definitions.map { ($0.type.rawValue, $0) })

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        self.rawValue = try container.decode(String.self)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
