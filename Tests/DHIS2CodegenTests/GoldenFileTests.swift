import DHIS2Codegen
import Foundation
import Testing

/// Where the test inputs and the expected outputs are: `Fixtures/` next to this file.
enum Fixtures {
    static var directory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }

    /// Hand-written miniature DHIS2 documents for 2.42 and 2.43 that exercise each rule of the generator.
    static func documents() throws -> ReferenceDocuments {
        try ReferenceDocuments.load(from: directory.appendingPathComponent("Input"), minors: [42, 43])
    }

    static func generate() throws -> [GeneratedFile] {
        ModelGenerator(documents: try documents(), modelShardCount: 2).generate()
    }

    static func file(_ name: String, in files: [GeneratedFile]) throws -> String {
        try #require(files.first { $0.name == name }?.contents, "no generated file \(name)")
    }
}

@Suite("Generator output against golden files")
struct GoldenFileTests {
    /// Set DHIS2_CODEGEN_RECORD_GOLDEN=1 to rewrite the golden files after an intended change, then review the diff.
    static let isRecording = ProcessInfo.processInfo.environment["DHIS2_CODEGEN_RECORD_GOLDEN"] == "1"

    @Test("the miniature documents generate exactly the golden files")
    func goldenFiles() throws {
        let files = try Fixtures.generate()
        let golden = Fixtures.directory.appendingPathComponent("Golden")
        if Self.isRecording {
            try? FileManager.default.removeItem(at: golden)
            try FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            for file in files {
                try Data(file.contents.utf8).write(to: golden.appendingPathComponent(file.name + ".golden"))
            }
        }
        let expectedNames = try FileManager.default.contentsOfDirectory(atPath: golden.path)
            .filter { $0.hasSuffix(".golden") }.map { String($0.dropLast(".golden".count)) }.sorted()
        #expect(files.map(\.name) == expectedNames)
        for file in files {
            let expected = try String(
                contentsOf: golden.appendingPathComponent(file.name + ".golden"), encoding: .utf8)
            let actualLines = file.contents.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference = zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }
            let matches = file.contents == expected
            #expect(
                matches,
                "\(file.name) differs from its golden file at line \((firstDifference?.offset ?? min(actualLines.count, expectedLines.count)) + 1): \(firstDifference.map { "got `\($0.element.0)`, expected `\($0.element.1)`" } ?? "different length")"
            )
        }
    }

    @Test("generating twice from the same documents gives byte-identical files")
    func deterministic() throws {
        let first = try Fixtures.generate()
        let second = try Fixtures.generate()
        #expect(first == second)
    }
}

@Suite("Generator rules, spot-checked in the miniature output")
struct GeneratorRuleTests {
    @Test("a property only some versions have says which, in its doc comment and its schema facts")
    func availability() throws {
        let files = try Fixtures.generate()
        let models = files.filter { $0.name.hasPrefix("Models") }.map(\.contents).joined()
        #expect(models.contains("/// `shortName`, 2.43+; text, owned.\n    public var shortName: String?"))
        #expect(models.contains("/// `name`, 2.42–2.43; text, owned."))
        let facts = files.filter { $0.name.hasPrefix("SchemaFacts") }.map(\.contents).joined()
        #expect(facts.contains(#"MetadataPropertySchema(name: "shortName", kind: .text, isOwner: true, isPersisted: true, availability: APIVersionSet(minors: 43))"#))
    }

    @Test("vocabularies are open structs whose values record their versions")
    func vocabularies() throws {
        let vocabularies = try Fixtures.file("Vocabularies.swift", in: try Fixtures.generate())
        #expect(vocabularies.contains("public struct ValueType: DHIS2Vocabulary {"))
        #expect(vocabularies.contains("/// `GEOJSON`, 2.43+.\n    public static let geojson = ValueType(rawValue: \"GEOJSON\")"))
        #expect(vocabularies.contains("public static let knownValues: [ValueType] = ["))
    }

    @Test("every metadata property is optional; instance shapes require what every version requires")
    func optionality() throws {
        let models = try Fixtures.generate().filter { $0.name.hasPrefix("Models") }.map(\.contents).joined()
        #expect(models.contains("    public var valueType: ValueType?\n"))
        #expect(models.contains("    public var page: Int\n"))
        #expect(models.contains("    public var nextPage: String?\n"))
        #expect(models.contains("public init(page: Int, total: Int)"))
    }

