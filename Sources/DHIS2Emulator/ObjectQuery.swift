import DHIS2
import Foundation

/// A failed query parameter: answered with a 400 WebMessage.
struct QueryError: Error {
    let message: String
    let errorCode: String?
}

/// One `filter=path:operator[:value]` (reference §5).
struct ObjectFilter: Sendable {
    let path: [String]
    let rawPath: String
    let operation: String
    let value: String?

    static let valueless: Set<String> = ["null", "!null", "empty", "!empty"]
    static let operators: Set<String> = [
        "eq", "ieq", "!eq", "ne", "neq", "gt", "lt", "ge", "gte", "le", "lte", "like", "!like", "$like", "!$like",
        "like$", "!like$", "ilike", "!ilike", "$ilike", "startsWith", "!$ilike", "ilike$", "endsWith", "!ilike$", "in",
        "!in", "null", "!null", "empty", "!empty", "token", "!token",
    ]

    /// Splits `filter` parameters (commas separate filters, except inside `[...]`) and parses each one.
    static func parseAll(_ parameters: [String], version: EmulatedVersion) throws(QueryError) -> [ObjectFilter] {
        var filters: [ObjectFilter] = []
        for parameter in parameters {
            var depth = 0
            var current = ""
            var pieces: [String] = []
            for character in parameter {
                if character == "[" { depth += 1 }
                if character == "]" { depth = max(0, depth - 1) }
                if character == ",", depth == 0 {
                    pieces.append(current)
                    current = ""
                } else {
                    current.append(character)
                }
            }
            pieces.append(current)
            for piece in pieces where !piece.isEmpty { filters.append(try parse(piece, version: version)) }
        }
        return filters
    }

    static func parse(_ text: String, version: EmulatedVersion) throws(QueryError) -> ObjectFilter {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else {
            throw QueryError(message: "Invalid filter `\(text)`: expected `property:operator[:value]`.", errorCode: "E1003")
        }
        let operation = parts[1]
        let known = operators.contains(operation) && (operation != "!empty" || version.hasNotEmptyOperator)
            && (operation != "ieq" || version.minor >= 41)
        guard known else { throw QueryError(message: "`\(operation)` is not a valid operator.", errorCode: nil) }
        let value = parts.count > 2 ? parts[2] : nil
        if operation == "in" || operation == "!in" {
            guard let value, value.hasPrefix("["), value.hasSuffix("]"), value.count > 2 else {
                throw QueryError(
                    message: "Invalid argument `\(value ?? "")` for in operator, expected a list of values like [a,b].",
                    errorCode: nil)
            }
        }
        return ObjectFilter(
            path: parts[0].split(separator: ".").map(String.init), rawPath: parts[0], operation: operation, value: value)
    }
}

/// Evaluates filters and orders over metadata views.
struct ObjectQuery {
    let view: MetadataView
    let type: MetadataType

    /// Checks that every filter path resolves on `type` (§5.1: unknown path → 400 E1003, unless the last segment is
    /// a UID, which names a metadata attribute).
    func validate(_ filters: [ObjectFilter]) throws(QueryError) {
        for filter in filters {
            if filter.rawPath == "identifiable" { continue }
            var currentType: MetadataType? = type
            for (position, segment) in filter.path.enumerated() {
                let isLast = position == filter.path.count - 1
                if isLast, UID.isValid(segment), filter.path.count == 1 { break }
                guard let resolvedType = currentType else {
                    // Through a reference to a type the emulator does not store: only its `id` is known.
                    if segment == "id" || (isLast && UID.isValid(segment)) { break }
                    throw unknownPath(filter.rawPath)
                }
                let known = resolvedType.property(segment) != nil || MetadataView.computedNames.contains(segment)
                guard known else { throw unknownPath(filter.rawPath) }
                guard let property = resolvedType.property(segment) else {
                    if !isLast { throw unknownPath(filter.rawPath) }
                    break
                }
                if !isLast {
                    if property.isSimple { throw unknownPath(filter.rawPath) }
                    currentType = property.referenceTarget.flatMap { view.types[$0] }
                    if property.referenceTarget == nil, case .complex = property.kind { currentType = nil }
                }
            }
        }
    }

