import DHIS2
import Foundation

/// Where a resolved profile came from.
public enum ProfileSource: Sendable, Hashable, CustomStringConvertible {
    /// The name the caller gave (the CLI's `--profile`).
    case explicitName
    /// The name in `DHIS2_PROFILE`.
    case environmentName
    /// Built from `DHIS2_URL` and credential variables.
    case environment
    /// The project file's `default`.
    case projectDefault
    /// The global file's `default`.
    case globalDefault

    public var description: String {
        switch self {
        case .explicitName: "the name given"
        case .environmentName: "DHIS2_PROFILE"
        case .environment: "DHIS2_URL and credential variables"
        case .projectDefault: "the project default"
        case .globalDefault: "the global default"
        }
    }
}

/// A profile together with where it came from and where its OAuth2 tokens are kept.
public struct ResolvedProfile: Sendable, Hashable {
    /// The profile.
    public var profile: Profile
    /// How resolution found it.
    public var source: ProfileSource
    /// The profiles file it is defined in; `nil` for a profile built from the environment.
    public var file: String?
    /// Which file that is; `nil` for a profile built from the environment.
    public var scope: ProfileScope?
    /// The SQLite token store beside its profiles file (for an environment profile, the global one); `nil` when
    /// there is no such place.
    public var tokenStorePath: String?

    /// A resolved profile.
    public init(
        profile: Profile, source: ProfileSource, file: String? = nil, scope: ProfileScope? = nil,
        tokenStorePath: String? = nil
    ) {
        self.profile = profile
        self.source = source
        self.file = file
        self.scope = scope
        self.tokenStorePath = tokenStorePath
    }
}

/// One row of ``Profiles/list(includingShadowed:)``.
public struct ListedProfile: Sendable, Hashable {
    /// The profile's name.
    public var name: String
    /// The file it is defined in.
    public var scope: ProfileScope
    /// The path of that file.
    public var file: String
    /// Its base URL, when the table has one.
    public var baseURL: String?
    /// Its auth kind (`basic`, `pat`, `oauth2`, or an unsupported kind), when it could be read.
    public var authKind: String?
    /// Whether it is the profile a resolution without a name would pick from the files (project default first).
    public var isDefault: Bool
    /// Whether a project profile of the same name hides this global one.
    public var isShadowed: Bool
    /// Why the profile cannot be used (a missing field, an unsupported auth kind), when it cannot.
    public var problem: String?
}

/// One field of a shown profile, as `profiles.toml` names it.
public struct ProfileField: Sendable, Hashable {
    /// The key (`base_url`, `auth`, `username`, `password`, …).
    public var key: String
    /// The value as text; `<redacted>` for a secret unless secrets were asked for.
    public var value: String
    /// Whether the value is a password, token or client secret.
    public var isSecret: Bool
}

extension Profile {
    /// The profile's fields in `profiles.toml` order and naming; secrets show as `<redacted>` unless
    /// `revealingSecrets`.
    public func fields(revealingSecrets: Bool = false) -> [ProfileField] {
        func secret(_ key: String, _ value: String) -> ProfileField {
            ProfileField(key: key, value: revealingSecrets ? value : "<redacted>", isSecret: true)
        }
        func plain(_ key: String, _ value: String) -> ProfileField { ProfileField(key: key, value: value, isSecret: false) }
        var fields = [plain("base_url", baseURL), plain("auth", auth.kind)]
        switch auth {
        case .basic(let username, let password):
            fields += [plain("username", username), secret("password", password)]
        case .pat(let token):
            fields.append(secret("token", token))
        case .oauth2(let settings):
            fields.append(plain("client_id", settings.clientID))
            if let clientSecret = settings.clientSecret { fields.append(secret("client_secret", clientSecret)) }
            if let scope = settings.scope { fields.append(plain("scope", scope)) }
            if let redirectURI = settings.redirectURI { fields.append(plain("redirect_uri", redirectURI)) }
        case .unsupported:
            break
        }
        if let version { fields.append(plain("version", version.key)) }
        if !verifiesTLS { fields.append(plain("verify_tls", "false")) }
        if let timeout { fields.append(plain("timeout", Profile.secondsText(timeout))) }
        if let connectTimeout { fields.append(plain("connect_timeout", Profile.secondsText(connectTimeout))) }
        return fields
    }

