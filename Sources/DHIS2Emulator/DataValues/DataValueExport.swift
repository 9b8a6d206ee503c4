import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Which stored values an export selects (already resolved to UIDs).
struct DataValueFilter: Sendable {
    var dataElements: Set<String> = []
    /// ISO periods; `nil` when the export is by date range or last-updated only.
    var periods: Set<String>?
    /// Periods inside `[startDate, endDate]` (DHIS2: `pe.startDate >= :startDate and pe.endDate <= :endDate`).
    var startDate: CalendarDate?
    var endDate: CalendarDate?
    var orgUnits: Set<String> = []
    var attributeOptionCombos: Set<String>?
    /// Milliseconds since 1970: values updated at or after.
    var lastUpdatedSince: Int64?
    var includeDeleted = false
    var limit: Int?
}

extension DataValueStore {
    /// The positions of the values `filter` selects, in storage order.
    func positions(matching filter: DataValueFilter) -> [Int] {
        let elements = Set(filter.dataElements.compactMap(internedID))
        let units = Set(filter.orgUnits.compactMap(internedID))
        let attributes = filter.attributeOptionCombos.map { Set($0.compactMap(internedID)) }
        let periods = filter.periods.map { Set($0.compactMap(internedID)) }
        var periodCache: [UInt32: Bool] = [:]
        func periodMatches(_ id: UInt32) -> Bool {
            if let known = periodCache[id] { return known }
            var matches = periods?.contains(id) ?? true
            if matches, filter.startDate != nil || filter.endDate != nil {
                if let period = Period(string(id)) {
                    matches = (filter.startDate.map { period.startDate >= $0 } ?? true)
                        && (filter.endDate.map { period.endDate <= $0 } ?? true)
                } else {
                    matches = false
                }
            }
            periodCache[id] = matches
            return matches
        }
        return positions(limit: filter.limit) { key, record in
            (filter.includeDeleted || !record.deleted) && elements.contains(key.dataElement)
                && units.contains(key.orgUnit) && (attributes?.contains(key.attributeOptionCombo) ?? true)
                && (filter.lastUpdatedSince.map { record.lastUpdated >= $0 } ?? true) && periodMatches(key.period)
        }
    }
}

/// `GET /api/dataValueSets`: DHIS2's parameters, its required-parameter 409s and the streamed JSON of §7.4.
struct DataValueExport {
    let environment: RequestEnvironment
    let state: EmulatorState

    /// Values per chunk of the streamed body.
    static let chunkSize = 4096

