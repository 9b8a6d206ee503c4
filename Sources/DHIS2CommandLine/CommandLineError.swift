import DHIS2
import DHIS2Emulator
import DHIS2Profiles

/// The exit statuses of `dhis2` (the `sysexits.h` values where one fits).
public enum ExitStatus {
    /// The command did what was asked.
    public static let success: Int32 = 0
    /// The server answered with an error, or a step failed for a reason not listed below.
    public static let failure: Int32 = 1
    /// The command line was wrong: an unknown command or option, or a value `validate()` refused (`EX_USAGE`).
    public static let usage: Int32 = 64
    /// The server could not be reached, or did not answer in time (`EX_UNAVAILABLE`).
    public static let unavailable: Int32 = 69
    /// The server refused the credentials (`EX_NOPERM`).
    public static let unauthorized: Int32 = 77
    /// The environment lacks what the command needs: no server URL, no credentials, or an unusable URL
    /// (`EX_CONFIG`).
    public static let configuration: Int32 = 78

    /// The status for a failed DHIS2 request.
    static func forDHIS2Error(_ error: DHIS2Error) -> Int32 {
        switch error.code {
        case .unauthorized, .authentication: unauthorized
        case .transport, .timeout: unavailable
        case .invalidBaseURL: configuration
        default: failure
        }
    }

    /// The status for a profile that could not be found, read, written or used.
    static func forProfileError(_ error: ProfileError) -> Int32 {
        switch error.code {
        case .notLoggedIn: unauthorized
        case .invalidName: usage
        case .alreadyExists, .fileSystem, .tokenStore: failure
        default: configuration
        }
    }

    /// The status for a failed OAuth2 login.
    static func forLoginError(_ error: OAuth2LoginError) -> Int32 {
        switch error.code {
        case .invalidConfiguration, .noAuthorizationServer: configuration
        case .receiverFailed: failure
        case .timeout: unavailable
        default: unauthorized
        }
    }
}

/// A failure the command line itself detects: missing environment variables, a server answer a command cannot use.
///
/// Its ``message`` never holds a secret: commands build it from variable names and server facts only.
public struct CommandLineError: Error, Sendable, CustomStringConvertible {
    /// What went wrong and what to do next.
    public var message: String
    /// The process exit status to report (see ``ExitStatus``).
    public var exitStatus: Int32

    /// An error with `message`, reported with `exitStatus`.
    public init(_ message: String, exitStatus: Int32 = ExitStatus.failure) {
        self.message = message
        self.exitStatus = exitStatus
    }

    public var description: String { message }
}
