import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

/// Every version the emulator emulates, one per supported DHIS2 minor.
let readVersions = ["2.41.10", "2.42.6", "2.43.2", "2.44.0"]

/// Collections `/api/schemas` lists with an endpoint that have their own controller (`apiToken`, `users`) or none
/// at all in 2.41–2.44 (`eventCharts`, `eventReports`: no OpenAPI document has a path for them).
let notServedGenerically: Set<String> = ["apiToken", "users", "eventCharts", "eventReports"]

/// The `id`s of the rows of a list answer.
private func ids(_ body: JSONValue, _ key: String) -> [String] {
    (body[key]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }
}

/// A GET that must answer 400 with a WebMessage; returns the message.
private func badRequest(_ emulator: Emulator, _ path: String) async throws -> JSONValue {
    let reply = try await emulator.send(.GET, path)
    #expect(reply.status == 400, "GET \(path) answered \(reply.status): \(reply.text)")
    #expect(reply.json["httpStatusCode"] == 400)
    #expect(reply.json["status"] == "ERROR")
    return reply.json
}

@Suite("Metadata reads: every /api/schemas collection, served generically")
struct MetadataReadCollectionTests {
    @Test("every metadata collection of the version's /api/schemas answers a DHIS2 list", arguments: readVersions)
    func everyCollection(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let schemas = try #require(try await emulator.getJSON("/api/schemas")["schemas"]?.arrayValue)
            let collections = schemas.filter { schema in
                guard let plural = schema["plural"]?.stringValue, schema["metadata"] == true else { return false }
                return schema["apiEndpoint"]?.stringValue == "/api/" + plural && !notServedGenerically.contains(plural)
            }
            #expect(collections.count > 60, "\(version): only \(collections.count) collections")
            for schema in collections {
                let plural = try #require(schema["plural"]?.stringValue)
                let reply = try await emulator.send(.GET, "/api/\(plural)?pageSize=2")
                #expect(reply.status == 200, "\(version) /api/\(plural) answered \(reply.status)")
                #expect(reply.json["pager"]?["pageSize"] == 2, "\(version) /api/\(plural) has no pager")
                #expect(reply.json[plural]?.arrayValue != nil, "\(version) /api/\(plural) has no \(plural) array")
            }
        }
    }

    @Test("a collection the version does not have is an HTML 404 (pushAnalysis left in 2.43)", arguments: readVersions)
    func removedCollections(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let minor = Int(version.split(separator: ".")[1]) ?? 0
            let push = try await emulator.send(.GET, "/api/pushAnalysis")
            #expect(push.status == (minor <= 42 ? 200 : 404), "\(version): /api/pushAnalysis answered \(push.status)")
            for gone in ["eventCharts", "eventReports"] {
                #expect(try await emulator.send(.GET, "/api/\(gone)").status == 404, "\(version): /api/\(gone)")
            }
            let unknown = try await emulator.send(.GET, "/api/noSuchThings")
            #expect(unknown.status == 404)
            #expect(unknown.header("Content-Type")?.hasPrefix("text/html") == true)
        }
    }

    @Test("a type without a hand description (indicator types) is stored, read back and filtered")
    func genericTypesRoundTrip() async throws {
        try await withEmulator { emulator in
            let created = try await emulator.send(
                .POST, "/api/indicatorTypes", json: ["name": "Per thousand", "factor": 1000, "number": false])
            #expect(created.status == 201, "\(created.text)")
            let uid = try #require(created.json["response"]?["uid"]?.stringValue)
            let read = try await emulator.getJSON("/api/indicatorTypes/\(uid)?fields=id,name,factor,displayName,href")
            #expect(read["name"] == "Per thousand")
            #expect(read["factor"] == 1000)
            #expect(read["displayName"] == "Per thousand")
            #expect(read["href"] == .string("\(emulator.baseURL)/api/indicatorTypes/\(uid)"))
            let filtered = try await emulator.getJSON("/api/indicatorTypes?filter=factor:eq:1000&fields=id")
            #expect(ids(filtered, "indicatorTypes").contains(uid))
        }
    }
}

