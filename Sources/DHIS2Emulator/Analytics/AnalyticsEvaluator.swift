import DHIS2
import Foundation

/// Aggregates the analytics table for a resolved query: each data value counts in every requested organisation
/// unit whose subtree holds it and in every requested period that contains its own period (a period is never
/// split into shorter ones), combined by the data element's aggregation type (or the `aggregationType`
/// parameter); indicators are their numerator over denominator, per cell, times the indicator type's factor.
struct AnalyticsEvaluator {
    /// One aggregated cell: the item index of every dimension in header order (the `dx` position holds the data
    /// item's index) and the number.
    struct Cell: Sendable {
        let indices: [Int]
        let value: Double
        /// How to print it: data element values drop a `.0`, indicator values keep DHIS2's `Double` form.
        let isIndicator: Bool
        let decimals: Int?
    }

    let query: ResolvedQuery
    let table: AnalyticsTable
    /// The position of `dx` among the dimensions, `nil` when it is a filter.
    let dataPosition: Int?
    /// Dimensions other than `dx`, with their positions in header order.
    let otherDimensions: [(position: Int, dimension: ResolvedDimension)]
    private let optionsOfCombo: [String: Set<String>]
    private let membersOfGroup: [String: Set<String>]
    /// For the `ou` dimension or filter: each requested org unit's item indices (a unit may be listed once).
    private let orgUnitIndices: [String: [Int]]

