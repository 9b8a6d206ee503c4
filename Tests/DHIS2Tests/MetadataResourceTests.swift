import DHIS2
import DHIS2Emulator
import Testing

@Suite("The typed metadata API against the emulator")
struct MetadataResourceTests {
    static func dataElement(_ code: String, _ name: String, description: String? = nil, levels: [Int]? = nil)
        -> DataElement
    {
        var element = DataElement()
        element.id = UID.generate().rawValue
        element.name = name
        element.shortName = name
        element.code = code
        element.valueType = "INTEGER"
        element.domainType = "AGGREGATE"
        element.aggregationType = "SUM"
        element.description_ = description
        element.aggregationLevels = levels
        return element
    }

    @Test("Create, read, replace, patch and delete round-trip through the typed API", arguments: emulatedVersions)
    func crudRoundTrip(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let elements = client.metadata.dataElements
                var element = Self.dataElement("TYPED_CRUD", "Typed visits")
                let id = try #require(element.id.flatMap(UID.init(rawValue:)))

                let created = try await elements.create(element)
                #expect(created.httpStatusCode == 201)
                #expect(created.createdUID == id)

                let read = try await elements.get(id)
                #expect(read.name == "Typed visits")
                #expect(read.valueType == "INTEGER")

                element.name = "Typed visits (revised)"
                let updated = try await elements.update(element)
                #expect(updated.outcome?.didSucceed == true)
                #expect(try await elements.get(id, fields: [Field("name")]).name == "Typed visits (revised)")

                let patched = try await elements.patch(
                    id, [.replace("/name", "Typed visits (patched)"), .add("/description", "Added by patch")])
                #expect(patched.status == .ok)
                let afterPatch = try await elements.get(id, fields: [.identifiable, Field("description")])
                #expect(afterPatch.name == "Typed visits (patched)")
                #expect(afterPatch.description_ == "Added by patch")
                _ = try await elements.patch(id, [.remove("/description")])
                #expect(try await elements.get(id, fields: [Field("description")]).description_ == nil)

                let deleted = try await elements.delete(id)
                #expect(deleted.status == .ok)
                let missing = await expectDHIS2Error { _ = try await elements.get(id) }
                #expect(missing?.status == 404)
            }
        }
    }

    @Test("remove-by-id and add-to-collection patch a group's members", arguments: emulatedVersions)
    func patchCollection(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let members = [
                    Self.dataElement("GRP_A", "Group member A"), Self.dataElement("GRP_B", "Group member B"),
                    Self.dataElement("GRP_C", "Group member C"),
                ]
                for member in members { #expect(try await client.metadata.dataElements.create(member).status == .ok) }
                let ids = members.compactMap { $0.id.flatMap(UID.init(rawValue:)) }
                var group = DataElementGroup()
                group.name = "Typed group"
                group.shortName = "Typed group"
                group.dataElements = [members[0], members[1]].map { member in
                    var reference = DataElement()
                    reference.id = member.id
                    return reference
                }
                let groups = client.metadata.dataElementGroups
                let groupID = try #require(try await groups.create(group).createdUID)
                let result = try await groups.patch(
                    groupID,
                    [
                        .removeByID("/dataElements", ids[1]),
                        .add(JSONPointer(segments: "dataElements").appending, ["id": .string(ids[2].rawValue)]),
                    ])
                #expect(result.status == .ok)
                let read = try await groups.get(groupID, fields: [Field("dataElements", [Field("id")])])
                #expect(Set(read.dataElements?.compactMap(\.id) ?? []) == [ids[0].rawValue, ids[2].rawValue])
            }
        }
    }

    @Test("Every filter operator selects the objects DHIS2 would", arguments: emulatedVersions)
    func operatorsFilter(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let elements = client.metadata.dataElements
                for element in [
                    Self.dataElement("MT_A", "Alpha visits", description: "First", levels: [1]),
                    Self.dataElement("MT_B", "beta Visits"), Self.dataElement("MT_C", "Gamma cases"),
                ] {
                    #expect(try await elements.create(element).status == .ok)
                }
                func codes(_ filter: Filter) async throws -> [String] {
                    let page = try await elements.list(
                        fields: [Field("code")], filters: [.startsWith("code", "MT_"), filter], order: [.asc("code")])
                    return page.items.compactMap(\.code)
                }
                let cases: [(Filter, [String])] = [
                    (.eq("name", "Alpha visits"), ["MT_A"]), (.ieq("name", "alpha VISITS"), ["MT_A"]),
                    (.notEq("code", "MT_A"), ["MT_B", "MT_C"]), (.gt("code", "MT_A"), ["MT_B", "MT_C"]),
                    (.ge("code", "MT_B"), ["MT_B", "MT_C"]), (.lt("code", "MT_B"), ["MT_A"]),
                    (.le("code", "MT_B"), ["MT_A", "MT_B"]), (.like("name", "visits"), ["MT_A"]),
                    (Filter("name", .notLike, "visits"), ["MT_B", "MT_C"]), (Filter("name", .startsWith, "Alpha"), ["MT_A"]),
                    (Filter("name", .notStartsWith, "Alpha"), ["MT_B", "MT_C"]), (Filter("name", .endsWith, "cases"), ["MT_C"]),
                    (Filter("name", .notEndsWith, "cases"), ["MT_A", "MT_B"]), (.ilike("name", "VISITS"), ["MT_A", "MT_B"]),
                    (Filter("name", .notIlike, "VISITS"), ["MT_C"]),
                    (Filter("name", .startsWithIgnoringCase, "BETA"), ["MT_B"]),
                    (Filter("name", .notStartsWithIgnoringCase, "beta"), ["MT_A", "MT_C"]),
                    (Filter("name", .endsWithIgnoringCase, "CASES"), ["MT_C"]),
                    (Filter("name", .notEndsWithIgnoringCase, "CASES"), ["MT_A", "MT_B"]),
                    (.in("code", ["MT_A", "MT_C"]), ["MT_A", "MT_C"]), (.notIn("code", ["MT_A", "MT_C"]), ["MT_B"]),
                    (.null("description"), ["MT_B", "MT_C"]), (.notNull("description"), ["MT_A"]),
                    (.empty("aggregationLevels"), ["MT_B", "MT_C"]), (.token("name", "Gam cas"), ["MT_C"]),
                    (Filter("name", .notToken, "Gam cas"), ["MT_A", "MT_B"]), ("name:ilike:beta", ["MT_B"]),
                ]
                for (filter, expected) in cases {
                    #expect(try await codes(filter) == expected, "\(filter.rendered)")
                }
                let notEmpty = Filter.notEmpty("aggregationLevels")
                if client.apiVersion >= .v42 {
                    #expect(try await codes(notEmpty) == ["MT_A"])
                } else {
                    let before = emulator.requestCount(method: "GET", path: "/api/dataElements")
                    let refused = await expectDHIS2Error { _ = try await codes(notEmpty) }
                    #expect(refused?.code == .invalidRequest)
                    #expect(refused?.message.contains("!empty") == true)
                    let refusedText = await expectDHIS2Error { _ = try await codes("aggregationLevels:!empty") }
                    #expect(refusedText?.code == .invalidRequest)
                    #expect(emulator.requestCount(method: "GET", path: "/api/dataElements") == before)
                }
                let either = try await elements.list(
                    fields: [Field("code")], filters: [.eq("code", "MT_A"), .eq("code", "MT_C")], rootJunction: .or,
                    order: [.desc("code")])
                #expect(either.items.compactMap(\.code) == ["MT_C", "MT_A"])
            }
        }
    }

    @Test("Presets select DHIS2's property sets", arguments: emulatedVersions)
    func presets(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let elements = client.metadata.dataElements
                let id = DemoData.ancFirstVisitID
                let identifiable = try await elements.get(id, fields: .identifiable)
                #expect(identifiable.id == id.rawValue)
                #expect(identifiable.code == "DE_ANC1")
                #expect(identifiable.shortName == nil)
                #expect(identifiable.valueType == nil)
                let nameable = try await elements.get(id, fields: .nameable)
                #expect(nameable.shortName == "ANC 1st visit")
                #expect(nameable.valueType == nil)
                let simple = try await elements.get(id, fields: .simple)
                #expect(simple.valueType == "INTEGER_ZERO_OR_POSITIVE")
                #expect(simple.categoryCombo == nil)
                let owner = try await elements.get(id, fields: .owner)
                #expect(owner.categoryCombo?.id == DemoData.defaultCategoryComboID.rawValue)
                #expect(owner.displayName == nil)
                let persisted = try await elements.get(id, fields: .persisted)
                #expect(persisted.categoryCombo?.id == DemoData.defaultCategoryComboID.rawValue)
                let all = try await elements.get(id, fields: [.all, .excluding("categoryCombo")])
                #expect(all.displayName == "ANC 1st visit")
                #expect(all.categoryCombo == nil)
                let listed = try await elements.list(fields: .identifiable, filters: [.eq("id", id)])
                #expect(listed.items.first?.code == "DE_ANC1")
            }
        }
    }

    @Test("pages() reads every page once, lazily, and stops when the task is cancelled", arguments: emulatedVersions)
    func paging(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let units = client.metadata.organisationUnits
                let total = try #require(try await units.list(pageSize: 1).pager?.total)
                #expect(total > 3)
                let pageSize = 2
                let expectedPages = (total + pageSize - 1) / pageSize
                let before = emulator.requestCount(method: "GET", path: "/api/organisationUnits")
                let sequence = try units.pages(fields: [Field("id")], order: [.asc("id")], pageSize: pageSize)
                #expect(emulator.requestCount(method: "GET", path: "/api/organisationUnits") == before)
                var seen: [String] = []
                var pageCount = 0
                for try await page in sequence {
                    pageCount += 1
                    #expect(page.pager?.page == pageCount)
                    seen += page.items.compactMap(\.id)
                }
                #expect(pageCount == expectedPages)
                #expect(seen.count == total)
                #expect(Set(seen).count == total)
                #expect(seen == seen.sorted())
                #expect(emulator.requestCount(method: "GET", path: "/api/organisationUnits") == before + expectedPages)

                // Cancel after the second page: no third request is made.
                let start = emulator.requestCount(method: "GET", path: "/api/organisationUnits")
                let task = Task {
                    var read = 0
                    do {
                        for try await _ in try units.pages(fields: [Field("id")], pageSize: 1) {
                            read += 1
                            if read == 2 { withUnsafeCurrentTask { $0?.cancel() } }
                        }
                        return (read, false)
                    } catch {
                        return (read, (error as? DHIS2Error)?.code == .cancelled)
                    }
                }
                let (read, cancelled) = await task.value
                #expect(read == 2)
                #expect(cancelled)
                #expect(emulator.requestCount(method: "GET", path: "/api/organisationUnits") == start + 2)
            }
        }
    }

    @Test("Any generated metadata model is reachable through resource(_:)")
    func anyModel() async throws {
        try await withTestEmulator { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let combos = client.metadata.resource(CategoryCombo.self)
                #expect(combos.path == "/api/categoryCombos")
                let combo = try await combos.get(DemoData.defaultCategoryComboID, fields: [Field("name")])
                #expect(combo.name == "default")
            }
        }
    }
}

