import DHIS2
import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// The four kinds of tracker objects, named as DHIS2's `TrackerType` names them in import reports.
enum TrackerKind: String, Sendable, CaseIterable {
    case trackedEntity = "TRACKED_ENTITY"
    case enrollment = "ENROLLMENT"
    case event = "EVENT"
    case relationship = "RELATIONSHIP"

    /// The JSON member holding an object's UID (`trackedEntity`, `enrollment`, `event`, `relationship`).
    var idKey: String {
        switch self {
        case .trackedEntity: "trackedEntity"
        case .enrollment: "enrollment"
        case .event: "event"
        case .relationship: "relationship"
        }
    }

    /// The collection key of bundles and export lists.
    var plural: String { idKey == "trackedEntity" ? "trackedEntities" : idKey + "s" }

    /// DHIS2's `TrackerType.getName()`, used in error messages (`E1048`, `E5000`).
    var displayName: String {
        switch self {
        case .trackedEntity: "trackedEntity"
        case .enrollment: "enrollment"
        case .event: "event"
        case .relationship: "relationship"
        }
    }

    /// The Java class name of `NotFoundException` messages (`TrackedEntity with id … could not be found.`).
    var className: String {
        switch self {
        case .trackedEntity: "TrackedEntity"
        case .enrollment: "Enrollment"
        case .event: "Event"
        case .relationship: "Relationship"
        }
    }
}

/// One stored tracker object: its flat JSON (no nested collections; attribute values live on the tracked entity)
/// and its insertion sequence, the default order of export lists (DHIS2 orders by primary key).
struct StoredTrackerObject: Sendable {
    let sequence: Int
    var object: [String: JSONValue]

    var isDeleted: Bool { object["deleted"]?.boolValue == true }
    func string(_ key: String) -> String? { object[key]?.stringValue }
}

/// Everything the tracker stores, as one value export handlers read without awaiting.
struct TrackerSnapshot: Sendable {
    var objects: [TrackerKind: [String: StoredTrackerObject]] = [:]
    /// Enrollment UIDs by tracked entity, event UIDs by enrollment (for nested rendering and cascades).
    var enrollmentsByTrackedEntity: [String: [String]] = [:]
    var eventsByEnrollment: [String: [String]] = [:]
    /// Relationship UIDs by the UID of either side.
    var relationshipsByItem: [String: [String]] = [:]

    func object(_ kind: TrackerKind, _ uid: String) -> StoredTrackerObject? { objects[kind]?[uid] }

    func all(_ kind: TrackerKind) -> [StoredTrackerObject] {
        (objects[kind] ?? [:]).values.sorted { $0.sequence < $1.sequence }
    }

    mutating func put(_ kind: TrackerKind, uid: String, object: [String: JSONValue], sequence: Int) {
        let previous = objects[kind]?[uid]
        objects[kind, default: [:]][uid] = StoredTrackerObject(sequence: previous?.sequence ?? sequence, object: object)
        guard previous == nil else { return }
        switch kind {
        case .enrollment:
            if let owner = object["trackedEntity"]?.stringValue { enrollmentsByTrackedEntity[owner, default: []].append(uid) }
        case .event:
            if let owner = object["enrollment"]?.stringValue { eventsByEnrollment[owner, default: []].append(uid) }
        case .relationship:
            for side in ["from", "to"] {
                if let item = object[side], let itemUID = TrackerSnapshot.itemUID(item) {
                    relationshipsByItem[itemUID, default: []].append(uid)
                }
            }
        case .trackedEntity:
            break
        }
    }

    /// The UID a relationship item points at (`{"trackedEntity": "…"}` or the nested-object form).
    static func itemUID(_ item: JSONValue) -> String? {
        for key in ["trackedEntity", "enrollment", "event"] {
            if let text = item[key]?.stringValue { return text }
            if let nested = item[key]?[key]?.stringValue { return nested }
        }
        return nil
    }
}

