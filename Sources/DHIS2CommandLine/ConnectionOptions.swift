import ArgumentParser
import DHIS2

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

    /// Options with no URL given (the argument parser fills them in).
    public init() {}

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
    func withClient<T>(
        in terminal: Terminal, _ body: (DHIS2Client) async throws -> sending T
    ) async throws -> sending T {
        let (url, auth) = try resolve(in: terminal)
        return try await DHIS2Client.withConnection(
            to: url, auth: auth, configuration: DHIS2Configuration(userAgent: DHIS2Command.userAgent), body)
    }
}