    /// The `profiles.toml` keys and values that describe this profile, in the order they are written.
    func tomlFields() -> [(key: String, value: TOMLValue)] {
        var fields: [(key: String, value: TOMLValue)] = [("base_url", .string(baseURL)), ("auth", .string(auth.kind))]
        switch auth {
        case .basic(let username, let password):
            fields += [("username", .string(username)), ("password", .string(password))]
        case .pat(let token):
            fields.append(("token", .string(token)))
        case .oauth2(let settings):
            fields.append(("client_id", .string(settings.clientID)))
            if let clientSecret = settings.clientSecret { fields.append(("client_secret", .string(clientSecret))) }
            if let scope = settings.scope { fields.append(("scope", .string(scope))) }
            if let redirectURI = settings.redirectURI { fields.append(("redirect_uri", .string(redirectURI))) }
        case .unsupported:
            break
        }
        if let version { fields.append(("version", .string(version.key))) }
        if !verifiesTLS { fields.append(("verify_tls", .boolean(false))) }
        for (key, duration) in [("timeout", timeout), ("connect_timeout", connectTimeout)] {
            guard let duration else { continue }
            let seconds = duration.secondsValue
            fields.append((key, seconds.rounded() == seconds ? .integer(Int64(seconds)) : .float(seconds)))
        }
        return fields
    }

    static func secondsText(_ duration: Duration) -> String {
        let seconds = duration.secondsValue
        return seconds.rounded() == seconds ? "\(Int64(seconds))" : "\(seconds)"
    }
}

extension Duration {
    var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}

/// Profiles as the CLI, the MCP server and scripts use them: resolution, listing, editing and connecting.
///
/// Resolution order (``resolve(_:)``): a name the caller gives → `DHIS2_PROFILE` → `DHIS2_URL` with credentials
/// (`DHIS2_PAT`; or `DHIS2_USERNAME` + `DHIS2_PASSWORD`; or `DHIS2_OAUTH_CLIENT_ID` + `DHIS2_OAUTH_CLIENT_SECRET`) →
/// the project file's `default` → the global file's `default`. A name is looked up in the project file first, so a
/// project profile shadows a global one of the same name.
///
/// Every call reads the files afresh; edits write them atomically (mode 0600) and change only the lines involved.
public struct Profiles: Sendable {
    /// The environment variables and directories resolution reads.
    public var environment: ProfileEnvironment

    /// Profiles as seen from `environment` (the running process's by default).
    public init(environment: ProfileEnvironment = .process) {
        self.environment = environment
    }

    /// The environment variable naming a profile.
    public static let profileVariable = "DHIS2_PROFILE"
    /// The environment variable with a server's base URL.
    public static let urlVariable = "DHIS2_URL"
    /// The environment variable with a personal access token.
    public static let tokenVariable = "DHIS2_PAT"
    /// The environment variable with a username for Basic authentication.
    public static let usernameVariable = "DHIS2_USERNAME"
    /// The environment variable with a password for Basic authentication.
    public static let passwordVariable = "DHIS2_PASSWORD"
    /// The environment variable with an OAuth2 client id.
    public static let clientIDVariable = "DHIS2_OAUTH_CLIENT_ID"
    /// The environment variable with an OAuth2 client secret.
    public static let clientSecretVariable = "DHIS2_OAUTH_CLIENT_SECRET"
    /// The environment variable with the OAuth2 scopes to request.
    public static let scopesVariable = "DHIS2_OAUTH_SCOPES"
    /// The environment variable with the OAuth2 redirect URI.
    public static let redirectURIVariable = "DHIS2_OAUTH_REDIRECT_URI"
    /// The environment variable pinning the API version (`43` or `v43`) of an environment profile.
    public static let versionVariable = "DHIS2_VERSION"

    /// The project profiles file found by walking up from the working directory, if any.
    public var projectFile: String? { ProfileLocations.projectFile(startingAt: environment.workingDirectory) }

    /// The global profiles file's path (whether or not it exists).
    public var globalFile: String? { ProfileLocations.globalFile(in: environment) }

    // MARK: Resolution