    func response() async -> Response {
        let query = environment.query
        let metadata = DataValueMetadata(snapshot: environment.snapshot)
        func list(_ name: String) -> [String] {
            query.all(name).flatMap { $0.split(separator: ",").map(String.init) }.filter { !$0.isEmpty }
        }
        let dataSetIDs = list("dataSet").filter { metadata.dataSets[$0] != nil }
        let groups = list("dataElementGroup")
        let groupElements = groups.flatMap { group in
            (environment.snapshot.object("dataElementGroups", group)?["dataElements"]?.arrayValue ?? [])
                .compactMap { $0["id"]?.stringValue }
        }
        var elements = Set(list("dataElement").filter { metadata.dataElements[$0] != nil })
        elements.formUnion(groupElements)
        for id in dataSetIDs { elements.formUnion(metadata.dataSets[id]?.dataElements ?? []) }
        let periods = list("period")
        let startDate = query["startDate"].flatMap { CalendarDate($0.prefix(10)) }
        let endDate = query["endDate"].flatMap { CalendarDate($0.prefix(10)) }
        let lastUpdated = query["lastUpdated"].flatMap(DataValueStore.millis)
        let duration = query["lastUpdatedDuration"]
        let units = list("orgUnit")
        let unitGroups = list("orgUnitGroup")
        let children = query["children"]?.lowercased() == "true"
        let limit = query["limit"].flatMap { Int($0) }

        // [core/2.42 DefaultDataValueSetService.validate; messages from ErrorCode E2001–E2009]
        func illegal(_ code: String, _ message: String) -> Response {
            Reply.webMessage(.conflict, message: message, errorCode: code)
        }
        let askedForData = !list("dataSet").isEmpty || !list("dataElement").isEmpty || !groups.isEmpty
        if !askedForData {
            return illegal("E2001", "At least one data element, data set or data element group must be specified")
        }
        let hasDates = startDate != nil && endDate != nil
        if periods.isEmpty, !hasDates, lastUpdated == nil, duration == nil {
            return illegal(
                "E2002",
                "At least one period, start/end dates, last updated or last updated duration must be specified")
        }
        if !periods.isEmpty, hasDates { return illegal("E2003", "Both periods and start/end date cannot be specified") }
        if let startDate, let endDate, startDate > endDate {
            return illegal("E2004", "Start date must be before end date")
        }
        var since = lastUpdated
        if let duration {
            guard let seconds = Self.durationSeconds(duration) else {
                return illegal("E2005", "Duration is not valid: `\(duration)`")
            }
            let now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
            since = max(since ?? Int64.min, now - seconds * 1000)
        }
        if units.isEmpty, unitGroups.isEmpty {
            return illegal("E2006", "At least one organisation unit or organisation unit group must be specified")
        }
        if children, !unitGroups.isEmpty {
            return illegal("E2007", "Organisation unit children cannot be included for organisation unit groups")
        }
        if let limit, limit < 0 { return illegal("E2009", "Limit cannot be less than zero: `\(limit)`") }

        var unitSet: Set<String> = []
        for unit in units where metadata.orgUnitPaths[unit] != nil {
            if children { unitSet.formUnion(metadata.subtree(of: unit)) } else { unitSet.insert(unit) }
        }
        for group in unitGroups {
            for member in environment.snapshot.object("organisationUnitGroups", group)?["organisationUnits"]?
                .arrayValue ?? []
            {
                if let id = member["id"]?.stringValue { unitSet.insert(id) }
            }
        }
        let attributes = list("attributeOptionCombo")
        let filter = DataValueFilter(
            dataElements: elements, periods: periods.isEmpty ? nil : Set(periods.compactMap { Period($0)?.isoString }),
            startDate: periods.isEmpty ? startDate : nil, endDate: periods.isEmpty ? endDate : nil, orgUnits: unitSet,
            attributeOptionCombos: attributes.isEmpty ? nil : Set(attributes), lastUpdatedSince: since,
            includeDeleted: query["includeDeleted"]?.lowercased() == "true", limit: limit)
        let store = state.dataValues
        let positions = await store.positions(matching: filter)

        // One data set, one period and one org unit: the root names them [core/2.42 JsonDataValueSetWriter].
        var header: [UInt8] = Array("{".utf8)
        if dataSetIDs.count == 1, periods.count == 1, units.count == 1, !children {
            var writer = DHIS2JSONWriter()
            writer.beginObject()
            writer.key("dataSet")
            writer.write(dataSetIDs[0])
            writer.key("completeDate")
            writer.write(JSONValue.null)
            writer.key("period")
            writer.write(periods[0])
            writer.key("orgUnit")
            writer.write(units[0])
            header = writer.bytes + Array(",".utf8)
        }
        header += Array("\"dataValues\":[".utf8)
        let opening = header
        let includeDeleted = filter.includeDeleted
        var headers = HTTPFields()
        headers[.contentType] = "application/json;charset=UTF-8"
        headers[.cacheControl] = "no-store"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(bytes: opening))
            var start = 0
            var first = true
            while start < positions.count {
                let end = min(start + Self.chunkSize, positions.count)
                let values = await store.values(at: positions[start..<end])
                var bytes: [UInt8] = []
                bytes.reserveCapacity(values.count * 300)
                for value in values {
                    if !first { bytes.append(UInt8(ascii: ",")) }
                    first = false
                    Self.render(value, includeDeleted: includeDeleted, into: &bytes)
                }
                try await writer.write(ByteBuffer(bytes: bytes))
                start = end
            }
            try await writer.write(ByteBuffer(string: "]}"))
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One exported value: every member written, empty ones as explicit `null` (reference §7.4).
    static func render(_ value: StoredDataValue, includeDeleted: Bool, into bytes: inout [UInt8]) {
        var writer = DHIS2JSONWriter()
        writer.beginObject()
        for (name, text) in [
            ("dataElement", value.dataElement), ("period", value.period), ("orgUnit", value.orgUnit),
            ("categoryOptionCombo", value.categoryOptionCombo), ("attributeOptionCombo", value.attributeOptionCombo),
        ] {
            writer.key(name)
            writer.write(text)
        }
        for (name, text) in [("value", value.value), ("storedBy", value.storedBy)] {
            writer.key(name)
            if let text { writer.write(text) } else { writer.write(JSONValue.null) }
        }
        writer.key("created")
        writer.write(exportDate(value.created))
        writer.key("lastUpdated")
        writer.write(exportDate(value.lastUpdated))
        writer.key("comment")
        if let comment = value.comment { writer.write(comment) } else { writer.write(JSONValue.null) }
        writer.key("followup")
        writer.write(value.followup)
        if includeDeleted {
            writer.key("deleted")
            writer.write(value.deleted)
        }
        writer.endObject()
        bytes += writer.bytes
    }

    /// The export's date-time form, `2010-04-13T00:00:00.000+0000` (reference §0.1).
    static func exportDate(_ millis: Int64) -> String {
        DHIS2Date.format(Date(timeIntervalSince1970: Double(millis) / 1000)) + "+0000"
    }

    /// DHIS2's `lastUpdatedDuration` (`10d`, `5h`, `30m`, `2s`; days when no unit) in seconds.
    static func durationSeconds(_ text: String) -> Int64? {
        guard let last = text.last else { return nil }
        let unit: Int64
        var digits = Substring(text)
        switch last {
        case "d": unit = 86_400
        case "h": unit = 3600
        case "m": unit = 60
        case "s": unit = 1
        default: unit = last.isNumber ? 86_400 : 0
        }
        if !last.isNumber { digits = digits.dropLast() }
        guard unit > 0, let count = Int64(digits), count >= 0 else { return nil }
        return count * unit
    }
}
