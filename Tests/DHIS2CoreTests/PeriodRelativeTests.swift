import DHIS2Core
import Foundation
import Testing

@Suite("RelativePeriod")
struct PeriodRelativeTests {
    /// 2026-11-26, a Thursday in ISO week 48.
    let today = CalendarDate(year: 2026, month: 11, day: 26)

    private func resolve(
        _ keyword: RelativePeriod, on day: CalendarDate? = nil, financialYearStart: FinancialYearStart = .october
    ) throws -> [String] {
        let reference = try #require(day ?? today)
        return keyword.periods(relativeTo: reference, financialYearStart: financialYearStart).map(\.isoString)
    }

    private func months(_ from: String, count: Int) throws -> [String] {
        let first = try #require(Period(from))
        return (0..<count).map { first.advanced(by: $0).isoString }
    }

    @Test("The months, quarters and years keywords resolve as DHIS2 does, excluding the current period for LAST_n")
    func monthsQuartersYears() throws {
        #expect(try resolve(.thisMonth) == ["202611"])
        #expect(try resolve(.lastMonth) == ["202610"])
        #expect(try resolve(.last3Months) == ["202608", "202609", "202610"])
        #expect(try resolve(.last6Months) == months("202605", count: 6))
        #expect(try resolve(.last12Months) == months("202511", count: 12))
        #expect(try resolve(.thisBimonth) == ["202606B"])
        #expect(try resolve(.lastBimonth) == ["202605B"])
        #expect(try resolve(.last6BiMonths) == ["202506B", "202601B", "202602B", "202603B", "202604B", "202605B"])
        #expect(try resolve(.thisQuarter) == ["2026Q4"])
        #expect(try resolve(.lastQuarter) == ["2026Q3"])
        #expect(try resolve(.last4Quarters) == ["2025Q4", "2026Q1", "2026Q2", "2026Q3"])
        #expect(try resolve(.thisSixMonth) == ["2026S2"])
        #expect(try resolve(.lastSixMonth) == ["2026S1"])
        #expect(try resolve(.last2SixMonths) == ["2025S2", "2026S1"])
        #expect(try resolve(.thisYear) == ["2026"])
        #expect(try resolve(.lastYear) == ["2025"])
        #expect(try resolve(.last5Years) == ["2021", "2022", "2023", "2024", "2025"])
        #expect(try resolve(.last10Years) == (2016...2025).map(String.init))
        #expect(try resolve(.monthsThisYear) == months("202601", count: 12))
        #expect(try resolve(.biMonthsThisYear) == ["202601B", "202602B", "202603B", "202604B", "202605B", "202606B"])
        #expect(try resolve(.quartersThisYear) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"])
        #expect(try resolve(.monthsLastYear) == months("202501", count: 12))
        #expect(try resolve(.quartersLastYear) == ["2025Q1", "2025Q2", "2025Q3", "2025Q4"])
    }

