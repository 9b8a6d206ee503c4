import DHIS2
import Foundation

/// One item of a parsed `fields=` expression (reference §4.1).
struct FieldNode: Sendable, Equatable {
    struct Transformer: Sendable, Equatable {
        let name: String
        let arguments: [String]
    }

    /// A property name, `*`, or a preset such as `:all`, `:identifiable`, `:nameable`, `:owner`, `:simple`.
    var name: String
    var isExclusion = false
    /// The nested block (`[…]` or `(…)`), when given.
    var children: [FieldNode]?
    var transformers: [Transformer] = []

    var isPreset: Bool { name == "*" || name.hasPrefix(":") }

    /// What identifies a duplicate: the name, plus the transformers when there are any (`children~size` and
    /// `children~isEmpty~rename(none)` are two outputs; `id,id` is one).
    var deduplicationKey: String {
        transformers.isEmpty
            ? name : name + transformers.map { "~\($0.name)(\($0.arguments.joined(separator: ";")))" }.joined()
    }

    /// The block that selects inside the value: the explicit one, or the field a `pluck(field)` needs.
    var effectiveChildren: [FieldNode]? {
        if let children, !children.isEmpty { return children }
        if let pluck = transformers.last(where: { $0.name == "pluck" }), let field = pluck.arguments.first,
            !field.isEmpty
        {
            return [FieldNode(name: field)]
        }
        return nil
    }
}

/// Parses DHIS2 field expressions: `id,name,categoryCombo[id,name],!code,:owner,id~rename(uid)`.
enum FieldSelection {
    static func parse(_ text: String, default defaultText: String) -> [FieldNode] {
        let source = text.trimmingCharacters(in: .whitespaces).isEmpty ? defaultText : text
        var parser = Parser(characters: Array(source))
        return parser.list(closing: nil)
    }

    private struct Parser {
        let characters: [Character]
        var index = 0

        var current: Character? { index < characters.count ? characters[index] : nil }

        mutating func list(closing: Character?) -> [FieldNode] {
            var nodes: [FieldNode] = []
            while let character = current {
                if character == closing {
                    index += 1
                    break
                }
                if character == "," || character == " " {
                    index += 1
                    continue
                }
                if character == "]" || character == ")" {
                    index += 1
                    continue
                }
                if let node = item() { nodes.append(node) }
            }
            return nodes
        }

        mutating func item() -> FieldNode? {
            var node = FieldNode(name: "")
            if current == "!" {
                node.isExclusion = true
                index += 1
            }
            if current == "*" {
                node.name = "*"
                index += 1
            } else {
                var name = ""
                if current == ":" {
                    name.append(":")
                    index += 1
                }
                while let character = current, !",[]()~|:!".contains(character) {
                    name.append(character)
                    index += 1
                }
                node.name = name.trimmingCharacters(in: .whitespaces)
            }
            if let open = current, open == "[" || open == "(" {
                index += 1
                node.children = list(closing: open == "[" ? "]" : ")")
            }
            while let character = current, character == "~" || character == "|" || character == ":" {
                if character == ":" {
                    guard index + 1 < characters.count, characters[index + 1] == ":" else { break }
                    index += 2
                } else {
                    index += 1
                }
                var name = ""
                while let next = current, next.isLetter || next.isNumber { name.append(next); index += 1 }
                var arguments: [String] = []
                if current == "(" {
                    index += 1
                    var argument = ""
                    while let next = current, next != ")" {
                        if next == ";" {
                            arguments.append(argument)
                            argument = ""
                        } else {
                            argument.append(next)
                        }
                        index += 1
                    }
                    if current == ")" { index += 1 }
                    arguments.append(argument)
                }
                // A block may follow a transformer (`pluck[name]`).
                if let open = current, open == "[" {
                    index += 1
                    node.children = list(closing: "]")
                }
                node.transformers.append(.init(name: name, arguments: arguments))
            }
            return node.name.isEmpty && !node.isExclusion ? nil : node
        }
    }
}

