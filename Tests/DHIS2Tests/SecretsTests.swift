import DHIS2
import DHIS2Emulator
import Foundation
import Testing

@Suite("Secrets never leak")
struct SecretsTests {
    @Test("No password, token, client secret or Authorization header appears in any error or log line")
    func secretsStayOutOfErrorsAndLogs() async throws {
        let logs = LogCapture()
        var errors: [DHIS2Error] = []
        var secrets: [String] = []
        try await withTestEmulator { emulator in
            let configuration = DHIS2Configuration(retryPolicy: .never, logger: logs.logger())

            // A real token minted by the server, used successfully, then a wrong password and a wrong token.
            let token = try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: adminAuth, configuration: configuration
            ) { client in
                try #require(try await client.webMessage(.post, "apiToken", body: [:]).response?["key"]?.stringValue)
            }
            secrets.append(token)
            try await DHIS2Client.withConnection(
                to: emulator.baseURL, auth: PersonalAccessTokenAuth(token: token), configuration: configuration
            ) { client in
                _ = try await client.system.me()
                if let error = await expectDHIS2Error({ _ = try await client.get("dataElements/\(UID.generate())") }) {
                    errors.append(error)
                }
            }
            let wrongPassword = "Sup3r-Secret-Pa55word"
            secrets += [wrongPassword, Data("admin:\(wrongPassword)".utf8).base64EncodedString()]
            if let error = await expectDHIS2Error({
                _ = try await DHIS2Client.connect(
                    to: emulator.baseURL, auth: BasicAuth(username: "admin", password: wrongPassword),
                    configuration: configuration)
            }) { errors.append(error) }
            let wrongToken = "d2p_" + String(repeating: "Q", count: 44) + "000000"
            secrets.append(wrongToken)
            if let error = await expectDHIS2Error({
                _ = try await DHIS2Client.connect(
                    to: emulator.baseURL, auth: PersonalAccessTokenAuth(token: wrongToken), configuration: configuration)
            }) { errors.append(error) }

            // OAuth2: a bearer token the server does not know, with a refresh that the token endpoint refuses.
            let endpoint = TokenEndpoint()
            try await StubServer.with({ endpoint.configure($0, emulator: emulator) }) { tokenServer in
                let accessToken = "at-Never-Shown-3b9"
                let clientSecret = "Client-Secret-Never-Shown"
                secrets += [accessToken, clientSecret, "rt-Never-Shown"]
                let auth = OAuth2Auth(
                    tokenEndpoint: try #require(URL(string: tokenServer.baseURL + "/oauth2/token")),
                    clientID: TokenEndpoint.clientID, clientSecret: clientSecret,
                    token: OAuth2Token(
                        accessToken: accessToken, refreshToken: "rt-Never-Shown", expiresAt: Date().addingTimeInterval(3600)),
                    storeKey: "x", logger: logs.logger(label: "oauth2"))
                if let error = await expectDHIS2Error({
                    _ = try await DHIS2Client.connect(to: emulator.baseURL, auth: auth, configuration: configuration)
                }) { errors.append(error) }
            }
        }
        #expect(errors.count == 4)
        #expect(!logs.all.isEmpty)
        for secret in secrets {
            for error in errors {
                #expect(!error.description.contains(secret), "error leaks a secret: \(error.code)")
                #expect(!String(reflecting: error).contains(secret), "error leaks a secret: \(error.code)")
                #expect(!(error.body ?? "").contains(secret))
                #expect(!(error.underlying ?? "").contains(secret))
            }
            for line in logs.all { #expect(!line.contains(secret), "log line leaks a secret") }
        }
        for line in logs.all { #expect(!line.contains("Authorization"), "log line mentions the Authorization header") }
    }
}
