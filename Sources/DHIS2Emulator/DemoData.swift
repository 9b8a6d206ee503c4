import DHIS2
import Foundation

/// The well-known facts of the emulator's generated demo data set.
///
/// The data set is generated from a fixed seed, so every fresh emulator holds the same objects with the same UIDs:
/// one country, four regions, four districts per region and five to eight facilities per district (levels 1–4),
/// about twenty aggregate data elements on the default category combination, DHIS2's default category objects
/// (with their real well-known UIDs) and the superuser `admin` / `district`.
public enum DemoData {
    /// The superuser's username.
    public static let adminUsername = "admin"
    /// The superuser's password (the play servers' well-known demo password).
    public static let adminPassword = "district"
    /// The superuser's UID (the play admin's).
    public static let adminUserID: UID = "xE7jOejl9FI"
    /// DHIS2's default category combination (`default`).
    public static let defaultCategoryComboID: UID = "bjDvmb4bfuf"
    /// DHIS2's default category (`default`).
    public static let defaultCategoryID: UID = "GLevLNI9wkl"
    /// DHIS2's default category option (`default`).
    public static let defaultCategoryOptionID: UID = "xYerKDKCefk"
    /// DHIS2's default category option combination (`default`).
    public static let defaultCategoryOptionComboID: UID = "HllvX50cXC0"
    /// The root organisation unit (level 1).
    public static let countryID: UID = "u8jzPde0Igx"
    /// The root organisation unit's name.
    public static let countryName = "Lakeland"
    /// The names of the four level-2 organisation units, in generation order.
    public static let regionNames = ["Northern Region", "Southern Region", "Eastern Region", "Western Region"]
    /// When every demo object was created (`created` and `lastUpdated`).
    public static let createdAt = "2024-01-15T08:30:00.000"

    /// One demo data element.
    public struct DataElement: Sendable, Hashable {
        /// The data element's UID.
        public let id: UID
        /// Its `name` (unique).
        public let name: String
        /// Its `shortName` (unique).
        public let shortName: String
        /// Its `code` (unique).
        public let code: String
        /// Its DHIS2 `valueType`, e.g. `INTEGER_ZERO_OR_POSITIVE`.
        public let valueType: String
        /// Its DHIS2 `aggregationType`, e.g. `SUM`.
        public let aggregationType: String
    }

    /// "ANC 1st visit" (`INTEGER_ZERO_OR_POSITIVE`, `SUM`).
    public static let ancFirstVisitID: UID = "Ld6GncfBAep"
    /// "Malaria cases confirmed" (`INTEGER_ZERO_OR_POSITIVE`, `SUM`).
    public static let malariaCasesConfirmedID: UID = "isAjIhKtJ0R"
    /// "Bed occupancy rate" (`PERCENTAGE`, `AVERAGE`).
    public static let bedOccupancyRateID: UID = "KdNnFRIBXuD"

