import DHIS2
import DHIS2Emulator
import Foundation
import Logging
import Testing

/// The real DHIS2 files the client tests read: `DHIS2_REFERENCE_DIR`, else `../shared/dhis2` next to the repository.
///
/// The files are never copied into the repository. Tests skip with a message when the folder is absent, except under
/// CI (`CI` set), where the missing folder fails them.
enum PlayFixtures {
    static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        // #filePath = <root>/Tests/DHIS2Tests/<file>.swift: three components up is the root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("../shared/dhis2", isDirectory: true).standardizedFileURL
    }

    static var isAvailable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    /// Run when the files are there, and under CI always (so a missing folder fails there).
    static var shouldRun: Bool { isAvailable || ProcessInfo.processInfo.environment["CI"] != nil }

    static let skipReason: Comment =
        "DHIS2 reference data not found; set DHIS2_REFERENCE_DIR or check out ../shared/dhis2 next to the repository"

    /// The bytes of `fixtures/play/<name>`, decompressed when the name ends in `.gz`.
    static func data(_ name: String) throws -> Data {
        let url = directory.appendingPathComponent("fixtures/play/\(name)")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DHIS2Error(code: .invalidRequest, message: "The DHIS2 reference file \(url.path) is missing.")
        }
        guard name.hasSuffix(".gz") else { return try Data(contentsOf: url) }
        // Foundation has no gzip reader on Linux; the machine's gzip does it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DHIS2Error(code: .decoding, message: "gzip could not read the DHIS2 reference file \(url.path).")
        }
        return data
    }

    /// `fixtures/play/<name>` as JSON.
    static func json(_ name: String) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: try data(name))
    }
}

/// The real play database's metadata export, imported through `client.metadata.import` and read back through
/// `client.metadata.resource(_:)` with the fields that were imported.
@Suite("The real metadata export round-trips through the typed API")
struct MetadataRoundTripTests {
    /// What DHIS2 itself sets or computes, so never equal to what was sent, and therefore not compared:
    /// - `created`, `lastUpdated`, `createdBy`, `lastUpdatedBy`, `user`: stamped by the importing server (the
    ///   importing user and the import time);
    /// - `href`, `access`, `favorite`, `favorites`: computed per request and per reading user;
    /// - `displayName`, `displayShortName`, `displayDescription`, `displayFormName`: computed from the names and the
    ///   reading user's locale (reference §4.5).
    static let serverManaged: Set<String> = [
        "created", "lastUpdated", "createdBy", "lastUpdatedBy", "user", "href", "access", "favorite", "favorites",
        "displayName", "displayShortName", "displayDescription", "displayFormName",
    ]

