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
        /// Its DHIS2 `domainType`: `AGGREGATE`, or `TRACKER` for the program stage's data elements.
        public let domainType: String

        init(
            id: UID, name: String, shortName: String, code: String, valueType: String, aggregationType: String,
            domainType: String = "AGGREGATE"
        ) {
            self.id = id
            self.name = name
            self.shortName = shortName
            self.code = code
            self.valueType = valueType
            self.aggregationType = aggregationType
            self.domainType = domainType
        }
    }

    /// "ANC 1st visit" (`INTEGER_ZERO_OR_POSITIVE`, `SUM`).
    public static let ancFirstVisitID: UID = "Ld6GncfBAep"
    /// "Malaria cases confirmed" (`INTEGER_ZERO_OR_POSITIVE`, `SUM`).
    public static let malariaCasesConfirmedID: UID = "isAjIhKtJ0R"
    /// "Bed occupancy rate" (`PERCENTAGE`, `AVERAGE`).
    public static let bedOccupancyRateID: UID = "KdNnFRIBXuD"

    /// Every demo data element, all on the default category combination: the aggregate ones of the monthly data
    /// set, then the two tracker ones of the child programme's stages.
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
        .init(id: "UXz7xuGCEhU", name: "Infant weight (g)", shortName: "Infant weight", code: "DE_WEIGHT",
              valueType: "INTEGER_POSITIVE", aggregationType: "AVERAGE", domainType: "TRACKER"),
        .init(id: "X8zyunlgUfM", name: "Infant feeding", shortName: "Infant feeding", code: "DE_FEEDING",
              valueType: "TEXT", aggregationType: "NONE", domainType: "TRACKER"),
    ]

    /// The monthly aggregate data set holding every aggregate demo data element, assigned to every facility.
    public static let monthlyDataSetID: UID = "QX4ZTUbOt3a"
    /// The tracker program ("Child Programme", with registration) and its two stages.
    public static let childProgramID: UID = "IpHINAT79UW"
    /// The "Person" tracked entity type the child programme enrols.
    public static let personTypeID: UID = "nEenWmSyUEp"
    /// The "Sex" category (options Female, Male) and its category combination.
    public static let sexCategoryComboID: UID = "dPmavA0qloX"
    /// The "Sex" option set (codes `FEMALE`, `MALE`).
    public static let sexOptionSetID: UID = "pC3N9N77UmT"

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
    /// The writes for a new store: always the superuser, its role and DHIS2's default category objects (what a
    /// fresh DHIS2 database holds); with `full`, the whole demo data set, its organisation unit hierarchy grown to
    /// at least `organisationUnitCount` units when given.
    static func writes(full: Bool = true, organisationUnitCount: Int? = nil) -> [Store.Write] {
        var builder = DemoDataBuilder()
        builder.defaultCategoryModel()
        builder.superuser(withOrganisationUnits: full)
        guard full else { return builder.writes }
        builder.aggregateModel()
        builder.organisationUnits(count: organisationUnitCount)
        builder.trackerModel()
        builder.assignments()
        return builder.writes
    }

    static let sharing: JSONValue = [
        "owner": .string(DemoData.adminUserID.rawValue), "public": "rw------", "users": [:], "userGroups": [:],
    ]
}

/// Accumulates the demo objects; every random choice comes from seeded generators, so UIDs and names are the same
/// on every start (the hierarchy's generator is the one the standard data set always used, so its UIDs are stable).
private struct DemoDataBuilder {
    var writes: [Store.Write] = []
    /// For objects made after the hierarchy (its own seed, so growing the hierarchy does not move them).
    private var extraRandom = SplitMix64(seed: DemoData.seed ^ 0x5EED_0000_0000_0001)
    private var facilityKinds: [String: [String]] = [:]
    private var facilities: [String] = []
    private var districts: [String] = []

    private let created = JSONValue.string(DemoData.createdAt)
    private let admin: JSONValue = ["id": .string(DemoData.adminUserID.rawValue)]