    @Test("DHIS2's documented example: LAST_12_MONTHS on 2022-01-01 is 202101 … 202112")
    func documentedExample() throws {
        #expect(
            try resolve(.last12Months, on: CalendarDate(year: 2022, month: 1, day: 1)) == months("202101", count: 12))
    }

    @Test("Month steps clamp the day: LAST_MONTH on 31 March is February, LAST_YEAR on 29 February is last year")
    func clamping() throws {
        #expect(try resolve(.lastMonth, on: CalendarDate(year: 2024, month: 3, day: 31)) == ["202402"])
        #expect(try resolve(.lastQuarter, on: CalendarDate(year: 2024, month: 5, day: 31)) == ["2024Q1"])
        #expect(try resolve(.lastYear, on: CalendarDate(year: 2024, month: 2, day: 29)) == ["2023"])
        #expect(try resolve(.last4Quarters, on: CalendarDate(year: 2026, month: 1, day: 1)) == [
            "2025Q1", "2025Q2", "2025Q3", "2025Q4",
        ])
    }

    @Test("Week keywords use ISO weeks, across a 53-week year")
    func weeks() throws {
        #expect(try resolve(.thisWeek) == ["2026W48"])
        #expect(try resolve(.lastWeek) == ["2026W47"])
        #expect(try resolve(.last4Weeks) == ["2026W44", "2026W45", "2026W46", "2026W47"])
        let last12 = try resolve(.last12Weeks)
        #expect(last12.count == 12 && last12.first == "2026W36" && last12.last == "2026W47")
        let last52 = try resolve(.last52Weeks)
        #expect(last52.count == 52 && last52.first == "2025W48" && last52.last == "2026W47")
        #expect(Set(last52).count == 52)
        // WEEKS_THIS_YEAR keeps DHIS2's week count: Joda's weeks of the week-based year holding 1 January of the
        // year of week 1's Monday — 52 for 2026 (its W53 is left out), 53 for 2021 (running into 2022W1).
        let weeks2026 = try resolve(.weeksThisYear)
        #expect(weeks2026.count == 52 && weeks2026.first == "2026W1" && weeks2026.last == "2026W52")
        let weeks2021 = try resolve(.weeksThisYear, on: CalendarDate(year: 2021, month: 6, day: 1))
        #expect(weeks2021.count == 53 && weeks2021.first == "2021W1" && weeks2021.last == "2022W1")
        #expect(try resolve(.weeksThisYear, on: CalendarDate(year: 2025, month: 6, day: 1)).count == 52)
        #expect(try resolve(.weeksThisYear, on: CalendarDate(year: 2027, month: 6, day: 1)).last == "2028W1")
        // 2027-01-05 is in 2027W1: the week before is 2026W53.
        #expect(try resolve(.lastWeek, on: CalendarDate(year: 2027, month: 1, day: 5)) == ["2026W53"])
        #expect(try resolve(.thisWeek, on: CalendarDate(year: 2027, month: 1, day: 2)) == ["2026W53"])
    }

    @Test("Bi-week keywords follow DHIS2's two-week steps")
    func biWeeks() throws {
        #expect(try resolve(.thisBiWeek) == ["2026BiW24"])
        #expect(try resolve(.lastBiWeek) == ["2026BiW23"])
        #expect(try resolve(.last4BiWeeks) == ["2026BiW20", "2026BiW21", "2026BiW22", "2026BiW23"])
    }

    @Test("Day keywords end yesterday; TODAY is today")
    func days() throws {
        #expect(try resolve(.today) == ["20261126"])
        #expect(try resolve(.yesterday) == ["20261125"])
        #expect(try resolve(.last3Days) == ["20261123", "20261124", "20261125"])
        let last7 = try resolve(.last7Days)
        #expect(last7 == ["20261119", "20261120", "20261121", "20261122", "20261123", "20261124", "20261125"])
        #expect(try resolve(.last30Days).count == 30)
        #expect(try resolve(.last180Days).first == "20260530")
        #expect(try resolve(.last3Days, on: CalendarDate(year: 2024, month: 3, day: 2)) == [
            "20240228", "20240229", "20240301",
        ])
    }

    @Test("Financial year keywords follow the server's financial year start, October by default")
    func financialYears() throws {
        #expect(try resolve(.thisFinancialYear) == ["2026Oct"])
        #expect(try resolve(.lastFinancialYear) == ["2025Oct"])
        #expect(try resolve(.last5FinancialYears) == ["2021Oct", "2022Oct", "2023Oct", "2024Oct", "2025Oct"])
        #expect(try resolve(.last10FinancialYears).count == 10)
        #expect(try resolve(.last10FinancialYears).last == "2025Oct")
        #expect(try resolve(.thisFinancialYear, financialYearStart: .april) == ["2026April"])
        let march = try #require(CalendarDate(year: 2026, month: 3, day: 31))
        #expect(try resolve(.thisFinancialYear, on: march, financialYearStart: .april) == ["2025April"])
        #expect(try resolve(.lastFinancialYear, on: march, financialYearStart: .july) == ["2024July"])
        #expect(FinancialYearStart(settingValue: "FINANCIAL_YEAR_APRIL") == .april)
        #expect(FinancialYearStart(settingValue: "APRIL") == nil)
    }

    @Test("Every keyword of the OpenAPI RelativePeriodEnum is known, resolves, and reports its period type")
    func allKeywords() throws {
        #expect(RelativePeriod.allCases.count == 45)
        #expect(Set(RelativePeriod.allCases).count == 45)
        for keyword in RelativePeriod.allCases {
            let periods = keyword.periods(relativeTo: try #require(today))
            #expect(!periods.isEmpty, "\(keyword)")
            #expect(periods == periods.sorted(), "\(keyword) is oldest first")
            #expect(periods.allSatisfy { $0.type == keyword.periodType }, "\(keyword)")
            #expect(RelativePeriod(rawValue: keyword.rawValue) == keyword)
        }
        #expect(RelativePeriod(rawValue: "LAST_13_MONTHS") == nil)
        #expect(try JSONDecoder().decode(RelativePeriod.self, from: Data(#""THIS_YEAR""#.utf8)) == .thisYear)
    }

    // v41's OpenAPI document has no RelativePeriodEnum schema; v42–v44 list the same 45 keywords.
    @Test(
        "The keywords match the RelativePeriodEnum of the OpenAPI documents that define it",
        .enabled(
            if: EnvelopeReference.shouldRun,
            "DHIS2 reference documents not found (set DHIS2_REFERENCE_DIR or check out ../shared/dhis2); skipped"))
    func matchesOpenAPI() throws {
        for version in ["v42", "v43", "v44"] {
            let url = EnvelopeReference.directory.appendingPathComponent("openapi/\(version).json")
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
            let schemas = (document?["components"] as? [String: Any])?["schemas"] as? [String: Any]
            let values = try #require((schemas?["RelativePeriodEnum"] as? [String: Any])?["enum"] as? [String])
            #expect(values == RelativePeriod.allCases.map(\.rawValue), "\(version)")
        }
    }
}
