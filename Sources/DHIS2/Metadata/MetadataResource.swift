import DHIS2Core
import DHIS2Models
import Foundation

/// One page of a metadata list: the decoded objects and DHIS2's pager.
public struct MetadataPage<Model: MetadataModel>: Sendable {
    /// The objects on this page, in the server's order.
    public var items: [Model]
    /// DHIS2's pager (page, pageCount, pageSize, total, next and previous links); `nil` when the server sent none.
    public var pager: Pager?

    public init(items: [Model], pager: Pager?) {
        self.items = items
        self.pager = pager
    }

    /// Whether a later page exists, according to the pager.
    public var hasNextPage: Bool {
        guard let pager else { return false }
        return pager.page < pager.pageCount
    }
}

/// The typed verbs of one metadata collection (`/api/<plural>`): read, list, page, create, replace, patch, delete.
///
/// Get one from ``DHIS2Client/metadata``: `client.metadata.dataElements` or `client.metadata.resource(Model.self)`.
public struct MetadataResource<Model: MetadataModel>: Sendable {
    /// The client requests go through.
    public let client: DHIS2Client
    /// The collection's path, e.g. `/api/dataElements`.
    public let path: String

    /// The resource of `Model` on `client`.
    public init(client: DHIS2Client) {
        self.client = client
        self.path = Model.schema.apiEndpoint ?? "/api/" + Model.schema.plural
    }

    private var collectionKey: String { Model.schema.plural }

    private func objectPath(_ id: UID) -> String { path + "/" + id.rawValue }

    /// Reads the object with identifier `id` (`GET /api/<plural>/{id}`); DHIS2 renders every property (`*`) unless
    /// `fields` says otherwise.
    ///
    /// - Throws: ``DHIS2Error`` — `api` with status 404 when no such object exists; `decoding` when the answer does
    ///   not have the model's shape.
    public func get(_ id: UID, fields: Fields? = nil) async throws(DHIS2Error) -> Model {
        var query: [URLQueryItem] = []
        if let fields { query.append(URLQueryItem(name: "fields", value: fields.rendered)) }
        let bytes = try await client.data(objectPath(id), query: query)
        do {
            return try Model(jsonBytes: Array(bytes))
        } catch {
            throw decodingError(Model.self, error, at: objectPath(id))
        }
    }

    /// Reads one page of the collection (`GET /api/<plural>`). DHIS2's defaults apply to what is left out: fields
    /// `id,displayName`, order by name, page 1 of 50.
    ///
    /// - Parameters:
    ///   - filters: object filters, combined by `rootJunction`; an operator the server's version lacks is refused
    ///     before anything is sent.
    ///   - order: orderings, most significant first.
    /// - Throws: ``DHIS2Error`` — `invalidRequest` for an operator the server lacks; `api` (400) for a filter or
    ///   field DHIS2 rejects.
    public func list(
        fields: Fields? = nil, filters: [Filter] = [], rootJunction: RootJunction? = nil, order: [Order] = [],
        page: Int? = nil, pageSize: Int? = nil
    ) async throws(DHIS2Error) -> MetadataPage<Model> {
        let query = try listQuery(
            fields: fields, filters: filters, rootJunction: rootJunction, order: order, page: page, pageSize: pageSize)
        return try await fetchPage(query: query)
    }

    /// Every page of the collection as a lazy sequence: each page is requested only when the loop asks for it, and
    /// cancelling the surrounding task stops the requests. Costs one request per page.
    ///
    /// Filters are checked against the server's version when the sequence is made, so a refused operator throws
    /// here rather than on the first iteration.
    public func pages(
        fields: Fields? = nil, filters: [Filter] = [], rootJunction: RootJunction? = nil, order: [Order] = [],
        pageSize: Int? = nil
    ) throws(DHIS2Error) -> MetadataPageSequence<Model> {
        let query = try listQuery(
            fields: fields, filters: filters, rootJunction: rootJunction, order: order, page: nil, pageSize: pageSize)
        return MetadataPageSequence(resource: self, query: query)
    }

