import DHIS2Core

/// What a data value import achieved: DHIS2's ``ImportSummary`` and the ``ImportOutcome`` read from it — also when
/// DHIS2 answered 409 (conflicts live only in that body) and, for a chunked import, merged over every request.
///
/// In a merged summary every conflict's `indexes` and every `rejectedIndexes` entry is the position of the value in
/// the caller's own input (0-based), not in the request that carried it.
public struct DataValueImportResult: Hashable, Sendable {
    /// One request of an import and what it answered.
    public struct Request: Hashable, Sendable {
        /// The positions in the caller's input of the values this request carried.
        public var range: Range<Int>
        /// The request's ImportSummary, indexes as DHIS2 reported them (relative to the request).
        public var summary: ImportSummary
        /// The WebMessage the request was answered with (the kick-off message for an async import).
        public var webMessage: WebMessage?
        /// The job that ran the import, for an async import.
        public var job: JobReference?

        public init(range: Range<Int>, summary: ImportSummary, webMessage: WebMessage? = nil, job: JobReference? = nil) {
            self.range = range
            self.summary = summary
            self.webMessage = webMessage
            self.job = job
        }
    }

    /// The import summary; for a chunked import, the merge of every request's (counts added, conflicts with the
    /// same object, code, property and description joined, indexes mapped to input positions).
    public var summary: ImportSummary
    /// Succeeded, partial or failed, with counts and conflicts (see ``ImportOutcome``).
    public var outcome: ImportOutcome
    /// Every request sent, in order.
    public var requests: [Request]
    /// How many values were sent.
    public var valueCount: Int

    public init(summary: ImportSummary, outcome: ImportOutcome, requests: [Request], valueCount: Int) {
        self.summary = summary
        self.outcome = outcome
        self.requests = requests
        self.valueCount = valueCount
    }

    /// The result of `requests`, merged.
    init(requests: [Request], valueCount: Int) {
        if requests.count == 1, let only = requests.first, only.range.lowerBound == 0 {
            self.init(
                summary: only.summary,
                outcome: only.webMessage.flatMap(\.outcome).map { Self.withSummaryIndexes($0, only.summary) }
                    ?? only.summary.outcome,
                requests: requests, valueCount: valueCount)
            return
        }
        let merged = Self.merge(requests)
        self.init(summary: merged, outcome: merged.outcome, requests: requests, valueCount: valueCount)
    }

    /// The envelope's outcome, keeping the summary's conflicts and indexes (the envelope view reads them from the
    /// same summary, so this only guards against a payload the view could not read).
    private static func withSummaryIndexes(_ outcome: ImportOutcome, _ summary: ImportSummary) -> ImportOutcome {
        var details = outcome.details
        details.conflicts = summary.conflicts
        details.rejectedIndexes = summary.rejectedIndexes
        return ImportOutcome(classifying: details, reportsProblem: !outcome.didSucceed)
    }

    /// Merges the summaries of consecutive requests into one, with every index mapped to its input position.
    ///
    /// Status: the worst of the requests' (`ERROR` over `WARNING` over `SUCCESS`). Counts: added. Conflicts: those
    /// with the same object, objects, property, value and error code are joined (DHIS2 itself reports one conflict
    /// with several indexes for identical problems in one request), in order of first appearance. Description,
    /// `dataSetComplete` and import options: the last request's.
    static func merge(_ requests: [Request]) -> ImportSummary {
        var status = ImportSummary.Status.success
        var count = ImportCount.zero
        var conflicts: [ImportConflict] = []
        var conflictPositions: [ConflictKey: Int] = [:]
        var rejected: [Int] = []
        for request in requests {
            let summary = request.summary
            let offset = request.range.lowerBound
            status = worse(status, summary.status)
            if let part = summary.importCount {
                count.imported += part.imported
                count.updated += part.updated
                count.ignored += part.ignored
                count.deleted += part.deleted
            }
            for conflict in summary.conflicts {
                var mapped = conflict
                mapped.indexes = conflict.indexes.map { $0 + offset }
                let key = ConflictKey(conflict)
                if let position = conflictPositions[key] {
                    conflicts[position].indexes.append(contentsOf: mapped.indexes)
                } else {
                    conflictPositions[key] = conflicts.count
                    conflicts.append(mapped)
                }
            }
            rejected.append(contentsOf: summary.rejectedIndexes.map { $0 + offset })
        }
        let last = requests.last?.summary
        return ImportSummary(
            status: status, description: last?.description, importCount: count, conflicts: conflicts,
            rejectedIndexes: rejected, dataSetComplete: last?.dataSetComplete, importOptions: last?.importOptions)
    }

    private static func worse(_ a: ImportSummary.Status, _ b: ImportSummary.Status) -> ImportSummary.Status {
        func rank(_ status: ImportSummary.Status) -> Int {
            switch status {
            case .success: 0
            case .warning: 1
            case .error: 3
            default: 2
            }
        }
        return rank(b) > rank(a) ? b : a
    }

    /// What makes two conflicts the same problem.
    private struct ConflictKey: Hashable {
        var object: String?
        var objects: [String: String]?
        var property: String?
        var value: String?
        var errorCode: String?

        init(_ conflict: ImportConflict) {
            object = conflict.object
            objects = conflict.objects
            property = conflict.property
            value = conflict.value
            errorCode = conflict.errorCode
        }
    }
}
