import DHIS2
import Foundation

/// Builds DHIS2's analytics `Grid` (reference §8.2; dhis2-core `ListGrid`, `GridHeader`): headers, `metaData`,
/// `rowContext`, rows of strings, `width` (columns of the first row, 0 without rows), `height`, `headerWidth`.
struct AnalyticsGridBuilder {
    let query: ResolvedQuery

    var snapshot: StoreSnapshot { query.snapshot }

    // MARK: Grids

    /// The aggregated grid of `GET /api/analytics`.
    func aggregatedGrid(cells: [AnalyticsEvaluator.Cell]) -> JSONValue {
        var headers = query.dimensions.map(dimensionHeader)
        headers.append(Self.valueHeader)
        var rows: [JSONValue] = []
        if !query.request.skipData {
            rows.reserveCapacity(cells.count)
            for cell in cells {
                var row: [JSONValue] = []
                for (position, dimension) in query.dimensions.enumerated() {
                    row.append(.string(output(dimension, item: cell.indices[position])))
                }
                let value =
                    cell.isIndicator
                    ? AnalyticsNumber.indicatorValue(cell.value, decimals: cell.decimals, skipRounding: query.request.skipRounding)
                    : AnalyticsNumber.dataValue(cell.value, skipRounding: query.request.skipRounding)
                row.append(.string(value))
                rows.append(.array(row))
            }
        }
        return grid(headers: headers, rows: rows)
    }

    /// The raw data grid of `GET /api/analytics/rawData.json`: one row per stored value inside the query, with the
    /// value's own period and organisation unit (reference §8.4).
    func rawGrid(facts: [(fact: AnalyticsFact, dataIndex: Int)]) -> JSONValue {
        var headers = query.dimensions.map(dimensionHeader)
        headers.append(Self.valueHeader)
        var rows: [JSONValue] = []
        if !query.request.skipData {
            for (fact, dataIndex) in facts {
                var row: [JSONValue] = []
                for dimension in query.dimensions {
                    switch dimension.kind {
                    case .data: row.append(.string(output(dimension, item: dataIndex)))
                    case .period: row.append(.string(fact.period.isoString))
                    case .orgUnit: row.append(.string(outputID(fact.orgUnit, plural: "organisationUnits")))
                    case .optionCombo: row.append(.string(outputID(fact.categoryOptionCombo, plural: "categoryOptionCombos")))
                    case .category(let options):
                        let own = Set(
                            (snapshot.object("categoryOptionCombos", fact.categoryOptionCombo)?["categoryOptions"]?
                                .arrayValue ?? []).compactMap { $0["id"]?.stringValue })
                        let option = options.first(where: own.contains) ?? ""
                        row.append(.string(outputID(option, plural: "categoryOptions")))
                    case .groupSet(let groups):
                        let group = groups.first { id in
                            (snapshot.object("organisationUnitGroups", id)?["organisationUnits"]?.arrayValue ?? [])
                                .contains { $0["id"]?.stringValue == fact.orgUnit }
                        } ?? ""
                        row.append(.string(outputID(group, plural: "organisationUnitGroups")))
                    }
                }
                row.append(.string(fact.text))
                rows.append(.array(row))
            }
        }
        return grid(headers: headers, rows: rows)
    }

    private func grid(headers: [JSONValue], rows: [JSONValue]) -> JSONValue {
        let width = rows.first?.arrayValue?.count ?? 0
        return [
            "headers": .array(headers),
            "metaData": query.request.skipMeta ? [:] : metaData(),
            "rowContext": [:],
            "rows": .array(rows),
            "width": .number(Double(width)),
            "height": .number(Double(rows.count)),
            "headerWidth": .number(Double(headers.count)),
        ]
    }

    static let valueHeader: JSONValue = [
        "name": "value", "column": "Value", "valueType": "NUMBER", "type": "java.lang.Double", "hidden": false,
        "meta": false,
    ]

    private func dimensionHeader(_ dimension: ResolvedDimension) -> JSONValue {
        [
            "name": .string(dimension.id), "column": .string(dimensionName(dimension)), "valueType": "TEXT",
            "type": "java.lang.String", "hidden": false, "meta": true,
        ]
    }

