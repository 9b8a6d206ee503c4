import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `/api/tracker` (import) and `/api/tracker/{trackedEntities,enrollments,events,relationships}[/{uid}]` (export).
/// `/api/tracker/jobs/**` belongs to the job runner's routes.
enum TrackerRoutes {
    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        let segments = environment.segments
        guard segments.first == "tracker" else { return nil }
        let method = environment.request.method
        if segments.count == 1 {
            guard method == .post else { return nil }
            return try await importPayload(environment, state: state)
        }
        guard method == .get, segments.count <= 3, let kind = exportKind(segments[1]) else {
            return nil
        }
        let export = TrackerExport(
            kind: kind, environment: environment, tracker: await state.tracker.snapshot, version: state.version)
        do {
            if segments.count == 3 {
                guard UID.isValid(segments[2]) else { return nil }
                return try export.one(segments[2])
            }
            return try export.list()
        } catch let error as TrackerRequestError {
            return Reply.webMessage(.badRequest, message: error.message)
        } catch let missing as TrackerNotFound {
            return Reply.webMessage(
                .notFound, message: "\(missing.kind.className) with id \(missing.uid) could not be found.",
                errorCode: "E1005")
        }
    }

    /// The export collections.
    private static func exportKind(_ segment: String) -> TrackerKind? {
        switch segment {
        case "trackedEntities": .trackedEntity
        case "enrollments": .enrollment
        case "events": .event
        case "relationships": .relationship
        default: nil
        }
    }

    // MARK: Import

    private static func importPayload(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response {
        let parameters: TrackerImportParameters
        do {
            parameters = try TrackerImportParameters(environment.query)
        } catch {
            return Reply.webMessage(.badRequest, message: error.message)
        }
        let body: JSONValue
        do {
            body = try JSONValue(parsing: Data(environment.body.readableBytesView))
        } catch {
            return Reply.webMessage(
                .badRequest, message: "JSON parse error: the request body is not a JSON tracker payload")
        }
        guard let bundle = TrackerBundle(body) else {
            return Reply.webMessage(
                .badRequest, message: "JSON parse error: the request body is not a JSON tracker payload")
        }
        let user = environment.principal.user
        let version = state.version
        let snapshot = environment.snapshot
        let store = state.tracker
        if !parameters.isAsync {
            let report = try await runImport(bundle, parameters: parameters, metadata: snapshot, user: user, version: version, store: store)
            let failed = report["status"]?.stringValue == "ERROR"
            return Reply.json(report, status: failed ? .conflict : .ok)
        }
        let job = await state.jobs.submit(type: "TRACKER_IMPORT_JOB", parameters: nil) { progress in
            await progress.info("(\(user.username)) Import:Start", dataType: "PARAMETERS", data: parameters.json)
            let report = try await runImport(
                bundle, parameters: parameters, metadata: snapshot, user: user, version: version, store: store)
            await progress.completionMessage("(\(user.username)) Import:Done")
            return report
        }
        // TrackerImportController.importAsync: 200 WebMessage "Tracker job added" with the job's location
        // [core/2.42]; the response type follows §11.3 (absent on 2.41).
        let location = environment.contextPath + "/api/tracker/jobs/" + job.id
        var response: [String: JSONValue] = ["id": .string(job.id), "location": .string(location)]
        if version.minor > 41 {
            response["responseType"] = .string(
                version.importReportResponseType.hasSuffix("WebMessageResponse") ? "TrackerJobWebMessageResponse" : "TrackerJob")
        }
        var headers = HTTPFields()
        headers[.location] = location
        return Reply.webMessage(
            .ok, messageStatus: "OK", message: "Tracker job added", response: .object(response), headers: headers)
    }

    private static func runImport(
        _ bundle: TrackerBundle, parameters: TrackerImportParameters, metadata: StoreSnapshot, user: StoredUser,
        version: EmulatedVersion, store: TrackerStore
    ) async throws -> JSONValue {
        try await store.mutate { tracker in
            let importer = TrackerImporter(
                parameters: parameters, metadata: metadata, tracker: tracker, user: user, version: version)
            let (report, puts) = importer.run(bundle)
            return (report, puts)
        }
    }
}
