import DHIS2
import DHIS2CommandLine
import Foundation
import Hummingbird
import Logging
import NIOCore
import Testing

/// `dhis2 dev codegen`: the generator behind the CLI, from the reference folder and from a server.
@Suite("dhis2 dev codegen")
struct CodegenCommandTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// DHIS2's own documents: `DHIS2_REFERENCE_DIR`, else `../shared/dhis2` beside the package. `nil` (the test then
    /// returns early) when absent outside CI; with `CI` set, absence is a failure.
    static func referenceDirectory() -> URL? {
        let environment = ProcessInfo.processInfo.environment
        let directory = environment["DHIS2_REFERENCE_DIR"].map { URL(fileURLWithPath: $0) }
            ?? packageRoot.deletingLastPathComponent().appendingPathComponent("shared/dhis2")
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("openapi/v42.json").path) {
            return directory
        }
        if environment["CI"] != nil {
            Issue.record("The DHIS2 reference documents are missing at \(directory.path); set DHIS2_REFERENCE_DIR.")
        } else {
            print("Skipping: no DHIS2 reference documents at \(directory.path) (set DHIS2_REFERENCE_DIR).")
        }
        return nil
    }

    @Test("--check passes on the committed models, and names a file that differs")
    func checkCommittedModels() async throws {
        guard let reference = Self.referenceDirectory() else { return }
        let committed = Self.packageRoot.appendingPathComponent("Sources/DHIS2Models/Generated")
        let upToDate = await runDHIS2([
            "dev", "codegen", "--check", "--reference-dir", reference.path, "--output", committed.path,
        ])
        #expect(upToDate.status == ExitStatus.success, "\(upToDate.error)")
        #expect(upToDate.output.contains("is up to date"))

        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("dhis2-codegen-\(UID.generate())")
        defer { try? FileManager.default.removeItem(at: copy) }
        try FileManager.default.copyItem(at: committed, to: copy)
        try Data("// edited by hand\n".utf8).write(to: copy.appendingPathComponent("Vocabularies.swift"))
        let stale = await runDHIS2(["dev", "codegen", "--check", "--reference-dir", reference.path, "--output", copy.path])
        #expect(stale.status != ExitStatus.success)
        #expect(stale.error.contains("Vocabularies.swift"))
    }

    @Test("--from-server reads the documents through the client, with credentials from the environment only")
    func fromServer() async throws {
        guard let reference = Self.referenceDirectory() else { return }
        let openAPI = try Data(contentsOf: reference.appendingPathComponent("openapi/v42.json"))
        let schemas = try Data(contentsOf: reference.appendingPathComponent("schemas/v42.json"))
        let expectedAuthorization = "Basic " + Data("admin:district".utf8).base64EncodedString()

        let router = Router()
        let bodies: [String: Data] = [
            "/api/system/info": Data(#"{"version":"2.42.6"}"#.utf8), "/api/openapi.json": openAPI,
            "/api/schemas.json": schemas,
        ]
        for (path, data) in bodies {
            router.get(RouterPath(path)) { request, _ -> Response in
                guard request.headers[.authorization] == expectedAuthorization else { return Response(status: .unauthorized) }
                return Response(
                    status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
            }
        }
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            onServerRunning: { portContinuation.yield($0.localAddress?.port ?? 0) },
            logger: Logger(label: "stub", factory: { _ in SwiftLogNoOpLogHandler() }))
        let server = Task { try await app.runService(gracefulShutdownSignals: []) }
        defer { server.cancel() }
        var iterator = ports.makeAsyncIterator()
        let port = try #require(await iterator.next())

        let output = FileManager.default.temporaryDirectory.appendingPathComponent("dhis2-codegen-\(UID.generate())")
        defer { try? FileManager.default.removeItem(at: output) }
        let run = await runDHIS2(
            ["dev", "codegen", "--from-server", "--url", "http://127.0.0.1:\(port)", "--output", output.path],
            environment: ["DHIS2_USERNAME": "admin", "DHIS2_PASSWORD": "district"])
        #expect(run.status == ExitStatus.success, "\(run.error)")
        #expect(run.output.contains("Generated"))
        let files = try FileManager.default.contentsOfDirectory(atPath: output.path)
        #expect(files.contains("Runtime.swift"))
        #expect(files.contains("Vocabularies.swift"))
        let models = try String(contentsOf: output.appendingPathComponent("MetadataModels.swift"), encoding: .utf8)
        #expect(models.contains("DataElement"))
        #expect(!run.output.contains("district") && !run.error.contains("district"))
    }
}