@Suite("Metadata reads: the fields grammar (§4)")
struct MetadataReadFieldsTests {
    @Test("defaults: lists id,displayName; one object * with references as {id} and computed names", arguments: readVersions)
    func defaults(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let list = try await emulator.getJSON("/api/dataElements?pageSize=3")
            for row in list["dataElements"]?.arrayValue ?? [] {
                #expect(row.objectValue?.keys.sorted() == ["displayName", "id"])
            }
            let id = DemoData.ancFirstVisitID.rawValue
            let one = try await emulator.getJSON("/api/dataElements/\(id)")
            #expect(one["id"] == .string(id))
            #expect(one["displayName"] == one["name"])
            #expect(one["displayShortName"] == one["shortName"])
            #expect(one["href"] == .string("\(emulator.baseURL)/api/dataElements/\(id)"))
            #expect(one["created"]?.stringValue?.count == 23, "created is yyyy-MM-ddTHH:mm:ss.SSS: \(one["created"] ?? nil)")
            #expect(one["lastUpdated"]?.stringValue != nil)
            #expect(one["categoryCombo"]?.objectValue?.keys.sorted() == ["id"])
            #expect(one["dimensionItem"] == .string(id))
            #expect(one["sharing"]?["public"] != nil, "an embedded object keeps all its properties")
            // `favorite` left DataElement's schema in 2.44: never emitted there.
            let minor = Int(version.split(separator: ".")[1]) ?? 0
            #expect((one["favorite"] != nil) == (minor < 44), "\(version): favorite is \(one["favorite"] ?? nil)")
        }
    }

    @Test("GET /api/<plural>/{uid}/{property} wraps the property, :all inside by default")
    func propertyEndpoint() async throws {
        try await withEmulator { emulator in
            let id = DemoData.ancFirstVisitID.rawValue
            let combo = try await emulator.getJSON("/api/dataElements/\(id)/categoryCombo")
            #expect(combo.objectValue?.keys.sorted() == ["categoryCombo"])
            #expect(combo["categoryCombo"]?["name"] != nil, "the referenced object is expanded with :all")
            let trimmed = try await emulator.getJSON("/api/dataElements/\(id)/categoryCombo?fields=id")
            #expect(trimmed["categoryCombo"]?.objectValue?.keys.sorted() == ["id"])
            let name = try await emulator.getJSON("/api/dataElements/\(id)/name")
            #expect(name == ["name": "ANC 1st visit"])
            let missing = try await emulator.send(.GET, "/api/dataElements/\(id)/noSuchProperty")
            #expect(missing.status == 404)
        }
    }

    @Test("nested blocks in [] and (), at any depth, with presets and exclusions inside blocks")
    func nestedBlocks() async throws {
        try await withEmulator { emulator in
            let id = DemoData.ancFirstVisitID.rawValue
            let square = try await emulator.getJSON("/api/dataElements/\(id)?fields=id,categoryCombo[id,name,categories[id,name]]")
            let combo = try #require(square["categoryCombo"]?.objectValue)
            #expect(combo["name"] != nil)
            #expect(combo["categories"]?.arrayValue?.first?["name"] != nil)
            let round = try await emulator.getJSON("/api/dataElements/\(id)?fields=id,categoryCombo(id,name)")
            #expect(round["categoryCombo"] == square["categoryCombo"].map { value in
                var object = value.objectValue ?? [:]
                object["categories"] = nil
                return .object(object)
            })
            let excluded = try await emulator.getJSON("/api/dataElements/\(id)?fields=categoryCombo[:all,!id,!categories]")
            let inner = try #require(excluded["categoryCombo"]?.objectValue)
            #expect(inner["id"] == nil)
            #expect(inner["categories"] == nil)
            #expect(inner["name"] != nil)
            #expect(inner["href"] != nil)
        }
    }

    @Test("presets: :identifiable, :nameable, :owner, :persisted, :simple and exclusions after *")
    func presets() async throws {
        try await withEmulator { emulator in
            let path = "/api/dataElements/\(DemoData.ancFirstVisitID.rawValue)"
            let identifiable = try await emulator.getJSON("\(path)?fields=:identifiable")
            #expect(Set(identifiable.objectValue.map { Array($0.keys) } ?? []).isSubset(of: [
                "id", "name", "code", "created", "lastUpdated", "lastUpdatedBy",
            ]))
            #expect(identifiable["id"] != nil && identifiable["name"] != nil && identifiable["code"] != nil)
            let nameable = try await emulator.getJSON("\(path)?fields=:nameable")
            #expect(nameable["shortName"] != nil)
            #expect(nameable["lastUpdatedBy"] == nil)
            let owner = try await emulator.getJSON("\(path)?fields=:owner")
            #expect(owner["valueType"] != nil && owner["categoryCombo"] != nil)
            #expect(owner["displayName"] == nil, "computed properties are not owned")
            #expect(owner["href"] == nil)
            let persisted = try await emulator.getJSON("\(path)?fields=:persisted")
            #expect(persisted["name"] != nil && persisted["href"] == nil)
            let simple = try await emulator.getJSON("\(path)?fields=:simple")
            #expect(simple["name"] != nil && simple["valueType"] != nil)
            #expect(simple["categoryCombo"] == nil && simple["sharing"] == nil)
            let allButName = try await emulator.getJSON("\(path)?fields=*,!name,!categoryCombo")
            #expect(allButName["name"] == nil && allButName["categoryCombo"] == nil && allButName["shortName"] != nil)
            let unknown = try await emulator.getJSON("\(path)?fields=id,noSuchProperty")
            #expect(unknown.objectValue?.keys.sorted() == ["id"])
        }
    }

    @Test("transformers rename, size, isEmpty, isNotEmpty, pluck and keyBy, introduced by ~, | or ::")
    func transformers() async throws {
        try await withEmulator { emulator in
            let country = DemoData.countryID.rawValue
            let unit = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=id,children")
            let children = try #require(unit["children"]?.arrayValue)
            #expect(!children.isEmpty)
            let body = try await emulator.getJSON(
                "/api/organisationUnits/\(country)?fields=id~rename(uid),name|size,children::size~rename(count)")
            #expect(body["uid"] == .string(country))
            #expect(body["id"] == nil)
            #expect(body["name"] == .number(Double(DemoData.countryName.count)))
            #expect(body["count"] == .number(Double(children.count)))
            let empty = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=children~isEmpty,parent~isEmpty")
            #expect(empty["children"] == false)
            let notEmpty = try await emulator.getJSON(
                "/api/organisationUnits/\(country)?fields=children~isNotEmpty~rename(hasChildren)")
            #expect(notEmpty["hasChildren"] == true)
            #expect(notEmpty["children"] == nil)

            let plucked = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=children~pluck")
            #expect(plucked["children"]?.arrayValue?.allSatisfy { $0.stringValue != nil } == true)
            #expect(Set(plucked["children"]?.arrayValue ?? []) == Set(children.compactMap { $0["id"] }))
            let names = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=children~pluck(name)")
            let regionNames = (names["children"]?.arrayValue ?? []).compactMap(\.stringValue)
            #expect(Set(regionNames) == Set(DemoData.regionNames))
            let block = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=children~pluck[name]")
            #expect(block["children"] == names["children"])

            let keyed = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=children[id,name]~keyBy")
            let map = try #require(keyed["children"]?.objectValue)
            #expect(Set(map.keys) == Set(children.compactMap { $0["id"]?.stringValue }))
            #expect(map.values.allSatisfy { $0["name"] != nil })
        }
    }

    @Test("a metadata attribute UID as a field name gives the attribute's value")
    func attributeField() async throws {
        try await withEmulator { emulator in
            let attribute = try await emulator.send(.POST, "/api/attributes", json: [
                "name": "Reporting unit code", "valueType": "TEXT", "dataElementAttribute": true,
            ])
            #expect(attribute.status == 201, "\(attribute.text)")
            let attributeID = try #require(attribute.json["response"]?["uid"]?.stringValue)
            let element = try await emulator.send(.POST, "/api/dataElements", json: [
                "name": "Attributed element", "shortName": "Attributed", "valueType": "NUMBER",
                "domainType": "AGGREGATE", "aggregationType": "SUM",
                "attributeValues": [["attribute": ["id": .string(attributeID)], "value": "RU-7"]],
            ])
            #expect(element.status == 201, "\(element.text)")
            let elementID = try #require(element.json["response"]?["uid"]?.stringValue)
            let body = try await emulator.getJSON("/api/dataElements/\(elementID)?fields=id,\(attributeID)")
            #expect(body[attributeID] == "RU-7")
            let filtered = try await emulator.getJSON("/api/dataElements?filter=\(attributeID):eq:RU-7&fields=id")
            #expect(ids(filtered, "dataElements") == [elementID])
            let rewritten = try await emulator.getJSON(
                "/api/dataElements?filter=attributeValues.attribute.id:eq:\(attributeID)&fields=id")
            #expect(ids(rewritten, "dataElements") == [elementID])
            let nested = try await emulator.getJSON(
                "/api/dataElements/\(elementID)?fields=attributeValues[value,attribute[id,name]]")
            #expect(nested["attributeValues"]?[0]?["attribute"]?["name"] == "Reporting unit code")
        }
    }
}

