import DHIS2

/// What the emulator knows about one property of a metadata type (taken from `/api/schemas` of 2.42).
struct PropertyDescription: Sendable {
    enum Kind: Sendable, Equatable {
        case text, identifier, date, integer, boolean
        /// An enum: `javaType` names the Java enum in deserialisation errors.
        case constant(javaType: String, values: [String])
        /// A reference `{"id":…}`; `target` is the plural of the referenced type when the emulator stores it.
        case reference(target: String?)
        /// A collection of references.
        case referenceCollection(target: String?)
        /// A collection of embedded objects (`translations`, `attributeValues`).
        case complexCollection
        /// An embedded object (`sharing`, `geometry`, `style`).
        case complex
        /// A collection computed from other objects: every `type` object whose `via` reference points here.
        case inverse(type: String, via: String)
    }

    let name: String
    let kind: Kind
    var required = false
    var unique = false
    /// Whether a client may write it (non-owner and server-maintained properties are ignored on input).
    var writable = true
    /// Whether it is a persisted property (only those may be ordered by).
    var persisted = true
    var maxLength: Int?

    var isSimple: Bool {
        switch kind {
        case .text, .identifier, .date, .integer, .boolean, .constant: true
        default: false
        }
    }

    var isCollection: Bool {
        switch kind {
        case .referenceCollection, .complexCollection, .inverse: true
        default: false
        }
    }

    var referenceTarget: String? {
        switch kind {
        case .reference(let target), .referenceCollection(let target): target
        case .inverse(let type, _): type
        default: nil
        }
    }
}

/// A metadata type served generically on `/api/<plural>`: the facts of its `/api/schemas` entry the emulator needs.
struct MetadataType: Sendable {
    let singular: String
    let plural: String
    let klass: String
    let properties: [PropertyDescription]
    /// Values set on create when the client sends none (DHIS2 fills these in the object's constructor or importer).
    var defaults: [String: JSONValue] = [:]
    /// Whether the type has `formName` (and so a computed `displayFormName`).
    var hasFormName = false
    /// Whether the type is a dimensional item (`dimensionItem` = the UID).
    var isDimensionItem = false

    /// The Java simple class name, as in messages (`DataElement with id … could not be found.`).
    var javaName: String { String(klass.split(separator: ".").last ?? Substring(klass)) }

    func property(_ name: String) -> PropertyDescription? { properties.first { $0.name == name } }

    static func textProperty(_ name: String, required: Bool = false, unique: Bool = false, max: Int? = nil)
        -> PropertyDescription
    {
        PropertyDescription(name: name, kind: .text, required: required, unique: unique, maxLength: max)
    }

    /// The identifiable-object properties every type shares.
    static func identifiable(nameUnique: Bool, nameRequired: Bool = true) -> [PropertyDescription] {
        [
            PropertyDescription(name: "id", kind: .identifier, unique: true),
            PropertyDescription(name: "code", kind: .identifier, unique: true, maxLength: 50),
            textProperty("name", required: nameRequired, unique: nameUnique, max: 230),
            PropertyDescription(name: "created", kind: .date, writable: false),
            PropertyDescription(name: "lastUpdated", kind: .date, writable: false),
            PropertyDescription(name: "createdBy", kind: .reference(target: nil), writable: false),
            PropertyDescription(name: "lastUpdatedBy", kind: .reference(target: nil), writable: false),
            PropertyDescription(name: "sharing", kind: .complex),
            PropertyDescription(name: "translations", kind: .complexCollection),
        ]
    }

    static let valueTypes41 = [
        "TEXT", "LONG_TEXT", "MULTI_TEXT", "LETTER", "PHONE_NUMBER", "EMAIL", "BOOLEAN", "TRUE_ONLY", "DATE",
        "DATETIME", "TIME", "NUMBER", "UNIT_INTERVAL", "PERCENTAGE", "INTEGER", "INTEGER_POSITIVE",
        "INTEGER_NEGATIVE", "INTEGER_ZERO_OR_POSITIVE", "TRACKER_ASSOCIATE", "USERNAME", "COORDINATE",
        "ORGANISATION_UNIT", "REFERENCE", "AGE", "URL", "FILE_RESOURCE", "IMAGE", "GEOJSON",
    ]

    static let aggregationTypes = [
        "SUM", "AVERAGE", "AVERAGE_SUM_ORG_UNIT", "LAST", "LAST_AVERAGE_ORG_UNIT", "LAST_LAST_ORG_UNIT",
        "LAST_IN_PERIOD", "LAST_IN_PERIOD_AVERAGE_ORG_UNIT", "FIRST", "FIRST_AVERAGE_ORG_UNIT",
        "FIRST_FIRST_ORG_UNIT", "COUNT", "STDDEV", "VARIANCE", "MIN", "MAX", "MIN_SUM_ORG_UNIT", "MAX_SUM_ORG_UNIT",
        "NONE", "CUSTOM", "DEFAULT",
    ]

