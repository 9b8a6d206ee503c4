// Turns the DHIS2 documents of every version into one superset description of the models (the IR the emitter
// prints).

/// The Swift type of a property, before printing.
indirect enum TypeRef: Hashable, Sendable {
    case string, int, double, bool, json
    case model(String)
    case vocabulary(String)
    case array(TypeRef)
    case map(TypeRef)

    var swift: String {
        switch self {
        case .string: "String"
        case .int: "Int"
        case .double: "Double"
        case .bool: "Bool"
        case .json: "JSONValue"
        case .model(let name), .vocabulary(let name): name
        case .array(let element): "[\(element.swift)]"
        case .map(let value): "[String: \(value.swift)]"
        }
    }

    var isModel: Bool {
        if case .model = self { return true }
        return false
    }
}

/// A set of API versions (minor numbers), printed as `2.41–2.44`, `2.43+`, `until 2.42`.
struct Versions: Hashable, Sendable, CustomStringConvertible {
    var minors: Set<Int>
    let domain: [Int]

    var description: String {
        let sorted = minors.sorted()
        guard let first = sorted.first, let last = sorted.last else { return "no version" }
        guard domain.count > 1 else { return "2.\(first)" }
        if sorted == domain { return "2.\(first)–2.\(last)" }
        let contiguous = last - first + 1 == sorted.count
        if contiguous && last == domain.last { return "2.\(first)+" }
        if contiguous && first == domain.first { return "until 2.\(last)" }
        return sorted.map { "2.\($0)" }.joined(separator: ", ")
    }

    /// The `APIVersionSet` literal.
    var literal: String {
        if minors == Set(ReferenceDocuments.supportedMinors) { return ".all" }
        return "APIVersionSet(minors: " + minors.sorted().map(String.init).joined(separator: ", ") + ")"
    }
}

struct PropertyFacts {
    var schemaName: String?
    var kind: String
    var itemKind: String?
    var isCollection: Bool
    var referenceKlass: String?
    var referencePlural: String?
    var isRequired: Bool
    var isUnique: Bool
    var isOwner: Bool
    var isWritable: Bool
    var isPersisted: Bool
    /// Whether the items are embedded in the owner (``GenerationPlan/embeddedCollections``).
    var isEmbedded = false
}

struct PropertyIR {
    var jsonName: String
    var type: TypeRef
    var versions: Versions
    var isRequired: Bool
    var notes: [String]
    var facts: PropertyFacts?
}

struct TypeFacts {
    var klass: String
    var singular: String
    var plural: String
    var apiEndpoint: String?
    var isMetadata: Bool
    var isPersisted: Bool
}

enum ModelKind {
    case metadata, instance, auxiliary, reference
}

struct ModelIR {
    var name: String
    var kind: ModelKind
    var versions: Versions
    var properties: [PropertyIR]
    var sources: [String]
    var facts: TypeFacts?
}

struct VocabularyIR {
    var name: String
    /// Raw values in first-seen order, with the versions that declare each.
    var values: [(raw: String, versions: Set<Int>)]
    var sources: Set<String>
}

/// The superset of every version's models.
struct ModelSet {
    var models: [String: ModelIR] = [:]
    var vocabularies: [String: VocabularyIR] = [:]
    var domain: [Int]
}

struct ModelBuilder {
    let documents: ReferenceDocuments
    let domain: [Int]
    /// version → klass → schema.
    var schemasByVersion: [Int: [String: JSONNode]] = [:]
    /// version → component name → component.
    var componentsByVersion: [Int: [String: JSONNode]] = [:]
    /// version → generated name → component names.
    var componentNamesByVersion: [Int: [String: [String]]] = [:]
    /// klass → generated type name, for every metadata type.
    var metadataNames: [String: String] = [:]
    /// generated type name → klass.
    var metadataKlasses: [String: String] = [:]
    /// klass → plural (newest version).
    var plurals: [String: String] = [:]

    var result: ModelSet
    var pendingShapes: [String] = []
    var seenShapes: Set<String> = []

