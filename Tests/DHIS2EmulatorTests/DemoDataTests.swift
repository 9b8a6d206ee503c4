import DHIS2
import DHIS2Emulator
import Foundation
import NIOHTTP1
import Testing

@Suite("Demo data: a realistic, deterministic DHIS2 shape with a size knob")
struct DemoDataTests {
    @Test("the demo data set has the category model, data sets, indicators, levels, groups, option sets, a program and user roles")
    func shape() async throws {
        try await withEmulator { emulator in
            for (plural, minimum) in [
                ("categoryCombos", 2), ("categories", 2), ("categoryOptions", 3), ("categoryOptionCombos", 3),
                ("dataSets", 1), ("indicators", 3), ("indicatorTypes", 2), ("organisationUnitLevels", 4),
                ("organisationUnitGroups", 3), ("optionSets", 2), ("options", 4), ("programs", 1),
                ("programStages", 2), ("trackedEntityAttributes", 3), ("trackedEntityTypes", 1), ("userRoles", 2),
            ] {
                let body = try await emulator.getJSON("/api/\(plural)?fields=id&paging=false")
                #expect((body[plural]?.arrayValue?.count ?? 0) >= minimum, "\(plural)")
            }
            let combo = try await emulator.getJSON("/api/categoryCombos/\(DemoData.defaultCategoryComboID.rawValue)?fields=name")
            #expect(combo["name"] == "default")
            let program = try await emulator.getJSON("/api/programs/\(DemoData.childProgramID.rawValue)?fields=programType,programStages,trackedEntityType")
            #expect(program["programType"] == "WITH_REGISTRATION")
            #expect(program["programStages"]?.arrayValue?.count == 2)
            #expect(program["trackedEntityType"] == ["id": .string(DemoData.personTypeID.rawValue)])
            let dataSet = try await emulator.getJSON("/api/dataSets/\(DemoData.monthlyDataSetID.rawValue)?fields=periodType,dataSetElements")
            #expect(dataSet["periodType"] == "Monthly")
            #expect(dataSet["dataSetElements"]?.arrayValue?.count == DemoData.dataElements.filter { $0.domainType == "AGGREGATE" }.count)
        }
    }

    @Test("two fresh emulators hold the same objects with the same UIDs")
    func deterministic() async throws {
        func snapshot() async throws -> JSONValue {
            try await withEmulator { emulator in
                try await emulator.getJSON("/api/organisationUnits?fields=id,name,path&paging=false&order=id:asc")
            }
        }
        let first = try await snapshot()
        let second = try await snapshot()
        #expect(first == second)
        #expect((first["organisationUnits"]?.arrayValue?.count ?? 0) > 80)
    }

    @Test("without demo data the server holds only the superuser and DHIS2's default category objects")
    func empty() async throws {
        var configuration = EmulatorConfiguration()
        configuration.loadsDemoData = false
        try await withEmulator(configuration) { emulator in
            let units = try await emulator.getJSON("/api/organisationUnits")
            #expect(units["organisationUnits"] == [])
            let elements = try await emulator.getJSON("/api/dataElements")
            #expect(elements["dataElements"] == [])
            let combos = try await emulator.getJSON("/api/categoryCombos?fields=id")
            #expect(combos["categoryCombos"] == [["id": .string(DemoData.defaultCategoryComboID.rawValue)]])
            let me = try await emulator.getJSON("/api/me?fields=id")
            #expect(me["id"] == .string(DemoData.adminUserID.rawValue))
        }
    }

    @Test("demoOrganisationUnitCount grows the hierarchy to 50,000 units under the same country")
    func large() async throws {
        var configuration = EmulatorConfiguration()
        configuration.demoOrganisationUnitCount = 50_000
        try await withEmulator(configuration) { emulator in
            let body = try await emulator.getJSON("/api/organisationUnits?fields=id&pageSize=1")
            #expect(body["pager"]?["total"] == 50_000)
            let level4 = try await emulator.getJSON("/api/organisationUnits?fields=id&pageSize=1&filter=level:eq:4")
            #expect((level4["pager"]?["total"]?.intValue ?? 0) > 49_000)
            let root = try await emulator.getJSON("/api/organisationUnits/\(DemoData.countryID.rawValue)?fields=name")
            #expect(root["name"] == .string(DemoData.countryName))
        }
    }
}
