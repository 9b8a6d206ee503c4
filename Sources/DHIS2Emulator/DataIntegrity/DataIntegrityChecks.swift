import DHIS2
import Foundation

/// One object a data integrity check flags: DHIS2's `DataIntegrityIssue` (`id`, `name`, optional `comment`).
struct DataIntegrityFinding: Sendable, Hashable {
    let id: String
    let name: String
    var comment: String?

    var json: JSONValue {
        var members: [String: JSONValue] = ["id": .string(id), "name": .string(name)]
        if let comment { members["comment"] = .string(comment) }
        return .object(members)
    }
}

/// What evaluating one check over the stored metadata found.
struct DataIntegrityOutcome: Sendable {
    /// The flagged objects, in the order DHIS2's details query returns them.
    let issues: [DataIntegrityFinding]
    /// The count DHIS2's summary query divides by for `percent`; `nil` when it has none.
    let denominator: Int?
}

/// One of DHIS2's YAML-defined data integrity checks (dhis2-core
/// `dhis-service-administration/src/main/resources/data-integrity-checks/**.yaml`), evaluated over the emulator's
/// metadata instead of by the YAML's SQL. Names, sections, section orders, severities and issue id types are DHIS2's;
/// `introduction` and `recommendation` are short texts of our own with the same intent.
struct DataIntegrityCheckDefinition: Sendable {
    let name: String
    let description: String
    let section: String
    let sectionOrder: Int
    /// `INFO`, `WARNING`, `SEVERE` or `CRITICAL`.
    let severity: String
    let issuesIdType: String
    let introduction: String
    let recommendation: String
    /// Whether the summary SQL computes `100.0 * count / total` (a decimal) rather than `100 * count / total`,
    /// which PostgreSQL evaluates in integer arithmetic (truncated).
    let decimalPercentage: Bool
    let evaluate: @Sendable (DataIntegrityMetadata) -> DataIntegrityOutcome

    /// DHIS2 loads YAML checks with `isSlow` from the file (false for all of these) and `isProgrammatic` false.
    var isSlow: Bool { false }

    /// The initials of the name's words, upper-cased (`orgunits_invalid_geometry` → `OIG`) [docs/2.42 data-validation.md].
    var code: String {
        String(name.split(separator: "_").compactMap(\.first)).uppercased()
    }

    /// DHIS2 takes the display name from its i18n bundle (`<name>.name`) and falls back to the name with `_` replaced
    /// by spaces [core DataIntegrityYamlReader.acceptDataIntegrityCheck]; the emulator has no bundle, so it uses the
    /// fallback.
    var displayName: String { name.replacingOccurrences(of: "_", with: " ") }

    /// `count` and `percent` the way the check's summary SQL computes them.
    func percentage(count: Int, denominator: Int?) -> Double? {
        guard let denominator, denominator > 0 else { return nil }
        if decimalPercentage { return 100.0 * Double(count) / Double(denominator) }
        return Double(100 * count / denominator)
    }
}

/// Read access to the stored metadata the checks need (owner sides only: DHIS2 stores each association once).
struct DataIntegrityMetadata: Sendable {
    let snapshot: StoreSnapshot

    /// The stored objects of a type, by UID.
    func objects(_ plural: String) -> [String: JSONValue] { snapshot.objects[plural] ?? [:] }

    /// The UIDs referenced by a collection property across every object of a type.
    func referencedIDs(_ plural: String, _ property: String) -> Set<String> {
        var ids = Set<String>()
        for object in objects(plural).values { ids.formUnion(MetadataView.referencedIDs(object[property])) }
        return ids
    }

    static func name(_ object: JSONValue, id: String) -> String { object["name"]?.stringValue ?? id }

    /// Findings sorted as `ORDER BY name` sorts them (case-insensitively here), then by UID.
    static func sortedByName(_ findings: [DataIntegrityFinding]) -> [DataIntegrityFinding] {
        findings.sorted {
            let order = $0.name.localizedCaseInsensitiveCompare($1.name)
            return order == .orderedSame ? $0.id < $1.id : order == .orderedAscending
        }
    }