    /// `dataElement` [schemas v42; `TRACKER_ASSOCIATE` left ValueType in 2.43].
    static func dataElement(_ version: EmulatedVersion) -> MetadataType {
        let valueTypes = version.minor >= 43 ? valueTypes41.filter { $0 != "TRACKER_ASSOCIATE" } : valueTypes41
        return MetadataType(
            singular: "dataElement", plural: "dataElements", klass: "org.hisp.dhis.dataelement.DataElement",
            properties: identifiable(nameUnique: true) + [
                textProperty("shortName", required: true, unique: true, max: 50),
                textProperty("formName", max: 230),
                textProperty("description"),
                textProperty("url", max: 255),
                textProperty("fieldMask", max: 255),
                PropertyDescription(
                    name: "valueType", kind: .constant(javaType: "org.hisp.dhis.common.ValueType", values: valueTypes),
                    required: true),
                PropertyDescription(
                    name: "aggregationType",
                    kind: .constant(javaType: "org.hisp.dhis.analytics.AggregationType", values: aggregationTypes),
                    required: true),
                PropertyDescription(
                    name: "domainType",
                    kind: .constant(
                        javaType: "org.hisp.dhis.dataelement.DataElementDomain", values: ["AGGREGATE", "TRACKER"]),
                    required: true),
                PropertyDescription(name: "zeroIsSignificant", kind: .boolean),
                PropertyDescription(name: "categoryCombo", kind: .reference(target: "categoryCombos"), required: true),
                PropertyDescription(name: "optionSet", kind: .reference(target: nil)),
                PropertyDescription(name: "commentOptionSet", kind: .reference(target: nil)),
                PropertyDescription(name: "legendSets", kind: .referenceCollection(target: nil)),
                PropertyDescription(name: "aggregationLevels", kind: .complexCollection),
                PropertyDescription(name: "attributeValues", kind: .complexCollection),
                PropertyDescription(name: "style", kind: .complex),
                PropertyDescription(name: "valueTypeOptions", kind: .complex),
                PropertyDescription(name: "dataElementGroups", kind: .referenceCollection(target: nil), writable: false),
                PropertyDescription(name: "dataSetElements", kind: .complexCollection, writable: false),
            ],
            defaults: [
                "zeroIsSignificant": false, "aggregationLevels": [], "legendSets": [], "attributeValues": [],
                "translations": [], "dataElementGroups": [], "dataSetElements": [],
                "categoryCombo": ["id": .string(DemoData.defaultCategoryComboID.rawValue)],
            ],
            hasFormName: true, isDimensionItem: true)
    }

    /// `organisationUnit` [schemas v42]: `level` and `path` are maintained by the server; `children` is computed.
    static let organisationUnit = MetadataType(
        singular: "organisationUnit", plural: "organisationUnits",
        klass: "org.hisp.dhis.organisationunit.OrganisationUnit",
        properties: identifiable(nameUnique: false) + [
            textProperty("shortName", required: true, max: 50),
            textProperty("formName", max: 230),
            textProperty("description"),
            PropertyDescription(name: "openingDate", kind: .date, required: true),
            PropertyDescription(name: "closedDate", kind: .date),
            textProperty("comment"),
            textProperty("url", max: 255),
            textProperty("contactPerson", max: 255),
            textProperty("address", max: 255),
            textProperty("email", max: 150),
            textProperty("phoneNumber", max: 150),
            PropertyDescription(name: "parent", kind: .reference(target: "organisationUnits")),
            PropertyDescription(name: "level", kind: .integer, writable: false),
            PropertyDescription(name: "path", kind: .text, unique: true, writable: false),
            PropertyDescription(name: "geometry", kind: .complex),
            PropertyDescription(name: "image", kind: .reference(target: nil)),
            PropertyDescription(name: "attributeValues", kind: .complexCollection),
            PropertyDescription(
                name: "children", kind: .inverse(type: "organisationUnits", via: "parent"), writable: false,
                persisted: false),
            PropertyDescription(name: "dataSets", kind: .referenceCollection(target: nil), writable: false),
            PropertyDescription(name: "organisationUnitGroups", kind: .referenceCollection(target: nil), writable: false),
            PropertyDescription(name: "programs", kind: .referenceCollection(target: nil), writable: false),
            PropertyDescription(name: "users", kind: .referenceCollection(target: nil), writable: false),
        ],
        defaults: [
            "attributeValues": [], "translations": [], "dataSets": [], "organisationUnitGroups": [], "programs": [],
            "users": [],
        ],
        hasFormName: true, isDimensionItem: true)

