import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// Generic metadata CRUD on `/api/<plural>` (reference §3).
struct MetadataHandlers {
    let type: MetadataType
    let environment: RequestEnvironment
    let state: EmulatorState

    private var view: MetadataView {
        MetadataView(snapshot: environment.snapshot, types: state.types, contextPath: environment.contextPath, version: state.version)
    }

    private static let pagingParameters: Set<String> = ["page", "pageSize"]

    // MARK: Read

    func list() -> Response {
        let query = environment.query
        let view = self.view
        let objectQuery = ObjectQuery(view: view, type: type)
        let filters: [ObjectFilter]
        do {
            filters = try ObjectFilter.parseAll(query.all("filter"), version: state.version)
            try objectQuery.validate(filters)
        } catch {
            return Reply.webMessage(.badRequest, message: error.message, errorCode: error.errorCode)
        }
        let rootOr = query["rootJunction"]?.uppercased() == "OR"
        let search = query["query"].flatMap { $0.isEmpty ? nil : $0 }
        let excludeDefaults = query["defaults"]?.uppercased() == "EXCLUDE"
        // One pass over the decoded objects: filters (`rootJunction`), then `query=` AND-ed regardless of the
        // junction (§5.3), then `defaults=EXCLUDE`.
        var objects: [[String: JSONValue]] = []
        for value in (environment.snapshot.objects[type.plural] ?? [:]).values {
            guard let object = value.objectValue, objectQuery.matches(object, filters, rootJunctionOr: rootOr) else {
                continue
            }
            if let search, !objectQuery.matchesQuery(object, search) { continue }
            if excludeDefaults, object["name"]?.stringValue == "default" { continue }
            objects.append(object)
        }
        objects = objectQuery.sort(objects, by: objectQuery.orderings(query.all("order")))

        let fields = FieldSelection.parse(query.all("fields").joined(separator: ","), default: "id,displayName")
        var body: [String: JSONValue] = [:]
        let paging = query["paging"]?.lowercased() != "false"
        var rows = objects[...]
        if paging {
            let pageSize = query["pageSize"].flatMap(Int.init).flatMap { $0 > 0 ? $0 : nil } ?? 50
            let requestedPage = max(1, query["page"].flatMap(Int.init) ?? 1)
            let total = objects.count
            let pageCount = (total + pageSize - 1) / pageSize
            let page = max(1, min(requestedPage, pageCount))
            let start = min((requestedPage - 1) * pageSize, total)
            rows = objects[start..<min(start + pageSize, total)]
            var pager: [String: JSONValue] = [
                "page": .number(Double(page)), "total": .number(Double(total)),
                "pageSize": .number(Double(pageSize)), "pageCount": .number(Double(pageCount)),
            ]
            if page < pageCount { pager["nextPage"] = .string(pageLink(page + 1, pageSize: pageSize)) }
            if page > 1 { pager["prevPage"] = .string(pageLink(page - 1, pageSize: pageSize)) }
            body["pager"] = .object(pager)
        }
        body[type.plural] = .array(rows.map { view.render($0, type: type, fields: fields) })
        var response = Reply.json(.object(body))
        response.headers[.cacheControl] = "no-cache, private"
        return response
    }

    /// DHIS2's pager link: `?page=N` (omitted for page 1), `&pageSize=N` unless 50, then every other parameter.
    private func pageLink(_ page: Int, pageSize: Int) -> String {
        var parameters: [String] = []
        if page > 1 { parameters.append("page=\(page)") }
        if pageSize != 50 { parameters.append("pageSize=\(pageSize)") }
        for (name, value) in environment.query.pairs where !Self.pagingParameters.contains(name) {
            parameters.append(QueryParameters.encode(name) + "=" + QueryParameters.encode(value))
        }
        let suffix = environment.request.uri.path.hasSuffix(".json") ? ".json" : ""
        let base = "\(environment.contextPath)/api/\(type.plural)\(suffix)"
        return parameters.isEmpty ? base : base + "?" + parameters.joined(separator: "&")
    }

    func get(id: String) -> Response {
        guard let object = environment.snapshot.object(type.plural, id) else { return notFound(id) }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        var response = Reply.json(view.render(object, type: type, fields: fields))
        response.headers[.cacheControl] = "no-cache, private"
        return response
    }