/// The transformers of §4.4 that change a rendered value: `rename`, `size`, `isEmpty`, `isNotEmpty`, `pluck`,
/// `keyBy`. Unknown transformer names are ignored, as DHIS2 does.
enum FieldTransformers {
    static func apply(_ node: FieldNode, key: String, value: JSONValue) -> (String, JSONValue) {
        var key = key
        var value = value
        for transformer in node.transformers {
            switch transformer.name {
            case "rename":
                if let newName = transformer.arguments.first, !newName.isEmpty { key = newName }
            case "size":
                switch value {
                case .array(let items): value = .number(Double(items.count))
                case .string(let text): value = .number(Double(text.count))
                default: break
                }
            case "isEmpty", "isNotEmpty":
                let empty: Bool
                switch value {
                case .array(let items): empty = items.isEmpty
                case .string(let text): empty = text.isEmpty
                case .object(let members): empty = members.isEmpty
                default: empty = false
                }
                value = .bool(transformer.name == "isEmpty" ? empty : !empty)
            case "pluck":
                guard case .array(let items) = value else { break }
                let field = transformer.arguments.first.flatMap { $0.isEmpty ? nil : $0 } ?? node.children?.first?.name ?? "id"
                value = .array(items.compactMap { $0[field] })
            case "keyBy":
                guard case .array(let items) = value else { break }
                let field = transformer.arguments.first.flatMap { $0.isEmpty ? nil : $0 } ?? "id"
                var grouped: [String: [JSONValue]] = [:]
                for item in items {
                    guard let keyValue = item[field] else { continue }
                    let groupKey = keyValue.stringValue ?? keyValue.description
                    grouped[groupKey, default: []].append(item)
                }
                value = .object(grouped.mapValues { $0.count == 1 ? $0[0] : .array($0) })
            default:
                continue
            }
        }
        return (key, value)
    }
}

/// Field filtering over plain JSON (SystemInfo, MeDto, embedded objects): `*` and presets keep every member,
/// blocks filter nested objects.
enum PlainFieldFilter {
    static func apply(_ fields: [FieldNode], to value: JSONValue) -> JSONValue {
        switch value {
        case .array(let items): return .array(items.map { apply(fields, to: $0) })
        case .object(let members):
            var result: [String: JSONValue] = [:]
            for node in expand(fields, keys: members.keys.sorted()) {
                guard let member = members[node.name], !member.isNull else { continue }
                let filtered = node.effectiveChildren.map { apply($0, to: member) } ?? member
                let (outputKey, output) = FieldTransformers.apply(node, key: node.name, value: filtered)
                result[outputKey] = output
            }
            return .object(result)
        default:
            return value
        }
    }

    /// The nodes selected among `keys`: presets expand to every key, duplicates merge, exclusions apply last.
    static func expand(_ fields: [FieldNode], keys: [String]) -> [FieldNode] {
        var selection = FieldNodeSelection()
        for node in fields where !node.isExclusion {
            if node.isPreset {
                for key in keys { selection.add(FieldNode(name: key)) }
            } else {
                selection.add(node)
            }
        }
        for node in fields where node.isExclusion { selection.exclude(node.name) }
        return selection.nodes
    }
}

/// Selected field nodes in first-seen order: duplicates (same name and transformers) merge their blocks.
struct FieldNodeSelection {
    private var order: [String] = []
    private var byKey: [String: FieldNode] = [:]

    mutating func add(_ node: FieldNode) {
        let key = node.deduplicationKey
        if var existing = byKey[key] {
            if let children = node.children { existing.children = (existing.children ?? []) + children }
            byKey[key] = existing
        } else {
            byKey[key] = node
            order.append(key)
        }
    }

    /// `!name` removes the property with every transformer applied to it.
    mutating func exclude(_ name: String) {
        for (key, node) in byKey where node.name == name { byKey[key] = nil }
    }

    var nodes: [FieldNode] { order.compactMap { byKey[$0] } }
}
