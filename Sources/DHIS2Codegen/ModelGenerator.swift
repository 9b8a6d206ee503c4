import Foundation

/// One file the generator writes.
public struct GeneratedFile: Hashable, Sendable {
    /// The file name, without a directory.
    public let name: String
    /// The Swift source.
    public let contents: String

    public init(name: String, contents: String) {
        self.name = name
        self.contents = contents
    }
}

/// Generates the DHIS2Models sources from the DHIS2 documents: one superset model per type over the versions read.
///
/// The output is deterministic: the same documents always give byte-identical files.
public struct ModelGenerator: Sendable {
    /// The documents the models are generated from.
    public let documents: ReferenceDocuments
    /// How many files the models are spread over (about 20 builds fastest on two cores).
    public var modelShardCount: Int

    public init(documents: ReferenceDocuments, modelShardCount: Int = 16) {
        self.documents = documents
        self.modelShardCount = modelShardCount
    }

    /// The generated files, in name order.
    public func generate() -> [GeneratedFile] {
        var builder = ModelBuilder(documents: documents)
        let set = builder.build()
        let files = SwiftEmitter(set: set, modelShardCount: modelShardCount).files()
        return files.sorted { $0.name < $1.name }
    }

    /// What was generated, for reports: the number of models (metadata, instance and auxiliary) and vocabularies.
    public func statistics() -> GenerationStatistics {
        var builder = ModelBuilder(documents: documents)
        let set = builder.build()
        let models = set.models.values
        return GenerationStatistics(
            metadataModels: models.filter { $0.kind == .metadata }.count,
            instanceModels: models.filter { $0.kind == .instance }.count,
            auxiliaryModels: models.filter { $0.kind == .auxiliary || $0.kind == .reference }.count,
            vocabularies: set.vocabularies.count)
    }

    /// Writes the files into `directory`, replacing its Swift files; files the generator no longer produces are
    /// removed so the folder holds exactly the output.
    ///
    /// - Returns: The names of the files whose contents changed (new, modified or removed).
    @discardableResult
    /// The names of the files in `directory` that differ from what ``write(to:)`` would write there (missing, extra
    /// or changed `.swift` files), sorted; empty when the folder is up to date. Writes nothing.
    public func differences(from directory: URL) throws -> [String] {
        let expected = Dictionary(uniqueKeysWithValues: generate().map { ($0.name, Data($0.contents.utf8)) })
        let present = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasSuffix(".swift") }
        var differing = Set(expected.keys).symmetricDifference(present)
        for name in present where expected[name] != nil {
            let actual = try Data(contentsOf: directory.appendingPathComponent(name))
            if actual != expected[name] { differing.insert(name) }
        }
        return differing.sorted()
    }

    public func write(to directory: URL) throws -> [String] {
        let files = generate()
        let manager = FileManager.default
        try manager.createDirectory(at: directory, withIntermediateDirectories: true)
        var changed: [String] = []
        let wanted = Set(files.map(\.name))
        for existing in try manager.contentsOfDirectory(atPath: directory.path).sorted()
        where existing.hasSuffix(".swift") && !wanted.contains(existing) {
            try manager.removeItem(at: directory.appendingPathComponent(existing))
            changed.append(existing)
        }
        for file in files {
            let url = directory.appendingPathComponent(file.name)
            let data = Data(file.contents.utf8)
            if (try? Data(contentsOf: url)) != data {
                try data.write(to: url, options: .atomic)
                changed.append(file.name)
            }
        }
        return changed.sorted()
    }
}

/// Counts of what one generation produced.
public struct GenerationStatistics: Hashable, Sendable, CustomStringConvertible {
    /// Models of `/api/schemas` types.
    public let metadataModels: Int
    /// Instance-side shapes listed in the generator's plan.
    public let instanceModels: Int
    /// Shapes generated because other models use them, and the id-only reference.
    public let auxiliaryModels: Int
    /// Open vocabularies.
    public let vocabularies: Int

    public var description: String {
        "\(metadataModels + instanceModels + auxiliaryModels) models (\(metadataModels) metadata, \(instanceModels) "
            + "instance shapes, \(auxiliaryModels) shapes they use) and \(vocabularies) vocabularies"
    }
}
