import DHIS2
import Foundation

/// The root members of a data value set that apply to its rows, read before the rows.
struct DataValueSetRoot: Sendable {
    var dataSet: String?
    var period: String?
    var orgUnit: String?
    var attributeOptionCombo: String?
    var completeDate: String?
    var dryRun: Bool?
    var strategy: String?
    var schemes: [String: String] = [:]
}

/// Reads a JSON data value set without building a tree of its rows: a first pass finds the root members (the
/// defaults may come after `dataValues` in the document), the second hands each row to the caller as it is decoded
/// with the generated models' reader.
enum DataValueSetReader {
    static func read(
        _ bytes: [UInt8], root onRoot: (DataValueSetRoot) throws -> Void, row: (Int, DataValue) throws -> Void
    ) throws -> DataValueSetRoot {
        var root = DataValueSetRoot()
        for (key, range) in try topLevelMembers(bytes) where key != "dataValues" {
            var reader = DHIS2JSONReader(bytes: Array(bytes[range]))
            let value = try reader.readValue()
            func text() -> String? {
                switch value {
                case .string(let text): text.isEmpty ? nil : text
                case .number(let number): number.rounded() == number ? String(Int64(number)) : String(number)
                default: nil
                }
            }
            switch key {
            case "dataSet": root.dataSet = text()
            case "period": root.period = text()
            case "orgUnit": root.orgUnit = text()
            case "attributeOptionCombo": root.attributeOptionCombo = text()
            case "completeDate", "completedDate": root.completeDate = text()
            case "dryRun": root.dryRun = value.boolValue
            case "strategy", "importStrategy": root.strategy = text()
            case "idScheme", "dataElementIdScheme", "orgUnitIdScheme", "categoryOptionComboIdScheme",
                "dataSetIdScheme":
                if let scheme = text() { root.schemes[key] = scheme }
            default: break
            }
        }
        try onRoot(root)
        var reader = DHIS2JSONReader(bytes: bytes)
        try reader.beginObject()
        while let key = try reader.nextKey() {
            guard key == "dataValues" else {
                _ = try reader.readValue()
                continue
            }
            if try reader.readNull() { continue }
            try reader.beginArray()
            var index = 0
            while try reader.nextElement() {
                try row(index, try DataValue(json: &reader))
                index += 1
            }
        }
        return root
    }

    /// The members of the top-level object with the byte range of each value, found by scanning (strings and
    /// nesting skipped, nothing decoded).
    static func topLevelMembers(_ bytes: [UInt8]) throws -> [(String, Range<Int>)] {
        var index = 0
        func skipWhitespace() {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D
                || bytes[index] == 0x09
            {
                index += 1
            }
        }
        func fail(_ message: String) -> DataValueRequestError {
            .badRequest("JSON parse error: \(message) at byte \(index)")
        }
        func skipString() throws {
            index += 1
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\\"): index += 2
                case UInt8(ascii: "\""):
                    index += 1
                    return
                default: index += 1
                }
            }
            throw fail("unterminated string")
        }
        func skipValue() throws {
            skipWhitespace()
            guard index < bytes.count else { throw fail("expected a value") }
            switch bytes[index] {
            case UInt8(ascii: "\""): try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while index < bytes.count {
                    switch bytes[index] {
                    case UInt8(ascii: "\""):
                        try skipString()
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 {
                            index += 1
                            return
                        }
                    default: break
                    }
                    index += 1
                }
                throw fail("unterminated object or array")
            default:
                while index < bytes.count, !",}] \n\r\t".utf8.contains(bytes[index]) { index += 1 }
            }
        }
        var members: [(String, Range<Int>)] = []
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "{") else { throw fail("expected an object") }
        index += 1
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw fail("unterminated object") }
            if bytes[index] == UInt8(ascii: "}") { break }
            if bytes[index] == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            }
            guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else { throw fail("expected a member name") }
            let keyStart = index
            try skipString()
            var keyReader = DHIS2JSONReader(bytes: Array(bytes[keyStart..<index]))
            let key = try keyReader.readString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            skipWhitespace()
            let start = index
            try skipValue()
            members.append((key, start..<index))
        }
        return members
    }
}

extension DataValue {
    /// `value` also when the payload sent it as a JSON number or Boolean (Jackson coerces those to text).
    var valueText: String? {
        if let value { return value }
        switch unknownMembers["value"] {
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? String(Int64(number)) : String(number)
        case .bool(let flag): return flag ? "true" : "false"
        default: return nil
        }
    }

    /// `followup`, also spelled `followUp`.
    var followUpFlag: Bool? { followup ?? unknownMembers["followUp"]?.boolValue }
}
