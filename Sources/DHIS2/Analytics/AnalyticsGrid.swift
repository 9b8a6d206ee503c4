import DHIS2Core
import DHIS2Models
import Foundation

/// An analytics response grid (`/api/analytics`, `/api/analytics/rawData.json`): headers, rows readable by header
/// name with values typed by each header's `valueType`, and a typed view of `metaData`.
///
/// DHIS2 sends every cell as a string (`"23.04"`); ``AnalyticsRow`` converts it by the column's value type. The
/// cells are kept as one flat array, so a grid of 100,000 rows costs one string per cell and nothing per row.
/// Shape: [OAS components.schemas.Grid, GridHeader]; DHIS2 does not serialise `visibleHeaders`, `visibleRows` or
/// `visibleWidth`, so neither this type nor the generated `Grid` requires them.
public struct AnalyticsGrid: Sendable {
    /// The column headers, in column order.
    public let headers: [GridHeader]
    /// The typed `metaData`; `nil` when the response has no `metaData` member. With `skipMeta=true` DHIS2 leaves it
    /// unpopulated (empty, or absent).
    public let metaData: AnalyticsMetaData?
    /// The grid's `title`, when set.
    public let title: String?
    /// The grid's `subtitle`, when set.
    public let subtitle: String?
    /// The server's `width` (number of columns).
    public let width: Int?
    /// The server's `height` (number of rows).
    public let height: Int?
    /// The server's `headerWidth`.
    public let headerWidth: Int?
    /// Members this type does not model (`rowContext`, `performanceMetrics`, `refs`, …), kept as JSON.
    public let otherMembers: [String: JSONValue]

    /// Every cell, row after row, ``columnCount`` per row; `nil` for a JSON `null`.
    let cells: [String?]
    let columnIndexByName: [String: Int]

    /// The number of columns (the number of headers).
    public var columnCount: Int { headers.count }

    /// The number of rows.
    public var rowCount: Int { columnCount == 0 ? 0 : cells.count / columnCount }

    /// The rows, in the server's order.
    public var rows: AnalyticsRows { AnalyticsRows(grid: self) }

    /// The header names in column order (`["dx", "pe", "value"]`).
    public var headerNames: [String] { headers.map { $0.name ?? "" } }

    /// The column of the header named `name` (`"dx"`, `"value"`), if there is one.
    public func columnIndex(named name: String) -> Int? { columnIndexByName[name] }

    /// Decodes a grid straight from the response bytes.
    ///
    /// Throws ``DHIS2Error`` (`decoding`) when the bytes are not a grid: not a JSON object, `headers` or `rows` of
    /// the wrong shape, or a row whose length differs from the number of headers.
    public init(jsonBytes bytes: some Collection<UInt8>) throws(DHIS2Error) {
        var reader = DHIS2JSONReader(bytes: Array(bytes))
        var headers: [GridHeader] = []
        var metaData: JSONValue?
        var title: String?
        var subtitle: String?
        var width: Int?
        var height: Int?
        var headerWidth: Int?
        var other: [String: JSONValue] = [:]
        var cells: [String?] = []
        var rowLengths: [Int] = []
        do {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "headers":
                    if try reader.readNull() { continue }
                    try reader.beginArray()
                    while try reader.nextElement() { headers.append(try GridHeader(json: &reader)) }
                case "rows":
                    if try reader.readNull() { continue }
                    try reader.beginArray()
                    while try reader.nextElement() {
                        try reader.beginArray()
                        var length = 0
                        while try reader.nextElement() {
                            cells.append(try AnalyticsGrid.readCell(&reader))
                            length += 1
                        }
                        rowLengths.append(length)
                    }
                case "metaData": metaData = try reader.readValue()
                case "title": title = try reader.readValue().stringValue
                case "subtitle": subtitle = try reader.readValue().stringValue
                case "width": width = try reader.readValue().intValue
                case "height": height = try reader.readValue().intValue
                case "headerWidth": headerWidth = try reader.readValue().intValue
                default: other[key] = try reader.readValue()
                }
            }
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The server's answer is not an analytics grid: \(error)",
                underlying: "\(error)")
        }
        if let row = rowLengths.firstIndex(where: { $0 != headers.count }) {
            throw DHIS2Error(
                code: .decoding,
                message: "Analytics grid row \(row) has \(rowLengths[row]) cells but the grid has \(headers.count) "
                    + "headers; the response is not a well-formed grid.")
        }
        self.headers = headers
        self.metaData = metaData.flatMap(AnalyticsMetaData.init(json:))
        self.title = title
        self.subtitle = subtitle
        self.width = width
        self.height = height
        self.headerWidth = headerWidth
        self.otherMembers = other
        self.cells = cells
        var index: [String: Int] = [:]
        for (column, header) in headers.enumerated() {
            if let name = header.name, index[name] == nil { index[name] = column }
        }
        self.columnIndexByName = index
    }

    /// One cell: DHIS2 writes strings; a number, Boolean or nested value is kept as its JSON text.
    private static func readCell(_ reader: inout DHIS2JSONReader) throws -> String? {
        if try reader.readNull() { return nil }
        do {
            return try reader.readString()
        } catch let error as DHIS2JSONError where error.isTypeMismatch {
            switch try reader.readValue() {
            case .number(let number):
                return number.rounded() == number && abs(number) < 1e15 ? String(Int(number)) : String(number)
            case .bool(let flag): return flag ? "true" : "false"
            case let other: return other.description
            }
        }
    }

    /// The cell at `row`, `column` as sent (`nil` for null).
    func cell(_ row: Int, _ column: Int) -> String? { cells[row * columnCount + column] }
}