    init(documents: ReferenceDocuments) {
        self.documents = documents
        domain = documents.versions.map(\.minor)
        result = ModelSet(domain: domain)
        for version in documents.versions {
            var byKlass: [String: JSONNode] = [:]
            for schema in version.schemas["schemas"]?.array ?? [] {
                guard let klass = schema["klass"]?.string else { continue }
                byKlass[klass] = schema
                let name = Self.typeName(forKlass: klass)
                metadataNames[klass] = name
                metadataKlasses[name] = klass
                if let plural = schema["plural"]?.string { plurals[klass] = plural }
            }
            schemasByVersion[version.minor] = byKlass
            let components = version.openAPI["components"]?["schemas"]?.object ?? [:]
            componentsByVersion[version.minor] = components
            var byName: [String: [String]] = [:]
            for name in components.keys.sorted() {
                byName[Self.generatedName(forComponent: name), default: []].append(name)
            }
            componentNamesByVersion[version.minor] = byName
        }
    }

    static func typeName(forKlass klass: String) -> String {
        sanitizeTypeName(simpleName(klass))
    }

    /// `org.hisp.dhis.option.OptionSet` → `OptionSet`; nested classes (`A$B`) → `B`.
    static func simpleName(_ klass: String) -> String {
        let simple = klass.split(separator: ".").last.map(String.init) ?? klass
        return simple.split(separator: "$").last.map(String.init) ?? simple
    }

    static func generatedName(forComponent component: String) -> String {
        sanitizeTypeName(GenerationPlan.renames[component] ?? component)
    }

    static func sanitizeTypeName(_ name: String) -> String {
        let cleaned = String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
        if GenerationPlan.swiftReservedTypeNames.contains(cleaned) || GenerationPlan.runtimeTypeNames.contains(cleaned)
        {
            return "DHIS2" + cleaned
        }
        return cleaned
    }

    func versions(_ minors: some Sequence<Int>) -> Versions {
        Versions(minors: Set(minors), domain: domain)
    }

    // MARK: Building

    mutating func build() -> ModelSet {
        result.models["ObjectReference"] = ModelIR(
            name: "ObjectReference", kind: .reference, versions: versions(domain),
            properties: [
                PropertyIR(
                    jsonName: "id", type: .string, versions: versions(domain), isRequired: false,
                    notes: ["The referenced object's identifier (usually a UID)."], facts: nil)
            ],
            sources: ["An id-only reference, the shape DHIS2 writes for references under `fields=*`."], facts: nil)
        for klass in metadataNames.keys.sorted() {
            buildMetadata(klass)
        }
        for shape in GenerationPlan.instanceShapes where result.models[shape] == nil {
            enqueue(shape)
        }
        while !pendingShapes.isEmpty {
            let name = pendingShapes.removeFirst()
            buildShape(name)
        }
        return result
    }

