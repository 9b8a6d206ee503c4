import DHIS2
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// `client.analytics` over real HTTP against a stub that answers like DHIS2 (the emulator's analytics engine is
/// not written yet): the stub serves only the paths DHIS2 maps, so a wrong path (rawData without `.json`) fails.
@Suite("Analytics client")
struct AnalyticsClientTests {
    /// Every request the stub saw: path and decoded query pairs, in order.
    final class Recorder: Sendable {
        private let requests = Mutex<[(path: String, query: [String])]>([])
        func record(_ request: Request) {
            let components = URLComponents(string: "http://stub" + request.uri.description)
            let query = (components?.queryItems ?? []).map { "\($0.name)=\($0.value ?? "")" }
            requests.withLock { $0.append((request.uri.path, query)) }
        }
        var all: [(path: String, query: [String])] { requests.withLock { $0 } }
    }

    private static func json(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    private static let refusal = #"{"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR","message":"At least one period as dimension or filter, or start and dates, must be specified","errorCode":"E7104"}"#

    private static let dataValueSet = #"{"dataValues":[{"dataElement":"s46m5MS0hxu","period":"202501","orgUnit":"ImspTQPwCqd","categoryOptionCombo":"Prlt0C1RF0s","attributeOptionCombo":"HllvX50cXC0","value":"4173"}]}"#

    private func withStub<T: Sendable>(
        _ recorder: Recorder, _ body: (DHIS2Client) async throws -> T
    ) async throws -> T {
        try await StubServer.with({ router in
            router.get("/api/system/info") { _, _ in Self.json(#"{"version":"2.42.6"}"#) }
            router.get("/api/analytics") { request, _ in
                recorder.record(request)
                let hasPeriod = request.uri.queryParameters.getAll("dimension").contains { $0.hasPrefix("pe:") }
                    || request.uri.queryParameters.getAll("filter").contains { $0.hasPrefix("pe:") }
                return hasPeriod ? Self.json(AnalyticsGridSamples.basic) : Self.json(Self.refusal, status: .conflict)
            }
            router.get("/api/analytics.csv") { request, _ in
                recorder.record(request)
                return Response(
                    status: .ok, headers: [.contentType: "application/csv"],
                    body: .init(byteBuffer: ByteBuffer(string: "Data,Period,Value\ns46m5MS0hxu,202501,4173\n")))
            }
            router.get("/api/analytics/rawData.json") { request, _ in
                recorder.record(request)
                return Self.json(AnalyticsGridSamples.detailed)
            }
            router.get("/api/analytics/dataValueSet.json") { request, _ in
                recorder.record(request)
                return Self.json(Self.dataValueSet)
            }
        }) { server in
            try await DHIS2Client.withConnection(to: server.baseURL, auth: adminAuth) { client in
                try await body(client)
            }
        }
    }

    private var query: AnalyticsQuery {
        AnalyticsQuery(
            dimensions: [.data([.dataElement("s46m5MS0hxu")]), .periods([RelativePeriod.last12Months])],
            filters: [.orgUnit([.level(2), .orgUnit("ImspTQPwCqd")])])
    }

    @Test("query(_:) sends the rendered parameters to /api/analytics and returns the typed grid")
    func aggregated() async throws {
        let recorder = Recorder()
        var query = self.query
        query.displayProperty = .shortname
        let grid = try await withStub(recorder) { client in try await client.analytics.query(query) }
        #expect(grid.rowCount == 2)
        #expect(grid.rows[0].value == 4173)
        #expect(grid.metaData?.name(of: "s46m5MS0hxu") == "BCG doses given")
        let request = try #require(recorder.all.first)
        #expect(request.path == "/api/analytics")
        #expect(
            request.query == [
                "dimension=dx:s46m5MS0hxu", "dimension=pe:LAST_12_MONTHS", "filter=ou:LEVEL-2;ImspTQPwCqd",
                "displayProperty=SHORTNAME",
            ])
    }

    @Test("rawData(_:) and dataValueSet(_:) use the .json paths DHIS2 maps, and decode their shapes")
    func rawDataAndDataValueSet() async throws {
        let recorder = Recorder()
        let (raw, set) = try await withStub(recorder) { client in
            (try await client.analytics.rawData(query), try await client.analytics.dataValueSet(query))
        }
        #expect(raw.rowCount == 2)
        #expect(raw.rows[1].string("dx") == "s46m5MS0hxu")
        let value = try #require(set.dataValues?.first)
        #expect(value.dataElement == "s46m5MS0hxu")
        #expect(value.period == "202501")
        #expect(value.value == "4173")
        #expect(recorder.all.map(\.path) == ["/api/analytics/rawData.json", "/api/analytics/dataValueSet.json"])
        #expect(recorder.all.allSatisfy { $0.query.first == "dimension=dx:s46m5MS0hxu" })
    }

    @Test("A refused query throws a DHIS2Error carrying the E7xxx code and the server's reason")
    func refusal() async throws {
        let recorder = Recorder()
        let noPeriod = AnalyticsQuery(dimensions: [.data([.dataElement("s46m5MS0hxu")])])
        let error = await expectDHIS2Error {
            _ = try await withStub(recorder) { client in try await client.analytics.query(noPeriod) }
        }
        let refused = try #require(error)
        #expect(refused.status == 409)
        #expect(refused.code == .api)
        #expect(refused.analyticsErrorCode == .noPeriod)
        #expect(refused.analyticsErrorCode?.rawValue == "E7104")
        #expect(refused.webMessage?.errorCode == "E7104")
        #expect(refused.message.contains("E7104"))
        #expect(refused.message.contains("At least one period"))
        #expect(DHIS2Error(code: .api, message: "other", status: 500).analyticsErrorCode == nil)
    }

    @Test("download streams the answer to a file in the asked format, and a refused query leaves no file")
    func download() async throws {
        let recorder = Recorder()
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("analytics-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let jsonFile = folder.appendingPathComponent("grid.json").path
        let csvFile = folder.appendingPathComponent("grid.csv").path
        let refusedFile = folder.appendingPathComponent("refused.json").path
        let noPeriod = AnalyticsQuery(dimensions: [.data([.dataElement("s46m5MS0hxu")])])
        let (jsonBytes, csvBytes, refusal) = try await withStub(recorder) { client in
            let json = try await client.analytics.download(query, to: jsonFile)
            let csv = try await client.analytics.download(query, format: .csv, to: csvFile)
            let refusal = await expectDHIS2Error { try await client.analytics.download(noPeriod, to: refusedFile) }
            return (json, csv, refusal)
        }
        let written = try Data(contentsOf: URL(fileURLWithPath: jsonFile))
        #expect(Int64(written.count) == jsonBytes)
        let streamed = try AnalyticsGrid(jsonBytes: written)
        let inMemory = try AnalyticsGrid(jsonBytes: Array(AnalyticsGridSamples.basic.utf8))
        #expect(streamed.rows.map(\.strings) == inMemory.rows.map(\.strings))
        #expect(try String(contentsOfFile: csvFile, encoding: .utf8).hasPrefix("Data,Period,Value"))
        #expect(csvBytes > 0)
        #expect(refusal?.analyticsErrorCode == .noPeriod)
        #expect(!FileManager.default.fileExists(atPath: refusedFile))
        #expect(recorder.all.map(\.path) == ["/api/analytics", "/api/analytics.csv", "/api/analytics"])
    }
}
