// Typed views on WebMessage.response. DHIS2 discriminates the payload only by `responseType`, which is absent on
// 2.41 for job kick-offs and spelled `…WebMessageResponse` on 2.42.0–2.42.4 and 2.43.0 (reference §11.3), so every
// view here recognises its payload by the fields it carries, never by `responseType`. All views read 409 bodies
// exactly like 200/201 ones: a data value import with conflicts, a rejected create and a vetoed delete all arrive
// as 409 with the report inside.

extension WebMessage {
    typealias SummaryKey = ImportSummary.CodingKeys
    typealias ImportReportKey = ImportReport.CodingKeys
    typealias TypeReportKey = TypeReport.CodingKeys
    typealias ObjectReportKey = ObjectReport.CodingKeys

    /// The flat counts of DHIS2's `ImportCountWebMessageResponse` (`{"created","updated","deleted"}`).
    enum ImportCountResponseKey: String, CaseIterable {
        case created, updated, deleted
    }

    /// The payload as an ``ImportSummary`` (data value imports), or `nil` when it is not one.
    ///
    /// Recognised by `importCount`, `conflicts`, `rejectedIndexes` or `importOptions` next to a `status`.
    public var importSummary: ImportSummary? {
        guard let payload = response?.objectValue,
            payload[SummaryKey.importCount.rawValue]?.objectValue != nil
                || payload[SummaryKey.conflicts.rawValue]?.arrayValue != nil
                || payload[SummaryKey.rejectedIndexes.rawValue]?.arrayValue != nil
                || payload[SummaryKey.importOptions.rawValue]?.objectValue != nil
        else { return nil }
        return try? response?.decode(ImportSummary.self)
    }

    /// The payload as an ``ImportReport`` (`POST /api/metadata`), or `nil` when it is not one.
    ///
    /// Recognised by `typeReports`.
    public var importReport: ImportReport? {
        guard response?[ImportReportKey.typeReports.rawValue]?.arrayValue != nil else { return nil }
        return try? response?.decode(ImportReport.self)
    }

    /// The payload as a ``TypeReport`` (collection helpers `/api/<plural>/{uid}/{collection}`), or `nil`.
    ///
    /// Recognised by `objectReports` without `typeReports`.
    public var typeReport: TypeReport? {
        guard let payload = response?.objectValue, payload[TypeReportKey.objectReports.rawValue]?.arrayValue != nil,
            payload[ImportReportKey.typeReports.rawValue] == nil
        else { return nil }
        return try? response?.decode(TypeReport.self)
    }

    /// The payload as an ``ObjectReport`` (single-object create, update, patch, delete), or `nil` when it is not one.
    ///
    /// Recognised by `klass`, or by `uid` with `errorReports`, and no `objectReports`/`typeReports`.
    public var objectReport: ObjectReport? {
        guard let payload = response?.objectValue, payload[TypeReportKey.objectReports.rawValue] == nil,
            payload[ImportReportKey.typeReports.rawValue] == nil,
            payload[ObjectReportKey.klass.rawValue]?.stringValue != nil
                || (payload[ObjectReportKey.uid.rawValue]?.stringValue != nil
                    && payload[ObjectReportKey.errorReports.rawValue]?.arrayValue != nil)
        else { return nil }
        return try? response?.decode(ObjectReport.self)
    }

    /// The job an asynchronous request started, or `nil` when this is not a kick-off response (reference §10.1).
    ///
    /// Recognised by `id` with `jobType` (a `JobConfiguration`) or with `location` (a tracker job); see
    /// ``JobReference``.
    public var jobReference: JobReference? {
        response.flatMap(JobReference.init(response:))
    }

    /// The UID of the object written (`response.uid`) or of the job started (`response.id` of a job reference).
    ///
    /// `nil` when the write was rejected (the object report has error reports), or when the payload names no
    /// object. For single-object ImportSummaries, the summary's `reference`.
    public var createdUID: UID? {
        if let objectReport {
            return objectReport.hasErrors ? nil : objectReport.objectUID
        }
        if let jobReference { return jobReference.id }
        if let summary = importSummary, summary.status != .error { return summary.referenceUID }
        return nil
    }

