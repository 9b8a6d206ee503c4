/// What an import achieved, read the same way from every DHIS2 import result: an ``ImportSummary`` (data values),
/// an ``ImportReport``/``TypeReport``/``ObjectReport`` (metadata), a ``TrackerImportReport`` (tracker) or the
/// ``WebMessage`` around any of them (``WebMessage/outcome``).
///
/// The rules, applied to the counts, the conflicts and whether the server reported a problem:
///
/// - **succeeded**: no conflict, no rejected row, and the server reported no problem. Objects ignored as unchanged
///   (a data value sent again with the same value) do not spoil success; nor does a dry run that changed nothing.
/// - **partial**: the server reported a problem (conflicts, rejected rows, or a `WARNING`/`ERROR` status) *and*
///   changed something (`imported + updated + deleted > 0`), e.g. 2 of 3 data values stored and 1 rejected, or
///   a metadata import with `atomicMode=NONE` where some objects failed validation.
/// - **failed**: the server reported a problem and changed nothing, e.g. a create rejected with E4000, a delete
///   vetoed with E4030, a metadata import rolled back with `atomicMode=ALL`, or a request rejected as a whole.
///
/// What counts as "the server reported a problem" per source:
/// - ImportSummary: `status` is not `SUCCESS`, or there are conflicts or rejected indexes;
/// - ImportReport: `status` is not `OK`, or any object report has error reports;
/// - TrackerImportReport: `status` is `ERROR`, or there are error reports. A tracker `WARNING` only means
///   validation *warnings*, which never reject an object, so it alone does not spoil success;
/// - WebMessage: any of the above for its payload, or an envelope `status` other than `OK`, or an HTTP status of
///   400 or more.
public enum ImportOutcome: Hashable, Sendable, CustomStringConvertible {
    /// Everything was accepted.
    case succeeded(Details)
    /// Some objects were stored and some were rejected.
    case partial(Details)
    /// Nothing was stored and there were errors.
    case failed(Details)

    /// The counts, conflicts and message behind an outcome.
    public struct Details: Hashable, Sendable {
        /// How many objects were imported (created), updated, ignored and deleted.
        public var counts: ImportCount
        /// Why objects were rejected.
        public var conflicts: [ImportConflict]
        /// The 0-based payload positions of rejected rows (data value imports only).
        public var rejectedIndexes: [Int]
        /// The server's message: the envelope `message`, else the summary `description` or tracker `message`.
        public var message: String?
        /// The envelope's DHIS2 error code (e.g. `E1004`), for requests rejected as a whole.
        public var errorCode: String?

        /// Details of an outcome.
        public init(
            counts: ImportCount = .zero, conflicts: [ImportConflict] = [], rejectedIndexes: [Int] = [],
            message: String? = nil, errorCode: String? = nil
        ) {
            self.counts = counts
            self.conflicts = conflicts
            self.rejectedIndexes = rejectedIndexes
            self.message = message
            self.errorCode = errorCode
        }
    }

    /// Applies the rules (see ``ImportOutcome``) to `details`.
    ///
    /// - Parameter reportsProblem: whether the server's status said something went wrong; conflicts and rejected
    ///   indexes in `details` count as a problem whatever this says.
    public init(classifying details: Details, reportsProblem: Bool) {
        let hasProblem = reportsProblem || !details.conflicts.isEmpty || !details.rejectedIndexes.isEmpty
        if !hasProblem {
            self = .succeeded(details)
        } else if details.counts.changed > 0 {
            self = .partial(details)
        } else {
            self = .failed(details)
        }
    }

    /// The outcome of a data value (or other aggregate) import.
    public init(_ summary: ImportSummary) {
        self.init(
            classifying: Details(
                counts: summary.importCount ?? .zero, conflicts: summary.conflicts,
                rejectedIndexes: summary.rejectedIndexes, message: summary.description),
            reportsProblem: summary.status != .success)
    }

    /// The outcome of a metadata import.
    public init(_ report: ImportReport) {
        self.init(
            classifying: Details(counts: Self.counts(report.stats, report.typeReports.map(\.stats)), conflicts: report.conflicts),
            reportsProblem: report.status != .ok)
    }

    /// The outcome of a tracker import.
    public init(_ report: TrackerImportReport) {
        self.init(
            classifying: Details(counts: report.stats.map(ImportCount.init) ?? .zero, conflicts: report.conflicts,
                message: report.message),
            reportsProblem: report.status == .error)
    }

    /// The details, whatever the outcome.
    public var details: Details {
        switch self {
        case .succeeded(let details), .partial(let details), .failed(let details): details
        }
    }

    /// How many objects were imported (created), updated, ignored and deleted.
    public var counts: ImportCount { details.counts }
    /// Why objects were rejected; empty when none was.
    public var conflicts: [ImportConflict] { details.conflicts }
    /// The 0-based payload positions of rejected rows (data value imports only).
    public var rejectedIndexes: [Int] { details.rejectedIndexes }
    /// The server's message, when it sent one.
    public var message: String? { details.message }

    /// Whether everything was accepted.
    public var didSucceed: Bool {
        if case .succeeded = self { return true }
        return false
    }

    /// Whether some objects were stored and some rejected.
    public var isPartial: Bool {
        if case .partial = self { return true }
        return false
    }

    /// Whether nothing was stored and there were errors.
    public var didFail: Bool {
        if case .failed = self { return true }
        return false
    }

    /// `partial (imported 2, updated 0, ignored 1, deleted 0; 1 conflict)`.
    public var description: String {
        let name =
            switch self {
            case .succeeded: "succeeded"
            case .partial: "partial"
            case .failed: "failed"
            }
        let count = conflicts.count
        return "\(name) (\(counts); \(count) conflict\(count == 1 ? "" : "s"))"
    }

    /// The report's own totals, or the sum over its type reports when it has none.
    static func counts(_ total: ImportStats?, _ parts: [ImportStats?]) -> ImportCount {
        if let total { return ImportCount(total) }
        return parts.compactMap { $0 }.reduce(into: ImportCount.zero) { sum, stats in
            let count = ImportCount(stats)
            sum.imported += count.imported
            sum.updated += count.updated
            sum.ignored += count.ignored
            sum.deleted += count.deleted
        }
    }
}

extension ImportSummary {
    /// What the import achieved (see ``ImportOutcome`` for the rules).
    public var outcome: ImportOutcome { ImportOutcome(self) }
}

extension ImportReport {
    /// What the import achieved (see ``ImportOutcome`` for the rules).
    public var outcome: ImportOutcome { ImportOutcome(self) }
}

extension TrackerImportReport {
    /// What the import achieved (see ``ImportOutcome`` for the rules).
    public var outcome: ImportOutcome { ImportOutcome(self) }
}
