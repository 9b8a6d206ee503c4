import DHIS2
import Hummingbird

/// `GET /api/schemas`, `/api/schemas/{singular}` and `/api/schemas/{singular}/{property}` (reference §2.5), from the
/// generated schema facts of the emulated version [core SchemaController].
///
/// Only what the facts know is rendered: names, endpoints, flags, property kinds, reference classes, and the enum
/// values and lengths the emulator's overrides carry. Members the facts do not hold (`fieldName`, `min`, Java
/// classes of simple properties) are omitted, as DHIS2 omits nulls, rather than invented.
struct SchemasHandlers {
    let environment: RequestEnvironment
    let state: EmulatorState

    /// All schemas of the version, sorted as DHIS2 sorts them (by name), `fields` defaulting to `*`.
    func list() -> Response {
        let schemas = MetadataType.allSchemas(for: state.version.apiVersion).sorted {
            ($0.singular, $0.klass) < ($1.singular, $1.klass)
        }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        let rendered = schemas.map { PlainFieldFilter.apply(fields, to: render($0)) }
        return Reply.json(["schemas": .array(rendered)])
    }

    /// One schema by singular name; `404 Type … does not exist.` otherwise.
    func one(_ singular: String) -> Response {
        guard let schema = schema(singular) else { return notFound("Type \(singular) does not exist.") }
        let fields = FieldSelection.parse(environment.query.all("fields").joined(separator: ","), default: "*")
        return Reply.json(PlainFieldFilter.apply(fields, to: render(schema)))
    }

    /// One property of a schema, by its JSON or schema name.
    func property(_ singular: String, _ name: String) -> Response {
        guard let schema = schema(singular) else { return notFound("Type \(singular) does not exist.") }
        let version = state.version.apiVersion
        guard
            let property = schema.properties.first(where: {
                $0.availability.includes(version) && ($0.name == name || $0.schemaName == name)
            })
        else {
            return notFound("Property \(name) does not exist on type \(singular).")
        }
        return Reply.json(render(property, of: schema))
    }

    private func schema(_ singular: String) -> MetadataTypeSchema? {
        MetadataType.allSchemas(for: state.version.apiVersion).first { $0.singular == singular }
    }

    private func notFound(_ message: String) -> Response {
        Reply.webMessage(.notFound, message: message, errorCode: "E1005")
    }

    func render(_ schema: MetadataTypeSchema) -> JSONValue {
        let version = state.version.apiVersion
        var object: [String: JSONValue] = [
            "klass": .string(schema.klass),
            "name": .string(schema.singular),
            "singular": .string(schema.singular),
            "plural": .string(schema.plural),
            "collectionName": .string(schema.plural),
            "displayName": .string(Self.displayName(schema.singular)),
            "metadata": .bool(schema.isMetadata),
            "persisted": .bool(schema.isPersisted),
            "href": .string("\(environment.contextPath)/api/schemas/\(schema.singular)"),
        ]
        if let endpoint = schema.apiEndpoint {
            // Relative, as the 2.41–2.44 dumps show it [schemas v42 dataElement].
            object["apiEndpoint"] = .string(endpoint)
            object["relativeApiEndpoint"] = .string(String(endpoint.dropFirst("/api".count)))
        }
        let properties = schema.properties.filter { $0.availability.includes(version) }
        object["properties"] = .array(properties.map { render($0, of: schema) })
        return .object(object)
    }

    func render(_ property: MetadataPropertySchema, of schema: MetadataTypeSchema) -> JSONValue {
        let simpleKinds: Set<MetadataPropertyKind> = [
            .identifier, .text, .boolean, .integer, .number, .date, .constant, .url, .color, .email, .phoneNumber,
            .password,
        ]
        let isSimple = property.isCollection
            ? property.itemKind.map { simpleKinds.contains($0) } ?? false : simpleKinds.contains(property.kind)
        var object: [String: JSONValue] = [
            "name": .string(property.schemaName),
            "propertyType": .string(property.kind.rawValue),
            "collection": .bool(property.isCollection),
            "simple": .bool(isSimple),
            "owner": .bool(property.isOwner),
            "persisted": .bool(property.isPersisted),
            "required": .bool(property.isRequired),
            "unique": .bool(property.isUnique),
            "writable": .bool(property.isWritable),
            "readable": true,
        ]
        if property.isCollection {
            object["collectionName"] = .string(property.name)
            if let itemKind = property.itemKind { object["itemPropertyType"] = .string(itemKind.rawValue) }
            if let klass = property.referenceKlass { object["itemKlass"] = .string(klass) }
        } else if let klass = property.referenceKlass {
            object["klass"] = .string(klass)
        }
        if let plural = property.referencePlural, let endpoint = state.types[plural]?.schema?.apiEndpoint {
            object["relativeApiEndpoint"] = .string(String(endpoint.dropFirst("/api".count)))
        }
        // The emulator's overrides know the enum values and lengths of a few properties.
        if let described = state.types[schema.plural]?.property(property.name) {
            if case .constant(_, let values) = described.kind, !values.isEmpty {
                object["constants"] = .array(values.map { .string($0) })
            }
            if let maxLength = described.maxLength { object["max"] = .number(Double(maxLength)) }
        }
        return .object(object)
    }

    /// `dataElementGroupSet` → `Data Element Group Set` (DHIS2 derives display names from the singular name).
    static func displayName(_ singular: String) -> String {
        var words: [String] = []
        var current = ""
        for character in singular {
            if character.isUppercase, !current.isEmpty, !(current.last?.isUppercase ?? false) {
                words.append(current)
                current = ""
            }
            current.append(character)
        }
        if !current.isEmpty { words.append(current) }
        return words.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined(separator: " ")
    }
}
