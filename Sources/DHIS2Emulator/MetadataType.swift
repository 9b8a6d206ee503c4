import DHIS2

/// What the emulator knows about one property of a metadata type: the `/api/schemas` facts of the emulated version
/// (from the generated ``MetadataPropertySchema``), plus the few facts the dumps lack (enum values, lengths).
struct PropertyDescription: Sendable {
    enum Kind: Sendable, Equatable {
        case text, identifier, date, integer, boolean
        /// An enum: `javaType` names the Java enum in deserialisation errors.
        case constant(javaType: String, values: [String])
        /// A reference `{"id":…}`; `target` is the plural of the referenced type when the emulator stores it.
        case reference(target: String?)
        /// A collection of references.
        case referenceCollection(target: String?)
        /// A collection of embedded objects or simple values (`translations`, `attributeValues`,
        /// `aggregationLevels`).
        case complexCollection
        /// An embedded object (`sharing`, `geometry`, `style`).
        case complex
        /// A collection computed from other objects: every `type` object whose `via` reference points here.
        case inverse(type: String, via: String)
    }

    let name: String
    var kind: Kind
    var required = false
    var unique = false
    /// Whether a client may write it (non-owner and server-maintained properties are ignored on input).
    var writable = true
    /// Whether it is a persisted property (only those may be ordered by).
    var persisted = true
    var maxLength: Int?
    /// Whether this side owns the property (the `:owner` preset; what a metadata export carries).
    var owner = true
    /// For a collection of embedded objects (DHIS2's `EmbeddedObject`s: a dashboard's `dashboardItems`, a legend
    /// set's `legends`), the type of its items: they are stored inline in the owner and rendered with all their
    /// properties unless a block narrows them.
    var itemType: MetadataType?

    init(
        name: String, kind: Kind, required: Bool = false, unique: Bool = false, writable: Bool = true,
        persisted: Bool = true, maxLength: Int? = nil, owner: Bool? = nil
    ) {
        self.name = name
        self.kind = kind
        self.required = required
        self.unique = unique
        self.writable = writable
        self.persisted = persisted
        self.maxLength = maxLength
        self.owner = owner ?? (writable && persisted)
    }

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

    /// Whether the property holds references (`{"id":…}` or a list of them).
    var isReference: Bool {
        switch kind {
        case .reference, .referenceCollection, .inverse: true
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
    /// The generated `/api/schemas` facts of the type, when the type comes from them.
    var schema: MetadataTypeSchema?
    /// Every property name the emulated version's schema has (stored and computed): nothing else is ever rendered.
    /// `nil` for a hand-described type without facts.
    var schemaNames: Set<String>?
    private let index: [String: Int]

    init(
        singular: String, plural: String, klass: String, properties: [PropertyDescription],
        defaults: [String: JSONValue] = [:], hasFormName: Bool = false, isDimensionItem: Bool = false,
        schema: MetadataTypeSchema? = nil, schemaNames: Set<String>? = nil
    ) {
        self.singular = singular
        self.plural = plural
        self.klass = klass
        self.properties = properties
        self.defaults = defaults
        self.hasFormName = hasFormName
        self.isDimensionItem = isDimensionItem
        self.schema = schema
        self.schemaNames = schemaNames
        var index: [String: Int] = [:]
        for (position, property) in properties.enumerated() where index[property.name] == nil {
            index[property.name] = position
        }
        self.index = index
    }

    /// The Java simple class name, as in messages (`DataElement with id … could not be found.`).
    var javaName: String { String(klass.split(separator: ".").last ?? Substring(klass)) }

    func property(_ name: String) -> PropertyDescription? { index[name].map { properties[$0] } }

    /// Whether the emulated version's schema of this type has `name` (always true for a type without facts).
    func hasSchemaProperty(_ name: String) -> Bool { schemaNames?.contains(name) ?? true }

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
            PropertyDescription(name: "created", kind: .date, writable: false, owner: true),
            PropertyDescription(name: "lastUpdated", kind: .date, writable: false, owner: true),
            PropertyDescription(name: "createdBy", kind: .reference(target: nil), writable: false, owner: true),
            PropertyDescription(name: "lastUpdatedBy", kind: .reference(target: nil), writable: false, owner: true),
            PropertyDescription(name: "sharing", kind: .complex),
            PropertyDescription(name: "translations", kind: .complexCollection),
        ]
    }

