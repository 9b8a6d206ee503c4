/// A DHIS2 period: a span of days of one ``PeriodType``, written in DHIS2's ISO format (`202603`, `2026W5`,
/// `2026Q1`, `2025April`, …).
///
/// Parsing is strict: the year is four digits, numbers must exist (`202613`, `2026Q5`, `2025W53` and `20250229` are
/// rejected) and nothing may follow. Like DHIS2, the dashed forms `2026-03-15` (Daily) and `2026-03` (Monthly) and a
/// zero-padded week number (`2026W05`) are accepted; ``isoString`` always gives the canonical form.
///
/// Facts from dhis2-core `org.hisp.dhis.period`: weeks are week-based-year weeks with at least four days in the year
/// (for every start day, week 1 is the week containing 4 January), numbers are not zero-padded. A bi-week is an odd
/// ISO week and the week after it; in a year with 53 ISO weeks, DHIS2's bi-week 27 (week 53 and the next year's
/// week 1) overlaps the next year's bi-week 1 — kept here as DHIS2 has it. Financial years and `AprilS` half years
/// are labelled by the year they start in (`2025April` is April 2025–March 2026); `NovQ` quarters and `NovS` halves
/// by the year they end in (`2026NovQ1` is November 2025–January 2026).
public struct Period: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The period's type.
    public let type: PeriodType
    /// The first day of the period.
    public let startDate: CalendarDate
    /// The last day of the period (inclusive).
    public let endDate: CalendarDate
    /// The canonical ISO form, e.g. `"202603"`.
    public let isoString: String

    /// Parses a DHIS2 ISO period, inferring its type; `nil` when `isoString` is not a valid period.
    public init?(_ isoString: some StringProtocol) {
        guard let period = PeriodParser.parse(Array(isoString.utf8)) else { return nil }
        self = period
    }

    /// Parses a DHIS2 ISO period, throwing ``DHIS2Error`` (`invalidRequest`) that names the value and the accepted
    /// formats when it is not one.
    public init(validating isoString: String) throws(DHIS2Error) {
        guard let period = Period(isoString) else { throw Period.invalid(isoString) }
        self = period
    }

    /// The period of `type` that contains `date`; `nil` only for a type without ISO periods (``PeriodType/twoYearly``
    /// or a name this library does not know).
    public init?(containing date: CalendarDate, type: PeriodType) {
        guard let definition = type.definition else { return nil }
        self = Period.containing(date, definition)
    }

    init(type: PeriodType, startDate: CalendarDate, endDate: CalendarDate, isoString: String) {
        self.type = type
        self.startDate = startDate
        self.endDate = endDate
        self.isoString = isoString
    }

    public var description: String { isoString }

    /// The number of days in the period.
    public var dayCount: Int { startDate.days(to: endDate) + 1 }

    /// Whether `date` lies within the period (both ends included).
    public func contains(_ date: CalendarDate) -> Bool { startDate <= date && date <= endDate }

    /// Whether every day of `other` lies within this period.
    public func contains(_ other: Period) -> Bool { startDate <= other.startDate && other.endDate <= endDate }

    /// Whether the two periods share at least one day.
    public func overlaps(_ other: Period) -> Bool { startDate <= other.endDate && other.startDate <= endDate }

    /// The period of the same type that follows this one (the one containing the day after ``endDate``).
    public var next: Period { advanced(by: 1) }

    /// The period of the same type before this one (the one containing the day before ``startDate``).
    public var previous: Period { advanced(by: -1) }

    /// The period `count` steps later (negative: earlier) of the same type.
    ///
    /// Stepping is exact for every type; at the limits of years 1–9999 it stops at the first or last period.
    public func advanced(by count: Int) -> Period {
        guard count != 0, let definition = type.definition else { return self }
        switch definition.kind {
        case .daily:
            return Period.containing(startDate.adding(days: count), definition)
        case .weekly:
            return Period.containing(startDate.adding(days: 7 * count), definition)
        case .months(let length, _, _, _):
            return Period.containing(startDate.adding(months: length * count), definition)
        case .biWeekly:
            // Step one at a time: DHIS2's overlapping bi-week 27 makes the distance between bi-weeks irregular.
            var period = self
            for _ in 0..<abs(count) {
                let day = count > 0 ? period.endDate.adding(days: 1) : period.startDate.adding(days: -1)
                period = Period.containing(day, definition)
            }
            return period
        }
    }

    /// The periods of `type` that lie wholly within this period, in order (the months of a quarter, the weeks
    /// starting and ending inside a month, …); empty when none fits or `type` has no ISO periods.
    public func periods(of type: PeriodType) -> [Period] {
        guard var period = Period(containing: startDate, type: type) else { return [] }
        var result: [Period] = []
        while period.startDate <= endDate {
            if contains(period) { result.append(period) }
            let following = period.next
            guard following.startDate > period.startDate else { break }
            period = following
        }
        return result
    }

    /// Orders by start date, then end date, then type name.
    public static func < (lhs: Period, rhs: Period) -> Bool {
        if lhs.startDate != rhs.startDate { return lhs.startDate < rhs.startDate }
        if lhs.endDate != rhs.endDate { return lhs.endDate < rhs.endDate }
        return lhs.type.rawValue < rhs.type.rawValue
    }

    public static func == (lhs: Period, rhs: Period) -> Bool {
        lhs.type == rhs.type && lhs.startDate == rhs.startDate && lhs.endDate == rhs.endDate
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(type)
        hasher.combine(startDate)
        hasher.combine(endDate)
    }

    /// Decodes from the ISO string (`"202603"`).
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let period = Period(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: Period.invalid(text).message)
        }
        self = period
    }

    /// Encodes as the ISO string.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(isoString)
    }

    static func invalid(_ text: String) -> DHIS2Error {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return DHIS2Error(
            code: .invalidRequest,
            message: "\"\(shown)\" is not a DHIS2 ISO period. Valid examples: 20260315 (Daily), 2026W5 (Weekly), "
                + "2026SunW5 (WeeklySunday), 2026BiW3 (BiWeekly), 202603 (Monthly), 202601B (BiMonthly), "
                + "2026Q1 (Quarterly), 2026NovQ1 (QuarterlyNov), 2026S1 (SixMonthly), 2026AprilS1 (SixMonthlyApril), "
                + "2026NovS1 (SixMonthlyNov), 2026 (Yearly), 2026April / 2026July / 2026Oct (financial years).")
    }

    // MARK: - Building periods

    static func containing(_ date: CalendarDate, _ definition: PeriodType.Definition) -> Period {
        switch definition.kind {
        case .daily:
            return day(date, definition.type)
        case .weekly(let startWeekday, let infix):
            return week(startingOn: weekStart(date, startWeekday), startWeekday, infix, definition.type)
        case .biWeekly:
            let monday = weekStart(date, 1)
            let (_, isoWeek) = weekNumber(monday, 1)
            return biWeek(startingOn: isoWeek % 2 == 1 ? monday : monday.adding(days: -7), definition.type)
        case .months(let length, let anchor, let yearOffset, let label):
            let monthIndex = date.year * 12 + (date.month - 1)
            let startIndex = floorDivide(monthIndex - (anchor - 1), length) * length + (anchor - 1)
            return months(startIndex: startIndex, length, anchor, yearOffset, label, definition.type)
        }
    }

    static func day(_ date: CalendarDate, _ type: PeriodType) -> Period {
        let iso = PeriodText.pad(date.year, 4) + PeriodText.pad(date.month, 2) + PeriodText.pad(date.day, 2)
        return Period(type: type, startDate: date, endDate: date, isoString: iso)
    }

    static func week(startingOn start: CalendarDate, _ startWeekday: Int, _ infix: String, _ type: PeriodType)
        -> Period
    {
        let (year, number) = weekNumber(start, startWeekday)
        return Period(
            type: type, startDate: start, endDate: start.adding(days: 6),
            isoString: PeriodText.pad(year, 4) + infix + String(number))
    }

    static func biWeek(startingOn monday: CalendarDate, _ type: PeriodType) -> Period {
        let (year, isoWeek) = weekNumber(monday, 1)
        return Period(
            type: type, startDate: monday, endDate: monday.adding(days: 13),
            isoString: PeriodText.pad(year, 4) + "BiW" + String(isoWeek / 2 + 1))
    }

    static func months(
        startIndex: Int, _ length: Int, _ anchor: Int, _ yearOffset: Int, _ label: PeriodType.MonthLabel,
        _ type: PeriodType
    ) -> Period {
        let clampedStart = min(max(startIndex, 12), 9999 * 12 + 12 - length)
        let start = CalendarDate(unchecked: clampedStart / 12, clampedStart % 12 + 1, 1)
        let endIndex = clampedStart + length - 1
        let endYear = endIndex / 12
        let endMonth = endIndex % 12 + 1
        let end = CalendarDate(unchecked: endYear, endMonth, CalendarDate.daysInMonth(year: endYear, month: endMonth))
        let labelYear = floorDivide(clampedStart - (anchor - 1), 12) - yearOffset
        let number = (clampedStart - ((labelYear + yearOffset) * 12 + anchor - 1)) / length + 1
        let year = PeriodText.pad(labelYear, 4)
        let iso: String
        switch label {
        case .month: iso = year + PeriodText.pad(number, 2)
        case .biMonth: iso = year + PeriodText.pad(number, 2) + "B"
        case .infix(let infix): iso = year + infix + String(number)
        case .suffix(let suffix): iso = year + suffix
        }
        return Period(type: type, startDate: start, endDate: end, isoString: iso)
    }

    /// The most recent `startWeekday` (1 = Monday … 7 = Sunday) on or before `date`.
    static func weekStart(_ date: CalendarDate, _ startWeekday: Int) -> CalendarDate {
        date.adding(days: -((date.weekday - startWeekday + 7) % 7))
    }

    /// The first day of week 1 of week-based `year` for weeks starting on `startWeekday`: the week containing
    /// 4 January (the first week with at least four days in the year).
    static func firstWeekStart(_ year: Int, _ startWeekday: Int) -> CalendarDate {
        weekStart(CalendarDate(unchecked: year, 1, 4), startWeekday)
    }

    /// The number of weeks in week-based `year` for weeks starting on `startWeekday` (52 or 53).
    static func weeksInYear(_ year: Int, _ startWeekday: Int) -> Int {
        guard year < 9999 else { return 52 }
        return firstWeekStart(year, startWeekday).days(to: firstWeekStart(year + 1, startWeekday)) / 7
    }

    /// The week-based year and week number of the week starting at `start`.
    static func weekNumber(_ start: CalendarDate, _ startWeekday: Int) -> (year: Int, week: Int) {
        // A week belongs to the year holding at least four of its days, i.e. the year of its fourth day.
        let year = start.adding(days: 3).year
        return (year, firstWeekStart(year, startWeekday).days(to: start) / 7 + 1)
    }

    static func floorDivide(_ a: Int, _ b: Int) -> Int {
        let quotient = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
    }
}