    // MARK: metaData

    /// `{"items": {id: {"name": …}}, "dimensions": {dim: [ids]}}`: every item, every dimension id, the relative
    /// period keywords; `dimensions.co` lists the option combos of the data elements when `co` is not queried.
    func metaData() -> JSONValue {
        var items: [String: JSONValue] = [:]
        var dimensions: [String: JSONValue] = [:]
        for dimension in query.all {
            items[dimension.id] = ["name": .string(dimensionName(dimension))]
            var ids: [JSONValue] = []
            for index in 0..<dimension.count {
                let id = output(dimension, item: index)
                ids.append(.string(id))
                items[id] = ["name": .string(itemName(dimension, item: index))]
            }
            for keyword in dimension.keywords {
                items[keyword] = ["name": .string(AnalyticsNames.relativePeriod(keyword))]
            }
            dimensions[dimension.id] = .array(ids)
        }
        if dimensions["co"] == nil {
            let combos = snapshot.optionCombos(ofDataElements: query.dataItems.compactMap {
                if case .dataElement(let selector) = $0 { return selector.dataElement }
                return nil
            })
            var ids: [JSONValue] = []
            for combo in combos {
                let id = outputID(combo, plural: "categoryOptionCombos")
                ids.append(.string(id))
                items[id] = ["name": .string(name(of: combo, plural: "categoryOptionCombos"))]
            }
            dimensions["co"] = .array(ids)
        }
        return ["items": .object(items), "dimensions": .object(dimensions)]
    }

    // MARK: Names and identifiers

    func dimensionName(_ dimension: ResolvedDimension) -> String {
        switch dimension.kind {
        case .data: return "Data"
        case .period: return "Period"
        case .orgUnit: return "Organisation unit"
        case .optionCombo: return "Category option combo"
        case .category: return snapshot.object("categories", dimension.id)?["name"]?.stringValue ?? dimension.id
        case .groupSet:
            return snapshot.object("organisationUnitGroupSets", dimension.id)?["name"]?.stringValue ?? dimension.id
        }
    }

    /// The item's identifier under `outputIdScheme` (periods keep their ISO form).
    func output(_ dimension: ResolvedDimension, item index: Int) -> String {
        switch dimension.kind {
        case .data(let items):
            switch items[index] {
            case .indicator(let id): return outputID(id, plural: "indicators")
            case .dataElement(let selector):
                let element = outputID(selector.dataElement, plural: "dataElements")
                guard let combo = selector.categoryOptionCombo else { return element }
                if query.request.outputIdScheme == .name { return itemName(dimension, item: index) }
                return element + "." + outputID(combo, plural: "categoryOptionCombos")
            }
        case .period(let periods): return periods[index].isoString
        case .orgUnit(let ids): return outputID(ids[index], plural: "organisationUnits")
        case .optionCombo(let ids): return outputID(ids[index], plural: "categoryOptionCombos")
        case .category(let ids): return outputID(ids[index], plural: "categoryOptions")
        case .groupSet(let ids): return outputID(ids[index], plural: "organisationUnitGroups")
        }
    }

    func outputID(_ id: String, plural: String) -> String {
        switch query.request.outputIdScheme {
        case .uid, .id: return id
        case .code: return snapshot.object(plural, id)?["code"]?.stringValue ?? id
        case .name: return snapshot.object(plural, id)?["name"]?.stringValue ?? id
        }
    }

    /// The display name of an item (`displayProperty=SHORTNAME` uses short names where objects have them).
    func itemName(_ dimension: ResolvedDimension, item index: Int) -> String {
        switch dimension.kind {
        case .data(let items):
            switch items[index] {
            case .indicator(let id): return name(of: id, plural: "indicators")
            case .dataElement(let selector):
                let element = name(of: selector.dataElement, plural: "dataElements")
                guard let combo = selector.categoryOptionCombo,
                    snapshot.object("categoryOptionCombos", combo)?["name"]?.stringValue != "default"
                else { return element }
                return element + " " + name(of: combo, plural: "categoryOptionCombos")
            }
        case .period(let periods): return AnalyticsNames.period(periods[index])
        case .orgUnit(let ids): return name(of: ids[index], plural: "organisationUnits")
        case .optionCombo(let ids): return name(of: ids[index], plural: "categoryOptionCombos")
        case .category(let ids): return name(of: ids[index], plural: "categoryOptions")
        case .groupSet(let ids): return name(of: ids[index], plural: "organisationUnitGroups")
        }
    }

