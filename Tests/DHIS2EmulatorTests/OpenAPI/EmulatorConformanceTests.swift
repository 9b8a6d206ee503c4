import AsyncHTTPClient
import DHIS2Core
import DHIS2Emulator
import Foundation
import NIOCore
import NIOHTTP1
import Testing

/// Holds the emulator to real DHIS2: every response it gives, for every emulated version, must be one the real
/// OpenAPI document of that version declares (see ``SchemaValidator`` for exactly what that means).
///
/// A failure here is an emulator defect to fix in the emulator, unless real servers demonstrably send the same shape,
/// in which case the document is wrong and the case belongs in ``SpecDefect/allowList`` with its evidence.
@Suite("Emulator responses conform to DHIS2's OpenAPI documents",
       .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason))
struct EmulatorConformanceTests {
    /// The versions the emulator emulates, one per supported DHIS2 minor.
    static let versions = ["2.41.10", "2.42.6", "2.43.2", "2.44"]

    @Test("system info, me and the UID generator answer declared shapes", arguments: versions)
    func systemEndpoints(version: String) async throws {
        try await withConformance(version) { session in
            try await session.check("GET", "/api/system/info")
            let me = try await session.check("GET", "/api/me")
            #expect(me.body["username"]?.stringValue == DemoData.adminUsername, "\(version): /api/me is not the admin")

            let codes = try await session.check("GET", "/api/system/id?limit=3")
            #expect(codes.body["codes"]?.arrayValue?.count == 3, "\(version): /api/system/id?limit=3 gave \(codes.body)")
        }
    }

    @Test("API token creation and listing answer declared shapes", arguments: versions)
    func apiTokens(version: String) async throws {
        try await withConformance(version) { session in
            let expire = Int((Date().timeIntervalSince1970 + 86_400) * 1000)
            let created = try await session.check("POST", "/api/apiToken", body: ["expire": .number(Double(expire))],
                                                  status: 201)
            #expect(created.body["response"]?["key"]?.stringValue?.hasPrefix("d2p_") == true,
                    "\(version): the created token's key is missing from \(created.body)")

            let list = try await session.check("GET", "/api/apiToken")
            try session.checkItems(of: list, key: "apiToken", component: "ApiToken")
        }
    }

    @Test("metadata list, get, create, update and delete answer declared shapes",
          arguments: versions, MetadataCase.all)
    func metadataLifecycle(version: String, type: MetadataCase) async throws {
        try await withConformance(version) { session in
            let collection = "/api/\(type.plural)"

            let list = try await session.check("GET", collection)
            #expect(list.body["pager"]?.objectValue != nil, "\(version): \(collection) has no pager")
            try session.checkItems(of: list, key: type.plural, component: type.component)

            let fullList = try await session.check("GET", "\(collection)?fields=*&pageSize=5")
            try session.checkItems(of: fullList, key: type.plural, component: type.component)

            let existing = try await session.check("GET", "\(collection)/\(type.existingID)")
            session.checkComponent(existing, type.component)

            let name = "Conformance \(type.component) \(UID.generate())"
            let created = try await session.check("POST", collection, body: type.createBody(name), status: 201)
            let uid = try #require(created.body["response"]?["uid"]?.stringValue,
                                   "\(version): POST \(collection) returned no response.uid: \(created.body)")

            let fetched = try await session.check("GET", "\(collection)/\(uid)")
            session.checkComponent(fetched, type.component)
            #expect(fetched.body["name"]?.stringValue == name)

            var replacement = try #require(type.createBody(name + " (renamed)").objectValue)
            replacement["id"] = .string(uid)
            try await session.check("PUT", "\(collection)/\(uid)", body: .object(replacement))
            try await session.check("DELETE", "\(collection)/\(uid)")
            try await session.check("GET", "\(collection)/\(uid)", status: 404)
        }
    }

    @Test("errors are WebMessages the document declares: 404, 409 and 401", arguments: versions)
    func errorResponses(version: String) async throws {
        try await withConformance(version) { session in
            let missing = try await session.check("GET", "/api/dataElements/\(UID.generate())", status: 404)
            #expect(missing.body["status"]?.stringValue == "ERROR")

            // Missing required properties (name, valueType, ...): an import error, 409 with an ObjectReport.
            let conflict = try await session.check(
                "POST", "/api/dataElements", body: ["shortName": "Nameless"], status: 409)
            #expect(conflict.body["status"]?.stringValue == "ERROR")
            #expect(conflict.body["response"]?["errorReports"]?.arrayValue?.isEmpty == false,
                    "\(version): the 409 carries no error reports: \(conflict.body)")

            // No path of any document declares 401; the body is the WebMessage component (reference §1.5, §11.2).
            let unauthorized = try await session.send("GET", "/api/me", password: "not-the-password")
            #expect(unauthorized.status == 401, "\(version): wrong credentials gave \(unauthorized.status)")
            let violations = session.validator.validate(unauthorized.body, component: "WebMessage")
            #expect(violations.isEmpty, "\(version) GET /api/me 401 violates WebMessage:\n\(violations.joined(separator: "\n"))")
            #expect(unauthorized.body["httpStatusCode"]?.intValue == 401)
        }
    }

    /// Starts an emulator of `version` and hands the body a session bound to it and to that version's document.
    private func withConformance(_ version: String, _ body: (ConformanceSession) async throws -> Void) async throws {
        let document = try await OpenAPIDocument.shared(serverVersion: version)
        let validator = SchemaValidator(document: document)
        try await withEmulator(EmulatorConfiguration(version: version)) { emulator in
            try await body(ConformanceSession(version: version, baseURL: emulator.baseURL, validator: validator))
        }
    }
}

