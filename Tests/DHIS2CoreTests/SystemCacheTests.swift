import Foundation
import Testing

@testable import DHIS2Core

@Suite("System cache")
struct SystemCacheTests {
    @Test("A stored value is returned while its time to live lasts")
    func hitWithinTTL() {
        let clock = ManualClock()
        let cache = SystemCache(ttl: .seconds(300), clock: clock)
        cache.store(.me, "admin")
        #expect(cache.value(for: .me) == "admin")
        clock.advance(by: .seconds(299))
        #expect(cache.value(for: .me) == "admin")
    }

    @Test("A value is gone once its time to live has passed, and a new one can be stored")
    func expiresAfterTTL() {
        let clock = ManualClock()
        let cache = SystemCache(ttl: .seconds(300), clock: clock)
        cache.store(.info, 42)
        clock.advance(by: .seconds(301))
        #expect(cache.value(for: .info) as Int? == nil)
        // Expiry is measured from when a value was stored, not from the first store.
        cache.store(.info, 43)
        clock.advance(by: .seconds(200))
        #expect(cache.value(for: .info) == 43)
        clock.advance(by: .seconds(200))
        #expect(cache.value(for: .info) as Int? == nil)
    }

    @Test("A value stays expired even if the clock later reads an earlier time")
    func expiredEntryIsDropped() {
        let clock = ManualClock()
        let start = clock.now()
        let cache = SystemCache(ttl: .seconds(10), clock: clock)
        cache.store(.me, "admin")
        clock.advance(by: .seconds(11))
        #expect(cache.value(for: .me) as String? == nil)
        clock.set(start)
        #expect(cache.value(for: .me) as String? == nil)
    }

    @Test("A nil time to live disables the cache, primed values included")
    func nilTTLDisables() {
        let cache = SystemCache(ttl: nil, clock: ManualClock())
        cache.store(.me, "admin")
        cache.prime(.info, "2.42.4")
        #expect(cache.value(for: .me) as String? == nil)
        #expect(cache.value(for: .info) as String? == nil)
    }

    @Test("A primed value is served like a stored one")
    func primedValue() {
        let clock = ManualClock()
        let cache = SystemCache(ttl: .seconds(60), clock: clock)
        cache.prime(.info, "2.42.4")
        #expect(cache.value(for: .info) == "2.42.4")
        clock.advance(by: .seconds(61))
        #expect(cache.value(for: .info) as String? == nil)
    }

    @Test("Invalidating one key leaves the others")
    func invalidateOne() {
        let cache = SystemCache(ttl: .seconds(300), clock: ManualClock())
        cache.store(.me, "admin")
        cache.store(.info, "2.42.4")
        cache.store(.setting("keyUiLocale"), "fr")
        cache.invalidate(.me)
        #expect(cache.value(for: .me) as String? == nil)
        #expect(cache.value(for: .info) == "2.42.4")
        #expect(cache.value(for: .setting("keyUiLocale")) == "fr")
    }

    @Test("Invalidating with no key clears everything")
    func invalidateAll() {
        let cache = SystemCache(ttl: .seconds(300), clock: ManualClock())
        cache.store(.me, "admin")
        cache.store(.info, "2.42.4")
        cache.store(.defaultCategoryCombo, UID("bjDvmb4bfuf"))
        cache.invalidate(nil)
        #expect(cache.value(for: .me) as String? == nil)
        #expect(cache.value(for: .info) as String? == nil)
        #expect(cache.value(for: .defaultCategoryCombo) as UID? == nil)
    }

    @Test("Each setting has its own entry")
    func settingsAreSeparate() {
        let cache = SystemCache(ttl: .seconds(300), clock: ManualClock())
        cache.store(.setting("keyUiLocale"), "fr")
        cache.store(.setting("keyDbLocale"), "en")
        #expect(cache.value(for: .setting("keyUiLocale")) == "fr")
        #expect(cache.value(for: .setting("keyDbLocale")) == "en")
        #expect(cache.value(for: .setting("keyOther")) as String? == nil)
        #expect(SystemCacheKey.setting("a") != SystemCacheKey.setting("b"))
        #expect(SystemCacheKey.setting("me") != SystemCacheKey.me)
    }

    @Test("Reading a value as the wrong type gives nil rather than crashing")
    func wrongType() {
        let cache = SystemCache(ttl: .seconds(300), clock: ManualClock())
        cache.store(.me, 7)
        #expect(cache.value(for: .me) as String? == nil)
        #expect(cache.value(for: .me) == 7)
    }
}

@Suite("Manual test clock")
struct ManualClockTests {
    @Test("Sleeping records the duration and moves the clock without waiting")
    func sleepRecords() async throws {
        let clock = ManualClock()
        let start = clock.now()
        try await clock.sleep(for: .milliseconds(500))
        try await clock.sleep(for: .seconds(30))
        #expect(clock.recordedSleeps == [.milliseconds(500), .seconds(30)])
        #expect(clock.now().timeIntervalSince(start) == 30.5)
    }
}