    private func base(_ id: String, _ name: String) -> [String: JSONValue] {
        [
            "id": .string(id), "name": .string(name), "created": created, "lastUpdated": created,
            "createdBy": admin, "lastUpdatedBy": admin, "translations": [], "sharing": DemoDataGenerator.sharing,
        ]
    }

    private mutating func put(_ type: String, _ object: [String: JSONValue]) {
        guard let id = object["id"]?.stringValue else { return }
        writes.append(.putObject(type: type, id: id, object: .object(object)))
    }

    private static func ref(_ id: String) -> JSONValue { ["id": .string(id)] }
    private static func refs(_ ids: [String]) -> JSONValue { .array(ids.map(ref)) }

    static func uid(_ rng: inout SplitMix64) -> String {
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        let alphanumerics = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
        return String(letters[rng.below(letters.count)])
            + String((0..<10).map { _ in alphanumerics[rng.below(alphanumerics.count)] })
    }

    /// DHIS2's default category model, with the UIDs every DHIS2 database shares.
    mutating func defaultCategoryModel() {
        var option = base(DemoData.defaultCategoryOptionID.rawValue, "default")
        option.merge(["code": "default", "shortName": "default", "organisationUnits": [], "attributeValues": []]) { $1 }
        put("categoryOptions", option)
        var category = base(DemoData.defaultCategoryID.rawValue, "default")
        category.merge([
            "code": "default", "shortName": "default", "dataDimensionType": "DISAGGREGATION", "dataDimension": false,
            "categoryOptions": Self.refs([DemoData.defaultCategoryOptionID.rawValue]), "attributeValues": [],
        ]) { $1 }
        put("categories", category)
        var combo = base(DemoData.defaultCategoryComboID.rawValue, "default")
        combo.merge([
            "code": "default", "dataDimensionType": "DISAGGREGATION", "skipTotal": false,
            "categories": Self.refs([DemoData.defaultCategoryID.rawValue]),
        ]) { $1 }
        put("categoryCombos", combo)
        var optionCombo = base(DemoData.defaultCategoryOptionComboID.rawValue, "default")
        optionCombo.merge([
            "code": "default", "ignoreApproval": false, "attributeValues": [],
            "categoryCombo": Self.ref(DemoData.defaultCategoryComboID.rawValue),
            "categoryOptions": Self.refs([DemoData.defaultCategoryOptionID.rawValue]),
        ]) { $1 }
        put("categoryOptionCombos", optionCombo)
    }

    /// The superuser `admin` (a login and a `users` object) and its role.
    mutating func superuser(withOrganisationUnits: Bool) {
        var role = base(DemoData.superuserRoleID, "Superuser")
        role.merge(["description": "Superuser", "authorities": ["ALL"], "restrictions": []]) { $1 }
        put("userRoles", role)
        let units: JSONValue = withOrganisationUnits ? Self.refs([DemoData.countryID.rawValue]) : []
        let profile: [String: JSONValue] = [
            "firstName": "John", "surname": "Traore", "email": "admin@example.org",
            "created": created, "lastUpdated": created,
            "authorities": ["ALL"],
            "organisationUnits": units,
            "dataViewOrganisationUnits": units,
            "teiSearchOrganisationUnits": [],
            "userRoles": Self.refs([DemoData.superuserRoleID]),
            "userGroups": [],
        ]
        let salt = PasswordHash.makeSalt()
        writes.append(
            .putUser(
                StoredUser(
                    id: DemoData.adminUserID.rawValue, username: DemoData.adminUsername, salt: salt,
                    passwordHash: PasswordHash.hash(password: DemoData.adminPassword, salt: salt), profile: profile)))
        var user = base(DemoData.adminUserID.rawValue, "John Traore")
        user["name"] = nil
        user.merge([
            "username": .string(DemoData.adminUsername), "firstName": "John", "surname": "Traore",
            "email": "admin@example.org", "disabled": false,
            "organisationUnits": units, "dataViewOrganisationUnits": units, "teiSearchOrganisationUnits": [],
            "userRoles": Self.refs([DemoData.superuserRoleID]), "userGroups": [], "attributeValues": [],
        ]) { $1 }
        put("users", user)
    }

