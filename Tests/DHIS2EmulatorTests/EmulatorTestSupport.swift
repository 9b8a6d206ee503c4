import AsyncHTTPClient
import DHIS2
import DHIS2Emulator
import Foundation
import NIOCore
import NIOHTTP1

/// One HTTP answer from the emulator.
struct EmulatorReply: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: Data

    func header(_ name: String) -> String? { headers.first(name: name) }

    /// The body as JSON (JSON `null` for an empty body; a marker string when the body is not JSON).
    var json: JSONValue {
        (try? JSONValue(parsing: body)) ?? .string("<not JSON> " + text)
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// How a test request authenticates.
enum TestCredentials: Sendable {
    case none
    case basic(String, String)
    case apiToken(String)
    case bearer(String)
    case rawAuthorization(String)

    static let admin = TestCredentials.basic(DemoData.adminUsername, DemoData.adminPassword)

    var authorization: String? {
        switch self {
        case .none: nil
        case .basic(let user, let password): "Basic " + Data("\(user):\(password)".utf8).base64EncodedString()
        case .apiToken(let token): "ApiToken " + token
        case .bearer(let token): "Bearer " + token
        case .rawAuthorization(let value): value
        }
    }
}

/// An HTTP client that never follows redirects, so a 302 to the login page is seen as such.
let emulatorTestHTTPClient = HTTPClient(
    eventLoopGroup: HTTPClient.defaultEventLoopGroup,
    configuration: HTTPClient.Configuration(redirectConfiguration: .disallow))

extension Emulator {
    /// Sends a request to `path` (with query) and collects the whole answer.
    func send(
        _ method: HTTPMethod = .GET, _ path: String, as credentials: TestCredentials = .admin,
        headers: [(String, String)] = [], json: JSONValue? = nil
    ) async throws -> EmulatorReply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let authorization = credentials.authorization { request.headers.add(name: "Authorization", value: authorization) }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try json.jsonData()))
        }
        // A generous deadline: the real-data imports (188,701 values, the whole play export) run beside every other
        // suite on two cores; a hang still fails, it just fails later. Timings belong in Benchmarks/, not here.
        let response = try await emulatorTestHTTPClient.execute(request, timeout: .seconds(300))
        let body = try await response.body.collect(upTo: 32 * 1024 * 1024)
        return EmulatorReply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    /// GETs `path` as admin and returns the JSON body, requiring a 200.
    func getJSON(_ path: String) async throws -> JSONValue {
        let reply = try await send(.GET, path)
        guard reply.status == 200 else {
            throw EmulatorTestFailure("GET \(path) answered \(reply.status): \(reply.text)")
        }
        return try reply.json
    }
}

struct EmulatorTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The versions where the emulator's answers differ in ways tests check.
let versionsUnderTest = ["2.41.10", "2.42.6"]
