import DHIS2
import Synchronization

/// Renders stored metadata objects as DHIS2 does (§4): computed properties, references as `{"id":…}` unless a block
/// asks for more, presets at every level, exclusions, transformers, and never a property the emulated version's
/// schema lacks.
struct MetadataView: Sendable {
    let snapshot: StoreSnapshot
    let types: [String: MetadataType]
    let contextPath: String
    let version: EmulatedVersion
    /// Inverse collections, built on first use for one `(type, via)` pair and kept for this view's lifetime.
    private let inverses = InverseIndex()

    init(snapshot: StoreSnapshot, types: [String: MetadataType], contextPath: String, version: EmulatedVersion) {
        self.snapshot = snapshot
        self.version = version
        self.types = types
        self.contextPath = contextPath
    }

    static func referencedIDs(_ value: JSONValue?) -> [String] {
        switch value {
        case .object(let members): return members["id"]?.stringValue.map { [$0] } ?? []
        case .array(let items): return items.compactMap { $0["id"]?.stringValue }
        default: return []
        }
    }

    /// The names computed on read, never stored.
    static var computedNames: Set<String> { MetadataType.computedNames }

    /// Whether the type's schema still has `favorite`/`favorites` in that version (for hand-described types; the
    /// generic ones follow their schema facts).
    static func hasFavorites(_ plural: String, version: EmulatedVersion) -> Bool {
        if version.minor >= 44 { return false }
        if version.minor == 43 { return !["categoryCombos", "categoryOptions"].contains(plural) }
        return true
    }

    /// An embedded collection read from the other side of its association: `dataElement.dataSetElements` are the
    /// `dataSetElements` items of every data set whose item names the data element (DHIS2 maps both sides to the
    /// same rows; the data set owns them).
    struct EmbeddedInverse: Sendable {
        let source: String
        let collection: String
        let via: String
        /// The member of each item that names the owning object (`dataSet`), added when the stored item lacks it.
        let owner: String
    }

    static let embeddedInverses: [String: EmbeddedInverse] = [
        "dataElements.dataSetElements": EmbeddedInverse(
            source: "dataSets", collection: "dataSetElements", via: "dataElement", owner: "dataSet")
    ]

    // MARK: Values

    /// The value of `name` on `object` as DHIS2 reads it: stored, computed or inverse; `nil` when absent or when
    /// the emulated version's schema of `type` lacks the property.
    func value(_ name: String, of object: [String: JSONValue], type: MetadataType) -> JSONValue? {
        guard type.hasSchemaProperty(name) else { return nil }
        if let property = type.property(name), case .inverse(let source, let via) = property.kind {
            guard let id = object["id"]?.stringValue else { return nil }
            let ids = inverses.ids(source: source, via: via, target: id, snapshot: snapshot)
            return .array(ids.map { ["id": .string($0)] })
        }
        if let embedded = MetadataView.embeddedInverses[type.plural + "." + name] {
            guard let id = object["id"]?.stringValue else { return nil }
            return .array(inverses.items(embedded, target: id, snapshot: snapshot))
        }
        if let computed = computedValue(name, of: object, type: type) { return computed }
        guard let stored = object[name], !stored.isNull else { return nil }
        return stored
    }

    private func computedValue(_ name: String, of object: [String: JSONValue], type: MetadataType) -> JSONValue? {
        switch name {
        case "href":
            // A type without an endpoint (a legend set's `legends`) has no `href`.
            if let schema = type.schema, schema.apiEndpoint == nil { return nil }
            return object["id"]?.stringValue.map { .string("\(contextPath)/api/\(type.plural)/\($0)") }
        // `displayName` and friends: the translation for the database locale when there is one, else the value
        // itself; the emulator's users have no database locale, so they are the stored values.
        case "displayName": return object["name"]
        case "displayShortName": return object["shortName"]
        case "displayDescription": return object["description"]
        case "displayFormName": return object["formName"] ?? object["name"]
        case "dimensionItem": return object["id"]
        case "optionSetValue": return .bool(object["optionSet"] != nil)
        case "isDefault": return .bool(object["name"]?.stringValue == "default")
        case "access":
            return ["manage": true, "write": true, "read": true, "update": true, "delete": true]
        case "favorite": return false
        case "favorites": return []
        case "leaf":
            guard type.plural == "organisationUnits", let id = object["id"]?.stringValue else { return nil }
            return .bool(inverses.ids(source: "organisationUnits", via: "parent", target: id, snapshot: snapshot).isEmpty)
        default: return nil
        }
    }

