import DHIS2
import Foundation
import Testing

@Suite("Analytics query rendering")
struct AnalyticsQueryTests {
    private func pairs(_ query: AnalyticsQuery) -> [String] {
        query.queryItems.map { "\($0.name)=\($0.value ?? "")" }
    }

    @Test("Dimensions and filters render as DHIS2's dimension=id:item;item and filter= parameters, in order")
    func dimensionsAndFilters() throws {
        let query = AnalyticsQuery(
            dimensions: [
                .data([.dataElement("s46m5MS0hxu"), .indicator("Uvn6LCg7dVU")]),
                .period([.relative(.last12Months), .period(try #require(Period("2025Q4")))]),
            ],
            filters: [.orgUnit([.orgUnit("ImspTQPwCqd")])])
        #expect(
            pairs(query) == [
                "dimension=dx:s46m5MS0hxu;Uvn6LCg7dVU",
                "dimension=pe:LAST_12_MONTHS;2025Q4",
                "filter=ou:ImspTQPwCqd",
            ])
    }

    @Test("Typed data items render as operands, groups, reporting rates and program items")
    func dataItems() {
        let items: [AnalyticsDataItem] = [
            .operand(dataElement: "s46m5MS0hxu", categoryOptionCombo: "Prlt0C1RF0s"),
            .operand(dataElement: "s46m5MS0hxu", categoryOptionCombo: "Prlt0C1RF0s", attributeOptionCombo: "HllvX50cXC0"),
            .dataElementGroup("oDkJh5Ddh7d"),
            .indicatorGroup("oehv9EO3vP7"),
            .reportingRate("BfMAe6Itzgt"),
            .reportingRate("BfMAe6Itzgt", .actualReportsOnTime),
            .programIndicator("tt54DiKuQ9c"),
            .programDataElement(program: "IpHINAT79UW", dataElement: "a3kGcGDCuk6"),
            .programAttribute(program: "IpHINAT79UW", attribute: "w75KJ2mc4zz"),
        ]
        #expect(
            AnalyticsDimension.data(items).rendered
                == "dx:s46m5MS0hxu.Prlt0C1RF0s;s46m5MS0hxu.Prlt0C1RF0s.HllvX50cXC0;DE_GROUP-oDkJh5Ddh7d;"
                + "IN_GROUP-oehv9EO3vP7;BfMAe6Itzgt.REPORTING_RATE;BfMAe6Itzgt.ACTUAL_REPORTS_ON_TIME;tt54DiKuQ9c;"
                + "IpHINAT79UW.a3kGcGDCuk6;IpHINAT79UW.w75KJ2mc4zz")
    }

    @Test("Org unit keywords, levels and groups render as DHIS2 spells them, boundary org units alongside")
    func orgUnitItems() {
        let dimension = AnalyticsDimension.orgUnit([
            .userOrgUnit, .userOrgUnitChildren, .userOrgUnitGrandchildren, .level(2), .level(UID("tTUf91fCytl")),
            .group("CXw2yu5fodb"), .orgUnit("ImspTQPwCqd"),
        ])
        #expect(
            dimension.rendered
                == "ou:USER_ORGUNIT;USER_ORGUNIT_CHILDREN;USER_ORGUNIT_GRANDCHILDREN;LEVEL-2;LEVEL-tTUf91fCytl;"
                + "OU_GROUP-CXw2yu5fodb;ImspTQPwCqd")
    }

