import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// The options of one `POST /api/dataValueSets` (query parameters, overridden by the payload's own), and their echo
/// in the ImportSummary's `importOptions` [core/2.42 ImportOptions] [reference §7.1].
struct DataValueImportOptions: Sendable {
    /// The strategy as sent (echoed), and what it means.
    var strategyName = "CREATE_AND_UPDATE"
    var strategy = Strategy.createAndUpdate
    var dryRun = false
    var isAsync = false
    var skipExistingCheck = false
    var skipAudit = false
    var force = false
    var dataElementScheme = IdentifierScheme.uid
    var orgUnitScheme = IdentifierScheme.uid
    var optionComboScheme = IdentifierScheme.uid
    var dataSetScheme = IdentifierScheme.uid
    /// Non-default schemes as sent, by parameter name (for the echo).
    var schemeNames: [String: String] = [:]

    enum Strategy: Sendable { case create, update, createAndUpdate, delete }

    /// DHIS2's `ImportStrategy` constants, the legacy aliases included.
    static let strategies: [String: Strategy] = [
        "CREATE": .create, "UPDATE": .update, "CREATE_AND_UPDATE": .createAndUpdate, "DELETE": .delete,
        "NEW_AND_UPDATES": .createAndUpdate, "NEW": .create, "UPDATES": .update, "DELETES": .delete,
        "SYNC": .createAndUpdate,
    ]
    static let strategyOrder = [
        "CREATE", "UPDATE", "CREATE_AND_UPDATE", "DELETE", "SYNC", "NEW_AND_UPDATES", "NEW", "UPDATES", "DELETES",
    ]

    /// Reads the query; a bad enum value is the 400 DHIS2's argument binding answers.
    init(query: QueryParameters) throws(DataValueRequestError) {
        func flag(_ name: String) -> Bool { query[name]?.lowercased() == "true" }
        dryRun = flag("dryRun")
        isAsync = flag("async")
        skipExistingCheck = flag("skipExistingCheck")
        skipAudit = flag("skipAudit")
        force = flag("force")
        if let strategy = query["importStrategy"] ?? query["strategy"] {
            try setStrategy(strategy, parameter: query["importStrategy"] != nil ? "importStrategy" : "strategy")
        }
        try applySchemes { query[$0] }
    }

    mutating func setStrategy(_ name: String, parameter: String) throws(DataValueRequestError) {
        guard let strategy = Self.strategies[name.uppercased()] else {
            throw .badRequest(
                "Value '\(name)' is not valid for parameter \(parameter). Valid values are: "
                    + DataValueRules.javaList(Self.strategyOrder))
        }
        strategyName = name.uppercased()
        self.strategy = strategy
    }

    /// `idScheme` sets every scheme; the specific ones win over it.
    mutating func applySchemes(_ value: (String) -> String?) throws(DataValueRequestError) {
        func scheme(_ name: String) throws(DataValueRequestError) -> IdentifierScheme? {
            guard let text = value(name), !text.isEmpty else { return nil }
            guard let scheme = IdentifierScheme(parameter: text) else {
                throw .badRequest("Unsupported id scheme `\(text)` for \(name): the emulator resolves UID and CODE")
            }
            schemeNames[name] = text.uppercased()
            return scheme
        }
        if let all = try scheme("idScheme") {
            dataElementScheme = all
            orgUnitScheme = all
            optionComboScheme = all
            dataSetScheme = all
        }
        if let element = try scheme("dataElementIdScheme") { dataElementScheme = element }
        if let unit = try scheme("orgUnitIdScheme") { orgUnitScheme = unit }
        if let combo = try scheme("categoryOptionComboIdScheme") { optionComboScheme = combo }
        if let set = try scheme("dataSetIdScheme") { dataSetScheme = set }
    }

    /// The `importOptions` echo, as 2.41–2.44 write it (reference §7.2 example; the full member list of
    /// `ImportOptions`, defaults included).
    var json: JSONValue {
        var idSchemes: [String: JSONValue] = [:]
        for (name, scheme) in schemeNames { idSchemes[name] = ["type": .string(scheme)] }
        return [
            "idSchemes": .object(idSchemes), "dryRun": .bool(dryRun), "async": .bool(isAsync),
            "importStrategy": .string(strategyName), "mergeMode": "REPLACE", "reportMode": "FULL",
            "skipExistingCheck": .bool(skipExistingCheck), "sharing": false, "skipNotifications": false,
            "skipAudit": .bool(skipAudit), "datasetAllowsPeriods": false, "strictPeriods": false,
            "strictDataElements": false, "strictCategoryOptionCombos": false, "strictAttributeOptionCombos": false,
            "strictOrganisationUnits": false, "strictDataSetApproval": false, "strictDataSetLocking": false,
            "strictDataSetInputPeriods": false, "requireCategoryOptionCombo": false,
            "requireAttributeOptionCombo": false, "skipPatternValidation": false, "ignoreEmptyCollection": false,
            "force": .bool(force), "firstRowIsHeader": true, "skipLastUpdated": false, "mergeDataValues": false,
            "skipCache": false,
        ]
    }
}