/// One metadata type the emulator serves on `/api/<plural>`, with what it takes to create one.
struct MetadataCase: Sendable, CustomTestStringConvertible {
    let plural: String
    /// The OpenAPI component of its objects.
    let component: String
    /// A demo object that always exists.
    let existingID: UID
    let createBody: @Sendable (String) -> JSONValue

    var testDescription: String { plural }

    static let all: [MetadataCase] = [
        MetadataCase(plural: "dataElements", component: "DataElement", existingID: DemoData.ancFirstVisitID) { name in
            [
                "name": .string(name), "shortName": .string(String(name.suffix(50))),
                "valueType": "NUMBER", "domainType": "AGGREGATE", "aggregationType": "SUM",
                "categoryCombo": ["id": .string(DemoData.defaultCategoryComboID.rawValue)],
            ]
        },
        MetadataCase(plural: "organisationUnits", component: "OrganisationUnit", existingID: DemoData.countryID) {
            name in
            [
                "name": .string(name), "shortName": .string(String(name.suffix(50))),
                "openingDate": "2024-01-01T00:00:00.000",
                "parent": ["id": .string(DemoData.countryID.rawValue)],
            ]
        },
        MetadataCase(plural: "categoryCombos", component: "CategoryCombo", existingID: DemoData.defaultCategoryComboID) {
            name in
            ["name": .string(name), "dataDimensionType": "DISAGGREGATION"]
        },
    ]
}

/// An HTTP exchange with the emulator.
struct Exchange: Sendable {
    let method: String
    let path: String
    let status: Int
    let contentType: String
    let body: JSONValue
}

/// Sends requests to one emulator as the demo admin and checks each response against the version's document.
struct ConformanceSession: Sendable {
    let version: String
    let baseURL: String
    let validator: SchemaValidator

    /// Sends a request; the body, when present, is JSON. Only the password is configurable, to provoke a 401.
    func send(_ method: String, _ path: String, body: JSONValue? = nil,
              password: String = DemoData.adminPassword) async throws -> Exchange
    {
        var root = baseURL
        while root.hasSuffix("/") { root.removeLast() }
        if root.hasSuffix("/api") { root.removeLast(4) }

        var request = HTTPClientRequest(url: root + path)
        request.method = HTTPMethod(rawValue: method)
        let credentials = Data("\(DemoData.adminUsername):\(password)".utf8).base64EncodedString()
        request.headers.add(name: "Authorization", value: "Basic \(credentials)")
        request.headers.add(name: "Accept", value: "application/json")
        if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: Array(try body.jsonData())))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let buffer = try await response.body.collect(upTo: 16 * 1024 * 1024)
        let data = Data(buffer.readableBytesView)
        let json = data.isEmpty ? JSONValue.null : try JSONValue.parse(data)
        return Exchange(method: method, path: path, status: Int(response.status.code),
                        contentType: response.headers.first(name: "Content-Type") ?? "", body: json)
    }

    /// Sends a request, expects `status` and a JSON body, and expects the body to conform to the response the
    /// document declares for the request. WebMessages must also carry the status in `httpStatusCode`.
    @discardableResult
    func check(_ method: String, _ path: String, body: JSONValue? = nil, status: Int = 200,
               sourceLocation: SourceLocation = #_sourceLocation) async throws -> Exchange
    {
        let exchange = try await send(method, path, body: body)
        let label = "\(method) \(path) on \(version)"
        #expect(exchange.status == status, "\(label): expected \(status), got \(exchange.status): \(exchange.body)",
                sourceLocation: sourceLocation)
        #expect(OpenAPIDocument.mediaType(exchange.contentType) == "application/json",
                "\(label): Content-Type is \(exchange.contentType)", sourceLocation: sourceLocation)
        let violations = validator.validateResponse(exchange.body, method: method, path: path, status: exchange.status,
                                                    contentType: exchange.contentType)
        #expect(violations.isEmpty,
                "\(label) \(exchange.status) does not conform:\n\(violations.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        if let code = exchange.body["httpStatusCode"] {
            #expect(code.intValue == exchange.status, "\(label): httpStatusCode \(code) differs from the status line",
                    sourceLocation: sourceLocation)
        }
        return exchange
    }

    /// Expects every object of a list response to conform to `component` (on top of the path's own schema).
    func checkItems(of list: Exchange, key: String, component: String,
                    sourceLocation: SourceLocation = #_sourceLocation) throws
    {
        let items = try #require(list.body[key]?.arrayValue,
                                 "\(list.method) \(list.path) on \(version) has no \"\(key)\" array: \(list.body)",
                                 sourceLocation: sourceLocation)
        for (index, item) in items.enumerated() {
            let violations = validator.validate(item, component: component)
            #expect(violations.isEmpty,
                    "\(list.method) \(list.path) on \(version): \(key)[\(index)] violates \(component):\n\(violations.joined(separator: "\n"))",
                    sourceLocation: sourceLocation)
        }
    }

    /// Expects a single-object response to conform to `component`.
    func checkComponent(_ exchange: Exchange, _ component: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let violations = validator.validate(exchange.body, component: component)
        #expect(violations.isEmpty,
                "\(exchange.method) \(exchange.path) on \(version) violates \(component):\n\(violations.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
    }
}
