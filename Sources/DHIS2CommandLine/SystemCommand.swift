import ArgumentParser
import DHIS2
import Foundation

/// `dhis2 system`: what the server is and who you are on it.
struct SystemCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "system",
        abstract: "Show facts about the server and the signed-in user.",
        subcommands: [Info.self, Me.self])

    /// `dhis2 system info`: `/api/system/info`.
    struct Info: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the server's version, build and system facts (/api/system/info).")

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print the server's JSON answer (pretty, keys sorted) instead of a summary.")
        var json = false

        func run() async throws {
            let terminal = Terminal.current
            let (info, apiVersion) = try await connection.withClient(in: terminal) { client in
                (try await client.system.info(), client.apiVersion)
            }
            if json {
                terminal.print(try prettyJSON(info.raw))
                return
            }
            let version = info.version.map { "\($0) (API \(apiVersion))" } ?? "unknown (API \(apiVersion))"
            let lines = Summary.lines([
                ("Version", version),
                ("Revision", info.revision),
                ("Build time", info.buildTime),
                ("System name", info.systemName),
                ("System id", info.systemId),
                ("Context path", info.contextPath),
                ("Instance URL", info.instanceBaseUrl),
                ("Server date", info.serverDate.map { date in info.serverTimeZoneId.map { "\(date) (\($0))" } ?? date }),
                ("Calendar", info.calendar),
                ("Date format", info.dateFormat),
                ("Last analytics", info.lastAnalyticsTableSuccess),
            ])
            lines.forEach { terminal.print($0) }
        }
    }

    /// `dhis2 system me`: `/api/me`.
    struct Me: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the signed-in user: name, authorities, organisation units (/api/me).")

        @OptionGroup var connection: ConnectionOptions

        @Flag(help: "Print the server's JSON answer (pretty, keys sorted) instead of a summary.")
        var json = false

        func run() async throws {
            let terminal = Terminal.current
            let me = try await connection.withClient(in: terminal) { client in try await client.system.me() }
            if json {
                terminal.print(try prettyJSON(me.raw))
                return
            }
            let authorities =
                me.authorities.contains("ALL")
                ? "ALL (superuser)"
                : "\(me.authorities.count) authorit\(me.authorities.count == 1 ? "y" : "ies")"
            let lines = Summary.lines([
                ("Username", me.username),
                ("Name", me.displayName ?? me.name),
                ("User id", me.id),
                ("E-mail", me.email),
                ("Authorities", authorities),
                ("Org units", me.organisationUnitIDs.isEmpty ? "none" : me.organisationUnitIDs.joined(separator: ", ")),
            ])
            lines.forEach { terminal.print($0) }
        }
    }
}

/// Aligned `Label:  value` lines for human-readable summaries.
enum Summary {
    /// One line per pair with a value, labels padded to the longest one; pairs without a value are left out.
    static func lines(_ pairs: [(String, String?)]) -> [String] {
        let present = pairs.compactMap { label, value in value.map { (label, $0) } }
        let width = (present.map(\.0.count).max() ?? 0) + 2
        return present.map { label, value in
            (label + ":").padding(toLength: width, withPad: " ", startingAt: 0) + value
        }
    }
}

/// `value` as pretty-printed JSON text with sorted keys.
func prettyJSON(_ value: JSONValue) throws -> String {
    String(decoding: try value.jsonData(prettyPrinted: true), as: UTF8.self)
}
