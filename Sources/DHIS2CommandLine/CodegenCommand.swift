import ArgumentParser
import DHIS2
import DHIS2Codegen
import Foundation

/// `dhis2 dev codegen`: regenerates the typed models, from the reference documents or from a live server.
///
/// The same library (`DHIS2Codegen`) as the `dhis2-codegen` executable. From a server, the documents are read through
/// a `DHIS2Client` resolved like every other server command (`--url` with `DHIS2_*` credentials, or a profile), so
/// secrets never become flags.
struct CodegenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "codegen",
        abstract: "Regenerate Sources/DHIS2Models/Generated from DHIS2's OpenAPI and /api/schemas documents.",
        discussion: """
            By default the documents come from --reference-dir (else $DHIS2_REFERENCE_DIR, else ../shared/dhis2). With \
            --from-server they are read from a running DHIS2 (three requests: /api/system/info, /api/openapi.json, \
            /api/schemas.json); the models then describe that server's version only.
            """)

    @Option(help: "The folder with openapi/v4N.json and schemas/v4N.json.")
    var referenceDir: String?

    @Option(help: "Where the Swift files go.")
    var output = "Sources/DHIS2Models/Generated"

    @Option(help: "How many files the models are spread over.")
    var shards = 16

    @Flag(help: "Write nothing; fail when the output folder differs from what would be generated.")
    var check = false

    @Flag(help: "Read the documents from the server the connection options name instead of a folder.")
    var fromServer = false

    @OptionGroup var connection: ConnectionOptions

    func validate() throws {
        guard shards > 0 else { throw ValidationError("--shards must be positive, not \(shards).") }
    }

    func run() async throws {
        let terminal = Terminal.current
        let documents: ReferenceDocuments
        do {
            if fromServer {
                documents = try await connection.withClient(in: terminal) { client in
                    try await Self.documents(from: client)
                }
            } else {
                let directory =
                    referenceDir ?? terminal.environment["DHIS2_REFERENCE_DIR"] ?? "../shared/dhis2"
                documents = try ReferenceDocuments.load(from: URL(fileURLWithPath: directory, relativeTo: URL(fileURLWithPath: terminal.workingDirectory, isDirectory: true)))
            }
        } catch let error as CodegenError {
            throw CommandLineError(error.message, exitStatus: ExitStatus.failure)
        }
        let generator = ModelGenerator(documents: documents, modelShardCount: shards)
        let outputURL = URL(fileURLWithPath: output, relativeTo: URL(fileURLWithPath: terminal.workingDirectory, isDirectory: true))
        if check {
            let differing = try generator.differences(from: outputURL)
            guard differing.isEmpty else {
                throw CommandLineError(
                    "\(output) differs from the generator's output in: \(differing.joined(separator: ", ")). "
                        + "Run `dhis2 dev codegen` and commit the result.",
                    exitStatus: ExitStatus.failure)
            }
            terminal.print("\(output) is up to date (\(generator.statistics())).")
        } else {
            let changed = try generator.write(to: outputURL)
            terminal.print("Generated \(generator.statistics()) into \(output); \(changed.count) files changed.")
        }
    }

    /// The server's version, OpenAPI document and schemas, read through `client`.
    static func documents(from client: DHIS2Client) async throws -> ReferenceDocuments {
        guard let minor = client.serverVersion?.minor else {
            throw CommandLineError(
                "Generating from a server needs its version: do not pin one for this command.",
                exitStatus: ExitStatus.configuration)
        }
        async let openAPI = body(of: "/api/openapi.json", from: client)
        async let schemas = body(of: "/api/schemas.json", from: client)
        return try ReferenceDocuments.fromJSON(minor: minor, openAPI: try await openAPI, schemas: try await schemas)
    }

    private static func body(of path: String, from client: DHIS2Client) async throws -> Data {
        let request = DHIS2Request(method: .get, path: path)
        let response = try await client.send(request)
        guard response.status == 200 else {
            throw CommandLineError(
                "GET \(path) answered HTTP \(response.status); the server may not publish it (it needs DHIS2 2.41+).",
                exitStatus: ExitStatus.failure)
        }
        return response.body
    }
}
