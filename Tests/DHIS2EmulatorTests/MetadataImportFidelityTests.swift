import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// Imports the real play database's organisation units and metadata export through `POST /api/metadata` into an
/// emulator without demo data, then reads every object back and compares every field the source carries, except
/// those the server manages.
@Suite("Fidelity: the real play metadata imports without errors and reads back as sent")
struct MetadataImportFidelityTests {
    /// Server-managed or computed on read (reference §4.5): not compared.
    static let serverManaged: Set<String> = [
        "created", "lastUpdated", "createdBy", "lastUpdatedBy", "href", "access", "favorite", "favorites",
        "displayName", "displayShortName", "displayDescription", "displayFormName", "user",
    ]

    /// Types of the export that DHIS2 embeds in an owner and serves at no `/api/<plural>/{id}` (no OpenAPI document
    /// of 2.41–2.44 has a `/api/legends` path): read back through the owner's collection, as `plural → (owner
    /// type, owner's collection)`.
    static let readThroughOwner: [String: (owner: String, collection: String)] = [
        "legends": (owner: "legendSets", collection: "legends")
    ]

    static func fixture(_ name: String) throws -> JSONValue {
        let url = ReferenceDirectory.url.appendingPathComponent("fixtures/play/\(name)")
        return try JSONValue(parsing: try Data(contentsOf: url))
    }

