import Foundation
import NIOHTTP1
import Testing

@testable import DHIS2Core

@Suite("Reading responses")
struct ResponseInterpreterTests {
    static let request = DHIS2Request(
        method: .get, path: "dataElements/abcdefghijk", query: [URLQueryItem(name: "fields", value: "id,name")])
    static let requestPath = "/api/dataElements/abcdefghijk?fields=id,name"

    static let notFound = """
        {"httpStatus":"Not Found","httpStatusCode":404,"status":"ERROR",\
        "message":"DataElement with id abcdefghijk could not be found.","errorCode":"E1005"}
        """
    static let unauthorized = #"{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}"#
    static let tomcat404 = """
        <!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head>\
        <body><h1>HTTP Status 404 – Not Found</h1></body></html>
        """

    private func response(_ status: Int, _ body: String, contentType: String? = "application/json;charset=UTF-8",
        headers extra: [(String, String)] = []) -> DHIS2Response
    {
        var headers = HTTPHeaders()
        if let contentType { headers.add(name: "Content-Type", value: contentType) }
        for (name, value) in extra { headers.add(name: name, value: value) }
        return DHIS2Response(status: status, headers: headers, body: Data(body.utf8))
    }

    private func json(_ response: DHIS2Response) throws(DHIS2Error) -> JSONValue {
        try ResponseInterpreter.json(from: response, request: Self.request)
    }

    // MARK: Successes

