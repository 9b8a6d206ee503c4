import DHIS2Core

/// What differs between DHIS2 versions in the tracker lists (`/api/tracker/*`, reference §9.1): the one place the
/// tracker client looks the version up.
///
/// - 2.41 named the enrollment-status filter `programStatus` on every list; 2.42 renamed it (`enrollmentStatus` on
///   tracked entities and events, `status` on enrollments) and deprecated the old name.
/// - 2.41 answers with the `pager` object *and* deprecated top-level copies of its members; 2.42+ sends only
///   `pager`, adding absolute `prevPage`/`nextPage` links.
/// - `orgUnits`, `orgUnitMode`, `trackedEntities`, `events`, `assignedUsers` and `paging` exist from 2.41 (their
///   deprecated 2.41 spellings `orgUnit`, `ouMode`, `trackedEntity`, `event`, `assignedUser`, `skipPaging` were
///   removed in 2.42), so the client always sends the new names.
public struct TrackerDialect: Hashable, Sendable {
    /// The API version the names are for.
    public let apiVersion: APIVersion

    /// The names of `apiVersion`.
    public init(_ apiVersion: APIVersion) { self.apiVersion = apiVersion }

    /// The enrollment-status filter of `/api/tracker/trackedEntities`.
    public var trackedEntityEnrollmentStatus: String { apiVersion.minor >= 42 ? "enrollmentStatus" : "programStatus" }
    /// The status filter of `/api/tracker/enrollments`.
    public var enrollmentStatus: String { apiVersion.minor >= 42 ? "status" : "programStatus" }
    /// The enrollment-status filter of `/api/tracker/events`.
    public var eventEnrollmentStatus: String { apiVersion.minor >= 42 ? "enrollmentStatus" : "programStatus" }
    /// Whether list answers repeat the pager's members at the top level (2.41, deprecated).
    public var hasTopLevelPagerCopies: Bool { apiVersion.minor == 41 }
    /// Whether the pager carries `prevPage`/`nextPage` links (2.42+).
    public var hasPagerLinks: Bool { apiVersion.minor >= 42 }
}
