import DHIS2
import DHIS2Emulator
import Foundation
import Logging
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The typed metadata API on a large data set: 50,000 organisation units paged through lazily, in bounded memory.
@Suite("Typed metadata paging at scale (50,000 organisation units)")
struct MetadataScaleTests {
    static let unitCount = 50_000
    static let pageSize = 1_000
    /// What both reads ask for: enough per unit that keeping 50,000 of them costs a measurable amount of memory.
    static let fields: Fields = [
        Field("id"), Field("name"), Field("shortName"), Field("code"), Field("path"), Field("level"),
        Field("openingDate"), Field("parent", [Field("id")]),
    ]

    /// The process's resident set in bytes (`/proc/self/statm`, second field, in pages) after glibc's `malloc_trim(0)`
    /// has returned freed memory to the system; `nil` where there is no procfs.
    ///
    /// Without the trim, memory another test in this process freed stays mapped, and a large read may not grow the
    /// resident set at all (seen in a fresh-clone run); after it, the resident set follows what is still referenced.
    static func residentBytes() -> Int? {
        #if canImport(Glibc)
            typealias MallocTrim = @convention(c) (Int) -> Int32
            if let symbol = dlsym(nil, "malloc_trim") {
                _ = unsafeBitCast(symbol, to: MallocTrim.self)(0)
            }
        #endif
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let parts = text.split(separator: " ")
        guard parts.count > 1, let pages = Int(parts[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    @Test("pages() fetches each of the 50,000 units' pages only when iterated and keeps none of them", .heavy)
    func pagingFiftyThousandUnits() async throws {
        var configuration = EmulatorConfiguration(
            version: "2.42.6", logger: Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        configuration.demoOrganisationUnitCount = Self.unitCount
        try await withEmulator(configuration) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let units = client.metadata.organisationUnits
                let requests = { emulator.requestCount(method: "GET", path: "/api/organisationUnits") }

                // Warm up both sides (the emulator's query path, the client's connection and decoder) before the
                // baseline, so the baseline already holds what one page costs.
                let first = try await units.list(fields: Self.fields, page: 1, pageSize: Self.pageSize)
                let total = try #require(first.pager?.total)
                #expect(total >= Self.unitCount)
                let expectedPages = (total + Self.pageSize - 1) / Self.pageSize

                let sequence = try units.pages(fields: Self.fields, pageSize: Self.pageSize)
                let baselineRequests = requests()
                let baselineMemory = Self.residentBytes()
                var peakGrowth = 0
                var pageCount = 0
                var itemCount = 0
                // Only identifiers are kept (as a set, 50,000 short strings), never the pages or their models.
                var seen = Set<String>()
                seen.reserveCapacity(total)
                for try await page in sequence {
                    pageCount += 1
                    // Exactly one request per page iterated so far: nothing is fetched ahead.
                    #expect(requests() == baselineRequests + pageCount)
                    #expect(page.pager?.page == pageCount)
                    itemCount += page.items.count
                    for unit in page.items { if let id = unit.id { seen.insert(id) } }
                    if let baselineMemory, let now = Self.residentBytes() {
                        peakGrowth = max(peakGrowth, now - baselineMemory)
                    }
                }
                #expect(pageCount == expectedPages)
                #expect(requests() == baselineRequests + expectedPages)
                #expect(itemCount == total)
                #expect(seen.count == total)

                // The comparison: the same units read in one unpaged request and kept, as a caller accumulating
                // pages would. Its growth is what paging must stay well below.
                guard let baselineMemory else {
                    Issue.record("No /proc/self/statm on this system: the memory bound was not checked.")
                    return
                }
                let bytes = try await client.data(
                    "/api/organisationUnits",
                    query: [
                        URLQueryItem(name: "fields", value: Self.fields.rendered),
                        URLQueryItem(name: "paging", value: "false"),
                    ])
                var reader = DHIS2JSONReader(bytes: Array(bytes))
                var all: [OrganisationUnit] = []
                try reader.beginObject()
                while let key = try reader.nextKey() {
                    if key == "organisationUnits" {
                        try reader.beginArray()
                        while try reader.nextElement() { all.append(try OrganisationUnit(json: &reader)) }
                    } else {
                        _ = try reader.readValue()
                    }
                }
                let fullGrowth = (Self.residentBytes() ?? baselineMemory) - baselineMemory
                #expect(all.count == total)
                withExtendedLifetime(all) {}
                // Keeping every unit costs tens of megabytes (about 75 MiB in a debug build); paging keeps at most a
                // page or two alive (tens of kilobytes measured). Half the full growth leaves room for whatever
                // tests running alongside in this process allocate meanwhile, and still fails if pages pile up.
                #expect(fullGrowth > 16 * 1_048_576, "keeping \(total) units grew the resident set by only \(fullGrowth) bytes")
                #expect(
                    peakGrowth < fullGrowth / 2,
                    "paging grew the resident set by \(peakGrowth) bytes; keeping every unit grew it by \(fullGrowth)")
            }
        }
    }
}
