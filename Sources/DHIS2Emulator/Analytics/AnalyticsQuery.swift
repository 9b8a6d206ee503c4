import DHIS2
import Foundation

/// Which data values one `dx` item or expression reference selects: a data element's total, an operand
/// (`de.coc`), or a data element with an attribute option combo (`de.coc.aoc`, `*` for any).
struct DataSelector: Hashable, Sendable {
    let dataElement: String
    let categoryOptionCombo: String?
    let attributeOptionCombo: String?
}

/// One item of the `dx` dimension.
enum DataItem: Sendable {
    case dataElement(DataSelector)
    case indicator(String)

    /// The item's identifier as written in rows (`de`, `de.coc`, `indicator`), before the output id scheme.
    var id: String {
        switch self {
        case .dataElement(let selector):
            guard let coc = selector.categoryOptionCombo else { return selector.dataElement }
            return selector.dataElement + "." + coc
        case .indicator(let id): return id
        }
    }
}

/// A resolved dimension (or filter): its kind and its items in order, with their display names.
struct ResolvedDimension: Sendable {
    enum Kind: Sendable {
        case data([DataItem])
        case period([Period])
        case orgUnit([String])
        case optionCombo([String])
        /// A category: items are category options; a value matches when its category option combo has the option.
        case category([String])
        /// An organisation unit group set: items are groups; a value matches when its org unit is a member.
        case groupSet([String])
    }

    let id: String
    let kind: Kind
    let isFilter: Bool
    /// The relative period keywords used (for `metaData.items`).
    let keywords: [String]

    /// Item identifiers before the output id scheme (ISO strings for periods).
    var itemIDs: [String] {
        switch kind {
        case .data(let items): return items.map(\.id)
        case .period(let periods): return periods.map(\.isoString)
        case .orgUnit(let ids), .optionCombo(let ids), .category(let ids), .groupSet(let ids): return ids
        }
    }

    var count: Int { itemIDs.count }
}

/// An analytics request resolved against the metadata: the dimensions in header order, the filters, and what
/// the evaluator needs to match data values to items.
struct ResolvedQuery: Sendable {
    let request: AnalyticsRequest
    let dimensions: [ResolvedDimension]
    let filters: [ResolvedDimension]
    let snapshot: StoreSnapshot
    /// `startDate`/`endDate` as day numbers, when given instead of periods.
    let dateRange: ClosedRange<Int>?

    var all: [ResolvedDimension] { dimensions + filters }

    var dataItems: [DataItem] {
        for dimension in all { if case .data(let items) = dimension.kind { return items } }
        return []
    }

