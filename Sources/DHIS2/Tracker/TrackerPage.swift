import DHIS2Core
import DHIS2Models
import Foundation

/// A tracker object `/api/tracker` lists and imports: ``TrackerTrackedEntity``, ``TrackerEnrollment``,
/// ``TrackerEvent`` and ``TrackerRelationship`` (the generated models of DHIS2's tracker API shapes, with
/// `createdAt`/`updatedAt` and the UID under the type's own name).
public protocol TrackerObject: DHIS2Model {
    /// The list path and collection member, e.g. `trackedEntities`.
    static var trackerCollection: String { get }
    /// The member holding the object's UID, e.g. `trackedEntity`.
    static var trackerIdentifierMember: String { get }
    /// The object's UID, when set.
    var trackerUID: String? { get set }
}

extension TrackerTrackedEntity: TrackerObject {
    public static var trackerCollection: String { "trackedEntities" }
    public static var trackerIdentifierMember: String { "trackedEntity" }
    public var trackerUID: String? {
        get { trackedEntity }
        set { trackedEntity = newValue }
    }
}

extension TrackerEnrollment: TrackerObject {
    public static var trackerCollection: String { "enrollments" }
    public static var trackerIdentifierMember: String { "enrollment" }
    public var trackerUID: String? {
        get { enrollment }
        set { enrollment = newValue }
    }
}

extension TrackerEvent: TrackerObject {
    public static var trackerCollection: String { "events" }
    public static var trackerIdentifierMember: String { "event" }
    public var trackerUID: String? {
        get { event }
        set { event = newValue }
    }
}

extension TrackerRelationship: TrackerObject {
    public static var trackerCollection: String { "relationships" }
    public static var trackerIdentifierMember: String { "relationship" }
    public var trackerUID: String? {
        get { relationship }
        set { relationship = newValue }
    }
}

/// The pager of a tracker list (DHIS2's `TrackerPager`, reference §9.1).
///
/// Unlike the metadata pager, `total` and `pageCount` are only sent when the request asked for them
/// (`totalPages=true`, which costs the server a count); `prevPage`/`nextPage` links exist from 2.42.
public struct TrackerPager: Hashable, Sendable {
    /// The page number, from 1.
    public var page: Int
    /// The page size.
    public var pageSize: Int
    /// How many objects match, when asked for with `totalPages`.
    public var total: Int?
    /// How many pages there are, when asked for with `totalPages`.
    public var pageCount: Int?
    /// The absolute URL of the previous page (2.42+), when there is one.
    public var prevPage: String?
    /// The absolute URL of the next page (2.42+), when there is one.
    public var nextPage: String?

    /// A pager.
    public init(
        page: Int, pageSize: Int, total: Int? = nil, pageCount: Int? = nil, prevPage: String? = nil,
        nextPage: String? = nil
    ) {
        self.page = page
        self.pageSize = pageSize
        self.total = total
        self.pageCount = pageCount
        self.prevPage = prevPage
        self.nextPage = nextPage
    }

    /// Reads a pager object (`{"page":…,"pageSize":…}`); `nil` when `json` has no page number.
    init?(json: JSONValue) {
        guard let page = json["page"]?.intValue else { return nil }
        self.init(
            page: page, pageSize: json["pageSize"]?.intValue ?? 0, total: json["total"]?.intValue,
            pageCount: json["pageCount"]?.intValue, prevPage: json["prevPage"]?.stringValue,
            nextPage: json["nextPage"]?.stringValue)
    }
}

/// One page of a tracker list: the decoded objects and the pager.
public struct TrackerPage<Object: TrackerObject>: Sendable {
    /// The objects on this page, in the server's order.
    public var items: [Object]
    /// The pager; `nil` for an unpaged list (`paging=false`).
    public var pager: TrackerPager?

    /// A page.
    public init(items: [Object], pager: TrackerPager?) {
        self.items = items
        self.pager = pager
    }

    /// Whether a later page exists, as far as the server said: the `nextPage` link (2.42+), or a `pageCount` (sent
    /// with `totalPages`) above this page's number.
    public var hasNextPage: Bool {
        guard let pager else { return false }
        if pager.nextPage != nil { return true }
        if let pageCount = pager.pageCount { return pager.page < pageCount }
        return false
    }

    /// Whether to ask for the page after this one: a 2.42+ server links the next page when there is one; a 2.41
    /// server sends no links, so without a `pageCount` a full page may be followed by more (at worst the last
    /// request reads an empty page).
    func mayHaveNextPage(_ dialect: TrackerDialect) -> Bool {
        guard let pager, !items.isEmpty else { return false }
        if hasNextPage { return true }
        if dialect.hasPagerLinks || pager.pageCount != nil { return false }
        return pager.pageSize > 0 && items.count >= pager.pageSize
    }

    /// Reads a list answer: the collection under `Object.trackerCollection` and the pager under `pager` (2.41+);
    /// a 2.40-style answer with the pager members at the top level and the objects under `instances` is read too.
    static func decode(_ bytes: [UInt8]) throws -> TrackerPage<Object> {
        var reader = DHIS2JSONReader(bytes: bytes)
        var items: [Object] = []
        var pager: TrackerPager?
        var topLevel: [String: JSONValue] = [:]
        try reader.beginObject()
        while let key = try reader.nextKey() {
            switch key {
            case Object.trackerCollection, "instances":
                try reader.beginArray()
                while try reader.nextElement() { items.append(try Object(json: &reader)) }
            case "pager":
                pager = TrackerPager(json: try reader.readValue())
            case "page", "pageSize", "total", "pageCount":
                // The deprecated top-level copies (2.41) or the 2.40 layout; the `pager` object wins.
                topLevel[key] = try reader.readValue()
            default:
                _ = try reader.readValue()
            }
        }
        return TrackerPage(items: items, pager: pager ?? TrackerPager(json: .object(topLevel)))
    }
}

/// Every page of a tracker list, fetched one request at a time as iteration reaches it.
///
/// Iteration ends after the last page (no `nextPage`, or a short page); cancelling the iterating task stops it
/// before the next request with a `cancelled` ``DHIS2Error``.
public struct TrackerPageSequence<Object: TrackerObject>: AsyncSequence, Sendable {
    public typealias Element = TrackerPage<Object>
    public typealias Failure = DHIS2Error

    let client: DHIS2Client
    let query: [URLQueryItem]

    public func makeAsyncIterator() -> Iterator { Iterator(client: client, query: query) }

    /// Fetches the next page when asked.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = TrackerPage<Object>
        public typealias Failure = DHIS2Error

        let client: DHIS2Client
        let query: [URLQueryItem]
        var nextPage: Int? = 1

        public mutating func next() async throws(DHIS2Error) -> TrackerPage<Object>? {
            guard let page = nextPage else { return nil }
            if Task.isCancelled {
                nextPage = nil
                throw DHIS2Error(
                    code: .cancelled,
                    message: "Paging /api/tracker/\(Object.trackerCollection) was cancelled before page \(page); no "
                        + "further pages are read.")
            }
            let result = try await TrackerAPI.fetchPage(
                Object.self, client: client, query: query + [URLQueryItem(name: "page", value: String(page))])
            nextPage = result.mayHaveNextPage(TrackerDialect(client.apiVersion)) ? page + 1 : nil
            return result
        }
    }
}