    /// Normalises what DHIS2 normalises: `null` and `""` are absent on the wire (DHIS2 reads `""` as null, reference
    /// §0.1); a reference to another object (only `id` and naming members) reads back as `{"id": …}`; server-managed
    /// members are dropped at every depth.
    static func normalised(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null, .string(""): return nil
        case .object(let members):
            let naming: Set<String> = ["id", "code", "name", "displayName", "username"]
            if let id = members["id"], members.keys.allSatisfy(naming.contains) { return ["id": id] }
            var result: [String: JSONValue] = [:]
            for (key, member) in members where !serverManaged.contains(key) {
                if let normal = normalised(member) { result[key] = normal }
            }
            return .object(result)
        case .array(let items): return .array(items.compactMap(normalised))
        default: return value
        }
    }

    /// The properties of each class in one version's `/api/schemas` dump (`schemas/vNN.json` of the reference
    /// folder): what a server of that version reads from a payload. DHIS2's object mapper ignores JSON members its
    /// classes do not have (`FAIL_ON_UNKNOWN_PROPERTIES` off), so an export member the importing version dropped
    /// (`TrackedEntityAttribute.confidential` in 2.44, `ProgramTrackedEntityAttribute.skipIndividualAnalytics` in
    /// 2.43, `DataElementOperand.legendSets` in 2.44) is never stored and never read back: it is left out of the
    /// comparison. On the export's own version nothing is left out.
    struct VersionSchemas {
        /// Per class: each property's JSON names mapped to the class of its value (the item class of a collection).
        var properties: [String: [String: String?]] = [:]
        /// The class of each top-level type, by plural.
        var klassByPlural: [String: String] = [:]

        init(version: String) throws {
            let digits = version.split(separator: ".").dropFirst().first.map(String.init) ?? ""
            let schemas = try JSONDecoder().decode(
                JSONValue.self,
                from: try Data(contentsOf: PlayFixtures.directory.appendingPathComponent("schemas/v\(digits).json")))
            for schema in schemas["schemas"]?.arrayValue ?? [] {
                guard let klass = schema["klass"]?.stringValue else { continue }
                if let plural = schema["plural"]?.stringValue { klassByPlural[plural] = klass }
                var names: [String: String?] = [:]
                for property in schema["properties"]?.arrayValue ?? [] {
                    guard let name = property["name"]?.stringValue else { continue }
                    let target = property["itemKlass"]?.stringValue ?? property["klass"]?.stringValue
                    // A collection's JSON member is its plural: the dump names it in the singular.
                    let jsonNames =
                        property["collection"] == true
                        ? [name, name + "s", name.hasSuffix("y") ? String(name.dropLast()) + "ies" : name]
                        : [name]
                    for jsonName in jsonNames where names[jsonName] == nil { names[jsonName] = target }
                }
                properties[klass] = names
            }
        }

        /// `value` (written by a server of `source`'s version) without the members, at any depth, that `source`'s
        /// class of it has and this version's class does not. Members neither schema names stay (and are compared).
        func pruned(_ value: JSONValue, klass: String?, source: VersionSchemas) -> JSONValue {
            switch value {
            case .array(let items): return .array(items.map { pruned($0, klass: klass, source: source) })
            case .object(let members):
                guard let klass, let sourceKnown = source.properties[klass] else { return value }
                let known = properties[klass] ?? [:]
                var kept: [String: JSONValue] = [:]
                for (key, member) in members {
                    guard let target = sourceKnown[key] else {
                        kept[key] = member
                        continue
                    }
                    if known[key] == nil { continue }
                    kept[key] = pruned(member, klass: target, source: source)
                }
                return .object(kept)
            default: return value
            }
        }
    }

    /// Differences between what was sent and what was read, member by member; an empty array sent reads back as
    /// absent (DHIS2 omits empty collections it does not store). With `schemas`, members the export's version has
    /// and the importing version does not are not compared (see ``VersionSchemas``).
    static func differences(
        plural: String, sent: JSONValue, read: JSONValue?,
        schemas: (export: VersionSchemas, importing: VersionSchemas)? = nil
    ) -> [String] {
        let id = sent["id"]?.stringValue ?? "?"
        guard let read else { return ["\(plural)/\(id): not read back"] }
        let sent = schemas.map { $0.importing.pruned(sent, klass: $0.export.klassByPlural[plural], source: $0.export) } ?? sent
        var found: [String] = []
        for (key, value) in sent.objectValue ?? [:] where !serverManaged.contains(key) {
            guard let expected = normalised(value) else { continue }
            let actual = read[key].flatMap(normalised)
            if actual != expected, !(expected == [] && actual == nil) {
                found.append("\(plural)/\(id).\(key): sent \(expected), read \(actual.map { "\($0)" } ?? "nothing")")
            }
        }
        return found
    }

    /// Reads `originals` back through the typed resource of `Model`, asking for exactly the imported members, and
    /// returns the objects as the model encodes them, keyed by UID.
    static func readBack<Model: MetadataModel>(
        _ model: Model.Type, _ originals: [JSONValue], client: DHIS2Client
    ) async throws -> [String: JSONValue] {
        var names = Set<String>()
        for original in originals { names.formUnion(original.objectValue?.keys ?? [:].keys) }
        names.subtract(serverManaged)
        let fields = Fields(names.sorted().map { Field($0) })
        let ids = try originals.map { original in
            try #require(original["id"]?.stringValue.flatMap(UID.init(rawValue:)), "an object without a UID")
        }
        let read = try await client.metadata.resource(model).lookup(ids, fields: fields)
        var byID: [String: JSONValue] = [:]
        for object in read {
            let json = try object.jsonValue()
            if let id = json["id"]?.stringValue { byID[id] = json }
        }
        return byID
    }

    /// The export comes from a 2.42 server (it carries 2.42-only properties such as `DataSet.displayOptions` and
    /// `ProgramIndicator.categoryCombo`), so it is compared on 2.42, and on the newer 2.43 and 2.44, which import it
    /// too: their programs require `enrollmentCategoryCombo`, which the export lacks, and DHIS2 connects its default
    /// category combination there (`DefaultPreheatService.connectDefaults`). That filled member is a server-side
    /// normalisation outside the comparison: only the members the export carries are read back and compared.
    /// 2.41 is left out: it drops the 2.42-only properties the export carries.
    static let exportVersion = "2.42.6"
    static let comparedVersions = ["2.42.6", "2.43.2", "2.44.0"]

    @Test(
        "organisation_units.json and metadata.json import with no conflicts and every object reads back equal",
        .enabled(if: PlayFixtures.shouldRun, PlayFixtures.skipReason), .heavy, arguments: comparedVersions)
    func roundTrip(version: String) async throws {
        let units = try #require(try PlayFixtures.json("organisation_units.json").arrayValue)
        let metadata = try MetadataBundle(json: try PlayFixtures.json("metadata.json"))
        let schemas = (export: try VersionSchemas(version: Self.exportVersion), importing: try VersionSchemas(version: version))
        var configuration = EmulatorConfiguration(
            version: version, logger: Logger(label: "dhis2.emulator", factory: { _ in SwiftLogNoOpLogHandler() }))
        // A fresh database, as the export's source had: only the superuser and DHIS2's default category objects.
        configuration.loadsDemoData = false
        try await withEmulator(configuration) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                // The org units first: the export refers to them (data sets, programs, group members).
                let hierarchy = try await client.metadata.import(MetadataBundle(objects: ["organisationUnits": units]))
                #expect(hierarchy.report.status == .ok)
                #expect(hierarchy.report.conflicts.isEmpty)
                #expect(hierarchy.report.stats?.created == units.count)

                let imported = try await client.metadata.import(metadata)
                #expect(imported.report.status == .ok)
                #expect(imported.report.conflicts.isEmpty)
                #expect(imported.outcome.didSucceed)
                // Legends are embedded in their legend sets: DHIS2 counts them with their owner, not on their own.
                // The fresh database already holds DHIS2's four default category objects, which the export also
                // carries: those are updated, everything else created.
                let counted = metadata.count - (metadata.objects["legends"]?.count ?? 0)
                #expect(imported.report.stats?.updated == 4)
                #expect(imported.report.stats?.created == counted - 4)

                var sources = metadata.objects
                sources["organisationUnits"] = units
                var readByType: [String: [String: JSONValue]] = [:]
                for (plural, originals) in sources.sorted(by: { $0.key < $1.key }) {
                    let model = try #require(MetadataModels.type(plural: plural), "no generated model for \(plural)")
                    // Embedded types (legends) have no collection of their own: read through their owner below.
                    guard model.schema.apiEndpoint != nil else { continue }
                    readByType[plural] = try await Self.readBack(model, originals, client: client)
                }

                var compared = 0
                var mismatches: [String] = []
                for (plural, originals) in sources {
                    let model = try #require(MetadataModels.type(plural: plural))
                    var read: [String: JSONValue]
                    if let byID = readByType[plural] {
                        read = byID
                    } else {
                        // An embedded object (a legend) reads back inside whichever owner holds it under its plural
                        // name (legendSets[].legends): its owner was read above with that member.
                        read = [:]
                        for owners in readByType.values {
                            for owner in owners.values {
                                for item in owner[model.schema.plural]?.arrayValue ?? [] {
                                    if let id = item["id"]?.stringValue { read[id] = item }
                                }
                            }
                        }
                    }
                    for original in originals {
                        mismatches += Self.differences(
                            plural: plural, sent: original, read: original["id"]?.stringValue.flatMap { read[$0] },
                            schemas: schemas)
                        compared += 1
                    }
                }
                #expect(compared == metadata.count + units.count)
                let firstMismatches = mismatches.prefix(8).map { String($0.prefix(300)) }.joined(separator: "\n")
                #expect(mismatches.count == 0, "\(mismatches.count) mismatches, first:\n\(firstMismatches)")
            }
        }
    }
}
