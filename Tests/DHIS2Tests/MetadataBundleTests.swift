import Foundation
import DHIS2
import DHIS2Emulator
import Testing

@Suite("Typed /api/metadata export and import against the emulator")
struct MetadataBundleTests {
    static func dataElement(_ code: String, _ name: String) -> DataElement {
        var element = DataElement()
        element.id = UID.generate().rawValue
        element.name = name
        element.shortName = name
        element.code = code
        element.valueType = "INTEGER"
        element.domainType = "AGGREGATE"
        element.aggregationType = "SUM"
        return element
    }

    /// A data element group referring to `members` by identifier.
    static func group(_ name: String, code: String? = nil, members: [String]) -> DataElementGroup {
        var group = DataElementGroup()
        group.code = code
        group.id = UID.generate().rawValue
        group.name = name
        group.shortName = name
        group.dataElements = members.map { id in
            var reference = DataElement()
            reference.id = id
            return reference
        }
        return group
    }

    static func ids(_ elements: [DataElement]) throws -> [UID] {
        try elements.map { try #require($0.id.flatMap(UID.init(rawValue:))) }
    }

    @Test("A dry run (importMode=VALIDATE) reports the import and stores nothing", arguments: emulatedVersions)
    func dryRun(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let elements = [Self.dataElement("DRY_A", "Dry run A"), Self.dataElement("DRY_B", "Dry run B")]
                var bundle = MetadataBundle()
                try bundle.append(elements)
                #expect(bundle.count == 2)

                let result = try await client.metadata.import(bundle, options: .dryRun)
                #expect(result.report.status == .ok)
                #expect(result.outcome.didSucceed)
                #expect(result.report.conflicts.isEmpty)
                #expect(try await client.metadata.dataElements.lookup(try Self.ids(elements)).isEmpty)
            }
        }
    }

    @Test("Objects imported through the typed API export back equal", arguments: emulatedVersions)
    func importThenExport(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let elements = [Self.dataElement("TRIP_A", "Round trip A"), Self.dataElement("TRIP_B", "Round trip B")]
                var bundle = MetadataBundle()
                try bundle.append(elements)
                try bundle.append([Self.group("Round trip group", code: "TRIP_GROUP", members: elements.compactMap(\.id))])

                let created = try await client.metadata.import(bundle)
                #expect(created.webMessage.httpStatusCode == 200)
                #expect(created.report.status == .ok)
                #expect(created.report.stats?.created == 3)
                #expect(created.outcome.didSucceed)
                #expect(created.outcome.counts.imported == 3)

                let exported = try await client.metadata.export(
                    types: [DataElement.self, DataElementGroup.self], filters: ["code:like:TRIP_"],
                    typeFilters: ["dataElementGroups": ["name:eq:Round trip group"]], skipSharing: true)
                #expect(exported.system?["version"]?.stringValue == version)
                #expect(exported.types == ["dataElementGroups", "dataElements"])
                let read = try exported.objects(DataElement.self).sorted { ($0.code ?? "") < ($1.code ?? "") }
                #expect(read.map(\.id) == elements.map(\.id))
                #expect(read.map(\.name) == ["Round trip A", "Round trip B"])
                #expect(read.map(\.valueType) == ["INTEGER", "INTEGER"])
                let groups = try exported.objects(DataElementGroup.self)
                #expect(groups.count == 1)
                #expect(Set(groups.first?.dataElements?.compactMap(\.id) ?? []) == Set(elements.compactMap(\.id)))

                // The exported bundle, `system` block included, imports again as updates.
                let reimported = try await client.metadata.import(exported)
                #expect(reimported.outcome.didSucceed)
                #expect(reimported.report.stats?.updated == 3)
                #expect(reimported.report.stats?.created == 0)
            }
        }
    }

    @Test("An invalid reference fails the atomic import with the error in the typed report", arguments: emulatedVersions)
    func invalidReference(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let element = Self.dataElement("REF_OK", "Referenced element")
                let missing = UID.generate().rawValue
                var bundle = MetadataBundle()
                try bundle.append([element])
                try bundle.append([Self.group("Broken group", members: [missing])])

                let result = try await client.metadata.import(bundle)
                #expect(result.webMessage.httpStatusCode == 409)
                #expect(result.report.status == .error)
                #expect(result.outcome.didFail)
                let errors = result.report.objectReports.flatMap(\.errorReports)
                #expect(errors.contains { $0.errorCode == "E5002" && ($0.message ?? "").contains(missing) })
                #expect(result.outcome.conflicts.contains { $0.errorCode == "E5002" })
                #expect(try await client.metadata.dataElements.lookup(try Self.ids([element])).isEmpty)
            }
        }
    }

    @Test("atomicMode NONE stores the valid objects and reports a partial outcome", arguments: emulatedVersions)
    func partialImport(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let element = Self.dataElement("PART_OK", "Partly imported element")
                var bundle = MetadataBundle()
                try bundle.append([element])
                try bundle.append([Self.group("Broken group", members: [UID.generate().rawValue])])

                let result = try await client.metadata.import(
                    bundle, options: MetadataImportOptions(atomicMode: .nonAtomic, importReportMode: .full))
                #expect(result.webMessage.httpStatusCode == 409)
                #expect(result.report.status == .warning)
                #expect(result.outcome.isPartial)
                #expect(result.outcome.counts.imported == 1)
                #expect(result.report.objectReports.contains { $0.hasErrors })
                let stored = try await client.metadata.dataElements.lookup(try Self.ids([element]), fields: [Field("name")])
                #expect(stored.map(\.name) == ["Partly imported element"])
            }
        }
    }

    @Test("Options render DHIS2's parameter names and leave defaults unsent")
    func optionsQuery() {
        #expect(MetadataImportOptions.default.queryItems.isEmpty)
        let options = MetadataImportOptions(
            importMode: .validate, atomicMode: .nonAtomic, importStrategy: .createAndUpdate, identifier: .code,
            skipSharing: true)
        #expect(
            options.queryItems.map { "\($0.name)=\($0.value ?? "")" } == [
                "importMode=VALIDATE", "atomicMode=NONE", "importStrategy=CREATE_AND_UPDATE", "identifier=CODE",
                "skipSharing=true",
            ])
    }
}