    /// The profile the resolution chain picks: `name` when given, else `DHIS2_PROFILE`, else `DHIS2_URL` with
    /// credentials, else the project default, else the global default.
    ///
    /// - Throws: ``ProfileError``: `notFound` for a name no file has (listing the files searched),
    ///   `nothingResolved` when no step applies (listing every place looked), `invalidEnvironment` for half-set
    ///   credential variables, `malformedFile` or `invalidProfile` for a file or table that cannot be read.
    public func resolve(_ name: String? = nil) throws(ProfileError) -> ResolvedProfile {
        if let name, !name.isEmpty { return try profile(named: name, source: .explicitName) }
        if let name = environment.variable(Self.profileVariable) {
            return try profile(named: name, source: .environmentName)
        }
        if let profile = try environmentProfile() {
            return ResolvedProfile(
                profile: profile, source: .environment, tokenStorePath: globalFile.map(ProfileLocations.tokenStorePath))
        }
        let files = try loadFiles()
        if let project = files.project, let name = project.defaultName {
            return try profile(named: name, source: .projectDefault, files: files)
        }
        if let global = files.global, let name = global.defaultName {
            return try profile(named: name, source: .globalDefault, files: files)
        }
        var looked = [
            "no profile name given", "\(Self.profileVariable) is not set",
            environment.variable(Self.urlVariable) == nil
                ? "\(Self.urlVariable) is not set"
                : "\(Self.urlVariable) is set but no credentials are (\(Self.tokenVariable); \(Self.usernameVariable) "
                    + "and \(Self.passwordVariable); or \(Self.clientIDVariable) and \(Self.clientSecretVariable))",
        ]
        if let project = files.project {
            looked.append("the project file \(project.path) has no default")
        } else {
            looked.append(
                "no project file \(ProfileLocations.projectDirectoryName)/\(ProfileLocations.fileName) in "
                    + "\(environment.workingDirectory) or a directory above it")
        }
        if let global = files.global {
            looked.append("the global file \(global.path) has no default")
        } else if let path = globalFile {
            looked.append("no global file \(path)")
        } else {
            looked.append("no global file (neither XDG_CONFIG_HOME nor a home directory is set)")
        }
        throw ProfileError(
            .nothingResolved,
            "No DHIS2 profile to use. Looked at: " + looked.joined(separator: "; ")
                + ". Add one with `dhis2 profile add NAME --url URL --auth pat --default`, or set \(Self.urlVariable) "
                + "and \(Self.tokenVariable).")
    }

    /// The profile called `name`: the project file's when it has one, else the global file's.
    public func profile(named name: String) throws(ProfileError) -> ResolvedProfile {
        try profile(named: name, source: .explicitName)
    }

    /// The unnamed profile `DHIS2_URL` and the credential variables describe; `nil` when `DHIS2_URL` or every
    /// credential is unset. A personal access token wins over a username and password, which win over OAuth2.
    ///
    /// - Throws: ``ProfileError`` (`invalidEnvironment`) for half-set credentials or an unusable `DHIS2_VERSION`.
    public func environmentProfile() throws(ProfileError) -> Profile? {
        guard let url = environment.variable(Self.urlVariable) else { return nil }
        let username = environment.variable(Self.usernameVariable)
        let password = environment.variable(Self.passwordVariable)
        let clientID = environment.variable(Self.clientIDVariable)
        let clientSecret = environment.variable(Self.clientSecretVariable)
        let auth: Profile.Auth
        if let token = environment.variable(Self.tokenVariable) {
            auth = .pat(token: token)
        } else if let username, let password {
            auth = .basic(username: username, password: password)
        } else if username != nil || password != nil {
            let (set, unset) =
                username != nil ? (Self.usernameVariable, Self.passwordVariable) : (Self.passwordVariable, Self.usernameVariable)
            throw ProfileError(
                .invalidEnvironment,
                "\(set) is set but \(unset) is not: set both, or set \(Self.tokenVariable) to a personal access "
                    + "token instead.")
        } else if let clientID, let clientSecret {
            auth = .oauth2(
                OAuth2Settings(
                    clientID: clientID, clientSecret: clientSecret, scope: environment.variable(Self.scopesVariable),
                    redirectURI: environment.variable(Self.redirectURIVariable)))
        } else if clientID != nil || clientSecret != nil {
            let (set, unset) =
                clientID != nil ? (Self.clientIDVariable, Self.clientSecretVariable) : (Self.clientSecretVariable, Self.clientIDVariable)
            throw ProfileError(.invalidEnvironment, "\(set) is set but \(unset) is not: set both for OAuth2.")
        } else {
            return nil
        }
        var version: APIVersion?
        if let text = environment.variable(Self.versionVariable) {
            guard let parsed = APIVersion(key: text) else {
                throw ProfileError(
                    .invalidEnvironment, "\(Self.versionVariable)=\(text) is not a supported API version; use 41–44 or v41–v44.")
            }
            version = parsed
        }
        return Profile(name: nil, baseURL: url, auth: auth, version: version)
    }

    private func profile(named name: String, source: ProfileSource) throws(ProfileError) -> ResolvedProfile {
        try profile(named: name, source: source, files: try loadFiles())
    }

