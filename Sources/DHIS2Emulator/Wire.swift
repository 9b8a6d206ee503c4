import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// DHIS2's date-time wire format: `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC, without a zone (reference §0.1).
enum DHIS2Date {
    /// Formats `date` as `2012-11-14T12:54:28.086`.
    static func format(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var days = totalMillis / 86_400_000
        var millisOfDay = totalMillis % 86_400_000
        if millisOfDay < 0 {
            millisOfDay += 86_400_000
            days -= 1
        }
        let (year, month, day) = civil(fromDays: days)
        let hour = millisOfDay / 3_600_000
        let minute = millisOfDay / 60_000 % 60
        let second = millisOfDay / 1000 % 60
        let millis = millisOfDay % 1000
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(millis, 3))"
    }

    /// Parses the input variants DHIS2 accepts: `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm[:ss[.SSS]]`, optionally followed
    /// by `Z` or a `±HH[:]MM` offset (no zone means UTC).
    static func parse(_ text: String) -> Date? {
        let scalars = Array(text.utf8)
        var index = 0
        func number(_ digits: Int) -> Int64? {
            guard index + digits <= scalars.count else { return nil }
            var value: Int64 = 0
            for offset in 0..<digits {
                let byte = scalars[index + offset]
                guard byte >= 0x30, byte <= 0x39 else { return nil }
                value = value * 10 + Int64(byte - 0x30)
            }
            index += digits
            return value
        }
        func expect(_ character: UInt8) -> Bool {
            guard index < scalars.count, scalars[index] == character else { return false }
            index += 1
            return true
        }
        guard let year = number(4), expect(UInt8(ascii: "-")), let month = number(2), expect(UInt8(ascii: "-")),
            let day = number(2), (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var millis: Int64 = 0
        if index < scalars.count, scalars[index] == UInt8(ascii: "T") || scalars[index] == UInt8(ascii: " ") {
            index += 1
            guard let hour = number(2), expect(UInt8(ascii: ":")), let minute = number(2), hour < 24, minute < 60
            else { return nil }
            millis += (hour * 3600 + minute * 60) * 1000
            if expect(UInt8(ascii: ":")) {
                guard let second = number(2), second < 61 else { return nil }
                millis += second * 1000
                if expect(UInt8(ascii: ".")) {
                    var fraction: Int64 = 0
                    var digits = 0
                    while index < scalars.count, scalars[index] >= 0x30, scalars[index] <= 0x39 {
                        if digits < 3 { fraction = fraction * 10 + Int64(scalars[index] - 0x30) }
                        digits += 1
                        index += 1
                    }
                    guard digits > 0 else { return nil }
                    for _ in digits..<max(digits, 3) { fraction *= 10 }
                    millis += fraction
                }
            }
            if expect(UInt8(ascii: "Z")) {
            } else if index < scalars.count, scalars[index] == UInt8(ascii: "+") || scalars[index] == UInt8(ascii: "-") {
                let sign: Int64 = scalars[index] == UInt8(ascii: "+") ? 1 : -1
                index += 1
                guard let offsetHours = number(2) else { return nil }
                _ = expect(UInt8(ascii: ":"))
                let offsetMinutes = number(2) ?? 0
                millis -= sign * (offsetHours * 3600 + offsetMinutes * 60) * 1000
            }
        }
        guard index == scalars.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400_000 + millis) / 1000)
    }

    /// Normalises any accepted date input to the wire format, or `nil` when it is not a date.
    static func normalise(_ text: String) -> String? { parse(text).map(format) }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    private static func civil(fromDays days: Int64) -> (Int64, Int64, Int64) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}

/// Builders for the responses every handler shares.
enum Reply {
    /// A JSON body with the given status (nulls are never present: callers omit absent members).
    static func json(_ value: JSONValue, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json;charset=UTF-8"
        let data = (try? value.jsonData()) ?? Data("{}".utf8)
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A WebMessage with `status` on the status line and in `httpStatusCode`, as DHIS2's controller advice writes it.
    static func webMessage(
        _ status: HTTPResponse.Status, messageStatus: String = "ERROR", message: String? = nil,
        errorCode: String? = nil, response: JSONValue? = nil, headers: HTTPFields = [:]
    ) -> Response {
        var body: [String: JSONValue] = [
            "httpStatus": .string(reasonPhrase(status.code)),
            "httpStatusCode": .number(Double(status.code)),
            "status": .string(messageStatus),
        ]
        if let message { body["message"] = .string(message) }
        if let errorCode { body["errorCode"] = .string(errorCode) }
        if let response { body["response"] = response }
        var headers = headers
        if status.code >= 400 { headers[.cacheControl] = "no-cache, private" }
        return json(.object(body), status: status, headers: headers)
    }

    /// Plain text (`/api/system/ping`).
    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/plain;charset=UTF-8"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Tomcat's HTML 404 page for paths no controller maps (reference §11.4).
    static func tomcatNotFound(path: String) -> Response {
        let escaped = path.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;")
        let html = """
            <!doctype html><html lang="en"><head><title>HTTP Status 404 – Not Found</title></head><body>\
            <h1>HTTP Status 404 – Not Found</h1><hr class="line" /><p><b>Type</b> Status Report</p>\
            <p><b>Message</b> No endpoint GET \(escaped).</p><p><b>Description</b> The origin server did not find a \
            current representation for the target resource or is not willing to disclose that one exists.</p>\
            <hr class="line" /><h3>Apache Tomcat/10.1</h3></body></html>
            """
        var headers = HTTPFields()
        headers[.contentType] = "text/html;charset=utf-8"
        headers[.contentLanguage] = "en"
        return Response(status: .notFound, headers: headers, body: .init(byteBuffer: ByteBuffer(string: html)))
    }

    /// The reason phrase DHIS2 puts in `httpStatus` (Spring's `HttpStatus.getReasonPhrase()`).
    static func reasonPhrase(_ code: Int) -> String {
        switch code {
        case 200: "OK"
        case 201: "Created"
        case 202: "Accepted"
        case 204: "No Content"
        case 302: "Found"
        case 400: "Bad Request"
        case 401: "Unauthorized"
        case 403: "Forbidden"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 406: "Not Acceptable"
        case 408: "Request Timeout"
        case 409: "Conflict"
        case 413: "Payload Too Large"
        case 415: "Unsupported Media Type"
        case 422: "Unprocessable Entity"
        case 429: "Too Many Requests"
        case 500: "Internal Server Error"
        case 501: "Not Implemented"
        case 502: "Bad Gateway"
        case 503: "Service Unavailable"
        case 504: "Gateway Timeout"
        default: HTTPResponse.Status(code: code).reasonPhrase
        }
    }
}

/// A request's query string as ordered (name, value) pairs, percent-decoded (`+` is a space).
struct QueryParameters: Sendable {
    let pairs: [(name: String, value: String)]

    init(_ query: String?) {
        guard let query, !query.isEmpty else {
            pairs = []
            return
        }
        pairs = query.split(separator: "&", omittingEmptySubsequences: true).map { part in
            let pieces = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = QueryParameters.decode(pieces[0])
            let value = pieces.count > 1 ? QueryParameters.decode(pieces[1]) : ""
            return (name, value)
        }
    }

    /// The first value of `name`.
    subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value of `name`, in order.
    func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// Percent-encodes a query component the way Spring's `UriComponentsBuilder` does for pager links
    /// (unreserved characters kept, everything else escaped; commas become `%2C`).
    static func encode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}
