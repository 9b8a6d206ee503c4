import DHIS2
import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// `/api/dataValueSets` and `/api/dataValues` (reference §7).
enum DataValueRoutes {
    /// The largest data value set body the emulator collects (a million values is about 200 MiB of JSON).
    static let bodyLimit = 1 << 30

    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        let segments = environment.segments
        guard segments.count == 1 else { return nil }
        switch (environment.request.method, segments[0]) {
        case (.post, "dataValueSets"): return await importSet(environment, state: state)
        case (.get, "dataValueSets"): return await DataValueExport(environment: environment, state: state).response()
        case (.get, "dataValues"), (.post, "dataValues"), (.delete, "dataValues"):
            return await SingleDataValue(environment: environment, state: state).response()
        default: return nil
        }
    }

    /// `POST /api/dataValueSets` (JSON): synchronous, or with `async=true` a `DATAVALUE_IMPORT` job.
    static func importSet(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let options: DataValueImportOptions
        do {
            options = try DataValueImportOptions(query: environment.query)
        } catch {
            return error.response
        }
        let contentType = environment.request.headers[.contentType]?.lowercased() ?? "application/json"
        guard contentType.hasPrefix("application/json") else {
            return Reply.webMessage(
                HTTPResponse.Status(code: 415), message: "Content-Type '\(contentType)' is not supported")
        }
        let bytes = Array(environment.body.readableBytesView)
        let context = DataValueImportContext(environment: environment, state: state, options: options)
        let store = state.dataValues
        if options.isAsync {
            let job = await state.jobs.submit(type: "DATAVALUE_IMPORT", parameters: nil) { progress in
                await progress.info("Process started")
                let (result, effective) = try await store.importDataValueSet(bytes, context: context)
                let count = result.imported + result.updated + result.deleted
                await progress.info("Import done, \(count) values written, \(result.ignored) ignored")
                await progress.completionMessage("Import done")
                return result.summary(options: effective)
            }
            return state.jobs.kickOff(job, environment: environment, state: state)
        }
        do {
            let (result, effective) = try await store.importDataValueSet(bytes, context: context)
            return result.response(options: effective)
        } catch let error as DataValueRequestError {
            return error.response
        } catch let error as DHIS2JSONError {
            return Reply.webMessage(.badRequest, message: "JSON parse error: \(error.message)")
        } catch {
            state.logger.error("data value import failed", metadata: ["error": "\(error)"])
            return Reply.webMessage(.internalServerError, message: "Data value import failed: \(error)")
        }
    }
}