    /// Resolves and validates `request` as DHIS2's `DefaultDataQueryService` and `DefaultQueryValidator` do, in
    /// the same order of checks (reference §8.3).
    init(
        _ request: AnalyticsRequest, snapshot: StoreSnapshot, principal: Principal, today: CalendarDate
    ) throws(AnalyticsQueryError) {
        self.request = request
        self.snapshot = snapshot
        let resolver = ItemResolver(snapshot: snapshot, principal: principal, today: request.relativePeriodDate ?? today)
        var dimensions: [ResolvedDimension] = []
        var filters: [ResolvedDimension] = []
        for parameter in request.dimensions + request.filters {
            let resolved = try resolver.resolve(parameter)
            if parameter.isFilter { filters.append(resolved) } else { dimensions.append(resolved) }
        }
        // `co` without items means every option combo of the queried data elements.
        let elements = (dimensions + filters).flatMap { dimension -> [String] in
            guard case .data(let items) = dimension.kind else { return [] }
            return items.compactMap { if case .dataElement(let selector) = $0 { selector.dataElement } else { nil } }
        }
        dimensions = dimensions.map { dimension in
            guard case .optionCombo(let combos) = dimension.kind, combos.isEmpty else { return dimension }
            return ResolvedDimension(
                id: dimension.id, kind: .optionCombo(snapshot.optionCombos(ofDataElements: elements)),
                isFilter: dimension.isFilter, keywords: [])
        }
        self.dimensions = dimensions
        self.filters = filters

        if let start = request.startDate, let end = request.endDate {
            dateRange = start.dayNumber...max(start.dayNumber, end.dayNumber)
        } else {
            dateRange = nil
        }

        guard !dimensions.isEmpty else { throw .noDimension }
        let dimensionIDs = Set(dimensions.map(\.id))
        let both = filters.map(\.id).filter { dimensionIDs.contains($0) }
        guard both.isEmpty else { throw .dimensionAndFilter(both) }
        let hasPeriods = (dimensions + filters).contains { if case .period = $0.kind { true } else { false } }
        let hasDates = request.startDate != nil && request.endDate != nil
        guard hasPeriods || hasDates else { throw .noPeriod }
        guard !(hasPeriods && hasDates) else { throw .periodsAndDates }
        if let start = request.startDate, let end = request.endDate, start > end { throw .startAfterEnd }
        for dimension in filters {
            if case .data(let items) = dimension.kind,
                items.filter({ if case .indicator = $0 { true } else { false } }).count > 1
            {
                throw .indicatorFilters
            }
            if case .optionCombo = dimension.kind { throw .optionCombosAsFilter }
        }
        for group in [dimensions, filters] {
            var seen = Set<String>()
            for dimension in group where !seen.insert(dimension.id).inserted {
                throw .duplicateDimension(dimension.id)
            }
        }
        let dataItems = (dimensions + filters).compactMap { dimension -> [DataItem]? in
            if case .data(let items) = dimension.kind { return items }
            return nil
        }.flatMap { $0 }
        guard !dataItems.isEmpty else { throw .noData }
        if dimensions.contains(where: { if case .optionCombo = $0.kind { true } else { false } }) {
            let hasElements = dataItems.contains { if case .dataElement = $0 { true } else { false } }
            guard hasElements else { throw .categoriesWithoutDataElements }
            guard !dataItems.contains(where: { if case .indicator = $0 { true } else { false } }) else {
                throw .categoriesWithOtherItems
            }
        }
        // Data elements must aggregate: numeric or boolean values with an aggregation type other than NONE.
        var elementIDs: [String] = dataItems.compactMap {
            if case .dataElement(let selector) = $0 { return selector.dataElement }
            return nil
        }
        for case .indicator(let id) in dataItems {
            let indicator = snapshot.object("indicators", id) ?? [:]
            for side in ["numerator", "denominator"] {
                let expression = indicator[side]?.stringValue ?? ""
                elementIDs += (try? IndicatorExpression.parse(expression))?.selectors.map(\.dataElement) ?? []
            }
        }
        var seenElements = Set<String>()
        let refused = elementIDs.filter { id in
            guard seenElements.insert(id).inserted, let element = snapshot.object("dataElements", id) else { return false }
            let valueType = element["valueType"]?.stringValue ?? "NUMBER"
            let aggregation = request.aggregationType ?? element["aggregationType"]?.stringValue ?? "SUM"
            return aggregation == "NONE" || !Self.aggregatableValueTypes.contains(valueType)
        }
        guard refused.isEmpty else { throw .notAggregatable(refused) }
    }

    /// The value types DHIS2's analytics aggregates (numeric and boolean types).
    static let aggregatableValueTypes: Set<String> = [
        "NUMBER", "UNIT_INTERVAL", "PERCENTAGE", "INTEGER", "INTEGER_POSITIVE", "INTEGER_NEGATIVE",
        "INTEGER_ZERO_OR_POSITIVE", "BOOLEAN", "TRUE_ONLY",
    ]
}

/// Turns dimension items as written into resolved items (UIDs, ISO periods, org unit keywords).
struct ItemResolver {
    let snapshot: StoreSnapshot
    let principal: Principal
    let today: CalendarDate

