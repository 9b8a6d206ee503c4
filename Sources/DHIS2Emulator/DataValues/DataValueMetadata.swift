import DHIS2
import Foundation

/// What data value validation needs from the stored metadata, indexed once per request from a snapshot.
struct DataValueMetadata: Sendable {
    struct DataElement: Sendable {
        let id: String
        let valueType: String
        let categoryCombo: String
        let optionSet: String?
    }

    struct DataSet: Sendable {
        let id: String
        let periodType: String
        let categoryCombo: String
        let dataElements: Set<String>
        let orgUnits: Set<String>
    }

    private(set) var dataElements: [String: DataElement] = [:]
    private(set) var dataElementCodes: [String: String] = [:]
    private(set) var orgUnitPaths: [String: String] = [:]
    private(set) var orgUnitCodes: [String: String] = [:]
    private(set) var optionCombos: [String: String] = [:]  // COC → its category combo
    private(set) var optionComboCodes: [String: String] = [:]
    private(set) var optionCodes: [String: Set<String>] = [:]  // option set → option codes
    private(set) var dataSets: [String: DataSet] = [:]
    private(set) var dataSetCodes: [String: String] = [:]
    private(set) var dataSetsByElement: [String: [String]] = [:]
    /// The COC of DHIS2's `default` category combination, used when a value names none.
    let defaultOptionCombo: String

    init(snapshot: StoreSnapshot) {
        func ref(_ value: JSONValue?) -> String? { value?["id"]?.stringValue }
        let defaultCombo =
            snapshot.objects["categoryCombos"]?.values.first { $0["name"]?.stringValue == "default" }?["id"]?
            .stringValue ?? DemoData.defaultCategoryComboID.rawValue
        var defaultOptionCombo = DemoData.defaultCategoryOptionComboID.rawValue
        for (id, object) in snapshot.objects["categoryOptionCombos"] ?? [:] {
            let combo = ref(object["categoryCombo"]) ?? defaultCombo
            optionCombos[id] = combo
            if let code = object["code"]?.stringValue { optionComboCodes[code] = id }
            if combo == defaultCombo { defaultOptionCombo = id }
        }
        self.defaultOptionCombo = defaultOptionCombo
        for (id, object) in snapshot.objects["dataElements"] ?? [:] {
            dataElements[id] = DataElement(
                id: id, valueType: object["valueType"]?.stringValue ?? "TEXT",
                categoryCombo: ref(object["categoryCombo"]) ?? defaultCombo, optionSet: ref(object["optionSet"]))
            if let code = object["code"]?.stringValue { dataElementCodes[code] = id }
        }
        for (id, object) in snapshot.objects["organisationUnits"] ?? [:] {
            orgUnitPaths[id] = object["path"]?.stringValue ?? "/" + id
            if let code = object["code"]?.stringValue { orgUnitCodes[code] = id }
        }
        for (_, object) in snapshot.objects["options"] ?? [:] {
            guard let set = ref(object["optionSet"]), let code = object["code"]?.stringValue else { continue }
            optionCodes[set, default: []].insert(code)
        }
        for (id, object) in snapshot.objects["dataSets"] ?? [:] {
            let elements = (object["dataSetElements"]?.arrayValue ?? []).compactMap { ref($0["dataElement"]) }
            let units = (object["organisationUnits"]?.arrayValue ?? []).compactMap { ref($0) }
            dataSets[id] = DataSet(
                id: id, periodType: object["periodType"]?.stringValue ?? "Monthly",
                categoryCombo: ref(object["categoryCombo"]) ?? defaultCombo, dataElements: Set(elements),
                orgUnits: Set(units))
            if let code = object["code"]?.stringValue { dataSetCodes[code] = id }
            for element in elements { dataSetsByElement[element, default: []].append(id) }
        }
        for key in dataSetsByElement.keys { dataSetsByElement[key]?.sort() }
    }

    /// The UID of a data element given by `scheme` (UID or CODE).
    func dataElement(_ identifier: String, scheme: IdentifierScheme) -> String? {
        scheme == .code ? dataElementCodes[identifier] : (dataElements[identifier] != nil ? identifier : nil)
    }

    /// The UID of an organisation unit given by `scheme`.
    func orgUnit(_ identifier: String, scheme: IdentifierScheme) -> String? {
        scheme == .code ? orgUnitCodes[identifier] : (orgUnitPaths[identifier] != nil ? identifier : nil)
    }

    /// The UID of a category option combination given by `scheme`.
    func optionCombo(_ identifier: String, scheme: IdentifierScheme) -> String? {
        scheme == .code ? optionComboCodes[identifier] : (optionCombos[identifier] != nil ? identifier : nil)
    }

    /// The UID of a data set given by `scheme`.
    func dataSet(_ identifier: String, scheme: IdentifierScheme) -> String? {
        scheme == .code ? dataSetCodes[identifier] : (dataSets[identifier] != nil ? identifier : nil)
    }

    /// Every org unit whose path passes through `id` (itself included).
    func subtree(of id: String) -> Set<String> {
        guard orgUnitPaths[id] != nil else { return [] }
        let marker = "/" + id
        var result: Set<String> = []
        for (unit, path) in orgUnitPaths where path.hasSuffix(marker) || path.contains(marker + "/") {
            result.insert(unit)
        }
        return result
    }
}

/// An input identifier scheme (`idScheme`, `dataElementIdScheme`, …): the emulator resolves UID and CODE.
enum IdentifierScheme: Sendable, Equatable {
    case uid, code

    init?(parameter: String?) {
        switch parameter?.uppercased() {
        case nil, "", "UID", "ID": self = .uid
        case "CODE": self = .code
        default: return nil
        }
    }
}

/// The organisation units a user may enter data for: those under the user's data capture units.
///
/// The user's metadata object (`/api/users/{id}`, editable through the API) wins over the login profile, as the
/// user object is what DHIS2 reads.
struct UserHierarchy: Sendable {
    let roots: Set<String>
    let username: String
    let isSuperuser: Bool

    init(principal: Principal, snapshot: StoreSnapshot) {
        let units =
            snapshot.objects["users"]?[principal.user.id]?["organisationUnits"]?.arrayValue
            ?? principal.user.profile["organisationUnits"]?.arrayValue ?? []
        roots = Set(units.compactMap { $0["id"]?.stringValue })
        username = principal.user.username
        let authorities = principal.user.profile["authorities"]?.arrayValue?.compactMap(\.stringValue) ?? []
        isSuperuser = authorities.contains("ALL")
    }

    func contains(path: String) -> Bool {
        path.split(separator: "/").contains { roots.contains(String($0)) }
    }
}
