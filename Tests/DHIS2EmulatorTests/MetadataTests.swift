import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("Metadata lists: pager, fields, filters, order")
struct MetadataListTests {
    @Test("a list has the pager first and id,displayName by default, ordered by name")
    func defaultList() async throws {
        try await withEmulator { emulator in
            let body = try await emulator.getJSON("/api/dataElements")
            #expect(body["pager"] == ["page": 1, "total": .number(Double(DemoData.dataElements.count)), "pageSize": 50, "pageCount": 1])
            let rows = try #require(body["dataElements"]?.arrayValue)
            #expect(rows.count == DemoData.dataElements.count)
            #expect(rows.allSatisfy { $0.objectValue?.keys.sorted() == ["displayName", "id"] })
            let names = rows.compactMap { $0["displayName"]?.stringValue }
            #expect(names == names.sorted { $0.lowercased() < $1.lowercased() })
        }
    }

    @Test("pager links follow DHIS2's rules: page omitted for page 1, pageSize only when not 50, other parameters kept")
    func pagerLinks() async throws {
        try await withEmulator { emulator in
            let units = try await emulator.getJSON("/api/organisationUnits?paging=false&fields=id")
            let total = try #require(units["organisationUnits"]?.arrayValue?.count)
            let first = try await emulator.getJSON("/api/organisationUnits?pageSize=10&fields=id,name")
            let pager = try #require(first["pager"])
            #expect(pager["page"] == 1)
            #expect(pager["total"] == .number(Double(total)))
            #expect(pager["pageCount"] == .number(Double((total + 9) / 10)))
            #expect(pager["prevPage"] == nil)
            #expect(pager["nextPage"] == .string("\(emulator.baseURL)/api/organisationUnits?page=2&pageSize=10&fields=id%2Cname"))
            #expect(first["organisationUnits"]?.arrayValue?.count == 10)

            let second = try await emulator.getJSON("/api/organisationUnits?page=2&pageSize=10&fields=id,name")
            #expect(second["pager"]?["prevPage"] == .string("\(emulator.baseURL)/api/organisationUnits?pageSize=10&fields=id%2Cname"))
            #expect(second["pager"]?["nextPage"] == .string("\(emulator.baseURL)/api/organisationUnits?page=3&pageSize=10&fields=id%2Cname"))
            let firstIDs = Set((first["organisationUnits"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            let secondIDs = Set((second["organisationUnits"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue })
            #expect(firstIDs.isDisjoint(with: secondIDs))

            let last = try await emulator.getJSON("/api/organisationUnits?page=\((total + 9) / 10)&pageSize=10")
            #expect(last["pager"]?["nextPage"] == nil)
            let defaultSize = try await emulator.getJSON("/api/organisationUnits?page=2")
            #expect(defaultSize["pager"]?["prevPage"] == .string("\(emulator.baseURL)/api/organisationUnits"))
        }
    }

    @Test("paging=false drops the pager and returns every row")
    func pagingFalse() async throws {
        try await withEmulator { emulator in
            let body = try await emulator.getJSON("/api/organisationUnits?paging=false")
            #expect(body["pager"] == nil)
            #expect((body["organisationUnits"]?.arrayValue?.count ?? 0) > 50)
        }
    }

    @Test("fields: plain lists, references as {id}, nested blocks, * and unknown names dropped")
    func fields() async throws {
        try await withEmulator { emulator in
            let id = DemoData.ancFirstVisitID.rawValue
            let plain = try await emulator.getJSON("/api/dataElements?filter=id:eq:\(id)&fields=id,name,code,categoryCombo,noSuchField")
            #expect(plain["dataElements"] == [[
                "id": .string(id), "name": "ANC 1st visit", "code": "DE_ANC1",
                "categoryCombo": ["id": .string(DemoData.defaultCategoryComboID.rawValue)],
            ]])
            let nested = try await emulator.getJSON("/api/dataElements?filter=id:eq:\(id)&fields=id,categoryCombo[id,name,categories[id,name]]")
            #expect(nested["dataElements"]?[0]?["categoryCombo"] == [
                "id": .string(DemoData.defaultCategoryComboID.rawValue), "name": "default",
                "categories": [["id": .string(DemoData.defaultCategoryID.rawValue), "name": "default"]],
            ])
            let all = try await emulator.getJSON("/api/dataElements?filter=id:eq:\(id)&fields=*")
            let element = try #require(all["dataElements"]?[0])
            #expect(element["valueType"] == "INTEGER_ZERO_OR_POSITIVE")
            #expect(element["href"] == .string("\(emulator.baseURL)/api/dataElements/\(id)"))
            #expect(element["displayName"] == "ANC 1st visit")
            let renamed = try await emulator.getJSON("/api/dataElements?filter=id:eq:\(id)&fields=id~rename(uid),name")
            #expect(renamed["dataElements"] == [["uid": .string(id), "name": "ANC 1st visit"]])
        }
    }

    @Test("filters: eq and like are AND-ed; path through a reference works")
    func filters() async throws {
        try await withEmulator { emulator in
            let like = try await emulator.getJSON("/api/dataElements?filter=name:like:ANC&paging=false")
            #expect(like["dataElements"]?.arrayValue?.count == 3)
            let both = try await emulator.getJSON("/api/dataElements?filter=name:like:ANC&filter=code:eq:DE_ANC2&fields=code")
            #expect(both["dataElements"] == [["code": "DE_ANC2"]])
            // `like` is case-sensitive, `ilike` is not.
            let none = try await emulator.getJSON("/api/dataElements?filter=name:like:anc%201st")
            #expect(none["dataElements"] == [])
            let ilike = try await emulator.getJSON("/api/dataElements?filter=name:ilike:anc%201st&fields=id")
            #expect(ilike["dataElements"] == [["id": .string(DemoData.ancFirstVisitID.rawValue)]])
            let byCombo = try await emulator.getJSON(
                "/api/dataElements?filter=categoryCombo.id:eq:\(DemoData.defaultCategoryComboID.rawValue)&paging=false")
            #expect(byCombo["dataElements"]?.arrayValue?.count == DemoData.dataElements.count)
            let level2 = try await emulator.getJSON("/api/organisationUnits?filter=level:eq:2&fields=name&order=name:asc")
            #expect(level2["organisationUnits"]?.arrayValue?.compactMap { $0["name"]?.stringValue } == DemoData.regionNames.sorted())
            let within = try await emulator.getJSON("/api/dataElements?filter=valueType:in:[PERCENTAGE,BOOLEAN]&fields=id")
            #expect(within["dataElements"]?.arrayValue?.count == 2)
        }
    }

    @Test("an unknown operator and an unknown path are 400s with DHIS2's messages")
    func filterErrors() async throws {
        try await withEmulator { emulator in
            let badOperator = try await emulator.send(.GET, "/api/dataElements?filter=name:xyz:foo")
            #expect(badOperator.status == 400)
            #expect(badOperator.json["message"] == "`xyz` is not a valid operator.")
            let badPath = try await emulator.send(.GET, "/api/dataElements?filter=noSuchProperty:eq:1")
            #expect(badPath.status == 400)
            #expect(badPath.json["message"] == "Unknown path property: noSuchProperty")
            #expect(badPath.json["errorCode"] == "E1003")
        }
    }

    @Test("!empty exists from 2.42, not in 2.41")
    func notEmptyOperator() async throws {
        try await withEmulator(.init(version: "2.41.10")) { emulator in
            let reply = try await emulator.send(.GET, "/api/organisationUnits?filter=children:!empty")
            #expect(reply.status == 400)
        }
        try await withEmulator(.init(version: "2.42.6")) { emulator in
            let withChildren = try await emulator.getJSON("/api/organisationUnits?filter=children:!empty&paging=false")
            // The country, 4 regions and 16 districts have children; facilities do not.
            #expect(withChildren["organisationUnits"]?.arrayValue?.count == 21)
        }
    }

    @Test("order=prop:desc reverses; invalid order entries are ignored")
    func order() async throws {
        try await withEmulator { emulator in
            let descending = try await emulator.getJSON("/api/dataElements?order=code:desc&fields=code&paging=false")
            let codes = descending["dataElements"]?.arrayValue?.compactMap { $0["code"]?.stringValue } ?? []
            #expect(codes == DemoData.dataElements.map(\.code).sorted(by: >))
            let ignored = try await emulator.send(.GET, "/api/dataElements?order=nonsense:sideways")
            #expect(ignored.status == 200)
        }
    }
}

