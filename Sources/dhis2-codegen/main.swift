// dhis2-codegen: regenerates Sources/DHIS2Models/Generated from the DHIS2 documents. All behaviour is in
// DHIS2Codegen; this only reads arguments and the environment.
import DHIS2Codegen
import Foundation

let usage = """
    usage: dhis2-codegen [--reference-dir <dir>] [--output <dir>] [--versions 41,42,43,44] [--shards N] [--check]

      --reference-dir  folder with openapi/v4N.json and schemas/v4N.json
                       (default: $DHIS2_REFERENCE_DIR, else ../shared/dhis2)
      --output         where the Swift files go (default: Sources/DHIS2Models/Generated)
      --versions       the minor versions to read, e.g. 42,43 (default: 41,42,43,44)
      --shards         how many files the models are spread over (default: 16)
      --check          write nothing; exit 1 when the output folder differs from what would be generated

    To generate from a running server, use `dhis2 dev codegen --from-server` (same library; the server is reached
    through a profile or the DHIS2_* environment).

    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data((message + "\n").utf8))
    exit(2)
}

var arguments = Array(CommandLine.arguments.dropFirst())
var referenceDirectory: String?
var output = "Sources/DHIS2Models/Generated"
var check = false
var minors = ReferenceDocuments.supportedMinors
var shards = 16
while !arguments.isEmpty {
    let argument = arguments.removeFirst()
    switch argument {
    case "--reference-dir":
        guard !arguments.isEmpty else { fail("--reference-dir needs a folder.\n" + usage) }
        referenceDirectory = arguments.removeFirst()
    case "--output":
        guard !arguments.isEmpty else { fail("--output needs a folder.\n" + usage) }
        output = arguments.removeFirst()
    case "--versions":
        guard !arguments.isEmpty else { fail("--versions needs a list such as 42,43.\n" + usage) }
        let parsed = arguments.removeFirst().split(separator: ",").compactMap { Int($0) }
        guard !parsed.isEmpty else { fail("--versions needs a list such as 42,43.\n" + usage) }
        minors = parsed
    case "--shards":
        guard !arguments.isEmpty, let count = Int(arguments.removeFirst()), count > 0 else {
            fail("--shards needs a positive number.\n" + usage)
        }
        shards = count
    case "--check": check = true
    case "--help", "-h":
        print(usage, terminator: "")
        exit(0)
    default:
        fail("Unknown argument \(argument).\n" + usage)
    }
}

let environment = ProcessInfo.processInfo.environment
let documents: ReferenceDocuments
do {
    let directory = referenceDirectory ?? environment["DHIS2_REFERENCE_DIR"] ?? "../shared/dhis2"
    documents = try ReferenceDocuments.load(from: URL(fileURLWithPath: directory), minors: minors)
} catch {
    fail("dhis2-codegen: \(error)")
}

let generator = ModelGenerator(documents: documents, modelShardCount: shards)
let outputURL = URL(fileURLWithPath: output)
if check {
    do {
        let differing = try generator.differences(from: outputURL)
        if differing.isEmpty {
            print("\(output) is up to date (\(generator.statistics())).")
        } else {
            FileHandle.standardError.write(
                Data(
                    ("\(output) differs from the generator's output in: \(differing.joined(separator: ", ")). "
                        + "Run `swift run dhis2-codegen` and commit the result.\n").utf8))
            exit(1)
        }
    } catch {
        fail("dhis2-codegen: \(error)")
    }
} else {
    do {
        let changed = try generator.write(to: outputURL)
        print("Generated \(generator.statistics()) into \(output); \(changed.count) files changed.")
    } catch {
        fail("dhis2-codegen: \(error)")
    }
}