    @Test("Dimensions without items mean all items; periods and relative periods have shortcuts")
    func dimensionShortcuts() throws {
        #expect(AnalyticsDimension.categoryOptionCombos().rendered == "co")
        #expect(AnalyticsDimension.categoryOptionCombos(["Prlt0C1RF0s"]).rendered == "co:Prlt0C1RF0s")
        #expect(AnalyticsDimension.attributeOptionCombos().rendered == "ao")
        #expect(AnalyticsDimension.dimension("J5jldMd8OHv").rendered == "J5jldMd8OHv")
        #expect(AnalyticsDimension.dimension("J5jldMd8OHv", items: ["CXw2yu5fodb"]).rendered == "J5jldMd8OHv:CXw2yu5fodb")
        let months = try #require(Period("2026Q1")).periods(of: .monthly)
        #expect(AnalyticsDimension.periods(months).rendered == "pe:202601;202602;202603")
        #expect(AnalyticsDimension.periods([RelativePeriod.thisYear, .lastYear]).rendered == "pe:THIS_YEAR;LAST_YEAR")
    }

    @Test("Every option renders with DHIS2's parameter name and value; unset options are not sent")
    func options() throws {
        var query = AnalyticsQuery(dimensions: [.data([.dataElement("s46m5MS0hxu")])])
        #expect(pairs(query) == ["dimension=dx:s46m5MS0hxu"])
        query.aggregationType = .averageSumOrgUnit
        query.measureCriteria = [.init(.greaterOrEqual, 10), .init(.lessThan, 100.5)]
        query.preAggregationMeasureCriteria = [.init(.greaterThan, 0)]
        query.startDate = CalendarDate(year: 2025, month: 1, day: 1)
        query.endDate = CalendarDate(year: 2025, month: 12, day: 31)
        query.skipMeta = true
        query.skipData = false
        query.skipRounding = true
        query.hierarchyMeta = true
        query.showHierarchy = true
        query.includeNumDen = true
        query.includeMetadataDetails = true
        query.displayProperty = .shortname
        query.outputIdScheme = .code
        query.outputOrgUnitIdScheme = .name
        query.outputDataElementIdScheme = .attribute("UKNKz1H10EE")
        query.outputDataItemIdScheme = .uid
        query.inputIdScheme = .code
        query.relativePeriodDate = CalendarDate(year: 2022, month: 1, day: 1)
        query.userOrgUnits = ["ImspTQPwCqd", "O6uvpzGd5pu"]
        query.userOrgUnitType = .dataOutput
        query.approvalLevel = "rImhZS2EMWF"
        query.order = .desc
        query.ignoreLimit = true
        query.completedOnly = false
        query.timeField = "LAST_UPDATED"
        query.orgUnitField = "ENROLLMENT_OU"
        query.additionalParameters = [URLQueryItem(name: "tableLayout", value: "false")]
        #expect(
            pairs(query) == [
                "dimension=dx:s46m5MS0hxu",
                "aggregationType=AVERAGE_SUM_ORG_UNIT",
                "measureCriteria=GE:10;LT:100.5",
                "preAggregationMeasureCriteria=GT:0",
                "startDate=2025-01-01",
                "endDate=2025-12-31",
                "skipMeta=true",
                "skipData=false",
                "skipRounding=true",
                "hierarchyMeta=true",
                "showHierarchy=true",
                "includeNumDen=true",
                "includeMetadataDetails=true",
                "displayProperty=SHORTNAME",
                "outputIdScheme=CODE",
                "outputOrgUnitIdScheme=NAME",
                "outputDataElementIdScheme=ATTRIBUTE:UKNKz1H10EE",
                "outputDataItemIdScheme=UID",
                "inputIdScheme=CODE",
                "relativePeriodDate=2022-01-01",
                "userOrgUnit=ImspTQPwCqd;O6uvpzGd5pu",
                "userOrgUnitType=DATA_OUTPUT",
                "approvalLevel=rImhZS2EMWF",
                "order=DESC",
                "ignoreLimit=true",
                "completedOnly=false",
                "timeField=LAST_UPDATED",
                "orgUnitField=ENROLLMENT_OU",
                "tableLayout=false",
            ])
    }

    @Test("Every parameter the query sends is a parameter of /api/analytics in the real OpenAPI documents")
    func parametersExistInOpenAPI() throws {
        let folder = AnalyticsReference.directory
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent("openapi").path) else {
            if ProcessInfo.processInfo.environment["CI"] != nil {
                Issue.record("DHIS2 reference documents are required on CI (\(folder.path))")
            }
            return
        }
        var query = AnalyticsQuery(dimensions: [.data([.dataElement("s46m5MS0hxu")])], filters: [.period([.relative(.thisYear)])])
        query.aggregationType = .sum
        query.measureCriteria = [.init(.equal, 1)]
        query.preAggregationMeasureCriteria = [.init(.equal, 1)]
        query.startDate = CalendarDate(year: 2025, month: 1, day: 1)
        query.endDate = CalendarDate(year: 2025, month: 1, day: 2)
        query.skipMeta = true
        query.skipData = true
        query.skipRounding = true
        query.hierarchyMeta = true
        query.showHierarchy = true
        query.includeNumDen = true
        query.includeMetadataDetails = true
        query.displayProperty = .name
        query.outputIdScheme = .uid
        query.outputOrgUnitIdScheme = .uid
        query.outputDataElementIdScheme = .uid
        query.outputDataItemIdScheme = .uid
        query.inputIdScheme = .uid
        query.relativePeriodDate = CalendarDate(year: 2025, month: 1, day: 1)
        query.userOrgUnits = ["ImspTQPwCqd"]
        query.userOrgUnitType = .dataOutput
        query.approvalLevel = "rImhZS2EMWF"
        query.order = .asc
        query.ignoreLimit = true
        query.completedOnly = true
        query.timeField = "x"
        query.orgUnitField = "y"
        let sent = Set(query.queryItems.map(\.name))
        for version in ["v42", "v43", "v44"] {
            let url = folder.appendingPathComponent("openapi/\(version).json")
            let document = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any]
            for path in ["/api/analytics", "/api/analytics/rawData.json", "/api/analytics/dataValueSet.json"] {
                let operation = ((document?["paths"] as? [String: Any])?[path] as? [String: Any])?["get"] as? [String: Any]
                let names = Set(((operation?["parameters"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String })
                #expect(!names.isEmpty, "\(version) \(path) is documented")
                #expect(sent.subtracting(names).isEmpty, "\(version) \(path) lacks \(sent.subtracting(names))")
            }
        }
    }

    @Test("Measure criteria write whole numbers without a fraction")
    func measureCriteria() {
        #expect(AnalyticsMeasureCriterion(.lessOrEqual, 5).rendered == "LE:5")
        #expect(AnalyticsMeasureCriterion(.equal, -2.25).rendered == "EQ:-2.25")
    }

    @Test("rawData and dataValueSet always carry a file suffix; the aggregated endpoint only for non-JSON formats")
    func endpointPaths() {
        #expect(AnalyticsEndpoint.aggregated.path(.json) == "/api/analytics")
        #expect(AnalyticsEndpoint.aggregated.path(.csv) == "/api/analytics.csv")
        #expect(AnalyticsEndpoint.aggregated.path(.xlsx) == "/api/analytics.xlsx")
        #expect(AnalyticsEndpoint.rawData.path(.json) == "/api/analytics/rawData.json")
        #expect(AnalyticsEndpoint.rawData.path(.csv) == "/api/analytics/rawData.csv")
        #expect(AnalyticsEndpoint.dataValueSet.path(.json) == "/api/analytics/dataValueSet.json")
        #expect(AnalyticsEndpoint.dataValueSet.path(.xml) == "/api/analytics/dataValueSet.xml")
    }
}

/// Where the real DHIS2 reference documents are: `DHIS2_REFERENCE_DIR`, else `../shared/dhis2` next to the repository.
enum AnalyticsReference {
    static var directory: URL {
        if let override = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !override.isEmpty {
            return URL(fileURLWithPath: override, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("../shared/dhis2", isDirectory: true).standardized
    }
}