    private func profile(named name: String, source: ProfileSource, files: LoadedFiles) throws(ProfileError)
        -> ResolvedProfile
    {
        for file in [files.project, files.global].compactMap({ $0 }) {
            guard let profile = try file.profile(name) else { continue }
            return ResolvedProfile(
                profile: profile, source: source, file: file.path, scope: file.scope,
                tokenStorePath: ProfileLocations.tokenStorePath(for: file.path))
        }
        var searched: [String] = []
        if let project = files.project { searched.append(project.path) }
        if let path = globalFile { searched.append(path) }
        let available = Set(files.project?.names ?? []).union(files.global?.names ?? []).sorted()
        let via = source == .environmentName ? " (from \(Self.profileVariable))" : source == .explicitName ? "" : " (the default)"
        throw ProfileError(
            .notFound,
            "No profile named \(name)\(via). Searched: "
                + (searched.isEmpty ? "no profiles file exists" : searched.joined(separator: ", ")) + ". "
                + (available.isEmpty ? "No profiles are defined yet." : "Defined: \(available.joined(separator: ", ")).")
                + " Add it with `dhis2 profile add \(name) --url URL --auth pat`.")
    }

    struct LoadedFiles {
        var project: ProfileFile?
        var global: ProfileFile?

        func file(_ scope: ProfileScope) -> ProfileFile? { scope == .project ? project : global }
    }

    func loadFiles() throws(ProfileError) -> LoadedFiles {
        var files = LoadedFiles()
        if let path = projectFile { files.project = try ProfileFile.load(path: path, scope: .project) }
        if let path = globalFile { files.global = try ProfileFile.load(path: path, scope: .global) }
        return files
    }

    // MARK: Listing and showing

    /// Every profile in the project and global files, sorted by name (project first for equal names); global
    /// profiles a project profile shadows only when `includingShadowed`.
    ///
    /// Profiles that cannot be used (an unsupported auth kind, a missing field) are listed with a ``ListedProfile/problem``.
    public func list(includingShadowed: Bool = false) throws(ProfileError) -> [ListedProfile] {
        let files = try loadFiles()
        let projectNames = Set(files.project?.names ?? [])
        let defaultName = files.project?.defaultName ?? files.global?.defaultName
        var rows: [ListedProfile] = []
        for file in [files.project, files.global].compactMap({ $0 }) {
            for name in file.names {
                let isShadowed = file.scope == .global && projectNames.contains(name)
                if isShadowed && !includingShadowed { continue }
                var row = ListedProfile(
                    name: name, scope: file.scope, file: file.path, baseURL: file.table(name)?["base_url"]?.stringValue,
                    authKind: nil, isDefault: !isShadowed && name == defaultName, isShadowed: isShadowed, problem: nil)
                do {
                    if let profile = try file.profile(name) {
                        row.authKind = profile.auth.kind
                        if case .unsupported(let kind) = profile.auth {
                            row.problem = "auth = \"\(kind)\" is not supported (use basic, pat or oauth2)"
                        }
                    }
                } catch {
                    row.authKind = file.table(name)?["auth"]?.stringValue
                    row.problem = error.message
                }
                rows.append(row)
            }
        }
        return rows.sorted { ($0.name, $0.scope == .project ? 0 : 1) < ($1.name, $1.scope == .project ? 0 : 1) }
    }

    /// The profile `name` resolves to (or, with `nil`, the one the chain picks) and its fields, secrets redacted
    /// unless `revealingSecrets`.
    public func show(_ name: String? = nil, revealingSecrets: Bool = false) throws(ProfileError) -> (
        profile: ResolvedProfile, fields: [ProfileField]
    ) {
        let resolved = try resolve(name)
        return (resolved, resolved.profile.fields(revealingSecrets: revealingSecrets))
    }

    // MARK: Editing

    /// The file a new profile of `scope` goes to: the project file found walking up (or `.dhis2/profiles.toml` in
    /// the working directory), or the global file.
    public func file(for scope: ProfileScope) throws(ProfileError) -> String {
        switch scope {
        case .project:
            return projectFile ?? ProfileLocations.newProjectFile(in: environment.workingDirectory)
        case .global:
            guard let path = globalFile else {
                throw ProfileError(
                    .fileSystem, "There is no global profiles directory: set HOME or XDG_CONFIG_HOME, or use the project scope.")
            }
            return path
        }
    }

