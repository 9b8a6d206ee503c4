import DHIS2
import Foundation
import Logging
import NIOCore
import SQLiteNIO

/// A user the emulator authenticates; the password is kept only as a salted SHA-256 hash.
struct StoredUser: Sendable {
    let id: String
    let username: String
    let salt: String
    let passwordHash: String
    /// The user's profile (`firstName`, `surname`, `email`, `authorities`, `organisationUnits`, …).
    let profile: [String: JSONValue]

    func accepts(password: String) -> Bool { PasswordHash.hash(password: password, salt: salt) == passwordHash }
}

/// A personal access token; only the SHA-256 of the key is kept.
struct StoredToken: Sendable {
    let id: String
    let ownerID: String
    let keyHash: String
    /// The ApiToken object as `GET /api/apiToken/{uid}` renders it (no key).
    let object: [String: JSONValue]

    var expire: Int64? { object["expire"]?.doubleValue.map { Int64($0) } }
}

/// Everything stored, as one immutable value handlers read without awaiting.
struct StoreSnapshot: Sendable {
    /// Metadata objects by type plural, then by UID.
    var objects: [String: [String: JSONValue]] = [:]
    var users: [String: StoredUser] = [:]
    var tokens: [String: StoredToken] = [:]
    var settings: [String: String] = [:]

    func object(_ plural: String, _ id: String) -> [String: JSONValue]? { objects[plural]?[id]?.objectValue }

    func user(named username: String) -> StoredUser? { users.values.first { $0.username == username } }
}

