import DHIS2Core
import Foundation
import Testing

@Suite("JSONValue")
struct JSONValueTests {
    private func parse(_ text: String) throws -> JSONValue { try JSONValue(parsing: Data(text.utf8)) }

    @Test("Every kind of JSON value decodes to its own case")
    func decodesEveryKind() throws {
        let value = try parse(#"[null, true, false, 0, -1.5, 3e2, "text", [], {}, [1, "a"], {"k": null}]"#)
        #expect(
            value
                == .array([
                    .null, .bool(true), .bool(false), .number(0), .number(-1.5), .number(300), .string("text"),
                    .array([]), .object([:]), .array([.number(1), .string("a")]), .object(["k": .null]),
                ]))
    }

    @Test("Booleans and numbers are not confused: true is not 1 and 1 is not true")
    func booleansAreNotNumbers() throws {
        #expect(try parse("[true, 1, 0, false]") == [.bool(true), .number(1), .number(0), .bool(false)])
        #expect(try parse(#""1""#) == .string("1"))
        #expect(try parse(#""true""#) == .string("true"))
    }

    @Test("Top-level scalars parse")
    func topLevelScalars() throws {
        #expect(try parse("42") == .number(42))
        #expect(try parse(#""pong""#) == .string("pong"))
        #expect(try parse("null") == .null)
        #expect(try parse("false") == .bool(false))
    }

    @Test("An empty or all-whitespace body parses as null", arguments: ["", " ", "\n", " \r\n\t "])
    func emptyBodyIsNull(_ text: String) throws {
        #expect(try parse(text) == .null)
        #expect(try parse(text).isNull)
    }

    @Test("Text that is not JSON throws", arguments: ["{", "pong", "[1,", "{\"a\" 1}", "<html></html>"])
    func invalidJSONThrows(_ text: String) {
        #expect(throws: (any Error).self) { try parse(text) }
    }

    @Test("Whole numbers are written back without a fraction, fractions are kept")
    func integersStayIntegers() throws {
        let value = try parse(#"{"count": 1, "ratio": 2.5, "negative": -3, "big": 1234567890123, "zero": 0, "float": 4.0}"#)
        let text = String(decoding: try value.jsonData(), as: UTF8.self)
        #expect(text == #"{"big":1234567890123,"count":1,"float":4,"negative":-3,"ratio":2.5,"zero":0}"#)
        #expect(JSONValue.number(7).description == "7")
        #expect(JSONValue.number(0.1).description == "0.1")
    }

    @Test("Subscripts reach into nested objects and arrays, and give nil for anything missing")
    func nestedSubscripts() throws {
        let value = try parse(#"{"dataElements": [{"id": "fbfJHSPpUQD", "groups": [{"name": "ANC"}]}], "pager": {"page": 1}}"#)
        #expect(value["dataElements"]?[0]?["id"]?.stringValue == "fbfJHSPpUQD")
        #expect(value["dataElements"]?[0]?["groups"]?[0]?["name"] == "ANC")
        #expect(value["pager"]?["page"]?.intValue == 1)
        #expect(value["missing"] == nil)
        #expect(value["dataElements"]?[1] == nil)
        #expect(value["dataElements"]?[-1] == nil)
        #expect(value["pager"]?[0] == nil)  // an object has no elements
        #expect(value["dataElements"]?["id"] == nil)  // an array has no members
        #expect(JSONValue.string("x")["a"] == nil)
    }

    @Test("Typed accessors return the value only for the matching kind")
    func typedAccessors() {
        #expect(JSONValue.string("a").stringValue == "a")
        #expect(JSONValue.number(1).stringValue == nil)
        #expect(JSONValue.number(2.5).doubleValue == 2.5)
        #expect(JSONValue.number(2.5).intValue == nil)
        #expect(JSONValue.number(3).intValue == 3)
        #expect(JSONValue.number(1e300).intValue == nil)
        #expect(JSONValue.string("3").intValue == nil)
        #expect(JSONValue.bool(true).boolValue == true)
        #expect(JSONValue.number(1).boolValue == nil)
        #expect(JSONValue.array([.null]).arrayValue == [.null])
        #expect(JSONValue.object(["a": .null]).arrayValue == nil)
        #expect(JSONValue.object(["a": .null]).objectValue == ["a": .null])
        #expect(JSONValue.null.isNull)
        #expect(!JSONValue.string("").isNull)
    }

    @Test("Literals build the same values as the cases")
    func literals() {
        let value: JSONValue = [
            "name": "ANC 1st visit", "count": 3, "ratio": 0.5, "active": true, "tags": ["a", 1], "none": nil,
        ]
        let expected = JSONValue.object([
            "name": .string("ANC 1st visit"), "count": .number(3), "ratio": .number(0.5), "active": .bool(true),
            "tags": .array([.string("a"), .number(1)]), "none": .null,
        ])
        #expect(value == expected)
    }

    @Test("A repeated key in a dictionary literal keeps the last value")
    func duplicateLiteralKey() {
        let value: JSONValue = ["a": 1, "a": 2]
        #expect(value == .object(["a": .number(2)]))
    }

    @Test("The description is compact JSON with sorted keys and unescaped slashes")
    func descriptionIsCompactSortedJSON() throws {
        let value = try parse(#"{ "b": 1, "a": [true, null, "x/y"], "c": {"z": 1, "y": 2} }"#)
        #expect(value.description == #"{"a":[true,null,"x/y"],"b":1,"c":{"y":2,"z":1}}"#)
        #expect("\(value)" == value.description)
        #expect(JSONValue.null.description == "null")
        #expect(JSONValue.string("quote \" here").description == #""quote \" here""#)
    }

    @Test("Pretty-printed output spans lines and parses back to the same value")
    func prettyPrinted() throws {
        let value: JSONValue = ["b": [1, 2], "a": "x"]
        let text = String(decoding: try value.jsonData(prettyPrinted: true), as: UTF8.self)
        #expect(text.contains("\n"))
        let a = try #require(text.range(of: "\"a\""))
        let b = try #require(text.range(of: "\"b\""))
        #expect(a.lowerBound < b.lowerBound)  // keys stay sorted when pretty-printed
        #expect(try JSONValue(parsing: Data(text.utf8)) == value)
    }

    @Test("Encoding and decoding round-trips every kind, including non-ASCII text")
    func codableRoundTrip() throws {
        let value: JSONValue = [
            "text": "Épidémiologie – 日本 – 🚑", "n": -12.75, "i": 42, "b": false, "null": nil,
            "nested": [["deep": [1, [2, [3]]]]],
        ]
        let data = try JSONEncoder().encode(value)
        #expect(try JSONDecoder().decode(JSONValue.self, from: data) == value)
        #expect(try JSONValue(parsing: try value.jsonData()) == value)
    }

    @Test("A value decodes into a known Decodable shape")
    func decodeAsType() throws {
        struct Pager: Decodable, Equatable { var page: Int; var pageCount: Int }
        let value: JSONValue = ["page": 2, "pageCount": 7, "extra": "ignored"]
        #expect(try value.decode(Pager.self) == Pager(page: 2, pageCount: 7))
        #expect(throws: DecodingError.self) { try JSONValue.object(["page": "two"]).decode(Pager.self) }
    }

    @Test("Values are hashable: equal values collapse in a set")
    func hashable() {
        let set: Set<JSONValue> = [["a": 1], ["a": 1], ["a": 2], .null, .null]
        #expect(set.count == 3)
    }
}
