import DHIS2
import DHIS2Emulator
import Foundation
import Testing

/// The examples of the README and the DocC articles, run against the emulator so they keep compiling and working.
@Suite("Documentation examples")
struct DocumentationExampleTests {
    @Test("The getting-started example connects, reads the user and writes a data element")
    func gettingStarted() async throws {
        try await withTestEmulator { emulator in
            let token = try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                try #require(try await client.webMessage(.post, "apiToken", body: [:]).response?["key"]?.stringValue)
            }
            var lines: [String] = []
            try await DHIS2Client.withConnection(
                to: emulator.baseURL,
                auth: PersonalAccessTokenAuth(token: token)
            ) { client in
                let me = try await client.system.me()
                lines.append("Signed in to DHIS2 \(client.serverVersion?.rawValue ?? "?") as \(me.username ?? "?")")

                let result = try await client.webMessage(.post, "dataElements", body: [
                    "name": "ANC visits", "shortName": "ANC visits",
                    "valueType": "INTEGER", "domainType": "AGGREGATE", "aggregationType": "SUM",
                ])
                if let outcome = result.outcome, outcome.didFail {
                    for conflict in outcome.conflicts { lines.append("\(conflict)") }
                }
                #expect(result.outcome?.didSucceed == true)

                let elements = try await client.get("dataElements", query: [
                    URLQueryItem(name: "filter", value: "name:like:ANC"),
                    URLQueryItem(name: "fields", value: "id,name"),
                ])
                #expect(elements["dataElements"]?.arrayValue?.contains { $0["name"] == "ANC visits" } == true)
            }
            #expect(lines == ["Signed in to DHIS2 2.42.6 as admin"])
        }
    }
}