@Suite("Identifier lookups split over several requests")
struct MetadataLookupTests {
    @Test("A lookup longer than the URL limit is split into unpaged requests, results in the caller's order",
        arguments: emulatedVersions)
    func splitLookup(version: String) async throws {
        try await withTestEmulator(version: version) { emulator in
            try await DHIS2Client.withConnection(to: emulator.baseURL, auth: adminAuth) { client in
                let units = client.metadata.organisationUnits
                let all = try await units.list(fields: [Field("id")], pageSize: 200).items
                let ids = all.compactMap { $0.id.flatMap(UID.init(rawValue:)) }.reversed().map { $0 }
                try #require(ids.count >= 20)

                let before = emulator.requestCount(method: "GET", path: "/api/organisationUnits")
                let found = try await units.lookup(ids, fields: [Field("name")], maximumURLLength: 300)
                let requests = emulator.requestCount(method: "GET", path: "/api/organisationUnits") - before
                #expect(found.compactMap(\.id) == ids.map(\.rawValue))
                #expect(found.allSatisfy { $0.name != nil })
                #expect(requests > 1)

                let unsplitBefore = emulator.requestCount(method: "GET", path: "/api/organisationUnits")
                let unsplit = try await units.lookup(ids)
                #expect(unsplit.compactMap(\.id) == ids.map(\.rawValue))
                #expect(emulator.requestCount(method: "GET", path: "/api/organisationUnits") == unsplitBefore + 1)
            }
        }
    }
}