    init(query: ResolvedQuery, table: AnalyticsTable) {
        self.query = query
        self.table = table
        dataPosition = query.dimensions.firstIndex { if case .data = $0.kind { true } else { false } }
        otherDimensions = query.dimensions.enumerated().filter { entry in
            if case .data = entry.element.kind { return false }
            return true
        }.map { (position: $0.offset, dimension: $0.element) }
        var options: [String: Set<String>] = [:]
        var members: [String: Set<String>] = [:]
        let needsOptions = query.all.contains { if case .category = $0.kind { true } else { false } }
        let needsMembers = query.all.contains { if case .groupSet = $0.kind { true } else { false } }
        if needsOptions {
            for (id, combo) in query.snapshot.objects["categoryOptionCombos"] ?? [:] {
                options[id] = Set((combo["categoryOptions"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            }
        }
        if needsMembers {
            for (id, group) in query.snapshot.objects["organisationUnitGroups"] ?? [:] {
                members[id] = Set((group["organisationUnits"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            }
        }
        optionsOfCombo = options
        membersOfGroup = members
        var indices: [String: [Int]] = [:]
        for dimension in query.all {
            guard case .orgUnit(let units) = dimension.kind else { continue }
            for (index, unit) in units.enumerated() { indices[unit, default: []].append(index) }
        }
        orgUnitIndices = indices
    }

    // MARK: Cells

    /// Every cell with a value, data items in `dx` order, then the other dimensions' items in order.
    func cells() -> [Cell] {
        var cells: [Cell] = []
        var cache: [DataSelector: [[Int]: Double]] = [:]
        func values(_ selector: DataSelector) -> [[Int]: Double] {
            if let known = cache[selector] { return known }
            let computed = aggregate(selector)
            cache[selector] = computed
            return computed
        }
        // With `dx` as a filter its items are aggregated away: their values add up per cell.
        var merged: [[Int]: (Double, Bool, Int?)] = [:]
        for (itemIndex, item) in query.dataItems.enumerated() {
            var byKey: [[Int]: (Double, Bool, Int?)] = [:]
            switch item {
            case .dataElement(let selector):
                for (key, value) in values(selector) { byKey[key] = (value, false, nil) }
            case .indicator(let id):
                for (key, value) in indicatorValues(id, values: values) {
                    let decimals = query.snapshot.object("indicators", id)?["decimals"]?.doubleValue.map { Int($0) }
                    byKey[key] = (value, true, decimals)
                }
            }
            guard let dataPosition else {
                for (key, entry) in byKey {
                    let previous = merged[key]?.0 ?? 0
                    merged[key] = (previous + entry.0, entry.1, entry.2)
                }
                continue
            }
            for key in byKey.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
                guard let (value, isIndicator, decimals) = byKey[key] else { continue }
                var indices = Array(repeating: 0, count: query.dimensions.count)
                for (offset, other) in otherDimensions.enumerated() { indices[other.position] = key[offset] }
                indices[dataPosition] = itemIndex
                cells.append(Cell(indices: indices, value: value, isIndicator: isIndicator, decimals: decimals))
            }
        }
        for key in merged.keys.sorted(by: { $0.lexicographicallyPrecedes($1) }) {
            guard let (value, isIndicator, decimals) = merged[key] else { continue }
            var indices = Array(repeating: 0, count: query.dimensions.count)
            for (offset, other) in otherDimensions.enumerated() { indices[other.position] = key[offset] }
            cells.append(Cell(indices: indices, value: value, isIndicator: isIndicator, decimals: decimals))
        }
        return cells
    }

    /// The facts a raw-data query returns: those of the requested data elements inside every dimension and filter.
    func rawFacts() -> [(fact: AnalyticsFact, dataIndex: Int)] {
        var result: [(AnalyticsFact, Int)] = []
        for (itemIndex, item) in query.dataItems.enumerated() {
            guard case .dataElement(let selector) = item else { continue }
            for position in table.byDataElement[selector.dataElement] ?? [] {
                let fact = table.facts[position]
                guard selects(selector, fact), passesFilters(fact),
                    otherDimensions.allSatisfy({ !matches($0.dimension, fact).isEmpty })
                else { continue }
                result.append((fact, itemIndex))
            }
        }
        return result
    }

    // MARK: Aggregation

    private struct Accumulator {
        var sum = 0.0
        var sumOfSquares = 0.0
        var count = 0
        var minimum = Double.infinity
        var maximum = -Double.infinity
        var daysTimesValue = 0.0
        /// Per org unit / option combo / attribute option combo: the earliest and latest value in time, and the
        /// smallest and largest (for FIRST / LAST and the *_SUM_ORG_UNIT types).
        var perSource: [String: (firstDay: Int, first: Double, lastDay: Int, last: Double, min: Double, max: Double)] = [:]
    }

    private func aggregationType(of dataElement: String) -> String {
        if let requested = query.request.aggregationType, requested != "DEFAULT" { return requested }
        return query.snapshot.object("dataElements", dataElement)?["aggregationType"]?.stringValue ?? "SUM"
    }

    private static let perSourceTypes: Set<String> = [
        "LAST", "LAST_IN_PERIOD", "LAST_AVERAGE_ORG_UNIT", "LAST_IN_PERIOD_AVERAGE_ORG_UNIT", "FIRST",
        "FIRST_AVERAGE_ORG_UNIT", "MIN_SUM_ORG_UNIT", "MAX_SUM_ORG_UNIT", "LAST_LAST_ORG_UNIT", "FIRST_FIRST_ORG_UNIT",
    ]

    /// The aggregated value of `selector` per cell key (item indices of the non-`dx` dimensions).
    func aggregate(_ selector: DataSelector) -> [[Int]: Double] {
        let type = aggregationType(of: selector.dataElement)
        let tracksSources = Self.perSourceTypes.contains(type)
        var accumulators: [[Int]: Accumulator] = [:]
        for position in table.byDataElement[selector.dataElement] ?? [] {
            let fact = table.facts[position]
            guard let number = fact.number, selects(selector, fact), passesFilters(fact) else { continue }
            var keys: [[Int]] = [[]]
            for other in otherDimensions {
                let matched = matches(other.dimension, fact)
                if matched.isEmpty {
                    keys = []
                    break
                }
                keys = keys.flatMap { key in matched.map { key + [$0] } }
            }
            for key in keys {
                var accumulator = accumulators[key] ?? Accumulator()
                accumulator.sum += number
                accumulator.sumOfSquares += number * number
                accumulator.count += 1
                accumulator.minimum = min(accumulator.minimum, number)
                accumulator.maximum = max(accumulator.maximum, number)
                accumulator.daysTimesValue += number * Double(fact.days)
                if tracksSources {
                    let source = fact.orgUnit + "-" + fact.categoryOptionCombo + "-" + fact.attributeOptionCombo
                    if var entry = accumulator.perSource[source] {
                        if fact.startDay > entry.lastDay { (entry.lastDay, entry.last) = (fact.startDay, number) }
                        if fact.startDay < entry.firstDay { (entry.firstDay, entry.first) = (fact.startDay, number) }
                        entry.min = min(entry.min, number)
                        entry.max = max(entry.max, number)
                        accumulator.perSource[source] = entry
                    } else {
                        accumulator.perSource[source] = (fact.startDay, number, fact.startDay, number, number, number)
                    }
                }
                accumulators[key] = accumulator
            }
        }
        var result: [[Int]: Double] = [:]
        for (key, accumulator) in accumulators {
            if let value = finish(accumulator, type: type, key: key) { result[key] = value }
        }
        return result
    }

    private func finish(_ accumulator: Accumulator, type: String, key: [Int]) -> Double? {
        let count = Double(accumulator.count)
        let sources = accumulator.perSource.values
        switch type {
        case "AVERAGE": return accumulator.sum / count
        case "AVERAGE_SUM_ORG_UNIT":
            // DHIS2: sum(daysxvalue) / daysno: each value weighted by its period's days over the requested days.
            let days = requestedDays(key)
            return days > 0 ? accumulator.daysTimesValue / Double(days) : nil
        case "COUNT": return count
        case "MIN": return accumulator.minimum
        case "MAX": return accumulator.maximum
        case "STDDEV", "VARIANCE":
            // Postgres `stddev_samp` / `var_samp`: undefined for a single value.
            guard accumulator.count > 1 else { return nil }
            let variance = (accumulator.sumOfSquares - accumulator.sum * accumulator.sum / count) / (count - 1)
            return type == "STDDEV" ? max(variance, 0).squareRoot() : variance
        case "LAST", "LAST_IN_PERIOD", "LAST_LAST_ORG_UNIT": return sources.reduce(0) { $0 + $1.last }
        case "LAST_AVERAGE_ORG_UNIT", "LAST_IN_PERIOD_AVERAGE_ORG_UNIT":
            return sources.isEmpty ? nil : sources.reduce(0) { $0 + $1.last } / Double(sources.count)
        case "FIRST", "FIRST_FIRST_ORG_UNIT": return sources.reduce(0) { $0 + $1.first }
        case "FIRST_AVERAGE_ORG_UNIT":
            return sources.isEmpty ? nil : sources.reduce(0) { $0 + $1.first } / Double(sources.count)
        case "MIN_SUM_ORG_UNIT": return sources.reduce(0) { $0 + $1.min }
        case "MAX_SUM_ORG_UNIT": return sources.reduce(0) { $0 + $1.max }
        default: return accumulator.sum
        }
    }

    /// The days a cell covers: its period, else the filter periods together, else `startDate`…`endDate`.
    func requestedDays(_ key: [Int]) -> Int {
        for (offset, other) in otherDimensions.enumerated() {
            if case .period(let periods) = other.dimension.kind { return periods[key[offset]].dayCount }
        }
        for filter in query.filters {
            if case .period(let periods) = filter.kind { return periods.reduce(0) { $0 + $1.dayCount } }
        }
        if let range = query.dateRange { return range.count }
        return 0
    }

    // MARK: Indicators

    private func indicatorValues(_ id: String, values: (DataSelector) -> [[Int]: Double]) -> [[Int]: Double] {
        guard let indicator = query.snapshot.object("indicators", id),
            let numerator = try? IndicatorExpression.parse(indicator["numerator"]?.stringValue ?? ""),
            let denominator = try? IndicatorExpression.parse(indicator["denominator"]?.stringValue ?? "1")
        else { return [:] }
        let typeID = indicator["indicatorType"]?["id"]?.stringValue ?? ""
        let factor = query.snapshot.object("indicatorTypes", typeID)?["factor"]?.doubleValue ?? 1
        let annualized = indicator["annualized"]?.boolValue ?? false
        var constants: [String: Double] = [:]
        for (constantID, constant) in query.snapshot.objects["constants"] ?? [:] {
            constants[constantID] = constant["value"]?.doubleValue
        }
        let selectors = unique(numerator.selectors + denominator.selectors, by: { $0 })
        let tables = Dictionary(uniqueKeysWithValues: selectors.map { ($0, values($0)) })
        var keys = Set<[Int]>()
        for table in tables.values { keys.formUnion(table.keys) }
        var result: [[Int]: Double] = [:]
        for key in keys {
            let days = requestedDays(key)
            let lookup: (DataSelector) -> Double? = { tables[$0]?[key] }
            guard let top = numerator.evaluate(values: lookup, constants: constants, days: days),
                let bottom = denominator.evaluate(values: lookup, constants: constants, days: days), bottom != 0
            else { continue }
            var value = top / bottom * factor
            if annualized, days > 0, days < 365 { value *= 365 / Double(days) }
            if value.isFinite { result[key] = value }
        }
        return result
    }

    // MARK: Matching

    private func selects(_ selector: DataSelector, _ fact: AnalyticsFact) -> Bool {
        if let coc = selector.categoryOptionCombo, fact.categoryOptionCombo != coc { return false }
        if let aoc = selector.attributeOptionCombo, fact.attributeOptionCombo != aoc { return false }
        return true
    }

    private func passesFilters(_ fact: AnalyticsFact) -> Bool {
        if let range = query.dateRange, !(range.contains(fact.startDay) && range.contains(fact.endDay)) { return false }
        for filter in query.filters {
            if case .data = filter.kind { continue }
            if matches(filter, fact).isEmpty { return false }
        }
        return true
    }

    /// The indices of `dimension`'s items that `fact` counts in.
    func matches(_ dimension: ResolvedDimension, _ fact: AnalyticsFact) -> [Int] {
        switch dimension.kind {
        case .data: return [0]
        case .period(let periods):
            // A value counts in a requested period that contains its period's start and is at least as long
            // (DHIS2's period structure columns: a value belongs to the periods of its own or longer types).
            return periods.indices.filter { index in
                let period = periods[index]
                let start = period.startDate.dayNumber, end = period.endDate.dayNumber
                return fact.startDay >= start && fact.startDay <= end && fact.days <= end - start + 1
            }
        case .orgUnit:
            // Ancestors are distinct, so each requested unit is matched at most once.
            return fact.orgUnitAncestors.flatMap { orgUnitIndices[$0] ?? [] }.sorted()
        case .optionCombo(let combos):
            return combos.indices.filter { combos[$0] == fact.categoryOptionCombo }
        case .category(let options):
            let own = optionsOfCombo[fact.categoryOptionCombo] ?? []
            return options.indices.filter { own.contains(options[$0]) }
        case .groupSet(let groups):
            return groups.indices.filter { membersOfGroup[groups[$0]]?.contains(fact.orgUnit) == true }
        }
    }
}

/// DHIS2's number output for analytics values (dhis2-core `AnalyticsUtils.getRoundedValueObject` /
/// `getRoundedValue` and `MathUtils.getRounded`, printed by Java's `String.valueOf`).
enum AnalyticsNumber {
    /// Default rounding: two decimals strictly between -1 and 1, otherwise one (`Math.round(v * f) / f`).
    static func rounded(_ value: Double, decimals: Int? = nil) -> Double {
        let places = decimals ?? ((value < 1 && value > -1) ? 2 : 1)
        let factor = pow(10, Double(places))
        return (value * factor + 0.5).rounded(.down) / factor
    }

    /// A data element value: rounded, and printed without decimals when they are all zero (DHIS2 turns such
    /// values into a `long`); with `skipRounding` rounded to 10 decimals and printed as a Java `Double`.
    static func dataValue(_ value: Double, skipRounding: Bool) -> String {
        if skipRounding { return javaDouble(rounded(value, decimals: 10)) }
        let rounded = rounded(value)
        if rounded == rounded.rounded(.towardZero), abs(rounded) < 9.0e18 { return String(Int64(rounded)) }
        return javaDouble(rounded)
    }

    /// An indicator value: rounded to the indicator's decimals (or the default rounding), printed as a Java
    /// `Double` (`27.0`); zero decimals give a `long`.
    static func indicatorValue(_ value: Double, decimals: Int?, skipRounding: Bool) -> String {
        if skipRounding { return javaDouble(rounded(value, decimals: 10)) }
        if decimals == 0, abs(value) < 9.0e18 { return String(Int64((value + 0.5).rounded(.down))) }
        if let decimals, decimals > 0 { return javaDouble(rounded(value, decimals: decimals)) }
        return javaDouble(rounded(value))
    }

    /// Java's `Double.toString`: plain notation with at least one fraction digit for 10⁻³ ≤ |v| < 10⁷, otherwise
    /// computerized scientific notation (`1.2345678E7`).
    static func javaDouble(_ value: Double) -> String {
        if value == 0 { return value.sign == .minus ? "-0.0" : "0.0" }
        let magnitude = abs(value)
        let sign = value < 0 ? "-" : ""
        let text = "\(magnitude)"
        if magnitude >= 1e-3 && magnitude < 1e7 {
            if text.contains("e") {
                // Swift switches to exponents earlier than Java for small numbers; expand.
                return sign + (Decimal(string: text).map { "\($0)" } ?? text)
            }
            return sign + (text.contains(".") ? text : text + ".0")
        }
        var digits: String
        var exponent: Int
        if let eIndex = text.firstIndex(of: "e") {
            let mantissa = String(text[..<eIndex])
            exponent = Int(text[text.index(after: eIndex)...]) ?? 0
            let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
            digits = String(parts[0]) + (parts.count > 1 ? String(parts[1]) : "")
            exponent += 0
        } else {
            let parts = text.split(separator: ".", omittingEmptySubsequences: false)
            let integer = String(parts[0])
            let fraction = parts.count > 1 ? String(parts[1]) : ""
            if integer != "0" {
                digits = integer + fraction
                exponent = integer.count - 1
            } else {
                let leadingZeros = fraction.prefix { $0 == "0" }.count
                digits = String(fraction.dropFirst(leadingZeros))
                exponent = -(leadingZeros + 1)
            }
        }
        while digits.count > 1, digits.hasSuffix("0") { digits.removeLast() }
        let head = String(digits.prefix(1))
        let tail = digits.count > 1 ? String(digits.dropFirst()) : "0"
        return sign + head + "." + tail + "E" + String(exponent)
    }
}