@Suite("Metadata reads: filters (§5)")
struct MetadataReadFilterTests {
    @Test("every operator on simple properties", arguments: readVersions)
    func operators(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            func match(_ filter: String) async throws -> Set<String> {
                let encoded = filter.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed.subtracting(["&", "+"])) ?? filter
                return Set(ids(try await emulator.getJSON("/api/dataElements?paging=false&fields=id&filter=\(encoded)"), "dataElements"))
            }
            let all = try await match("id:!null")
            let anc = DemoData.ancFirstVisitID.rawValue
            #expect(all.count == DemoData.dataElements.count)
            #expect(try await match("name:eq:ANC 1st visit") == [anc])
            #expect(try await match("name:ieq:anc 1ST VISIT") == [anc])
            #expect(try await match("name:!eq:ANC 1st visit") == all.subtracting([anc]))
            #expect(try await match("name:ne:ANC 1st visit") == all.subtracting([anc]))
            #expect(try await match("code:like:ANC").count == 3)
            #expect(try await match("code:!like:ANC").count == all.count - 3)
            #expect(try await match("name:$like:ANC") == (try await match("name:startsWith:anc")))
            #expect(try await match("name:!$like:ANC").count == all.count - 3)
            #expect(try await match("name:like$:visit") == [anc, "fJBd0Kh8oOO"])
            #expect(try await match("name:!like$:visit").count == all.count - 2)
            #expect(try await match("name:ilike:MALARIA").count == 2)
            #expect(try await match("name:!ilike:malaria").count == all.count - 2)
            #expect(try await match("name:$ilike:anc").count == 3)
            #expect(try await match("name:!$ilike:anc").count == all.count - 3)
            #expect(try await match("name:ilike$:VISITS") == ["L8dKLzdocJ2", "DwkNhFdnXsi"])
            #expect(try await match("name:endsWith:VISITS") == ["L8dKLzdocJ2", "DwkNhFdnXsi"])
            #expect(try await match("name:!ilike$:visits").count == all.count - 2)
            #expect(try await match("valueType:in:[PERCENTAGE,BOOLEAN]") == [DemoData.bedOccupancyRateID.rawValue, "wR4y9ojfljo"])
            #expect(try await match("valueType:!in:[PERCENTAGE,BOOLEAN]").count == all.count - 2)
            #expect(try await match("name:token:ANC vis") == [anc, "fJBd0Kh8oOO", "L8dKLzdocJ2"])
            #expect(try await match("name:!token:ANC vis").count == all.count - 3)
            #expect(try await match("formName:null") == all)
            #expect(try await match("formName:!null").isEmpty)
            #expect(try await match("created:gt:2000-01-01") == all)
            #expect(try await match("created:lt:2000-01-01").isEmpty)
            #expect(try await match("created:ge:2000-01-01") == all)
            #expect(try await match("created:le:2999-01-01") == all)
            #expect(try await match("created:gte:2999-01-01").isEmpty)
            #expect(try await match("created:lte:2000-01-01").isEmpty)
            #expect(try await match("zeroIsSignificant:eq:false") == all)
            #expect(try await match("identifiable:token:DE_ANC1") == [anc])
            #expect(try await match("legendSets:empty") == all)
            let minor = Int(version.split(separator: ".")[1]) ?? 0
            if minor >= 42 {
                #expect(try await match("legendSets:!empty").isEmpty)
            } else {
                // `!empty` arrived in 2.42 (§5.2, §13).
                let refused = try await badRequest(emulator, "/api/dataElements?filter=legendSets:!empty")
                #expect(refused["errorCode"] == "E1003")
            }
        }
    }

    @Test("paths through references and collections, collection sizes, junctions and query=")
    func paths() async throws {
        try await withEmulator { emulator in
            let dataSet = try await emulator.getJSON("/api/dataSets?paging=false&fields=id,dataSetElements[dataElement[id]],organisationUnits~size")
            let first = try #require(dataSet["dataSets"]?.arrayValue?.first)
            let dataSetID = try #require(first["id"]?.stringValue)
            let members = Set((first["dataSetElements"]?.arrayValue ?? []).compactMap { $0["dataElement"]?["id"]?.stringValue })
            try #require(!members.isEmpty, "the demo data set has data elements")
            let through = try await emulator.getJSON(
                "/api/dataElements?paging=false&fields=id&filter=dataSetElements.dataSet.id:eq:\(dataSetID)")
            #expect(Set(ids(through, "dataElements")) == members)

            // Collection semantics: `eq` on a collection compares its size.
            let units = try #require(first["organisationUnits"]?.doubleValue)
            let sized = try await emulator.getJSON(
                "/api/dataSets?paging=false&fields=id&filter=organisationUnits:eq:\(Int(units))")
            #expect(ids(sized, "dataSets").contains(dataSetID))
            let bigger = try await emulator.getJSON(
                "/api/dataSets?paging=false&fields=id&filter=organisationUnits:gt:\(Int(units))")
            #expect(!ids(bigger, "dataSets").contains(dataSetID))

            // Through a collection of references to a property of the referenced objects.
            let levels = try await emulator.getJSON("/api/organisationUnits?paging=false&fields=id,level")
            let deepest = (levels["organisationUnits"]?.arrayValue ?? []).compactMap { $0["level"]?.intValue }.max() ?? 0
            let atDeepest = try await emulator.getJSON(
                "/api/dataSets?paging=false&fields=id&filter=organisationUnits.level:eq:\(deepest)")
            #expect(ids(atDeepest, "dataSets").contains(dataSetID))
            let atNone = try await emulator.getJSON(
                "/api/dataSets?paging=false&fields=id&filter=organisationUnits.level:eq:\(deepest + 5)")
            #expect(ids(atNone, "dataSets").isEmpty)
            // Through a single reference.
            let children = try await emulator.getJSON(
                "/api/organisationUnits?paging=false&fields=id&filter=parent.id:eq:\(DemoData.countryID.rawValue)")
            #expect(ids(children, "organisationUnits").count == DemoData.regionNames.count)
            let parentName = try await emulator.getJSON(
                "/api/organisationUnits?paging=false&fields=id&filter=parent.name:eq:\(DemoData.countryName)")
            #expect(ids(parentName, "organisationUnits") == ids(children, "organisationUnits"))

            // rootJunction and query.
            let anc = DemoData.ancFirstVisitID.rawValue
            let malaria = DemoData.malariaCasesConfirmedID.rawValue
            let and = try await emulator.getJSON(
                "/api/dataElements?fields=id&filter=id:eq:\(anc)&filter=id:eq:\(malaria)")
            #expect(ids(and, "dataElements").isEmpty)
            let or = try await emulator.getJSON(
                "/api/dataElements?fields=id&filter=id:eq:\(anc)&filter=id:eq:\(malaria)&rootJunction=OR")
            #expect(Set(ids(or, "dataElements")) == [anc, malaria])
            let commaSeparated = try await emulator.getJSON(
                "/api/dataElements?fields=id&filter=id:eq:\(anc),id:eq:\(malaria)&rootJunction=OR")
            #expect(Set(ids(commaSeparated, "dataElements")) == [anc, malaria])
            let query = try await emulator.getJSON(
                "/api/dataElements?fields=id&filter=id:eq:\(anc)&filter=id:eq:\(malaria)&rootJunction=OR&query=malaria")
            #expect(ids(query, "dataElements") == [malaria], "query= is AND-ed regardless of the junction")
            let byCode = try await emulator.getJSON("/api/dataElements?fields=id&query=DE_ANC1")
            #expect(ids(byCode, "dataElements") == [anc])
        }
    }

    @Test("unknown paths, paths through simple properties and unknown operators are DHIS2's 400s", arguments: readVersions)
    func errors(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let unknown = try await badRequest(emulator, "/api/dataElements?filter=noSuchProperty:eq:1")
            #expect(unknown["message"] == "Unknown path property: noSuchProperty")
            #expect(unknown["errorCode"] == "E1003")
            let throughSimple = try await badRequest(emulator, "/api/dataElements?filter=name.length:eq:3")
            #expect(throughSimple["message"] == "Unknown path property: name.length")
            let nestedUnknown = try await badRequest(emulator, "/api/dataElements?filter=categoryCombo.noSuch:eq:1")
            #expect(nestedUnknown["errorCode"] == "E1003")
            let operatorReply = try await badRequest(emulator, "/api/dataElements?filter=name:xyz:1")
            #expect(operatorReply["message"] == "`xyz` is not a valid operator.")
            _ = try await badRequest(emulator, "/api/dataElements?filter=name:in:[]")
            // `favorite` is in the 2.41–2.43 schemas only: filtering on it is an unknown path on 2.44.
            let minor = Int(version.split(separator: ".")[1]) ?? 0
            let favoriteFilter = try await emulator.send(.GET, "/api/indicators?filter=favorite:eq:false")
            #expect(favoriteFilter.status == (minor >= 44 ? 400 : 200), "\(version): \(favoriteFilter.text)")
        }
    }
}

