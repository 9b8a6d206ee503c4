import DHIS2Core
import DHIS2Models
import Foundation

/// A metadata bundle as `GET /api/metadata` returns it and `POST /api/metadata` takes it: objects grouped by the
/// plural name of their type (`{"dataElements": […], "indicators": […]}`), plus the export's `system` block.
///
/// Objects are kept as JSON so that every type, known to the generated models or not, survives a round trip;
/// ``objects(_:)`` and ``append(_:)`` read and write them as models.
public struct MetadataBundle: Hashable, Sendable {
    /// The objects of each type, keyed by the type's plural name (`dataElements`).
    public var objects: [String: [JSONValue]]
    /// The export's `system` block (`id`, `rev`, `version`, `date`); DHIS2 ignores it on import.
    public var system: JSONValue?

    /// A bundle of `objects`, keyed by plural type name.
    public init(objects: [String: [JSONValue]] = [:], system: JSONValue? = nil) {
        self.objects = objects
        self.system = system
    }

    /// Reads a bundle from its JSON form: every member but `system` must be an array.
    ///
    /// - Throws: ``DHIS2Error`` with code `decoding` when `json` is not an object or a member is not an array.
    public init(json: JSONValue) throws(DHIS2Error) {
        guard let members = json.objectValue else {
            throw DHIS2Error(code: .decoding, message: "A metadata bundle is a JSON object; this is not one.")
        }
        var objects: [String: [JSONValue]] = [:]
        for (key, value) in members where key != "system" {
            guard let array = value.arrayValue else {
                throw DHIS2Error(
                    code: .decoding, message: "The bundle's \"\(key)\" member is not an array.", codingPath: [key])
            }
            objects[key] = array
        }
        self.init(objects: objects, system: members["system"])
    }

    /// The bundle in DHIS2's JSON form, `system` included when present.
    public var json: JSONValue {
        var members = objects.mapValues { JSONValue.array($0) }
        if let system { members["system"] = system }
        return .object(members)
    }

    /// The plural names of the types the bundle holds objects of, sorted.
    public var types: [String] { objects.filter { !$0.value.isEmpty }.keys.sorted() }

    /// How many objects the bundle holds, over every type.
    public var count: Int { objects.values.reduce(0) { $0 + $1.count } }

    /// The bundle's objects of `model`'s type, decoded; empty when it holds none.
    ///
    /// - Throws: ``DHIS2Error`` with code `decoding`, naming the type and position, when an object does not have
    ///   the model's shape.
    public func objects<Model: MetadataModel>(_ model: Model.Type) throws(DHIS2Error) -> [Model] {
        let key = Model.schema.plural
        var models: [Model] = []
        for (index, value) in (objects[key] ?? []).enumerated() {
            do {
                models.append(try Model(jsonValue: value))
            } catch {
                throw DHIS2Error(
                    code: .decoding, message: "The bundle's \(key)[\(index)] is not a \(Model.schema.typeName): \(error)",
                    codingPath: [key, String(index)], underlying: "\(error)")
            }
        }
        return models
    }

    /// Adds `models` to the objects of their type.
    ///
    /// - Throws: ``DHIS2Error`` with code `invalidRequest` when a model cannot be encoded as JSON.
    public mutating func append<Model: MetadataModel>(_ models: [Model]) throws(DHIS2Error) {
        var encoded: [JSONValue] = []
        encoded.reserveCapacity(models.count)
        for model in models {
            do {
                encoded.append(try model.jsonValue())
            } catch {
                throw DHIS2Error(
                    code: .invalidRequest,
                    message: "The \(Model.schema.typeName) could not be encoded as JSON: \(error)",
                    underlying: "\(error)")
            }
        }
        objects[Model.schema.plural, default: []].append(contentsOf: encoded)
    }
}

/// The options of `POST /api/metadata` (reference §6.1). A `nil` option is not sent, so DHIS2's default applies.
public struct MetadataImportOptions: Hashable, Sendable {
    /// `importMode`: commit the changes, or only validate them (a dry run; DHIS2 has no `dryRun` for metadata).
    public struct ImportMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `COMMIT` (DHIS2's default).
        public static let commit = ImportMode(rawValue: "COMMIT")
        /// `VALIDATE`: the full import runs and reports, nothing is stored.
        public static let validate = ImportMode(rawValue: "VALIDATE")
        public var description: String { rawValue }
    }

