import DHIS2
import Testing

@Suite("Typed field selections, filters, orderings and JSON Patch render DHIS2's syntax")
struct MetadataQueryTests {
    @Test("Field selections render names, nested blocks, presets, exclusions and transformers")
    func fieldsRender() {
        let fields: Fields = [
            .identifiable, "valueType", Field("categoryCombo", [.identifiable, .excluding("code")]),
            Field("dataSetElements", [Field("dataSet", [.all])]), .excluding("lastUpdatedBy"),
            Field("dataElementGroups").transformed(.size).renamed("groupCount"),
            Field("organisationUnits").transformed(.pluck("name")), Field("attributeValues").transformed(.keyBy()),
            Field("legendSets").transformed(.isEmpty), Field("aggregationLevels").transformed(.isNotEmpty),
        ]
        #expect(
            fields.rendered
                == ":identifiable,valueType,categoryCombo[:identifiable,!code],dataSetElements[dataSet[:all]],"
                + "!lastUpdatedBy,dataElementGroups~size~rename(groupCount),organisationUnits~pluck(name),"
                + "attributeValues~keyBy,legendSets~isEmpty,aggregationLevels~isNotEmpty")
        #expect(Fields.all.rendered == ":all")
        #expect(Fields.owner.rendered == ":owner")
        #expect([Fields.identifiable, .nameable, .simple, .persisted].map(\.rendered)
            == [":identifiable", ":nameable", ":simple", ":persisted"])
        let plain: Fields = "id,name,dataSets[id,name]"
        #expect(plain.rendered == "id,name,dataSets[id,name]")
    }

    @Test("Every filter operator renders as path:operator[:value] on nested paths")
    func filtersRender() {
        let path: PropertyPath = "dataSetElements.dataSet.id"
        #expect(Filter.eq(path, ("BfMAe6Itzgt" as UID)).rendered == "dataSetElements.dataSet.id:eq:BfMAe6Itzgt")
        #expect(Filter.eq(PropertyPath("organisationUnits", "level"), 4).rendered == "organisationUnits.level:eq:4")
        #expect(PropertyPath("dataSetElements").appending("dataSet", "id") == path)
        let rendered = Filter.Operator.known.map { op in Filter("name", op, op.isUnary ? nil : "x").rendered }
        #expect(
            rendered == [
                "name:eq:x", "name:ieq:x", "name:!eq:x", "name:gt:x", "name:ge:x", "name:lt:x", "name:le:x",
                "name:like:x", "name:!like:x", "name:$like:x", "name:!$like:x", "name:like$:x", "name:!like$:x",
                "name:ilike:x", "name:!ilike:x", "name:$ilike:x", "name:!$ilike:x", "name:ilike$:x", "name:!ilike$:x",
                "name:in:x", "name:!in:x", "name:null", "name:!null", "name:empty", "name:!empty", "name:token:x",
                "name:!token:x",
            ])
        #expect(Filter.in("code", ["A", "B"]).rendered == "code:in:[A,B]")
        #expect(Filter.notIn("id", [("BfMAe6Itzgt" as UID)]).rendered == "id:!in:[BfMAe6Itzgt]")
        #expect(Filter.notEmpty("dataElementGroups").rendered == "dataElementGroups:!empty")
        #expect(Filter.ilike("name", "a:b").rendered == "name:ilike:a:b")
        let text: Filter = "name:!empty"
        #expect(text.rendered == "name:!empty")
        #expect(text.op == .notEmpty)
        #expect(Filter.Operator.notEmpty.minimumVersion == .v42)
        #expect(Filter.Operator.ieq.minimumVersion == nil)
    }

    @Test("Orderings render property:direction")
    func ordersRender() {
        #expect([Order.asc("name"), .desc("code"), .iasc("shortName"), .idesc("created")].map(\.rendered)
            == ["name:asc", "code:desc", "shortName:iasc", "created:idesc"])
        let text: Order = "name:desc"
        #expect(text.rendered == "name:desc")
    }

    @Test("JSON Patch operations encode as DHIS2 accepts them, with pointer segments escaped")
    func patchEncodes() {
        #expect(JSONPointer(segments: "a/b", "c~d").rawValue == "/a~1b/c~0d")
        #expect(JSONPointer(segments: "dataElements").appending.rawValue == "/dataElements/-")
        #expect(JSONPatchOperation.replace("/name", "New").json == ["op": "replace", "path": "/name", "value": "New"])
        #expect(JSONPatchOperation.add("/dataElements/-", ["id": "BfMAe6Itzgt"]).json
            == ["op": "add", "path": "/dataElements/-", "value": ["id": "BfMAe6Itzgt"]])
        #expect(JSONPatchOperation.remove("/description").json == ["op": "remove", "path": "/description"])
        #expect(JSONPatchOperation.removeByID("/dataElements", "BfMAe6Itzgt").json
            == ["op": "remove-by-id", "path": "/dataElements", "id": "BfMAe6Itzgt"])
    }
}
