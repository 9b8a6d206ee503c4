import DHIS2Core

/// A property path for filters and ordering, segments joined by dots through references and collections
/// (`dataSetElements.dataSet.id`).
public struct PropertyPath: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The path in DHIS2's syntax.
    public let rawValue: String

    /// A path given as DHIS2 writes it, e.g. `organisationUnits.level`.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// A path from its segments: `PropertyPath("dataSetElements", "dataSet", "id")`.
    public init(_ segments: String...) { self.rawValue = segments.joined(separator: ".") }

    /// A path below this one: `PropertyPath("dataSetElements").appending("dataSet", "id")`.
    public func appending(_ segments: String...) -> PropertyPath {
        PropertyPath(stringLiteral: ([rawValue] + segments).joined(separator: "."))
    }

    public var description: String { rawValue }
}

/// An object filter (`filter=<path>:<operator>[:<value>]`), rendered exactly in DHIS2's syntax.
///
/// Build one with the operator functions (`.eq("code", "ANC_1")`, `.in("id", ids)`, `.notNull("code")`) or give
/// DHIS2's text (`"name:ilike:anc"`), which is sent unchanged. Before a request is sent the client checks the
/// operator against the connected server's version and refuses one it lacks (``Operator/notEmpty`` before 2.42).
public struct Filter: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// A DHIS2 filter operator (reference §5.2). Open: an operator this library does not name can be spelled.
    public struct Operator: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        public var description: String { rawValue }

        /// Equals (on a collection: its size equals).
        public static let eq = Operator(rawValue: "eq")
        /// Equals, ignoring case (DHIS2 2.41+).
        public static let ieq = Operator(rawValue: "ieq")
        /// Not equal (`!eq`; DHIS2 also spells it `ne` and `neq`).
        public static let notEq = Operator(rawValue: "!eq")
        /// Greater than.
        public static let gt = Operator(rawValue: "gt")
        /// Greater than or equal.
        public static let ge = Operator(rawValue: "ge")
        /// Less than.
        public static let lt = Operator(rawValue: "lt")
        /// Less than or equal.
        public static let le = Operator(rawValue: "le")
        /// Contains, case-sensitive.
        public static let like = Operator(rawValue: "like")
        /// Does not contain, case-sensitive.
        public static let notLike = Operator(rawValue: "!like")
        /// Starts with, case-sensitive.
        public static let startsWith = Operator(rawValue: "$like")
        /// Does not start with, case-sensitive.
        public static let notStartsWith = Operator(rawValue: "!$like")
        /// Ends with, case-sensitive.
        public static let endsWith = Operator(rawValue: "like$")
        /// Does not end with, case-sensitive.
        public static let notEndsWith = Operator(rawValue: "!like$")
        /// Contains, ignoring case.
        public static let ilike = Operator(rawValue: "ilike")
        /// Does not contain, ignoring case.
        public static let notIlike = Operator(rawValue: "!ilike")
        /// Starts with, ignoring case.
        public static let startsWithIgnoringCase = Operator(rawValue: "$ilike")
        /// Does not start with, ignoring case.
        public static let notStartsWithIgnoringCase = Operator(rawValue: "!$ilike")
        /// Ends with, ignoring case.
        public static let endsWithIgnoringCase = Operator(rawValue: "ilike$")
        /// Does not end with, ignoring case.
        public static let notEndsWithIgnoringCase = Operator(rawValue: "!ilike$")
        /// One of a list of values.
        public static let `in` = Operator(rawValue: "in")
        /// None of a list of values.
        public static let notIn = Operator(rawValue: "!in")
        /// Has no value.
        public static let null = Operator(rawValue: "null")
        /// Has a value.
        public static let notNull = Operator(rawValue: "!null")
        /// The collection is empty.
        public static let empty = Operator(rawValue: "empty")
        /// The collection is not empty (DHIS2 2.42+).
        public static let notEmpty = Operator(rawValue: "!empty")
        /// Every whitespace-separated token matches (as a prefix).
        public static let token = Operator(rawValue: "token")
        /// Not every token matches.
        public static let notToken = Operator(rawValue: "!token")

        /// Every operator named here.
        public static let known: [Operator] = [
            .eq, .ieq, .notEq, .gt, .ge, .lt, .le, .like, .notLike, .startsWith, .notStartsWith, .endsWith,
            .notEndsWith, .ilike, .notIlike, .startsWithIgnoringCase, .notStartsWithIgnoringCase,
            .endsWithIgnoringCase, .notEndsWithIgnoringCase, .in, .notIn, .null, .notNull, .empty, .notEmpty, .token,
            .notToken,
        ]

        /// Whether the operator takes no value (`null`, `!null`, `empty`, `!empty`).
        public var isUnary: Bool { [Operator.null, .notNull, .empty, .notEmpty].contains(self) }

        /// The oldest API version that understands the operator, when it is newer than every supported version.
        ///
        /// The one place this library records operator availability: `!empty` arrived in 2.42 (2.41 answers 400);
        /// `ieq` arrived in 2.41, the oldest version supported, so it needs no entry.
        public var minimumVersion: APIVersion? {
            switch self {
            case .notEmpty: .v42
            default: nil
            }
        }
    }

    private enum Form: Hashable, Sendable {
        case typed(path: PropertyPath, op: Operator, value: String?)
        case text(String)
    }

    private let form: Form

    /// A filter on `path` with `op` and, for operators that take one, `value` rendered as text.
    public init(_ path: PropertyPath, _ op: Operator, _ value: String? = nil) {
        self.form = .typed(path: path, op: op, value: value)
    }

    /// DHIS2's filter text (`name:ilike:anc`), sent unchanged.
    public init(stringLiteral value: String) { self.form = .text(value) }

    /// The filter text, e.g. `dataSetElements.dataSet.id:eq:BfMAe6Itzgt`.
    public var rendered: String {
        switch form {
        case .text(let text): return text
        case .typed(let path, let op, let value):
            guard let value else { return path.rawValue + ":" + op.rawValue }
            return path.rawValue + ":" + op.rawValue + ":" + value
        }
    }

    /// The operator: the typed one, or the second `:`-separated part of a filter given as text.
    public var op: Operator? {
        switch form {
        case .typed(_, let op, _): return op
        case .text(let text):
            let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
            return parts.count >= 2 ? Operator(rawValue: String(parts[1])) : nil
        }
    }

    public var description: String { rendered }

    /// Throws when the server speaking `version` lacks this filter's operator.
    func check(against version: APIVersion) throws(DHIS2Error) {
        guard let op, let minimum = op.minimumVersion, version < minimum else { return }
        throw DHIS2Error(
            code: .invalidRequest,
            message: "The filter \"\(rendered)\" uses the operator `\(op.rawValue)`, which DHIS2 understands from "
                + "API \(minimum) (DHIS2 2.\(minimum.minor)); the connected server speaks API \(version). "
                + (op == .notEmpty
                    ? "Use `\(Filter.Operator.gt.rawValue):0` on the collection (its size) instead."
                    : "Use another operator."))
    }
}