    private func unknownPath(_ path: String) -> QueryError {
        QueryError(message: "Unknown path property: \(path)", errorCode: "E1003")
    }

    func matches(_ object: [String: JSONValue], _ filters: [ObjectFilter], rootJunctionOr: Bool) -> Bool {
        guard !filters.isEmpty else { return true }
        let results = filters.lazy.map { self.matches(object, $0) }
        return rootJunctionOr ? results.contains(true) : !results.contains(false)
    }

    func matches(_ object: [String: JSONValue], _ filter: ObjectFilter) -> Bool {
        if filter.rawPath == "identifiable" {
            let candidates = ["id", "code", "name", "shortName"].compactMap { object[$0]?.stringValue }
            let positive = filter.operation.hasPrefix("!") ? String(filter.operation.dropFirst()) : filter.operation
            let any = candidates.contains { compare(.string($0), operation: positive, value: filter.value) }
            return filter.operation.hasPrefix("!") ? !any : any
        }
        if filter.path.count == 1, UID.isValid(filter.rawPath), type.property(filter.rawPath) == nil {
            let attributeValues = (object["attributeValues"]?.arrayValue ?? []).filter {
                $0["attribute"]?["id"]?.stringValue == filter.rawPath
            }
            return evaluate(attributeValues.compactMap { $0["value"] }, isCollection: false, filter: filter)
        }
        let (values, isCollection) = resolve(filter.path, in: view.fullView(object, type: type), type: type)
        return evaluate(values, isCollection: isCollection, filter: filter)
    }

    /// The values at `path`; `isCollection` when the path ends on a collection (compared by size / emptiness).
    private func resolve(_ path: [String], in object: [String: JSONValue], type: MetadataType?) -> ([JSONValue], Bool) {
        guard let head = path.first else { return ([], false) }
        let value = object[head]
        let property = type?.property(head)
        if path.count == 1 {
            if property?.isCollection == true { return (value.map { [$0] } ?? [.array([])], true) }
            return (value.map { $0.isNull ? [] : [$0] } ?? [], false)
        }
        let items: [JSONValue]
        switch value {
        case .array(let elements): items = elements
        case .some(let element): items = [element]
        case nil: items = []
        }
        let targetType = property?.referenceTarget.flatMap { view.types[$0] }
        var collected: [JSONValue] = []
        var endsOnCollection = false
        for item in items {
            guard var members = item.objectValue else { continue }
            if let targetType, let id = members["id"]?.stringValue, let referenced = view.snapshot.object(targetType.plural, id) {
                members = view.fullView(referenced, type: targetType)
            }
            let (values, isCollection) = resolve(Array(path.dropFirst()), in: members, type: targetType)
            collected += values
            endsOnCollection = endsOnCollection || isCollection
        }
        return (collected, endsOnCollection)
    }

    private func evaluate(_ values: [JSONValue], isCollection: Bool, filter: ObjectFilter) -> Bool {
        let operation = filter.operation
        if isCollection {
            let count = values.first?.arrayValue?.count ?? 0
            switch operation {
            case "empty": return count == 0
            case "!empty": return count > 0
            case "null": return values.isEmpty
            case "!null": return !values.isEmpty
            default: return compare(.number(Double(count)), operation: operation, value: filter.value)
            }
        }
        switch operation {
        case "null": return values.isEmpty
        case "!null": return !values.isEmpty
        case "empty": return values.isEmpty
        case "!empty": return !values.isEmpty
        default: break
        }
        let negated: String? =
            switch operation {
            case "!eq", "ne", "neq": "eq"
            case "!like": "like"
            case "!$like": "$like"
            case "!like$": "like$"
            case "!ilike": "ilike"
            case "!$ilike": "$ilike"
            case "!ilike$": "ilike$"
            case "!in": "in"
            case "!token": "token"
            default: nil
            }
        if let positive = negated {
            return !values.contains { compare($0, operation: positive, value: filter.value) }
        }
        return values.contains { compare($0, operation: operation, value: filter.value) }
    }