    /// Reads the objects with identifiers `ids` with `filter=id:in:[...]` and `paging=false`, returned in the order
    /// of `ids` (an identifier with no object is left out; a repeated one is returned once per mention).
    ///
    /// When the request line would exceed `maximumURLLength` characters, the identifiers are split over several
    /// requests (one per chunk, each unpaged) and the results merged; costs one request per chunk. `id` is added to
    /// `fields` when missing, to put the results in order.
    public func lookup(
        _ ids: [UID], fields: Fields? = nil, filters: [Filter] = [], maximumURLLength: Int = 4_000
    ) async throws(DHIS2Error) -> [Model] {
        guard !ids.isEmpty else { return [] }
        let selection = fields.map { Fields($0.items + [Field("id")]) }
        var base = try listQuery(
            fields: selection, filters: filters, rootJunction: nil, order: [], page: nil, pageSize: nil)
        base.append(URLQueryItem(name: "paging", value: "false"))
        let baseLength = path.utf8.count + base.reduce(0) { $0 + 2 + $1.name.utf8.count + Self.encodedLength($1.value ?? "") }
        // `&filter=id:in:[` and `]`, encoded; each identifier costs 11 characters and an encoded comma.
        let overhead = Self.encodedLength("&filter=id:in:[]")
        let perID = UID.length + Self.encodedLength(",")
        let chunkSize = max(1, (maximumURLLength - baseLength - overhead) / perID)
        let unique = Array(Set(ids)).sorted()
        var byID: [String: Model] = [:]
        var start = 0
        while start < unique.count {
            let chunk = unique[start..<min(start + chunkSize, unique.count)]
            start += chunkSize
            let query = base + [URLQueryItem(name: "filter", value: Filter.in("id", Array(chunk)).rendered)]
            for item in try await fetchPage(query: query).items {
                if let id = try body(item)["id"]?.stringValue { byID[id] = item }
            }
        }
        return ids.compactMap { byID[$0.rawValue] }
    }

