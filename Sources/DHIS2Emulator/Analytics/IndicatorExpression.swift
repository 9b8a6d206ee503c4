import DHIS2
import Foundation

/// An indicator numerator or denominator: numbers, `#{de}`, `#{de.coc}`, `#{de.coc.aoc}` (`*` for any),
/// `C{constant}`, `[days]`, the operators `+ - * /` and parentheses. Other item kinds DHIS2 allows (`R{…}`, `I{…}`,
/// `D{…}`, `A{…}`, `N{…}`, `OUG{…}`) parse as items the emulator has no values for.
indirect enum IndicatorExpression: Sendable {
    case number(Double)
    case item(DataSelector)
    case constant(String)
    case days
    case unsupported(String)
    case negate(IndicatorExpression)
    case binary(Character, IndicatorExpression, IndicatorExpression)

    struct ParseError: Error, Sendable {
        let message: String
    }

    /// The data value selectors the expression refers to.
    var selectors: [DataSelector] {
        switch self {
        case .item(let selector): return [selector]
        case .negate(let inner): return inner.selectors
        case .binary(_, let left, let right): return left.selectors + right.selectors
        case .number, .constant, .days, .unsupported: return []
        }
    }

    /// Whether the expression refers to any value item (data or unsupported kinds).
    var hasItems: Bool {
        switch self {
        case .item, .unsupported: return true
        case .negate(let inner): return inner.hasItems
        case .binary(_, let left, let right): return left.hasItems || right.hasItems
        case .number, .constant, .days: return false
        }
    }

    /// Evaluates with DHIS2's indicator missing-value strategy SKIP_IF_ALL_VALUES_MISSING: `nil` when the
    /// expression has items and none has a value; otherwise missing items count as 0. Division by zero is `nil`.
    func evaluate(
        values: (DataSelector) -> Double?, constants: [String: Double], days: Int
    ) -> Double? {
        var anyValue = false
        let result = compute(values: values, constants: constants, days: days, anyValue: &anyValue)
        if hasItems && !anyValue { return nil }
        guard let result, result.isFinite else { return nil }
        return result
    }

    private func compute(
        values: (DataSelector) -> Double?, constants: [String: Double], days: Int, anyValue: inout Bool
    ) -> Double? {
        switch self {
        case .number(let number): return number
        case .item(let selector):
            guard let value = values(selector) else { return 0 }
            anyValue = true
            return value
        case .constant(let id): return constants[id] ?? 0
        case .days: return Double(days)
        case .unsupported: return 0
        case .negate(let inner):
            return inner.compute(values: values, constants: constants, days: days, anyValue: &anyValue).map { -$0 }
        case .binary(let op, let left, let right):
            guard let lhs = left.compute(values: values, constants: constants, days: days, anyValue: &anyValue),
                let rhs = right.compute(values: values, constants: constants, days: days, anyValue: &anyValue)
            else { return nil }
            switch op {
            case "+": return lhs + rhs
            case "-": return lhs - rhs
            case "*": return lhs * rhs
            default: return rhs == 0 ? nil : lhs / rhs
            }
        }
    }

    /// Parses an expression; throws on a syntax error.
    static func parse(_ text: String) throws(ParseError) -> IndicatorExpression {
        var parser = Parser(characters: Array(text))
        let expression = try parser.expression()
        parser.skipSpace()
        guard parser.index == parser.characters.count else {
            throw ParseError(message: "unexpected `\(parser.characters[parser.index])` in \(text)")
        }
        return expression
    }

    private struct Parser {
        let characters: [Character]
        var index = 0

        mutating func skipSpace() {
            while index < characters.count, characters[index].isWhitespace { index += 1 }
        }

        mutating func expression() throws(ParseError) -> IndicatorExpression {
            var left = try term()
            while true {
                skipSpace()
                guard index < characters.count, characters[index] == "+" || characters[index] == "-" else { return left }
                let op = characters[index]
                index += 1
                left = .binary(op, left, try term())
            }
        }

        mutating func term() throws(ParseError) -> IndicatorExpression {
            var left = try factor()
            while true {
                skipSpace()
                guard index < characters.count, characters[index] == "*" || characters[index] == "/" else { return left }
                let op = characters[index]
                index += 1
                left = .binary(op, left, try factor())
            }
        }

        mutating func factor() throws(ParseError) -> IndicatorExpression {
            skipSpace()
            guard index < characters.count else { throw ParseError(message: "the expression ends too early") }
            let character = characters[index]
            if character == "-" || character == "+" {
                index += 1
                let inner = try factor()
                return character == "-" ? .negate(inner) : inner
            }
            if character == "(" {
                index += 1
                let inner = try expression()
                skipSpace()
                guard index < characters.count, characters[index] == ")" else { throw ParseError(message: "missing )") }
                index += 1
                return inner
            }
            if character.isNumber || character == "." {
                let start = index
                while index < characters.count, characters[index].isNumber || characters[index] == "." { index += 1 }
                guard let number = Double(String(characters[start..<index])) else {
                    throw ParseError(message: "bad number \(String(characters[start..<index]))")
                }
                return .number(number)
            }
            if character == "[" {
                let start = index
                while index < characters.count, characters[index] != "]" { index += 1 }
                guard index < characters.count else { throw ParseError(message: "missing ]") }
                index += 1
                let word = String(characters[(start + 1)..<(index - 1)])
                return word == "days" ? .days : .unsupported(word)
            }
            // Item kinds: letters followed by `{…}`.
            let start = index
            while index < characters.count, characters[index].isLetter || characters[index] == "#" { index += 1 }
            let kind = String(characters[start..<index])
            guard !kind.isEmpty, index < characters.count, characters[index] == "{" else {
                throw ParseError(message: "unexpected `\(character)`")
            }
            index += 1
            let contentStart = index
            while index < characters.count, characters[index] != "}" { index += 1 }
            guard index < characters.count else { throw ParseError(message: "missing }") }
            let content = String(characters[contentStart..<index]).trimmingCharacters(in: .whitespaces)
            index += 1
            switch kind {
            case "#":
                let parts = content.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
                func part(_ position: Int) -> String? {
                    guard position < parts.count, parts[position] != "*", !parts[position].isEmpty else { return nil }
                    return parts[position]
                }
                return .item(DataSelector(dataElement: parts[0], categoryOptionCombo: part(1), attributeOptionCombo: part(2)))
            case "C": return .constant(content)
            default: return .unsupported(kind + "{" + content + "}")
            }
        }
    }
}