    func resolve(_ parameter: DimensionParameter) throws(AnalyticsQueryError) -> ResolvedDimension {
        switch parameter.id {
        case "dx":
            let items = parameter.items.flatMap(dataItems)
            guard !items.isEmpty else { throw .noValidItems("dx") }
            return ResolvedDimension(id: "dx", kind: .data(unique(items, by: \.id)), isFilter: parameter.isFilter, keywords: [])
        case "pe":
            var periods: [Period] = []
            var keywords: [String] = []
            for item in parameter.items {
                if let period = Period(item) {
                    periods.append(period)
                } else if let relative = RelativePeriod(rawValue: item) {
                    keywords.append(item)
                    periods += relative.periods(relativeTo: today, financialYearStart: financialYearStart)
                }
            }
            guard !periods.isEmpty else { throw .noValidItems("pe") }
            return ResolvedDimension(
                id: "pe", kind: .period(unique(periods, by: \.isoString)), isFilter: parameter.isFilter, keywords: keywords)
        case "ou":
            let units = orgUnits(parameter.items)
            guard !units.isEmpty else { throw .noValidItems("ou") }
            return ResolvedDimension(id: "ou", kind: .orgUnit(units), isFilter: parameter.isFilter, keywords: [])
        case "co":
            let combos = parameter.items.filter { snapshot.object("categoryOptionCombos", $0) != nil }
            guard combos.count == parameter.items.count || !combos.isEmpty else { throw .noValidItems("co") }
            return ResolvedDimension(id: "co", kind: .optionCombo(combos), isFilter: parameter.isFilter, keywords: [])
        default:
            if let category = snapshot.object("categories", parameter.id) {
                let all = references(category["categoryOptions"])
                let items = parameter.items.isEmpty ? all : parameter.items.filter(all.contains)
                guard !items.isEmpty else { throw .noValidItems(parameter.id) }
                return ResolvedDimension(
                    id: parameter.id, kind: .category(items), isFilter: parameter.isFilter, keywords: [])
            }
            if let groupSet = snapshot.object("organisationUnitGroupSets", parameter.id) {
                let all = references(groupSet["organisationUnitGroups"])
                let items = parameter.items.isEmpty ? all : parameter.items.filter(all.contains)
                guard !items.isEmpty else { throw .noValidItems(parameter.id) }
                return ResolvedDimension(
                    id: parameter.id, kind: .groupSet(items), isFilter: parameter.isFilter, keywords: [])
            }
            throw .unknownDimension(parameter.id)
        }
    }

    /// `analyticsFinancialYearStart` (DHIS2's default is October).
    var financialYearStart: FinancialYearStart {
        snapshot.settings["analyticsFinancialYearStart"].flatMap(FinancialYearStart.init(settingValue:)) ?? .october
    }

    private func dataItems(_ item: String) -> [DataItem] {
        if item.hasPrefix("DE_GROUP-") {
            let group = snapshot.object("dataElementGroups", String(item.dropFirst("DE_GROUP-".count)))
            return references(group?["dataElements"]).filter { snapshot.object("dataElements", $0) != nil }
                .map { .dataElement(DataSelector(dataElement: $0, categoryOptionCombo: nil, attributeOptionCombo: nil)) }
        }
        if item.hasPrefix("IN_GROUP-") {
            let group = snapshot.object("indicatorGroups", String(item.dropFirst("IN_GROUP-".count)))
            return references(group?["indicators"]).filter { snapshot.object("indicators", $0) != nil }.map { .indicator($0) }
        }
        let parts = item.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        if parts.count == 1 {
            if snapshot.object("dataElements", item) != nil {
                return [.dataElement(DataSelector(dataElement: item, categoryOptionCombo: nil, attributeOptionCombo: nil))]
            }
            if snapshot.object("indicators", item) != nil { return [.indicator(item)] }
            return []
        }
        if parts.count == 2, snapshot.object("dataElements", parts[0]) != nil,
            snapshot.object("categoryOptionCombos", parts[1]) != nil
        {
            return [.dataElement(DataSelector(dataElement: parts[0], categoryOptionCombo: parts[1], attributeOptionCombo: nil))]
        }
        return []
    }

