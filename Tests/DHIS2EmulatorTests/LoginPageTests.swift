import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("The login page a browser lands on")
struct LoginPageTests {
    @Test("An unauthenticated browser is sent to /dhis-web-login/, which offers a form that posts to /api/auth/login")
    func loginPageIsServed() async throws {
        try await withEmulator(EmulatorConfiguration(version: "2.42.6")) { emulator in
            let redirect = try await emulator.send(.GET, "/api/me", as: .none)
            #expect(redirect.status == 302)
            let location = try #require(redirect.header("Location"))
            #expect(location.hasSuffix("/dhis-web-login/"))

            let page = try await emulator.send(.GET, "/dhis-web-login/", as: .none)
            #expect(page.status == 200)
            #expect(page.header("Content-Type")?.hasPrefix("text/html") == true)
            #expect(page.text.contains("<form"))
            #expect(page.text.contains("api/auth/login"))
            #expect(page.text.contains("redirectUrl"))

            // What the page's script does: the JSON login answers SUCCESS with where to go next.
            let login = try await emulator.send(
                .POST, "/api/auth/login", as: .none,
                json: ["username": .string(DemoData.adminUsername), "password": .string(DemoData.adminPassword)])
            #expect(login.status == 200)
            #expect(login.json["loginStatus"] == "SUCCESS")
            #expect(login.header("Set-Cookie")?.contains("JSESSIONID=") == true)
        }
    }
}