    /// Adds `profile` (which must have a valid name) as a `[profiles.<name>]` table at the end of the `scope` file,
    /// creating the file (mode 0600) when missing, and makes it the file's default when `makeDefault`.
    ///
    /// - Returns: the path of the file written.
    /// - Throws: ``ProfileError``: `invalidName`, `alreadyExists` (in that file), `unsupportedAuth`, `invalidProfile`
    ///   (an unusable base URL), `malformedFile`, `fileSystem`.
    @discardableResult
    public func add(_ profile: Profile, scope: ProfileScope = .global, makeDefault: Bool = false) throws(ProfileError)
        -> String
    {
        guard let name = profile.name else {
            throw ProfileError(.invalidName, "A profile needs a name to be added to a profiles file.")
        }
        try Self.checkName(name)
        if case .unsupported(let kind) = profile.auth {
            throw ProfileError(.unsupportedAuth, "Cannot add a profile with auth = \"\(kind)\": use basic, pat or oauth2.")
        }
        try Self.checkBaseURL(profile.baseURL)
        let path = try file(for: scope)
        return try edit(path, scope: scope) { editor throws(ProfileError) in
            try editor.addProfile(name, fields: profile.tomlFields())
            if makeDefault { try editor.setDefault(name) }
        }
    }

    /// Renames the profile `old` to `new` in the file that defines it (the project file first, or the `scope` file),
    /// and the file's `default` with it.
    @discardableResult
    public func rename(_ old: String, to new: String, scope: ProfileScope? = nil) throws(ProfileError) -> String {
        try Self.checkName(new)
        let file = try definingFile(of: old, scope: scope)
        return try edit(file.path, scope: file.scope) { editor throws(ProfileError) in
            try editor.renameProfile(old, to: new)
        }
    }

    /// Makes `name` the default of the file that defines it (the project file first), or of the `scope` file.
    @discardableResult
    public func setDefault(_ name: String, scope: ProfileScope? = nil) throws(ProfileError) -> String {
        let files = try loadFiles()
        let path: String
        let fileScope: ProfileScope
        if let scope {
            guard files.project?.table(name) != nil || files.global?.table(name) != nil else {
                throw try notFound(name, files: files)
            }
            path = try file(for: scope)
            fileScope = scope
        } else {
            let file = try definingFile(of: name, scope: nil)
            path = file.path
            fileScope = file.scope
        }
        return try edit(path, scope: fileScope) { editor throws(ProfileError) in try editor.setDefault(name) }
    }

    /// Removes the profile `name` from the file that defines it (the project file first, or the `scope` file), and
    /// that file's `default` when it named the profile. Its stored OAuth2 token, if any, stays until removed with the
    /// token store.
    @discardableResult
    public func remove(_ name: String, scope: ProfileScope? = nil) throws(ProfileError) -> String {
        let file = try definingFile(of: name, scope: scope)
        return try edit(file.path, scope: file.scope) { editor throws(ProfileError) in try editor.removeProfile(name) }
    }

    private func definingFile(of name: String, scope: ProfileScope?) throws(ProfileError) -> ProfileFile {
        let files = try loadFiles()
        let candidates = scope.map { [files.file($0)] } ?? [files.project, files.global]
        for file in candidates.compactMap({ $0 }) where file.table(name) != nil { return file }
        throw try notFound(name, files: files, scope: scope)
    }

    private func notFound(_ name: String, files: LoadedFiles, scope: ProfileScope? = nil) throws(ProfileError)
        -> ProfileError
    {
        let searched = (scope.map { [files.file($0)] } ?? [files.project, files.global]).compactMap { $0?.path }
        return ProfileError(
            .notFound,
            "No profile named \(name)"
                + (searched.isEmpty ? " (no profiles file exists)." : " in \(searched.joined(separator: " or ")).")
                + " List them with `dhis2 profile list`.")
    }

    private func edit(
        _ path: String, scope: ProfileScope, _ change: (inout ProfileTextEditor) throws(ProfileError) -> Void
    ) throws(ProfileError) -> String {
        let existing = try ProfileFile.load(path: path, scope: scope)
        var editor = ProfileTextEditor(text: existing?.text ?? "", file: path)
        try change(&editor)
        try AtomicFile.write(editor.text, to: path)
        return path
    }

    static func checkName(_ name: String) throws(ProfileError) {
        guard Profile.isValidName(name) else {
            throw ProfileError(
                .invalidName,
                "\"\(name)\" is not a valid profile name: start with a letter, then letters, digits or _, at most 64 "
                    + "characters.")
        }
    }

    static func checkBaseURL(_ text: String) throws(ProfileError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
            scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty,
            components.user == nil, components.password == nil
        else {
            throw ProfileError(
                .invalidProfile,
                "The base URL must be an http or https URL with a host and no credentials, e.g. https://dhis2.example.org.")
        }
    }
}