    /// Every object of `plural` (optionally only those passing `include`) that `flagged` selects, sorted by name,
    /// with the denominator being the number of included objects.
    func flag(
        _ plural: String, include: (JSONValue) -> Bool = { _ in true },
        comment: (JSONValue) -> String? = { _ in nil }, sort: Bool = true, _ flagged: (String, JSONValue) -> Bool
    ) -> DataIntegrityOutcome {
        var total = 0
        var findings: [DataIntegrityFinding] = []
        for (id, object) in objects(plural) where include(object) {
            total += 1
            if flagged(id, object) {
                findings.append(DataIntegrityFinding(id: id, name: Self.name(object, id: id), comment: comment(object)))
            }
        }
        return DataIntegrityOutcome(issues: sort ? Self.sortedByName(findings) : findings, denominator: total)
    }
}

extension DataIntegrityCheckDefinition {
    private static func isAggregate(_ object: JSONValue) -> Bool {
        (object["domainType"]?.stringValue ?? "AGGREGATE") == "AGGREGATE"
    }

    /// The checks the emulator computes, in DHIS2's section order.
    static let all: [DataIntegrityCheckDefinition] = [
        // MARK: Categories
        DataIntegrityCheckDefinition(
            name: "categories_no_options", description: "Categories with no category options",
            section: "Categories", sectionOrder: 2, severity: "WARNING", issuesIdType: "categories",
            introduction: "A category needs at least one category option to be of any use.",
            recommendation: "Add the appropriate options to each listed category, or delete it when nothing uses it.",
            decimalPercentage: false,
            evaluate: { metadata in
                metadata.flag("categories") { _, object in
                    MetadataView.referencedIDs(object["categoryOptions"]).isEmpty
                }
            }),
        DataIntegrityCheckDefinition(
            name: "category_combos_unused", description: "Category combinations not used by other metadata objects",
            section: "Categories", sectionOrder: 6, severity: "WARNING", issuesIdType: "categoryCombos",
            introduction: """
                Category combinations that no data set, data set element, data element, program or data approval \
                workflow uses are probably leftovers and make it harder to pick the right one.
                """,
            recommendation: """
                Make sure no data is attached to the listed category combinations, then delete those that are no \
                longer needed.
                """,
            decimalPercentage: false,
            evaluate: { metadata in
                var used = Set<String>()
                for plural in ["dataSets", "dataElements", "programs", "dataApprovalWorkflows"] {
                    used.formUnion(metadata.referencedIDs(plural, "categoryCombo"))
                }
                for dataSet in metadata.objects("dataSets").values {
                    for element in dataSet["dataSetElements"]?.arrayValue ?? [] {
                        used.formUnion(MetadataView.referencedIDs(element["categoryCombo"]))
                    }
                }
                // The details query returns `CAST(created AS text)` as the comment, in no particular order.
                return metadata.flag("categoryCombos", comment: { object in
                    object["created"]?.stringValue.flatMap(PostgresTimestampText.init)?.text
                }) { id, _ in !used.contains(id) }
            }),
        // MARK: Data elements (aggregate)
        DataIntegrityCheckDefinition(
            name: "data_elements_aggregate_no_groups", description: "Aggregate data elements not in any data element groups.",
            section: "Data elements (aggregate)", sectionOrder: 4, severity: "WARNING", issuesIdType: "dataElements",
            introduction: """
                Data elements in groups are easier to find in the analysis apps and to maintain in bulk, and make \
                group sets more complete.
                """,
            recommendation: "Add each listed data element to a suitable group, or delete it when it is not needed.",
            decimalPercentage: false,
            evaluate: { metadata in
                let grouped = metadata.referencedIDs("dataElementGroups", "dataElements")
                return metadata.flag("dataElements", include: isAggregate) { id, _ in !grouped.contains(id) }
            }),
        DataIntegrityCheckDefinition(
            name: "data_elements_without_datasets", description: "Aggregate data elements which are not a member of any dataset",
            section: "Data elements (aggregate)", sectionOrder: 7, severity: "WARNING", issuesIdType: "dataElements",
            introduction: """
                An aggregate data element outside every data set cannot be entered. That can be intended (historical \
                data), or the data element may simply be unused.
                """,
            recommendation: """
                Add the listed data elements to the data sets they belong to; delete those without data that are no \
                longer used.
                """,
            decimalPercentage: false,
            evaluate: { metadata in
                var members = Set<String>()
                for dataSet in metadata.objects("dataSets").values {
                    for element in dataSet["dataSetElements"]?.arrayValue ?? [] {
                        members.formUnion(MetadataView.referencedIDs(element["dataElement"]))
                    }
                }
                return metadata.flag("dataElements", include: isAggregate) { id, _ in !members.contains(id) }
            }),
        // MARK: Data sets
        DataIntegrityCheckDefinition(
            name: "datasets_empty", description: "Datasets without data elements",
            section: "Data sets", sectionOrder: 1, severity: "WARNING", issuesIdType: "dataSets",
            introduction: "A data set without data elements collects nothing.",
            recommendation: "Assign data elements to the listed data sets, or delete them.",
            decimalPercentage: false,
            evaluate: { metadata in
                metadata.flag("dataSets") { _, object in (object["dataSetElements"]?.arrayValue ?? []).isEmpty }
            }),
        DataIntegrityCheckDefinition(
            name: "datasets_not_assigned_to_org_units",
            description: "Data sets which have not been assigned to any organisation units",
            section: "Data sets", sectionOrder: 2, severity: "WARNING", issuesIdType: "dataSets",
            introduction: """
                A data set assigned to no organisation unit is not available for data entry; unused data sets are \
                better removed.
                """,
            recommendation: """
                Assign the listed data sets to the organisation units that report them, or delete those no longer \
                needed.
                """,
            decimalPercentage: false,
            evaluate: { metadata in
                metadata.flag("dataSets") { _, object in
                    MetadataView.referencedIDs(object["organisationUnits"]).isEmpty
                }
            }),
        // MARK: Indicators
        DataIntegrityCheckDefinition(
            name: "indicators_not_grouped", description: "Indicators not in any groups.",
            section: "Indicators", sectionOrder: 2, severity: "WARNING", issuesIdType: "indicators",
            introduction: """
                Indicators in groups are easier to find in the analysis apps and to maintain in bulk, and make group \
                sets more complete.
                """,
            recommendation: "Add each listed indicator to a suitable group, or delete it when it is not needed.",
            decimalPercentage: false,
            evaluate: { metadata in
                let grouped = metadata.referencedIDs("indicatorGroups", "indicators")
                return metadata.flag("indicators") { id, _ in !grouped.contains(id) }
            }),
        DataIntegrityCheckDefinition(
            name: "indicators_exact_duplicates", description: "Indicators with the same formula.",
            section: "Indicators", sectionOrder: 8, severity: "WARNING", issuesIdType: "indicators",
            introduction: """
                Two indicators with the same numerator and denominator (ignoring spaces) compute the same thing and \
                leave users guessing which to use.
                """,
            recommendation: "Keep one indicator of each listed group of duplicates and delete the others.",
            decimalPercentage: false,
            evaluate: { metadata in
                let indicators = metadata.objects("indicators")
                func text(_ object: JSONValue, _ key: String) -> String { object[key]?.stringValue ?? "" }
                var byExpression: [String: [String]] = [:]
                for (id, object) in indicators {
                    let expression = (text(object, "numerator") + text(object, "denominator"))
                        .replacingOccurrences(of: " ", with: "")
                    byExpression[expression, default: []].append(id)
                }
                var findings: [DataIntegrityFinding] = []
                for ids in byExpression.values where ids.count > 1 {
                    for id in ids {
                        guard let object = indicators[id] else { continue }
                        findings.append(DataIntegrityFinding(
                            id: id, name: DataIntegrityMetadata.name(object, id: id),
                            comment: text(object, "numerator") + "/" + text(object, "denominator")))
                    }
                }
                // `ORDER BY comment`.
                findings.sort { ($0.comment ?? "", $0.id) < ($1.comment ?? "", $1.id) }
                return DataIntegrityOutcome(issues: findings, denominator: indicators.count)
            }),
        // MARK: Option sets
        DataIntegrityCheckDefinition(
            name: "options_sets_empty", description: "Empty option sets",
            section: "Option sets", sectionOrder: 3, severity: "WARNING", issuesIdType: "optionSets",
            introduction: "An option set without options offers nothing to choose from.",
            recommendation: "Add options to the listed option sets, or delete them.",
            decimalPercentage: false,
            evaluate: { metadata in
                // Both sides are stored: the option set lists its options, each option names its option set.
                let named = metadata.referencedIDs("options", "optionSet")
                return metadata.flag("optionSets") { id, object in
                    MetadataView.referencedIDs(object["options"]).isEmpty && !named.contains(id)
                }
            }),
        // MARK: Organisation units
        DataIntegrityCheckDefinition(
            name: "orgunits_trailing_spaces", description: "Organisation units should not have trailing spaces.",
            section: "Organisation units", sectionOrder: 4, severity: "WARNING", issuesIdType: "organisationUnits",
            introduction: "Trailing spaces in organisation unit names or short names serve no purpose.",
            recommendation: "Remove the trailing spaces from the listed names and short names.",
            decimalPercentage: false,
            evaluate: { metadata in
                func trailing(_ text: String?) -> Bool { text?.last.map { $0.isWhitespace } ?? false }
                return metadata.flag("organisationUnits", comment: { $0["shortName"]?.stringValue }) { _, object in
                    trailing(object["name"]?.stringValue) || trailing(object["shortName"]?.stringValue)
                }
            }),
        DataIntegrityCheckDefinition(
            name: "orgunits_openingdate_gt_closeddate",
            description: "Organisation units which have an opening date later than the closed date.",
            section: "Organisation units", sectionOrder: 5, severity: "SEVERE", issuesIdType: "organisationUnits",
            introduction: "An organisation unit that has a closed date should have opened before it.",
            recommendation: "Correct the opening or the closed date of the listed organisation units.",
            decimalPercentage: false,
            evaluate: { metadata in
                metadata.flag("organisationUnits") { _, object in
                    guard let opening = object["openingDate"]?.stringValue.flatMap(DHIS2Date.parse),
                        let closed = object["closedDate"]?.stringValue.flatMap(DHIS2Date.parse)
                    else { return false }
                    return opening > closed
                }
            }),
        DataIntegrityCheckDefinition(
            name: "orgunits_orphaned", description: "Orphaned organisation units.",
            section: "Organisation units", sectionOrder: 9, severity: "CRITICAL", issuesIdType: "organisationUnits",
            introduction: """
                An orphaned organisation unit has neither a parent nor children, so it is outside the hierarchy; \
                faulty imports usually cause it.
                """,
            recommendation: "Give the listed organisation units a parent, or delete them.",
            decimalPercentage: false,
            evaluate: { metadata in
                let parents = metadata.referencedIDs("organisationUnits", "parent")
                // The details query has no ORDER BY; sort by name for a stable answer.
                return metadata.flag("organisationUnits") { id, object in
                    object["parent"]?["id"]?.stringValue == nil && !parents.contains(id)
                }
            }),
        DataIntegrityCheckDefinition(
            name: "orgunits_same_name_and_parent", description: "Organisation units should not have the same name and parent",
            section: "Organisation units", sectionOrder: 12, severity: "WARNING", issuesIdType: "organisationUnits",
            introduction: """
                Sibling organisation units whose names differ only in case or spacing cannot be told apart in data \
                entry and analysis.
                """,
            recommendation: "Rename the listed organisation units so that siblings have distinct names.",
            decimalPercentage: true,
            evaluate: { metadata in
                let units = metadata.objects("organisationUnits")
                var groups: [String: [String]] = [:]
                for (id, object) in units {
                    guard let parent = object["parent"]?["id"]?.stringValue else { continue }
                    let trimmed = String(DataIntegrityMetadata.name(object, id: id).lowercased()
                        .unicodeScalars.filter { !CharacterSet.whitespacesAndNewlines.contains($0) })
                    groups[parent + "\u{0}" + trimmed, default: []].append(id)
                }
                var findings: [DataIntegrityFinding] = []
                for ids in groups.values where ids.count > 1 {
                    for id in ids {
                        // The query joins the parent row: an issue only when the parent exists; its name is the comment.
                        guard let object = units[id], let parentID = object["parent"]?["id"]?.stringValue,
                            let parent = units[parentID]
                        else { continue }
                        findings.append(DataIntegrityFinding(
                            id: id, name: DataIntegrityMetadata.name(object, id: id),
                            comment: DataIntegrityMetadata.name(parent, id: parentID)))
                    }
                }
                return DataIntegrityOutcome(
                    issues: DataIntegrityMetadata.sortedByName(findings), denominator: units.count)
            }),
    ]

    /// The checks by name.
    static let byName: [String: DataIntegrityCheckDefinition] = Dictionary(
        uniqueKeysWithValues: all.map { ($0.name, $0) })
}

/// PostgreSQL's `CAST(timestamp AS text)`: `2012-11-14 12:54:28.086` (fraction without trailing zeros, none when 0).
struct PostgresTimestampText {
    let text: String

    init?(_ wire: String) {
        guard let date = DHIS2Date.parse(wire) else { return nil }
        let formatted = DHIS2Date.format(date)  // yyyy-MM-ddTHH:mm:ss.SSS
        var fraction = formatted.suffix(3)
        while fraction.last == "0" { fraction = fraction.dropLast() }
        let base = formatted.prefix(19).replacingOccurrences(of: "T", with: " ")
        text = fraction.isEmpty ? base : base + "." + fraction
    }
}
