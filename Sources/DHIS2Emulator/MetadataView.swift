import DHIS2

/// Renders stored metadata objects as DHIS2 does: computed properties, references as `{"id":…}` unless a block
/// asks for more, presets and exclusions (§4).
struct MetadataView: Sendable {
    let snapshot: StoreSnapshot
    let types: [String: MetadataType]
    let contextPath: String
    let version: EmulatedVersion
    /// For every `(type, via)` inverse collection: target UID → UIDs of the objects pointing at it.
    private let inverseIndex: [String: [String: [String]]]

    init(snapshot: StoreSnapshot, types: [String: MetadataType], contextPath: String, version: EmulatedVersion) {
        self.snapshot = snapshot
        self.version = version
        self.types = types
        self.contextPath = contextPath
        var index: [String: [String: [String]]] = [:]
        for type in types.values {
            for property in type.properties {
                guard case .inverse(let source, let via) = property.kind else { continue }
                let key = source + "." + via
                guard index[key] == nil else { continue }
                var map: [String: [String]] = [:]
                for (id, object) in snapshot.objects[source] ?? [:] {
                    for target in MetadataView.referencedIDs(object[via]) { map[target, default: []].append(id) }
                }
                index[key] = map.mapValues { $0.sorted() }
            }
        }
        self.inverseIndex = index
    }

    static func referencedIDs(_ value: JSONValue?) -> [String] {
        switch value {
        case .object(let members): return members["id"]?.stringValue.map { [$0] } ?? []
        case .array(let items): return items.compactMap { $0["id"]?.stringValue }
        default: return []
        }
    }

    /// The names computed on read, never stored.
    static let computedNames: Set<String> = [
        "href", "displayName", "displayShortName", "displayDescription", "displayFormName", "dimensionItem",
        "access", "favorite", "favorites", "optionSetValue", "isDefault",
    ]

    /// Whether the type's schema still has `favorite`/`favorites` in that version (OpenAPI v43 dropped them from
    /// CategoryCombo and CategoryOption, v44 from every type).
    static func hasFavorites(_ plural: String, version: EmulatedVersion) -> Bool {
        if version.minor >= 44 { return false }
        if version.minor == 43 { return !["categoryCombos", "categoryOptions"].contains(plural) }
        return true
    }

    /// The stored object plus everything DHIS2 computes on read.
    func fullView(_ object: [String: JSONValue], type: MetadataType) -> [String: JSONValue] {
        var view = object
        guard let id = object["id"]?.stringValue else { return view }
        view["href"] = .string("\(contextPath)/api/\(type.plural)/\(id)")
        if let name = object["name"] { view["displayName"] = name }
        if let shortName = object["shortName"] { view["displayShortName"] = shortName }
        if let description = object["description"] { view["displayDescription"] = description }
        if type.hasFormName, let formName = object["formName"] ?? object["name"] { view["displayFormName"] = formName }
        if type.isDimensionItem { view["dimensionItem"] = .string(id) }
        if type.plural == "dataElements" { view["optionSetValue"] = .bool(object["optionSet"] != nil) }
        if type.plural == "categoryCombos" { view["isDefault"] = .bool(object["name"]?.stringValue == "default") }
        view["access"] = ["manage": true, "write": true, "read": true, "update": true, "delete": true]
        if MetadataView.hasFavorites(type.plural, version: version) {
            view["favorite"] = false
            view["favorites"] = []
        }
        for property in type.properties {
            guard case .inverse(let source, let via) = property.kind else { continue }
            let ids = inverseIndex[source + "." + via]?[id] ?? []
            view[property.name] = .array(ids.map { ["id": .string($0)] })
        }
        return view
    }

    /// Renders `object` (of `type`) with a parsed field selection.
    func render(_ object: [String: JSONValue], type: MetadataType, fields: [FieldNode]) -> JSONValue {
        let view = fullView(object, type: type)
        let selected = expand(fields, view: view, type: type)
        var result: [String: JSONValue] = [:]
        for node in selected {
            guard let value = view[node.name], !value.isNull else { continue }
            let property = type.property(node.name)
            var rendered: JSONValue
            if let children = node.children, !children.isEmpty {
                rendered = renderNested(value, property: property, fields: children)
            } else if let property, property.referenceTarget != nil || isReferenceKind(property) {
                rendered = referenceOnly(value)
            } else {
                rendered = value
            }
            let (key, output) = FieldTransformers.apply(node, key: node.name, value: rendered)
            rendered = output
            result[key] = rendered
        }
        return .object(result)
    }

    private func isReferenceKind(_ property: PropertyDescription) -> Bool {
        switch property.kind {
        case .reference, .referenceCollection, .inverse: true
        default: false
        }
    }

    private func referenceOnly(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let members): return members["id"].map { ["id": $0] } ?? value
        case .array(let items): return .array(items.map(referenceOnly))
        default: return value
        }
    }

    private func renderNested(_ value: JSONValue, property: PropertyDescription?, fields: [FieldNode]) -> JSONValue {
        if case .array(let items) = value { return .array(items.map { renderNested($0, property: property, fields: fields) }) }
        if let target = property?.referenceTarget, let targetType = types[target], let id = value["id"]?.stringValue,
            let referenced = snapshot.object(target, id)
        {
            return render(referenced, type: targetType, fields: fields)
        }
        return PlainFieldFilter.apply(fields, to: value)
    }

    /// Expands presets, merges duplicates and applies exclusions, keeping first-seen order.
    func expand(_ fields: [FieldNode], view: [String: JSONValue], type: MetadataType) -> [FieldNode] {
        var order: [String] = []
        var nodes: [String: FieldNode] = [:]
        func add(_ node: FieldNode) {
            if var existing = nodes[node.name] {
                if let children = node.children { existing.children = (existing.children ?? []) + children }
                existing.transformers += node.transformers
                nodes[node.name] = existing
            } else {
                nodes[node.name] = node
                order.append(node.name)
            }
        }
        for node in fields where !node.isExclusion {
            guard node.isPreset else {
                add(node)
                continue
            }
            for name in presetNames(node.name, view: view, type: type) { add(FieldNode(name: name)) }
        }
        for node in fields where node.isExclusion { nodes[node.name] = nil }
        return order.compactMap { nodes[$0] }
    }

    private func presetNames(_ preset: String, view: [String: JSONValue], type: MetadataType) -> [String] {
        switch preset {
        case "*", ":all":
            return view.keys.sorted()
        case ":identifiable":
            return ["id", "name", "code", "created", "lastUpdated", "lastUpdatedBy"]
        case ":nameable":
            return ["id", "name", "shortName", "description", "code", "created", "lastUpdated"]
        case ":owner":
            return type.properties.filter { $0.persisted && ($0.writable || ["id", "created", "lastUpdated", "createdBy", "lastUpdatedBy", "level", "path"].contains($0.name)) }
                .map(\.name).filter { view[$0] != nil }
        case ":persisted":
            return type.properties.filter(\.persisted).map(\.name).filter { view[$0] != nil }
        case ":simple":
            return type.properties.filter(\.isSimple).map(\.name).filter { view[$0] != nil }
        default:
            return []
        }
    }
}
