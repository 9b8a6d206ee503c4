import DHIS2Core
import DHIS2Models
import Foundation
import Testing

@Suite("Open vocabularies")
struct VocabularyTests {
    @Test("a known value decodes to its static member and knows its wire spelling")
    func knownValue() throws {
        let valueType = try ValueType(jsonString: #""INTEGER_POSITIVE""#)
        #expect(valueType == .integerPositive)
        #expect(valueType.isKnown)
        #expect(valueType.jsonString() == #""INTEGER_POSITIVE""#)
    }

    @Test("a value a newer server adds decodes and round-trips unchanged")
    func unknownValue() throws {
        let element = try DataElement(jsonString: #"{"id":"fbfJHSPpUQD","valueType":"QUANTUM_STATE"}"#)
        #expect(element.valueType?.rawValue == "QUANTUM_STATE")
        #expect(element.valueType?.isKnown == false)
        #expect(element.jsonString() == #"{"id":"fbfJHSPpUQD","valueType":"QUANTUM_STATE"}"#)
    }

    @Test("a value removed in a later version is still known, with its versions in the documentation")
    func removedValue() {
        // TRACKER_ASSOCIATE exists until 2.42 (ValueType lost it in 2.43).
        #expect(ValueType.knownValues.contains(.trackerAssociate))
        #expect(ValueType.trackerAssociate.rawValue == "TRACKER_ASSOCIATE")
    }

    @Test("vocabularies work with Codable as plain strings")
    func codable() throws {
        let encoded = try JSONEncoder().encode([AggregationType.average])
        #expect(String(decoding: encoded, as: UTF8.self) == #"["AVERAGE"]"#)
        #expect(try JSONDecoder().decode([AggregationType].self, from: encoded) == [.average])
    }
}

@Suite("Unknown members and lenient decoding")
struct UnknownMemberTests {
    @Test("members the model does not know are kept and written back")
    func unknownMembersRoundTrip() throws {
        let json = #"{"id":"ImspTQPwCqd","name":"Sierra Leone","futureField":{"nested":[1,2.5,"x",null,true]}}"#
        let unit = try OrganisationUnit(jsonString: json)
        #expect(unit.id == "ImspTQPwCqd")
        #expect(unit.unknownMembers["futureField"]?["nested"]?[1] == .number(2.5))
        let output = try JSONDecoder().decode(JSONValue.self, from: Data(unit.jsonBytes()))
        #expect(output == (try JSONDecoder().decode(JSONValue.self, from: Data(json.utf8))))
    }

    @Test("a member with another JSON type than documented is kept raw instead of failing the object")
    func mismatchIsKept() throws {
        let json = #"{"id":"ImspTQPwCqd","level":"two"}"#
        let unit = try OrganisationUnit(jsonString: json)
        #expect(unit.level == nil)
        #expect(unit.unknownMembers["level"] == .string("two"))
        #expect(unit.jsonString() == json)
    }

    @Test("strict decoding reports a mismatched member with its path")
    func strictMismatch() {
        let json = #"{"id":"ImspTQPwCqd","parent":{"id":"x","level":"two"}}"#
        #expect {
            _ = try OrganisationUnit(jsonString: json).jsonBytes()
            _ = try OrganisationUnit(jsonBytes: Array(json.utf8), strict: true)
        } throws: { error in
            "\(error)".contains("member `parent`: member `level`")
        }
    }

    @Test("explicit null leaves a property unset, as DHIS2 treats absent and null alike")
    func nullIsUnset() throws {
        let unit = try OrganisationUnit(jsonString: #"{"id":"ImspTQPwCqd","code":null}"#)
        #expect(unit.code == nil)
        #expect(unit.jsonString() == #"{"id":"ImspTQPwCqd"}"#)
    }

    @Test("a shape that lacks a member every version requires fails with the member's name")
    func missingRequired() {
        #expect {
            _ = try Pager(jsonString: #"{"page":1,"pageSize":50,"pageCount":1}"#)
        } throws: { error in
            "\(error)".contains("Pager lacks its required member `total`")
        }
    }

    @Test("malformed JSON is an error, not a partial model")
    func malformed() {
        for text in [#"{"id":"a" "name":"b"}"#, #"{"id":}"#, #"{"id":"a",}"#, #"{"id":"a"} x"#, #"["#] {
            #expect(throws: DHIS2JSONError.self, "\(text)") { _ = try OrganisationUnit(jsonString: text) }
        }
    }
}

@Suite("Model values")
struct ModelValueTests {
    @Test("nested models are stored boxed but keep value semantics")
    func valueSemantics() {
        var child = OrganisationUnit()
        child.id = "DiszpKrYNg8"
        var parent = OrganisationUnit()
        parent.name = "Bo"
        child.parent = parent
        var copy = child
        copy.parent?.name = "Bombali"
        #expect(child.parent?.name == "Bo")
        #expect(copy.parent?.name == "Bombali")
        // The box keeps a model with dozens of nested references small.
        #expect(MemoryLayout<Indirect<OrganisationUnit>>.size == MemoryLayout<Int>.size)
    }

    @Test("models interoperate with Codable through JSONDecoder and JSONEncoder")
    func codable() throws {
        let json = #"{"pager":{"page":1,"total":2,"pageSize":50,"pageCount":1},"id":"x"}"#
        struct Envelope: Codable {
            var pager: Pager
        }
        let envelope = try JSONDecoder().decode(Envelope.self, from: Data(json.utf8))
        #expect(envelope.pager.total == 2)
        let element = try JSONDecoder().decode(DataElement.self, from: Data(#"{"id":"a","zeroIsSignificant":true}"#.utf8))
        #expect(element.zeroIsSignificant == true)
        let encoded = try JSONDecoder().decode(JSONValue.self, from: try JSONEncoder().encode(element))
        #expect(encoded == .object(["id": .string("a"), "zeroIsSignificant": .bool(true)]))
    }

    @Test("an id-only reference reads a full object and keeps its other members")
    func objectReference() throws {
        let reference = try ObjectReference(jsonString: #"{"id":"p1","name":"January 2025"}"#)
        #expect(reference.id == "p1")
        #expect(reference.unknownMembers["name"] == .string("January 2025"))
        #expect(ObjectReference(id: "abc").jsonString() == #"{"id":"abc"}"#)
    }
}

@Suite("The JSON reader and writer")
struct JSONReaderWriterTests {
    @Test("the reader reads what Foundation reads: escapes, surrogate pairs, numbers, nesting")
    func matchesFoundation() throws {
        let text = #"""
            {"a":"line\nbreak \"quoted\" \\ \/ \u00e9 \ud83d\ude00 tab\t","b":[0,-1,1.5,-2.25e3,1E-2,12345678901234],
             "c":{"d":[],"e":{},"f":null,"g":true,"h":false},"unicode":"Ségou – 東京"}
            """#
        let ours = try JSONValue(jsonBytes: Array(text.utf8))
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
    }

    @Test("the writer escapes what JSON requires and Foundation reads its output back")
    func writerOutput() throws {
        let value = JSONValue.object([
            "text": .string("quote \" backslash \\ newline \n control \u{01} é"),
            "numbers": .array([.number(3), .number(-0.5), .number(1e21), .number(123456789)]),
        ])
        let bytes = value.jsonBytes()
        #expect(try JSONDecoder().decode(JSONValue.self, from: Data(bytes)) == value)
        #expect(String(decoding: bytes, as: UTF8.self).contains(#"control \u0001 é""#))
        #expect(String(decoding: bytes, as: UTF8.self).contains("[3,-0.5,"))
    }
}

@Suite("Schema facts", .enabled(if: ReferenceData.shouldRun, ReferenceData.skipReason))
struct SchemaFactTests {
    /// The `/api/schemas` dump of one version, as `klass → JSON names a property can have` (a single value's
    /// `name`; a collection's `fieldName` or the plural of its `name`, since the dumps lack `collectionName`).
    static func properties(_ version: Int) throws -> [String: Set<String>] {
        let url = ReferenceData.directory.appendingPathComponent("schemas/v\(version).json")
        let document = try JSONDecoder().decode(JSONValue.self, from: Data(contentsOf: url))
        var result: [String: Set<String>] = [:]
        for schema in document["schemas"]?.arrayValue ?? [] {
            guard let klass = schema["klass"]?.stringValue else { continue }
            var names: Set<String> = []
            for property in schema["properties"]?.arrayValue ?? [] {
                guard let name = property["name"]?.stringValue else { continue }
                if property["collection"]?.boolValue == true {
                    if let field = property["fieldName"]?.stringValue { names.insert(field) }
                    names.insert(name.hasSuffix("s") ? name : name.hasSuffix("y") ? String(name.dropLast()) + "ies" : name + "s")
                } else {
                    names.insert(name)
                }
            }
            result[klass] = names
        }
        return result
    }

    @Test("property availability matches the /api/schemas dumps of 2.41–2.44 for every type")
    func availabilityMatchesDocuments() throws {
        let byVersion = try [41, 42, 43, 44].map { ($0, try Self.properties($0)) }
        var mismatches: [String] = []
        for type in MetadataModels.all {
            let schema = type.schema
            for property in schema.properties {
                let expected = byVersion.filter { version, names in
                    names[schema.klass]?.contains(property.name) ?? false
                }.map(\.0)
                let actual = property.availability.versions.map(\.minor)
                if expected != actual { mismatches.append("\(schema.typeName).\(property.name): \(actual) ≠ \(expected)") }
            }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(20))")
        #expect(MetadataModels.all.count == 127)
    }

    @Test("spot checks: properties and types that only some versions have say so")
    func spotChecks() throws {
        let total = try #require(CategoryOption.schema.property("totalAggregationType"))
        #expect(total.availability == APIVersionSet(minors: 43, 44))
        #expect(total.availability.description == "2.43+")
        #expect(!total.availability.includes(.v42))
        let favorite = try #require(CategoryCombo.schema.property("favorite"))
        #expect(favorite.availability.description == "until 2.42")
        #expect(DataInputPeriod.schema.availability.description == "until 2.42")
        #expect(Dhis2OAuth2Client.schema.availability.description == "2.42+")
        #expect(DataElement.schema.availability == .all)
    }

    @Test("collection paths, names and reference targets come from /api/schemas")
    func facts() throws {
        let schema = DataElement.schema
        #expect(schema.klass == "org.hisp.dhis.dataelement.DataElement")
        #expect(schema.plural == "dataElements")
        #expect(schema.singular == "dataElement")
        #expect(schema.apiEndpoint == "/api/dataElements")
        let categoryCombo = try #require(schema.property("categoryCombo"))
        #expect(categoryCombo.kind == .reference)
        #expect(categoryCombo.referencePlural == "categoryCombos")
        #expect(categoryCombo.isRequired && categoryCombo.isOwner)
        let groups = try #require(schema.property("dataElementGroups"))
        #expect(groups.isCollection && groups.itemKind == .reference && !groups.isOwner)
        #expect(try #require(schema.property("id")).isUnique)
        #expect(MetadataModels.type(plural: "organisationUnits") == OrganisationUnit.self)
        #expect(MetadataModels.type(klass: "org.hisp.dhis.option.OptionSet") == DHIS2OptionSet.self)
    }
}

@Suite("Schema facts: embedded objects")
struct EmbeddedFactTests {
    @Test("collections DHIS2 embeds in their owner are marked embedded; plain reference collections are not")
    func embeddedCollections() {
        #expect(Dashboard.schema.property("dashboardItems")?.isEmbedded == true)
        #expect(LegendSet.schema.property("legends")?.isEmbedded == true)
        #expect(Map.schema.property("mapViews")?.isEmbedded == true)
        #expect(ProgramStage.schema.property("programStageDataElements")?.isEmbedded == true)
        #expect(Program.schema.property("programTrackedEntityAttributes")?.isEmbedded == true)
        #expect(TrackedEntityType.schema.property("trackedEntityTypeAttributes")?.isEmbedded == true)
        #expect(Program.schema.property("programStages")?.isEmbedded == false)
        #expect(DataSet.schema.property("organisationUnits")?.isEmbedded == false)
    }
}
