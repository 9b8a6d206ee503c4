import DHIS2Core
import DHIS2Models
import Foundation

extension DHIS2Client {
    /// Aggregate analytics: `client.analytics.query(query)`.
    public var analytics: AnalyticsResource { AnalyticsResource(client: self) }
}

/// DHIS2's aggregate analytics endpoints for one client.
///
/// Each call is one `GET`; the answer is buffered up to the client's response limit, so stream a large result to
/// a file with ``download(_:endpoint:format:to:)``. A query DHIS2 refuses (409 with an `E71xx` code) throws a
/// ``DHIS2Error`` whose ``DHIS2Error/analyticsErrorCode`` names the constraint.
public struct AnalyticsResource: Sendable {
    /// The client requests go through.
    public let client: DHIS2Client

    /// The analytics endpoints of `client`.
    public init(client: DHIS2Client) { self.client = client }

    /// Aggregated values as a grid (`GET /api/analytics`).
    public func query(_ query: AnalyticsQuery) async throws(DHIS2Error) -> AnalyticsGrid {
        try await grid(.aggregated, query)
    }

    /// The raw, non-aggregated values behind a query as a grid (`GET /api/analytics/rawData.json`); the `ou`
    /// dimension covers each org unit's whole sub-hierarchy.
    public func rawData(_ query: AnalyticsQuery) async throws(DHIS2Error) -> AnalyticsGrid {
        try await grid(.rawData, query)
    }

    /// Aggregated values as a data value set (`GET /api/analytics/dataValueSet.json`); the query must have exactly
    /// the `dx`, `pe` and `ou` dimensions (E7117–E7119 otherwise).
    public func dataValueSet(_ query: AnalyticsQuery) async throws(DHIS2Error) -> DataValueSet {
        let endpoint = AnalyticsEndpoint.dataValueSet
        let bytes = try await fetch(endpoint, query)
        do {
            return try DataValueSet(jsonBytes: Array(bytes))
        } catch {
            throw DHIS2Error(
                code: .decoding, message: "The server's answer is not a data value set: \(error)", method: "GET",
                path: endpoint.path(.json), underlying: "\(error)")
        }
    }

    /// Streams a query's answer to the file at `filePath` (replacing it) with bounded memory, returning the number
    /// of bytes written; for results too large to buffer. A refused query throws before the file is touched.
    @discardableResult
    public func download(
        _ query: AnalyticsQuery, endpoint: AnalyticsEndpoint = .aggregated, format: AnalyticsFormat = .json,
        to filePath: String
    ) async throws(DHIS2Error) -> Int64 {
        do {
            return try await client.download(
                endpoint.path(format), query: query.queryItems, to: filePath, accept: format.accept)
        } catch {
            throw AnalyticsResource.clarified(error)
        }
    }

    private func grid(_ endpoint: AnalyticsEndpoint, _ query: AnalyticsQuery) async throws(DHIS2Error)
        -> AnalyticsGrid
    {
        let bytes = try await fetch(endpoint, query)
        do {
            return try AnalyticsGrid(jsonBytes: bytes)
        } catch {
            var error = error
            error.method = "GET"
            error.path = endpoint.path(.json)
            throw error
        }
    }

    private func fetch(_ endpoint: AnalyticsEndpoint, _ query: AnalyticsQuery) async throws(DHIS2Error) -> Data {
        do {
            return try await client.data(endpoint.path(.json), query: query.queryItems)
        } catch {
            throw AnalyticsResource.clarified(error)
        }
    }

    /// A refused query (409 with an `E7xxx` code) gets a message naming the code and the server's reason.
    static func clarified(_ error: DHIS2Error) -> DHIS2Error {
        guard let code = error.analyticsErrorCode else { return error }
        var clarified = error
        let reason = error.webMessage?.message ?? code.summary ?? "no reason given"
        clarified.message = "DHIS2 refused the analytics query (\(code.rawValue)): \(reason). Change the query's "
            + "dimensions, filters or options accordingly."
        return clarified
    }
}

/// Which analytics endpoint a query goes to.
public struct AnalyticsEndpoint: Hashable, Sendable {
    private let base: String
    private let needsSuffix: Bool

    /// `/api/analytics`: aggregated values as a grid.
    public static let aggregated = AnalyticsEndpoint(base: "/api/analytics", needsSuffix: false)
    /// `/api/analytics/rawData`: raw values as a grid.
    public static let rawData = AnalyticsEndpoint(base: "/api/analytics/rawData", needsSuffix: true)
    /// `/api/analytics/dataValueSet`: aggregated values as a data value set.
    public static let dataValueSet = AnalyticsEndpoint(base: "/api/analytics/dataValueSet", needsSuffix: true)

    /// The request path for `format`. `rawData` and `dataValueSet` exist only with a file suffix — without it DHIS2
    /// answers 404 with an HTML page (reference §8.4) — so JSON is always `….json` there.
    public func path(_ format: AnalyticsFormat) -> String {
        if format == .json && !needsSuffix { return base }
        return base + "." + format.suffix
    }
}