    mutating func buildMetadata(_ klass: String) {
        guard let name = metadataNames[klass] else { return }
        // The OpenAPI component has the Java simple name, also when the Swift name differs (`DHIS2OptionSet`).
        let componentName = Self.simpleName(klass)
        var present: [Int] = []
        var newest: JSONNode?
        // The OpenAPI member names of the type in any version: the evidence for the JSON names.
        var openAPINames: Set<String> = []
        // JSON name → version → /api/schemas property.
        var byJSONName: [String: [Int: JSONNode]] = [:]
        for minor in domain {
            guard let schema = schemasByVersion[minor]?[klass] else { continue }
            present.append(minor)
            newest = schema
            openAPINames.formUnion(componentsByVersion[minor]?[componentName]?["properties"]?.object.map { Array($0.keys) } ?? [])
        }
        for minor in present {
            for property in schemasByVersion[minor]?[klass]?["properties"]?.array ?? [] {
                let jsonName = Self.jsonName(of: property, openAPINames: openAPINames)
                // Two properties for one JSON member: the one whose /api/schemas name is the JSON name wins.
                if let existing = byJSONName[jsonName]?[minor], existing["name"]?.string == jsonName { continue }
                byJSONName[jsonName, default: [:]][minor] = property
            }
        }
        guard let newest else { return }
        var properties: [PropertyIR] = []
        for (propertyName, perVersion) in byJSONName.sorted(by: { $0.key < $1.key }) {
            var typesByVersion: [(Int, TypeRef)] = []
            var lastProperty: JSONNode?
            var requiredEverywhere = true
            for minor in present {
                guard let property = perVersion[minor] else { continue }
                lastProperty = property
                if property["required"]?.bool != true { requiredEverywhere = false }
                let component = componentsByVersion[minor]?[componentName]
                let openAPIProperty = component?["properties"]?[propertyName]
                typesByVersion.append((minor, metadataPropertyType(property, openAPI: openAPIProperty, minor: minor)))
            }
            guard let lastProperty else { continue }
            let propertyVersions = versions(typesByVersion.map(\.0))
            var (type, notes) = unify(typesByVersion)
            if let override = GenerationPlan.overrides["\(name).\(propertyName)"] {
                type = override.type
                notes = ["Typed by an override: \(override.evidence)"]
                register(type)
            }
            if requiredEverywhere && propertyVersions.minors.count == present.count {
                notes.append(
                    "Required on write in every version that has the type; optional here because a `fields` "
                        + "selection can leave it out.")
            }
            var propertyFacts = facts(of: lastProperty)
            if let evidence = GenerationPlan.embeddedCollections[name + "." + propertyName] {
                propertyFacts.isEmbedded = true
                notes.append("Embedded in its owner: \(evidence)")
            }
            if let schemaName = lastProperty["name"]?.string, schemaName != propertyName {
                propertyFacts.schemaName = schemaName
                notes.append("`/api/schemas` names it `\(schemaName)`; the JSON member is `\(propertyName)`.")
            }
            properties.append(
                PropertyIR(
                    jsonName: propertyName, type: type, versions: propertyVersions, isRequired: false, notes: notes,
                    facts: propertyFacts))
        }
        properties = withAdditions(properties, of: name, versions: versions(present))
        var sources = ["`/api/schemas` klass `\(klass)` (\(versions(present)))"]
        let openAPIVersions = present.filter { componentsByVersion[$0]?[componentName] != nil }
        if !openAPIVersions.isEmpty {
            sources.append("OpenAPI `#/components/schemas/\(componentName)` (\(versions(openAPIVersions)))")
        }
        let endpoint = newest["apiEndpoint"]?.string
        result.models[name] = ModelIR(
            name: name, kind: .metadata, versions: versions(present), properties: properties, sources: sources,
            facts: TypeFacts(
                klass: klass, singular: newest["singular"]?.string ?? name, plural: newest["plural"]?.string ?? name,
                apiEndpoint: endpoint.flatMap { $0.isEmpty ? nil : $0 },
                isMetadata: newest["metadata"]?.bool ?? false, isPersisted: newest["persisted"]?.bool ?? false))
    }

    /// The JSON member name of an `/api/schemas` property.
    ///
    /// The dumps give `name` (singular for many collections: `translation`, `dataElementGroup`) and `fieldName` (the
    /// Java field: `groups`, `children`), but not `collectionName`, the name DHIS2 writes. The OpenAPI component of
    /// the same type lists the real member names, so the first candidate it has wins; without evidence a collection
    /// takes the plural of its name.
    static func jsonName(of property: JSONNode, openAPINames: Set<String>) -> String {
        let name = property["name"]?.string ?? ""
        let fieldName = property["fieldName"]?.string
        let isCollection = property["collection"]?.bool ?? false
        // A collection's plural comes first: the dumps name the `favorites` collection `favorite`, like the Boolean.
        var candidates = [name]
        if isCollection {
            candidates = [plural(name)] + (fieldName.map { [$0] } ?? []) + [name]
        }
        if let match = candidates.first(where: openAPINames.contains) { return match }
        return isCollection ? plural(name) : name
    }

    static func plural(_ name: String) -> String {
        if name.hasSuffix("s") { return name }
        if name.hasSuffix("y"), let before = name.dropLast().last, !"aeiou".contains(before) {
            return String(name.dropLast()) + "ies"
        }
        return name + "s"
    }

