import DHIS2
import Foundation
import Logging
import NIOCore
import SQLiteNIO

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A ``TokenStore`` in a SQLite file: OAuth2 tokens kept between runs, shared by every process that uses the file.
///
/// The file (and its directory, when created) is private to the user: mode 0600 (0700). Each operation opens its own
/// connection and waits up to ``busyTimeout`` for another process's write to finish, so two processes — a CLI
/// command and a script, say — can read and refresh tokens at the same time. Each write is a single atomic statement; a
/// reader never sees half a token. The table is this package's own (`swift_dhis2_oauth2_tokens`), so the file never mixes with the
/// `tokens.sqlite` other DHIS2 tools keep in the same directories.
///
/// Keys come from ``key(profile:baseURL:clientID:)``: one token per profile, server and OAuth2 client.
public final class SQLiteTokenStore: TokenStore, CustomStringConvertible {
    /// The database file.
    public let path: String
    /// How long an operation waits for another process's transaction before failing.
    public let busyTimeout: Duration
    private let logger: Logger

    /// A store in the SQLite file at `path`, created (mode 0600, directory 0700) when missing.
    ///
    /// Creating the store touches only the file system; the database is opened by each operation.
    /// - Throws: ``ProfileError`` (`tokenStore`) when the file or its directory cannot be created.
    public init(
        path: String, busyTimeout: Duration = .seconds(10),
        logger: Logger = Logger(label: "dhis2.profiles.tokens", factory: { _ in SwiftLogNoOpLogHandler() })
    ) throws {
        self.path = path
        self.busyTimeout = busyTimeout
        self.logger = logger
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ProfileError(
                .tokenStore, "Cannot create the directory \(directory) for the token store: \(error.localizedDescription).",
                file: path)
        }
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw ProfileError(
                .tokenStore, "Cannot create the token store \(path) (\(String(cString: strerror(errno)))).", file: path)
        }
        defer { close(descriptor) }
        // An existing file keeps its owner but never stays readable by others.
        guard fchmod(descriptor, 0o600) == 0 else {
            throw ProfileError(
                .tokenStore, "Cannot make the token store \(path) private (\(String(cString: strerror(errno)))).",
                file: path)
        }
    }

    /// The store key for the token of `profile` on the server at `baseURL` with OAuth2 client `clientID`.
    ///
    /// The base URL is compared without trailing slashes or a trailing `/api`, so `https://x.org/` and
    /// `https://x.org/api` share a token.
    public static func key(profile: String, baseURL: String, clientID: String) -> String {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if base.lowercased().hasSuffix("/api") { base.removeLast(4) }
        while base.hasSuffix("/") { base.removeLast() }
        return "\(profile) \(base) \(clientID)"
    }

    public func token(for key: String) async throws -> OAuth2Token? {
        let rows = try await withDatabase { database in
            try await database.query("SELECT token FROM \(Self.table) WHERE key = ?", [.text(key)])
        }
        guard let json = rows.first?.column("token")?.string else { return nil }
        do {
            return try Self.decoder.decode(StoredToken.self, from: Data(json.utf8)).token
        } catch {
            throw ProfileError(
                .tokenStore, "The token stored in \(path) for \(key) cannot be read; log in again to replace it.",
                file: path)
        }
    }

    public func save(_ token: OAuth2Token, for key: String) async throws {
        let json: String
        do {
            json = String(decoding: try Self.encoder.encode(StoredToken(token)), as: UTF8.self)
        } catch {
            throw ProfileError(.tokenStore, "Cannot encode the OAuth2 token for \(key).", file: path)
        }
        _ = try await withDatabase { database in
            try await database.query(
                "INSERT OR REPLACE INTO \(Self.table) (key, token, updated_at) VALUES (?, ?, ?)",
                [.text(key), .text(json), .float(Date().timeIntervalSince1970)])
        }
        logger.debug("OAuth2 token saved", metadata: ["key": "\(key)", "path": "\(path)"])
    }

    public func removeToken(for key: String) async throws {
        _ = try await withDatabase { database in
            try await database.query("DELETE FROM \(Self.table) WHERE key = ?", [.text(key)])
        }
    }

    /// The keys that have a token, sorted.
    public func keys() async throws -> [String] {
        let rows = try await withDatabase { database in
            try await database.query("SELECT key FROM \(Self.table) ORDER BY key", [])
        }
        return rows.compactMap { $0.column("key")?.string }
    }

    public var description: String { "SQLiteTokenStore(\(path))" }

    // MARK: Database

    private static let table = "swift_dhis2_oauth2_tokens"

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    private static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    /// Opens a connection, runs `body`, and always closes it.
    ///
    /// Every operation is one statement in SQLite's autocommit mode, so a lock is only ever held inside one
    /// `sqlite3_step` on one thread: a transaction spanning several thread-pool hops could leave the lock holder
    /// waiting for a thread that other connections occupy while they wait for the lock.
    private func withDatabase(
        _ body: @Sendable (SQLiteConnection) async throws -> [SQLiteRow]
    ) async throws -> [SQLiteRow] {
        let database: SQLiteConnection
        do {
            database = try await SQLiteConnection.open(storage: .file(path: path), logger: logger)
        } catch {
            throw ProfileError(.tokenStore, "Cannot open the token store \(path): \(Self.reason(error)).", file: path)
        }
        do {
            let milliseconds = busyTimeout.components.seconds * 1000 + busyTimeout.components.attoseconds / 1_000_000_000_000_000
            // Replaces SQLiteNIO's spin-forever busy handler with SQLite's sleeping one, bounded.
            _ = try await database.query("PRAGMA busy_timeout = \(milliseconds)")
            _ = try await database.query(
                "CREATE TABLE IF NOT EXISTS \(Self.table) (key TEXT PRIMARY KEY, token TEXT NOT NULL, updated_at REAL NOT NULL)")
            let rows = try await body(database)
            await closeConnection(database)
            return rows
        } catch {
            await closeConnection(database)
            throw ProfileError(.tokenStore, "The token store \(path) failed: \(Self.reason(error)).", file: path)
        }
    }

    /// Closes `database`, also from a cancelled task (the future-based close does not observe cancellation, and
    /// SQLiteNIO requires every connection to be closed before it is released).
    private func closeConnection(_ database: SQLiteConnection) async {
        guard !database.isClosed else { return }
        do {
            let closing: EventLoopFuture<Void> = database.close()
            try await closing.get()
        } catch {
            logger.debug("closing the token store failed", metadata: ["path": "\(path)"])
        }
    }

    /// SQLite's reason, which names the failure (`database is locked`) and never a bound value.
    private static func reason(_ error: any Error) -> String {
        if let error = error as? SQLiteError { return error.message }
        return String(describing: type(of: error))
    }
}

/// The stored form of a token (the `OAuth2Token` fields, dates in seconds since 1970).
private struct StoredToken: Codable {
    var accessToken: String
    var refreshToken: String?
    var expiresAt: Date
    var scope: String?
    var tokenType: String

    init(_ token: OAuth2Token) {
        accessToken = token.accessToken
        refreshToken = token.refreshToken
        expiresAt = token.expiresAt
        scope = token.scope
        tokenType = token.tokenType
    }

    var token: OAuth2Token {
        OAuth2Token(
            accessToken: accessToken, refreshToken: refreshToken, expiresAt: expiresAt, scope: scope,
            tokenType: tokenType)
    }
}