@Suite("Metadata reads: order and paging (§3.1)")
struct MetadataReadOrderTests {
    @Test("asc, desc, iasc, idesc and several keys; invalid entries ignored; default name then id", arguments: readVersions)
    func order(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            func rows(_ query: String) async throws -> [JSONValue] {
                try await emulator.getJSON("/api/dataElements?paging=false&fields=id,name,code,valueType&\(query)")["dataElements"]?
                    .arrayValue ?? []
            }
            let defaultOrder = try await rows("")
            let names = defaultOrder.compactMap { $0["name"]?.stringValue }
            #expect(names == names.sorted { $0.lowercased() < $1.lowercased() })
            let descending = try await rows("order=name:desc").compactMap { $0["name"]?.stringValue }
            #expect(descending == names.sorted(by: >))
            let codes = try await rows("order=code:asc").compactMap { $0["code"]?.stringValue }
            #expect(codes == codes.sorted())
            let idesc = try await rows("order=name:idesc").compactMap { $0["name"]?.stringValue }
            #expect(idesc == names.sorted { $0.lowercased() > $1.lowercased() })
            let iasc = try await rows("order=name:iasc").compactMap { $0["name"]?.stringValue }
            #expect(iasc == names)
            let twoKeys = try await rows("order=valueType:asc,name:desc")
            let pairs = twoKeys.compactMap { row in row["valueType"]?.stringValue.map { ($0, row["name"]?.stringValue ?? "") } }
            #expect(pairs.map(\.0) == pairs.map(\.0).sorted())
            for index in pairs.indices.dropFirst() where pairs[index].0 == pairs[index - 1].0 {
                #expect(pairs[index - 1].1 >= pairs[index].1, "name descends within one value type")
            }
            let repeated = try await rows("order=valueType:asc&order=name:desc")
            #expect(repeated == twoKeys)
            // Not persisted, not simple, unknown, or a bad direction: ignored.
            #expect(try await rows("order=href:desc") == defaultOrder)
            #expect(try await rows("order=categoryCombo:desc") == defaultOrder)
            #expect(try await rows("order=noSuch:desc") == defaultOrder)
            #expect(try await rows("order=name:sideways") == defaultOrder)
        }
    }

    @Test("pages clamp the pager but follow the requested offset; page below 1 is page 1")
    func paging() async throws {
        try await withEmulator { emulator in
            let all = ids(try await emulator.getJSON("/api/dataElements?paging=false&fields=id"), "dataElements")
            let page2 = try await emulator.getJSON("/api/dataElements?page=2&pageSize=5&fields=id")
            #expect(ids(page2, "dataElements") == Array(all[5..<10]))
            let zero = try await emulator.getJSON("/api/dataElements?page=0&pageSize=5&fields=id")
            #expect(zero["pager"]?["page"] == 1)
            #expect(ids(zero, "dataElements") == Array(all[0..<5]))
            let beyond = try await emulator.getJSON("/api/dataElements?page=99&pageSize=5&fields=id")
            #expect(beyond["pager"]?["page"] == .number(Double((all.count + 4) / 5)))
            #expect(ids(beyond, "dataElements").isEmpty)
        }
    }

    @Test("50,000 organisation units: filtered, ordered and paged lists, inverse children and levels")
    func largeHierarchy() async throws {
        var configuration = EmulatorConfiguration()
        configuration.demoOrganisationUnitCount = 50_000
        try await withEmulator(configuration) { emulator in
            let all = try await emulator.getJSON("/api/organisationUnits?pageSize=1&fields=id")
            let total = try #require(all["pager"]?["total"]?.intValue)
            #expect(total >= 50_000)
            let regions = try await emulator.getJSON(
                "/api/organisationUnits?filter=level:eq:2&fields=id,name,children~size&order=name:desc")
            let regionRows = try #require(regions["organisationUnits"]?.arrayValue)
            #expect(regionRows.compactMap { $0["name"]?.stringValue } == DemoData.regionNames.sorted(by: >))
            #expect(regionRows.allSatisfy { ($0["children"]?.intValue ?? 0) > 0 })
            let deep = try await emulator.getJSON(
                "/api/organisationUnits?filter=parent.level:eq:3&filter=name:ilike:a&page=3&pageSize=20&fields=id,level")
            #expect(deep["organisationUnits"]?.arrayValue?.allSatisfy { $0["level"] == 4 } == true)
            #expect((deep["pager"]?["total"]?.intValue ?? 0) > 60)
        }
    }
}