    /// Org unit items: UIDs and `USER_ORGUNIT[_CHILDREN|_GRANDCHILDREN]` are selected themselves; with `LEVEL-n`
    /// or `OU_GROUP-uid` present, the other items are boundaries and only the level / group members inside them
    /// are selected (DHIS2's `DefaultDataQueryService.getOrgUnitDimension`).
    private func orgUnits(_ items: [String]) -> [String] {
        let units = snapshot.objects["organisationUnits"] ?? [:]
        var children: [String: [String]] = [:]
        for (id, unit) in units {
            if let parent = unit["parent"]?["id"]?.stringValue { children[parent, default: []].append(id) }
        }
        func sortedByName(_ ids: [String]) -> [String] {
            ids.sorted {
                let left = units[$0]?["name"]?.stringValue ?? $0, right = units[$1]?["name"]?.stringValue ?? $1
                return left == right ? $0 < $1 : left < right
            }
        }
        // The stored user object is the one writes update; the login profile is its copy at creation.
        let user = snapshot.objects["users"]?[principal.user.id] ?? .object(principal.user.profile)
        var userUnits = references(user["dataViewOrganisationUnits"])
        if userUnits.isEmpty { userUnits = references(user["organisationUnits"]) }
        if userUnits.isEmpty { userUnits = units.filter { $0.value["parent"] == nil }.map(\.key) }
        userUnits = userUnits.filter { units[$0] != nil }

        var selected: [String] = []
        var levels: [Int] = []
        var groups: [String] = []
        for item in items {
            switch item {
            case "USER_ORGUNIT": selected += userUnits
            case "USER_ORGUNIT_CHILDREN": selected += userUnits.flatMap { sortedByName(children[$0] ?? []) }
            case "USER_ORGUNIT_GRANDCHILDREN":
                selected += userUnits.flatMap { sortedByName(children[$0] ?? []) }.flatMap { sortedByName(children[$0] ?? []) }
            default:
                if item.hasPrefix("LEVEL-") {
                    let level = String(item.dropFirst("LEVEL-".count))
                    if let number = Int(level) {
                        levels.append(number)
                    } else if let object = snapshot.object("organisationUnitLevels", level),
                        let number = object["level"]?.doubleValue
                    {
                        levels.append(Int(number))
                    }
                } else if item.hasPrefix("OU_GROUP-") {
                    groups.append(String(item.dropFirst("OU_GROUP-".count)))
                } else if units[item] != nil {
                    selected.append(item)
                }
            }
        }
        guard !levels.isEmpty || !groups.isEmpty else { return unique(selected, by: { $0 }) }
        let boundaries = Set(selected)
        func inside(_ id: String) -> Bool {
            guard !boundaries.isEmpty else { return true }
            let path = units[id]?["path"]?.stringValue ?? ""
            return path.split(separator: "/").contains { boundaries.contains(String($0)) }
        }
        var result: [String] = []
        if !levels.isEmpty {
            let wanted = Set(levels)
            let atLevel = units.filter { entry in
                let depth = entry.value["path"]?.stringValue?.split(separator: "/").count
                    ?? entry.value["level"]?.doubleValue.map { Int($0) } ?? 0
                return wanted.contains(depth) && inside(entry.key)
            }.map(\.key)
            result += sortedByName(atLevel)
        }
        for group in groups {
            let members = references(snapshot.object("organisationUnitGroups", group)?["organisationUnits"])
            result += sortedByName(members.filter { units[$0] != nil && inside($0) })
        }
        return unique(result, by: { $0 })
    }

    private func references(_ value: JSONValue?) -> [String] {
        (value?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
    }
}

/// `items` without repeats, first occurrence kept.
func unique<T, Key: Hashable>(_ items: [T], by key: (T) -> Key) -> [T] {
    var seen = Set<Key>()
    return items.filter { seen.insert(key($0)).inserted }
}
