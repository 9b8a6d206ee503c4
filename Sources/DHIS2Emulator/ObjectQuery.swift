import DHIS2
import Foundation

/// A failed query parameter: answered with a 400 WebMessage.
struct QueryError: Error {
    let message: String
    let errorCode: String?
}

/// One `filter=path:operator[:value]` (reference §5).
struct ObjectFilter: Sendable {
    var path: [String]
    var rawPath: String
    var operation: String
    var value: String?

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

    /// Parses one filter; the value is everything after the second `:` (values may contain `:`).
    static func parse(_ text: String, version: EmulatedVersion) throws(QueryError) -> ObjectFilter {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 2 else {
            throw QueryError(message: "Invalid filter `\(text)`: expected `property:operator[:value]`.", errorCode: "E1003")
        }
        let operation = parts[1]
        // `!empty` arrived in 2.42: 2.41's parser refuses it as an unknown operator, with E1003 (§5.2, §13).
        if operation == "!empty", !version.hasNotEmptyOperator {
            throw QueryError(message: "`\(operation)` is not a valid operator.", errorCode: "E1003")
        }
        guard operators.contains(operation) else {
            throw QueryError(message: "`\(operation)` is not a valid operator.", errorCode: nil)
        }
        let value = parts.count > 2 ? parts[2] : nil
        if operation == "in" || operation == "!in" {
            guard let value, value.hasPrefix("["), value.hasSuffix("]"), value.count > 2 else {
                throw QueryError(
                    message: "Invalid argument `\(value ?? "")` for in operator, expected a list of values like [a,b].",
                    errorCode: nil)
            }
        }
        var filter = ObjectFilter(
            path: parts[0].split(separator: ".").map(String.init), rawPath: parts[0], operation: operation, value: value)
        // `attributeValues.attribute.id:eq:<attribute>` is rewritten to `<attribute>:!null` [DefaultQueryParser].
        if filter.path == ["attributeValues", "attribute", "id"], operation == "eq", let value, UID.isValid(value) {
            filter = ObjectFilter(path: [value], rawPath: value, operation: "!null", value: nil)
        }
        return filter
    }

    /// The items of an `in` list: `[a,b,c]` → `a`, `b`, `c`.
    var listItems: [String] {
        guard let value else { return [] }
        return value.dropFirst().dropLast().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
    }
}

/// Evaluates filters and orders over metadata views (§3.1, §5).
struct ObjectQuery {
    let view: MetadataView
    let type: MetadataType

    /// Checks that every filter path resolves on `type` (§5.1: unknown path → 400 E1003, unless the last segment is
    /// a UID, which names a metadata attribute; a simple property followed by more segments → 400).
    func validate(_ filters: [ObjectFilter]) throws(QueryError) {
        for filter in filters where filter.rawPath != "identifiable" {
            try validate(filter)
        }
    }

    private func validate(_ filter: ObjectFilter) throws(QueryError) {
        var current: MetadataType? = type
        for (position, segment) in filter.path.enumerated() {
            let isLast = position == filter.path.count - 1
            guard let resolvedType = current else {
                // Inside an embedded object or a reference to a type the emulator does not serve, the schema of the
                // items is not known: any member is accepted.
                return
            }
            guard let property = resolvedType.property(segment), resolvedType.hasSchemaProperty(segment) else {
                if isLast, UID.isValid(segment) { return }  // a metadata attribute
                throw unknownPath(filter.rawPath)
            }
            if isLast { return }
            if property.isSimple { throw unknownPath(filter.rawPath) }
            switch property.kind {
            case .reference(let target?), .referenceCollection(let target?), .inverse(let target, _):
                current = view.types[target]
                if current == nil { return }
            case .reference(nil), .referenceCollection(nil):
                // Only `id` is known of a reference to a type the emulator does not serve.
                guard filter.path.count == position + 2, filter.path[position + 1] == "id" else {
                    throw unknownPath(filter.rawPath)
                }
                return
            default:
                current = nil
            }
        }
    }

    private func unknownPath(_ path: String) -> QueryError {
        QueryError(message: "Unknown path property: \(path)", errorCode: "E1003")
    }

    func matches(_ object: [String: JSONValue], _ filters: [ObjectFilter], rootJunctionOr: Bool) -> Bool {
        guard !filters.isEmpty else { return true }
        if rootJunctionOr { return filters.contains { matches(object, $0) } }
        return filters.allSatisfy { matches(object, $0) }
    }