/// A request the data value endpoints refuse before importing anything.
enum DataValueRequestError: Error, Sendable {
    /// 400, as Spring's argument binding or DHIS2's `BadRequestException` answers.
    case badRequest(String)
    /// 409 with an error code (`ConflictException`, `IllegalQueryException`).
    case conflict(String, errorCode: String?)

    var response: Response {
        switch self {
        case .badRequest(let message): Reply.webMessage(.badRequest, message: message)
        case .conflict(let message, let errorCode): Reply.webMessage(.conflict, message: message, errorCode: errorCode)
        }
    }
}

/// Collects conflicts the way DHIS2 aggregates them: one conflict per error code and objects, with every row index
/// it applies to [core/2.42 ImportConflicts, DHIS2-4414].
struct ConflictCollector: Sendable {
    private struct Entry: Sendable {
        var members: [String: JSONValue]
        var indexes: [Int]
        var hasIndexes: Bool
    }

    private var order: [String] = []
    private var entries: [String: Entry] = [:]
    private(set) var rejected: Set<Int> = []

    var isEmpty: Bool { order.isEmpty }

    /// Adds a conflict; `index` `nil` for one about the whole request (no `indexes`).
    mutating func add(
        code: String, message: String, object: String?, objects: [(String, String)], property: String?,
        indexes: [Int]?, rejecting: Bool = true
    ) {
        let key = code + "|" + objects.map { $0.0 + "=" + $0.1 }.joined(separator: "|")
        if entries[key] == nil {
            var members: [String: JSONValue] = [
                "objects": .object(Dictionary(objects.map { ($0.0, JSONValue.string($0.1)) }) { first, _ in first }),
                "value": .string(message), "errorCode": .string(code),
            ]
            if let object { members["object"] = .string(object) }
            if let property { members["property"] = .string(property) }
            order.append(key)
            entries[key] = Entry(members: members, indexes: [], hasIndexes: indexes != nil)
        }
        if let indexes {
            entries[key]?.indexes.append(contentsOf: indexes)
            if rejecting { rejected.formUnion(indexes.filter { $0 >= 0 }) }
        }
    }

    var json: [JSONValue] {
        order.compactMap { key in
            guard let entry = entries[key] else { return nil }
            var members = entry.members
            if entry.hasIndexes { members["indexes"] = .array(entry.indexes.map { .number(Double($0)) }) }
            return .object(members)
        }
    }

    var rejectedJSON: JSONValue { .array(rejected.sorted().map { .number(Double($0)) }) }
}

/// The result of an import, before it becomes an ImportSummary.
struct DataValueImportResult: Sendable {
    enum Status: String, Sendable { case success = "SUCCESS", warning = "WARNING", error = "ERROR" }

    var status: Status
    var imported = 0
    var updated = 0
    var ignored = 0
    var deleted = 0
    var conflicts = ConflictCollector()
    var description: String?
    var dataSetComplete: String?

    /// The bare ImportSummary (the async job's summary, and the WebMessage's `response`).
    func summary(options: DataValueImportOptions) -> JSONValue {
        var summary: [String: JSONValue] = [
            "responseType": "ImportSummary", "status": .string(status.rawValue), "importOptions": options.json,
            "importCount": [
                "imported": .number(Double(imported)), "updated": .number(Double(updated)),
                "ignored": .number(Double(ignored)), "deleted": .number(Double(deleted)),
            ],
            "conflicts": .array(conflicts.json), "rejectedIndexes": conflicts.rejectedJSON,
        ]
        if let description { summary["description"] = .string(description) }
        if let dataSetComplete { summary["dataSetComplete"] = .string(dataSetComplete) }
        return .object(summary)
    }

    /// The WebMessage DHIS2 wraps the summary in: 200 `OK` for SUCCESS, 409 `WARNING`/`ERROR` otherwise
    /// [core/2.42 WebMessageUtils.importSummary] [reference §7.2].
    func response(options: DataValueImportOptions) -> Response {
        var headers = HTTPFields()
        headers[.cacheControl] = "no-store"
        switch status {
        case .success:
            return Reply.webMessage(
                .ok, messageStatus: "OK", message: "Import was successful.", response: summary(options: options),
                headers: headers)
        case .warning:
            return Reply.webMessage(
                .conflict, messageStatus: "WARNING",
                message: "One more conflicts encountered, please check import summary.",
                response: summary(options: options), headers: headers)
        case .error:
            return Reply.webMessage(
                .conflict, messageStatus: "ERROR", message: "An error occurred, please check import summary.",
                response: summary(options: options), headers: headers)
        }
    }
}