    @Test("references decode every version's shape, nested models are boxed, and names never clash")
    func referencesAndNames() throws {
        let models = try Fixtures.generate().filter { $0.name.hasPrefix("Models") }.map(\.contents).joined()
        // `/api/schemas` says Colour, OpenAPI says BaseIdentifiableObject: the full model reads both.
        #expect(models.contains("    @Indirect public var parent: Colour?\n"))
        // `Option` would clash with swift-argument-parser's `Option`.
        #expect(models.contains("    public var options: [DHIS2Option]?\n"))
        #expect(models.contains("public struct DHIS2Option: MetadataModel {"))
        // A Core type (ImportSummary) is never generated; the property keeps the raw JSON.
        #expect(!models.contains("public struct ImportSummary"))
        #expect(models.contains("    public var report: JSONValue?\n"))
        // Swift keywords are escaped.
        #expect(models.contains("    public var `default`: Bool?\n"))
    }

    @Test("renamed components merge into one superset, and disagreeing types fall back to JSONValue with a note")
    func renames() throws {
        let models = try Fixtures.generate().filter { $0.name.hasPrefix("Models") }.map(\.contents).joined()
        #expect(models.contains("public struct TrackerEvent: DHIS2Model {"))
        #expect(!models.contains("struct TrackerTrackerEvent"))
        #expect(models.contains("/// `enrollment`, 2.43+."))
        #expect(models.contains("Versions disagree on the type (2.43+: `Int`; until 2.42: `String`); `JSONValue` decodes all of them."))
        #expect(models.contains("public struct JobNotification: DHIS2Model {"))
    }
}

@Suite("The committed models match the real documents", .enabled(if: RealDocuments.shouldRun, RealDocuments.skipReason))
struct CommittedModelsTests {
    @Test("regenerating from ../shared/dhis2 changes nothing in Sources/DHIS2Models/Generated")
    func upToDate() throws {
        let documents = try ReferenceDocuments.load(from: RealDocuments.directory)
        let files = ModelGenerator(documents: documents).generate()
        let generated = RealDocuments.root.appendingPathComponent("Sources/DHIS2Models/Generated")
        let committed = try FileManager.default.contentsOfDirectory(atPath: generated.path)
            .filter { $0.hasSuffix(".swift") }.sorted()
        #expect(files.map(\.name) == committed)
        for file in files {
            let onDisk = try String(contentsOf: generated.appendingPathComponent(file.name), encoding: .utf8)
            let isCurrent = onDisk == file.contents
            #expect(isCurrent, "\(file.name) is stale: run `swift run dhis2-codegen` and commit")
        }
    }
}

/// The real DHIS2 documents: `DHIS2_REFERENCE_DIR`, else `../shared/dhis2` next to the repository.
enum RealDocuments {
    static var root: URL {
        // #filePath = <root>/Tests/DHIS2CodegenTests/GoldenFileTests.swift: three components up is the root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root
    }

    static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        return root.appendingPathComponent("../shared/dhis2", isDirectory: true).standardizedFileURL
    }

    /// Run when the documents are there, and under CI always (so a missing folder fails there).
    static var shouldRun: Bool {
        FileManager.default.fileExists(atPath: directory.appendingPathComponent("openapi").path)
            || ProcessInfo.processInfo.environment["CI"] != nil
    }

    static let skipReason: Comment =
        "DHIS2 reference documents not found; set DHIS2_REFERENCE_DIR or check out ../shared/dhis2"
}

@Suite("Writing the output folder")
struct OutputFolderTests {
    @Test("writing replaces the folder's Swift files, removes stale ones and reports only real changes")
    func write() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("codegen-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try Data("// left over from an older generator\n".utf8).write(to: folder.appendingPathComponent("Stale.swift"))
        try Data("kept".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let generator = ModelGenerator(documents: try Fixtures.documents(), modelShardCount: 2)

        let firstChanges = try generator.write(to: folder)
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        #expect(firstChanges.contains("Stale.swift"))
        #expect(!names.contains("Stale.swift"))
        #expect(names.contains("notes.txt"))
        #expect(names.filter { $0.hasSuffix(".swift") } == generator.generate().map(\.name))

        #expect(try generator.write(to: folder).isEmpty)
        #expect(generator.statistics().metadataModels == 2)
    }
}