    /// The "Sex" disaggregation, the aggregate data elements, indicator types and indicators.
    mutating func aggregateModel() {
        let female = "apsOixVZlf1", male = "jRbMi0aBjYn", sex = "cX5k9anHEHd"
        for (id, name) in [(female, "Female"), (male, "Male")] {
            var option = base(id, name)
            option.merge([
                "code": .string(name.uppercased()), "shortName": .string(name), "organisationUnits": [],
                "attributeValues": [],
            ]) { $1 }
            put("categoryOptions", option)
        }
        var category = base(sex, "Sex")
        category.merge([
            "code": "SEX", "shortName": "Sex", "dataDimensionType": "DISAGGREGATION", "dataDimension": true,
            "categoryOptions": Self.refs([female, male]), "attributeValues": [],
        ]) { $1 }
        put("categories", category)
        let comboID = DemoData.sexCategoryComboID.rawValue
        var combo = base(comboID, "Sex")
        combo.merge([
            "code": "SEX", "dataDimensionType": "DISAGGREGATION", "skipTotal": false, "categories": Self.refs([sex]),
        ]) { $1 }
        put("categoryCombos", combo)
        for (id, option, name) in [("xlGs1WzQCS4", female, "Female"), ("hZdgQaHpvFm", male, "Male")] {
            var optionCombo = base(id, name)
            optionCombo.merge([
                "ignoreApproval": false, "attributeValues": [], "categoryCombo": Self.ref(comboID),
                "categoryOptions": Self.refs([option]),
            ]) { $1 }
            put("categoryOptionCombos", optionCombo)
        }

        for element in DemoData.dataElements {
            var object = base(element.id.rawValue, element.name)
            object.merge([
                "shortName": .string(element.shortName), "code": .string(element.code),
                "valueType": .string(element.valueType), "aggregationType": .string(element.aggregationType),
                "domainType": .string(element.domainType), "zeroIsSignificant": false,
                "categoryCombo": Self.ref(DemoData.defaultCategoryComboID.rawValue),
                "aggregationLevels": [], "legendSets": [], "attributeValues": [],
            ]) { $1 }
            put("dataElements", object)
        }

        let percent = "hmSnCXmLYwt", number = "bWuNrMHEoZ0"
        for (id, name, factor) in [(percent, "Per cent", 100), (number, "Number (factor 1)", 1)] {
            var type = base(id, name)
            type.merge(["factor": .number(Double(factor)), "number": .bool(factor == 1)]) { $1 }
            put("indicatorTypes", type)
        }
        let anc1 = DemoData.ancFirstVisitID.rawValue
        let malaria = DemoData.malariaCasesConfirmedID.rawValue
        let indicators: [(String, String, String, String, String, String, String)] = [
            ("ReUHfIn0pTQ", "ANC 1-4 dropout rate", "ANC 1-4 dropout", "IN_ANC_DROPOUT",
             "#{\(anc1)}-#{L8dKLzdocJ2}", "#{\(anc1)}", percent),
            ("dwEq7wi6nXV", "Malaria test positivity rate", "Malaria positivity", "IN_MAL_POS",
             "#{\(malaria)}", "#{lgLKOmxgJTe}", percent),
            ("Uvn6LCg7dVU", "Live births per facility delivery", "Live births/delivery", "IN_LIVE_BIRTHS",
             "#{fKtHF4vUCsM}", "#{L7DxtpYlSXp}", number),
        ]
        for (id, name, shortName, code, numerator, denominator, type) in indicators {
            var indicator = base(id, name)
            indicator.merge([
                "shortName": .string(shortName), "code": .string(code), "annualized": false,
                "numerator": .string(numerator), "numeratorDescription": .string(name + " numerator"),
                "denominator": .string(denominator), "denominatorDescription": .string(name + " denominator"),
                "indicatorType": Self.ref(type), "legendSets": [], "attributeValues": [],
            ]) { $1 }
            put("indicators", indicator)
        }

        var yesNo = base("kd4zKFrBnMd", "Yes/No")
        yesNo.merge(["code": "YES_NO", "valueType": "TEXT", "version": 1, "attributeValues": []]) { $1 }
        var sexSet = base(DemoData.sexOptionSetID.rawValue, "Sex")
        sexSet.merge(["code": "SEX", "valueType": "TEXT", "version": 1, "attributeValues": []]) { $1 }
        let optionRows: [(String, String, String, String, Int)] = [
            ("rwpnVKbWXtH", "Yes", "YES", "kd4zKFrBnMd", 1), ("RDs0PTsBnHE", "No", "NO", "kd4zKFrBnMd", 2),
            ("Fhbh4nHNbSo", "Female", "FEMALE", DemoData.sexOptionSetID.rawValue, 1),
            ("AZK4rjJCss5", "Male", "MALE", DemoData.sexOptionSetID.rawValue, 2),
        ]
        var optionsBySet: [String: [String]] = [:]
        for (id, name, code, set, order) in optionRows {
            var option = base(id, name)
            option.merge([
                "code": .string(code), "optionSet": Self.ref(set), "sortOrder": .number(Double(order)),
                "attributeValues": [],
            ]) { $1 }
            option["sharing"] = nil
            option["createdBy"] = nil
            option["lastUpdatedBy"] = nil
            put("options", option)
            optionsBySet[set, default: []].append(id)
        }
        yesNo["options"] = Self.refs(optionsBySet["kd4zKFrBnMd"] ?? [])
        sexSet["options"] = Self.refs(optionsBySet[DemoData.sexOptionSetID.rawValue] ?? [])
        put("optionSets", yesNo)
        put("optionSets", sexSet)
    }