    func name(of id: String, plural: String) -> String {
        let object = snapshot.object(plural, id)
        if query.request.displayProperty == .shortName, let short = object?["shortName"]?.stringValue { return short }
        return object?["name"]?.stringValue ?? id
    }
}

extension StoreSnapshot {
    /// The category option combos of the data elements' category combos, in data element order, then by name.
    func optionCombos(ofDataElements elements: [String]) -> [String] {
        var byCombo: [String: [(String, String)]] = [:]
        for (id, combo) in objects["categoryOptionCombos"] ?? [:] {
            guard let owner = combo["categoryCombo"]?["id"]?.stringValue else { continue }
            byCombo[owner, default: []].append((combo["name"]?.stringValue ?? id, id))
        }
        var result: [String] = []
        for element in unique(elements, by: { $0 }) {
            guard let comboID = object("dataElements", element)?["categoryCombo"]?["id"]?.stringValue else { continue }
            result += (byCombo[comboID] ?? []).sorted { $0.0 == $1.0 ? $0.1 < $1.1 : $0.0 < $1.0 }.map(\.1)
        }
        return unique(result, by: { $0 })
    }
}

/// DHIS2's display names of periods (`I18nFormat.formatPeriod` with the English bundle) and relative periods.
enum AnalyticsNames {
    static let months = [
        "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
        "December",
    ]

    /// `January 2021`, `January - March 2023`, `2021`, `April 2021 - March 2022`, `2026-03-15`,
    /// `Week 10 2020-03-02 - 2020-03-08`.
    static func period(_ period: Period) -> String {
        let start = period.startDate, end = period.endDate
        func month(_ date: CalendarDate) -> String { months[date.month - 1] }
        switch period.type.rawValue {
        case "Daily": return start.description
        case "Monthly": return "\(month(start)) \(start.year)"
        case "Yearly": return "\(start.year)"
        case "BiMonthly", "Quarterly", "QuarterlyNov", "SixMonthly", "SixMonthlyApril", "SixMonthlyNov":
            if start.year == end.year { return "\(month(start)) - \(month(end)) \(end.year)" }
            return "\(month(start)) \(start.year) - \(month(end)) \(end.year)"
        case let type where type.hasPrefix("Weekly"):
            return "Week \(weekNumber(period)) \(start) - \(end)"
        case "BiWeekly":
            return "Bi-Week \(weekNumber(period)) \(start) - \(end)"
        default:
            return "\(month(start)) \(start.year) - \(month(end)) \(end.year)"
        }
    }

    /// The week number in the ISO string (`2026W5` → 5, `2026BiW3` → 3).
    private static func weekNumber(_ period: Period) -> String {
        String(period.isoString.reversed().prefix { $0.isNumber }.reversed())
    }

    /// `LAST_12_MONTHS` → `Last 12 months` (DHIS2's i18n of `RelativePeriodEnum`).
    static func relativePeriod(_ keyword: String) -> String {
        let special: [String: String] = [
            "THIS_BIMONTH": "This bi-month", "LAST_BIMONTH": "Last bi-month", "BIMONTHS_THIS_YEAR": "Bi-months this year",
            "LAST_6_BIMONTHS": "Last 6 bi-months", "THIS_SIX_MONTH": "This six-month", "LAST_SIX_MONTH": "Last six-month",
            "LAST_2_SIXMONTHS": "Last 2 six-months", "THIS_BIWEEK": "This bi-week", "LAST_BIWEEK": "Last bi-week",
            "LAST_4_BIWEEKS": "Last 4 bi-weeks",
        ]
        if let name = special[keyword] { return name }
        let words = keyword.lowercased().replacingOccurrences(of: "_", with: " ")
        return words.prefix(1).uppercased() + words.dropFirst()
    }
}
