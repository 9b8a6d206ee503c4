import DHIS2Core
import DHIS2Models
import Foundation

/// What `GET /api/dataValueSets` exports (reference §7.4). A `nil` or empty parameter is not sent.
///
/// DHIS2 requires one of ``dataSets``/``dataElements``/``dataElementGroups``; one of ``periods``,
/// ``startDate`` with ``endDate``, ``lastUpdated`` or ``lastUpdatedDuration``; and one of
/// ``orgUnits``/``orgUnitGroups``. A query missing one is refused by the server (409), which the export reports as
/// a ``DHIS2Error`` with code `invalidRequest` naming what DHIS2 said.
public struct DataValueQuery: Hashable, Sendable {
    /// `dataSet` (repeated).
    public var dataSets: [UID]
    /// `dataElement` (repeated).
    public var dataElements: [UID]
    /// `dataElementGroup` (repeated).
    public var dataElementGroups: [UID]
    /// `period` (repeated).
    public var periods: [Period]
    /// `startDate`: values of periods starting on or after it (with ``endDate``).
    public var startDate: CalendarDate?
    /// `endDate`: values of periods ending on or before it (with ``startDate``).
    public var endDate: CalendarDate?
    /// `orgUnit` (repeated).
    public var orgUnits: [UID]
    /// `orgUnitGroup` (repeated).
    public var orgUnitGroups: [UID]
    /// `children`: include the org units' descendants.
    public var children: Bool?
    /// `attributeOptionCombo` (repeated).
    public var attributeOptionCombos: [UID]
    /// `includeDeleted`: include soft-deleted values (with `deleted: true`).
    public var includeDeleted: Bool?
    /// `lastUpdated`: values changed at or after this time, sent as `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC (DHIS2 reads
    /// it in the server's time zone, UTC on most servers).
    public var lastUpdated: Date?
    /// `lastUpdatedDuration`: values changed within this long before now, sent in DHIS2's notation (`10d`, `5h`,
    /// `30m`, `45s`) using the largest unit that divides it.
    public var lastUpdatedDuration: Duration?
    /// `limit`: the most values returned.
    public var limit: Int?
    /// The output identifier schemes (`idScheme`, `dataElementIdScheme`, `orgUnitIdScheme`, …).
    public var idSchemes: IDSchemes

    public init(
        dataSets: [UID] = [], dataElements: [UID] = [], dataElementGroups: [UID] = [], periods: [Period] = [],
        startDate: CalendarDate? = nil, endDate: CalendarDate? = nil, orgUnits: [UID] = [], orgUnitGroups: [UID] = [],
        children: Bool? = nil, attributeOptionCombos: [UID] = [], includeDeleted: Bool? = nil, lastUpdated: Date? = nil,
        lastUpdatedDuration: Duration? = nil, limit: Int? = nil, idSchemes: IDSchemes = IDSchemes()
    ) {
        self.dataSets = dataSets
        self.dataElements = dataElements
        self.dataElementGroups = dataElementGroups
        self.periods = periods
        self.startDate = startDate
        self.endDate = endDate
        self.orgUnits = orgUnits
        self.orgUnitGroups = orgUnitGroups
        self.children = children
        self.attributeOptionCombos = attributeOptionCombos
        self.includeDeleted = includeDeleted
        self.lastUpdated = lastUpdated
        self.lastUpdatedDuration = lastUpdatedDuration
        self.limit = limit
        self.idSchemes = idSchemes
    }

    /// The query parameters, in a fixed order.
    public var queryItems: [URLQueryItem] {
        var items: [URLQueryItem] = []
        func add(_ name: String, _ values: [String]) {
            items.append(contentsOf: values.map { URLQueryItem(name: name, value: $0) })
        }
        add("dataSet", dataSets.map(\.rawValue))
        add("dataElement", dataElements.map(\.rawValue))
        add("dataElementGroup", dataElementGroups.map(\.rawValue))
        add("period", periods.map(\.isoString))
        add("startDate", startDate.map { [$0.description] } ?? [])
        add("endDate", endDate.map { [$0.description] } ?? [])
        add("orgUnit", orgUnits.map(\.rawValue))
        add("orgUnitGroup", orgUnitGroups.map(\.rawValue))
        add("children", children.map { [String($0)] } ?? [])
        add("attributeOptionCombo", attributeOptionCombos.map(\.rawValue))
        add("includeDeleted", includeDeleted.map { [String($0)] } ?? [])
        add("lastUpdated", lastUpdated.map { [Self.timestamp($0)] } ?? [])
        add("lastUpdatedDuration", lastUpdatedDuration.map { [Self.durationNotation($0)] } ?? [])
        add("limit", limit.map { [String($0)] } ?? [])
        items.append(contentsOf: idSchemes.queryItems())
        return items
    }

    /// `yyyy-MM-dd'T'HH:mm:ss.SSS` in UTC.
    static func timestamp(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        let day = CalendarDate(date)
        let inDay = ((millis % 86_400_000) + 86_400_000) % 86_400_000
        let (hour, minute) = (inDay / 3_600_000, inDay / 60_000 % 60)
        let (second, milli) = (inDay / 1000 % 60, inDay % 1000)
        func pad(_ value: Int64, _ width: Int) -> String {
            let text = String(value)
            return String(repeating: "0", count: Swift.max(0, width - text.count)) + text
        }
        return "\(day)T\(pad(hour, 2)):\(pad(minute, 2)):\(pad(second, 2)).\(pad(milli, 3))"
    }

