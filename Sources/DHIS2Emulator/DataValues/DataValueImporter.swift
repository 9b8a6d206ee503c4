import DHIS2
import Foundation

/// Everything an import needs besides the payload.
struct DataValueImportContext: Sendable {
    let metadata: DataValueMetadata
    let hierarchy: UserHierarchy
    let minor: Int
    let options: DataValueImportOptions
    let now: Int64

    init(environment: RequestEnvironment, state: EmulatorState, options: DataValueImportOptions) {
        metadata = DataValueMetadata(snapshot: environment.snapshot)
        hierarchy = UserHierarchy(principal: environment.principal, snapshot: environment.snapshot)
        minor = state.version.minor
        self.options = options
        now = Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }
}

/// A row whose identifiers are resolved, waiting to be written.
private struct ResolvedRow {
    let index: Int
    let key: DataValueKey
    var value: String?
    let storedBy: String?
    let created: Int64?
    let lastUpdated: Int64?
    let comment: String?
    let followup: Bool?
    let deleted: Bool
}

/// A request-level failure of the 2.43+ pipeline: a `BadRequestException` while decoding (indexes `[-1]`) or a
/// group-level `ConflictException` (indexes: every value of the group) [core/2.43 DataEntryIO.importData].
/// The classic importer's request-level stop: the named data set does not exist.
private struct DataSetNotFound: Error {
    let identifier: String
}

private struct PipelineAbort: Error {
    let code: String
    let message: String
    let args: [String]
    let isDecoding: Bool
}

extension DataValueStore {
    /// Imports a JSON data value set: validates each row against the metadata, writes the accepted ones (unless a
    /// dry run) and returns the counts and conflicts. 2.41–2.42 follow the classic importer (E76xx conflicts per
    /// row); 2.43+ the rewritten data entry pipeline (E8xxx) [reference §7.1–7.2].
    func importDataValueSet(_ bytes: [UInt8], context: DataValueImportContext) async throws -> (
        DataValueImportResult, DataValueImportOptions
    ) {
        var options = context.options
        var rowCount = 0
        var root = DataValueSetRoot()
        var resolved: [ResolvedRow] = []
        var result = DataValueImportResult(status: .success)
        var abort: PipelineAbort?
        var periods: [String: String?] = [:]
        let pipeline = context.minor >= 43
        do {
            _ = try DataValueSetReader.read(bytes) { payloadRoot in
                root = payloadRoot
                options = try Self.applied(payloadRoot, to: options)
                if !pipeline, let dataSet = payloadRoot.dataSet,
                    context.metadata.dataSet(dataSet, scheme: options.dataSetScheme) == nil
                {
                    throw DataSetNotFound(identifier: dataSet)
                }
            } row: { index, row in
                rowCount = index + 1
                if pipeline {
                    // The pipeline decodes every row before it validates the group; the first bad row ends it.
                    guard abort == nil else { return }
                    do {
                        resolved.append(
                            try decodeRow(row, index: index, root: root, context: context, options: options,
                                periods: &periods))
                    } catch let failure as PipelineAbort {
                        abort = failure
                    }
                } else if let row = resolveClassic(
                    row, index: index, root: root, context: context, options: options, conflicts: &result.conflicts)
                {
                    resolved.append(row)
                }
            }
        } catch let missing as DataSetNotFound {
            // The whole import stops: DATA_SET_NOT_FOUND [core/2.42 DataValueSetImportValidator].
            let message = "Data set not found or not accessible: `\(missing.identifier)`"
            result.status = .error
            result.description = message
            result.conflicts.add(
                code: "E7600", message: message, object: missing.identifier,
                objects: [("dataSet", missing.identifier)], property: "dataSet", indexes: nil)
            return (result, options)
        }
        if pipeline {
            let outcome = try await applyPipeline(
                resolved, rowCount: rowCount, abort: abort, root: root, context: context, options: options)
            return (outcome, options)
        }
        result.ignored = result.conflicts.rejected.count
        try await apply(resolved, context: context, options: options, result: &result)
        result.description = "Import process completed successfully"
        result.status = result.conflicts.isEmpty ? .success : .warning
        result.dataSetComplete = "false"
        if let completeDate = root.completeDate, root.dataSet != nil, !options.dryRun {
            result.dataSetComplete = DHIS2Date.parse(completeDate).map { String(DHIS2Date.format($0).prefix(10)) }
                ?? "false"
        }
        return (result, options)
    }