    /// The standard hierarchy (country, four regions, four districts each, five to eight facilities each), grown
    /// to `count` units with more facilities spread over the districts, plus the four levels and the facility groups.
    mutating func organisationUnits(count: Int?) {
        var rng = SplitMix64(seed: DemoData.seed)
        var usedNames = Set<String>()
        let syllables = [
            "ka", "lo", "mba", "ni", "ru", "se", "to", "wa", "ya", "zo", "bo", "di", "fu", "ge", "ha", "ke", "ma",
            "na", "pe", "sa", "ti", "ko", "la", "mo", "nda", "bu", "go", "je", "ri", "ye",
        ]
        func placeName() -> String {
            while true {
                let count = 2 + rng.below(2)
                let name = (0..<count).map { _ in syllables[rng.below(syllables.count)] }.joined().capitalized
                if usedNames.insert(name).inserted { return name }
            }
        }
        var units: [[String: JSONValue]] = []
        func unit(_ id: String, _ name: String, parent: [String: JSONValue]?, level: Int, rng: inout SplitMix64)
            -> [String: JSONValue]
        {
            var object = base(id, name)
            object["shortName"] = .string(String(name.prefix(50)))
            object["openingDate"] = .string("\(1960 + rng.below(45))-01-01T00:00:00.000")
            object["level"] = .number(Double(level))
            let parentPath = parent?["path"]?.stringValue ?? ""
            object["path"] = .string(parentPath + "/" + id)
            if let parentID = parent?["id"] { object["parent"] = ["id": parentID] }
            object["attributeValues"] = []
            return object
        }
        let kinds = ["Health Centre", "Community Health Post", "Maternal and Child Health Post", "Clinic"]
        let country = unit(DemoData.countryID.rawValue, DemoData.countryName, parent: nil, level: 1, rng: &rng)
        units.append(country)
        var districtObjects: [[String: JSONValue]] = []
        for regionName in DemoData.regionNames {
            let region = unit(Self.uid(&rng), regionName, parent: country, level: 2, rng: &rng)
            units.append(region)
            for _ in 0..<4 {
                let district = unit(Self.uid(&rng), placeName() + " District", parent: region, level: 3, rng: &rng)
                units.append(district)
                districtObjects.append(district)
                let facilityCount = 5 + rng.below(4)
                for index in 0..<facilityCount {
                    let kind = index == 0 ? "District Hospital" : kinds[rng.below(4)]
                    let facility = unit(Self.uid(&rng), placeName() + " " + kind, parent: district, level: 4, rng: &rng)
                    units.append(facility)
                    facilityKinds[kind, default: []].append(facility["id"]?.stringValue ?? "")
                }
            }
        }
        // Growth for large-scale tests: numbered facilities, round-robin over the districts, from their own seed.
        var growth = SplitMix64(seed: DemoData.seed ^ 0x0000_0000_6E0_57A7)
        let target = count ?? 0
        var number = 0
        while units.count < target {
            let district = districtObjects[number % districtObjects.count]
            let kind = kinds[number % kinds.count]
            number += 1
            let name = "\(district["name"]?.stringValue.map { String($0.dropLast(" District".count)) } ?? "Site") \(kind) \(number)"
            let facility = unit(Self.uid(&growth), name, parent: district, level: 4, rng: &growth)
            units.append(facility)
            facilityKinds[kind, default: []].append(facility["id"]?.stringValue ?? "")
        }
        for object in units {
            put("organisationUnits", object)
            if object["level"] == 4, let id = object["id"]?.stringValue { facilities.append(id) }
            if object["level"] == 3, let id = object["id"]?.stringValue { districts.append(id) }
        }

        let levels: [(String, String, Int)] = [
            ("H1KlN4QIauv", "National", 1), ("wjP19dkFeIk", "Region", 2), ("tTUf91fCytl", "District", 3),
            ("m9lBJogzE95", "Facility", 4),
        ]
        for (id, name, level) in levels {
            var object = base(id, name)
            object["level"] = .number(Double(level))
            put("organisationUnitLevels", object)
        }
        let groups: [(String, String, String, [String])] = [
            ("tDZVQ1WtwpA", "Hospitals", "HOSPITALS", ["District Hospital"]),
            ("RXL3lPSK8oG", "Health Centres", "HEALTH_CENTRES", ["Health Centre", "Clinic"]),
            ("EYbopBOJWsW", "Community and MCH posts", "POSTS", ["Community Health Post", "Maternal and Child Health Post"]),
        ]
        for (id, name, code, memberKinds) in groups {
            var group = base(id, name)
            group.merge([
                "shortName": .string(name), "code": .string(code), "attributeValues": [],
                "organisationUnits": Self.refs(memberKinds.flatMap { facilityKinds[$0] ?? [] }),
            ]) { $1 }
            put("organisationUnitGroups", group)
        }
    }

