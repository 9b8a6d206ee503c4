import Foundation
import NIOHTTP1

/// Reads buffered responses: JSON, text or empty for success, a typed ``DHIS2Error`` for everything else.
enum ResponseInterpreter {
    /// The largest part of a body kept in an error.
    static let errorBodyLimit = 64 * 1024

    /// The body of a 2xx response as JSON: an object as is, a bare array wrapped as `{"data": [...]}`, text (such as
    /// `pong`) as a string, an empty body as null. Any other status throws.
    static func json(from response: DHIS2Response, request: DHIS2Request) throws(DHIS2Error) -> JSONValue {
        guard (200..<300).contains(response.status) else { throw error(for: response, request: request) }
        if response.body.allSatisfy({ [0x20, 0x0A, 0x0D, 0x09].contains($0) }) { return .null }
        if response.looksLikeHTML { throw htmlError(response, request: request) }
        if response.looksLikeJSON {
            let value: JSONValue
            do {
                value = try JSONValue(parsing: response.body)
            } catch {
                throw DHIS2Error(
                    code: .decoding,
                    message: "The server's answer is not valid JSON. The base URL may point at something other than "
                        + "DHIS2, or a proxy altered the response.",
                    method: request.method.rawValue, path: request.pathWithQuery, status: response.status,
                    body: truncated(response.text), underlying: "\(error)")
            }
            if case .array = value { return .object(["data": value]) }
            return value
        }
        return .string(response.text)
    }

    /// Decodes a 2xx JSON body as `T`; the error names the JSON coding path where decoding failed.
    static func decode<T: Decodable>(_ type: T.Type, from response: DHIS2Response, request: DHIS2Request)
        throws(DHIS2Error) -> T
    {
        guard (200..<300).contains(response.status) else { throw error(for: response, request: request) }
        if response.looksLikeHTML { throw htmlError(response, request: request) }
        do {
            return try JSONDecoder().decode(T.self, from: response.body)
        } catch let decodingError as DecodingError {
            let (path, detail) = describe(decodingError)
            throw DHIS2Error(
                code: .decoding,
                message: "The answer could not be read as \(T.self)"
                    + (path.isEmpty ? "" : " at \(path.joined(separator: "."))") + ": \(detail)",
                method: request.method.rawValue, path: request.pathWithQuery, status: response.status,
                body: truncated(response.text), codingPath: path)
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The answer could not be read as \(T.self).",
                method: request.method.rawValue, path: request.pathWithQuery, status: response.status,
                body: truncated(response.text), underlying: "\(error)")
        }
    }

    /// The error for a response that is not a success.
    static func error(for response: DHIS2Response, request: DHIS2Request) -> DHIS2Error {
        let method = request.method.rawValue
        let path = request.pathWithQuery
        let status = response.status
        let webMessage = response.webMessage
        let body = truncated(response.text)
        if (300..<400).contains(status) {
            let location = response.headers.first(name: "Location") ?? ""
            // DHIS2 sends unauthenticated non-XHR requests to its login page (reference §1.5).
            if location.contains("login") {
                return DHIS2Error(
                    code: .unauthorized,
                    message: "The server redirected the request to its login page: it was not authenticated. "
                        + "Check the credentials.",
                    method: method, path: path, status: status, body: body)
            }
            return DHIS2Error(
                code: .api,
                message: "The server redirected the request to \(location.isEmpty ? "another address" : location). "
                    + "Use the final address (often https://) as the base URL.",
                method: method, path: path, status: status, body: body)
        }
        if status == 401 {
            let said = webMessage?.message.map { " (\($0))" } ?? ""
            return DHIS2Error(
                code: .unauthorized,
                message: "The server refused the credentials\(said). Check the username and password, or that the "
                    + "token is valid, unexpired and allowed for this address and method.",
                method: method, path: path, status: status, webMessage: webMessage, body: body)
        }
        if let webMessage {
            let said = webMessage.message ?? webMessage.httpStatus ?? "no message"
            return DHIS2Error(
                code: .api, message: "DHIS2 answered \(status) to \(method) \(path): \(said)", method: method, path: path,
                status: status, webMessage: webMessage, body: body)
        }
        if response.looksLikeHTML {
            return DHIS2Error(
                code: .api,
                message: "The server answered \(status) with an HTML page instead of a DHIS2 message: the path may not "
                    + "exist on this server version, or the base URL does not point at DHIS2.",
                method: method, path: path, status: status, body: body)
        }
        return DHIS2Error(
            code: .api, message: "The server answered \(status) to \(method) \(path).", method: method, path: path,
            status: status, body: body)
    }

    static func htmlError(_ response: DHIS2Response, request: DHIS2Request) -> DHIS2Error {
        DHIS2Error(
            code: .unexpectedContent,
            message: "The server answered with an HTML page, not JSON. The base URL probably points at a web page, a "
                + "login form or a proxy rather than the DHIS2 root (the address that has /api below it).",
            method: request.method.rawValue, path: request.pathWithQuery, status: response.status,
            body: truncated(response.text))
    }

    static func truncated(_ text: String) -> String {
        text.utf8.count <= errorBodyLimit ? text : String(decoding: text.utf8.prefix(errorBodyLimit), as: UTF8.self)
    }

    static func describe(_ error: DecodingError) -> (path: [String], detail: String) {
        func render(_ path: [any CodingKey]) -> [String] { path.map { $0.intValue.map(String.init) ?? $0.stringValue } }
        switch error {
        case .typeMismatch(let type, let context):
            return (render(context.codingPath), "expected \(type). \(context.debugDescription)")
        case .valueNotFound(let type, let context):
            return (render(context.codingPath), "missing \(type) value. \(context.debugDescription)")
        case .keyNotFound(let key, let context):
            return (render(context.codingPath + [key]), "missing key \"\(key.stringValue)\".")
        case .dataCorrupted(let context):
            return (render(context.codingPath), context.debugDescription)
        @unknown default:
            return ([], "\(error)")
        }
    }
}