    // MARK: The registry

    /// Every type the emulator serves, by plural: each metadata collection of the emulated version's
    /// `/api/schemas` (an `apiEndpoint` of `/api/<plural>`), from the generated facts, with ``Overrides`` applied.
    static func all(for version: EmulatedVersion) -> [String: MetadataType] {
        let apiVersion = version.apiVersion
        let schemas = servedSchemas(for: apiVersion)
        let plurals = Set(schemas.map(\.plural))
        var types: [String: MetadataType] = [:]
        for schema in schemas {
            types[schema.plural] = generic(schema, version: apiVersion, served: plurals)
        }
        resolveInverses(&types, schemas: schemas, version: apiVersion)
        for (plural, override) in Overrides.all(for: version) {
            guard let type = types[plural] else { continue }
            types[plural] = override.applied(to: type)
        }
        if version.hasAuthorizationServer, let facts = types[OAuth2ClientRegistration.plural] {
            // The OAuth2 server reads the hand description (multi-valued fields are comma-separated strings).
            var registration = OAuth2ClientRegistration.type
            registration.schema = facts.schema
            registration.schemaNames = facts.schemaNames
            types[OAuth2ClientRegistration.plural] = registration
        }
        return types
    }

    /// The schemas of the emulated version that have a metadata collection at `/api/<plural>`.
    /// Two have their own storage and controller instead: `apiToken` (``ApiTokenHandlers``) and `users` (the
    /// emulator's user store, with password hashes, behind authentication and `/api/me`). `eventCharts` and
    /// `eventReports` keep an `apiEndpoint` in the 2.41–2.44 schemas, but no controller serves them any more: no
    /// OpenAPI document of those versions has a path for them (event visualizations replaced both).
    static func servedSchemas(for version: APIVersion) -> [MetadataTypeSchema] {
        allSchemas(for: version).filter {
            ($0.isMetadata || servedNonMetadata.contains($0.plural)) && $0.apiEndpoint == "/api/" + $0.plural
                && !notGeneric.contains($0.plural)
        }
    }

    /// Types `/api/schemas` marks `metadata: false` that real DHIS2 still serves as a collection and carries in a
    /// metadata export: `interpretations` (every OpenAPI document of 2.41–2.44 has `/api/interpretations/{uid}`
    /// with get, put, patch and delete; the real export fixtures/play/metadata.json has an `interpretations` key).
    static let servedNonMetadata: Set<String> = ["interpretations"]

    static let notGeneric: Set<String> = ["apiToken", "users", "eventCharts", "eventReports"]

    /// Every generated schema the version has, in klass order.
    static func allSchemas(for version: APIVersion) -> [MetadataTypeSchema] {
        MetadataModels.all.map { $0.schema }.filter { $0.availability.includes(version) }
            .sorted { $0.klass < $1.klass }
    }

    /// The names DHIS2 computes on read (`persisted: false` in `/api/schemas`); never stored.
    static let computedNames: Set<String> = [
        "href", "displayName", "displayShortName", "displayDescription", "displayFormName", "dimensionItem",
        "access", "favorite", "favorites", "optionSetValue", "isDefault", "leaf",
    ]

    private static func generic(_ schema: MetadataTypeSchema, version: APIVersion, served: Set<String>) -> MetadataType {
        let available = schema.properties.filter { $0.availability.includes(version) }
        let properties = available.map { facts -> PropertyDescription in
            var property = property(from: facts, served: served)
            if facts.isEmbedded, let klass = facts.referenceKlass,
                let itemSchema = MetadataModels.all.lazy.map({ $0.schema }).first(where: { $0.klass == klass })
            {
                property.kind = .complexCollection
                property.itemType = generic(itemSchema, version: version, served: served)
            }
            return property
        }
        let names = Set(available.map(\.name))
        return MetadataType(
            singular: schema.singular, plural: schema.plural, klass: schema.klass, properties: properties,
            hasFormName: names.contains("displayFormName"), isDimensionItem: names.contains("dimensionItem"),
            schema: schema, schemaNames: names)
    }