    /// The monthly data set over the aggregate data elements, assigned to every facility.
    mutating func assignments() {
        let aggregate = DemoData.dataElements.filter { $0.domainType == "AGGREGATE" }
        var dataSet = base(DemoData.monthlyDataSetID.rawValue, "Monthly facility report")
        dataSet.merge([
            "shortName": "Monthly facility report", "code": "DS_MONTHLY", "periodType": "Monthly",
            "categoryCombo": Self.ref(DemoData.defaultCategoryComboID.rawValue), "mobile": false,
            "expiryDays": 0, "openFuturePeriods": 0, "timelyDays": 15,
            "dataSetElements": .array(
                aggregate.map { element in
                    [
                        "dataSet": Self.ref(DemoData.monthlyDataSetID.rawValue),
                        "dataElement": Self.ref(element.id.rawValue),
                    ]
                }),
            "organisationUnits": Self.refs(facilities), "indicators": Self.refs(["ReUHfIn0pTQ", "dwEq7wi6nXV"]),
            "sections": [], "legendSets": [], "attributeValues": [],
        ]) { $1 }
        put("dataSets", dataSet)
    }

    /// "Person", its attributes and the "Child Programme" with its two stages.
    mutating func trackerModel() {
        var person = base(DemoData.personTypeID.rawValue, "Person")
        let attributes: [(String, String, String, String, String?)] = [
            ("w75KJ2mc4zz", "First name", "First name", "TEXT", nil),
            ("zDhUuAYrxNC", "Last name", "Last name", "TEXT", nil),
            ("cejWyOfXge6", "Sex", "Sex", "TEXT", DemoData.sexOptionSetID.rawValue),
        ]
        for (id, name, shortName, valueType, optionSet) in attributes {
            var attribute = base(id, name)
            attribute.merge([
                "shortName": .string(shortName), "valueType": .string(valueType), "aggregationType": "NONE",
                "unique": false, "confidential": false, "attributeValues": [], "legendSets": [],
            ]) { $1 }
            if let optionSet { attribute["optionSet"] = Self.ref(optionSet) }
            put("trackedEntityAttributes", attribute)
        }
        person.merge([
            "shortName": "Person", "allowAuditLog": false, "featureType": "NONE", "minAttributesRequiredToSearch": 1,
            "maxTeiCountToReturn": 0,
            "trackedEntityTypeAttributes": .array(
                attributes.map { ["trackedEntityAttribute": Self.ref($0.0), "displayInList": true, "mandatory": false] }),
            "attributeValues": [],
        ]) { $1 }
        put("trackedEntityTypes", person)

        let program = DemoData.childProgramID.rawValue
        let stages: [(String, String, Int, Bool, [String])] = [
            ("A03MvHHogjR", "Birth", 0, false, ["UXz7xuGCEhU"]),
            ("ZzYYXq4fJie", "Baby postnatal", 6, true, ["UXz7xuGCEhU", "X8zyunlgUfM"]),
        ]
        for (id, name, days, repeatable, elements) in stages {
            var stage = base(id, name)
            stage.merge([
                "program": Self.ref(program), "minDaysFromStart": .number(Double(days)), "repeatable": .bool(repeatable),
                "referral": false, "sortOrder": .number(Double(days == 0 ? 1 : 2)), "featureType": "NONE",
                "programStageDataElements": .array(
                    elements.enumerated().map { index, element in
                        [
                            "id": .string(Self.uid(&extraRandom)), "dataElement": Self.ref(element),
                            "programStage": Self.ref(id), "compulsory": false, "sortOrder": .number(Double(index + 1)),
                        ]
                    }),
                "programStageSections": [], "attributeValues": [],
            ]) { $1 }
            put("programStages", stage)
        }
        var childProgram = base(program, "Child Programme")
        childProgram.merge([
            "shortName": "Child Programme", "code": "CHILD_PROGRAMME", "programType": "WITH_REGISTRATION",
            "trackedEntityType": Self.ref(DemoData.personTypeID.rawValue),
            "categoryCombo": Self.ref(DemoData.defaultCategoryComboID.rawValue),
            "skipOffline": false, "displayIncidentDate": true, "onlyEnrollOnce": true,
            "programStages": Self.refs(stages.map(\.0)),
            "programTrackedEntityAttributes": .array(
                attributes.enumerated().map { index, attribute in
                    [
                        "id": .string(Self.uid(&extraRandom)), "program": Self.ref(program),
                        "trackedEntityAttribute": Self.ref(attribute.0), "mandatory": .bool(index < 2),
                        "displayInList": true, "sortOrder": .number(Double(index + 1)),
                    ]
                }),
            "organisationUnits": Self.refs(facilities), "attributeValues": [],
        ]) { $1 }
        put("programs", childProgram)

        var clerk = base("Euq3XfEIEbx", "Data entry clerk")
        clerk.merge([
            "description": "Enters aggregate and tracker data",
            "authorities": ["M_dhis-web-aggregate-data-entry", "M_dhis-web-capture", "F_TRACKED_ENTITY_INSTANCE_ADD"],
            "restrictions": [],
        ]) { $1 }
        put("userRoles", clerk)
    }
}
