import DHIS2
import Foundation
import Logging
import SQLiteNIO
import Synchronization

/// One stored aggregate data value, as the export and (later) the analytics engine read it.
struct StoredDataValue: Sendable, Hashable {
    var dataElement: String
    var period: String
    var orgUnit: String
    var categoryOptionCombo: String
    var attributeOptionCombo: String
    var value: String?
    var storedBy: String?
    /// Milliseconds since 1970 (UTC).
    var created: Int64
    /// Milliseconds since 1970 (UTC).
    var lastUpdated: Int64
    var comment: String?
    var followup: Bool
    var deleted: Bool
}

/// The five identifiers of a data value, as interned numbers (see ``DataValueStore``).
struct DataValueKey: Hashable, Sendable {
    var dataElement: UInt32
    var period: UInt32
    var orgUnit: UInt32
    var categoryOptionCombo: UInt32
    var attributeOptionCombo: UInt32
}

/// The non-key part of a stored value.
struct DataValueRecord: Sendable, Equatable {
    var value: String?
    var storedBy: String?
    var created: Int64
    var lastUpdated: Int64
    var comment: String?
    var followup: Bool
    var deleted: Bool
}

/// The emulator's aggregate data values: an in-memory index for reads, written through to the `data_values` table of
/// the emulator's database.
///
/// Sized for millions of values: the five identifiers are interned to 32-bit numbers, so a key is 20 bytes, and the
/// values live in one insertion-ordered array (exports come out in the order values were first stored) with a
/// dictionary from key to position. Values are never removed: deleting marks them `deleted` (DHIS2's soft delete).
/// Writes reach SQLite in batches of multi-row upserts inside one transaction per import, on the ``Store``'s write
/// chain so they never interleave with metadata writes.
actor DataValueStore {
    private let store: Store
    private let logger: Logger
    private(set) var strings: [String] = []
    private var stringIDs: [String: UInt32] = [:]
    private(set) var keys: [DataValueKey] = []
    private(set) var records: [DataValueRecord] = []
    private var positions: [DataValueKey: Int] = [:]
    private var persistChain: Task<Void, any Error>?

    private init(store: Store, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    /// Creates the table when missing and loads every stored value.
    static func open(store: Store, logger: Logger) async throws -> DataValueStore {
        let dataValues = DataValueStore(store: store, logger: logger)
        let rows = try await store.withDatabase { database -> [StoredDataValue] in
            _ = try await database.query(
                """
                CREATE TABLE IF NOT EXISTS data_values (de TEXT NOT NULL, pe TEXT NOT NULL, ou TEXT NOT NULL, \
                coc TEXT NOT NULL, aoc TEXT NOT NULL, value TEXT, stored_by TEXT, created INTEGER NOT NULL, \
                last_updated INTEGER NOT NULL, comment TEXT, followup INTEGER NOT NULL, deleted INTEGER NOT NULL, \
                UNIQUE (de, pe, ou, coc, aoc))
                """)
            let sink = Mutex<[StoredDataValue]>([])
            try await database.query(
                "SELECT de, pe, ou, coc, aoc, value, stored_by, created, last_updated, comment, followup, deleted "
                    + "FROM data_values ORDER BY rowid", []
            ) { row in
                guard let de = row.column("de")?.string, let pe = row.column("pe")?.string,
                    let ou = row.column("ou")?.string, let coc = row.column("coc")?.string,
                    let aoc = row.column("aoc")?.string
                else { return }
                let value = StoredDataValue(
                    dataElement: de, period: pe, orgUnit: ou, categoryOptionCombo: coc, attributeOptionCombo: aoc,
                    value: row.column("value")?.string, storedBy: row.column("stored_by")?.string,
                    created: Int64(row.column("created")?.integer ?? 0),
                    lastUpdated: Int64(row.column("last_updated")?.integer ?? 0),
                    comment: row.column("comment")?.string, followup: (row.column("followup")?.integer ?? 0) != 0,
                    deleted: (row.column("deleted")?.integer ?? 0) != 0)
                sink.withLock { $0.append(value) }
            }
            return sink.withLock { rows in
                let all = rows
                rows = []
                return all
            }
        }
        await dataValues.load(rows)
        return dataValues
    }

    private func load(_ rows: [StoredDataValue]) {
        keys.reserveCapacity(rows.count)
        records.reserveCapacity(rows.count)
        for row in rows {
            let key = DataValueKey(
                dataElement: intern(row.dataElement), period: intern(row.period), orgUnit: intern(row.orgUnit),
                categoryOptionCombo: intern(row.categoryOptionCombo),
                attributeOptionCombo: intern(row.attributeOptionCombo))
            put(key, DataValueRecord(
                value: row.value, storedBy: row.storedBy, created: row.created, lastUpdated: row.lastUpdated,
                comment: row.comment, followup: row.followup, deleted: row.deleted))
        }
    }

    // MARK: Identifiers

    /// The number standing for `text` (assigned on first use).
    func intern(_ text: String) -> UInt32 {
        if let id = stringIDs[text] { return id }
        let id = UInt32(strings.count)
        strings.append(text)
        stringIDs[text] = id
        return id
    }

    /// The number of `text` when some value uses it.
    func internedID(_ text: String) -> UInt32? { stringIDs[text] }

    /// The text behind an interned number.
    func string(_ id: UInt32) -> String { strings[Int(id)] }

    // MARK: Reading

    /// The stored value (also a deleted one) under `key`.
    func record(_ key: DataValueKey) -> DataValueRecord? {
        positions[key].map { records[$0] }
    }

    /// Every stored value that is not deleted, in storage order (for the analytics engine).
    func allValues() -> [StoredDataValue] {
        var result: [StoredDataValue] = []
        result.reserveCapacity(records.count)
        for index in records.indices where !records[index].deleted {
            result.append(stored(at: index))
        }
        return result
    }

    /// How many values are stored, deleted ones included.
    var count: Int { records.count }

    /// The positions of the stored values `matching` accepts, in storage order, at most `limit`.
    func positions(limit: Int?, matching: (DataValueKey, DataValueRecord) -> Bool) -> [Int] {
        var result: [Int] = []
        for index in records.indices where matching(keys[index], records[index]) {
            result.append(index)
            if let limit, result.count >= limit { break }
        }
        return result
    }

    /// The values at `positions` (from ``positions(limit:matching:)``), in that order.
    func values(at positions: ArraySlice<Int>) -> [StoredDataValue] {
        positions.map { stored(at: $0) }
    }

    private func stored(at index: Int) -> StoredDataValue {
        let key = keys[index]
        let record = records[index]
        return StoredDataValue(
            dataElement: strings[Int(key.dataElement)], period: strings[Int(key.period)],
            orgUnit: strings[Int(key.orgUnit)], categoryOptionCombo: strings[Int(key.categoryOptionCombo)],
            attributeOptionCombo: strings[Int(key.attributeOptionCombo)], value: record.value,
            storedBy: record.storedBy, created: record.created, lastUpdated: record.lastUpdated,
            comment: record.comment, followup: record.followup, deleted: record.deleted)
    }

    // MARK: Writing

    private func put(_ key: DataValueKey, _ record: DataValueRecord) {
        if let position = positions[key] {
            records[position] = record
        } else {
            positions[key] = records.count
            keys.append(key)
            records.append(record)
        }
    }

    /// Stores `changes` in memory at once and on disk before returning (one transaction).
    func write(_ changes: [(DataValueKey, DataValueRecord)]) async throws {
        guard !changes.isEmpty else { return }
        // One row per key (its final state): an upsert statement may not touch the same row twice.
        var seen = Set<DataValueKey>()
        var changed: [Int] = []
        for (key, record) in changes {
            put(key, record)
            if seen.insert(key).inserted, let position = positions[key] { changed.append(position) }
        }
        let rows = changed.map { stored(at: $0) }
        let previous = persistChain
        let store = self.store
        let task = Task {
            _ = try? await previous?.value
            try await store.withDatabase { database in try await Self.persist(rows, to: database) }
        }
        persistChain = task
        do {
            try await task.value
        } catch {
            logger.error("storing data values failed", metadata: ["error": "\(error)", "count": "\(rows.count)"])
            throw error
        }
    }

    /// Rows per multi-row upsert: 12 parameters each stays well under SQLite's 32,766 host parameters.
    private static let rowsPerStatement = 1000

    private static func persist(_ rows: [StoredDataValue], to database: SQLiteConnection) async throws {
        _ = try await database.query("BEGIN")
        do {
            var start = 0
            while start < rows.count {
                let end = min(start + rowsPerStatement, rows.count)
                var sql = "INSERT INTO data_values (de, pe, ou, coc, aoc, value, stored_by, created, last_updated, "
                    + "comment, followup, deleted) VALUES "
                var binds: [SQLiteData] = []
                binds.reserveCapacity((end - start) * 12)
                for index in start..<end {
                    let row = rows[index]
                    sql += index == start ? "(?,?,?,?,?,?,?,?,?,?,?,?)" : ",(?,?,?,?,?,?,?,?,?,?,?,?)"
                    binds += [
                        .text(row.dataElement), .text(row.period), .text(row.orgUnit), .text(row.categoryOptionCombo),
                        .text(row.attributeOptionCombo), row.value.map(SQLiteData.text) ?? .null,
                        row.storedBy.map(SQLiteData.text) ?? .null, .integer(Int(row.created)),
                        .integer(Int(row.lastUpdated)), row.comment.map(SQLiteData.text) ?? .null,
                        .integer(row.followup ? 1 : 0), .integer(row.deleted ? 1 : 0),
                    ]
                }
                sql += " ON CONFLICT (de, pe, ou, coc, aoc) DO UPDATE SET value = excluded.value, "
                    + "stored_by = excluded.stored_by, created = excluded.created, "
                    + "last_updated = excluded.last_updated, comment = excluded.comment, "
                    + "followup = excluded.followup, deleted = excluded.deleted"
                _ = try await database.query(sql, binds)
                start = end
            }
            _ = try await database.query("COMMIT")
        } catch {
            _ = try? await database.query("ROLLBACK")
            throw error
        }
    }
}
