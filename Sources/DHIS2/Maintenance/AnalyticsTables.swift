import DHIS2Core
import Foundation

extension MaintenanceResource {
    /// Regenerates the analytics tables (`POST /api/resourceTables/analytics`, job type `ANALYTICS_TABLE`); analytics
    /// queries answer from the tables of the last completed run only.
    ///
    /// ```swift
    /// let job = try await client.maintenance.analyticsTables(lastYears: 2, skipEvents: true)
    /// let completion = try await client.jobs.wait(for: job)
    /// ```
    ///
    /// - Parameters:
    ///   - lastYears: Rebuild only the partitions of the last `lastYears` years (older years keep their tables);
    ///     `nil` rebuilds every year.
    ///   - skipResourceTables: Do not regenerate the resource tables first.
    ///   - skipAggregate: Skip the aggregate data value, completeness and completeness target tables.
    ///   - skipValidationResult: Skip the validation result table.
    ///   - skipEvents: Skip the event tables.
    ///   - skipEnrollment: Skip the enrollment tables.
    ///   - skipTrackedEntities: Skip the tracked entity tables.
    ///   - skipOrgUnitOwnership: Skip the organisation unit ownership tables.
    ///   - skipOutliers: Skip the outlier statistics.
    /// - Returns: The started job; await it with ``JobsResource/wait(for:timeout:pollInterval:)`` or watch it with
    ///   ``JobsResource/notifications(for:pollInterval:)``.
    public func analyticsTables(
        lastYears: Int? = nil, skipResourceTables: Bool = false, skipAggregate: Bool = false,
        skipValidationResult: Bool = false, skipEvents: Bool = false, skipEnrollment: Bool = false,
        skipTrackedEntities: Bool = false, skipOrgUnitOwnership: Bool = false, skipOutliers: Bool = false
    ) async throws(DHIS2Error) -> JobReference {
        var query: [URLQueryItem] = []
        if let lastYears { query.append(URLQueryItem(name: "lastYears", value: String(lastYears))) }
        // Only the flags that are set travel: every one defaults to false on the server.
        let flags: [(String, Bool)] = [
            ("skipResourceTables", skipResourceTables), ("skipAggregate", skipAggregate),
            ("skipValidationResult", skipValidationResult), ("skipEvents", skipEvents),
            ("skipEnrollment", skipEnrollment), ("skipTrackedEntities", skipTrackedEntities),
            ("skipOrgUnitOwnership", skipOrgUnitOwnership), ("skipOutliers", skipOutliers),
        ]
        for (name, isSet) in flags where isSet { query.append(URLQueryItem(name: name, value: "true")) }
        return try await start(path: "/api/resourceTables/analytics", query: query)
    }
}