@Suite("Metadata CRUD")
struct MetadataCRUDTests {
    @Test("get one defaults to all fields; an unknown UID is a 404 WebMessage with E1005")
    func getOne() async throws {
        try await withEmulator { emulator in
            let id = DemoData.bedOccupancyRateID.rawValue
            let element = try await emulator.getJSON("/api/dataElements/\(id)")
            #expect(element["id"] == .string(id))
            #expect(element["aggregationType"] == "AVERAGE")
            #expect(element["domainType"] == "AGGREGATE")
            #expect(element["created"]?.stringValue?.count == 23)
            let missing = try await emulator.send(.GET, "/api/dataElements/abcdefghijk")
            #expect(missing.status == 404)
            #expect(missing.json == [
                "httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR",
                "message": "DataElement with id abcdefghijk could not be found.", "errorCode": "E1005",
            ])
        }
    }

    @Test("create, read, replace and delete round trip", arguments: versionsUnderTest)
    func roundTrip(version: String) async throws {
        try await withEmulator(.init(version: version)) { emulator in
            let created = try await emulator.send(.POST, "/api/dataElements", json: [
                "name": "Emulator test element", "shortName": "Emu test", "valueType": "NUMBER",
                "aggregationType": "SUM", "domainType": "AGGREGATE",
            ])
            #expect(created.status == 201)
            #expect(created.json["httpStatus"] == "Created")
            #expect(created.json["status"] == "OK")
            let report = try #require(created.json["response"])
            #expect(report["responseType"] == "ObjectReport")
            #expect(report["klass"] == "org.hisp.dhis.dataelement.DataElement")
            #expect(report["errorReports"] == [])
            let uid = try #require(report["uid"]?.stringValue)
            #expect(UID.isValid(uid))
            #expect(created.header("Location") == "\(emulator.baseURL)/api/dataElements/\(uid)")

            let read = try await emulator.getJSON("/api/dataElements/\(uid)")
            #expect(read["name"] == "Emulator test element")
            // DHIS2 puts a data element without a category combination on the default one.
            #expect(read["categoryCombo"] == ["id": .string(DemoData.defaultCategoryComboID.rawValue)])
            let created1 = try #require(read["created"]?.stringValue)

            let replaced = try await emulator.send(.PUT, "/api/dataElements/\(uid)", json: [
                "name": "Emulator test element (renamed)", "shortName": "Emu test", "valueType": "INTEGER",
                "aggregationType": "SUM", "domainType": "AGGREGATE",
            ])
            #expect(replaced.status == 200)
            #expect(replaced.json["httpStatus"] == "OK")
            let reread = try await emulator.getJSON("/api/dataElements/\(uid)?fields=name,valueType,created")
            #expect(reread == ["name": "Emulator test element (renamed)", "valueType": "INTEGER", "created": .string(created1)])

            let deleted = try await emulator.send(.DELETE, "/api/dataElements/\(uid)")
            #expect(deleted.status == 200)
            #expect(deleted.json["response"]?["uid"] == .string(uid))
            let gone = try await emulator.send(.GET, "/api/dataElements/\(uid)")
            #expect(gone.status == 404)
            let deleteAgain = try await emulator.send(.DELETE, "/api/dataElements/\(uid)")
            #expect(deleteAgain.status == 404)
            let putMissing = try await emulator.send(.PUT, "/api/dataElements/\(uid)", json: ["name": "x"])
            #expect(putMissing.status == 404)
        }
    }

    @Test("2.42.0–2.42.4 name the object report ObjectReportWebMessageResponse")
    func responseTypeOfEarly242() async throws {
        try await withEmulator(.init(version: "2.42.4")) { emulator in
            let created = try await emulator.send(.POST, "/api/categoryCombos", json: [
                "name": "Response type probe", "dataDimensionType": "DISAGGREGATION",
            ])
            #expect(created.status == 201)
            #expect(created.json["response"]?["responseType"] == "ObjectReportWebMessageResponse")
        }
    }

    @Test("a client-chosen UID is kept")
    func clientUID() async throws {
        try await withEmulator { emulator in
            let created = try await emulator.send(.POST, "/api/categoryCombos", json: [
                "id": "AbCdEfGhIj1", "name": "Age", "dataDimensionType": "DISAGGREGATION",
            ])
            #expect(created.json["response"]?["uid"] == "AbCdEfGhIj1")
            let read = try await emulator.getJSON("/api/categoryCombos/AbCdEfGhIj1?fields=name,isDefault")
            #expect(read == ["name": "Age", "isDefault": false])
        }
    }

    @Test("missing required properties are a 409 with E4000 reports")
    func missingRequired() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.POST, "/api/dataElements", json: ["name": "Only a name"])
            #expect(reply.status == 409)
            #expect(reply.json["status"] == "ERROR")
            #expect(reply.json["message"] == "One or more errors occurred, please see full details in import report.")
            let reports = reply.json["response"]?["errorReports"]?.arrayValue ?? []
            let missing = Set(reports.filter { $0["errorCode"] == "E4000" }.compactMap { $0["errorProperty"]?.stringValue })
            #expect(missing == ["shortName", "valueType", "aggregationType", "domainType"])
            #expect(reports.contains { $0["message"] == "Missing required property `shortName`" })
            let list = try await emulator.getJSON("/api/dataElements?filter=name:eq:Only a name")
            #expect(list["dataElements"] == [])
        }
    }

    @Test("a duplicate unique property is a 409 with E5003 naming the existing object")
    func duplicateUnique() async throws {
        try await withEmulator { emulator in
            let reply = try await emulator.send(.POST, "/api/dataElements", json: [
                "name": "ANC 1st visit", "shortName": "Another", "valueType": "NUMBER", "aggregationType": "SUM",
                "domainType": "AGGREGATE",
            ])
            #expect(reply.status == 409)
            let report = try #require(reply.json["response"]?["errorReports"]?[0])
            #expect(report["errorCode"] == "E5003")
            #expect(report["errorProperty"] == "name")
            #expect(report["mainId"] == .string(DemoData.ancFirstVisitID.rawValue))
            let message = try #require(report["message"]?.stringValue)
            #expect(message.hasPrefix("Property `name` with value `ANC 1st visit` on object ANC 1st visit ["))
            #expect(message.hasSuffix("already exists on object \(DemoData.ancFirstVisitID.rawValue)"))
        }
    }

    @Test("an invalid UID and an invalid enum value are refused")
    func invalidInput() async throws {
        try await withEmulator { emulator in
            let badID = try await emulator.send(.POST, "/api/categoryCombos", json: [
                "id": "not-a-uid", "name": "Bad", "dataDimensionType": "DISAGGREGATION",
            ])
            #expect(badID.status == 409)
            #expect(badID.json["response"]?["errorReports"]?[0]?["errorCode"] == "E4014")
            let badEnum = try await emulator.send(.POST, "/api/categoryCombos", json: [
                "name": "Bad", "dataDimensionType": "SIDEWAYS",
            ])
            #expect(badEnum.status == 400)
        }
    }

    @Test("organisation units derive level, path and the parent's children")
    func organisationUnitHierarchy() async throws {
        try await withEmulator { emulator in
            let country = DemoData.countryID.rawValue
            let created = try await emulator.send(.POST, "/api/organisationUnits", json: [
                "name": "New Region", "shortName": "New Region", "openingDate": "2020-01-01",
                "parent": ["id": .string(country)],
            ])
            #expect(created.status == 201)
            let uid = try #require(created.json["response"]?["uid"]?.stringValue)
            let unit = try await emulator.getJSON("/api/organisationUnits/\(uid)?fields=level,path,openingDate,parent")
            #expect(unit == [
                "level": 2, "path": .string("/\(country)/\(uid)"), "openingDate": "2020-01-01T00:00:00.000",
                "parent": ["id": .string(country)],
            ])
            let parent = try await emulator.getJSON("/api/organisationUnits/\(country)?fields=children")
            #expect(parent["children"]?.arrayValue?.contains(["id": .string(uid)]) == true)
            #expect(parent["children"]?.arrayValue?.count == 5)
        }
    }

    @Test("deleting a referenced object is vetoed with 409 WARNING and E4030, exactly as DHIS2 reports it")
    func deleteVeto() async throws {
        try await withEmulator { emulator in
            let combo = try await emulator.send(.DELETE, "/api/categoryCombos/\(DemoData.defaultCategoryComboID.rawValue)")
            #expect(combo.status == 409)
            #expect(combo.json == [
                "httpStatus": "Conflict", "httpStatusCode": 409, "status": "WARNING",
                "message": "One or more errors occurred, please see full details in import report.",
                "response": [
                    "responseType": "ObjectReport", "uid": .string(DemoData.defaultCategoryComboID.rawValue),
                    "klass": "org.hisp.dhis.category.CategoryCombo",
                    "errorReports": [[
                        "message": "Object could not be deleted because it is associated with another object: DataElement",
                        "mainKlass": "org.hisp.dhis.category.CategoryCombo", "errorCode": "E4030",
                        "errorProperties": [], "args": [],
                    ]],
                ],
            ])
            let country = try await emulator.send(.DELETE, "/api/organisationUnits/\(DemoData.countryID.rawValue)")
            #expect(country.status == 409)
            #expect(country.json["response"]?["errorReports"]?[0]?["message"]
                == "Object could not be deleted because it is associated with another object: OrganisationUnit")
            let stillThere = try await emulator.send(.GET, "/api/organisationUnits/\(DemoData.countryID.rawValue)")
            #expect(stillThere.status == 200)
        }
    }
}
