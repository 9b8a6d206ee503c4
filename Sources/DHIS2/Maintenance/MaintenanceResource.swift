import DHIS2Core
import Foundation

extension DHIS2Client {
    /// Server maintenance jobs: resource tables, monitoring (reference §10.1).
    public var maintenance: MaintenanceResource { MaintenanceResource(client: self) }
}

/// Starts DHIS2's maintenance jobs. Each call returns at once with the ``JobReference`` of the job it started; await
/// it with ``JobsResource/wait(for:timeout:pollInterval:)`` or watch it with
/// ``JobsResource/notifications(for:pollInterval:)``.
///
/// ```swift
/// let job = try await client.maintenance.resourceTables()
/// for try await row in client.jobs.notifications(for: job) { print(row.message ?? "") }
/// ```
///
/// Needs the `F_PERFORM_MAINTENANCE` authority.
public struct MaintenanceResource: Sendable {
    let client: DHIS2Client

    /// Regenerates the resource tables (`POST /api/resourceTables`, job type `RESOURCE_TABLE`).
    public func resourceTables() async throws(DHIS2Error) -> JobReference {
        try await start(path: "/api/resourceTables", query: [])
    }

    /// Runs the validation rule analysis that sends monitoring notifications (`POST /api/resourceTables/monitoring`,
    /// job type `MONITORING`).
    public func monitoring() async throws(DHIS2Error) -> JobReference {
        try await start(path: "/api/resourceTables/monitoring", query: [])
    }

    /// Sends a job trigger and reads the job reference out of its kick-off WebMessage.
    func start(path: String, query: [URLQueryItem]) async throws(DHIS2Error) -> JobReference {
        let message = try await client.webMessage(.post, path, query: query)
        guard let job = message.jobReference else {
            throw DHIS2Error(
                code: .decoding,
                message: "The server answered \(path) without a job reference (expected a JobConfiguration in the "
                    + "WebMessage's response).",
                method: "POST", path: path, status: message.httpStatusCode, webMessage: message)
        }
        return job
    }
}