    /// The payload's own options win over the query's [reference §7.1].
    private static func applied(_ root: DataValueSetRoot, to options: DataValueImportOptions) throws
        -> DataValueImportOptions
    {
        var options = options
        if let dryRun = root.dryRun { options.dryRun = dryRun }
        if let strategy = root.strategy { try options.setStrategy(strategy, parameter: "strategy") }
        if !root.schemes.isEmpty { try options.applySchemes { root.schemes[$0] } }
        return options
    }

    // MARK: 2.41–2.42

    /// Resolves and checks one row the way the classic importer does; `nil` after recording its conflict
    /// [core/2.42 DataValueSetImportValidator; messages from ErrorCode E76xx].
    private func resolveClassic(
        _ row: DataValue, index: Int, root: DataValueSetRoot, context: DataValueImportContext,
        options: DataValueImportOptions, conflicts: inout ConflictCollector
    ) -> ResolvedRow? {
        let metadata = context.metadata
        func conflict(_ code: String, _ message: String, object: String, _ objects: [(String, String)], property: String) {
            conflicts.add(
                code: code, message: message, object: object, objects: objects, property: property, indexes: [index])
        }
        let elementText = row.dataElement ?? ""
        guard let element = metadata.dataElement(elementText, scheme: options.dataElementScheme),
            let elementInfo = metadata.dataElements[element]
        else {
            conflict("E7610", "Data element not found or not accessible: `\(elementText)`", object: elementText,
                [("dataElement", elementText)], property: "dataElement")
            return nil
        }
        let periodText = row.period ?? root.period ?? ""
        guard let period = Period(periodText) else {
            conflict("E7611", "Period not valid: `\(periodText)`", object: periodText, [("period", periodText)],
                property: "period")
            return nil
        }
        let unitText = row.orgUnit ?? root.orgUnit ?? ""
        guard let unit = metadata.orgUnit(unitText, scheme: options.orgUnitScheme),
            let path = metadata.orgUnitPaths[unit]
        else {
            conflict("E7612", "Organisation unit not found or not accessible: `\(unitText)`", object: unitText,
                [("orgUnit", unitText)], property: "orgUnit")
            return nil
        }
        let comboText = row.categoryOptionCombo.flatMap { $0.isEmpty ? nil : $0 }
        let combo: String
        if let comboText {
            guard let found = metadata.optionCombo(comboText, scheme: options.optionComboScheme) else {
                conflict("E7613", "Category option combo not found or not accessible for writing data: `\(comboText)`",
                    object: comboText, [("categoryOptionCombo", comboText)], property: "categoryOptionCombo")
                return nil
            }
            combo = found
        } else {
            combo = metadata.defaultOptionCombo
        }
        let attributeText = row.attributeOptionCombo.flatMap { $0.isEmpty ? nil : $0 } ?? root.attributeOptionCombo
        let attribute: String
        if let attributeText {
            guard let found = metadata.optionCombo(attributeText, scheme: options.optionComboScheme) else {
                conflict("E7615", "Attribute option combo not found or not accessible for writing data: `\(attributeText)`",
                    object: attributeText, [("attributeOptionCombo", attributeText)], property: "attributeOptionCombo")
                return nil
            }
            attribute = found
        } else {
            attribute = metadata.defaultOptionCombo
        }
        if !context.hierarchy.contains(path: path) {
            conflict("E7617", "Organisation unit: `\(unit)` not in hierarchy of current user: `\(context.hierarchy.username)`",
                object: unit, [("orgUnit", unit), ("user", context.hierarchy.username)], property: "orgUnit")
            return nil
        }
        let explicitSet = root.dataSet.flatMap { metadata.dataSet($0, scheme: options.dataSetScheme) }
        if let explicitSet, metadata.dataSets[explicitSet]?.dataElements.contains(element) != true {
            conflict("E7633", "Data element: `\(element)` is not part of dataset: `\(explicitSet)`", object: element,
                [("dataElement", element), ("dataSet", explicitSet)], property: "dataElement")
            return nil
        }
        let sets = explicitSet.map { [$0] } ?? metadata.dataSetsByElement[element] ?? []
        if !sets.isEmpty,
            !sets.contains(where: { metadata.dataSets[$0]?.periodType == period.type.rawValue })
        {
            conflict("E7632", "Period type of period: `\(period.isoString)` not valid for data element: `\(element)`",
                object: period.isoString, [("period", period.isoString), ("dataElement", element)], property: "period")
            return nil
        }
        if metadata.optionCombos[combo] != elementInfo.categoryCombo {
            conflict("E7634", "Category option combo: `\(combo)` must be part of category combo of data element: `\(element)`",
                object: combo, [("categoryOptionCombo", combo), ("dataElement", element)],
                property: "categoryOptionCombo")
            return nil
        }
        if !sets.isEmpty, let attributeCombo = metadata.optionCombos[attribute],
            !sets.contains(where: { metadata.dataSets[$0]?.categoryCombo == attributeCombo })
        {
            conflict("E7635",
                "Attribute option combo: `\(attribute)` must be part of category combo of data sets of data element: `\(element)`",
                object: attribute, [("attributeOptionCombo", attribute), ("dataElement", element)],
                property: "attributeOptionCombo")
            return nil
        }
        let deleted = row.deleted == true || options.strategy == .delete
        var value = row.valueText.flatMap { $0.isEmpty ? nil : $0 }
        if !deleted, let text = value {
            let normalised = DataValueRules.normalised(value: text, valueType: elementInfo.valueType)
            if let problem = DataValueRules.problem(value: normalised, valueType: elementInfo.valueType) {
                conflict("E7619", "Value must match data element's `\(element)` type constraints: \(problem)",
                    object: text, [("dataElement", element), ("valueType", elementInfo.valueType)], property: "value")
                return nil
            }
            if let optionSet = elementInfo.optionSet, metadata.optionCodes[optionSet]?.contains(normalised) != true {
                conflict("E7621", "Data value is not a valid option of the data element option set: `\(element)`",
                    object: normalised, [("dataElement", element), ("optionSet", optionSet)], property: "value")
                return nil
            }
            value = normalised
        }
        return ResolvedRow(
            index: index,
            key: DataValueKey(
                dataElement: intern(element), period: intern(period.isoString), orgUnit: intern(unit),
                categoryOptionCombo: intern(combo), attributeOptionCombo: intern(attribute)),
            value: value, storedBy: row.storedBy, created: row.created.flatMap(Self.millis),
            lastUpdated: row.lastUpdated.flatMap(Self.millis), comment: row.comment.flatMap { $0.isEmpty ? nil : $0 },
            followup: row.followUpFlag, deleted: deleted)
    }

