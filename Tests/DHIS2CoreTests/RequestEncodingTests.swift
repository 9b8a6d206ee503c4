import Foundation
import Testing

@testable import DHIS2Core

/// Decodes a query string the way servers do: split on `&`, then on the first `=`, `+` as a space (form encoding),
/// then percent-decoding.
private func formDecode(_ query: String) -> [(name: String, value: String?)] {
    guard !query.isEmpty else { return [] }
    func decode(_ part: Substring) -> String {
        part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? "<undecodable \(part)>"
    }
    return query.split(separator: "&", omittingEmptySubsequences: false).map { pair in
        guard let equals = pair.firstIndex(of: "=") else { return (decode(pair), nil) }
        return (decode(pair[..<equals]), decode(pair[pair.index(after: equals)...]))
    }
}

/// Decodes a query string as RFC 3986 does (`+` is a literal plus), through Foundation's `URLComponents`.
private func rfc3986Decode(_ query: String) -> [URLQueryItem] {
    URLComponents(string: "http://localhost/api/x?" + query)?.queryItems ?? []
}

@Suite("Query and path encoding")
struct RequestEncodingTests {
    static let awkwardValues = [
        "name:like:ANC 1st",
        "id:in:[fbfJHSPpUQD,cYeuwXTCPkU]",
        "dataSetElements[dataSet[id,name]]",
        "a&b=c",
        "x+y",
        "100%",
        "#fragment?",
        "path/segment",
        "Épidémiologie – 日本 – 🚑",
        "tab\tand\nnewline",
        "name:!like:x,code:$like:y*",
        "quote\"'back\\slash",
        "",
    ]

    @Test("A DHIS2 filter keeps its operators readable and encodes the space")
    func filterEncoding() {
        #expect(PercentEncoding.queryComponent("name:like:ANC 1st") == "name:like:ANC%201st")
        #expect(PercentEncoding.queryComponent("id:in:[a,b]") == "id:in:%5Ba,b%5D")
        #expect(PercentEncoding.queryComponent("é") == "%C3%A9")
        #expect(PercentEncoding.queryComponent("a&b=c+d") == "a%26b%3Dc%2Bd")
    }

    @Test("Characters that would change a query's meaning are never left raw", arguments: awkwardValues)
    func noRawDelimiters(_ value: String) {
        let encoded = PercentEncoding.queryComponent(value)
        for delimiter in [" ", "[", "]", "&", "=", "+", "#", "?", "\"", "\\", "\t", "\n", "/"] {
            #expect(!encoded.contains(delimiter), "raw \(delimiter.debugDescription) in \(encoded)")
        }
        #expect(encoded.allSatisfy { $0.isASCII })
        // Every % starts an escape of two hex digits.
        #expect(encoded.split(separator: "%", omittingEmptySubsequences: false).dropFirst().allSatisfy {
            $0.count >= 2 && $0.prefix(2).allSatisfy { character in character.isHexDigit }
        })
    }

    @Test("A server decodes every encoded value back exactly, form-style and RFC 3986-style", arguments: awkwardValues)
    func serverDecodesBackExactly(_ value: String) throws {
        let request = DHIS2Request(method: .get, path: "dataElements", query: [URLQueryItem(name: "filter", value: value)])
        let query = request.encodedQuery
        let form = formDecode(query)
        #expect(form.count == 1)
        #expect(form.first?.name == "filter")
        #expect(form.first?.value == value)
        let items = rfc3986Decode(query)
        #expect(items == [URLQueryItem(name: "filter", value: value)])
    }

    @Test("Repeated query names are all sent, in the order given")
    func repeatedKeysKeptInOrder() {
        let query = [
            URLQueryItem(name: "filter", value: "name:like:ANC"),
            URLQueryItem(name: "fields", value: "id,name"),
            URLQueryItem(name: "filter", value: "domainType:eq:AGGREGATE"),
            URLQueryItem(name: "filter", value: "valueType:in:[NUMBER,INTEGER]"),
            URLQueryItem(name: "paging", value: "false"),
        ]
        let request = DHIS2Request(method: .get, path: "dataElements", query: query)
        #expect(
            request.encodedQuery
                == "filter=name:like:ANC&fields=id,name&filter=domainType:eq:AGGREGATE"
                + "&filter=valueType:in:%5BNUMBER,INTEGER%5D&paging=false")
        let decoded = formDecode(request.encodedQuery)
        #expect(decoded.map(\.name) == query.map(\.name))
        #expect(decoded.map(\.value) == query.map(\.value))
    }

    @Test("A query item without a value is sent as its bare name; awkward names are encoded too")
    func valuelessItemsAndNames() {
        let request = DHIS2Request(
            method: .get, path: "x",
            query: [URLQueryItem(name: "skipMeta", value: nil), URLQueryItem(name: "a b&c", value: "1")])
        #expect(request.encodedQuery == "skipMeta&a%20b%26c=1")
        let decoded = formDecode(request.encodedQuery)
        #expect(decoded.count == 2)
        #expect(decoded[0].name == "skipMeta" && decoded[0].value == nil)
        #expect(decoded[1].name == "a b&c" && decoded[1].value == "1")
    }

    @Test(
        "A path without a leading slash is below /api/; a path with one is kept",
        arguments: [
            ("dataElements", "/api/dataElements"),
            ("dataElements/fbfJHSPpUQD", "/api/dataElements/fbfJHSPpUQD"),
            ("api/x", "/api/x"),
            ("api/system/info", "/api/system/info"),
            ("/api/x", "/api/x"),
            ("/api/41/dataElements", "/api/41/dataElements"),
            ("/dhis-web-login/", "/dhis-web-login/"),
            ("apiRoutes", "/api/apiRoutes"),
        ])
    func pathNormalisation(_ path: String, _ expected: String) {
        #expect(DHIS2Request(method: .get, path: path).normalizedPath == expected)
    }

    @Test("The path and query seen in errors is encoded, with no '?' when there is no query")
    func pathWithQuery() {
        #expect(DHIS2Request(method: .get, path: "system/info").pathWithQuery == "/api/system/info")
        let request = DHIS2Request(
            method: .get, path: "dataStore/my space/clé",
            query: [URLQueryItem(name: "fields", value: "key,value[a]")])
        #expect(request.pathWithQuery == "/api/dataStore/my%20space/cl%C3%A9?fields=key,value%5Ba%5D")
    }

    @Test("A path keeps its slashes and DHIS2's path punctuation, and encodes what a URL cannot carry")
    func pathEncoding() {
        #expect(PercentEncoding.path("/api/dataElements/abc:def,ghi") == "/api/dataElements/abc:def,ghi")
        #expect(PercentEncoding.path("/api/a b/c?d#e") == "/api/a%20b/c%3Fd%23e")
        #expect(PercentEncoding.path("/api/x%y") == "/api/x%25y")
    }

    @Test("A request's defaults are a JSON Accept, no body and no content type")
    func requestDefaults() {
        let request = DHIS2Request(method: .post, path: "metadata")
        #expect(request.accept == "application/json")
        #expect(request.body == nil)
        #expect(request.contentType == nil)
        #expect(request.query.isEmpty)
    }
}