/// The rows of an ``AnalyticsGrid``.
public struct AnalyticsRows: RandomAccessCollection, Sendable {
    let grid: AnalyticsGrid

    public var startIndex: Int { 0 }
    public var endIndex: Int { grid.rowCount }

    public subscript(position: Int) -> AnalyticsRow { AnalyticsRow(grid: grid, index: position) }
}

/// One row of an ``AnalyticsGrid``, read by header name or column index.
///
/// ```swift
/// for row in grid.rows {
///     print(row.string("dx") ?? "", row.string("pe") ?? "", row.double("value") ?? 0)
/// }
/// ```
public struct AnalyticsRow: Sendable {
    let grid: AnalyticsGrid
    /// The row's position in the grid.
    public let index: Int

    /// The value in the column named `name`, typed by its header; `nil` when the grid has no such column.
    public subscript(name: String) -> AnalyticsValue? {
        grid.columnIndex(named: name).map { self[column: $0] }
    }

    /// The value in column `column`, typed by its header.
    public subscript(column column: Int) -> AnalyticsValue {
        AnalyticsValue(cell: grid.cell(index, column), valueType: grid.headers[column].valueType)
    }

    /// The cell in the column named `name` exactly as sent, `nil` when there is no such column or it is null.
    public func string(_ name: String) -> String? {
        grid.columnIndex(named: name).flatMap { grid.cell(index, $0) }
    }

    /// The cell in the column named `name` as a number (any numeric value type), `nil` when empty or not numeric.
    public func double(_ name: String) -> Double? { self[name]?.doubleValue }

    /// The cell in the column named `name` as an integer, `nil` when empty or not a whole number.
    public func int(_ name: String) -> Int? { self[name]?.intValue }

    /// The measure: the `value` column as a number.
    public var value: Double? { double("value") }

    /// Every cell as sent, in column order.
    public var strings: [String?] { (0..<grid.columnCount).map { grid.cell(index, $0) } }
}

/// A grid cell typed by its header's value type.
public enum AnalyticsValue: Hashable, Sendable, CustomStringConvertible {
    /// A null or empty cell of a non-text column.
    case empty
    /// A text cell (TEXT, LONG_TEXT, dimension columns, and any value type without a better Swift type).
    case text(String)
    /// A decimal cell (NUMBER, UNIT_INTERVAL, PERCENTAGE).
    case number(Double)
    /// A whole-number cell (INTEGER, INTEGER_POSITIVE, INTEGER_NEGATIVE, INTEGER_ZERO_OR_POSITIVE).
    case integer(Int)
    /// A Boolean cell (BOOLEAN, TRUE_ONLY).
    case boolean(Bool)
    /// A date cell (DATE).
    case date(CalendarDate)

    /// Converts `cell` by `valueType`; a cell that does not fit its type is kept as `.text`.
    public init(cell: String?, valueType: ValueType) {
        guard let cell else {
            self = .empty
            return
        }
        switch valueType.rawValue {
        case "NUMBER", "UNIT_INTERVAL", "PERCENTAGE":
            if cell.isEmpty {
                self = .empty
            } else if let number = Double(cell) {
                self = .number(number)
            } else {
                self = .text(cell)
            }
        case "INTEGER", "INTEGER_POSITIVE", "INTEGER_NEGATIVE", "INTEGER_ZERO_OR_POSITIVE":
            if cell.isEmpty {
                self = .empty
            } else if let integer = Int(cell) {
                self = .integer(integer)
            } else if let number = Double(cell) {
                // Aggregates of integers can be fractional (AVERAGE); keep the number rather than lose it.
                self = number.rounded() == number && abs(number) < 1e15 ? .integer(Int(number)) : .number(number)
            } else {
                self = .text(cell)
            }
        case "BOOLEAN", "TRUE_ONLY":
            switch cell {
            case "": self = .empty
            case "true", "1": self = .boolean(true)
            case "false", "0": self = .boolean(false)
            default: self = .text(cell)
            }
        case "DATE":
            if cell.isEmpty {
                self = .empty
            } else if let date = CalendarDate(cell.prefix(10)), cell.count == 10 || cell.dropFirst(10).first == "T" {
                self = .date(date)
            } else {
                self = .text(cell)
            }
        default:
            self = .text(cell)
        }
    }

    /// The value as a number: numbers and integers; `nil` otherwise.
    public var doubleValue: Double? {
        switch self {
        case .number(let number): return number
        case .integer(let integer): return Double(integer)
        case .text(let text): return Double(text)
        default: return nil
        }
    }