    /// How many objects the request imported, updated, ignored and deleted, when the payload says.
    ///
    /// Read from a nested `importCount` (ImportSummary), from flat `imported`/`updated`/`ignored`/`deleted` counts
    /// on the payload, or from the flat `created`/`updated`/`deleted` of DHIS2's `ImportCountWebMessageResponse`
    /// (`created` counted as `imported`). Metadata stats are not an ImportCount; ``outcome`` converts those.
    public var importCount: ImportCount? {
        guard let payload = response?.objectValue else { return nil }
        if let nested = payload[SummaryKey.importCount.rawValue], nested.objectValue != nil {
            return try? nested.decode(ImportCount.self)
        }
        // ImportCountWebMessageResponse shares `updated`/`deleted` with ImportCount; `created` (an integer, unlike a
        // JobConfiguration's `created` date) without `imported` tells it apart.
        if let created = payload[ImportCountResponseKey.created.rawValue]?.intValue,
            payload[ImportCount.CodingKeys.imported.rawValue] == nil
        {
            return ImportCount(
                imported: created, updated: payload[ImportCountResponseKey.updated.rawValue]?.intValue ?? 0,
                deleted: payload[ImportCountResponseKey.deleted.rawValue]?.intValue ?? 0)
        }
        let flat = ImportCount.CodingKeys.allCases.contains { payload[$0.rawValue]?.intValue != nil }
        return flat ? try? response?.decode(ImportCount.self) : nil
    }

    /// Every problem the payload reports, normalised to ``ImportConflict``: ImportSummary `conflicts`, the error
    /// reports of an ObjectReport, of every object report of a TypeReport or of every type report of an
    /// ImportReport, or a bare `errorReports` list. Empty when there is none.
    public var conflicts: [ImportConflict] {
        if let importSummary { return importSummary.conflicts }
        if let importReport { return importReport.conflicts }
        if let typeReport { return typeReport.conflicts }
        if let objectReport { return objectReport.conflicts }
        if let reports = response?[ObjectReportKey.errorReports.rawValue], reports.arrayValue != nil,
            let errorReports = try? reports.decode([ErrorReport].self)
        {
            return errorReports.map { ImportConflict(errorReport: $0) }
        }
        return []
    }

    /// The 0-based payload positions of rejected rows (ImportSummary `rejectedIndexes`); empty for other payloads.
    public var rejectedIndexes: [Int] { importSummary?.rejectedIndexes ?? [] }

    /// What the request achieved as an import (see ``ImportOutcome`` for the rules), or `nil` for a job kick-off,
    /// whose import has not run yet: poll the ``jobReference`` and read the outcome of its summary instead.
    ///
    /// Any other WebMessage has an outcome, including plain errors without a payload (`failed`, with the envelope's
    /// ``message`` and ``errorCode``). A `201 Created` ObjectReport counts one imported object; other ObjectReports
    /// carry no counts.
    public var outcome: ImportOutcome? {
        if jobReference != nil { return nil }
        let envelopeProblem = (status.map { $0 != .ok } ?? false) || (httpStatusCode.map { $0 >= 400 } ?? false)
        let inner: ImportOutcome?
        var counts = importCount ?? .zero
        if let importSummary {
            inner = importSummary.outcome
        } else if let importReport {
            inner = importReport.outcome
        } else if let typeReport {
            inner = ImportOutcome(
                classifying: .init(counts: ImportOutcome.counts(typeReport.stats, []), conflicts: typeReport.conflicts),
                reportsProblem: false)
        } else {
            inner = nil
            if let objectReport, !objectReport.hasErrors, httpStatusCode == 201 { counts.imported += 1 }
        }
        var details = inner?.details ?? ImportOutcome.Details(counts: counts, conflicts: conflicts)
        details.message = message ?? details.message
        details.errorCode = errorCode
        let innerProblem = inner.map { !$0.didSucceed } ?? false
        return ImportOutcome(classifying: details, reportsProblem: envelopeProblem || innerProblem)
    }
}