    func facts(of property: JSONNode) -> PropertyFacts {
        let kind = property["propertyType"]?.string ?? "COMPLEX"
        let itemKind = property["itemPropertyType"]?.string
        let isCollection = property["collection"]?.bool ?? false
        var referenceKlass: String?
        if kind == "REFERENCE" {
            referenceKlass = property["klass"]?.string
        } else if isCollection && itemKind == "REFERENCE" {
            referenceKlass = property["itemKlass"]?.string
        }
        return PropertyFacts(
            schemaName: nil, kind: kind, itemKind: itemKind, isCollection: isCollection, referenceKlass: referenceKlass,
            referencePlural: referenceKlass.flatMap { plurals[$0] }, isRequired: property["required"]?.bool ?? false,
            isUnique: property["unique"]?.bool ?? false, isOwner: property["owner"]?.bool ?? false,
            isWritable: property["writable"]?.bool ?? true, isPersisted: property["persisted"]?.bool ?? false)
    }

    /// The type of a metadata property in one version: `/api/schemas` where it is precise, the OpenAPI component
    /// of the same name where it is not (complex values, references to non-metadata classes).
    mutating func metadataPropertyType(_ property: JSONNode, openAPI: JSONNode?, minor: Int) -> TypeRef {
        if let type = schemaType(
            kind: property["propertyType"]?.string, klass: property["klass"]?.string,
            itemKind: property["itemPropertyType"]?.string, itemKlass: property["itemKlass"]?.string,
            constants: property["constants"]?.array, minor: minor)
        {
            return type
        }
        if let openAPI {
            return openAPIType(openAPI, minor: minor)
        }
        switch property["propertyType"]?.string {
        case "REFERENCE": return .model("ObjectReference")
        case "COLLECTION" where property["itemPropertyType"]?.string == "REFERENCE":
            return .array(.model("ObjectReference"))
        default: return .json
        }
    }

    mutating func schemaType(
        kind: String?, klass: String?, itemKind: String?, itemKlass: String?, constants: [JSONNode]?, minor: Int
    ) -> TypeRef? {
        switch kind {
        case "TEXT", "URL", "COLOR", "EMAIL", "PHONENUMBER", "PASSWORD", "IDENTIFIER", "DATE": return .string
        case "BOOLEAN": return .bool
        case "INTEGER": return .int
        case "NUMBER": return .double
        case "CONSTANT":
            guard let klass else { return .string }
            let name = vocabularyName(forKlass: klass)
            addVocabulary(name, values: constants?.compactMap(\.string) ?? [], minor: minor, source: klass)
            return .vocabulary(name)
        case "REFERENCE", "COMPLEX":
            if let klass, let fixed = GenerationPlan.javaClassTypes[klass] {
                register(fixed.type)
                return fixed.type
            }
            guard let klass, let name = metadataNames[klass] else { return nil }
            return .model(name)
        case "COLLECTION":
            guard
                let element = schemaType(
                    kind: itemKind, klass: itemKlass, itemKind: nil, itemKlass: nil, constants: constants, minor: minor)
            else { return nil }
            return .array(element)
        default:
            return nil
        }
    }

    /// The vocabulary of a Java enum; renamed when a metadata type or a Core type has the same simple name.
    func vocabularyName(forKlass klass: String) -> String {
        if let renamed = GenerationPlan.vocabularyRenames[klass] { return renamed }
        let name = Self.typeName(forKlass: klass)
        guard metadataKlasses[name] != nil || GenerationPlan.coreTypeNames.contains(name) else { return name }
        if let renamed = GenerationPlan.vocabularyRenames[klass] { return renamed }
        let package = klass.split(separator: ".").dropLast().last.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return (package ?? "") + name
    }

    mutating func addVocabulary(_ name: String, values: [String], minor: Int, source: String) {
        var vocabulary = result.vocabularies[name] ?? VocabularyIR(name: name, values: [], sources: [])
        vocabulary.sources.insert(source)
        for value in values {
            if let index = vocabulary.values.firstIndex(where: { $0.raw == value }) {
                vocabulary.values[index].versions.insert(minor)
            } else {
                vocabulary.values.append((value, [minor]))
            }
        }
        result.vocabularies[name] = vocabulary
    }