    private static func encodedLength(_ text: String) -> Int {
        text.utf8.reduce(0) { count, byte in
            let isUnreserved =
                (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2D || byte == 0x2E || byte == 0x5F || byte == 0x7E
            return count + (isUnreserved ? 1 : 3)
        }
    }

    /// Creates `object` (`POST /api/<plural>`) and returns DHIS2's WebMessage: `createdUID` is the new object's
    /// identifier; a rejected object comes back as a WebMessage with status `ERROR` and the errors in its
    /// `objectReport` (DHIS2 answers 409), not as a thrown error.
    public func create(_ object: Model) async throws(DHIS2Error) -> WebMessage {
        try await client.webMessage(.post, path, body: try body(object))
    }

    /// Replaces the object with `object` (`PUT /api/<plural>/{id}`): properties left out become empty. The
    /// identifier is `id`, or the object's own `id` when `id` is `nil`.
    ///
    /// - Throws: ``DHIS2Error`` — `invalidRequest` when neither gives a valid identifier; `api` (404) when the
    ///   object does not exist.
    public func update(_ object: Model, id: UID? = nil) async throws(DHIS2Error) -> WebMessage {
        let json = try body(object)
        guard let target = id ?? json["id"]?.stringValue.flatMap(UID.init(rawValue:)) else {
            throw DHIS2Error(
                code: .invalidRequest,
                message: "A \(Model.schema.typeName) to update needs an identifier: set its id or pass id:.")
        }
        return try await client.webMessage(.put, objectPath(target), body: json)
    }

    /// Changes parts of the object with identifier `id` with JSON Patch operations
    /// (`PATCH /api/<plural>/{id}`, `application/json-patch+json`).
    public func patch(_ id: UID, _ operations: [JSONPatchOperation]) async throws(DHIS2Error) -> WebMessage {
        try await client.webMessage(
            .patch, objectPath(id), body: .array(operations.map(\.json)), contentType: "application/json-patch+json")
    }

    /// Deletes the object with identifier `id` (`DELETE /api/<plural>/{id}`). An object still referenced elsewhere
    /// is not deleted: DHIS2 answers 409 with an E4030 error in the returned WebMessage's `objectReport`.
    public func delete(_ id: UID) async throws(DHIS2Error) -> WebMessage {
        try await client.webMessage(.delete, objectPath(id))
    }

    // MARK: - Internals

    func listQuery(
        fields: Fields?, filters: [Filter], rootJunction: RootJunction?, order: [Order], page: Int?, pageSize: Int?
    ) throws(DHIS2Error) -> [URLQueryItem] {
        for filter in filters { try filter.check(against: client.apiVersion) }
        var query: [URLQueryItem] = []
        if let fields { query.append(URLQueryItem(name: "fields", value: fields.rendered)) }
        for filter in filters { query.append(URLQueryItem(name: "filter", value: filter.rendered)) }
        if let rootJunction { query.append(URLQueryItem(name: "rootJunction", value: rootJunction.rawValue)) }
        if !order.isEmpty { query.append(URLQueryItem(name: "order", value: order.map(\.rendered).joined(separator: ","))) }
        if let page { query.append(URLQueryItem(name: "page", value: String(page))) }
        if let pageSize { query.append(URLQueryItem(name: "pageSize", value: String(pageSize))) }
        return query
    }

    /// One page, decoded straight from the response bytes by the models' own reader: the pager and the collection
    /// member are read, anything else the server adds is skipped.
    func fetchPage(query: [URLQueryItem]) async throws(DHIS2Error) -> MetadataPage<Model> {
        let bytes = try await client.data(path, query: query)
        var reader = DHIS2JSONReader(bytes: Array(bytes))
        var pager: Pager?
        var items: [Model] = []
        do {
            try reader.beginObject()
            while let key = try reader.nextKey() {
                switch key {
                case "pager":
                    pager = try Pager(json: &reader)
                case collectionKey:
                    try reader.beginArray()
                    while try reader.nextElement() { items.append(try Model(json: &reader)) }
                default:
                    _ = try reader.readValue()
                }
            }
        } catch {
            throw decodingError(MetadataPage<Model>.self, error, at: path)
        }
        return MetadataPage(items: items, pager: pager)
    }

    private func decodingError<T>(_ type: T.Type, _ error: any Error, at path: String) -> DHIS2Error {
        DHIS2Error(
            code: .decoding, message: "The server's answer is not a \(T.self): \(error)", method: "GET", path: path,
            underlying: "\(error)")
    }

    private func body(_ object: Model) throws(DHIS2Error) -> JSONValue {
        do {
            return try object.jsonValue()
        } catch {
            throw DHIS2Error(
                code: .invalidRequest, message: "The \(Model.schema.typeName) could not be encoded as JSON: \(error)")
        }
    }
}

/// Every page of a metadata list, fetched one request at a time as iteration reaches it.
///
/// Iteration ends after the pager's last page; cancelling the iterating task stops it before the next request
/// with a `cancelled` ``DHIS2Error``.
public struct MetadataPageSequence<Model: MetadataModel>: AsyncSequence, Sendable {
    public typealias Element = MetadataPage<Model>
    public typealias Failure = DHIS2Error

    let resource: MetadataResource<Model>
    let query: [URLQueryItem]

    public func makeAsyncIterator() -> Iterator { Iterator(resource: resource, query: query) }

    /// Fetches the next page when asked.
    public struct Iterator: AsyncIteratorProtocol {
        public typealias Element = MetadataPage<Model>
        public typealias Failure = DHIS2Error

        let resource: MetadataResource<Model>
        let query: [URLQueryItem]
        var nextPage: Int? = 1

        public mutating func next() async throws(DHIS2Error) -> MetadataPage<Model>? {
            guard let page = nextPage else { return nil }
            if Task.isCancelled {
                nextPage = nil
                throw DHIS2Error(
                    code: .cancelled,
                    message: "Paging \(resource.path) was cancelled before page \(page); no further pages are read.")
            }
            let result = try await resource.fetchPage(query: query + [URLQueryItem(name: "page", value: String(page))])
            nextPage = result.hasNextPage ? page + 1 : nil
            return result
        }
    }
}