    private static func property(from facts: MetadataPropertySchema, served: Set<String>) -> PropertyDescription {
        let target = facts.referencePlural.flatMap { served.contains($0) ? $0 : nil }
        let kind: PropertyDescription.Kind
        switch facts.kind {
        case .identifier: kind = .identifier
        case .date: kind = .date
        case .integer, .number: kind = .integer
        case .boolean: kind = .boolean
        case .reference: kind = .reference(target: target)
        case .collection where facts.itemKind == .reference: kind = .referenceCollection(target: target)
        case .collection: kind = .complexCollection
        // `attributeValues` is a COMPLEX (`AttributeValues`) in the dumps, but a JSON array on the wire.
        case .complex where facts.name == "attributeValues": kind = .complexCollection
        case .complex, .geolocation: kind = .complex
        // The dumps' enum values are not among the generated facts: a constant without an override is text.
        default: kind = .text
        }
        let isComputed = !facts.isPersisted
        let serverMaintained: Set<String> = ["created", "lastUpdated", "createdBy", "lastUpdatedBy"]
        return PropertyDescription(
            name: facts.name, kind: kind,
            // A Java primitive boolean always has a value, so "required" never fails for it.
            required: facts.isRequired && kind != .boolean,
            unique: facts.isUnique,
            writable: facts.isOwner && facts.isWritable && !isComputed && !serverMaintained.contains(facts.name),
            persisted: facts.isPersisted,
            owner: facts.isOwner && facts.isPersisted)
    }

    /// A persisted collection of references that this side does not own is DHIS2's inverse side of a many-to-many
    /// (or one-to-many) association: read from the objects whose owned property points back here. When exactly
    /// one owned property of the target type points back, the emulator computes the collection from it.
    private static func resolveInverses(
        _ types: inout [String: MetadataType], schemas: [MetadataTypeSchema], version: APIVersion
    ) {
        for (plural, type) in types {
            var changed = false
            let properties = type.properties.map { property -> PropertyDescription in
                guard case .referenceCollection(let target?) = property.kind, !property.owner, property.persisted,
                    let targetType = types[target]
                else { return property }
                let candidates = targetType.properties.filter { candidate in
                    guard candidate.owner, candidate.name != property.name || target != plural else { return false }
                    switch candidate.kind {
                    case .reference(let back), .referenceCollection(let back): return back == plural
                    default: return false
                    }
                }
                guard candidates.count == 1 else { return property }
                var inverse = property
                inverse.kind = .inverse(type: target, via: candidates[0].name)
                inverse.writable = false
                changed = true
                return inverse
            }
            guard changed else { continue }
            types[plural] = type.replacingProperties(properties)
        }
    }

    func replacingProperties(_ properties: [PropertyDescription]) -> MetadataType {
        MetadataType(
            singular: singular, plural: plural, klass: klass, properties: properties, defaults: defaults,
            hasFormName: hasFormName, isDimensionItem: isDimensionItem, schema: schema, schemaNames: schemaNames)
    }
}

extension EmulatedVersion {
    /// The API generation whose schema facts the emulated version follows.
    var apiVersion: APIVersion { APIVersion(minor: minor) ?? .newest }
}

/// What the emulator adds to the generated facts for a type: DHIS2's defaults (the default category combo), enum
/// values and lengths the dumps carry but the facts do not, and server-maintained or computed properties.
struct TypeOverride: Sendable {
    /// Properties replaced wholesale (applied only when the emulated version's schema has them).
    var properties: [PropertyDescription] = []
    var defaults: [String: JSONValue] = [:]

    func applied(to type: MetadataType) -> MetadataType {
        var replaced = type.properties
        for override in properties {
            guard let position = replaced.firstIndex(where: { $0.name == override.name }) else { continue }
            replaced[position] = override
        }
        var result = type.replacingProperties(replaced)
        result.defaults = type.defaults.merging(defaults) { _, new in new }
        return result
    }
}

/// The overrides per type plural [schemas v42 unless noted].
enum Overrides {
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

    static let dataDimensionType = PropertyDescription.Kind.constant(
        javaType: "org.hisp.dhis.common.DataDimensionType", values: ["DISAGGREGATION", "ATTRIBUTE"])

    static func text(_ name: String, required: Bool = false, unique: Bool = false, max: Int) -> PropertyDescription {
        MetadataType.textProperty(name, required: required, unique: unique, max: max)
    }