/// A response format of the analytics endpoints (which formats an endpoint offers: reference §8.1, §8.4).
public struct AnalyticsFormat: Hashable, Sendable {
    /// The path suffix without the dot (`json`, `csv`, …).
    public let suffix: String
    /// The `Accept` header sent.
    public let accept: String

    /// A format by suffix and media type.
    public init(suffix: String, accept: String) {
        self.suffix = suffix
        self.accept = accept
    }

    /// JSON (every endpoint).
    public static let json = AnalyticsFormat(suffix: "json", accept: "application/json")
    /// CSV (every endpoint).
    public static let csv = AnalyticsFormat(suffix: "csv", accept: "application/csv")
    /// XML (`/api/analytics`, `dataValueSet`).
    public static let xml = AnalyticsFormat(suffix: "xml", accept: "application/xml")
    /// HTML table (`/api/analytics`).
    public static let html = AnalyticsFormat(suffix: "html", accept: "text/html")
    /// Excel 97 (`/api/analytics`).
    public static let xls = AnalyticsFormat(suffix: "xls", accept: "application/vnd.ms-excel")
    /// Excel (`/api/analytics`).
    public static let xlsx = AnalyticsFormat(
        suffix: "xlsx", accept: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
}

/// An analytics constraint DHIS2 reports with 409 and an `E7xxx` error code (dhis2-core `ErrorCode`).
///
/// Open: codes this library does not list still come through with their raw value.
public struct AnalyticsErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code, e.g. `"E7104"`.
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    public var description: String { rawValue }

    /// E7101: at least one dimension must be specified.
    public static let noDimension = AnalyticsErrorCode(rawValue: "E7101")
    /// E7102: at least one data item (or data element group set item) must be specified.
    public static let noDataItem = AnalyticsErrorCode(rawValue: "E7102")
    /// E7103: a dimension is both a dimension and a filter.
    public static let dimensionAndFilter = AnalyticsErrorCode(rawValue: "E7103")
    /// E7104: no period, and no start and end date.
    public static let noPeriod = AnalyticsErrorCode(rawValue: "E7104")
    /// E7105: periods and start/end dates together.
    public static let periodsAndDates = AnalyticsErrorCode(rawValue: "E7105")
    /// E7106: the start date is after the end date.
    public static let startAfterEnd = AnalyticsErrorCode(rawValue: "E7106")
    /// E7108: more than one indicator as filter.
    public static let indicatorsAsFilter = AnalyticsErrorCode(rawValue: "E7108")
    /// E7110: category option combos as filter.
    public static let categoryOptionCombosAsFilter = AnalyticsErrorCode(rawValue: "E7110")
    /// E7111: a dimension specified more than once.
    public static let repeatedDimension = AnalyticsErrorCode(rawValue: "E7111")
    /// E7124: a dimension without any valid items.
    public static let noValidItems = AnalyticsErrorCode(rawValue: "E7124")
    /// E7125: a dimension identifier that references no dimension.
    public static let unknownDimension = AnalyticsErrorCode(rawValue: "E7125")
    /// E7128: the result exceeds the server's row limit (set ``AnalyticsQuery/ignoreLimit`` or narrow the query).
    public static let resultTooLarge = AnalyticsErrorCode(rawValue: "E7128")
    /// E7144: the analytics tables do not exist yet (run the analytics table job).
    public static let analyticsTablesMissing = AnalyticsErrorCode(rawValue: "E7144")

    /// What the code means, for the codes listed here.
    public var summary: String? {
        switch rawValue {
        case "E7101": return "At least one dimension must be specified"
        case "E7102":
            return "At least one data dimension item or data element group set dimension item must be specified"
        case "E7103": return "Dimensions cannot be specified as dimension and filter simultaneously"
        case "E7104": return "At least one period as dimension or filter, or start and dates, must be specified"
        case "E7105": return "Periods and start and end dates cannot be specified simultaneously"
        case "E7106": return "Start date cannot be after end date"
        case "E7108": return "Only a single indicator can be specified as filter"
        case "E7110": return "Category option combos cannot be specified as filter"
        case "E7111": return "Dimensions cannot be specified more than once"
        case "E7124": return "Dimension is present in query without any valid dimension options"
        case "E7125": return "Dimension identifier does not reference any dimension"
        case "E7128": return "Query result set exceeded max limit"
        case "E7144": return "Analytics tables do not exist; run the analytics table job"
        default: return nil
        }
    }
}

extension DHIS2Error {
    /// The analytics constraint DHIS2 reported, when this error is its 409 answer to an analytics query (an
    /// `E7xxx` error code in the WebMessage); `nil` for any other error.
    public var analyticsErrorCode: AnalyticsErrorCode? {
        guard status == 409, let code = webMessage?.errorCode, code.hasPrefix("E7") else { return nil }
        return AnalyticsErrorCode(rawValue: code)
    }
}
