import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/metadata`: the bulk export (`GET`, reference §6.2) and the bundle import (`POST`, reference §6.1).
struct MetadataBulkHandlers {
    let environment: RequestEnvironment
    let state: EmulatorState

    private var view: MetadataView {
        MetadataView(
            snapshot: environment.snapshot, types: state.types, contextPath: environment.contextPath,
            version: state.version)
    }

    /// `GET /api/metadata`: the `system` block, then every selected type with objects. Types are chosen with
    /// `<plural>=true` (all metadata types when none is); `fields` (default `:owner`), `filter` and `order` apply to
    /// every type and `<plural>:fields` / `<plural>:filter` / `<plural>:order` to one; `defaults=EXCLUDE` hides
    /// DHIS2's generated `default` category objects; `skipSharing=true` drops sharing; `download=true` adds a
    /// `Content-Disposition` attachment header.
    func export() -> Response {
        let query = environment.query
        let requested = Set(
            query.pairs.filter { state.types[$0.name] != nil && $0.value.lowercased() == "true" }.map(\.name))
        let exported = state.types.values.filter { type in
            requested.isEmpty ? (type.schema?.isMetadata ?? true) : requested.contains(type.plural)
        }
        let view = self.view
        let excludeDefaults = query["defaults"]?.uppercased() == "EXCLUDE"
        let skipSharing = query["skipSharing"]?.lowercased() == "true"
        var body: [String: JSONValue] = [
            "system": [
                "id": .string(state.systemID),
                "rev": .string(SystemHandlers.revision(for: state.version)),
                "version": .string(state.version.string),
                // `DateUtils.toIso8601`: with the zone offset, unlike every other date on the wire.
                "date": .string(DHIS2Date.format(Date()) + "+0000"),
            ]
        ]
        for type in exported.sorted(by: { $0.plural < $1.plural }) {
            let objectQuery = ObjectQuery(view: view, type: type)
            let filters: [ObjectFilter]
            do {
                filters = try ObjectFilter.parseAll(
                    query.all("filter") + query.all(type.plural + ":filter"), version: state.version)
                try objectQuery.validate(filters)
            } catch {
                return Reply.webMessage(.badRequest, message: error.message, errorCode: error.errorCode)
            }
            var objects = (environment.snapshot.objects[type.plural] ?? [:]).values.compactMap(\.objectValue).filter {
                objectQuery.matches($0, filters, rootJunctionOr: false)
            }
            if excludeDefaults { objects = objects.filter { !Self.isDefaultObject($0, type: type) } }
            guard !objects.isEmpty else { continue }
            let orders = query.all(type.plural + ":order") + query.all("order") + query.all("defaultOrder")
            objects = objectQuery.sort(objects, by: objectQuery.orderings(orders))
            let specific = query.all(type.plural + ":fields")
            let fieldText = (specific.isEmpty ? query.all("fields") : specific).joined(separator: ",")
            let fields = FieldSelection.parse(fieldText, default: ":owner")
            body[type.plural] = .array(
                objects.map { object in
                    var rendered = view.render(object, type: type, fields: fields)
                    if skipSharing, case .object(var members) = rendered {
                        for key in ["sharing", "user", "publicAccess", "externalAccess", "userAccesses", "userGroupAccesses"] {
                            members[key] = nil
                        }
                        rendered = .object(members)
                    }
                    return rendered
                })
        }
        var headers = HTTPFields()
        headers[.cacheControl] = "no-cache, private"
        if query["download"]?.lowercased() == "true" {
            headers[.contentDisposition] = "attachment; filename=metadata.json"
        }
        return Reply.json(.object(body), headers: headers)
    }

    /// DHIS2's generated `default` category objects (`defaults=EXCLUDE`).
    static func isDefaultObject(_ object: [String: JSONValue], type: MetadataType) -> Bool {
        let categoryTypes: Set<String> = ["categories", "categoryOptions", "categoryCombos", "categoryOptionCombos"]
        return categoryTypes.contains(type.plural) && object["name"]?.stringValue == "default"
    }

    /// `POST /api/metadata`: the ImportReport in a WebMessage; 200 `OK` when the report is `OK`, otherwise 409 with
    /// envelope status `WARNING` even when the report says `ERROR` (reference §6.1).
    func importPayload() async throws -> Response {
        let bytes = Data(environment.body.readableBytesView)
        guard let value = try? JSONValue(parsing: bytes), let payload = value.objectValue else {
            let message = bytes.isEmpty
                ? "Required request body is missing"
                : "JSON parse error: Unexpected character: the request body is not a JSON object"
            return Reply.webMessage(.badRequest, message: message)
        }
        let importer = MetadataBundleImporter(
            types: state.types, version: state.version, principalID: environment.principal.user.id,
            parameters: MetadataImportParameters(environment.query))
        let result = try await state.store.mutate { snapshot -> (Result<MetadataBundleImporter.Outcome, MetadataBundleImporter.Failure>, [Store.Write]) in
            do throws(MetadataBundleImporter.Failure) {
                let outcome = try importer.run(payload, snapshot: snapshot)
                return (.success(outcome), outcome.writes)
            } catch {
                return (.failure(error), [])
            }
        }
        switch result {
        case .failure(.unreadable(let message)):
            return Reply.webMessage(.badRequest, message: message)
        case .success(let outcome):
            guard outcome.status == "OK" else {
                return Reply.webMessage(
                    .conflict, messageStatus: "WARNING",
                    message: "One or more errors occurred, please see full details in import report.",
                    response: outcome.report)
            }
            return Reply.webMessage(.ok, messageStatus: "OK", response: outcome.report)
        }
    }
}