    /// DHIS2's duration notation (`10d`, `5h`, `30m`, `45s`, `1500ms`) with the largest unit that divides `duration`.
    static func durationNotation(_ duration: Duration) -> String {
        let (seconds, attoseconds) = duration.components
        let millis = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        if millis % 1000 != 0 { return "\(millis)ms" }
        let whole = millis / 1000
        if whole != 0, whole % 86_400 == 0 { return "\(whole / 86_400)d" }
        if whole != 0, whole % 3600 == 0 { return "\(whole / 3600)h" }
        if whole != 0, whole % 60 == 0 { return "\(whole / 60)m" }
        return "\(whole)s"
    }
}

/// The values of a data value export as they stream in: each a typed ``DataValue``, read one at a time from the
/// response with bounded memory (see ``DataValuesResource/export(_:)``).
///
/// The request is sent when iteration starts. Errors are ``DHIS2Error``s: a query DHIS2 refuses (409) as
/// `invalidRequest` with the server's message and WebMessage, a value that is not a data value as `decoding`
/// naming its position, and the usual transport errors.
public struct DataValueStream: AsyncSequence, Sendable {
    public typealias Element = DataValue
    let bytes: DHIS2ByteStream

    public struct AsyncIterator: AsyncIteratorProtocol {
        var elements: JSONArrayElements<DHIS2ByteStream>.AsyncIterator
        var index = 0

        /// The next value, or `nil` after the last.
        public mutating func next() async throws -> DataValue? {
            let element: [UInt8]?
            do {
                element = try await elements.next()
            } catch let error as DHIS2Error {
                throw DataValuesResource.exportError(error)
            }
            guard let element else { return nil }
            defer { index += 1 }
            do {
                return try DataValue(jsonBytes: element)
            } catch {
                throw DHIS2Error(
                    code: .decoding, message: "Exported value \(index) is not a data value: \(error).",
                    method: "GET", path: DataValuesResource.path, codingPath: ["dataValues", String(index)],
                    underlying: "\(error)")
            }
        }
    }

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(elements: JSONArrayElements(bytes, member: "dataValues").makeAsyncIterator())
    }
}

extension DataValuesResource {
    /// The values `query` selects (`GET /api/dataValueSets`), streamed: each value is parsed as its bytes arrive
    /// and handed out, so an export of millions of values runs in bounded memory. One request, sent when iteration
    /// starts; stop iterating to drop the rest.
    ///
    /// Why JSON and not DHIS2's CSV: the JSON export is the representation every supported version writes the same
    /// way (the values' fields by name, strings escaped by the JSON rules, `null` for empty fields), and the
    /// generated `DataValue` model already reads it fast from bytes. CSV would need a second parser with its own
    /// quoting rules and a column order that differs between versions. What streaming JSON needs is small: a
    /// structural scanner (``JSONArrayElementSplitter``) that cuts the `dataValues` array into elements, each parsed
    /// by the model's reader.
    ///
    /// - Throws (from iteration): ``DataValueStream``'s errors.
    public func export(_ query: DataValueQuery) -> DataValueStream {
        let request = DHIS2Request(method: .get, path: Self.path, query: query.queryItems, accept: "application/json")
        return DataValueStream(bytes: client.byteStream(request))
    }

    /// Streams the export `query` selects to the file at `filePath` (replaced) as DHIS2 sends it, the JSON data
    /// value set an import takes, and returns the bytes written. Memory stays bounded whatever the size.
    ///
    /// - Throws: ``DHIS2Error`` — `invalidRequest` for a query DHIS2 refuses (409, its message and WebMessage
    ///   attached) or a file that cannot be written; the usual transport errors. A refused query leaves the file
    ///   untouched.
    @discardableResult
    public func export(_ query: DataValueQuery, to filePath: String) async throws(DHIS2Error) -> Int64 {
        do {
            return try await client.download(Self.path, query: query.queryItems, to: filePath)
        } catch {
            throw Self.exportError(error)
        }
    }

    /// A 409 to an export is a query DHIS2 refuses (a required parameter missing, an unknown object): reported as
    /// `invalidRequest` with what DHIS2 said.
    static func exportError(_ error: DHIS2Error) -> DHIS2Error {
        guard error.status == 409 else { return error }
        let said = error.webMessage?.message ?? "no message"
        let code = error.webMessage?.errorCode.map { " (\($0))" } ?? ""
        return DHIS2Error(
            code: .invalidRequest,
            message: "DHIS2 refused the data value export query: \(said)\(code). An export needs a data set, data "
                + "element or data element group; periods, a start and end date, or lastUpdated(Duration); and an org "
                + "unit or org unit group.",
            method: error.method ?? "GET", path: error.path ?? Self.path, status: error.status,
            webMessage: error.webMessage, body: error.body)
    }
}
