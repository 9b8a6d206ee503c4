import DHIS2Profiles
import Foundation

/// A temporary home, XDG directory and project tree for one test; removed afterwards. Nothing reads the real `$HOME`.
struct Sandbox {
    let root: URL

    init() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("dhis2-profiles-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: projectDirectory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: workingDirectory, withIntermediateDirectories: true)
    }

    var home: URL { root.appendingPathComponent("home") }
    /// The project root: `<root>/project`.
    var projectDirectory: URL { root.appendingPathComponent("project") }
    /// A directory two levels below the project root, to prove the search walks up.
    var workingDirectory: URL { projectDirectory.appendingPathComponent("src/app") }

    var globalFile: String { home.appendingPathComponent(".config/dhis2/profiles.toml").path }
    var projectFile: String { projectDirectory.appendingPathComponent(".dhis2/profiles.toml").path }

    func environment(_ variables: [String: String] = [:]) -> ProfileEnvironment {
        var all = variables
        all["HOME"] = all["HOME"] ?? home.path
        return ProfileEnvironment(variables: all, workingDirectory: workingDirectory.path)
    }

    func profiles(_ variables: [String: String] = [:]) -> Profiles { Profiles(environment: environment(variables)) }

    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(
            atPath: URL(fileURLWithPath: path).deletingLastPathComponent().path, withIntermediateDirectories: true)
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    func read(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    func remove() { try? FileManager.default.removeItem(at: root) }
}

/// The permission bits of the file at `path`.
func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// Runs `body` with a fresh sandbox and removes it afterwards.
func withSandbox<T>(_ body: (Sandbox) async throws -> T) async throws -> T {
    let sandbox = try Sandbox()
    defer { sandbox.remove() }
    return try await body(sandbox)
}