    static func millis(_ text: String) -> Int64? {
        DHIS2Date.parse(text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }

    /// Writes the accepted rows per the import strategy and counts them [core/2.42 DataValueSetImport].
    private func apply(
        _ rows: [ResolvedRow], context: DataValueImportContext, options: DataValueImportOptions,
        result: inout DataValueImportResult
    ) async throws {
        var changes: [(DataValueKey, DataValueRecord)] = []
        changes.reserveCapacity(rows.count)
        // Values written earlier in the same payload count as existing for later rows.
        var pending: [DataValueKey: DataValueRecord] = [:]
        for row in rows {
            let existing = options.skipExistingCheck ? nil : (pending[row.key] ?? record(row.key))
            let live = existing.flatMap { $0.deleted ? nil : $0 }
            // A value and comment both empty deletes the stored value (DHIS2's null-value delete).
            let deletes = row.deleted || (row.value == nil && row.comment == nil)
            if deletes {
                guard let live else {
                    result.ignored += 1
                    continue
                }
                var record = live
                record.deleted = true
                record.lastUpdated = context.now
                changes.append((row.key, record))
                pending[row.key] = record
                result.deleted += 1
                continue
            }
            let record = DataValueRecord(
                value: row.value, storedBy: row.storedBy ?? context.hierarchy.username,
                created: row.created ?? live?.created ?? context.now, lastUpdated: row.lastUpdated ?? context.now,
                comment: row.comment, followup: row.followup ?? live?.followup ?? false, deleted: false)
            if let live {
                if options.strategy == .create {
                    result.ignored += 1
                    continue
                }
                if live.value == record.value, live.comment == record.comment, live.followup == record.followup {
                    result.ignored += 1
                    continue
                }
                result.updated += 1
            } else {
                if options.strategy == .update {
                    result.ignored += 1
                    continue
                }
                result.imported += 1
            }
            changes.append((row.key, record))
            pending[row.key] = record
        }
        if !options.dryRun { try await write(changes) }
    }

    // MARK: 2.43+

    /// Decodes one row with the root defaults; an undecodable row fails the request
    /// [core/2.43 DefaultDataEntryService.decodeGroup].
    private func decodeRow(
        _ row: DataValue, index: Int, root: DataValueSetRoot, context: DataValueImportContext,
        options: DataValueImportOptions, periods: inout [String: String?]
    ) throws -> ResolvedRow {
        let metadata = context.metadata
        func abort(_ code: String, _ message: String, _ args: [String]) -> PipelineAbort {
            PipelineAbort(code: code, message: message, args: args, isDecoding: true)
        }
        do {
            let number = DataValueRules.javaText(index)
            let periodText = row.period.flatMap { $0.isEmpty ? nil : $0 } ?? root.period
            let iso: String?
            if let periodText {
                if let cached = periods[periodText] {
                    iso = cached
                } else {
                    iso = Period(periodText)?.isoString
                    periods[periodText] = .some(iso)
                }
            } else {
                iso = nil
            }
            guard let iso else {
                throw abort("E8100", "Value #\(number) has no valid period: \(periodText ?? "null")", [number, periodText ?? "null"])
            }
            guard let elementText = row.dataElement.flatMap({ $0.isEmpty ? nil : $0 }) else {
                throw abort("E8102", "Value #\(number) has no data element", [number])
            }
            let element: String
            if options.dataElementScheme == .code {
                guard let found = metadata.dataElementCodes[elementText] else {
                    throw abort("E8103", "Value #\(number) data element `\(elementText)` does not exist", [number, elementText])
                }
                element = found
            } else {
                guard UID.isValid(elementText) else {
                    throw abort("E8104", "Value #\(number) data element `\(elementText)` is not a valid UID", [number, elementText])
                }
                element = elementText
            }
            guard let unitText = row.orgUnit.flatMap({ $0.isEmpty ? nil : $0 }) ?? root.orgUnit else {
                throw abort("E8105", "Value #\(number) has no org unit", [number])
            }
            let unit: String
            if options.orgUnitScheme == .code {
                guard let found = metadata.orgUnitCodes[unitText] else {
                    throw abort("E8107", "Value #\(number) org unit `\(unitText)` does not exist", [number, unitText])
                }
                unit = found
            } else {
                guard UID.isValid(unitText) else {
                    throw abort("E8106", "Value #\(number) org unit `\(unitText)` is not a valid UID", [number, unitText])
                }
                unit = unitText
            }
            func optionCombo(_ text: String?, notFound: String, invalid: String, what: String) throws -> String? {
                guard let text = text.flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
                if options.optionComboScheme == .code {
                    guard let found = metadata.optionComboCodes[text] else {
                        throw abort(notFound, "Value #\(number) \(what) `\(text)` does not exist", [number, text])
                    }
                    return found
                }
                guard UID.isValid(text) else {
                    throw abort(invalid, "Value #\(number) \(what) `\(text)` is not a valid UID", [number, text])
                }
                return text
            }
            let combo = try optionCombo(
                row.categoryOptionCombo, notFound: "E8108", invalid: "E8109", what: "category option combo")
            let attribute = try optionCombo(
                row.attributeOptionCombo.flatMap { $0.isEmpty ? nil : $0 } ?? root.attributeOptionCombo,
                notFound: "E8110", invalid: "E8111", what: "attribute option combo")
            let deleted = row.deleted == true || options.strategy == .delete
            return ResolvedRow(
                    index: index,
                    key: DataValueKey(
                        dataElement: intern(element), period: intern(iso), orgUnit: intern(unit),
                        categoryOptionCombo: intern(combo ?? metadata.defaultOptionCombo),
                        attributeOptionCombo: intern(attribute ?? metadata.defaultOptionCombo)),
                    value: row.valueText.flatMap { $0.isEmpty ? nil : $0 }, storedBy: row.storedBy,
                    created: row.created.flatMap(Self.millis), lastUpdated: row.lastUpdated.flatMap(Self.millis),
                    comment: row.comment.flatMap { $0.isEmpty ? nil : $0 }, followup: row.followUpFlag,
                    deleted: deleted)
        }
    }

    /// Validates the decoded group and writes it [core/2.43 DefaultDataEntryService.upsertGroup/validate,
    /// DataEntryIO.importGroups, DataEntrySummary.toImportSummary].
    ///
    /// The E8xxx codes and the order of the checks come from that source; the message texts were not available to
    /// us and are written in the source's spirit (arguments as `MessageFormat` renders them).
    private func applyPipeline(
        _ rows: [ResolvedRow], rowCount: Int, abort: PipelineAbort?, root: DataValueSetRoot,
        context: DataValueImportContext, options: DataValueImportOptions
    ) async throws -> DataValueImportResult {
        var result = DataValueImportResult(status: .error)
        func fail(_ failure: PipelineAbort, indexes: [Int]) -> DataValueImportResult {
            var failed = DataValueImportResult(status: .error)
            failed.conflicts.add(
                code: failure.code, message: failure.message, object: nil,
                objects: [("args", failure.args.joined(separator: "-"))], property: nil, indexes: indexes,
                rejecting: !failure.isDecoding)
            return failed
        }
        if let abort { return fail(abort, indexes: [-1]) }
        guard !rows.isEmpty else {
            result.status = .success
            return result
        }
        let allIndexes = rows.map(\.index)
        do {
            try validateGroup(rows, root: root, context: context, options: options)
        } catch let failure as PipelineAbort {
            return fail(failure, indexes: failure.isDecoding ? [-1] : allIndexes)
        }
        // Value-level checks: a failing value is left out, the rest is written.
        var valid: [ResolvedRow] = []
        var errors = 0
        let metadata = context.metadata
        let allDeleted = rows.allSatisfy(\.deleted)
        for var row in rows {
            guard !allDeleted, !row.deleted else {
                valid.append(row)
                continue
            }
            let number = DataValueRules.javaText(row.index)
            let element = string(row.key.dataElement)
            let valueType = metadata.dataElements[element]?.valueType ?? "TEXT"
            guard let text = row.value else {
                errors += 1
                result.conflicts.add(
                    code: "E8120", message: "Value #\(number) has no value", object: nil,
                    objects: [("args", number)], property: nil, indexes: [row.index])
                continue
            }
            let normalised = DataValueRules.normalised(value: text, valueType: valueType)
            if let problem = DataValueRules.problem(value: normalised, valueType: valueType) {
                errors += 1
                result.conflicts.add(
                    code: "E8122", message: "Value #\(number) `\(normalised)` is not a valid \(valueType): \(problem)",
                    object: nil, objects: [("args", [number, normalised, valueType, problem].joined(separator: "-"))],
                    property: nil, indexes: [row.index])
                continue
            }
            if let optionSet = metadata.dataElements[element]?.optionSet,
                metadata.optionCodes[optionSet]?.contains(normalised) != true
            {
                errors += 1
                result.conflicts.add(
                    code: "E8123",
                    message: "Value #\(number) `\(normalised)` is not a valid option of data element `\(element)`",
                    object: nil, objects: [("args", [number, normalised, element].joined(separator: "-"))],
                    property: nil, indexes: [row.index])
                continue
            }
            if let comment = row.comment, comment.count > 5000 {
                errors += 1
                result.conflicts.add(
                    code: "E8125", message: "Value #\(number) comment is longer than 5,000 characters", object: nil,
                    objects: [("args", number + "-5,000")], property: nil, indexes: [row.index])
                continue
            }
            row.value = normalised
            valid.append(row)
        }
        // Upsert: every valid value is written (the pipeline counts them all as `updated`); a delete counts only
        // values that existed.
        var changes: [(DataValueKey, DataValueRecord)] = []
        var succeeded = 0
        for row in valid {
            let existing = record(row.key)
            let live = existing.flatMap { $0.deleted ? nil : $0 }
            if row.deleted {
                guard var record = live else { continue }
                record.deleted = true
                record.lastUpdated = context.now
                changes.append((row.key, record))
                succeeded += 1
                continue
            }
            changes.append((row.key, DataValueRecord(
                value: row.value, storedBy: row.storedBy ?? context.hierarchy.username,
                created: row.created ?? live?.created ?? context.now, lastUpdated: row.lastUpdated ?? context.now,
                comment: row.comment, followup: row.followup ?? live?.followup ?? false, deleted: false)))
            succeeded += 1
        }
        if !options.dryRun { try await write(changes) }
        let attempted = valid.count
        result.ignored = (attempted - succeeded) + errors
        if options.strategy == .delete {
            result.deleted = succeeded
        } else {
            result.updated = succeeded
        }
        result.status = errors == 0 ? .success : (succeeded > 0 ? .warning : .error)
        return result
    }

    /// The group-level checks of the 2.43 pipeline, in the source's order; the first failure rejects every value.
    private func validateGroup(
        _ rows: [ResolvedRow], root: DataValueSetRoot, context: DataValueImportContext,
        options: DataValueImportOptions
    ) throws {
        let metadata = context.metadata
        func abort(_ code: String, _ message: String, _ args: [String]) -> PipelineAbort {
            PipelineAbort(code: code, message: message, args: args, isDecoding: false)
        }
        func distinct(_ values: [String]) -> [String] {
            var seen = Set<String>()
            return values.filter { seen.insert($0).inserted }
        }
        let elements = distinct(rows.map { string($0.key.dataElement) })
        // The data set: named, or detected from the data elements.
        let dataSetID: String
        if let named = root.dataSet {
            guard let found = metadata.dataSet(named, scheme: options.dataSetScheme) else {
                throw PipelineAbort(code: "E8005", message: "Data set not found: `\(named)`", args: [named], isDecoding: true)
            }
            dataSetID = found
        } else {
            let candidates = distinct(elements.flatMap { metadata.dataSetsByElement[$0] ?? [] })
            if candidates.isEmpty {
                let list = DataValueRules.javaList(elements)
                throw abort("E8003", "Data set detection failed, no data set contains the data elements: \(list)", [list])
            }
            if candidates.count > 1 {
                let list = DataValueRules.javaList(candidates)
                throw abort("E8002", "Data set detection failed, found multiple sets: \(list)", [list])
            }
            dataSetID = candidates[0]
        }
        guard let dataSet = metadata.dataSets[dataSetID] else { return }
        let units = distinct(rows.map { string($0.key.orgUnit) })
        if !context.hierarchy.isSuperuser {
            let outside = units.filter { unit in
                metadata.orgUnitPaths[unit].map { !context.hierarchy.contains(path: $0) } ?? true
            }
            if !outside.isEmpty {
                let list = DataValueRules.javaList(outside)
                throw abort("E8011", "Org unit(s) not in the user's hierarchy: \(list)", [list])
            }
        }
        let missingElements = elements.filter { !dataSet.dataElements.contains($0) }
        if !missingElements.isEmpty {
            let list = DataValueRules.javaList(missingElements)
            throw abort("E8020", "Data set `\(dataSetID)` does not contain data element(s): \(list)", [dataSetID, list])
        }
        let foreignUnits = units.filter { !dataSet.orgUnits.contains($0) }
        if !foreignUnits.isEmpty {
            let list = DataValueRules.javaList(foreignUnits)
            throw abort("E8022", "Data set `\(dataSetID)` not usable with org unit(s): \(list)", [dataSetID, list])
        }
        let periods = distinct(rows.map { string($0.key.period) })
        let wrongPeriods = periods.filter { Period($0)?.type.rawValue != dataSet.periodType }
        if !wrongPeriods.isEmpty {
            let list = DataValueRules.javaList(wrongPeriods)
            throw abort("E8021", "Data set `\(dataSetID)` does not allow period(s): \(list)", [dataSetID, list])
        }
        let attributes = distinct(rows.map { string($0.key.attributeOptionCombo) })
        let foreignAttributes = attributes.filter { metadata.optionCombos[$0] != dataSet.categoryCombo }
        if !foreignAttributes.isEmpty {
            let list = DataValueRules.javaList(foreignAttributes)
            throw abort("E8023", "Data set `\(dataSetID)` does not use attribute option combo(s): \(list)", [dataSetID, list])
        }
        var combosByElement: [String: [String]] = [:]
        for row in rows { combosByElement[string(row.key.dataElement), default: []].append(string(row.key.categoryOptionCombo)) }
        for element in elements {
            let expected = metadata.dataElements[element]?.categoryCombo
            let foreign = distinct(combosByElement[element] ?? []).filter { metadata.optionCombos[$0] != expected }
            if !foreign.isEmpty {
                let list = DataValueRules.javaList(foreign)
                throw abort("E8024",
                    "Data set `\(dataSetID)` data element `\(element)` does not use category option combo(s): \(list)",
                    [dataSetID, element, list])
            }
        }
        var firstByKey: [DataValueKey: Int] = [:]
        for row in rows {
            if let first = firstByKey[row.key] {
                let indexes = DataValueRules.javaList([DataValueRules.javaText(first), DataValueRules.javaText(row.index)])
                throw abort("E8128", "Values \(indexes) all have the same key", [indexes])
            }
            firstByKey[row.key] = row.index
        }
    }
}