    /// Lengths every identifiable type shares.
    static let identifiable = [text("code", unique: true, max: 50)]

    static func all(for version: EmulatedVersion) -> [String: TypeOverride] {
        // `TRACKER_ASSOCIATE` left ValueType in 2.43.
        let valueTypes = version.minor >= 43 ? valueTypes41.filter { $0 != "TRACKER_ASSOCIATE" } : valueTypes41
        let defaultCombo: JSONValue = ["id": .string(DemoData.defaultCategoryComboID.rawValue)]
        return [
            "dataElements": TypeOverride(
                properties: identifiable + [
                    text("name", required: true, unique: true, max: 230),
                    text("shortName", required: true, unique: true, max: 50),
                    text("formName", max: 230),
                    text("url", max: 255),
                    text("fieldMask", max: 255),
                    PropertyDescription(
                        name: "valueType",
                        kind: .constant(javaType: "org.hisp.dhis.common.ValueType", values: valueTypes),
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
                    PropertyDescription(
                        name: "dataSetElements", kind: .complexCollection, writable: false, owner: false),
                ],
                defaults: [
                    "zeroIsSignificant": false, "aggregationLevels": [], "legendSets": [], "attributeValues": [],
                    "translations": [], "dataSetElements": [], "categoryCombo": defaultCombo,
                ]),
            "organisationUnits": TypeOverride(
                properties: identifiable + [
                    text("name", required: true, max: 230),
                    text("shortName", required: true, max: 50),
                    text("formName", max: 230),
                    PropertyDescription(name: "openingDate", kind: .date, required: true),
                    text("url", max: 255),
                    text("contactPerson", max: 255),
                    text("address", max: 255),
                    text("email", max: 150),
                    text("phoneNumber", max: 150),
                    // Maintained by the server from `parent`.
                    PropertyDescription(name: "level", kind: .integer, writable: false, owner: true),
                    PropertyDescription(name: "path", kind: .text, unique: true, writable: false, owner: true),
                    PropertyDescription(
                        name: "children", kind: .inverse(type: "organisationUnits", via: "parent"), writable: false,
                        persisted: false),
                ],
                defaults: ["attributeValues": [], "translations": []]),
            "categoryCombos": TypeOverride(
                properties: identifiable + [
                    text("name", required: true, unique: true, max: 230),
                    PropertyDescription(name: "dataDimensionType", kind: dataDimensionType, required: true),
                    PropertyDescription(
                        name: "categoryOptionCombos",
                        kind: .inverse(type: "categoryOptionCombos", via: "categoryCombo"), writable: false,
                        persisted: false),
                ],
                defaults: ["skipTotal": false, "categories": [], "translations": []]),
            "categories": TypeOverride(
                properties: identifiable + [
                    text("name", required: true, unique: true, max: 230),
                    text("shortName", required: true, unique: true, max: 50),
                    PropertyDescription(name: "dataDimensionType", kind: dataDimensionType, required: true),
                    PropertyDescription(
                        name: "categoryCombos", kind: .inverse(type: "categoryCombos", via: "categories"),
                        writable: false, persisted: false),
                ],
                defaults: ["dataDimension": false, "categoryOptions": [], "attributeValues": [], "translations": []]),
            "categoryOptions": TypeOverride(
                properties: identifiable + [
                    text("name", required: true, unique: true, max: 230),
                    text("shortName", required: true, unique: true, max: 50),
                    text("formName", max: 230),
                    PropertyDescription(
                        name: "categories", kind: .inverse(type: "categories", via: "categoryOptions"),
                        writable: false, persisted: false),
                    PropertyDescription(
                        name: "categoryOptionCombos",
                        kind: .inverse(type: "categoryOptionCombos", via: "categoryOptions"), writable: false,
                        persisted: false),
                ],
                defaults: ["organisationUnits": [], "attributeValues": [], "translations": []]),
            "categoryOptionCombos": TypeOverride(
                properties: identifiable + [
                    PropertyDescription(name: "name", kind: .text, maxLength: 230),
                    PropertyDescription(name: "categoryCombo", kind: .reference(target: "categoryCombos"), required: true),
                ],
                defaults: ["ignoreApproval": false, "categoryOptions": [], "attributeValues": [], "translations": []]),
        ]
    }
}
