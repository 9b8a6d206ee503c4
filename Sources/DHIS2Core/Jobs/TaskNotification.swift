import Foundation

/// One progress row of a background job, as `GET /api/system/tasks/{jobType}/{jobId}` and
/// `GET /api/tracker/jobs/{id}` list them (DHIS2's `Notification`, reference §10.2).
///
/// The server lists rows newest first; this library hands them out oldest first. The last row of a finished job has
/// ``isCompleted`` set, with level ``Level/error`` when the job failed.
public struct TaskNotification: Hashable, Sendable {
    /// DHIS2's `NotificationLevel`.
    public struct Level: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        /// The wire name.
        public let rawValue: String
        /// A level by its wire name; values this library does not list are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `OFF`.
        public static let off = Level(rawValue: "OFF")
        /// `DEBUG`.
        public static let debug = Level(rawValue: "DEBUG")
        /// `LOOP`.
        public static let loop = Level(rawValue: "LOOP")
        /// `INFO`.
        public static let info = Level(rawValue: "INFO")
        /// `WARN`.
        public static let warn = Level(rawValue: "WARN")
        /// `ERROR`.
        public static let error = Level(rawValue: "ERROR")
        public var description: String { rawValue }
    }

    /// The row's identifier (`uid`; DHIS2 also sends it as `id`), unique within a job's rows.
    public var id: String
    /// How important the row is; a failed job's last row is ``Level/error``.
    public var level: Level
    /// The job type the row belongs to (`category`).
    public var category: JobReference.JobType?
    /// When the row was written, as DHIS2 writes it (`yyyy-MM-dd'T'HH:mm:ss.SSS`, server time, no zone).
    public var time: String?
    /// The row's text.
    public var message: String?
    /// Whether this is the job's last row.
    public var isCompleted: Bool
    /// What ``data`` holds (`PARAMETERS` for the tracker job's first row).
    public var dataType: String?
    /// Data attached to the row, e.g. the import parameters.
    public var data: JSONValue?

    /// A notification.
    public init(
        id: String, level: Level, category: JobReference.JobType? = nil, time: String? = nil, message: String? = nil,
        isCompleted: Bool = false, dataType: String? = nil, data: JSONValue? = nil
    ) {
        self.id = id
        self.level = level
        self.category = category
        self.time = time
        self.message = message
        self.isCompleted = isCompleted
        self.dataType = dataType
        self.data = data
    }

    /// Reads a notification object, or `nil` when `json` is not one (no `uid`/`id`).
    public init?(json: JSONValue) {
        guard let members = json.objectValue,
            let id = members["uid"]?.stringValue ?? members["id"]?.stringValue
        else { return nil }
        self.init(
            id: id, level: Level(rawValue: members["level"]?.stringValue ?? "INFO"),
            category: members["category"]?.stringValue.map(JobReference.JobType.init(rawValue:)),
            time: members["time"]?.stringValue, message: members["message"]?.stringValue,
            isCompleted: members["completed"]?.boolValue ?? false, dataType: members["dataType"]?.stringValue,
            data: members["data"])
    }

    /// Whether this is the last row of a failed job.
    public var isFailure: Bool { isCompleted && level == .error }
}

/// How a background job ended, as ``JobsResource/wait(for:timeout:pollInterval:)`` saw it.
public struct JobCompletion: Hashable, Sendable {
    /// Whether the job succeeded.
    public enum Status: String, Hashable, Sendable {
        /// The job completed (its last row is not an error; or its configuration says `COMPLETED`).
        case succeeded
        /// The job failed or was stopped (its last row is an error; or its configuration says `FAILED`/`STOPPED`).
        case failed
    }

    /// The job waited for.
    public var job: JobReference
    /// How it ended.
    public var status: Status
    /// The job's last row; `nil` when the server had already cleared the job's rows (DHIS2 2.44 does so shortly
    /// after a job fails) and the outcome was read from `/api/jobConfigurations/{id}`.
    public var terminal: TaskNotification?
    /// Every row seen while waiting, oldest first, each once.
    public var notifications: [TaskNotification]

    /// A completion.
    public init(job: JobReference, status: Status, terminal: TaskNotification?, notifications: [TaskNotification]) {
        self.job = job
        self.status = status
        self.terminal = terminal
        self.notifications = notifications
    }

    /// Whether the job succeeded.
    public var succeeded: Bool { status == .succeeded }

    /// The last row's text, or the last error row seen when the last row is gone.
    public var message: String? {
        terminal?.message ?? notifications.last(where: { $0.level == .error })?.message ?? notifications.last?.message
    }
}
