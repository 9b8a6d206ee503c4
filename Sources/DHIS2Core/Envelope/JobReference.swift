/// The job an asynchronous request started, read from its kick-off WebMessage (reference §10.1, §9.2).
///
/// Two payloads carry one:
/// - a `JobConfiguration` (`POST /api/resourceTables/analytics`, `/api/dataIntegrity`, `/api/metadata?async=true`,
///   `/api/dataValueSets?async=true`, …): `{"name","id","created","jobType","jobStatus","jobParameters",
///   "relativeNotifierEndpoint"}`; poll `relativeNotifierEndpoint` (`/api/system/tasks/{jobType}/{id}`);
/// - a tracker job (`POST /api/tracker`, async by default): `{"id","location"}` and no `jobType`; poll
///   `/api/tracker/jobs/{id}`.
///
/// The payload's `responseType` is absent on 2.41 and spelled differently on 2.42.0–2.42.4 and later (§11.3), so a
/// job reference is recognised by its fields, never by `responseType`.
public struct JobReference: Codable, Hashable, Sendable {
    /// DHIS2's `JobType`, e.g. `ANALYTICS_TABLE`, `DATAVALUE_IMPORT`, `METADATA_IMPORT`.
    public struct JobType: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// The wire name.
        public let rawValue: String
        /// A value by its wire name; values this library does not list are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `ANALYTICS_TABLE`.
        public static let analyticsTable = JobType(rawValue: "ANALYTICS_TABLE")
        /// `CONTINUOUS_ANALYTICS_TABLE`.
        public static let continuousAnalyticsTable = JobType(rawValue: "CONTINUOUS_ANALYTICS_TABLE")
        /// `RESOURCE_TABLE`.
        public static let resourceTable = JobType(rawValue: "RESOURCE_TABLE")
        /// `MONITORING`.
        public static let monitoring = JobType(rawValue: "MONITORING")
        /// `DATA_INTEGRITY`.
        public static let dataIntegrity = JobType(rawValue: "DATA_INTEGRITY")
        /// `DATA_INTEGRITY_DETAILS`.
        public static let dataIntegrityDetails = JobType(rawValue: "DATA_INTEGRITY_DETAILS")
        /// `DATAVALUE_IMPORT`.
        public static let dataValueImport = JobType(rawValue: "DATAVALUE_IMPORT")
        /// `METADATA_IMPORT`.
        public static let metadataImport = JobType(rawValue: "METADATA_IMPORT")
        /// `TRACKER_IMPORT_JOB`.
        public static let trackerImportJob = JobType(rawValue: "TRACKER_IMPORT_JOB")
        /// `GEOJSON_IMPORT`.
        public static let geoJSONImport = JobType(rawValue: "GEOJSON_IMPORT")
        /// `GML_IMPORT`.
        public static let gmlImport = JobType(rawValue: "GML_IMPORT")
        /// `COMPLETE_DATA_SET_REGISTRATION_IMPORT`.
        public static let completeDataSetRegistrationImport = JobType(rawValue: "COMPLETE_DATA_SET_REGISTRATION_IMPORT")
        /// `PREDICTOR`.
        public static let predictor = JobType(rawValue: "PREDICTOR")
        /// `DATA_SYNC`.
        public static let dataSync = JobType(rawValue: "DATA_SYNC")
        /// `META_DATA_SYNC`.
        public static let metadataSync = JobType(rawValue: "META_DATA_SYNC")
        public var description: String { rawValue }
    }

    /// DHIS2's `JobStatus`, e.g. `NOT_STARTED`, `RUNNING`, `COMPLETED`.
    public struct JobStatus: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// The wire name.
        public let rawValue: String
        /// A value by its wire name; values this library does not list are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `RUNNING`.
        public static let running = JobStatus(rawValue: "RUNNING")
        /// `SCHEDULED`.
        public static let scheduled = JobStatus(rawValue: "SCHEDULED")
        /// `DISABLED`.
        public static let disabled = JobStatus(rawValue: "DISABLED")
        /// `COMPLETED`.
        public static let completed = JobStatus(rawValue: "COMPLETED")
        /// `STOPPED`.
        public static let stopped = JobStatus(rawValue: "STOPPED")
        /// `FAILED`.
        public static let failed = JobStatus(rawValue: "FAILED")
        /// `NOT_STARTED`.
        public static let notStarted = JobStatus(rawValue: "NOT_STARTED")
        public var description: String { rawValue }
    }

    /// The job's identifier.
    public var id: UID
    /// The job type; absent for tracker jobs.
    public var jobType: JobType?
    /// The job's name; ad-hoc jobs are named `"<JOB_TYPE> (<epoch-millis>)"`.
    public var name: String?
    /// The job's status when the response was written (`NOT_STARTED`, `SCHEDULED` or `RUNNING`, by timing).
    public var jobStatus: JobStatus?
    /// When the job was created, as DHIS2 writes it (`yyyy-MM-dd'T'HH:mm:ss.SSS`, no zone).
    public var created: String?
    /// The job's parameters as JSON.
    public var jobParameters: JSONValue?
    /// Where to poll the job's notifications, e.g. `/api/system/tasks/ANALYTICS_TABLE/YR1UxOUXmzT`.
    public var relativeNotifierEndpoint: String?
    /// The absolute URL of a tracker job, e.g. `http://localhost:8080/api/tracker/jobs/cHh2OCTJvRw`.
    public var location: String?

    /// A job reference.
    public init(
        id: UID, jobType: JobType? = nil, name: String? = nil, jobStatus: JobStatus? = nil, created: String? = nil,
        jobParameters: JSONValue? = nil, relativeNotifierEndpoint: String? = nil, location: String? = nil
    ) {
        self.id = id
        self.jobType = jobType
        self.name = name
        self.jobStatus = jobStatus
        self.created = created
        self.jobParameters = jobParameters
        self.relativeNotifierEndpoint = relativeNotifierEndpoint
        self.location = location
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case id, jobType, name, jobStatus, created, jobParameters, relativeNotifierEndpoint, location
    }

    /// Whether this is a tracker import job (polled at `/api/tracker/jobs/{id}`, not `/api/system/tasks`).
    public var isTrackerJob: Bool { jobType == nil ? location != nil : jobType == .trackerImportJob }

    /// Reads a job reference out of a WebMessage `response` payload, or `nil` when it is not one.
    ///
    /// A `JobConfiguration` is recognised by `id` with `jobType`; a tracker job by `id` with `location`.
    public init?(response: JSONValue) {
        guard let members = response.objectValue,
            let id = members[CodingKeys.id.rawValue]?.stringValue.flatMap(UID.init(rawValue:))
        else { return nil }
        let jobType = members[CodingKeys.jobType.rawValue]?.stringValue.map(JobType.init(rawValue:))
        let location = members[CodingKeys.location.rawValue]?.stringValue
        guard jobType != nil || location != nil else { return nil }
        self.init(
            id: id, jobType: jobType, name: members[CodingKeys.name.rawValue]?.stringValue,
            jobStatus: members[CodingKeys.jobStatus.rawValue]?.stringValue.map(JobStatus.init(rawValue:)),
            created: members[CodingKeys.created.rawValue]?.stringValue,
            jobParameters: members[CodingKeys.jobParameters.rawValue],
            relativeNotifierEndpoint: members[CodingKeys.relativeNotifierEndpoint.rawValue]?.stringValue,
            location: location)
    }
}
