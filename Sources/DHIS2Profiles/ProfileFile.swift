import DHIS2
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Which profiles file a profile lives in.
public enum ProfileScope: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// The project's `.dhis2/profiles.toml`, found by walking up from the working directory.
    case project
    /// The user's `~/.config/dhis2/profiles.toml` (or under `XDG_CONFIG_HOME`).
    case global

    public var description: String { rawValue }
}

/// One `profiles.toml`, read: its text, its `default`, and its `[profiles.<name>]` tables.
///
/// The format is the one DHIS2's Python tooling writes at the same paths: `default = "name"` and `[profiles.<name>]`
/// tables with `base_url`, `auth`, `token`, `username`, `password`, `client_id`, `client_secret`, `scope`,
/// `redirect_uri` and `version`, plus this package's optional `verify_tls`, `timeout` and `connect_timeout`. Keys
/// and tables it does not know are left alone.
struct ProfileFile: Sendable {
    let path: String
    let scope: ProfileScope
    let text: String
    let root: [String: TOMLValue]
    /// The 1-based line of each profile's `[profiles.<name>]` header, for error messages.
    let headerLines: [String: Int]

    /// Reads the file at `path`; `nil` when it does not exist.
    static func load(path: String, scope: ProfileScope) throws(ProfileError) -> ProfileFile? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw ProfileError(.fileSystem, "Cannot read the profiles file \(path): \(error.localizedDescription).", file: path)
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ProfileError(.malformedFile, "The profiles file \(path) is not UTF-8 text.", file: path)
        }
        return try ProfileFile(path: path, scope: scope, text: text)
    }

    init(path: String, scope: ProfileScope, text: String) throws(ProfileError) {
        self.path = path
        self.scope = scope
        self.text = text
        let parsed: (root: [String: TOMLValue], layout: TOMLLayout)
        do {
            parsed = try TOMLParser.parseWithLayout(text, file: path)
        } catch {
            throw ProfileError(
                .malformedFile, "The profiles file is not valid TOML: \(error.description). Fix the file, then retry.",
                file: path, line: error.line)
        }
        self.root = parsed.root
        let bytes = Array(text.utf8)
        var lines: [String: Int] = [:]
        for header in parsed.layout.headers where header.path.count == 2 && header.path[0] == "profiles" {
            lines[header.path[1]] = bytes[..<header.line.lowerBound].count(where: { $0 == UInt8(ascii: "\n") }) + 1
        }
        self.headerLines = lines
        if let value = root["default"], value.stringValue == nil {
            throw ProfileError(
                .malformedFile,
                "\(path): default must be a string naming a profile (default = \"name\"), not a \(value.typeName).",
                file: path)
        }
        if let value = root["profiles"], value.tableValue == nil {
            throw ProfileError(
                .malformedFile, "\(path): profiles must be a table ([profiles.<name>]), not a \(value.typeName).",
                file: path)
        }
    }

    /// The profile `default` names in this file, if any.
    var defaultName: String? { root["default"]?.stringValue }

    /// The names of the profiles in this file, sorted.
    var names: [String] { (root["profiles"]?.tableValue ?? [:]).keys.sorted() }

    /// The raw table of profile `name`.
    func table(_ name: String) -> TOMLValue? { root["profiles"]?.tableValue?[name] }

    /// The profile `name` as a ``Profile``; `nil` when the file has no such profile.
    ///
    /// - Throws: ``ProfileError`` (`invalidProfile`) when a field its kind needs is missing or has the wrong type.
    func profile(_ name: String) throws(ProfileError) -> Profile? {
        guard let value = table(name) else { return nil }
        let line = headerLines[name]
        let place = "profile \(name) in \(path)" + (line.map { " (line \($0))" } ?? "")
        guard let table = value.tableValue else {
            throw ProfileError(
                .invalidProfile, "The \(place) must be a table ([profiles.\(name)]), not a \(value.typeName).",
                file: path, line: line)
        }
        return try ProfileFile.decode(name: name, table: table, place: place, file: path, line: line)
    }

    static func decode(
        name: String, table: [String: TOMLValue], place: String, file: String?, line: Int?
    ) throws(ProfileError) -> Profile {
        func invalid(_ reason: String) -> ProfileError {
            ProfileError(.invalidProfile, "The \(place) \(reason).", file: file, line: line)
        }
        func string(_ key: String) throws(ProfileError) -> String? {
            guard let value = table[key] else { return nil }
            guard let text = value.stringValue else { throw invalid("has \(key) of type \(value.typeName); it must be a string") }
            return text.isEmpty ? nil : text
        }
        func required(_ key: String, for kind: String) throws(ProfileError) -> String {
            guard let value = try string(key) else { throw invalid("uses auth = \"\(kind)\" but has no \(key)") }
            return value
        }
        func seconds(_ key: String) throws(ProfileError) -> Duration? {
            guard let value = table[key] else { return nil }
            guard let number = value.doubleValue, number > 0, number.isFinite else {
                throw invalid("has \(key) = \(value); it must be a positive number of seconds")
            }
            return .milliseconds(Int64((number * 1000).rounded()))
        }
        guard let baseURL = try string("base_url") else { throw invalid("has no base_url") }
        let kind: String
        if let written = try string("auth") {
            kind = written.lowercased()
        } else if table["token"] != nil {
            kind = "pat"
        } else if table["client_id"] != nil {
            kind = "oauth2"
        } else if table["username"] != nil {
            kind = "basic"
        } else {
            throw invalid("has no auth (basic, pat or oauth2)")
        }
        let auth: Profile.Auth
        switch kind {
        case "basic":
            auth = .basic(username: try required("username", for: kind), password: try required("password", for: kind))
        case "pat":
            auth = .pat(token: try required("token", for: kind))
        case "oauth2":
            auth = .oauth2(
                OAuth2Settings(
                    clientID: try required("client_id", for: kind), clientSecret: try string("client_secret"),
                    scope: try string("scope"), redirectURI: try string("redirect_uri")))
        default:
            auth = .unsupported(kind: kind)
        }
        var version: APIVersion?
        if let text = try string("version") {
            guard let parsed = APIVersion(key: text) else {
                throw invalid("has version = \"\(text)\"; use one of v41, v42, v43, v44")
            }
            version = parsed
        }
        var verifiesTLS = true
        if let value = table["verify_tls"] {
            guard let flag = value.boolValue else { throw invalid("has verify_tls of type \(value.typeName); use true or false") }
            verifiesTLS = flag
        }
        return Profile(
            name: name, baseURL: baseURL, auth: auth, version: version, verifiesTLS: verifiesTLS,
            timeout: try seconds("timeout"), connectTimeout: try seconds("connect_timeout"))
    }
}