    /// `query=`: `id = q` OR `code = q` OR `name` contains `q` case-insensitively (§5.3).
    func matchesQuery(_ object: [String: JSONValue], _ query: String) -> Bool {
        object["id"]?.stringValue == query || object["code"]?.stringValue == query
            || (object["name"]?.stringValue?.lowercased().contains(query.lowercased()) ?? false)
    }

    func matches(_ object: [String: JSONValue], _ filter: ObjectFilter) -> Bool {
        if filter.rawPath == "identifiable" {
            // `id`, `code`, `name` and `shortName` (when persisted), OR-ed [JpaCriteriaQueryEngine].
            let names = ["id", "code", "name"] + (type.property("shortName")?.persisted == true ? ["shortName"] : [])
            let candidates = names.compactMap { object[$0] }
            return evaluate(candidates, isCollection: false, filter: filter)
        }
        let (values, isCollection) = resolve(filter.path[...], in: object, type: type)
        return evaluate(values, isCollection: isCollection, filter: filter)
    }

    /// The values at `path`; `isCollection` when the path ends on a collection (compared by size / emptiness).
    private func resolve(_ path: ArraySlice<String>, in object: [String: JSONValue], type: MetadataType?)
        -> ([JSONValue], Bool)
    {
        guard let head = path.first else { return ([], false) }
        let property = type?.property(head)
        let value: JSONValue?
        if let type {
            value = view.value(head, of: object, type: type) ?? attributeValue(head, of: object, type: type)
        } else {
            value = object[head].flatMap { $0.isNull ? nil : $0 }
        }
        if path.count == 1 {
            if property?.isCollection == true || (type == nil && value?.arrayValue != nil) {
                return ([value ?? .array([])], true)
            }
            return (value.map { [$0] } ?? [], false)
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
            if let targetType, let id = members["id"]?.stringValue {
                guard let referenced = view.snapshot.object(targetType.plural, id) else { continue }
                members = referenced
            }
            let (values, isCollection) = resolve(path.dropFirst(), in: members, type: targetType)
            collected += values
            endsOnCollection = endsOnCollection || isCollection
        }
        return (collected, endsOnCollection)
    }

    /// The value of metadata attribute `id` on `object`, when `id` is a UID the type has no property for.
    private func attributeValue(_ id: String, of object: [String: JSONValue], type: MetadataType) -> JSONValue? {
        guard type.property(id) == nil, UID.isValid(id) else { return nil }
        return object["attributeValues"]?.arrayValue?.first { $0["attribute"]?["id"]?.stringValue == id }?["value"]
    }

    private func evaluate(_ values: [JSONValue], isCollection: Bool, filter: ObjectFilter) -> Bool {
        let operation = filter.operation
        if isCollection {
            // A collection is compared by its size (`eq`, `gt`, …) or emptiness [DHIS2 collection semantics].
            let counts = values.map { $0.arrayValue?.count ?? 0 }
            let count = counts.reduce(0, +)
            switch operation {
            case "empty": return count == 0
            case "!empty": return count > 0
            case "null": return values.isEmpty
            case "!null": return !values.isEmpty
            default: return evaluate([.number(Double(count))], isCollection: false, filter: filter)
            }
        }
        switch operation {
        case "null": return values.isEmpty
        case "!null": return !values.isEmpty
        case "empty": return values.isEmpty || values.allSatisfy { text($0).isEmpty }
        case "!empty": return values.contains { !text($0).isEmpty }
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
            return !values.contains { compare($0, operation: positive, filter: filter) }
        }
        return values.contains { compare($0, operation: operation, filter: filter) }
    }

