import ArgumentParser
import DHIS2
import DHIS2Profiles

/// The options every command that talks to a server shares: where the server is, and (from the environment only)
/// how to sign in.
///
/// Credentials are never flags: a flag lands in shell history and in every process listing. They come from
/// `DHIS2_PAT` (a personal access token, preferred when set) or `DHIS2_USERNAME` + `DHIS2_PASSWORD`.
public struct ConnectionOptions: ParsableArguments {
    /// The environment variable with the server's root URL.
    public static let urlVariable = "DHIS2_URL"
    /// The environment variable with a personal access token.
    public static let tokenVariable = "DHIS2_PAT"
    /// The environment variable with the username for Basic authentication.
    public static let usernameVariable = "DHIS2_USERNAME"
    /// The environment variable with the password for Basic authentication.
    public static let passwordVariable = "DHIS2_PASSWORD"

    /// The server's root URL from `--url`; when absent, `DHIS2_URL` is used.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The DHIS2 server's root URL, e.g. https://dhis2.example.org (overrides DHIS2_URL). Credentials come "
                + "from DHIS2_PAT, or DHIS2_USERNAME and DHIS2_PASSWORD.",
            valueName: "url"))
    public var url: String?

    /// The profile to use from `--profile`; when absent (and no `--url`), the profile chain decides.
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The profile to use (see `dhis2 profile list`). Without --profile and --url: DHIS2_PROFILE, then "
                + "DHIS2_URL with credentials, then the project default, then the global default.",
            valueName: "name"))
    public var profile: String?

    /// Options with no URL or profile given (the argument parser fills them in).
    public init() {}

    public func validate() throws {
        if url != nil, profile != nil {
            throw ValidationError("Give --url or --profile, not both.")
        }
    }

    /// The server URL and authentication the options and the terminal's environment describe.
    ///
    /// - Throws: ``CommandLineError`` (exit status ``ExitStatus/configuration``) naming the variables to set when the
    ///   URL or the credentials are missing.
    func resolve(in terminal: Terminal) throws(CommandLineError) -> (url: String, auth: any AuthProvider) {
        guard let url = url.flatMap({ $0.isEmpty ? nil : $0 }) ?? terminal.variable(Self.urlVariable) else {
            throw CommandLineError(
                "No DHIS2 server given: pass --url or set \(Self.urlVariable) (e.g. export "
                    + "\(Self.urlVariable)=http://127.0.0.1:8080).",
                exitStatus: ExitStatus.configuration)
        }
        if let token = terminal.variable(Self.tokenVariable) {
            return (url, PersonalAccessTokenAuth(token: token))
        }
        let username = terminal.variable(Self.usernameVariable)
        let password = terminal.variable(Self.passwordVariable)
        switch (username, password) {
        case (let username?, let password?):
            return (url, BasicAuth(username: username, password: password))
        case (.some, nil):
            throw CommandLineError(
                "\(Self.usernameVariable) is set but \(Self.passwordVariable) is not: set both, or set "
                    + "\(Self.tokenVariable) to a personal access token instead.",
                exitStatus: ExitStatus.configuration)
        case (nil, .some):
            throw CommandLineError(
                "\(Self.passwordVariable) is set but \(Self.usernameVariable) is not: set both, or set "
                    + "\(Self.tokenVariable) to a personal access token instead.",
                exitStatus: ExitStatus.configuration)
        case (nil, nil):
            throw CommandLineError(
                "No DHIS2 credentials: set \(Self.tokenVariable) to a personal access token, or "
                    + "\(Self.usernameVariable) and \(Self.passwordVariable). Credentials are read from the "
                    + "environment only, never from flags.",
                exitStatus: ExitStatus.configuration)
        }
    }

    /// Connects to the server these options name, runs `body` with the client and shuts the client down afterwards.
    ///
    /// With `--url`, credentials come from the environment (``resolve(in:)``); otherwise the profile chain picks the
    /// server and credentials (``Profiles/resolve(_:)``).
    func withClient<T>(
        in terminal: Terminal, _ body: (DHIS2Client) async throws -> sending T
    ) async throws -> sending T {
        let client: DHIS2Client
        if url.flatMap({ $0.isEmpty ? nil : $0 }) != nil {
            let (url, auth) = try resolve(in: terminal)
            client = try await DHIS2Client.connect(
                to: url, auth: auth, configuration: DHIS2Configuration(userAgent: DHIS2Command.userAgent))
        } else {
            let profiles = Profiles(environment: terminal.profileEnvironment)
            let resolved: ResolvedProfile
            do throws(ProfileError) {
                resolved = try profiles.resolve(profile)
            } catch {
                guard error.code == .nothingResolved else { throw error }
                throw CommandLineError(
                    "No DHIS2 server given: pass --url or --profile, or set \(Self.urlVariable) (e.g. export "
                        + "\(Self.urlVariable)=http://127.0.0.1:8080) with credentials. \(error.message)",
                    exitStatus: ExitStatus.configuration)
            }
            client = try await profiles.open(resolved, options: ProfileOpenOptions(userAgent: DHIS2Command.userAgent))
        }
        return try await client.use(body)
    }
}