/// Writes files the way a crash cannot half-do: a temporary file in the same directory, flushed, then renamed over
/// the target. The result has mode 0600.
enum AtomicFile {
    /// Writes `text` to `path`, creating its directory (mode 0700) when missing.
    ///
    /// - Parameter beforeRename: runs after the temporary file is complete and before it replaces `path`; tests
    ///   throw from it to prove an interrupted write leaves the previous file intact.
    static func write(_ text: String, to path: String, beforeRename: () throws -> Void = {}) throws(ProfileError) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        func failure(_ what: String, _ code: Int32) -> ProfileError {
            ProfileError(.fileSystem, "Cannot write \(path): \(what) failed (\(String(cString: strerror(code)))).", file: path)
        }
        do {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw ProfileError(.fileSystem, "Cannot create the directory \(directory): \(error.localizedDescription).", file: path)
        }
        let name = URL(fileURLWithPath: path).lastPathComponent
        let temporary = URL(fileURLWithPath: directory).appendingPathComponent(".\(name).\(UUID().uuidString).tmp").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw failure("creating a temporary file", errno) }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        do throws(ProfileError) {
            guard fchmod(descriptor, 0o600) == 0 else { throw failure("setting mode 0600", errno) }
            let bytes = Array(text.utf8)
            var written = 0
            while written < bytes.count {
                let result = bytes[written...].withUnsafeBytes { buffer in
                    systemWrite(descriptor, buffer.baseAddress, buffer.count)
                }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw failure("writing", errno)
                }
                written += result
            }
            guard fsync(descriptor) == 0 else { throw failure("flushing", errno) }
            closed = true
            guard close(descriptor) == 0 else { throw failure("closing", errno) }
            do {
                try beforeRename()
            } catch {
                throw ProfileError(.fileSystem, "Writing \(path) was interrupted; the previous file is unchanged.", file: path)
            }
            guard rename(temporary, path) == 0 else { throw failure("renaming the temporary file", errno) }
        } catch {
            unlink(temporary)
            throw error
        }
        // Make the rename itself durable.
        let directoryDescriptor = open(directory, O_RDONLY | O_CLOEXEC)
        if directoryDescriptor >= 0 {
            _ = fsync(directoryDescriptor)
            close(directoryDescriptor)
        }
    }
}

/// `write(2)`, named apart from ``AtomicFile/write(_:to:beforeRename:)``.
private func systemWrite(_ descriptor: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    write(descriptor, buffer, count)
}