    private func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number): return Int64(exactly: number).map(String.init) ?? String(number)
        default: return value.description
        }
    }

    private func compare(_ value: JSONValue, operation: String, value argument: String?) -> Bool {
        let argument = argument ?? ""
        let actual = text(value)
        switch operation {
        case "eq":
            if case .number(let number) = value, let expected = Double(argument) { return number == expected }
            if case .bool = value { return actual == argument.lowercased() }
            return actual == argument
        case "ieq": return actual.lowercased() == argument.lowercased()
        case "like": return actual.contains(argument)
        case "$like": return actual.hasPrefix(argument)
        case "like$": return actual.hasSuffix(argument)
        case "ilike": return actual.lowercased().contains(argument.lowercased())
        case "$ilike", "startsWith": return actual.lowercased().hasPrefix(argument.lowercased())
        case "ilike$", "endsWith": return actual.lowercased().hasSuffix(argument.lowercased())
        case "in":
            let list = argument.dropFirst().dropLast().split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            return list.contains { compare(value, operation: "eq", value: $0) }
        case "token":
            let words = actual.lowercased().split(whereSeparator: { $0.isWhitespace })
            return argument.lowercased().split(whereSeparator: { $0.isWhitespace }).allSatisfy { token in
                words.contains { $0.hasPrefix(token) }
            }
        case "gt", "lt", "ge", "gte", "le", "lte":
            let order: ComparisonResult
            if case .number(let number) = value, let expected = Double(argument) {
                order = number < expected ? .orderedAscending : (number > expected ? .orderedDescending : .orderedSame)
            } else {
                let normalised = DHIS2Date.normalise(argument) ?? argument
                order = actual < normalised ? .orderedAscending : (actual > normalised ? .orderedDescending : .orderedSame)
            }
            switch operation {
            case "gt": return order == .orderedDescending
            case "lt": return order == .orderedAscending
            case "ge", "gte": return order != .orderedAscending
            default: return order != .orderedDescending
            }
        default:
            return false
        }
    }

    /// Parses `order` (comma-separated or repeated `property[:asc|desc|iasc|idesc]`); entries naming anything but a
    /// persisted simple property are ignored, as DHIS2 does.
    func orderings(_ parameters: [String]) -> [(property: String, ascending: Bool, caseInsensitive: Bool)] {
        var result: [(String, Bool, Bool)] = []
        for entry in parameters.flatMap({ $0.split(separator: ",") }) {
            let parts = entry.split(separator: ":").map(String.init)
            guard let name = parts.first else { continue }
            let property = name == "displayName" ? "name" : name
            guard let description = type.property(property), description.isSimple, description.persisted else { continue }
            let direction = parts.count > 1 ? parts[1].lowercased() : "asc"
            switch direction {
            case "asc": result.append((property, true, false))
            case "desc": result.append((property, false, false))
            case "iasc": result.append((property, true, true))
            case "idesc": result.append((property, false, true))
            default: continue
            }
        }
        return result
    }

    /// Sorts by the given orderings, then by `name` (case-insensitive) and `id`, DHIS2's default order.
    func sort(
        _ objects: [[String: JSONValue]], by orderings: [(property: String, ascending: Bool, caseInsensitive: Bool)]
    ) -> [[String: JSONValue]] {
        let all = orderings + [("name", true, true), ("id", true, false)]
        return objects.sorted { left, right in
            for ordering in all {
                let result = compareForOrder(left[ordering.property], right[ordering.property], ordering.caseInsensitive)
                if result == .orderedSame { continue }
                return ordering.ascending ? result == .orderedAscending : result == .orderedDescending
            }
            return false
        }
    }

    private func compareForOrder(_ left: JSONValue?, _ right: JSONValue?, _ caseInsensitive: Bool) -> ComparisonResult {
        switch (left, right) {
        case (nil, nil): return .orderedSame
        case (nil, _): return .orderedDescending  // nulls last
        case (_, nil): return .orderedAscending
        case (.number(let a), .number(let b)): return a < b ? .orderedAscending : (a > b ? .orderedDescending : .orderedSame)
        case (.some(let a), .some(let b)):
            var x = text(a)
            var y = text(b)
            if caseInsensitive {
                x = x.lowercased()
                y = y.lowercased()
            }
            return x < y ? .orderedAscending : (x > y ? .orderedDescending : .orderedSame)
        }
    }
}