/// The strict parser behind ``Period/init(_:)``.
enum PeriodParser {
    static func parse(_ bytes: [UInt8]) -> Period? {
        guard bytes.count >= 4, bytes.count <= 16, let year = PeriodText.number(bytes[0..<4]), year >= 1 else {
            return nil
        }
        let rest = bytes[4...]
        if rest.isEmpty { return monthly(year, 1, .yearly) }
        if let digits = PeriodText.number(rest) {
            switch rest.count {
            case 2: return monthly(year, digits, .monthly)
            case 4: return daily(year, digits / 100, digits % 100)
            default: return nil
            }
        }
        // DHIS2 also accepts yyyy-MM (Monthly) and yyyy-MM-dd (Daily).
        if rest.first == UInt8(ascii: "-") {
            if rest.count == 3, let month = PeriodText.number(rest.dropFirst()) {
                return monthly(year, month, .monthly)
            }
            if rest.count == 6, rest[rest.startIndex + 3] == UInt8(ascii: "-"),
                let month = PeriodText.number(rest.dropFirst().prefix(2)),
                let day = PeriodText.number(rest.suffix(2))
            {
                return daily(year, month, day)
            }
            return nil
        }
        if rest.count == 3, rest.last == UInt8(ascii: "B"), let number = PeriodText.number(rest.prefix(2)) {
            return monthly(year, number, .biMonthly)
        }
        for definition in PeriodType.definitions {
            switch definition.kind {
            case .daily:
                continue
            case .weekly(let startWeekday, let infix):
                guard let number = number(after: infix, in: rest, maxDigits: 2),
                    (1...Period.weeksInYear(year, startWeekday)).contains(number)
                else { continue }
                let start = Period.firstWeekStart(year, startWeekday).adding(days: 7 * (number - 1))
                return Period.week(startingOn: start, startWeekday, infix, definition.type)
            case .biWeekly:
                guard let number = number(after: "BiW", in: rest, maxDigits: 2), number >= 1,
                    2 * number - 1 <= Period.weeksInYear(year, 1)
                else { continue }
                return Period.biWeek(
                    startingOn: Period.firstWeekStart(year, 1).adding(days: 14 * (number - 1)), definition.type)
            case .months(_, _, _, .infix(let infix)):
                guard let number = number(after: infix, in: rest, maxDigits: 1) else { continue }
                return monthly(year, number, definition.type)
            case .months(_, _, _, .suffix(let suffix)):
                guard !suffix.isEmpty, rest.elementsEqual(suffix.utf8) else { continue }
                return monthly(year, 1, definition.type)
            case .months:
                continue
            }
        }
        return nil
    }

