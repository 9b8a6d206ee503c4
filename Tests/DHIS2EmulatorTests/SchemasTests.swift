import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("GET /api/schemas from the generated schema facts (§2.5)")
struct SchemasTests {
    @Test("the list has every schema of the version, keyed by klass, with DHIS2's members", arguments: readVersions)
    func list(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let schemas = try #require(try await emulator.getJSON("/api/schemas")["schemas"]?.arrayValue)
            let byKlass = Dictionary(schemas.compactMap { schema in schema["klass"]?.stringValue.map { ($0, schema) } }) {
                first, _ in first
            }
            #expect(byKlass.count == schemas.count, "klass identifies a schema")
            let dataElement = try #require(byKlass["org.hisp.dhis.dataelement.DataElement"])
            #expect(dataElement["singular"] == "dataElement")
            #expect(dataElement["plural"] == "dataElements")
            #expect(dataElement["apiEndpoint"] == "/api/dataElements")
            #expect(dataElement["metadata"] == true)
            #expect(dataElement["displayName"] == "Data Element")
            #expect((dataElement["properties"]?.arrayValue?.count ?? 0) > 30)

            let minor = Int(version.split(separator: ".")[1]) ?? 0
            // Version differences (§13): the old OAuth2Client is 2.41's, Dhis2OAuth2Client 2.42+; pushAnalysis left
            // in 2.43.
            #expect((byKlass["org.hisp.dhis.security.oauth2.client.Dhis2OAuth2Client"] != nil) == (minor >= 42))
            let pushAnalysis = schemas.contains { $0["plural"] == "pushAnalysis" }
            #expect(pushAnalysis == (minor <= 42), "\(version): pushAnalysis schema present: \(pushAnalysis)")

            let trimmed = try await emulator.getJSON("/api/schemas?fields=singular,plural")
            #expect(trimmed["schemas"]?.arrayValue?.allSatisfy { $0.objectValue?.keys.sorted() == ["plural", "singular"] } == true)
        }
    }

    @Test("one schema by singular name: properties with kinds, references, owners, enum values", arguments: readVersions)
    func one(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let schema = try await emulator.getJSON("/api/schemas/dataElement")
            #expect(schema["klass"] == "org.hisp.dhis.dataelement.DataElement")
            let properties = try #require(schema["properties"]?.arrayValue)
            func property(_ name: String) -> JSONValue? {
                properties.first { $0["name"]?.stringValue == name || $0["collectionName"]?.stringValue == name }
            }
            let id = try #require(property("id"))
            #expect(id["propertyType"] == "IDENTIFIER")
            #expect(id["unique"] == true)
            let categoryCombo = try #require(property("categoryCombo"))
            #expect(categoryCombo["propertyType"] == "REFERENCE")
            #expect(categoryCombo["klass"] == "org.hisp.dhis.category.CategoryCombo")
            #expect(categoryCombo["required"] == true)
            #expect(categoryCombo["owner"] == true)
            let groups = try #require(property("dataElementGroups"))
            #expect(groups["collection"] == true)
            #expect(groups["itemPropertyType"] == "REFERENCE")
            #expect(groups["owner"] == false)
            let valueType = try #require(property("valueType"))
            #expect(valueType["propertyType"] == "CONSTANT")
            let constants = Set((valueType["constants"]?.arrayValue ?? []).compactMap(\.stringValue))
            #expect(constants.contains("NUMBER"))
            // TRACKER_ASSOCIATE left ValueType in 2.43.
            let minor = Int(version.split(separator: ".")[1]) ?? 0
            #expect(constants.contains("TRACKER_ASSOCIATE") == (minor < 43))
            // favorite is in the 2.41–2.43 schemas only.
            #expect((property("favorite") != nil) == (minor < 44))

            let one = try await emulator.getJSON("/api/schemas/dataElement/valueType")
            #expect(one["propertyType"] == "CONSTANT")
            let byCollectionName = try await emulator.getJSON("/api/schemas/dataElement/dataElementGroups")
            #expect(byCollectionName["collection"] == true)
        }
    }

    @Test("an unknown type or property is a 404 WebMessage")
    func notFound() async throws {
        try await withEmulator { emulator in
            let type = try await emulator.send(.GET, "/api/schemas/noSuchType")
            #expect(type.status == 404)
            #expect(type.json["message"] == "Type noSuchType does not exist.")
            let property = try await emulator.send(.GET, "/api/schemas/dataElement/noSuch")
            #expect(property.status == 404)
            #expect(property.json["message"] == "Property noSuch does not exist on type dataElement.")
        }
    }
}