    /// `categoryCombo` [schemas v42]; `categoryOptionCombos` is computed from the option combos that point here.
    static let categoryCombo = MetadataType(
        singular: "categoryCombo", plural: "categoryCombos", klass: "org.hisp.dhis.category.CategoryCombo",
        properties: identifiable(nameUnique: true) + [
            PropertyDescription(
                name: "dataDimensionType",
                kind: .constant(
                    javaType: "org.hisp.dhis.common.DataDimensionType", values: ["DISAGGREGATION", "ATTRIBUTE"]),
                required: true),
            PropertyDescription(name: "skipTotal", kind: .boolean),
            PropertyDescription(name: "categories", kind: .referenceCollection(target: "categories")),
            PropertyDescription(
                name: "categoryOptionCombos", kind: .inverse(type: "categoryOptionCombos", via: "categoryCombo"),
                writable: false, persisted: false),
        ],
        defaults: ["skipTotal": false, "categories": [], "translations": []])

    /// `category` [schemas v42].
    static let category = MetadataType(
        singular: "category", plural: "categories", klass: "org.hisp.dhis.category.Category",
        properties: identifiable(nameUnique: true) + [
            textProperty("shortName", required: true, unique: true, max: 50),
            textProperty("description"),
            PropertyDescription(
                name: "dataDimensionType",
                kind: .constant(
                    javaType: "org.hisp.dhis.common.DataDimensionType", values: ["DISAGGREGATION", "ATTRIBUTE"]),
                required: true),
            PropertyDescription(name: "dataDimension", kind: .boolean),
            PropertyDescription(name: "categoryOptions", kind: .referenceCollection(target: "categoryOptions")),
            PropertyDescription(name: "attributeValues", kind: .complexCollection),
            PropertyDescription(
                name: "categoryCombos", kind: .inverse(type: "categoryCombos", via: "categories"), writable: false,
                persisted: false),
        ],
        defaults: ["dataDimension": false, "categoryOptions": [], "attributeValues": [], "translations": []])

    /// `categoryOption` [schemas v42].
    static let categoryOption = MetadataType(
        singular: "categoryOption", plural: "categoryOptions", klass: "org.hisp.dhis.category.CategoryOption",
        properties: identifiable(nameUnique: true) + [
            textProperty("shortName", required: true, unique: true, max: 50),
            textProperty("formName", max: 230),
            textProperty("description"),
            PropertyDescription(name: "startDate", kind: .date),
            PropertyDescription(name: "endDate", kind: .date),
            PropertyDescription(name: "organisationUnits", kind: .referenceCollection(target: "organisationUnits")),
            PropertyDescription(name: "attributeValues", kind: .complexCollection),
            PropertyDescription(name: "style", kind: .complex),
            PropertyDescription(
                name: "categories", kind: .inverse(type: "categories", via: "categoryOptions"), writable: false,
                persisted: false),
            PropertyDescription(
                name: "categoryOptionCombos", kind: .inverse(type: "categoryOptionCombos", via: "categoryOptions"),
                writable: false, persisted: false),
        ],
        defaults: ["organisationUnits": [], "attributeValues": [], "translations": []],
        hasFormName: true, isDimensionItem: true)

    /// `categoryOptionCombo` [schemas v42].
    static let categoryOptionCombo = MetadataType(
        singular: "categoryOptionCombo", plural: "categoryOptionCombos",
        klass: "org.hisp.dhis.category.CategoryOptionCombo",
        properties: identifiable(nameUnique: false, nameRequired: false) + [
            PropertyDescription(name: "categoryCombo", kind: .reference(target: "categoryCombos"), required: true),
            PropertyDescription(name: "categoryOptions", kind: .referenceCollection(target: "categoryOptions")),
            PropertyDescription(name: "ignoreApproval", kind: .boolean),
            PropertyDescription(name: "attributeValues", kind: .complexCollection),
        ],
        defaults: ["ignoreApproval": false, "categoryOptions": [], "attributeValues": [], "translations": []],
        isDimensionItem: true)

    /// Every type the emulator serves, by plural.
    static func all(for version: EmulatedVersion) -> [String: MetadataType] {
        var types = [dataElement(version), organisationUnit, categoryCombo, category, categoryOption, categoryOptionCombo]
        if version.hasAuthorizationServer { types.append(OAuth2ClientRegistration.type) }
        return Dictionary(uniqueKeysWithValues: types.map { ($0.plural, $0) })
    }
}