    /// The number after `prefix` when `bytes` is exactly `prefix` followed by 1…`maxDigits` digits.
    static func number(after prefix: String, in bytes: ArraySlice<UInt8>, maxDigits: Int) -> Int? {
        let prefixBytes = prefix.utf8
        guard bytes.count > prefixBytes.count, bytes.count <= prefixBytes.count + maxDigits,
            bytes.starts(with: prefixBytes)
        else { return nil }
        return PeriodText.number(bytes.dropFirst(prefixBytes.count))
    }

    static func daily(_ year: Int, _ month: Int, _ day: Int) -> Period? {
        guard let date = CalendarDate(year: year, month: month, day: day) else { return nil }
        return Period.day(date, .daily)
    }

    /// The `number`-th period (1-based) of the labelled `year` of a month-based type.
    static func monthly(_ year: Int, _ number: Int, _ type: PeriodType) -> Period? {
        guard let definition = type.definition,
            case .months(let length, let anchor, let yearOffset, let label) = definition.kind,
            number >= 1, number <= 12 / length
        else { return nil }
        let startIndex = (year + yearOffset) * 12 + (anchor - 1) + (number - 1) * length
        let endIndex = startIndex + length - 1
        guard startIndex >= 12, endIndex / 12 <= 9999 else { return nil }
        return Period.months(startIndex: startIndex, length, anchor, yearOffset, label, type)
    }
}