    /// The type an OpenAPI schema describes, registering the components and vocabularies it needs.
    mutating func openAPIType(_ schema: JSONNode, minor: Int) -> TypeRef {
        if let reference = schema["$ref"]?.string {
            let component = String(reference.split(separator: "/").last ?? "")
            return componentType(component, minor: minor)
        }
        if let variants = schema["oneOf"]?.array, Self.isInstant(variants) {
            // 2.41 inlines the `Instant` union that later versions name; same type, same evidence.
            return GenerationPlan.componentTypes["Instant"]?.type ?? .json
        }
        if schema["oneOf"] != nil || schema["anyOf"] != nil || schema["allOf"] != nil { return .json }
        switch schema["type"]?.string {
        case "string": return .string
        case "integer": return .int
        case "number": return .double
        case "boolean": return .bool
        case "array":
            guard let items = schema["items"] else { return .array(.json) }
            return .array(openAPIType(items, minor: minor))
        case "object":
            if let additional = schema["additionalProperties"], additional.object != nil,
                schema["properties"] == nil
            {
                return .map(openAPIType(additional, minor: minor))
            }
            return .json
        default:
            return .json
        }
    }

    /// Whether a `oneOf` is DHIS2's `Instant`: a date-time string or an int64.
    static func isInstant(_ variants: [JSONNode]) -> Bool {
        let shapes = Set(variants.map { "\($0["type"]?.string ?? "")/\($0["format"]?.string ?? "")" })
        return shapes == ["string/date-time", "integer/int64"]
    }

    mutating func componentType(_ component: String, minor: Int) -> TypeRef {
        if GenerationPlan.referenceComponents.contains(component) { return .model("ObjectReference") }
        if GenerationPlan.coreTypeNames.contains(component) { return .json }
        if let fixed = GenerationPlan.componentTypes[component] { return fixed.type }
        guard let schema = componentsByVersion[minor]?[component] else { return .json }
        if let values = schema["enum"]?.array {
            let name = Self.generatedName(forComponent: component)
            addVocabulary(name, values: values.compactMap(\.string), minor: minor, source: component)
            return .vocabulary(name)
        }
        let name = Self.generatedName(forComponent: component)
        if metadataKlasses[name] != nil { return .model(name) }
        if GenerationPlan.coreTypeNames.contains(name) { return .json }
        switch schema["type"]?.string {
        case "string": return .string
        case "integer": return .int
        case "number": return .double
        case "boolean": return .bool
        case "array": return openAPIType(schema, minor: minor)
        case "object":
            if schema["properties"]?.object?.isEmpty == false {
                enqueue(name)
                return .model(name)
            }
            return openAPIType(schema, minor: minor)
        default:
            return .json
        }
    }

    mutating func enqueue(_ name: String) {
        guard !seenShapes.contains(name), metadataKlasses[name] == nil else { return }
        seenShapes.insert(name)
        pendingShapes.append(name)
    }

    /// Makes sure the models an override names exist.
    mutating func register(_ type: TypeRef) {
        switch type {
        case .model(let name) where name != "ObjectReference": enqueue(name)
        case .array(let element), .map(let element): register(element)
        default: break
        }
    }

