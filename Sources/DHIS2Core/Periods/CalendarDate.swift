import Foundation

/// A day in the ISO-8601 (proleptic Gregorian) calendar, without a time or a time zone: DHIS2's unit for periods,
/// `startDate`/`endDate` query parameters and data value dates.
///
/// Years run from 1 to 9999. The text form is `yyyy-MM-dd`.
public struct CalendarDate: Hashable, Comparable, Sendable, Codable, CustomStringConvertible {
    /// The year, 1–9999.
    public let year: Int
    /// The month, 1–12.
    public let month: Int
    /// The day of the month, 1–31.
    public let day: Int

    /// The date `year`-`month`-`day`, or `nil` when it does not exist (e.g. 2025-02-29) or the year is outside
    /// 1–9999.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month),
            day >= 1, day <= CalendarDate.daysInMonth(year: year, month: month)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `yyyy-MM-dd` (exactly four, two and two digits), returning `nil` for anything else or a day that
    /// does not exist.
    public init?(_ text: some StringProtocol) {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
            let year = PeriodText.number(bytes[0..<4]), let month = PeriodText.number(bytes[5..<7]),
            let day = PeriodText.number(bytes[8..<10])
        else { return nil }
        self.init(year: year, month: month, day: day)
    }

    /// The calendar day that `date` falls on in `timeZone` (default: UTC).
    public init(_ date: Date, in timeZone: TimeZone = TimeZone(identifier: "UTC") ?? .current) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let parts = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(dayNumber: CalendarDate.dayNumber(
            year: parts.year ?? 1970, month: parts.month ?? 1, day: parts.day ?? 1))
    }

    /// Today in `timeZone` (default: the system's time zone).
    public static func today(in timeZone: TimeZone = .current) -> CalendarDate {
        CalendarDate(Date(), in: timeZone)
    }

    /// The `yyyy-MM-dd` form.
    public var description: String {
        PeriodText.pad(year, 4) + "-" + PeriodText.pad(month, 2) + "-" + PeriodText.pad(day, 2)
    }

    /// The ISO day of the week: 1 = Monday … 7 = Sunday.
    public var weekday: Int {
        // 1970-01-01 (day number 0) was a Thursday (4).
        let index = (dayNumber + 3) % 7
        return (index < 0 ? index + 7 : index) + 1
    }

    /// The number of days since 1970-01-01 (negative before it).
    public var dayNumber: Int { CalendarDate.dayNumber(year: year, month: month, day: day) }

    /// The date with this day number (days since 1970-01-01). Years outside 1–9999 are clamped to that range.
    public init(dayNumber: Int) {
        // Howard Hinnant's civil_from_days.
        let z = dayNumber + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        if year < 1 {
            (self.year, self.month, self.day) = (1, 1, 1)
        } else if year > 9999 {
            (self.year, self.month, self.day) = (9999, 12, 31)
        } else {
            (self.year, self.month, self.day) = (year, month, day)
        }
    }

    /// This date moved by `days` days (negative moves back).
    public func adding(days: Int) -> CalendarDate { CalendarDate(dayNumber: dayNumber + days) }

    /// This date moved by `months` months, the day clamped to the target month's length (2025-03-31 minus one
    /// month is 2025-02-28), as DHIS2 (Joda-Time `minusMonths`) does.
    public func adding(months: Int) -> CalendarDate {
        let index = year * 12 + (month - 1) + months
        let newYear = index >= 0 ? index / 12 : (index - 11) / 12
        let newMonth = index - newYear * 12 + 1
        // Like init(dayNumber:), results outside 1–9999 clamp to the first or last day of that range.
        guard newYear >= 1 else { return CalendarDate(unchecked: 1, 1, 1) }
        guard newYear <= 9999 else { return CalendarDate(unchecked: 9999, 12, 31) }
        let newDay = min(day, CalendarDate.daysInMonth(year: newYear, month: newMonth))
        return CalendarDate(unchecked: newYear, newMonth, newDay)
    }

    /// This date moved by `years` years (2024-02-29 plus one year is 2025-02-28).
    public func adding(years: Int) -> CalendarDate { adding(months: years * 12) }

    /// The number of days from this date to `other` (positive when `other` is later).
    public func days(to other: CalendarDate) -> Int { other.dayNumber - dayNumber }

    /// Whether `year` has 29 February.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days in `month` of `year`.
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        // DHIS2 sometimes sends a timestamp where a date is meant ("2025-01-01T00:00:00.000"); the day is the date.
        let datePart = text.count > 10 && text.dropFirst(10).first == "T" ? text.prefix(10) : Substring(text)
        guard let date = CalendarDate(datePart) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a date (yyyy-MM-dd)")
        }
        self = date
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    init(unchecked year: Int, _ month: Int, _ day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    static func dayNumber(year: Int, month: Int, day: Int) -> Int {
        // Howard Hinnant's days_from_civil.
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = month > 2 ? month - 3 : month + 9
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Small helpers for the fixed-width digit fields of DHIS2's period and date formats.
enum PeriodText {
    /// The value of an all-ASCII-digit field, `nil` if any byte is not a digit or the field is empty.
    static func number(_ bytes: some Collection<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 9 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }

    /// `value` in decimal, left-padded with zeros to `width` digits.
    static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