    /// `atomicMode`: whether one invalid object stops the whole import.
    public struct AtomicMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `ALL` (DHIS2's default): any validation error and nothing is stored.
        public static let all = AtomicMode(rawValue: "ALL")
        /// `NONE`: the valid objects are stored, the invalid ones reported. (Not named `none`, which
        /// `Optional.none` would shadow where an optional mode is expected.)
        public static let nonAtomic = AtomicMode(rawValue: "NONE")
        public var description: String { rawValue }
    }

    /// `importStrategy`: what to do with objects that exist or do not.
    public struct ImportStrategy: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `CREATE_AND_UPDATE` (DHIS2's default).
        public static let createAndUpdate = ImportStrategy(rawValue: "CREATE_AND_UPDATE")
        /// `CREATE`: an object that already exists is an error.
        public static let create = ImportStrategy(rawValue: "CREATE")
        /// `UPDATE`: an object that does not exist is an error.
        public static let update = ImportStrategy(rawValue: "UPDATE")
        /// `DELETE`: the bundle's objects are deleted.
        public static let delete = ImportStrategy(rawValue: "DELETE")
        public var description: String { rawValue }
    }

    /// `identifier`: how objects and references are matched to stored objects.
    public struct Identifier: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `UID` (DHIS2's default).
        public static let uid = Identifier(rawValue: "UID")
        /// `CODE`.
        public static let code = Identifier(rawValue: "CODE")
        /// `AUTO`: the identifier, else the code.
        public static let auto = Identifier(rawValue: "AUTO")
        public var description: String { rawValue }
    }

    /// `importReportMode`: how much of each object the report describes.
    public struct ReportMode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
        public let rawValue: String
        public init(rawValue: String) { self.rawValue = rawValue }
        /// `ERRORS` (DHIS2's default): object reports only for objects with errors.
        public static let errors = ReportMode(rawValue: "ERRORS")
        /// `FULL`: one object report per object.
        public static let full = ReportMode(rawValue: "FULL")
        /// `DEBUG`: like `FULL`, with display names.
        public static let debug = ReportMode(rawValue: "DEBUG")
        /// `ERRORS_NOT_OWNER`.
        public static let errorsNotOwner = ReportMode(rawValue: "ERRORS_NOT_OWNER")
        public var description: String { rawValue }
    }

    public var importMode: ImportMode?
    public var atomicMode: AtomicMode?
    public var importStrategy: ImportStrategy?
    public var identifier: Identifier?
    public var importReportMode: ReportMode?
    /// `skipSharing`: ignore the objects' sharing.
    public var skipSharing: Bool?
    /// `skipTranslation`: keep the stored translations.
    public var skipTranslation: Bool?
    /// `skipValidation`: skip the schema validation.
    public var skipValidation: Bool?

    public init(
        importMode: ImportMode? = nil, atomicMode: AtomicMode? = nil, importStrategy: ImportStrategy? = nil,
        identifier: Identifier? = nil, importReportMode: ReportMode? = nil, skipSharing: Bool? = nil,
        skipTranslation: Bool? = nil, skipValidation: Bool? = nil
    ) {
        self.importMode = importMode
        self.atomicMode = atomicMode
        self.importStrategy = importStrategy
        self.identifier = identifier
        self.importReportMode = importReportMode
        self.skipSharing = skipSharing
        self.skipTranslation = skipTranslation
        self.skipValidation = skipValidation
    }

    /// DHIS2's defaults: commit, atomic, create and update, by UID.
    public static let `default` = MetadataImportOptions()

    /// A dry run: `importMode=VALIDATE`, everything else DHIS2's default.
    public static let dryRun = MetadataImportOptions(importMode: .validate)

    /// The query parameters, in a fixed order.
    public var queryItems: [URLQueryItem] {
        let pairs: [(String, String?)] = [
            ("importMode", importMode?.rawValue), ("atomicMode", atomicMode?.rawValue),
            ("importStrategy", importStrategy?.rawValue), ("identifier", identifier?.rawValue),
            ("importReportMode", importReportMode?.rawValue), ("skipSharing", skipSharing.map(String.init)),
            ("skipTranslation", skipTranslation.map(String.init)), ("skipValidation", skipValidation.map(String.init)),
        ]
        return pairs.compactMap { name, value in value.map { URLQueryItem(name: name, value: $0) } }
    }
}

/// What `POST /api/metadata` answered: the WebMessage, its ImportReport and what the import achieved.
public struct MetadataImportResult: Hashable, Sendable {
    /// The whole WebMessage (HTTP 200 when the report is `OK`, otherwise 409 with envelope status `WARNING`).
    public var webMessage: WebMessage
    /// The ImportReport: status, stats, and per type the object reports with their error reports.
    public var report: ImportReport
    /// Succeeded, partial or failed, with counts and conflicts (see ``ImportOutcome``).
    public var outcome: ImportOutcome