    /// Builds an instance shape (or a component one needs) from the OpenAPI components of every version.
    mutating func buildShape(_ name: String) {
        var present: [Int] = []
        var propertyTypes: [String: [(Int, TypeRef)]] = [:]
        var requiredCounts: [String: Int] = [:]
        var sourceNames: Set<String> = []
        for minor in domain {
            let components = componentNamesByVersion[minor]?[name] ?? []
            guard !components.isEmpty else { continue }
            present.append(minor)
            for component in components {
                sourceNames.insert(component)
                guard let schema = componentsByVersion[minor]?[component] else { continue }
                let required = Set((schema["required"]?.array ?? []).compactMap(\.string))
                for (property, propertySchema) in (schema["properties"]?.object ?? [:]).sorted(by: { $0.key < $1.key })
                {
                    let type = openAPIType(propertySchema, minor: minor)
                    if !(propertyTypes[property]?.contains(where: { $0.0 == minor }) ?? false) {
                        propertyTypes[property, default: []].append((minor, type))
                    }
                    // A merged component (several per version) requires a member only if each of them does.
                    if required.contains(property) && components.count == 1 {
                        requiredCounts[property, default: 0] += 1
                    }
                }
            }
        }
        guard !present.isEmpty else { return }
        var properties: [PropertyIR] = []
        for (property, types) in propertyTypes.sorted(by: { $0.key < $1.key }) {
            var (type, notes) = unify(types)
            if let override = GenerationPlan.overrides["\(name).\(property)"] {
                type = override.type
                notes = ["Typed by an override: \(override.evidence)"]
                register(type)
            }
            // Optional unless every version requires it. Nested models stay optional (they are stored boxed).
            let requiredByDocuments = requiredCounts[property] == present.count && !type.isModel
            let notRequiredEvidence =
                GenerationPlan.notRequired["\(name).\(property)"] ?? GenerationPlan.notRequired["\(name).*"]
            let required = requiredByDocuments && notRequiredEvidence == nil
            if requiredByDocuments, let notRequiredEvidence {
                notes.append(
                    "Every document requires it; optional because real payloads omit it: \(notRequiredEvidence)")
            }
            properties.append(
                PropertyIR(
                    jsonName: property, type: type, versions: versions(types.map(\.0)), isRequired: required,
                    notes: notes, facts: nil))
        }
        properties = withAdditions(properties, of: name, versions: versions(present))
        let kind: ModelKind = GenerationPlan.instanceShapes.contains(name) ? .instance : .auxiliary
        result.models[name] = ModelIR(
            name: name, kind: kind, versions: versions(present), properties: properties,
            sources: sourceNames.sorted().map { component in
                let componentVersions = present.filter { componentNamesByVersion[$0]?[name]?.contains(component) ?? false }
                return "OpenAPI `#/components/schemas/\(component)` (\(versions(componentVersions)))"
            }, facts: nil)
    }

    /// The properties plus the members real payloads carry that no document declares (`GenerationPlan.additions`).
    mutating func withAdditions(_ properties: [PropertyIR], of name: String, versions: Versions) -> [PropertyIR] {
        var result = properties
        for (key, addition) in GenerationPlan.additions.sorted(by: { $0.key < $1.key }) {
            let parts = key.split(separator: ".", maxSplits: 1).map(String.init)
            guard parts.count == 2, parts[0] == name, !result.contains(where: { $0.jsonName == parts[1] }) else {
                continue
            }
            register(addition.type)
            result.append(
                PropertyIR(
                    jsonName: parts[1], type: addition.type, versions: versions, isRequired: false,
                    notes: ["Not in the documents; added because real payloads carry it: \(addition.evidence)"],
                    facts: nil))
        }
        return result.sorted { $0.jsonName < $1.jsonName }
    }

    /// One type that reads the property in every version, with a note when the versions disagree.
    func unify(_ types: [(Int, TypeRef)]) -> (TypeRef, [String]) {
        guard var merged = types.first?.1 else { return (.json, []) }
        for (_, type) in types.dropFirst() {
            merged = Self.merge(merged, type)
        }
        let distinct = Set(types.map(\.1))
        guard distinct.count > 1 else { return (merged, []) }
        let byType = Dictionary(grouping: types, by: \.1)
        let described = byType.map { type, entries in "\(versions(entries.map(\.0))): `\(type.swift)`" }.sorted()
        return (
            merged,
            [
                "Versions disagree on the type (\(described.joined(separator: "; "))); `\(merged.swift)` decodes "
                    + "all of them."
            ]
        )
    }

    static func merge(_ a: TypeRef, _ b: TypeRef) -> TypeRef {
        if a == b { return a }
        switch (a, b) {
        case (.model(let name), .model("ObjectReference")), (.model("ObjectReference"), .model(let name)):
            // A full model has every member of an `{id}` reference, so it reads both.
            return .model(name)
        case (.vocabulary(let name), .string), (.string, .vocabulary(let name)):
            return .vocabulary(name)
        case (.int, .double), (.double, .int):
            return .double
        case (.array(let x), .array(let y)):
            return .array(merge(x, y))
        case (.map(let x), .map(let y)):
            return .map(merge(x, y))
        default:
            return .json
        }
    }
}
