import Foundation

/// What profile resolution reads from the outside world: environment variables, the working directory and the home
/// directory. The CLI and tests pass their own; ``process`` is the running process's.
public struct ProfileEnvironment: Sendable, Hashable {
    /// The environment variables (`DHIS2_PROFILE`, `DHIS2_URL`, `XDG_CONFIG_HOME`, …).
    public var variables: [String: String]
    /// Where the search for a project `.dhis2/profiles.toml` starts.
    public var workingDirectory: String
    /// The user's home directory, for `~/.config/dhis2`; `nil` when there is none.
    public var homeDirectory: String?

    /// An environment with the given variables and directories; the home directory defaults to `HOME`.
    public init(variables: [String: String], workingDirectory: String, homeDirectory: String? = nil) {
        self.variables = variables
        self.workingDirectory = workingDirectory
        self.homeDirectory = homeDirectory ?? variables["HOME"].flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The running process's environment, working directory and home directory.
    public static var process: ProfileEnvironment {
        let variables = ProcessInfo.processInfo.environment
        return ProfileEnvironment(
            variables: variables, workingDirectory: FileManager.default.currentDirectoryPath,
            homeDirectory: variables["HOME"] ?? NSHomeDirectory())
    }

    /// The value of `name`, or `nil` when it is unset or empty.
    public func variable(_ name: String) -> String? {
        guard let value = variables[name], !value.isEmpty else { return nil }
        return value
    }
}

/// Where profile files and token stores live.
///
/// - Project: `.dhis2/profiles.toml` in the working directory or the nearest directory above it that has one.
/// - Global: `$XDG_CONFIG_HOME/dhis2/profiles.toml`, or `~/.config/dhis2/profiles.toml` when `XDG_CONFIG_HOME` is
///   unset (or not an absolute path, as the XDG specification says).
/// - Token store: ``tokenStoreFileName`` beside the profiles file it belongs to.
public enum ProfileLocations {
    /// The project directory's name: `.dhis2`.
    public static let projectDirectoryName = ".dhis2"
    /// The profiles file's name: `profiles.toml`.
    public static let fileName = "profiles.toml"
    /// The token store's file name. Not `tokens.sqlite`, which other DHIS2 tools write in the same directories with
    /// their own schema.
    public static let tokenStoreFileName = "swift-dhis2-tokens.sqlite"

    /// The nearest existing `.dhis2/profiles.toml` in `directory` or a directory above it; `nil` when there is none.
    public static func projectFile(startingAt directory: String) -> String? {
        var current = URL(fileURLWithPath: directory, isDirectory: true).standardizedFileURL
        while true {
            let candidate = current.appendingPathComponent(projectDirectoryName).appendingPathComponent(fileName).path
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isDirectory), !isDirectory.boolValue {
                return candidate
            }
            let parent = current.deletingLastPathComponent().standardizedFileURL
            if parent.path == current.path { return nil }
            current = parent
        }
    }

    /// Where a new project file goes when none exists yet: `<directory>/.dhis2/profiles.toml`.
    public static func newProjectFile(in directory: String) -> String {
        URL(fileURLWithPath: directory, isDirectory: true).appendingPathComponent(projectDirectoryName)
            .appendingPathComponent(fileName).path
    }

    /// The global profiles file's path (whether or not it exists); `nil` with neither `XDG_CONFIG_HOME` nor a home.
    public static func globalFile(in environment: ProfileEnvironment) -> String? {
        globalDirectory(in: environment).map { URL(fileURLWithPath: $0).appendingPathComponent(fileName).path }
    }

    /// The global configuration directory: `$XDG_CONFIG_HOME/dhis2` or `~/.config/dhis2`.
    public static func globalDirectory(in environment: ProfileEnvironment) -> String? {
        if let xdg = environment.variable("XDG_CONFIG_HOME"), xdg.hasPrefix("/") {
            return URL(fileURLWithPath: xdg, isDirectory: true).appendingPathComponent("dhis2").path
        }
        guard let home = environment.homeDirectory else { return nil }
        return URL(fileURLWithPath: home, isDirectory: true).appendingPathComponent(".config")
            .appendingPathComponent("dhis2").path
    }

    /// The token store that belongs to the profiles file at `profilesFile`: ``tokenStoreFileName`` in its directory.
    public static func tokenStorePath(for profilesFile: String) -> String {
        URL(fileURLWithPath: profilesFile).deletingLastPathComponent().appendingPathComponent(tokenStoreFileName).path
    }
}
