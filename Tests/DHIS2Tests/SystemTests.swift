import DHIS2
import DHIS2Emulator
import Foundation
import Testing

@Suite("System reads and their cache")
struct SystemTests {
    @Test("me() reports the authenticated user", arguments: emulatedVersions)
    func me(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let me = try await client.system.me()
                #expect(me.username == DemoData.adminUsername)
                #expect(me.id == DemoData.adminUserID.rawValue)
                #expect(me.hasAuthority("F_METADATA_IMPORT"))
            }
        }
    }

    @Test("The default category combo is found by name and cached")
    func defaultCategoryCombo() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let first = try await client.system.defaultCategoryComboID()
                let second = try await client.system.defaultCategoryComboID()
                #expect(first == DemoData.defaultCategoryComboID)
                #expect(second == DemoData.defaultCategoryComboID)
                #expect(emulator.requestCount(method: "GET", path: "/api/categoryCombos") == 1)
            }
        }
    }

    @Test("A system setting is read by key, cached, and nil when the server has no such setting")
    func systemSetting() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let title = try await client.system.setting("applicationTitle")
                #expect(title == "DHIS 2")
                let again = try await client.system.setting("applicationTitle")
                #expect(again == "DHIS 2")
                #expect(emulator.requestCount(path: "/api/systemSettings/applicationTitle") == 1)
                let relative = try await client.system.setting("keyAnalysisRelativePeriod")
                #expect(relative == "LAST_12_MONTHS")
                let missing = try await client.system.setting("keyNoSuchSetting")
                #expect(missing == nil)
            }
        }
    }

    @Test("Cached reads expire after the TTL, can be invalidated one by one or all, and the cache can be disabled")
    func cacheLifetime() async throws {
        try await withTestEmulator { emulator in
            let clock = TestClock()
            let configuration = DHIS2Configuration(systemCacheTTL: .seconds(300), clock: clock)
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth, configuration: configuration) {
                client in
                _ = try await client.system.me()
                _ = try await client.system.me()
                #expect(emulator.requestCount(path: "/api/me") == 1)
                clock.advance(by: 301)
                _ = try await client.system.me()
                #expect(emulator.requestCount(path: "/api/me") == 2)
                client.system.invalidateCache(.me)
                _ = try await client.system.me()
                #expect(emulator.requestCount(path: "/api/me") == 3)
                _ = try await client.system.info()
                #expect(emulator.requestCount(path: "/api/system/info") == 2)  // the handshake entry expired too
                client.system.invalidateCache()
                _ = try await client.system.me()
                _ = try await client.system.info()
                #expect(emulator.requestCount(path: "/api/me") == 4)
                #expect(emulator.requestCount(path: "/api/system/info") == 3)
            }
            let uncached = DHIS2Configuration(systemCacheTTL: nil)
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth, configuration: uncached) { client in
                let before = emulator.requestCount(path: "/api/me")
                _ = try await client.system.me()
                _ = try await client.system.me()
                #expect(emulator.requestCount(path: "/api/me") == before + 2)
            }
        }
    }
}
