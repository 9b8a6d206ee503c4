import DHIS2Core
import DHIS2Emulator
import Foundation
import Testing

/// Holds the generic read engine to DHIS2's OpenAPI documents: lists and single objects of every metadata collection
/// that has objects, with `fields=*` and `:owner`, and `/api/schemas`, for each emulated version.
@Suite("Metadata reads conform to DHIS2's OpenAPI documents",
       .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason))
struct MetadataReadConformanceTests {
    static let versions = ["2.41.10", "2.42.6", "2.43.2", "2.44"]

    /// `*` without the collections of embedded identifiable objects. DHIS2 renders those in full (every
    /// `trackedEntityTypeAttributes` and `programTrackedEntityAttributes` item in fixtures/play/metadata.json has
    /// `name`, `mandatory`, `trackedEntityAttribute`, …), while the documents declare their items as
    /// BaseIdentifiableObject; a document defect too broad for ``SpecDefect`` (it would excuse every reference).
    static let allButEmbeddedObjects =
        "*,!trackedEntityTypeAttributes,!programTrackedEntityAttributes,!programStageDataElements"
    static let ownerButEmbeddedObjects =
        ":owner,!trackedEntityTypeAttributes,!programTrackedEntityAttributes,!programStageDataElements"

    /// Whether a violation is the one tolerated document defect these reads meet: some v43/v44 components declare
    /// `attributeValues` as the Java class `AttributeValues` (`{"empty": boolean}`, a bean getter), where every
    /// other component of the same documents, and every object of fixtures/play/metadata.json, has the JSON array
    /// DHIS2's serializer writes.
    static func isAttributeValuesDefect(_ violation: String) -> Bool {
        violation.contains("attributeValues: expected object (AttributeValues), found array")
    }

    /// GETs `path`, expects 200 and a body that conforms to the declared response (and each item of `items.key`,
    /// or the whole body, to a component), up to the tolerated defect. Returns the body.
    @discardableResult
    private func expectConforms(
        _ session: ConformanceSession, _ path: String, items: (key: String, component: String)? = nil,
        component: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) async throws -> JSONValue {
        let exchange = try await session.send("GET", path)
        let label = "GET \(path) on \(session.version)"
        #expect(exchange.status == 200, "\(label): \(exchange.status) \(exchange.body)", sourceLocation: sourceLocation)
        var violations = session.validator.validateResponse(
            exchange.body, method: "GET", path: path, status: exchange.status, contentType: exchange.contentType)
        if let items {
            for (index, item) in (exchange.body[items.key]?.arrayValue ?? []).enumerated() {
                violations += session.validator.validate(item, component: items.component).map { "[\(index)] \($0)" }
            }
        }
        if let component { violations += session.validator.validate(exchange.body, component: component) }
        violations.removeAll(where: Self.isAttributeValuesDefect)
        #expect(violations.isEmpty, "\(label) does not conform:\n\(violations.joined(separator: "\n"))",
                sourceLocation: sourceLocation)
        return exchange.body
    }

    @Test("every collection's list and objects, with fields=* and :owner, answer declared shapes",
          arguments: versions)
    func everyCollection(version: String) async throws {
        try await withReadConformance(version) { session in
            // Discovery only: v41 declares the list as an opaque JsonRoot (checked in the /api/schemas test).
            let schemas = try await session.send("GET", "/api/schemas?fields=klass,plural,apiEndpoint,metadata")
            let collections = (schemas.body["schemas"]?.arrayValue ?? []).compactMap { schema -> (String, String)? in
                guard let plural = schema["plural"]?.stringValue, let klass = schema["klass"]?.stringValue,
                    schema["metadata"] == true, schema["apiEndpoint"]?.stringValue == "/api/" + plural,
                    !notServedGenerically.contains(plural)
                else { return nil }
                return (plural, klass)
            }
            var checkedObjects = 0
            for (plural, klass) in collections {
                let component = String(klass.split(separator: ".").last ?? "")
                let hasComponent = (try? session.validator.document.component(component)) != nil
                let list = try await expectConforms(
                    session, "/api/\(plural)?fields=\(Self.allButEmbeddedObjects)&pageSize=5",
                    items: hasComponent ? (plural, component) : nil)
                guard hasComponent, let id = list[plural]?[0]?["id"]?.stringValue else { continue }
                try await expectConforms(session, "/api/\(plural)/\(id)?fields=\(Self.allButEmbeddedObjects)", component: component)
                try await expectConforms(session, "/api/\(plural)/\(id)?fields=\(Self.ownerButEmbeddedObjects)", component: component)
                checkedObjects += 1
            }
            #expect(checkedObjects >= 10, "\(version): only \(checkedObjects) collections had objects to check")
        }
    }

    @Test("/api/schemas and one schema answer the Schema component (2.42+; v41 documents neither)",
          arguments: versions.dropFirst())
    func schemas(version: String) async throws {
        try await withReadConformance(version) { session in
            let all = try await session.check("GET", "/api/schemas")
            try session.checkItems(of: all, key: "schemas", component: "Schema")
            let one = try await session.check("GET", "/api/schemas/organisationUnit")
            session.checkComponent(one, "Schema")
            let property = try await session.check("GET", "/api/schemas/organisationUnit/parent")
            session.checkComponent(property, "Property")
        }
    }

    private func withReadConformance(_ version: String, _ body: (ConformanceSession) async throws -> Void)
        async throws
    {
        let document = try await OpenAPIDocument.shared(serverVersion: version)
        let validator = SchemaValidator(document: document)
        try await withEmulator(EmulatorConfiguration(version: version)) { emulator in
            try await body(ConformanceSession(version: version, baseURL: emulator.baseURL, validator: validator))
        }
    }
}