    /// The value as a whole number: integers, and numbers without a fraction; `nil` otherwise.
    public var intValue: Int? {
        switch self {
        case .integer(let integer): return integer
        case .number(let number): return number.rounded() == number && abs(number) < 1e15 ? Int(number) : nil
        case .text(let text): return Int(text)
        default: return nil
        }
    }

    /// The value as text: the text of a text cell, `nil` otherwise.
    public var stringValue: String? {
        if case .text(let text) = self { return text }
        return nil
    }

    public var description: String {
        switch self {
        case .empty: return ""
        case .text(let text): return text
        case .number(let number): return String(number)
        case .integer(let integer): return String(integer)
        case .boolean(let flag): return flag ? "true" : "false"
        case .date(let date): return date.description
        }
    }
}

/// The typed `metaData` of an analytics grid: item names, the dimensions' resolved items, and the org unit
/// hierarchy when asked for.
///
/// Shape [§8.2, core AnalyticsMetaDataKey]: `{"items": {<id>: {"name": …, …}}, "dimensions": {"dx": [...],
/// "pe": [...], "ou": [...], "co": [...], …}, "ouHierarchy": {…}, "ouNameHierarchy": {…}}`.
public struct AnalyticsMetaData: Sendable {
    /// Every item by identifier: data items, periods, org units, the dimension ids (`dx`, `pe`, `ou`) and relative
    /// period keywords.
    public let items: [String: Item]
    /// Each dimension's items as the query resolved them (`pe` lists ISO periods, not `LAST_12_MONTHS`).
    public let dimensions: [String: [String]]
    /// Each org unit's ancestor path (`/ImspTQPwCqd/O6uvpzGd5pu`), with `hierarchyMeta=true`.
    public let ouHierarchy: [String: String]
    /// Each org unit's ancestor names, with `showHierarchy=true`.
    public let ouNameHierarchy: [String: String]
    /// The whole `metaData` object as sent.
    public let json: JSONValue

    /// The typed view of a `metaData` object; `nil` when `json` is not an object.
    public init?(json: JSONValue) {
        guard case .object(let members) = json else { return nil }
        self.json = json
        var items: [String: Item] = [:]
        if case .object(let entries)? = members["items"] {
            for (id, entry) in entries {
                if case .object(let properties) = entry { items[id] = Item(properties: properties) }
            }
        }
        self.items = items
        var dimensions: [String: [String]] = [:]
        if case .object(let entries)? = members["dimensions"] {
            for (id, entry) in entries {
                if case .array(let values) = entry { dimensions[id] = values.compactMap(\.stringValue) }
            }
        }
        self.dimensions = dimensions
        func strings(_ key: String) -> [String: String] {
            guard case .object(let entries)? = members[key] else { return [:] }
            return entries.compactMapValues(\.stringValue)
        }
        self.ouHierarchy = strings("ouHierarchy")
        self.ouNameHierarchy = strings("ouNameHierarchy")
    }

    /// The name of the item `id` (`"BCG doses given"`, `"January 2025"`), if listed.
    public func name(of id: String) -> String? { items[id]?.name }

    /// The resolved items of dimension `id`; empty when the dimension is absent.
    public func items(ofDimension id: String) -> [String] { dimensions[id] ?? [] }

    /// The data items (`dimensions.dx`).
    public var dataItems: [String] { items(ofDimension: "dx") }

    /// The resolved periods (`dimensions.pe`): ISO periods this library can parse are returned, in order.
    public var periods: [Period] { items(ofDimension: "pe").compactMap { Period($0) } }

    /// The org units (`dimensions.ou`).
    public var orgUnits: [String] { items(ofDimension: "ou") }

    /// The category option combos (`dimensions.co`).
    public var categoryOptionCombos: [String] { items(ofDimension: "co") }

    /// One `metaData.items` entry.
    public struct Item: Sendable {
        /// Every property as sent.
        public let properties: [String: JSONValue]

        /// The display name (by the query's `displayProperty`).
        public var name: String? { properties["name"]?.stringValue }
        /// The UID, with `includeMetadataDetails=true`.
        public var uid: String? { properties["uid"]?.stringValue }
        /// The code, with `includeMetadataDetails=true`.
        public var code: String? { properties["code"]?.stringValue }
        /// The item's kind (`DATA_ELEMENT`, `INDICATOR`, `PERIOD`, `ORGANISATION_UNIT`, …), with details.
        public var dimensionItemType: String? { properties["dimensionItemType"]?.stringValue }
        /// The value type, with details.
        public var valueType: ValueType? { properties["valueType"]?.stringValue.map(ValueType.init(rawValue:)) }
        /// The aggregation type, with details.
        public var aggregationType: AggregationType? {
            properties["aggregationType"]?.stringValue.map(AggregationType.init(rawValue:))
        }
        /// The total aggregation type (`SUM`, `AVERAGE`, `NONE`), with details.
        public var totalAggregationType: String? { properties["totalAggregationType"]?.stringValue }
    }
}