    /// `GET /api/<plural>/{uid}/{property}` (§3.2): `{"<property>": …}`, `fields` applying inside the property
    /// with `:all` by default [core AbstractFullReadOnlyController.getObjectProperty]. A property the version's
    /// schema lacks is a 404.
    func getProperty(id: String, property name: String) -> Response {
        guard let object = environment.snapshot.object(type.plural, id) else { return notFound(id) }
        guard type.property(name) != nil, type.hasSchemaProperty(name) else {
            return Reply.webMessage(
                .notFound, message: "Property \(name) does not exist on \(type.javaName)", errorCode: "E1005")
        }
        let inner = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: ":all")
        let node = FieldNode(name: name, children: inner)
        var response = Reply.json(view.render(object, type: type, fields: [node]))
        response.headers[.cacheControl] = "no-cache, private"
        return response
    }

    private func notFound(_ id: String) -> Response {
        Reply.webMessage(.notFound, message: "\(type.javaName) with id \(id) could not be found.", errorCode: "E1005")
    }

    // MARK: Write

    func create() async throws -> Response {
        let input: [String: JSONValue]
        switch parseBody() {
        case .success(let object): input = object
        case .failure(let response): return response
        }
        let importer = MetadataImporter(type: type, version: state.version, principalID: environment.principal.user.id, types: state.types)
        let outcome = try await state.store.mutate { snapshot in
            let result = importer.create(input, snapshot: snapshot)
            return (result.outcome, result.writes)
        }
        return report(outcome, successStatus: .created)
    }

    func replace(id: String) async throws -> Response {
        let input: [String: JSONValue]
        switch parseBody() {
        case .success(let object): input = object
        case .failure(let response): return response
        }
        let importer = MetadataImporter(type: type, version: state.version, principalID: environment.principal.user.id, types: state.types)
        let outcome = try await state.store.mutate { snapshot in
            let result = importer.replace(id: id, with: input, snapshot: snapshot)
            return (result.outcome, result.writes)
        }
        return report(outcome, successStatus: .ok)
    }

    func delete(id: String) async throws -> Response {
        let importer = MetadataImporter(type: type, version: state.version, principalID: environment.principal.user.id, types: state.types)
        let outcome = try await state.store.mutate { snapshot in
            let result = importer.delete(id: id, snapshot: snapshot)
            return (result.outcome, result.writes)
        }
        return report(outcome, successStatus: .ok)
    }

    /// `PATCH /api/<plural>/{uid}` with a JSON Patch (reference §3.5): only `application/json-patch+json` (415
    /// otherwise); the patched object is imported as a full update. The `id` cannot change: DHIS2 resets the UID of
    /// the patched object to the persisted one, so a patch of `/id` is silently without effect.
    func patch(id: String) async throws -> Response {
        let contentType = environment.request.headers[.contentType] ?? "application/octet-stream"
        guard contentType.lowercased().hasPrefix("application/json-patch+json") else {
            return Reply.webMessage(.unsupportedMediaType, message: "Content-Type '\(contentType)' is not supported")
        }
        let bytes = Data(environment.body.readableBytesView)
        guard let document = try? JSONValue(parsing: bytes) else {
            return Reply.webMessage(
                .badRequest,
                message: bytes.isEmpty
                    ? "Required request body is missing"
                    : "JSON parse error: Unexpected character: the request body is not a JSON Patch document")
        }
        let patch: MetadataPatch
        do {
            patch = try MetadataPatch(parsing: document)
        } catch {
            return Reply.webMessage(.badRequest, message: error.message)
        }
        let importer = MetadataImporter(type: type, version: state.version, principalID: environment.principal.user.id, types: state.types)
        let type = self.type
        let outcome = try await state.store.mutate { snapshot -> (PatchOutcome, [Store.Write]) in
            guard let existing = snapshot.object(type.plural, id) else { return (.imported(.notFound(id)), []) }
            let patched: [String: JSONValue]
            do throws(MetadataPatch.Failure) {
                patched = try patch.apply(to: existing, type: type)
            } catch {
                return (.invalid(error.message), [])
            }
            var input = patched
            input["id"] = .string(id)
            let result = importer.replace(id: id, with: input, snapshot: snapshot)
            return (.imported(result.outcome), result.writes)
        }
        switch outcome {
        case .invalid(let message): return Reply.webMessage(.badRequest, message: message)
        case .imported(let outcome): return report(outcome, successStatus: .ok)
        }
    }

    private enum PatchOutcome: Sendable {
        case invalid(String)
        case imported(ImportOutcome)
    }

    private enum BodyResult {
        case success([String: JSONValue])
        case failure(Response)
    }

    private func parseBody() -> BodyResult {
        let bytes = Data(environment.body.readableBytesView)
        guard let value = try? JSONValue(parsing: bytes), case .object(let object) = value else {
            let message = bytes.isEmpty
                ? "Required request body is missing"
                : "JSON parse error: Unexpected character: the request body is not a JSON object"
            return .failure(Reply.webMessage(.badRequest, message: message))
        }
        return .success(object)
    }

    private func report(_ outcome: ImportOutcome, successStatus: HTTPResponse.Status) -> Response {
        switch outcome {
        case .notFound(let id):
            return notFound(id)
        case .badRequest(let message):
            return Reply.webMessage(.badRequest, message: message)
        case .success(let uid):
            var headers = HTTPFields()
            if successStatus == .created { headers[.location] = "\(environment.contextPath)/api/\(type.plural)/\(uid)" }
            return Reply.webMessage(
                successStatus, messageStatus: "OK", response: objectReport(uid: uid, errors: []), headers: headers)
        case .failure(let uid, let errors, let isDeleteVeto):
            return Reply.webMessage(
                .conflict, messageStatus: isDeleteVeto ? "WARNING" : "ERROR",
                message: "One or more errors occurred, please see full details in import report.",
                response: objectReport(uid: uid, errors: errors))
        }
    }

    private func objectReport(uid: String, errors: [JSONValue]) -> JSONValue {
        [
            "responseType": .string(state.version.objectReportResponseType),
            "uid": .string(uid),
            "klass": .string(type.klass),
            "errorReports": .array(errors),
        ]
    }
}