    /// The stored object plus everything DHIS2 computes on read, limited to the schema's properties.
    func fullView(_ object: [String: JSONValue], type: MetadataType) -> [String: JSONValue] {
        var view: [String: JSONValue] = [:]
        for name in allNames(of: object, type: type) {
            if let value = value(name, of: object, type: type) { view[name] = value }
        }
        return view
    }

    /// The names `*` covers: every schema property (stored or computed), or the stored keys plus the computed
    /// names for a type without schema facts.
    private func allNames(of object: [String: JSONValue], type: MetadataType) -> [String] {
        if let names = type.schemaNames { return names.sorted() }
        var names = Array(object.keys)
        for name in ["href", "displayName", "displayShortName", "displayDescription", "access"] where object[name] == nil {
            names.append(name)
        }
        if type.hasFormName { names.append("displayFormName") }
        if type.isDimensionItem { names.append("dimensionItem") }
        if MetadataView.hasFavorites(type.plural, version: version) { names += ["favorite", "favorites"] }
        for property in type.properties where property.referenceTarget != nil && object[property.name] == nil {
            if case .inverse = property.kind { names.append(property.name) }
        }
        return names
    }

    // MARK: Rendering

    /// Renders `object` (of `type`) with a parsed field selection.
    func render(_ object: [String: JSONValue], type: MetadataType, fields: [FieldNode]) -> JSONValue {
        var result: [String: JSONValue] = [:]
        for node in expand(fields, object: object, type: type) {
            guard let value = selectedValue(node, object: object, type: type) else { continue }
            let property = type.property(node.name)
            let rendered: JSONValue
            let children = node.effectiveChildren
            if let itemType = property?.itemType, case .array(let items) = value {
                // Embedded objects: every property by default (§4.1), a block narrows them.
                let itemFields = children ?? [FieldNode(name: "*")]
                rendered = .array(
                    items.map { item in
                        item.objectValue.map { render($0, type: itemType, fields: itemFields) } ?? item
                    })
            } else if let children {
                rendered = renderNested(value, property: property, fields: children)
            } else if let property, property.isReference {
                rendered = referenceOnly(value)
            } else {
                rendered = value
            }
            let (key, output) = FieldTransformers.apply(node, key: node.name, value: rendered)
            result[key] = output
        }
        return .object(result)
    }

    /// The value a field node names: a property, or a metadata attribute's value when the node is an attribute UID
    /// the type has no property for (§4.1).
    private func selectedValue(_ node: FieldNode, object: [String: JSONValue], type: MetadataType) -> JSONValue? {
        if let value = value(node.name, of: object, type: type) { return value }
        guard type.property(node.name) == nil, UID.isValid(node.name) else { return nil }
        return object["attributeValues"]?.arrayValue?.first { $0["attribute"]?["id"]?.stringValue == node.name }?["value"]
    }

