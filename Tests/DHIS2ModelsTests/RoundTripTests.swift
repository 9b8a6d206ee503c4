import DHIS2Core
import DHIS2Models
import Foundation
import Testing

/// Real DHIS2 payloads decode into the typed models and encode back to the same JSON (key order aside), strictly:
/// every member must be modelled, with the JSON type the model gives it (nothing falls back to `unknownMembers`).
@Suite("Round trips of real DHIS2 payloads through the typed models", .enabled(if: ReferenceData.shouldRun, ReferenceData.skipReason))
struct RoundTripTests {
    /// Decodes `source` strictly as `type`, encodes it, and returns a failure description or `nil`.
    static func roundTrip<T: DHIS2JSONCodable>(_ type: T.Type, _ source: JSONValue, label: String) -> String? {
        do {
            let model = try T(jsonValue: source, strict: true)
            let output = try ReferenceData.json(Data(model.jsonBytes())).withoutNullMembers
            let expected = source.withoutNullMembers
            if output != expected {
                return "\(label): " + (expected.firstDifference(from: output) ?? "differs")
            }
            return nil
        } catch {
            return "\(label): \(error)"
        }
    }

    @Test("every object of the real metadata export round-trips through its metadata model")
    func metadataExport() throws {
        let export = try ReferenceData.json(ReferenceData.fixture("metadata.json"))
        let sections = try #require(export.objectValue)
        var failures: [String] = []
        var count = 0
        for (plural, objects) in sections.sorted(by: { $0.key < $1.key }) {
            guard let type = MetadataModels.type(plural: plural) else {
                failures.append("\(plural): no metadata model has this plural name")
                continue
            }
            for (index, object) in (objects.arrayValue ?? []).enumerated() {
                count += 1
                func check<T: MetadataModel>(_ type: T.Type) -> String? {
                    Self.roundTrip(type, object, label: "\(plural)[\(index)] as \(type)")
                }
                if let failure = check(type) { failures.append(failure) }
            }
        }
        #expect(count > 250, "the export should hold several hundred objects, found \(count)")
        #expect(failures.count == 0, "\(failures.prefix(40).joined(separator: "\n"))")
    }

    @Test("every organisation unit of the real export round-trips through OrganisationUnit")
    func organisationUnits() throws {
        let units = try #require(try ReferenceData.json(ReferenceData.fixture("organisation_units.json")).arrayValue)
        #expect(units.count == 1332)
        let failures = units.enumerated().compactMap { index, unit in
            Self.roundTrip(OrganisationUnit.self, unit, label: "organisationUnits[\(index)]")
        }
        #expect(failures.count == 0, "\(failures.prefix(20).joined(separator: "\n"))")
    }

    @Test("the real data value set (188,701 values) round-trips through DataValueSet")
    func dataValues() throws {
        // 58 MB: Foundation's JSONDecoder into JSONValue takes minutes in a debug build, so here the generic tree
        // comes from the models' own reader (checked against Foundation by the JSON reader tests). What this proves is
        // that the typed model keeps every member the generic reading sees.
        let bytes = [UInt8](try ReferenceData.fixture("data_values.json.gz"))
        let source = try JSONValue(jsonBytes: bytes).withoutNullMembers
        #expect(source["dataValues"]?.arrayValue?.count == 188_701)
        let set = try DataValueSet(jsonBytes: bytes, strict: true)
        #expect(set.dataValues?.count == 188_701)
        let output = try JSONValue(jsonBytes: set.jsonBytes()).withoutNullMembers
        #expect(output == source, "\(source.firstDifference(from: output) ?? "")")
    }

    @Test("every tracked entity of the real tracker payload round-trips through TrackerTrackedEntity")
    func trackerPayload() throws {
        let payload = try ReferenceData.json(ReferenceData.fixture("tracker_payload.json.gz"))
        let entities = try #require(payload["trackedEntities"]?.arrayValue)
        #expect(!entities.isEmpty)
        let failures = entities.enumerated().compactMap { index, entity in
            Self.roundTrip(TrackerTrackedEntity.self, entity, label: "trackedEntities[\(index)]")
        }
        #expect(failures.count == 0, "\(failures.prefix(20).joined(separator: "\n"))")
    }
}