/// The emulator's tracker persistence: an in-memory snapshot answering reads, written through to SQLite.
///
/// Tracker data lives in its own file, `tracker.sqlite`, next to the metadata store's `emulator.sqlite` in the data
/// directory (a second connection to the same file would make the two writers contend for SQLite's single write
/// lock). One row per object: `(kind, uid, sequence, json)`.
actor TrackerStore {
    private let database: SQLiteConnection
    private(set) var snapshot = TrackerSnapshot()
    private var nextSequence = 1
    private var writeChain: Task<Void, any Error>?
    private let logger: Logger

    private init(database: SQLiteConnection, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Opens (creating when missing) `<directory>/tracker.sqlite`, or an in-memory database for `nil`.
    static func open(directory: String?, logger: Logger) async throws -> TrackerStore {
        let storage: SQLiteConnection.Storage
        if let directory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw EmulatorError("cannot create the data directory \(directory): \(error.localizedDescription)")
            }
            storage = .file(path: (directory as NSString).appendingPathComponent("tracker.sqlite"))
        } else {
            storage = .memory
        }
        let database = try await SQLiteConnection.open(storage: storage, logger: logger)
        let store = TrackerStore(database: database, logger: logger)
        do {
            try await store.load()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private func load() async throws {
        _ = try await database.query(
            "CREATE TABLE IF NOT EXISTS tracker_objects (kind TEXT NOT NULL, uid TEXT NOT NULL, sequence INTEGER NOT NULL, json TEXT NOT NULL, PRIMARY KEY (kind, uid))"
        )
        var snapshot = TrackerSnapshot()
        var highest = 0
        for row in try await database.query("SELECT kind, uid, sequence, json FROM tracker_objects ORDER BY sequence") {
            guard let kindName = row.column("kind")?.string, let kind = TrackerKind(rawValue: kindName),
                let uid = row.column("uid")?.string, let sequence = row.column("sequence")?.integer,
                let json = row.column("json")?.string,
                let object = (try? JSONValue(parsing: Data(json.utf8)))?.objectValue
            else { continue }
            snapshot.put(kind, uid: uid, object: object, sequence: sequence)
            highest = max(highest, sequence)
        }
        self.snapshot = snapshot
        self.nextSequence = highest + 1
    }

    /// One object to store (insert or replace).
    struct Put: Sendable {
        let kind: TrackerKind
        let uid: String
        let object: [String: JSONValue]
    }

    /// Runs `body` on the current state without suspending (so validation and the writes it decides cannot
    /// interleave with another import); its puts update the snapshot at once and are persisted in one transaction.
    func mutate<T: Sendable>(_ body: (TrackerSnapshot) throws -> (T, [Put])) async throws -> T {
        let (result, puts) = try body(snapshot)
        guard !puts.isEmpty else { return result }
        var rows: [(Put, Int)] = []
        for put in puts {
            let sequence = snapshot.object(put.kind, put.uid)?.sequence ?? nextSequence
            if sequence == nextSequence { nextSequence += 1 }
            snapshot.put(put.kind, uid: put.uid, object: put.object, sequence: sequence)
            rows.append((put, sequence))
        }
        let previous = writeChain
        let database = self.database
        let task = Task {
            _ = try? await previous?.value
            try await TrackerStore.persist(rows, to: database)
        }
        writeChain = task
        try await task.value
        return result
    }

    private static func persist(_ rows: [(Put, Int)], to database: SQLiteConnection) async throws {
        _ = try await database.query("BEGIN")
        do {
            for (put, sequence) in rows {
                let json = (try? JSONValue.object(put.object).jsonData()).map { String(decoding: $0, as: UTF8.self) }
                _ = try await database.query(
                    "INSERT OR REPLACE INTO tracker_objects (kind, uid, sequence, json) VALUES (?, ?, ?, ?)",
                    [.text(put.kind.rawValue), .text(put.uid), .integer(sequence), .text(json ?? "{}")])
            }
            _ = try await database.query("COMMIT")
        } catch {
            _ = try? await database.query("ROLLBACK")
            throw error
        }
    }

    /// Waits for pending writes and closes the database.
    func close() async {
        _ = try? await writeChain?.value
        guard !database.isClosed else { return }
        do {
            let closing: EventLoopFuture<Void> = database.close()
            try await closing.get()
        } catch {
            logger.debug("closing the tracker database failed", metadata: ["error": "\(error)"])
        }
    }
}
