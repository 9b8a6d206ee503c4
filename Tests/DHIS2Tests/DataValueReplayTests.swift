import DHIS2
import Foundation
import Hummingbird
import NIOCore
import Synchronization
import Testing

/// Credentials that the server refuses once and that can then be renewed: the client sends the request again.
final class RenewingAuth: AuthProvider {
    private let renewed = Mutex(false)
    func authorization() async throws -> AuthorizationHeader? {
        AuthorizationHeader(renewed.withLock { $0 } ? "Bearer new" : "Bearer old")
    }
    func credentialsRejected(_ rejected: AuthorizationHeader?) async throws -> Bool {
        renewed.withLock { $0 = true }
        return true
    }
}

@Suite("Streamed data value imports sent again after renewed credentials")
struct DataValueReplayTests {
    /// A stand-in server: 401 to the old token, an ImportSummary counting the values it received otherwise.
    static func serve(_ router: Router<BasicRequestContext>) {
        router.post("/api/dataValueSets") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard request.headers[.authorization] == "Bearer new" else {
                return Response(
                    status: .unauthorized, headers: [.contentType: "application/json"],
                    body: .init(byteBuffer: ByteBuffer(
                        string: #"{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}"#)))
            }
            let set = try DataValueSet(jsonBytes: Array(body.readableBytesView))
            let count = set.dataValues?.count ?? 0
            let json = #"{"httpStatus":"OK","httpStatusCode":200,"status":"OK","message":"Import was successful.","response":{"responseType":"ImportSummary","status":"SUCCESS","importCount":{"imported":\#(count),"updated":0,"ignored":0,"deleted":0},"conflicts":[],"rejectedIndexes":[]}}"#
            return Response(
                status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: json)))
        }
    }

    static func values(_ count: Int) -> AsyncStream<DataValue> {
        let (stream, continuation) = AsyncStream.makeStream(of: DataValue.self)
        for index in 0..<count {
            var value = DataValue()
            value.dataElement = "Ld6GncfBAep"
            value.value = String(index)
            continuation.yield(value)
        }
        continuation.finish()
        return stream
    }

    @Test("a one-shot sequence cannot be sent twice: the retry fails with a clear error instead of a truncated body")
    func oneShotRefusesReplay() async throws {
        try await StubServer.with(Self.serve) { server in
            let configuration = DHIS2Configuration(version: .pinned(.v42))
            try await DHIS2Client.withConnection(to: server.baseURL, auth: RenewingAuth(), configuration: configuration) {
                client in
                let error = await #expect(throws: DHIS2Error.self) {
                    _ = try await client.dataValues.import(Self.values(5))
                }
                #expect(error?.code == .transport)
                #expect(error?.underlying?.contains("read only once") == true)
            }
        }
    }

    @Test("chunks are kept until answered, so each is sent again whole after renewed credentials")
    func chunksReplay() async throws {
        try await StubServer.with(Self.serve) { server in
            let configuration = DHIS2Configuration(version: .pinned(.v42))
            try await DHIS2Client.withConnection(to: server.baseURL, auth: RenewingAuth(), configuration: configuration) {
                client in
                let result = try await client.dataValues.import(Self.values(5), options: .init(chunkSize: 3))
                #expect(result.requests.map(\.range) == [0..<3, 3..<5])
                #expect(result.summary.importCount?.imported == 5)
                #expect(result.outcome.didSucceed)
            }
        }
    }
}