extension Filter {
    private static func text(_ value: some CustomStringConvertible) -> String { value.description }

    /// `path:eq:value` — equals.
    public static func eq(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .eq, text(value))
    }
    /// `path:ieq:value` — equals, ignoring case.
    public static func ieq(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .ieq, text(value))
    }
    /// `path:!eq:value` — not equal.
    public static func notEq(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .notEq, text(value))
    }
    /// `path:gt:value`.
    public static func gt(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .gt, text(value))
    }
    /// `path:ge:value`.
    public static func ge(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .ge, text(value))
    }
    /// `path:lt:value`.
    public static func lt(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .lt, text(value))
    }
    /// `path:le:value`.
    public static func le(_ path: PropertyPath, _ value: some CustomStringConvertible) -> Filter {
        Filter(path, .le, text(value))
    }
    /// `path:like:value` — contains, case-sensitive.
    public static func like(_ path: PropertyPath, _ value: String) -> Filter { Filter(path, .like, value) }
    /// `path:ilike:value` — contains, ignoring case.
    public static func ilike(_ path: PropertyPath, _ value: String) -> Filter { Filter(path, .ilike, value) }
    /// `path:$like:value` — starts with, case-sensitive.
    public static func startsWith(_ path: PropertyPath, _ value: String) -> Filter { Filter(path, .startsWith, value) }
    /// `path:like$:value` — ends with, case-sensitive.
    public static func endsWith(_ path: PropertyPath, _ value: String) -> Filter { Filter(path, .endsWith, value) }
    /// `path:token:value` — every token matches as a prefix.
    public static func token(_ path: PropertyPath, _ value: String) -> Filter { Filter(path, .token, value) }

    /// `path:in:[a,b,c]` — one of `values`.
    public static func `in`(_ path: PropertyPath, _ values: [some CustomStringConvertible]) -> Filter {
        Filter(path, .in, "[" + values.map(\.description).joined(separator: ",") + "]")
    }
    /// `path:!in:[a,b,c]` — none of `values`.
    public static func notIn(_ path: PropertyPath, _ values: [some CustomStringConvertible]) -> Filter {
        Filter(path, .notIn, "[" + values.map(\.description).joined(separator: ",") + "]")
    }

    /// `path:null` — has no value.
    public static func null(_ path: PropertyPath) -> Filter { Filter(path, .null) }
    /// `path:!null` — has a value.
    public static func notNull(_ path: PropertyPath) -> Filter { Filter(path, .notNull) }
    /// `path:empty` — the collection is empty.
    public static func empty(_ path: PropertyPath) -> Filter { Filter(path, .empty) }
    /// `path:!empty` — the collection is not empty (DHIS2 2.42+).
    public static func notEmpty(_ path: PropertyPath) -> Filter { Filter(path, .notEmpty) }
}

/// How the top-level filters of a list combine (`rootJunction`).
public enum RootJunction: String, Hashable, Sendable {
    /// Every filter must match (DHIS2's default).
    case and = "AND"
    /// Any filter may match.
    case or = "OR"
}

/// One ordering of a list (`order=<property>:<direction>`), rendered in DHIS2's syntax.
public struct Order: Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The direction of an ordering.
    public enum Direction: String, Hashable, Sendable {
        /// Ascending.
        case asc
        /// Descending.
        case desc
        /// Ascending, ignoring case.
        case iasc
        /// Descending, ignoring case.
        case idesc
    }

    /// The text of the ordering, e.g. `name:asc`.
    public let rendered: String

    /// An ordering on `property` in `direction`.
    public init(_ property: PropertyPath, _ direction: Direction = .asc) {
        self.rendered = property.rawValue + ":" + direction.rawValue
    }

    /// DHIS2's ordering text (`name:desc`), sent unchanged.
    public init(stringLiteral value: String) { self.rendered = value }

    /// Ascending on `property`.
    public static func asc(_ property: PropertyPath) -> Order { Order(property, .asc) }
    /// Descending on `property`.
    public static func desc(_ property: PropertyPath) -> Order { Order(property, .desc) }
    /// Ascending on `property`, ignoring case.
    public static func iasc(_ property: PropertyPath) -> Order { Order(property, .iasc) }
    /// Descending on `property`, ignoring case.
    public static func idesc(_ property: PropertyPath) -> Order { Order(property, .idesc) }

    public var description: String { rendered }
}