    @Test("A JSON object is returned as it is")
    func objectAsIs() throws {
        #expect(try json(response(200, #"{"id":"abcdefghijk","name":"ANC 1st visit"}"#))
            == ["id": "abcdefghijk", "name": "ANC 1st visit"])
    }

    @Test("A bare JSON array is wrapped as {\"data\": [...]}", arguments: ["application/json", nil])
    func bareArrayWrapped(_ contentType: String?) throws {
        let value = try json(response(200, #" [{"id":"a"},{"id":"b"}]"#, contentType: contentType))
        #expect(value == ["data": [["id": "a"], ["id": "b"]]])
    }

    @Test("Plain text such as pong becomes a string")
    func textBecomesString() throws {
        #expect(try json(response(200, "pong", contentType: "text/plain;charset=UTF-8")) == .string("pong"))
        #expect(try json(response(200, "pong", contentType: nil)) == .string("pong"))
    }

    @Test("An empty body is null", arguments: [200, 201, 204])
    func emptyBodyIsNull(_ status: Int) throws {
        #expect(try json(response(status, "")) == .null)
        #expect(try json(response(status, " \n", contentType: nil)) == .null)
    }

    @Test("A JSON content type with a body that is not JSON is a decoding error")
    func brokenJSON() throws {
        let error = try #require(throws: DHIS2Error.self) { try json(response(200, #"{"id": "#)) }
        #expect(error.code == .decoding)
        #expect(error.status == 200)
        #expect(error.path == Self.requestPath)
        #expect(error.body == #"{"id": "#)
    }

    // MARK: Failures

    @Test("An HTML page answered with 200 is unexpected content, with or without an HTML content type")
    func htmlWith200() throws {
        for contentType in ["text/html;charset=UTF-8", nil] {
            let page = "<!DOCTYPE html>\n<html><head><title>DHIS2 login</title></head><body>Sign in</body></html>"
            let error = try #require(throws: DHIS2Error.self) { try json(response(200, page, contentType: contentType)) }
            #expect(error.code == .unexpectedContent)
            #expect(error.status == 200)
            #expect(error.method == "GET")
            #expect(error.path == Self.requestPath)
            #expect(error.message.contains("base URL"))
        }
    }

    @Test("401 is unauthorized, carrying DHIS2's message")
    func unauthorized() throws {
        let error = try #require(throws: DHIS2Error.self) { try json(response(401, Self.unauthorized)) }
        #expect(error.code == .unauthorized)
        #expect(error.isUnauthorized)
        #expect(error.status == 401)
        #expect(error.webMessage?.message == "Unauthorized")
        #expect(error.message.contains("credentials"))
    }

    @Test("A 401 without a body is still unauthorized")
    func unauthorizedWithoutBody() throws {
        let error = try #require(throws: DHIS2Error.self) { try json(response(401, "", contentType: nil)) }
        #expect(error.code == .unauthorized)
        #expect(error.webMessage == nil)
    }

    @Test("A 302 to /dhis-web-login/ is unauthorized")
    func redirectToLogin() throws {
        let redirect = response(
            302, "", contentType: nil, headers: [("Location", "https://dhis2.example.org/dhis-web-login/")])
        let error = try #require(throws: DHIS2Error.self) { try json(redirect) }
        #expect(error.code == .unauthorized)
        #expect(error.status == 302)
        #expect(error.message.contains("login"))
    }

    @Test("A redirect elsewhere is an API error naming the new address")
    func redirectElsewhere() throws {
        let redirect = response(
            301, "", contentType: nil, headers: [("Location", "https://dhis2.example.org/api/dataElements")])
        let error = try #require(throws: DHIS2Error.self) { try json(redirect) }
        #expect(error.code == .api)
        #expect(error.status == 301)
        #expect(error.message.contains("https://dhis2.example.org/api/dataElements"))
    }

    @Test("A 404 WebMessage is an API error carrying the message, status, method, path and raw body")
    func notFoundWebMessage() throws {
        let error = try #require(throws: DHIS2Error.self) { try json(response(404, Self.notFound)) }
        #expect(error.code == .api)
        #expect(error.status == 404)
        #expect(error.method == "GET")
        #expect(error.path == Self.requestPath)
        #expect(error.body == Self.notFound)
        let message = try #require(error.webMessage)
        #expect(message.httpStatusCode == 404)
        #expect(message.httpStatus == "Not Found")
        #expect(message.status == .error)
        #expect(message.errorCode == "E1005")
        #expect(message.message == "DataElement with id abcdefghijk could not be found.")
        #expect(error.message.contains("DataElement with id abcdefghijk could not be found."))
        #expect(error.description.contains("[E1005]"))
        #expect(error.description.contains("(HTTP 404)"))
        #expect(error.description.contains("GET \(Self.requestPath)"))
    }

    @Test("A 404 HTML page (an unknown path) is an API error that says so, without a WebMessage")
    func notFoundHTML() throws {
        let error = try #require(throws: DHIS2Error.self) {
            try json(response(404, Self.tomcat404, contentType: "text/html;charset=utf-8"))
        }
        #expect(error.code == .api)
        #expect(error.status == 404)
        #expect(error.webMessage == nil)
        #expect(error.message.contains("HTML"))
        #expect(error.body == Self.tomcat404)
    }

    @Test("A plain-text server error keeps its status and body")
    func plainServerError() throws {
        let error = try #require(throws: DHIS2Error.self) {
            try json(response(503, "Service Unavailable", contentType: "text/plain"))
        }
        #expect(error.code == .api)
        #expect(error.status == 503)
        #expect(error.body == "Service Unavailable")
        #expect(error.message.contains("503"))
    }

    @Test("A 409 import report is an API error with the WebMessage's response payload kept")
    func conflictKeepsPayload() throws {
        let body = """
            {"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"One or more errors occurred.",\
            "response":{"responseType":"ImportReport","status":"ERROR","stats":{"created":0,"ignored":1}}}
            """
        let error = try #require(throws: DHIS2Error.self) {
            try json(response(409, body, contentType: "application/json"))
        }
        #expect(error.code == .api)
        #expect(error.webMessage?.response?["stats"]?["ignored"]?.intValue == 1)
    }

    @Test("An error keeps at most 64 KiB of the body")
    func errorBodyTruncated() throws {
        let large = String(repeating: "x", count: 200 * 1024)
        let error = try #require(throws: DHIS2Error.self) { try json(response(500, large, contentType: "text/plain")) }
        #expect(error.body?.utf8.count == 64 * 1024)
    }

    // MARK: Typed decoding

    struct Page: Decodable, Equatable {
        struct Item: Decodable, Equatable { var count: Int }
        var items: [Item]
    }

    private func decode(_ response: DHIS2Response) throws(DHIS2Error) -> Page {
        try ResponseInterpreter.decode(Page.self, from: response, request: Self.request)
    }

    @Test("A body of the expected shape decodes")
    func decodesExpectedShape() throws {
        #expect(try decode(response(200, #"{"items":[{"count":1},{"count":2}]}"#)) == Page(items: [.init(count: 1), .init(count: 2)]))
    }

    @Test("A wrong type is reported with its JSON coding path")
    func typeMismatchPath() throws {
        let error = try #require(throws: DHIS2Error.self) {
            try decode(response(200, #"{"items":[{"count":1},{"count":"two"}]}"#))
        }
        #expect(error.code == .decoding)
        #expect(error.codingPath == ["items", "1", "count"])
        #expect(error.message.contains("items.1.count"))
        #expect(error.message.contains("Page"))
        #expect(error.description.contains("at items.1.count"))
        #expect(error.status == 200)
        #expect(error.path == Self.requestPath)
    }

    @Test("A missing key is reported with the path ending in that key")
    func missingKeyPath() throws {
        let error = try #require(throws: DHIS2Error.self) { try decode(response(200, #"{"items":[{"count":1},{}]}"#)) }
        #expect(error.code == .decoding)
        #expect(error.codingPath == ["items", "1", "count"])
        #expect(error.message.contains("count"))
    }

    @Test("A null where a value is required is reported with its path")
    func nullValuePath() throws {
        let error = try #require(throws: DHIS2Error.self) {
            try decode(response(200, #"{"items":[{"count":null}]}"#))
        }
        #expect(error.code == .decoding)
        #expect(error.codingPath == ["items", "0", "count"])
    }

    @Test("Decoding a failure status throws the API error, not a decoding error")
    func decodeFailureStatus() throws {
        let error = try #require(throws: DHIS2Error.self) { try decode(response(404, Self.notFound)) }
        #expect(error.code == .api)
        #expect(error.webMessage?.errorCode == "E1005")
    }

    @Test("Decoding an HTML page answered with 200 is unexpected content")
    func decodeHTML() throws {
        let error = try #require(throws: DHIS2Error.self) {
            try decode(response(200, "<html><body>login</body></html>", contentType: "text/html"))
        }
        #expect(error.code == .unexpectedContent)
    }

    // MARK: Response helpers

    @Test("The media type is lower-cased without parameters, and the WebMessage is read from JSON bodies only")
    func responseHelpers() {
        let json = response(404, Self.notFound, contentType: "Application/JSON; charset=UTF-8")
        #expect(json.mediaType == "application/json")
        #expect(json.webMessage?.errorCode == "E1005")
        #expect(json.text == Self.notFound)
        #expect(response(404, Self.tomcat404, contentType: "text/html").webMessage == nil)
        #expect(response(200, "", contentType: nil).mediaType == nil)
    }
}
