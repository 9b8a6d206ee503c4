import DHIS2Core
import Foundation
import Testing

private func date(_ text: String) throws -> CalendarDate {
    try #require(CalendarDate(text), "\(text) is not a date")
}

private func period(_ text: String) throws -> Period {
    try #require(Period(text), "\(text) should parse as a period")
}

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("Dates parse from and format to yyyy-MM-dd, rejecting days that do not exist")
    func parsesAndFormats() throws {
        let day = try date("2024-02-29")
        #expect(day.year == 2024 && day.month == 2 && day.day == 29)
        #expect(day.description == "2024-02-29")
        #expect(CalendarDate("2025-02-29") == nil)
        #expect(CalendarDate("2025-13-01") == nil)
        #expect(CalendarDate("2025-1-01") == nil)
        #expect(CalendarDate("2025-01-01T00:00") == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
    }

    @Test("Day arithmetic, weekdays and month arithmetic clamp like DHIS2")
    func arithmetic() throws {
        let day = try date("2026-11-26")
        #expect(day.weekday == 4)  // Thursday
        #expect(try date("2026-01-04").weekday == 7)
        #expect(day.adding(days: 36).description == "2027-01-01")
        #expect(day.adding(days: -330).description == "2025-12-31")
        #expect(try date("2024-03-31").adding(months: -1).description == "2024-02-29")
        #expect(try date("2025-03-31").adding(months: -1).description == "2025-02-28")
        #expect(try date("2024-02-29").adding(years: 1).description == "2025-02-28")
        #expect(try date("2025-01-31").adding(months: 13).description == "2026-02-28")
        #expect(try date("1970-01-01").dayNumber == 0)
        #expect(try date("2026-01-01").days(to: date("2027-01-01")) == 365)
    }

    @Test("Dates decode from JSON strings, also from DHIS2 timestamps, and encode as yyyy-MM-dd")
    func codable() throws {
        let decoded = try JSONDecoder().decode(
            [CalendarDate].self, from: Data(#"["2026-03-15","2026-03-16T00:00:00.000"]"#.utf8))
        #expect(decoded.map(\.description) == ["2026-03-15", "2026-03-16"])
        #expect(String(decoding: try JSONEncoder().encode(decoded[0]), as: UTF8.self) == #""2026-03-15""#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(CalendarDate.self, from: Data(#""2026-02-30""#.utf8)) }
    }
}

@Suite("Period")
struct PeriodTests {
    /// One example of every period type: ISO string, type, first day, last day.
    static let examples: [(String, PeriodType, String, String)] = [
        ("20260315", .daily, "2026-03-15", "2026-03-15"),
        ("2026W5", .weekly, "2026-01-26", "2026-02-01"),
        ("2026WedW1", .weeklyWednesday, "2025-12-31", "2026-01-06"),
        ("2026ThuW1", .weeklyThursday, "2026-01-01", "2026-01-07"),
        ("2026FriW1", .weeklyFriday, "2026-01-02", "2026-01-08"),
        ("2026SatW1", .weeklySaturday, "2026-01-03", "2026-01-09"),
        ("2026SunW5", .weeklySunday, "2026-02-01", "2026-02-07"),
        ("2026BiW3", .biWeekly, "2026-01-26", "2026-02-08"),
        ("202603", .monthly, "2026-03-01", "2026-03-31"),
        ("202601B", .biMonthly, "2026-01-01", "2026-02-28"),
        ("202606B", .biMonthly, "2026-11-01", "2026-12-31"),
        ("2026Q1", .quarterly, "2026-01-01", "2026-03-31"),
        ("2026NovQ1", .quarterlyNovember, "2025-11-01", "2026-01-31"),
        ("2026NovQ4", .quarterlyNovember, "2026-08-01", "2026-10-31"),
        ("2026S2", .sixMonthly, "2026-07-01", "2026-12-31"),
        ("2025AprilS1", .sixMonthlyApril, "2025-04-01", "2025-09-30"),
        ("2025AprilS2", .sixMonthlyApril, "2025-10-01", "2026-03-31"),
        ("2026NovS1", .sixMonthlyNovember, "2025-11-01", "2026-04-30"),
        ("2026NovS2", .sixMonthlyNovember, "2026-05-01", "2026-10-31"),
        ("2026", .yearly, "2026-01-01", "2026-12-31"),
        ("2025Feb", .financialFebruary, "2025-02-01", "2026-01-31"),
        ("2025April", .financialApril, "2025-04-01", "2026-03-31"),
        ("2025July", .financialJuly, "2025-07-01", "2026-06-30"),
        ("2025Aug", .financialAugust, "2025-08-01", "2026-07-31"),
        ("2025Sep", .financialSeptember, "2025-09-01", "2026-08-31"),
        ("2025Oct", .financialOctober, "2025-10-01", "2026-09-30"),
        ("2025Nov", .financialNovember, "2025-11-01", "2026-10-31"),
    ]

    @Test("Every period type parses to the right type and days, and formats back to the same string")
    func roundTripEveryType() throws {
        for (iso, type, start, end) in PeriodTests.examples {
            let parsed = try period(iso)
            #expect(parsed.type == type, "\(iso)")
            #expect(parsed.startDate.description == start, "\(iso)")
            #expect(parsed.endDate.description == end, "\(iso)")
            #expect(parsed.isoString == iso)
            #expect(parsed.description == iso)
            #expect(Period(containing: parsed.startDate, type: type) == parsed, "\(iso)")
            #expect(Period(containing: parsed.endDate, type: type) == parsed, "\(iso)")
            #expect(parsed.next.previous == parsed, "\(iso)")
            #expect(parsed.previous.next == parsed, "\(iso)")
            #expect(parsed.next.startDate == parsed.endDate.adding(days: 1), "\(iso)")
            #expect(type.isoFormat != nil)
        }
        let covered = Set(PeriodTests.examples.map(\.1))
        #expect(covered == Set(PeriodType.allWithISOFormat), "every type with an ISO format has an example")
    }

    @Test("Periods encode and decode as their ISO string")
    func codable() throws {
        let periods = try PeriodTests.examples.map { try period($0.0) }
        let data = try JSONEncoder().encode(periods)
        #expect(try JSONDecoder().decode([Period].self, from: data) == periods)
        #expect(String(decoding: try JSONEncoder().encode([try period("2026Q1")]), as: UTF8.self) == #"["2026Q1"]"#)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Period.self, from: Data(#""2026Q5""#.utf8)) }
    }

    @Test(
        "Strings that are not DHIS2 periods are rejected",
        arguments: [
            "", "2026 ", " 2026", "26", "202", "abcd", "２０２６", "2026W0", "2026W54", "2025W53", "2026W123",
            "202613", "202600", "2026-3", "2026-13", "2026Q0", "2026Q5", "2026Q11", "2026S3", "20250229", "20261301",
            "2026BiW0", "2026BiW28", "2025BiW27", "202607B", "202600B", "2026Apr", "2026april", "2026APRIL",
            "2026NovQ5", "2026AprilS3", "2026NovS0", "2026SunW", "2026Wed5", "2026-03-15x", "2026-03-32", "0000",
        ])
    func rejectsInvalid(_ text: String) {
        #expect(Period(text) == nil)
        #expect(throws: DHIS2Error.self) { try Period(validating: text) }
    }

    @Test("The throwing parser names the value and the accepted formats")
    func validatingError() {
        do {
            _ = try Period(validating: "2026Q7")
            Issue.record("2026Q7 was accepted")
        } catch {
            #expect(error.code == .invalidRequest)
            #expect(error.message.contains("\"2026Q7\""))
            #expect(error.message.contains("2026Q1 (Quarterly)"))
        }
    }

    @Test("Like DHIS2, dashed dates and months and zero-padded weeks parse, and format canonically")
    func lenientForms() throws {
        #expect(try period("2026-03-15").isoString == "20260315")
        #expect(try period("2026-03").isoString == "202603")
        #expect(try period("2026W05").isoString == "2026W5")
        #expect(try period("2026W05") == period("2026W5"))
    }

    @Test("ISO weeks: week 53 exists only in long years, and weeks belong to the year holding four of their days")
    func isoWeeks() throws {
        let week53 = try period("2026W53")
        #expect(week53.startDate.description == "2026-12-28")
        #expect(week53.endDate.description == "2027-01-03")
        #expect(week53.next.isoString == "2027W1")
        #expect(try period("2020W53").endDate.description == "2021-01-03")
        #expect(Period("2025W53") == nil)
        #expect(Period(containing: try date("2027-01-02"), type: .weekly)?.isoString == "2026W53")
        #expect(Period(containing: try date("2024-12-30"), type: .weekly)?.isoString == "2025W1")
        #expect(Period(containing: try date("2021-01-03"), type: .weekly)?.isoString == "2020W53")
        #expect(Period(containing: try date("2026-01-03"), type: .weeklySunday)?.isoString == "2025SunW53")
        #expect(try period("2026W1").startDate.description == "2025-12-29")
        #expect(try period("2026W1").previous.isoString == "2025W52")
    }

    @Test("Bi-weeks pair an odd ISO week with the next; DHIS2's bi-week 27 of a 53-week year overlaps bi-week 1")
    func biWeeks() throws {
        let last = try period("2026BiW27")
        #expect(last.startDate.description == "2026-12-28")
        #expect(last.endDate.description == "2027-01-10")
        let first = try period("2027BiW1")
        #expect(first.startDate.description == "2027-01-04")
        #expect(last.overlaps(first))
        #expect(last.next == first)
        #expect(first.previous == last)
        #expect(try period("2026BiW26").next == last)
        #expect(Period(containing: try date("2026-01-07"), type: .biWeekly)?.isoString == "2026BiW1")
        #expect(Period(containing: try date("2026-02-05"), type: .biWeekly)?.isoString == "2026BiW3")
        #expect(try period("2026BiW1").advanced(by: 27) == first)
        #expect(first.advanced(by: -27) == (try period("2026BiW1")))
    }

    @Test("Leap years: February and the year have the right length")
    func leapYears() throws {
        #expect(try period("202402").endDate.description == "2024-02-29")
        #expect(try period("202502").endDate.description == "2025-02-28")
        #expect(try period("2024").dayCount == 366)
        #expect(try period("2025").dayCount == 365)
        #expect(try period("20240229").startDate.description == "2024-02-29")
        #expect(try period("2023April").dayCount == 366)  // April 2023 – March 2024 holds 29 February
        #expect(try period("2100").dayCount == 365)
        #expect(try period("2000").dayCount == 366)
    }

    @Test("Financial years and April/November halves cross calendar years with DHIS2's labels")
    func financialYears() throws {
        #expect(Period(containing: try date("2026-01-15"), type: .financialApril)?.isoString == "2025April")
        #expect(Period(containing: try date("2026-04-01"), type: .financialApril)?.isoString == "2026April")
        #expect(Period(containing: try date("2026-11-26"), type: .financialOctober)?.isoString == "2026Oct")
        #expect(Period(containing: try date("2026-09-30"), type: .financialOctober)?.isoString == "2025Oct")
        #expect(Period(containing: try date("2026-12-01"), type: .quarterlyNovember)?.isoString == "2027NovQ1")
        #expect(Period(containing: try date("2026-01-31"), type: .sixMonthlyNovember)?.isoString == "2026NovS1")
        #expect(Period(containing: try date("2027-02-01"), type: .sixMonthlyApril)?.isoString == "2026AprilS2")
        #expect(try period("2025April").next.isoString == "2026April")
        #expect(try period("2026NovQ4").next.isoString == "2027NovQ1")
        #expect(try period("2025AprilS2").next.isoString == "2026AprilS1")
        #expect(PeriodType.financialApril.isFinancialYear)
        #expect(!PeriodType.yearly.isFinancialYear)
    }

    @Test("Stepping by many periods lands on the right period for every type")
    func advancing() throws {
        #expect(try period("202611").advanced(by: 14).isoString == "202801")
        #expect(try period("202611").advanced(by: -23).isoString == "202412")
        #expect(try period("2026Q4").advanced(by: 1).isoString == "2027Q1")
        #expect(try period("202606B").next.isoString == "202701B")
        #expect(try period("20261231").next.isoString == "20270101")
        #expect(try period("20240301").previous.isoString == "20240229")
        #expect(try period("2026W48").advanced(by: -52).isoString == "2025W48")
        #expect(try period("2026").advanced(by: -5).isoString == "2021")
        #expect(try period("2026S1").previous.isoString == "2025S2")
        for (iso, _, _, _) in PeriodTests.examples {
            let start = try period(iso)
            var stepped = start
            for _ in 0..<30 { stepped = stepped.next }
            #expect(start.advanced(by: 30) == stepped, "\(iso)")
            #expect(stepped.advanced(by: -30) == start, "\(iso)")
        }
    }

    @Test("Containment of dates and periods, and the periods of one type inside another")
    func containment() throws {
        let quarter = try period("2026Q1")
        #expect(quarter.contains(try date("2026-03-31")))
        #expect(!quarter.contains(try date("2026-04-01")))
        #expect(quarter.contains(try period("202602")))
        #expect(!quarter.contains(try period("2026W14")))  // 2026-03-30 … 2026-04-05
        #expect(quarter.overlaps(try period("2026W14")))
        #expect(quarter.periods(of: .monthly).map(\.isoString) == ["202601", "202602", "202603"])
        #expect(try period("2026").periods(of: .quarterly).map(\.isoString) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])
        #expect(try period("202602").periods(of: .weekly).map(\.isoString) == ["2026W6", "2026W7", "2026W8"])
        #expect(
            try period("2025April").periods(of: .quarterly).map(\.isoString)
                == ["2025Q2", "2025Q3", "2025Q4", "2026Q1"])
        #expect(try period("202602").periods(of: .daily).count == 28)
        #expect(try period("202602").periods(of: .yearly).isEmpty)
        #expect(quarter.periods(of: .twoYearly).isEmpty)
    }

    @Test("Periods order by start date; types without ISO periods cannot build one")
    func orderingAndUnknownTypes() throws {
        let sorted = try ["2026Q2", "202601", "2026", "20260101"].map(period).sorted()
        #expect(sorted.map(\.isoString) == ["20260101", "202601", "2026", "2026Q2"])
        #expect(Period(containing: try date("2026-01-01"), type: .twoYearly) == nil)
        #expect(Period(containing: try date("2026-01-01"), type: "Fortnightly") == nil)
        #expect(PeriodType(rawValue: "Monthly") == .monthly)
        #expect(PeriodType.monthly.isoFormat == "yyyyMM")
        #expect(PeriodType.weekly.frequencyOrder == 7)
        #expect(PeriodType.financialSeptember.introducedIn == .v42)
        #expect(PeriodType.weeklyFriday.introducedIn == .v43)
    }

    // v44's list also has "FinancialYearly", a name with no ISO format in dhis2-core's PeriodTypeEnum; left unknown.
    @Test(
        "The period type names and their first versions match DataSet.periodType in each OpenAPI document",
        .enabled(
            if: EnvelopeReference.shouldRun,
            "DHIS2 reference documents not found (set DHIS2_REFERENCE_DIR or check out ../shared/dhis2); skipped"),
        arguments: [APIVersion.v41, .v42, .v43, .v44])
    func matchesOpenAPI(version: APIVersion) throws {
        let url = EnvelopeReference.directory.appendingPathComponent("openapi/\(version.key).json")
        let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
        let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: Any]
        let dataSet = (schemas?["DataSet"] as? [String: Any])?["properties"] as? [String: Any]
        let names = try #require((dataSet?["periodType"] as? [String: Any])?["enum"] as? [String])
        let known = PeriodType.allWithISOFormat + [.twoYearly]
        let expected = Set(known.filter { ($0.introducedIn ?? .v44) <= version }.map(\.rawValue))
        #expect(Set(names).subtracting(["FinancialYearly"]) == expected)
    }
}
