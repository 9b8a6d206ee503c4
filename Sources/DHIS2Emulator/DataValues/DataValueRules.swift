import DHIS2
import Foundation

/// DHIS2's value checks for data values: value types (`ValidationUtils.valueIsValid`), Boolean normalisation, and
/// how conflict messages render their arguments (`java.text.MessageFormat`).
enum DataValueRules {
    /// DHIS2's longest accepted text value (`ValidationUtils.VALUE_MAX_LENGTH`).
    static let maximumValueLength = 50_000

    /// `nil` when `value` suits `valueType`, else DHIS2's i18n key for the problem (e.g. `value_not_integer`)
    /// [core/2.42 ValidationUtils.valueIsValid, MathUtils].
    static func problem(value: String, valueType: String) -> String? {
        if value.utf8.count > maximumValueLength { return "value_length_greater_than_max_length" }
        switch valueType {
        case "NUMBER":
            return isNumeric(value) ? nil : "value_not_numeric"
        case "UNIT_INTERVAL":
            guard isNumeric(value), let number = Double(value), (0...1).contains(number) else {
                return "value_not_unit_interval"
            }
            return nil
        case "PERCENTAGE":
            guard isNumeric(value), let number = Double(value), (0...100).contains(number) else {
                return "value_not_percentage"
            }
            return nil
        case "INTEGER":
            return isInteger(value) ? nil : "value_not_integer"
        case "INTEGER_POSITIVE":
            return isInteger(value) && !value.hasPrefix("-") && value != "0" ? nil : "value_not_positive_integer"
        case "INTEGER_NEGATIVE":
            return isInteger(value) && value.hasPrefix("-") ? nil : "value_not_negative_integer"
        case "INTEGER_ZERO_OR_POSITIVE":
            return isInteger(value) && !value.hasPrefix("-") ? nil : "value_not_zero_or_positive_integer"
        case "BOOLEAN":
            return value == "true" || value == "false" ? nil : "value_not_bool"
        case "TRUE_ONLY":
            return value == "true" ? nil : "value_not_true_only"
        case "DATE":
            return isDate(value) ? nil : "value_not_valid_date"
        case "DATETIME":
            return DHIS2Date.parse(value) != nil ? nil : "value_not_valid_datetime"
        case "LETTER":
            return value.count == 1 && value.first?.isLetter == true ? nil : "value_not_valid_letter"
        default:
            return nil
        }
    }

    /// DHIS2's Boolean spellings (`1`, `t`, `yes`, …) normalised to `true`/`false` for BOOLEAN and TRUE_ONLY
    /// [core/2.42 ValidationUtils.normalizeBoolean].
    static func normalised(value: String, valueType: String) -> String {
        guard valueType == "BOOLEAN" || valueType == "TRUE_ONLY", value.count <= 5 else { return value }
        switch value.lowercased() {
        case "1", "t", "y", "yes", "true": return "true"
        case "0", "f", "n", "no", "false": return "false"
        default: return value
        }
    }

    /// A decimal number: `-?\d+(\.\d+)?(E-?\d+)?`. Leading zeros are accepted: the real play database holds NUMBER
    /// values such as `017` and `0100` (fixtures/play/data_values.json.gz), so DHIS2's check lets them through.
    static func isNumeric(_ text: String) -> Bool {
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, isDigit(first) else { return false }
        var index = bytes.startIndex
        while index < bytes.endIndex, isDigit(bytes[index]) { index = bytes.index(after: index) }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: ".") {
            index = bytes.index(after: index)
            let start = index
            while index < bytes.endIndex, isDigit(bytes[index]) { index = bytes.index(after: index) }
            if index == start { return false }
        }
        if index < bytes.endIndex, bytes[index] == UInt8(ascii: "E") || bytes[index] == UInt8(ascii: "e") {
            index = bytes.index(after: index)
            if index < bytes.endIndex, bytes[index] == UInt8(ascii: "-") { index = bytes.index(after: index) }
            let start = index
            while index < bytes.endIndex, isDigit(bytes[index]) { index = bytes.index(after: index) }
            if index == start { return false }
        }
        return index == bytes.endIndex
    }

    /// `^(0|-?[1-9]\d*)$` [core/2.42 MathUtils.INT_PATTERN].
    static func isInteger(_ text: String) -> Bool {
        if text == "0" { return true }
        var bytes = Substring(text).utf8[...]
        if bytes.first == UInt8(ascii: "-") { bytes = bytes.dropFirst() }
        guard let first = bytes.first, first != UInt8(ascii: "0"), bytes.count <= 10 else { return false }
        return bytes.allSatisfy(isDigit) && Int64(text).map { $0 >= Int64(Int32.min) && $0 <= Int64(Int32.max) } == true
    }

    /// A `yyyy-MM-dd` calendar date.
    static func isDate(_ text: String) -> Bool {
        guard text.utf8.count == 10 else { return false }
        return CalendarDate(text) != nil
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }

    /// An argument as `MessageFormat` renders it: numbers with grouping separators (`1,234`), lists as Java's
    /// `List.toString()` (`[a, b]`).
    static func javaText(_ number: Int) -> String {
        let digits = String(abs(number))
        var grouped = ""
        for (offset, character) in digits.enumerated() {
            if offset > 0, (digits.count - offset) % 3 == 0 { grouped.append(",") }
            grouped.append(character)
        }
        return number < 0 ? "-" + grouped : grouped
    }

    static func javaList(_ items: [String]) -> String { "[" + items.joined(separator: ", ") + "]" }
}