    /// Every demo data element (all aggregate, on the default category combination).
    public static let dataElements: [DataElement] = [
        .init(id: ancFirstVisitID, name: "ANC 1st visit", shortName: "ANC 1st visit", code: "DE_ANC1",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "fJBd0Kh8oOO", name: "ANC 2nd visit", shortName: "ANC 2nd visit", code: "DE_ANC2",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "L8dKLzdocJ2", name: "ANC 4th or more visits", shortName: "ANC 4+ visits", code: "DE_ANC4",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: malariaCasesConfirmedID, name: "Malaria cases confirmed", shortName: "Malaria confirmed",
              code: "DE_MAL_CONF", valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "lgLKOmxgJTe", name: "Malaria tests performed", shortName: "Malaria tests",
              code: "DE_MAL_TEST", valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: bedOccupancyRateID, name: "Bed occupancy rate", shortName: "Bed occupancy", code: "DE_BED_OCC",
              valueType: "PERCENTAGE", aggregationType: "AVERAGE"),
        .init(id: "L7DxtpYlSXp", name: "Deliveries in facility", shortName: "Facility deliveries",
              code: "DE_DELIV", valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "fKtHF4vUCsM", name: "Live births", shortName: "Live births", code: "DE_LIVE_BIRTH",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "ehGAkWvj7FA", name: "Still births", shortName: "Still births", code: "DE_STILL_BIRTH",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "c9QeWJKY40u", name: "BCG doses given", shortName: "BCG doses", code: "DE_BCG",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "vSwMFLZDe1f", name: "Measles doses given", shortName: "Measles doses", code: "DE_MEASLES",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "rESQedUStPK", name: "Penta 3 doses given", shortName: "Penta 3 doses", code: "DE_PENTA3",
              valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
        .init(id: "R0CsTy4Qwb8", name: "ORS packets dispensed", shortName: "ORS packets", code: "DE_ORS",
              valueType: "NUMBER", aggregationType: "SUM"),
        .init(id: "DwkNhFdnXsi", name: "Outpatient visits", shortName: "OPD visits", code: "DE_OPD",
              valueType: "INTEGER", aggregationType: "SUM"),
        .init(id: "Vpzz63FfkCz", name: "Staff on duty", shortName: "Staff on duty", code: "DE_STAFF",
              valueType: "INTEGER_POSITIVE", aggregationType: "AVERAGE"),
        .init(id: "Jr4i0B3JrTA", name: "Average waiting time in minutes", shortName: "Waiting time (min)",
              code: "DE_WAIT", valueType: "NUMBER", aggregationType: "AVERAGE"),
        .init(id: "wR4y9ojfljo", name: "Facility has electricity", shortName: "Has electricity",
              code: "DE_ELECTRICITY", valueType: "BOOLEAN", aggregationType: "COUNT"),
        .init(id: "QoaF1Llqsaj", name: "Cold chain functional", shortName: "Cold chain functional",
              code: "DE_COLD_CHAIN", valueType: "TRUE_ONLY", aggregationType: "COUNT"),
        .init(id: "AIxNKu8iS2G", name: "Last stock count date", shortName: "Last stock count",
              code: "DE_STOCK_DATE", valueType: "DATE", aggregationType: "NONE"),
        .init(id: "NPRVdD53X83", name: "Facility comment", shortName: "Facility comment", code: "DE_COMMENT",
              valueType: "LONG_TEXT", aggregationType: "NONE"),
        .init(id: "RZJzzzzgEOz", name: "Stock-out days of ACT", shortName: "ACT stock-out days",
              code: "DE_ACT_STOCKOUT", valueType: "INTEGER_ZERO_OR_POSITIVE", aggregationType: "SUM"),
    ]

    /// The UID of the superuser role the admin holds.
    static let superuserRoleID = "dmenCkhvMdg"
    static let seed: UInt64 = 0x0D15_2E30_1A7E_2024
}

/// SplitMix64: a tiny seeded generator, so the demo data set is the same on every start.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A value in `0..<bound` without relying on the standard library's (unspecified) sampling algorithm.
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

/// Builds the demo data set's objects (deterministically) for the first start of a store.
enum DemoDataGenerator {
    static func writes() -> [Store.Write] {
        var writes: [Store.Write] = []
        let created = JSONValue.string(DemoData.createdAt)
        let admin: JSONValue = ["id": .string(DemoData.adminUserID.rawValue)]
        func base(_ id: String, _ name: String) -> [String: JSONValue] {
            [
                "id": .string(id), "name": .string(name), "created": created, "lastUpdated": created,
                "createdBy": admin, "lastUpdatedBy": admin, "translations": [], "sharing": sharing,
            ]
        }
        func put(_ type: String, _ object: [String: JSONValue]) {
            guard let id = object["id"]?.stringValue else { return }
            writes.append(.putObject(type: type, id: id, object: .object(object)))
        }

        // DHIS2's default category model, with the UIDs every DHIS2 database shares.
        var option = base(DemoData.defaultCategoryOptionID.rawValue, "default")
        option.merge(["code": "default", "shortName": "default", "organisationUnits": [], "attributeValues": []]) { $1 }
        put("categoryOptions", option)
        var category = base(DemoData.defaultCategoryID.rawValue, "default")
        category.merge([
            "code": "default", "shortName": "default", "dataDimensionType": "DISAGGREGATION", "dataDimension": false,
            "categoryOptions": [["id": .string(DemoData.defaultCategoryOptionID.rawValue)]], "attributeValues": [],
        ]) { $1 }
        put("categories", category)
        var combo = base(DemoData.defaultCategoryComboID.rawValue, "default")
        combo.merge([
            "code": "default", "dataDimensionType": "DISAGGREGATION", "skipTotal": false,
            "categories": [["id": .string(DemoData.defaultCategoryID.rawValue)]],
        ]) { $1 }
        put("categoryCombos", combo)
        var optionCombo = base(DemoData.defaultCategoryOptionComboID.rawValue, "default")
        optionCombo.merge([
            "code": "default", "ignoreApproval": false, "attributeValues": [],
            "categoryCombo": ["id": .string(DemoData.defaultCategoryComboID.rawValue)],
            "categoryOptions": [["id": .string(DemoData.defaultCategoryOptionID.rawValue)]],
        ]) { $1 }
        put("categoryOptionCombos", optionCombo)

        for element in DemoData.dataElements {
            var object = base(element.id.rawValue, element.name)
            object.merge([
                "shortName": .string(element.shortName), "code": .string(element.code),
                "valueType": .string(element.valueType), "aggregationType": .string(element.aggregationType),
                "domainType": "AGGREGATE", "zeroIsSignificant": false,
                "categoryCombo": ["id": .string(DemoData.defaultCategoryComboID.rawValue)],
                "aggregationLevels": [], "legendSets": [], "attributeValues": [], "dataElementGroups": [],
                "dataSetElements": [],
            ]) { $1 }
            put("dataElements", object)
        }

        var rng = SplitMix64(seed: DemoData.seed)
        var usedNames = Set<String>()
        func placeName() -> String {
            let syllables = [
                "ka", "lo", "mba", "ni", "ru", "se", "to", "wa", "ya", "zo", "bo", "di", "fu", "ge", "ha", "ke", "ma",
                "na", "pe", "sa", "ti", "ko", "la", "mo", "nda", "bu", "go", "je", "ri", "ye",
            ]
            while true {
                let count = 2 + rng.below(2)
                let name = (0..<count).map { _ in syllables[rng.below(syllables.count)] }.joined().capitalized
                if usedNames.insert(name).inserted { return name }
            }
        }
        func uid() -> String {
            let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            let alphanumerics = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
            return String(letters[rng.below(letters.count)])
                + String((0..<10).map { _ in alphanumerics[rng.below(alphanumerics.count)] })
        }
        func unit(_ id: String, _ name: String, parent: [String: JSONValue]?, level: Int) -> [String: JSONValue] {
            var object = base(id, name)
            object["shortName"] = .string(String(name.prefix(50)))
            object["openingDate"] = .string("\(1960 + rng.below(45))-01-01T00:00:00.000")
            object["level"] = .number(Double(level))
            let parentPath = parent?["path"]?.stringValue ?? ""
            object["path"] = .string(parentPath + "/" + id)
            if let parentID = parent?["id"] { object["parent"] = ["id": parentID] }
            object["attributeValues"] = []
            for key in ["dataSets", "organisationUnitGroups", "programs", "users"] { object[key] = [] }
            return object
        }

        let country = unit(DemoData.countryID.rawValue, DemoData.countryName, parent: nil, level: 1)
        put("organisationUnits", country)
        for regionName in DemoData.regionNames {
            let region = unit(uid(), regionName, parent: country, level: 2)
            put("organisationUnits", region)
            for _ in 0..<4 {
                let district = unit(uid(), placeName() + " District", parent: region, level: 3)
                put("organisationUnits", district)
                let facilityCount = 5 + rng.below(4)
                for index in 0..<facilityCount {
                    let kind =
                        index == 0
                        ? "District Hospital"
                        : ["Health Centre", "Community Health Post", "Maternal and Child Health Post", "Clinic"][
                            rng.below(4)]
                    put("organisationUnits", unit(uid(), placeName() + " " + kind, parent: district, level: 4))
                }
            }
        }

        let salt = PasswordHash.makeSalt()
        writes.append(
            .putUser(
                StoredUser(
                    id: DemoData.adminUserID.rawValue, username: DemoData.adminUsername, salt: salt,
                    passwordHash: PasswordHash.hash(password: DemoData.adminPassword, salt: salt),
                    profile: [
                        "firstName": "John", "surname": "Traore", "email": "admin@example.org",
                        "created": created, "lastUpdated": created,
                        "authorities": ["ALL"],
                        "organisationUnits": [["id": .string(DemoData.countryID.rawValue)]],
                        "dataViewOrganisationUnits": [["id": .string(DemoData.countryID.rawValue)]],
                        "teiSearchOrganisationUnits": [],
                        "userRoles": [["id": .string(DemoData.superuserRoleID)]],
                        "userGroups": [],
                    ])))
        return writes
    }

    static let sharing: JSONValue = [
        "owner": .string(DemoData.adminUserID.rawValue), "public": "rw------", "users": [:], "userGroups": [:],
    ]
}