    /// References compare by UID; `null`s are absent on the wire; numbers by value.
    static func normalised(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null, .string(""): return nil  // DHIS2 reads "" as null (reference §0.1)
        case .object(let members):
            if let id = members["id"], members.keys.contains(where: { !["id", "code", "name", "displayName", "username"].contains($0) }) == false {
                return ["id": id]
            }
            var result: [String: JSONValue] = [:]
            for (key, member) in members where !serverManaged.contains(key) {
                if let normal = normalised(member) { result[key] = normal }
            }
            return .object(result)
        case .array(let items): return .array(items.compactMap(normalised))
        default: return value
        }
    }

    /// The distinct error messages of an import report, for a readable failure.
    static func errorSummary(_ message: JSONValue) -> String {
        var lines: [String] = []
        for typeReport in message["response"]?["typeReports"]?.arrayValue ?? [] {
            for objectReport in typeReport["objectReports"]?.arrayValue ?? [] {
                for error in objectReport["errorReports"]?.arrayValue ?? [] {
                    lines.append("\(error["errorCode"]?.stringValue ?? "?") \(error["message"]?.stringValue ?? "")")
                }
            }
        }
        return "\(lines.count) errors:\n" + Array(Set(lines)).sorted().prefix(40).joined(separator: "\n")
    }

    @Test(
        "organisation_units.json then metadata.json import with no errors and every field reads back",
        .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason), .heavy)
    func importPlayMetadata() async throws {
        let units = try Self.fixture("organisation_units.json")
        let metadata = try Self.fixture("metadata.json")
        var configuration = EmulatorConfiguration()
        configuration.loadsDemoData = false
        try await withEmulator(configuration) { emulator in
            let first = try await emulator.send(.POST, "/api/metadata", json: ["organisationUnits": units])
            #expect(first.status == 200, "\(Self.errorSummary(first.json))")
            #expect(first.json["response"]?["stats"]?["created"] == .number(Double(units.arrayValue?.count ?? 0)))

            let second = try await emulator.send(.POST, "/api/metadata", json: metadata)
            #expect(second.status == 200, "\(Self.errorSummary(second.json))")
            #expect(second.json["response"]?["status"] == "OK")

            var compared = 0
            var mismatches: [String] = []
            var sources: [(String, JSONValue)] = (units.arrayValue ?? []).map { ("organisationUnits", $0) }
            for (plural, items) in metadata.objectValue ?? [:] where plural != "system" {
                sources += (items.arrayValue ?? []).map { (plural, $0) }
            }
            // The owner of each embedded object read through its owner, by the object's UID.
            var owners: [String: String] = [:]
            for (_, route) in Self.readThroughOwner {
                for owner in metadata[route.owner]?.arrayValue ?? [] {
                    guard let ownerID = owner["id"]?.stringValue else { continue }
                    for item in owner[route.collection]?.arrayValue ?? [] {
                        if let id = item["id"]?.stringValue { owners[id] = ownerID }
                    }
                }
            }
            for (plural, source) in sources {
                guard let id = source["id"]?.stringValue else { continue }
                let stored: JSONValue
                if let route = Self.readThroughOwner[plural] {
                    guard let ownerID = owners[id] else {
                        mismatches.append("\(plural)/\(id): in no \(route.owner).\(route.collection)")
                        continue
                    }
                    let read = try await emulator.send(.GET, "/api/\(route.owner)/\(ownerID)?fields=\(route.collection)")
                    let item = read.json[route.collection]?.arrayValue?.first { $0["id"]?.stringValue == id }
                    guard read.status == 200, let item else {
                        mismatches.append("\(plural)/\(id): \(read.status), not in \(route.owner)/\(ownerID)")
                        continue
                    }
                    stored = item
                } else {
                    let read = try await emulator.send(.GET, "/api/\(plural)/\(id)?fields=:all")
                    guard read.status == 200 else {
                        mismatches.append("\(plural)/\(id): \(read.status)")
                        continue
                    }
                    stored = read.json
                }
                for (key, value) in source.objectValue ?? [:] where !Self.serverManaged.contains(key) {
                    guard let expected = Self.normalised(value) else { continue }
                    let actual = stored[key].flatMap(Self.normalised)
                    if actual != expected, !(expected == [] && actual == nil) {
                        mismatches.append("\(plural)/\(id).\(key): sent \(expected), read \(actual.map { "\($0)" } ?? "nothing")")
                    }
                }
                compared += 1
            }
            #expect(compared == sources.count)
            // Counted, not expanded: the full list runs to tens of kilobytes of JSON in the test log.
            let mismatchCount = mismatches.count
            let firstMismatches = mismatches.prefix(5).map { String($0.prefix(240)) }.joined(separator: "\n")
            #expect(mismatchCount == 0, "\(mismatchCount) mismatches, first:\n\(firstMismatches)")
        }
    }
    @Test(
        "embedded objects read back with all their properties by default, and a block narrows them",
        arguments: ["2.41.10", "2.44"])
    func embeddedObjects(version: String) async throws {
        var configuration = EmulatorConfiguration(version: version)
        configuration.loadsDemoData = false
        try await withEmulator(configuration) { emulator in
            let legendSet: JSONValue = [
                "id": "fqs276KXCXi", "name": "Fidelity legends",
                "legends": [
                    ["id": "ZUUGJnvX40X", "name": "Low", "startValue": 0, "endValue": 50, "color": "#FF0000"],
                    ["name": "High", "startValue": 50, "endValue": 100, "color": "#00FF00"],
                ],
            ]
            let imported = try await emulator.send(.POST, "/api/metadata", json: ["legendSets": [legendSet]])
            #expect(imported.status == 200, "\(Self.errorSummary(imported.json))")

            let bare = try await emulator.send(.GET, "/api/legendSets/fqs276KXCXi?fields=legends")
            let legends = try #require(bare.json["legends"]?.arrayValue)
            #expect(legends.count == 2)
            #expect(legends.first?["id"] == "ZUUGJnvX40X")
            #expect(legends.first?["color"] == "#FF0000")
            #expect(legends.first?["endValue"] == .number(50))
            // DHIS2 gives an embedded object without a UID one of its own.
            #expect(legends.last?["id"]?.stringValue.map(UID.isValid) == true)
            #expect(legends.last?["name"] == "High")

            let all = try await emulator.send(.GET, "/api/legendSets/fqs276KXCXi")
            #expect(all.json["legends"]?[0]?["startValue"] == .number(0))

            let narrowed = try await emulator.send(.GET, "/api/legendSets/fqs276KXCXi?fields=legends[id,color]")
            #expect(narrowed.json["legends"]?[0] == ["id": "ZUUGJnvX40X", "color": "#FF0000"])
        }
    }
}