/// The emulator's persistence: an in-memory snapshot that answers reads, written through to SQLite.
///
/// Mutations run synchronously on the actor (so a uniqueness check and the write it guards cannot interleave with
/// another request), then queue their SQL on one serial chain so the database sees them in the same order.
actor Store {
    enum Write: Sendable {
        case putObject(type: String, id: String, object: JSONValue)
        case deleteObject(type: String, id: String)
        case putUser(StoredUser)
        case putToken(StoredToken)
        case deleteToken(id: String)
        case setting(key: String, value: String)
    }

    private let database: SQLiteConnection
    private(set) var snapshot = StoreSnapshot()
    private var writeChain: Task<Void, any Error>?
    private let logger: Logger

    private init(database: SQLiteConnection, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Opens (creating when missing) `<directory>/emulator.sqlite`, or an in-memory database for `nil`.
    static func open(directory: String?, logger: Logger) async throws -> Store {
        let storage: SQLiteConnection.Storage
        if let directory {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw EmulatorError("cannot create the data directory \(directory): \(error.localizedDescription)")
            }
            storage = .file(path: (directory as NSString).appendingPathComponent("emulator.sqlite"))
        } else {
            storage = .memory
        }
        let database = try await SQLiteConnection.open(storage: storage, logger: logger)
        let store = Store(database: database, logger: logger)
        do {
            try await store.load()
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    private func load() async throws {
        for statement in [
            "CREATE TABLE IF NOT EXISTS objects (type TEXT NOT NULL, id TEXT NOT NULL, json TEXT NOT NULL, PRIMARY KEY (type, id))",
            "CREATE TABLE IF NOT EXISTS users (id TEXT PRIMARY KEY, username TEXT NOT NULL UNIQUE, salt TEXT NOT NULL, password_hash TEXT NOT NULL, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS api_tokens (id TEXT PRIMARY KEY, owner TEXT NOT NULL, key_hash TEXT NOT NULL UNIQUE, json TEXT NOT NULL)",
            "CREATE TABLE IF NOT EXISTS settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        ] {
            _ = try await database.query(statement)
        }
        var snapshot = StoreSnapshot()
        for row in try await database.query("SELECT type, id, json FROM objects") {
            guard let type = row.column("type")?.string, let id = row.column("id")?.string,
                let json = row.column("json")?.string, let value = try? JSONValue(parsing: Data(json.utf8))
            else { continue }
            snapshot.objects[type, default: [:]][id] = value
        }
        for row in try await database.query("SELECT id, username, salt, password_hash, json FROM users") {
            guard let id = row.column("id")?.string, let username = row.column("username")?.string,
                let salt = row.column("salt")?.string, let hash = row.column("password_hash")?.string,
                let json = row.column("json")?.string,
                let profile = (try? JSONValue(parsing: Data(json.utf8)))?.objectValue
            else { continue }
            snapshot.users[id] = StoredUser(id: id, username: username, salt: salt, passwordHash: hash, profile: profile)
        }
        for row in try await database.query("SELECT id, owner, key_hash, json FROM api_tokens") {
            guard let id = row.column("id")?.string, let owner = row.column("owner")?.string,
                let hash = row.column("key_hash")?.string, let json = row.column("json")?.string,
                let object = (try? JSONValue(parsing: Data(json.utf8)))?.objectValue
            else { continue }
            snapshot.tokens[id] = StoredToken(id: id, ownerID: owner, keyHash: hash, object: object)
        }
        for row in try await database.query("SELECT key, value FROM settings") {
            guard let key = row.column("key")?.string, let value = row.column("value")?.string else { continue }
            snapshot.settings[key] = value
        }
        self.snapshot = snapshot
    }

    /// Runs `body` on the current state without suspending; its returned writes update the snapshot at once and
    /// are persisted in order. Returns when they are on disk.
    func mutate<T: Sendable>(_ body: (StoreSnapshot) throws -> (T, [Write])) async throws -> T {
        let (result, writes) = try body(snapshot)
        guard !writes.isEmpty else { return result }
        for write in writes { apply(write) }
        let previous = writeChain
        let database = self.database
        let task = Task {
            _ = try? await previous?.value
            try await Store.persist(writes, to: database)
        }
        writeChain = task
        try await task.value
        return result
    }

    /// Runs `work` with the database on the same serial chain as the snapshot's writes (after those pending, before
    /// later ones), for stores that keep their own tables (data values): their transactions never interleave.
    func withDatabase<T: Sendable>(_ work: @escaping @Sendable (SQLiteConnection) async throws -> T) async throws -> T {
        let previous = writeChain
        let database = self.database
        let task = Task {
            _ = try? await previous?.value
            return try await work(database)
        }
        writeChain = Task { _ = try await task.value }
        return try await task.value
    }

    private func apply(_ write: Write) {
        switch write {
        case .putObject(let type, let id, let object): snapshot.objects[type, default: [:]][id] = object
        case .deleteObject(let type, let id): snapshot.objects[type]?[id] = nil
        case .putUser(let user): snapshot.users[user.id] = user
        case .putToken(let token): snapshot.tokens[token.id] = token
        case .deleteToken(let id): snapshot.tokens[id] = nil
        case .setting(let key, let value): snapshot.settings[key] = value
        }
    }

    private static func persist(_ writes: [Write], to database: SQLiteConnection) async throws {
        func text(_ value: JSONValue) -> SQLiteData {
            .text((try? value.jsonData()).map { String(decoding: $0, as: UTF8.self) } ?? "{}")
        }
        _ = try await database.query("BEGIN")
        do {
            for write in writes {
                switch write {
                case .putObject(let type, let id, let object):
                    _ = try await database.query(
                        "INSERT OR REPLACE INTO objects (type, id, json) VALUES (?, ?, ?)",
                        [.text(type), .text(id), text(object)])
                case .deleteObject(let type, let id):
                    _ = try await database.query("DELETE FROM objects WHERE type = ? AND id = ?", [.text(type), .text(id)])
                case .putUser(let user):
                    _ = try await database.query(
                        "INSERT OR REPLACE INTO users (id, username, salt, password_hash, json) VALUES (?, ?, ?, ?, ?)",
                        [.text(user.id), .text(user.username), .text(user.salt), .text(user.passwordHash),
                         text(.object(user.profile))])
                case .putToken(let token):
                    _ = try await database.query(
                        "INSERT OR REPLACE INTO api_tokens (id, owner, key_hash, json) VALUES (?, ?, ?, ?)",
                        [.text(token.id), .text(token.ownerID), .text(token.keyHash), text(.object(token.object))])
                case .deleteToken(let id):
                    _ = try await database.query("DELETE FROM api_tokens WHERE id = ?", [.text(id)])
                case .setting(let key, let value):
                    _ = try await database.query(
                        "INSERT OR REPLACE INTO settings (key, value) VALUES (?, ?)", [.text(key), .text(value)])
                }
            }
            _ = try await database.query("COMMIT")
        } catch {
            _ = try? await database.query("ROLLBACK")
            throw error
        }
    }

    /// Waits for pending writes and closes the database (also from a cancelled task: the future-based close does
    /// not observe cancellation, and SQLiteNIO requires every connection to be closed before it is released).
    func close() async {
        _ = try? await writeChain?.value
        guard !database.isClosed else { return }
        do {
            let closing: EventLoopFuture<Void> = database.close()
            try await closing.get()
        } catch {
            logger.debug("closing the emulator database failed", metadata: ["error": "\(error)"])
        }
    }
}