    private func referenceOnly(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return members["id"].map { ["id": $0] } ?? value
        case .array(let items): return .array(items.map(referenceOnly))
        default: return value
        }
    }

    private func renderNested(_ value: JSONValue, property: PropertyDescription?, fields: [FieldNode]) -> JSONValue {
        if case .array(let items) = value {
            return .array(items.map { renderNested($0, property: property, fields: fields) })
        }
        guard case .object(let members) = value else { return value }
        if let target = property?.referenceTarget, let targetType = types[target], let id = members["id"]?.stringValue {
            guard let referenced = snapshot.object(target, id) else { return PlainFieldFilter.apply(fields, to: value) }
            return render(referenced, type: targetType, fields: fields)
        }
        if property?.isReference == true, let id = members["id"]?.stringValue, members.count == 1,
            let (referenced, referencedType) = lookUp(id)
        {
            return render(referenced, type: referencedType, fields: fields)
        }
        return renderEmbedded(members, fields: fields)
    }

    /// An embedded object (`sharing`, `attributeValues` items, `dataSetElements` items): its own members, with
    /// references inside it (`attribute`, `dataSet`) resolved when a block asks for more than `id`.
    private func renderEmbedded(_ members: [String: JSONValue], fields: [FieldNode]) -> JSONValue {
        let selected = PlainFieldFilter.expand(fields, keys: members.keys.sorted())
        var result: [String: JSONValue] = [:]
        for node in selected {
            guard let member = members[node.name], !member.isNull else { continue }
            var rendered = member
            if let children = node.effectiveChildren {
                if case .object(let inner) = member, inner.count == 1, let id = inner["id"]?.stringValue,
                    let (referenced, referencedType) = lookUp(id)
                {
                    rendered = render(referenced, type: referencedType, fields: children)
                } else if case .object(let inner) = member {
                    rendered = renderEmbedded(inner, fields: children)
                } else if case .array(let items) = member {
                    rendered = .array(
                        items.map { item in
                            if let inner = item.objectValue { return renderEmbedded(inner, fields: children) }
                            return item
                        })
                }
            }
            let (key, output) = FieldTransformers.apply(node, key: node.name, value: rendered)
            result[key] = output
        }
        return .object(result)
    }

    /// Finds a stored object by UID in any type (references inside embedded objects do not say their type).
    private func lookUp(_ id: String) -> ([String: JSONValue], MetadataType)? {
        for (plural, objects) in snapshot.objects {
            guard let object = objects[id]?.objectValue, let type = types[plural] else { continue }
            return (object, type)
        }
        return nil
    }

    /// Expands presets, merges duplicates and applies exclusions, keeping first-seen order (§4.2, §4.3).
    func expand(_ fields: [FieldNode], object: [String: JSONValue], type: MetadataType) -> [FieldNode] {
        var selection = FieldNodeSelection()
        for node in fields where !node.isExclusion {
            guard node.isPreset else {
                selection.add(node)
                continue
            }
            for name in presetNames(node.name, object: object, type: type) { selection.add(FieldNode(name: name)) }
        }
        for node in fields where node.isExclusion { selection.exclude(node.name) }
        return selection.nodes
    }

    private func presetNames(_ preset: String, object: [String: JSONValue], type: MetadataType) -> [String] {
        let names: [String]
        switch preset {
        case "*", ":all":
            names = allNames(of: object, type: type)
        case ":identifiable":
            names = ["id", "name", "code", "created", "lastUpdated", "lastUpdatedBy"]
        case ":nameable":
            names = ["id", "name", "shortName", "description", "code", "created", "lastUpdated"]
        case ":owner":
            names = type.properties.filter { $0.owner && $0.persisted }.map(\.name)
        case ":persisted":
            names = type.properties.filter(\.persisted).map(\.name)
        case ":simple":
            names = type.properties.filter(\.isSimple).map(\.name)
        default:
            // `FieldPreset` also declares `id`, `code` and `idName`, which `applyPresets` ignores (§4.2).
            names = []
        }
        return names.filter { type.hasSchemaProperty($0) }
    }
}

/// Inverse collections (`children`, `categoryOptionCombos`, …): for one `(source type, via property)`, every target
/// UID → the UIDs of the source objects pointing at it. Built once per request on first use: linear in the number
/// of source objects, so listing 50,000 org units with `children` stays linear.
final class InverseIndex: Sendable {
    private let maps = Mutex<[String: [String: [String]]]>([:])

    func ids(source: String, via: String, target: String, snapshot: StoreSnapshot) -> [String] {
        let key = source + "." + via
        if let map = maps.withLock({ $0[key] }) { return map[target] ?? [] }
        var map: [String: [String]] = [:]
        for (id, object) in snapshot.objects[source] ?? [:] {
            for referenced in MetadataView.referencedIDs(object[via]) { map[referenced, default: []].append(id) }
        }
        for (referenced, ids) in map { map[referenced] = ids.sorted() }
        maps.withLock { $0[key] = map }
        return map[target] ?? []
    }

    private let itemMaps = Mutex<[String: [String: [JSONValue]]]>([:])

    /// The embedded items of `inverse.source` objects whose `inverse.via` names `target`, each naming its owner.
    func items(_ inverse: MetadataView.EmbeddedInverse, target: String, snapshot: StoreSnapshot) -> [JSONValue] {
        let key = inverse.source + "." + inverse.collection
        if let map = itemMaps.withLock({ $0[key] }) { return map[target] ?? [] }
        var map: [String: [JSONValue]] = [:]
        for id in (snapshot.objects[inverse.source] ?? [:]).keys.sorted() {
            guard let object = snapshot.objects[inverse.source]?[id],
                let items = object[inverse.collection]?.arrayValue
            else { continue }
            for item in items {
                guard var members = item.objectValue, let referenced = members[inverse.via]?["id"]?.stringValue else {
                    continue
                }
                if members[inverse.owner] == nil { members[inverse.owner] = ["id": .string(id)] }
                map[referenced, default: []].append(.object(members))
            }
        }
        itemMaps.withLock { $0[key] = map }
        return map[target] ?? []
    }
}
