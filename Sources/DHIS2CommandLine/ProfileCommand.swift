import ArgumentParser
import DHIS2
import DHIS2Profiles
import Foundation

/// `dhis2 profile`: add, list, show, rename, set-default, remove, verify and log in to profiles.
struct ProfileCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "profile",
        abstract: "Manage the profiles that name DHIS2 servers and how to sign in to them.",
        discussion: """
            Profiles live in .dhis2/profiles.toml (the project file, found in the working directory or above) and \
            ~/.config/dhis2/profiles.toml (the global file; $XDG_CONFIG_HOME/dhis2 when set). A project profile \
            shadows a global one of the same name.

            Server commands pick a profile in this order: --profile, DHIS2_PROFILE, DHIS2_URL with credentials, \
            the project default, the global default.
            """,
        subcommands: [Add.self, List.self, Show.self, Rename.self, SetDefault.self, Remove.self, Verify.self, Login.self])

    /// Which file a command writes.
    enum ScopeFlag: String, EnumerableFlag {
        case global
        case project

        var scope: ProfileScope { self == .global ? .global : .project }

        static func help(for value: ScopeFlag) -> ArgumentHelp? {
            switch value {
            case .global: "Use the global file (~/.config/dhis2/profiles.toml)."
            case .project: "Use the project file (.dhis2/profiles.toml here or above)."
            }
        }
    }

    enum AuthKind: String, ExpressibleByArgument, CaseIterable {
        case basic, pat, oauth2
    }

    /// `dhis2 profile add NAME --url URL --auth basic|pat|oauth2 …`
    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Add a profile (to the global file unless --project).",
            discussion: """
                Secrets are never flags. The password (basic), token (pat) or client secret (oauth2) is read from \
                standard input with --secret-stdin, else from DHIS2_PASSWORD, DHIS2_PAT or \
                DHIS2_OAUTH_CLIENT_SECRET, else asked for at the terminal without echo.
                """)

        @Argument(help: "The profile's name: a letter, then letters, digits or _ (at most 64).")
        var name: String

        @Option(help: ArgumentHelp("The server's root URL, e.g. https://dhis2.example.org.", valueName: "url"))
        var url: String

        @Option(help: "How to sign in: basic, pat or oauth2.")
        var auth: AuthKind

        @Option(help: "The username (basic; default DHIS2_USERNAME).")
        var username: String?

        @Option(name: .customLong("client-id"), help: "The OAuth2 client id (oauth2; default DHIS2_OAUTH_CLIENT_ID).")
        var clientID: String?

        @Option(help: "The OAuth2 scopes, space-separated (oauth2; default DHIS2_OAUTH_SCOPES).")
        var scope: String?

        @Option(
            name: .customLong("redirect-uri"),
            help: "The OAuth2 redirect URI registered for the client (oauth2; default DHIS2_OAUTH_REDIRECT_URI).")
        var redirectURI: String?

        @Option(name: .customLong("api-version"), help: "Pin the API version (v41–v44) instead of detecting it.")
        var apiVersion: String?

        @Flag(name: .customLong("no-verify-tls"), help: "Do not verify the server's TLS certificate (a test server only).")
        var noVerifyTLS = false

        @Flag var scopeFlag: ScopeFlag = .global

        @Flag(help: "Make it the default of its file.")
        var `default` = false

        @Flag(name: .customLong("secret-stdin"), help: "Read the password, token or client secret from standard input.")
        var secretStandardInput = false

        func validate() throws {
            guard Profile.isValidName(name) else {
                throw ValidationError(
                    "\"\(name)\" is not a valid profile name: start with a letter, then letters, digits or _ "
                        + "(at most 64 characters).")
            }
            if let apiVersion, APIVersion(key: apiVersion) == nil {
                throw ValidationError("--api-version must be one of v41, v42, v43, v44.")
            }
        }

        func run() async throws {
            let terminal = Terminal.current
            let profileAuth: Profile.Auth
            switch auth {
            case .basic:
                guard let username = username ?? terminal.variable(Profiles.usernameVariable) else {
                    throw CommandLineError(
                        "A basic profile needs --username (or \(Profiles.usernameVariable)).", exitStatus: ExitStatus.usage)
                }
                let password = try secret(
                    variable: Profiles.passwordVariable, prompt: "Password for \(username): ", what: "password",
                    terminal: terminal)
                profileAuth = .basic(username: username, password: try required(password, "password"))
            case .pat:
                let token = try secret(
                    variable: Profiles.tokenVariable, prompt: "Personal access token: ", what: "token", terminal: terminal)
                profileAuth = .pat(token: try required(token, "token"))
            case .oauth2:
                guard let clientID = clientID ?? terminal.variable(Profiles.clientIDVariable) else {
                    throw CommandLineError(
                        "An oauth2 profile needs --client-id (or \(Profiles.clientIDVariable)).",
                        exitStatus: ExitStatus.usage)
                }
                let clientSecret = try secret(
                    variable: Profiles.clientSecretVariable, prompt: "Client secret (empty for a public client): ",
                    what: "client secret", terminal: terminal)
                profileAuth = .oauth2(
                    OAuth2Settings(
                        clientID: clientID, clientSecret: clientSecret,
                        scope: scope ?? terminal.variable(Profiles.scopesVariable),
                        redirectURI: redirectURI ?? terminal.variable(Profiles.redirectURIVariable)))
            }
            let profile = Profile(
                name: name, baseURL: url, auth: profileAuth, version: apiVersion.flatMap(APIVersion.init(key:)),
                verifiesTLS: !noVerifyTLS)
            let profiles = Profiles(environment: terminal.profileEnvironment)
            let path = try profiles.add(profile, scope: scopeFlag.scope, makeDefault: self.default)
            terminal.print("Added profile \(name) to \(path).\(self.default ? " It is the default there." : "")")
            if case .oauth2 = profileAuth {
                terminal.print("Log in with `dhis2 profile login \(name)`.")
            }
        }

        /// The secret from standard input, the environment, or a prompt — in that order; `nil` when none gave one.
        private func secret(variable: String, prompt: String, what: String, terminal: Terminal) throws -> String? {
            if secretStandardInput {
                guard var text = terminal.readStandardInput() else {
                    throw CommandLineError("--secret-stdin was given but standard input is empty.", exitStatus: ExitStatus.usage)
                }
                while text.hasSuffix("\n") || text.hasSuffix("\r") { text.removeLast() }
                return text.isEmpty ? nil : text
            }
            if let value = terminal.variable(variable) { return value }
            return terminal.readSecret(prompt).flatMap { $0.isEmpty ? nil : $0 }
        }

        private func required(_ value: String?, _ what: String) throws -> String {
            guard let value else {
                throw CommandLineError(
                    "No \(what) given: pipe it with --secret-stdin, set the environment variable, or run "
                        + "interactively to be asked. Secrets are never taken as flags.",
                    exitStatus: ExitStatus.usage)
            }
            return value
        }
    }

    /// `dhis2 profile list`
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the profiles of the project and global files (* marks the default).")

        @Flag(name: .customLong("all"), help: "Also list global profiles a project profile of the same name shadows.")
        var includingShadowed = false

        func run() async throws {
            let terminal = Terminal.current
            let rows = try Profiles(environment: terminal.profileEnvironment).list(includingShadowed: includingShadowed)
            guard !rows.isEmpty else {
                terminal.print("No profiles yet. Add one with `dhis2 profile add NAME --url URL --auth pat`.")
                return
            }
            let nameWidth = max(4, rows.map(\.name.count).max() ?? 0)
            let authWidth = max(4, rows.map { ($0.authKind ?? "?").count }.max() ?? 0)
            for row in rows {
                var columns = [
                    row.isDefault ? "*" : " ",
                    row.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0),
                    row.scope.rawValue.padding(toLength: 7, withPad: " ", startingAt: 0),
                    (row.authKind ?? "?").padding(toLength: authWidth, withPad: " ", startingAt: 0),
                    row.baseURL ?? "(no base_url)",
                ]
                if row.isShadowed { columns.append("(shadowed)") }
                if let problem = row.problem { columns.append("— unusable: \(problem)") }
                terminal.print(columns.joined(separator: " "))
            }
        }
    }

    /// `dhis2 profile show [NAME]`
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a profile's settings (the one the chain picks when no name is given); secrets redacted.")

        @Argument(help: "The profile to show.")
        var name: String?

        @Flag(name: .customLong("show-secrets"), help: "Show the password, token or client secret.")
        var showSecrets = false

        func run() async throws {
            let terminal = Terminal.current
            let (resolved, fields) = try Profiles(environment: terminal.profileEnvironment).show(
                name, revealingSecrets: showSecrets)
            let title = resolved.profile.name ?? "(from the environment)"
            let place = resolved.file.map { " — \(resolved.scope?.rawValue ?? "") file \($0)" } ?? ""
            terminal.print("[\(title)]\(place)")
            for field in fields { terminal.print("\(field.key) = \(field.value)") }
            if case .unsupported(let kind) = resolved.profile.auth {
                terminal.print("# auth = \"\(kind)\" is not supported by swift-dhis2; this profile cannot be used.")
            }
        }
    }

    /// `dhis2 profile rename OLD NEW`
    struct Rename: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Rename a profile (and the default that names it).")

        @Argument(help: "The profile's current name.") var old: String
        @Argument(help: "The new name.") var new: String
        @Flag var scopeFlag: ScopeFlag?

        func run() async throws {
            let terminal = Terminal.current
            let path = try Profiles(environment: terminal.profileEnvironment).rename(old, to: new, scope: scopeFlag?.scope)
            terminal.print("Renamed profile \(old) to \(new) in \(path).")
        }
    }

    /// `dhis2 profile set-default NAME`
    struct SetDefault: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-default", abstract: "Make a profile the default of the file that defines it.")

        @Argument(help: "The profile.") var name: String
        @Flag var scopeFlag: ScopeFlag?

        func run() async throws {
            let terminal = Terminal.current
            let path = try Profiles(environment: terminal.profileEnvironment).setDefault(name, scope: scopeFlag?.scope)
            terminal.print("\(name) is now the default in \(path).")
        }
    }

    /// `dhis2 profile remove NAME`
    struct Remove: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Remove a profile (the project file's first).")

        @Argument(help: "The profile.") var name: String
        @Flag var scopeFlag: ScopeFlag?

        func run() async throws {
            let terminal = Terminal.current
            let profiles = Profiles(environment: terminal.profileEnvironment)
            let resolved = try? profiles.profile(named: name)
            let path = try profiles.remove(name, scope: scopeFlag?.scope)
            // The profile's OAuth2 token goes with it.
            if let resolved, resolved.file == path, let key = resolved.profile.tokenStoreKey,
                let storePath = resolved.tokenStorePath, FileManager.default.fileExists(atPath: storePath)
            {
                try? await SQLiteTokenStore(path: storePath).removeToken(for: key)
            }
            terminal.print("Removed profile \(name) from \(path).")
        }
    }

    /// `dhis2 profile verify [NAME]`
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Connect with a profile and report the server version, the user and the round-trip time.")

        @Argument(help: "The profile (the one the chain picks when omitted).") var name: String?

        func run() async throws {
            let terminal = Terminal.current
            let verification = try await Profiles(environment: terminal.profileEnvironment).verify(
                name, options: ProfileOpenOptions(userAgent: DHIS2Command.userAgent))
            let milliseconds = Int((verification.roundTrip.components.seconds * 1000)
                + verification.roundTrip.components.attoseconds / 1_000_000_000_000_000)
            let lines = Summary.lines([
                ("Profile", verification.profile.profile.name ?? "(from the environment)"),
                ("Server", verification.profile.profile.baseURL),
                ("Version", "\(verification.serverVersion ?? "unknown") (API \(verification.apiVersion))"),
                ("User", verification.username ?? "unknown"),
                ("Round trip", "\(milliseconds) ms"),
            ])
            lines.forEach { terminal.print($0) }
        }
    }

    /// `dhis2 profile login [NAME]`
    struct Login: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log in to an oauth2 profile through the browser and store its token.",
            discussion: """
                Prints an address to open in a browser; after you sign in and consent, DHIS2 redirects to a one-time \
                receiver on 127.0.0.1 and the token is saved beside the profiles file (mode 0600).
                """)

        @Argument(help: "The oauth2 profile (the one the chain picks when omitted).") var name: String?

        @Option(help: "How many seconds to wait for the browser login.")
        var timeout: Int = 300

        func validate() throws {
            guard timeout > 0 else { throw ValidationError("--timeout must be a positive number of seconds.") }
        }

        func run() async throws {
            let terminal = Terminal.current
            let profiles = Profiles(environment: terminal.profileEnvironment)
            let resolved = try profiles.resolve(name)
            guard case .oauth2 = resolved.profile.auth, let key = resolved.profile.tokenStoreKey else {
                throw CommandLineError(
                    "The profile \(resolved.profile.name ?? "from the environment") uses \(resolved.profile.auth.kind) "
                        + "authentication; only an oauth2 profile logs in.",
                    exitStatus: ExitStatus.usage)
            }
            guard let store = try profiles.tokenStore(for: resolved) else {
                throw CommandLineError(
                    "There is no place for the token store: set HOME or XDG_CONFIG_HOME.", exitStatus: ExitStatus.configuration)
            }
            let token = try await OAuth2Login.run(
                profile: resolved.profile, tokenStore: store, storeKey: key,
                presentURL: { url in
                    terminal.print("Open this address in a browser to log in:")
                    terminal.print("  \(url.absoluteString)")
                },
                timeout: .seconds(timeout))
            terminal.print(
                "Logged in: the token for \(resolved.profile.name ?? "the environment profile") is saved in "
                    + "\(store.path) (expires \(token.expiresAt.formatted(.iso8601))"
                    + (token.refreshToken == nil ? "; no refresh token" : "; refreshed automatically") + ").")
        }
    }
}