    public init(webMessage: WebMessage, report: ImportReport, outcome: ImportOutcome) {
        self.webMessage = webMessage
        self.report = report
        self.outcome = outcome
    }
}

/// Whether `GET /api/metadata` includes DHIS2's generated `default` category objects.
public struct MetadataExportDefaults: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
    /// `INCLUDE` (DHIS2's default).
    public static let include = MetadataExportDefaults(rawValue: "INCLUDE")
    /// `EXCLUDE`: leave out the `default` category, option, combination and option combination.
    public static let exclude = MetadataExportDefaults(rawValue: "EXCLUDE")
    public var description: String { rawValue }
}

extension MetadataResources {
    /// Exports metadata (`GET /api/metadata`) as a bundle.
    ///
    /// - Parameters:
    ///   - types: the types to export (`[DataElement.self, Indicator.self]`, sent as `dataElements=true&…`); empty
    ///     exports every metadata type, which can be large.
    ///   - fields: the fields of every exported object; DHIS2's default is `:owner`, the form an import takes.
    ///   - filters: object filters applied to every exported type; an operator the server's version lacks is
    ///     refused before anything is sent.
    ///   - typeFilters: object filters for one type, keyed by the model type's plural name
    ///     (`["dataElements": ["code:eq:A"]]`, sent as `dataElements:filter=…`).
    ///   - defaults: whether DHIS2's generated `default` category objects are included.
    ///   - skipSharing: leave out the objects' sharing.
    /// - Throws: ``DHIS2Error`` — `invalidRequest` for an operator the server lacks; `api` (400) for a filter DHIS2
    ///   rejects; `decoding` when the answer is not a bundle.
    public func export(
        types: [any MetadataModel.Type] = [], fields: Fields? = nil, filters: [Filter] = [],
        typeFilters: [String: [Filter]] = [:], defaults: MetadataExportDefaults? = nil, skipSharing: Bool? = nil
    ) async throws(DHIS2Error) -> MetadataBundle {
        var query: [URLQueryItem] = []
        var seen: Set<String> = []
        for type in types where seen.insert(type.schema.plural).inserted {
            query.append(URLQueryItem(name: type.schema.plural, value: "true"))
        }
        if let fields { query.append(URLQueryItem(name: "fields", value: fields.rendered)) }
        for filter in filters {
            try filter.check(against: client.apiVersion)
            query.append(URLQueryItem(name: "filter", value: filter.rendered))
        }
        for plural in typeFilters.keys.sorted() {
            for filter in typeFilters[plural] ?? [] {
                try filter.check(against: client.apiVersion)
                query.append(URLQueryItem(name: plural + ":filter", value: filter.rendered))
            }
        }
        if let defaults { query.append(URLQueryItem(name: "defaults", value: defaults.rawValue)) }
        if let skipSharing { query.append(URLQueryItem(name: "skipSharing", value: String(skipSharing))) }
        let json = try await client.get("/api/metadata", query: query)
        do {
            return try MetadataBundle(json: json)
        } catch {
            var failure = error
            failure.method = "GET"
            failure.path = "/api/metadata"
            throw failure
        }
    }

    /// Imports `bundle` (`POST /api/metadata`) and returns the typed ImportReport and outcome, also when DHIS2
    /// rejects objects (HTTP 409): a rejected import is a result, not a thrown error.
    ///
    /// With `options.importMode = .validate` (``MetadataImportOptions/dryRun``) the import is validated and
    /// reported, and nothing is stored. The bundle's `system` block is sent as it is; DHIS2 ignores it.
    ///
    /// - Throws: ``DHIS2Error`` — `api` (400) when DHIS2 cannot read the payload; `decoding` when the answer
    ///   carries no ImportReport.
    public func `import`(_ bundle: MetadataBundle, options: MetadataImportOptions = .default)
        async throws(DHIS2Error) -> MetadataImportResult
    {
        let message = try await client.webMessage(.post, "/api/metadata", query: options.queryItems, body: bundle.json)
        guard let report = message.importReport else {
            throw DHIS2Error(
                code: .decoding, message: "The answer to the metadata import carries no ImportReport.", method: "POST",
                path: "/api/metadata", status: message.httpStatusCode, webMessage: message)
        }
        return MetadataImportResult(webMessage: message, report: report, outcome: message.outcome ?? report.outcome)
    }
}
