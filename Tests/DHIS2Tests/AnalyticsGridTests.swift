import DHIS2
import Foundation
import Testing

/// Grid shapes as DHIS2 sends them (reference §8.2: dimension headers TEXT/java.lang.String/meta, the measure
/// NUMBER/java.lang.Double, every cell a string, `rowContext` `{}`; no visibleWidth).
enum AnalyticsGridSamples {
    /// The §8.2 example: `dimension=dx:s46m5MS0hxu&dimension=pe:202501;202502&filter=ou:ImspTQPwCqd`.
    static let basic = #"""
        {
          "headers": [
            {"name": "dx", "column": "Data", "valueType": "TEXT", "type": "java.lang.String", "hidden": false, "meta": true},
            {"name": "pe", "column": "Period", "valueType": "TEXT", "type": "java.lang.String", "hidden": false, "meta": true},
            {"name": "value", "column": "Value", "valueType": "NUMBER", "type": "java.lang.Double", "hidden": false, "meta": false}
          ],
          "metaData": {
            "items": {
              "s46m5MS0hxu": {"name": "BCG doses given"},
              "202501": {"name": "January 2025"},
              "202502": {"name": "February 2025"},
              "ImspTQPwCqd": {"name": "Sierra Leone"},
              "dx": {"name": "Data"}, "pe": {"name": "Period"}, "ou": {"name": "Organisation unit"}
            },
            "dimensions": {"dx": ["s46m5MS0hxu"], "pe": ["202501", "202502"], "ou": ["ImspTQPwCqd"], "co": []}
          },
          "rowContext": {},
          "rows": [["s46m5MS0hxu", "202501", "4173"], ["s46m5MS0hxu", "202502", "3988.5"]],
          "width": 3, "height": 2, "headerWidth": 3
        }
        """#

    /// `includeNumDen=true`, `includeMetadataDetails=true`, `hierarchyMeta=true` with a relative period: an
    /// indicator row with numerator/denominator and a data element row where they are empty. The five extra
    /// columns are NUMBER headers, as dhis2-core's AnalyticsService adds them.
    static let detailed = #"""
        {"headers":[
          {"name":"dx","column":"Data","valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},
          {"name":"ou","column":"Organisation unit","valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},
          {"name":"value","column":"Value","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false},
          {"name":"numerator","column":"Numerator","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false},
          {"name":"denominator","column":"Denominator","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false},
          {"name":"factor","column":"Factor","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false},
          {"name":"multiplier","column":"Multiplier","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false},
          {"name":"divisor","column":"Divisor","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false}],
         "metaData":{
          "items":{
            "Uvn6LCg7dVU":{"uid":"Uvn6LCg7dVU","code":"IN_52486","name":"ANC 1 Coverage","dimensionItemType":"INDICATOR",
              "valueType":"NUMBER","totalAggregationType":"AVERAGE","indicatorType":{"name":"Per cent","displayName":"Per cent","factor":100,"number":false}},
            "s46m5MS0hxu":{"uid":"s46m5MS0hxu","code":"DE_359596","name":"BCG doses given","dimensionItemType":"DATA_ELEMENT",
              "valueType":"NUMBER","aggregationType":"SUM","totalAggregationType":"SUM"},
            "O6uvpzGd5pu":{"uid":"O6uvpzGd5pu","code":"OU_264","name":"Bo","dimensionItemType":"ORGANISATION_UNIT","valueType":"TEXT","totalAggregationType":"SUM"},
            "THIS_YEAR":{"name":"This year"},
            "2026":{"uid":"2026","code":"2026","name":"2026","dimensionItemType":"PERIOD","valueType":"TEXT","totalAggregationType":"SUM","startDate":"2026-01-01T00:00:00.000","endDate":"2026-12-31T00:00:00.000"},
            "dx":{"uid":"dx","name":"Data","dimensionType":"DATA_X"},
            "ou":{"uid":"ou","name":"Organisation unit","dimensionType":"ORGANISATION_UNIT"},
            "pe":{"uid":"pe","name":"Period","dimensionType":"PERIOD"}},
          "dimensions":{"dx":["Uvn6LCg7dVU","s46m5MS0hxu"],"pe":["2026"],"ou":["O6uvpzGd5pu"],"co":[]},
          "ouHierarchy":{"O6uvpzGd5pu":"/ImspTQPwCqd"}},
         "rowContext":{},
         "rows":[
          ["Uvn6LCg7dVU","O6uvpzGd5pu","101.3","4172.0","4118.4","100.0","100","1"],
          ["s46m5MS0hxu","O6uvpzGd5pu","4172","","","","",""]],
         "width":8,"height":2,"headerWidth":8}
        """#
}

@Suite("Analytics grid decoding")
struct AnalyticsGridTests {
    @Test("The documented grid decodes: headers, rows by header name, values typed by the header's valueType")
    func basicGrid() throws {
        let grid = try AnalyticsGrid(jsonBytes: Array(AnalyticsGridSamples.basic.utf8))
        #expect(grid.headerNames == ["dx", "pe", "value"])
        #expect(grid.rowCount == 2)
        #expect(grid.columnCount == 3)
        #expect(grid.width == 3 && grid.height == 2 && grid.headerWidth == 3)
        #expect(grid.headers[2].valueType == .number)
        #expect(grid.headers[0].meta == true)
        let first = grid.rows[0]
        #expect(first["dx"] == .text("s46m5MS0hxu"))
        #expect(first.string("pe") == "202501")
        #expect(first["value"] == .number(4173))
        #expect(first.value == 4173)
        #expect(first.int("value") == 4173)
        #expect(grid.rows[1].value == 3988.5)
        #expect(grid.rows[1].int("value") == nil)
        #expect(first["ou"] == nil, "ou was a filter, so there is no such column")
        #expect(grid.rows.map { $0.string("pe") ?? "" } == ["202501", "202502"])
        #expect(grid.rows.reduce(0) { $0 + ($1.value ?? 0) } == 8161.5)
        #expect(grid.otherMembers["rowContext"] == .object([:]))
    }

    @Test("The typed metaData gives item names, the resolved dimensions and the periods as Period values")
    func metaData() throws {
        let grid = try AnalyticsGrid(jsonBytes: Array(AnalyticsGridSamples.basic.utf8))
        let meta = try #require(grid.metaData)
        #expect(meta.name(of: "s46m5MS0hxu") == "BCG doses given")
        #expect(meta.name(of: "202502") == "February 2025")
        #expect(meta.name(of: "ou") == "Organisation unit")
        #expect(meta.dataItems == ["s46m5MS0hxu"])
        #expect(meta.orgUnits == ["ImspTQPwCqd"])
        #expect(meta.categoryOptionCombos.isEmpty)
        #expect(meta.periods.map(\.isoString) == ["202501", "202502"])
        #expect(meta.periods.first?.type == .monthly)
        #expect(meta.items(ofDimension: "J5jldMd8OHv").isEmpty)
    }

    @Test("includeNumDen columns and includeMetadataDetails items decode; empty cells are empty, not zero")
    func detailedGrid() throws {
        let grid = try AnalyticsGrid(jsonBytes: Array(AnalyticsGridSamples.detailed.utf8))
        let indicator = grid.rows[0]
        #expect(indicator.value == 101.3)
        #expect(indicator.double("numerator") == 4172)
        #expect(indicator.double("denominator") == 4118.4)
        #expect(indicator["multiplier"] == .number(100))
        #expect(indicator["divisor"] == .number(1))
        let element = grid.rows[1]
        #expect(element["numerator"] == .empty)
        #expect(element.double("numerator") == nil)
        #expect(element.strings == ["s46m5MS0hxu", "O6uvpzGd5pu", "4172", "", "", "", "", ""])
        let meta = try #require(grid.metaData)
        let item = try #require(meta.items["s46m5MS0hxu"])
        #expect(item.code == "DE_359596")
        #expect(item.uid == "s46m5MS0hxu")
        #expect(item.dimensionItemType == "DATA_ELEMENT")
        #expect(item.valueType == .number)
        #expect(item.aggregationType == .sum)
        #expect(meta.items["Uvn6LCg7dVU"]?.totalAggregationType == "AVERAGE")
        #expect(meta.items["Uvn6LCg7dVU"]?.properties["indicatorType"]?["factor"] == 100)
        #expect(meta.name(of: "THIS_YEAR") == "This year")
        #expect(meta.ouHierarchy == ["O6uvpzGd5pu": "/ImspTQPwCqd"])
    }

    @Test("skipMeta and skipData responses decode to a grid without metaData or rows")
    func skippedParts() throws {
        let noMeta = #"{"headers":[{"name":"dx","column":"Data","valueType":"TEXT","type":"java.lang.String","hidden":false,"meta":true},{"name":"value","column":"Value","valueType":"NUMBER","type":"java.lang.Double","hidden":false,"meta":false}],"rows":[["a","1"]],"width":2,"height":1,"headerWidth":2}"#
        let grid = try AnalyticsGrid(jsonBytes: Array(noMeta.utf8))
        #expect(grid.metaData == nil)
        #expect(grid.rows.first?.value == 1)
        let noData = #"{"headers":[],"metaData":{"items":{},"dimensions":{}},"rows":[],"width":0,"height":0,"headerWidth":0}"#
        let empty = try AnalyticsGrid(jsonBytes: Array(noData.utf8))
        #expect(empty.rowCount == 0)
        #expect(empty.rows.isEmpty)
        #expect(empty.metaData?.items.isEmpty == true)
    }

    @Test("Cells convert by value type: integers, Booleans, dates, text, and numbers sent unquoted")
    func valueTypes() throws {
        let json = #"""
            {"headers":[
              {"name":"i","valueType":"INTEGER_ZERO_OR_POSITIVE"},{"name":"b","valueType":"BOOLEAN"},
              {"name":"t","valueType":"TRUE_ONLY"},{"name":"d","valueType":"DATE"},{"name":"x","valueType":"LONG_TEXT"},
              {"name":"p","valueType":"PERCENTAGE"},{"name":"n","valueType":"NUMBER"}],
             "rows":[["12","true","1","2026-03-15","hello",null,3.5],
                     ["12.5","false","","2026-03-15T10:00:00.000","","abc",7]]}
            """#
        let grid = try AnalyticsGrid(jsonBytes: Array(json.utf8))
        let row = grid.rows[0]
        #expect(row["i"] == .integer(12))
        #expect(row["b"] == .boolean(true))
        #expect(row["t"] == .boolean(true))
        #expect(row["d"] == .date(try #require(CalendarDate("2026-03-15"))))
        #expect(row["x"] == .text("hello"))
        #expect(row["p"] == .empty)
        #expect(row["n"] == .number(3.5))
        let second = grid.rows[1]
        #expect(second["i"] == .number(12.5), "an average of integers keeps its fraction")
        #expect(second["b"] == .boolean(false))
        #expect(second["t"] == .empty)
        #expect(second["d"] == .date(try #require(CalendarDate("2026-03-15"))))
        #expect(second["x"] == .text(""))
        #expect(second["p"] == .text("abc"), "a cell that does not fit its type is kept as text")
        #expect(second.string("n") == "7")
        #expect(second[column: 6] == .number(7))
    }

    @Test("A body that is not a grid throws a decoding error")
    func malformed() {
        let samples = [
            "[]", #"{"headers":{}}"#, #"{"rows":[1]}"#, "not json",
            #"{"headers":[{"name":"a","valueType":"TEXT"}],"rows":[["x","y"]]}"#,
        ]
        for sample in samples {
            #expect(throws: DHIS2Error.self, "\(sample)") { try AnalyticsGrid(jsonBytes: Array(sample.utf8)) }
        }
        do {
            _ = try AnalyticsGrid(jsonBytes: Array(#"{"headers":[{"name":"a","valueType":"TEXT"}],"rows":[["x","y"]]}"#.utf8))
        } catch {
            #expect(error.code == .decoding)
            #expect(error.message.contains("row 0 has 2 cells"))
        }
    }

    @Test("A grid of 100,000 rows decodes with every row readable")
    func largeGrid() throws {
        var json = #"{"headers":[{"name":"dx","valueType":"TEXT"},{"name":"pe","valueType":"TEXT"},{"name":"ou","valueType":"TEXT"},{"name":"value","valueType":"NUMBER"}],"rows":["#
        for index in 0..<100_000 {
            if index > 0 { json += "," }
            json += #"["s46m5MS0hxu","2025\#(String(format: "%02d", index % 12 + 1))","ou\#(index)","\#(index)"]"#
        }
        json += #"],"width":4,"height":100000,"headerWidth":4}"#
        let grid = try AnalyticsGrid(jsonBytes: Array(json.utf8))
        #expect(grid.rowCount == 100_000)
        #expect(grid.rows[99_999].string("ou") == "ou99999")
        #expect(grid.rows[99_999].value == 99_999)
        #expect(grid.rows.reduce(0.0) { $0 + ($1.value ?? 0) } == 4_999_950_000)
    }
}