    private func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let string): return string
        case .bool(let bool): return bool ? "true" : "false"
        case .number(let number): return Int64(exactly: number).map(String.init) ?? String(number)
        case .object(let members): return members["id"]?.stringValue ?? value.description
        default: return value.description
        }
    }

    private func compare(_ value: JSONValue, operation: String, filter: ObjectFilter) -> Bool {
        compare(value, operation: operation, argument: filter.value ?? "", list: filter.listItems)
    }

    private func compare(_ value: JSONValue, operation: String, argument: String, list: [String]) -> Bool {
        let actual = text(value)
        switch operation {
        case "eq":
            if case .number(let number) = value, let expected = Double(argument) { return number == expected }
            if case .bool = value { return actual == argument.lowercased() }
            if case .string = value, let normalised = dateArgument(argument, for: actual) { return actual == normalised }
            return actual == argument
        case "ieq": return actual.lowercased() == argument.lowercased()
        case "like": return actual.contains(argument)
        case "$like": return actual.hasPrefix(argument)
        case "like$": return actual.hasSuffix(argument)
        case "ilike": return actual.lowercased().contains(argument.lowercased())
        case "$ilike", "startsWith": return actual.lowercased().hasPrefix(argument.lowercased())
        case "ilike$", "endsWith": return actual.lowercased().hasSuffix(argument.lowercased())
        case "in":
            return list.contains { compare(value, operation: "eq", argument: $0, list: []) }
        case "token":
            // Every token of the argument must start a word of the value, case-insensitively.
            let words = actual.lowercased().split(whereSeparator: { $0.isWhitespace })
            return argument.lowercased().split(whereSeparator: { $0.isWhitespace }).allSatisfy { token in
                words.contains { $0.hasPrefix(token) }
            }
        case "gt", "lt", "ge", "gte", "le", "lte":
            let order: ComparisonResult
            if case .number(let number) = value, let expected = Double(argument) {
                order = number < expected ? .orderedAscending : (number > expected ? .orderedDescending : .orderedSame)
            } else {
                let normalised = dateArgument(argument, for: actual) ?? argument
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

    /// The argument in the wire date format, when the stored value is a date and the argument parses as one.
    private func dateArgument(_ argument: String, for actual: String) -> String? {
        guard actual.count >= 10, DHIS2Date.parse(actual) != nil else { return nil }
        return DHIS2Date.normalise(argument)
    }

    // MARK: Order

    /// One `order` key.
    struct Ordering: Sendable {
        let property: String
        let ascending: Bool
        let caseInsensitive: Bool
    }

    /// Parses `order` (comma-separated or repeated `property[:asc|desc|iasc|idesc]`); entries naming anything but a
    /// persisted simple property, or with another direction, are ignored, as DHIS2 does.
    func orderings(_ parameters: [String]) -> [Ordering] {
        var result: [Ordering] = []
        for entry in parameters.flatMap({ $0.split(separator: ",") }) {
            let parts = entry.split(separator: ":", omittingEmptySubsequences: false).map {
                $0.trimmingCharacters(in: .whitespaces)
            }
            guard let name = parts.first, !name.isEmpty, parts.count <= 2 else { continue }
            // `displayName` orders by the (translated) name.
            let property = name == "displayName" ? "name" : name
            guard let description = type.property(property), type.hasSchemaProperty(property), description.isSimple,
                description.persisted
            else { continue }
            let direction = parts.count > 1 ? parts[1].lowercased() : "asc"
            switch direction {
            case "asc": result.append(Ordering(property: property, ascending: true, caseInsensitive: false))
            case "desc": result.append(Ordering(property: property, ascending: false, caseInsensitive: false))
            case "iasc": result.append(Ordering(property: property, ascending: true, caseInsensitive: true))
            case "idesc": result.append(Ordering(property: property, ascending: false, caseInsensitive: true))
            default: continue
            }
        }
        return result
    }

    /// A precomputed sort key: numbers compare as numbers, everything else as text; missing values sort last.
    private enum SortKey: Comparable {
        case number(Double)
        case text(String)
        case missing
    }

    /// Sorts by the given orderings, then by DHIS2's default: `name` (case-insensitive) and `id`. Keys are computed
    /// once per object, so sorting 50,000 objects costs n·log n comparisons of prepared values.
    func sort(_ objects: [[String: JSONValue]], by orderings: [Ordering]) -> [[String: JSONValue]] {
        let all =
            orderings + [
                Ordering(property: "name", ascending: true, caseInsensitive: true),
                Ordering(property: "id", ascending: true, caseInsensitive: false),
            ]
        let keyed = objects.map { object in
            (object, all.map { sortKey(object[$0.property], caseInsensitive: $0.caseInsensitive) })
        }
        return keyed.sorted { left, right in
            for (position, ordering) in all.enumerated() {
                let a = left.1[position]
                let b = right.1[position]
                if a == b { continue }
                // Missing values sort last in both directions.
                if a == .missing { return false }
                if b == .missing { return true }
                return ordering.ascending ? a < b : b < a
            }
            return false
        }.map(\.0)
    }

    private func sortKey(_ value: JSONValue?, caseInsensitive: Bool) -> SortKey {
        switch value {
        case nil, .null?: return .missing
        case .number(let number)?: return .number(number)
        case .some(let value):
            let string = text(value)
            return .text(caseInsensitive ? string.lowercased() : string)
        }
    }
}
