/// A `fields=` selection: which properties DHIS2 renders, rendered exactly in DHIS2's field-filter syntax.
///
/// Build one from ``Field`` values (`[.identifiable, "valueType", Field("categoryCombo", [.identifiable])]`) or
/// give DHIS2's text directly (`"id,name,dataSets[id,name]"`), which is sent unchanged.
public struct Fields: Hashable, Sendable, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    CustomStringConvertible
{
    /// The selected items, in order.
    public var items: [Field]

    /// A selection of `items`.
    public init(_ items: [Field]) { self.items = items }

    /// DHIS2's field-filter text, sent unchanged.
    public init(stringLiteral value: String) { self.items = [Field(stringLiteral: value)] }

    public init(arrayLiteral elements: Field...) { self.items = elements }

    /// The text of the `fields` parameter, e.g. `id,name,dataSets[id,name]`.
    public var rendered: String { items.map(\.rendered).joined(separator: ",") }

    public var description: String { rendered }

    /// Every property (`:all`).
    public static let all: Fields = [.all]
    /// `id, name, code, created, lastUpdated, lastUpdatedBy` (`:identifiable`).
    public static let identifiable: Fields = [.identifiable]
    /// `id, name, shortName, description, code, created, lastUpdated` (`:nameable`).
    public static let nameable: Fields = [.nameable]
    /// The persisted properties the object owns — a payload a `PUT` accepts (`:owner`).
    public static let owner: Fields = [.owner]
    /// The properties of simple type, no references or collections (`:simple`).
    public static let simple: Fields = [.simple]
    /// Every persisted property, owned or not (`:persisted`).
    public static let persisted: Fields = [.persisted]
}

/// One item of a ``Fields`` selection: a property, a preset or an exclusion, optionally with a nested selection and
/// transformers.
public struct Field: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    private enum Selector: Hashable, Sendable {
        case property(String)
        case preset(String)
        case text(String)
    }

    private var selector: Selector
    /// Whether the item removes its path (`!name`) instead of selecting it.
    public private(set) var isExcluded = false
    /// The selection inside the property (`name[...]`), if any.
    public private(set) var nested: Fields?
    /// The transformers applied to the property, in order.
    public private(set) var transformers: [FieldTransformer] = []

    private init(selector: Selector) { self.selector = selector }

    /// The property `name`, with the selection `nested` inside it when given (`name[nested]`).
    public init(_ name: String, _ nested: Fields? = nil) {
        self.selector = .property(name)
        self.nested = nested
    }

    /// DHIS2's field-filter text for one or more items, sent unchanged.
    public init(stringLiteral value: String) { self.selector = .text(value) }

    /// Every property (`:all`; DHIS2 treats `*` the same).
    public static let all = Field(selector: .preset(":all"))
    /// `id, name, code, created, lastUpdated, lastUpdatedBy` (`:identifiable`).
    public static let identifiable = Field(selector: .preset(":identifiable"))
    /// `id, name, shortName, description, code, created, lastUpdated` (`:nameable`).
    public static let nameable = Field(selector: .preset(":nameable"))
    /// The persisted properties the object owns (`:owner`).
    public static let owner = Field(selector: .preset(":owner"))
    /// The properties of simple type (`:simple`).
    public static let simple = Field(selector: .preset(":simple"))
    /// Every persisted property (`:persisted`).
    public static let persisted = Field(selector: .preset(":persisted"))

    /// Removes the property `name` and everything below it (`!name`), after presets are expanded.
    public static func excluding(_ name: String) -> Field {
        var field = Field(name)
        field.isExcluded = true
        return field
    }

    /// This item with `transformer` applied after the ones it already has (`name~size`).
    public func transformed(_ transformer: FieldTransformer) -> Field {
        var copy = self
        copy.transformers.append(transformer)
        return copy
    }

    /// This item renamed in the response (`name~rename(newName)`).
    public func renamed(_ newName: String) -> Field { transformed(.rename(newName)) }

    /// The item in DHIS2's syntax.
    public var rendered: String {
        var text = isExcluded ? "!" : ""
        switch selector {
        case .property(let name), .preset(let name), .text(let name): text += name
        }
        if let nested { text += "[" + nested.rendered + "]" }
        for transformer in transformers { text += transformer.rendered }
        return text
    }

    public var description: String { rendered }
}

/// A field transformer DHIS2 applies to a selected property (reference §4.4).
public struct FieldTransformer: Hashable, Sendable, CustomStringConvertible {
    /// The transformer's name, e.g. `rename`.
    public var name: String
    /// Its arguments, rendered `;`-separated in parentheses.
    public var arguments: [String]

    /// A transformer by name, for one this library does not name.
    public init(name: String, arguments: [String] = []) {
        self.name = name
        self.arguments = arguments
    }

    /// Renames the key (`~rename(newName)`).
    public static func rename(_ newName: String) -> FieldTransformer { .init(name: "rename", arguments: [newName]) }
    /// The length of a string or the size of a collection (`~size`).
    public static let size = FieldTransformer(name: "size")
    /// Whether a string or collection is empty (`~isEmpty`).
    public static let isEmpty = FieldTransformer(name: "isEmpty")
    /// Whether a string or collection is not empty (`~isNotEmpty`).
    public static let isNotEmpty = FieldTransformer(name: "isNotEmpty")

    /// A collection of objects as an array of one field of each (`~pluck`, `~pluck(field)`; `id` by default).
    public static func pluck(_ field: String? = nil) -> FieldTransformer {
        .init(name: "pluck", arguments: field.map { [$0] } ?? [])
    }

    /// A collection as an object keyed by a field (`~keyBy`, `~keyBy(field)`; `id` by default).
    public static func keyBy(_ field: String? = nil) -> FieldTransformer {
        .init(name: "keyBy", arguments: field.map { [$0] } ?? [])
    }

    /// The transformer in DHIS2's syntax, introduced by `~`.
    public var rendered: String {
        "~" + name + (arguments.isEmpty ? "" : "(" + arguments.joined(separator: ";") + ")")
    }

    public var description: String { rendered }
}
