import DHIS2Core
import Foundation
import Testing

@Suite("ImportOutcome rules")
struct EnvelopeOutcomeTests {
    @Test("a 201 ObjectReport succeeded with one imported object")
    func createdObjectSucceeded() throws {
        let outcome = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.objectReportCreated).outcome)
        #expect(outcome.didSucceed)
        #expect(outcome.counts == ImportCount(imported: 1))
        #expect(outcome.conflicts.isEmpty)
    }

    @Test("a create rejected with E4000 failed, with the conflict and the server's message")
    func rejectedCreateFailed() throws {
        let outcome = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.objectReportMissingProperty).outcome)
        #expect(outcome.didFail)
        #expect(outcome.counts == .zero)
        #expect(outcome.conflicts.map(\.errorCode) == ["E4000"])
        #expect(outcome.message == "One or more errors occurred, please see full details in import report.")
    }

    @Test("a delete vetoed with E4030 (409 WARNING) failed")
    func vetoedDeleteFailed() throws {
        let outcome = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.deleteVetoed).outcome)
        #expect(outcome.didFail)
        #expect(outcome.conflicts.map(\.errorCode) == ["E4030"])
    }

    @Test("a clean metadata import succeeded, counting created objects as imported")
    func metadataSucceeded() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.metadataImported)
        let outcome = try #require(message.outcome)
        #expect(outcome.didSucceed)
        #expect(outcome.counts == ImportCount(imported: 2))
        #expect(try #require(message.importReport).outcome == ImportOutcome(try #require(message.importReport)))
    }

    @Test("a metadata import with atomicMode=NONE that stored some objects and rejected one is partial")
    func metadataPartial() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.metadataPartlyImported)
        let outcome = try #require(message.outcome)
        #expect(outcome.isPartial)
        #expect(outcome.counts == ImportCount(imported: 2, updated: 0, ignored: 1, deleted: 0))
        #expect(outcome.conflicts.map(\.errorCode) == ["E5003"])
        #expect(try #require(message.importReport).outcome.isPartial)
    }

    @Test("a metadata import rolled back by atomicMode=ALL failed even though the envelope only says WARNING")
    func metadataRolledBackFailed() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.metadataRolledBack)
        #expect(message.status == .warning)
        let outcome = try #require(message.outcome)
        #expect(outcome.didFail)
        #expect(outcome.counts == ImportCount(ignored: 2))
        #expect(outcome.conflicts.first?.indexes == [1])
    }

    @Test("a data value import with every row stored succeeded")
    func dataValuesSucceeded() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesImported)
        let outcome = try #require(message.outcome)
        #expect(outcome.didSucceed)
        #expect(outcome.counts == ImportCount(imported: 2))
        #expect(outcome.message == "Import was successful.")
    }

    @Test("data values ignored as unchanged, without conflicts, still succeeded")
    func unchangedValuesSucceeded() throws {
        let summary = ImportSummary(status: .success, importCount: ImportCount(ignored: 3))
        #expect(summary.outcome.didSucceed)
        #expect(summary.outcome.counts.ignored == 3)
    }

    @Test("a 409 data value import whose only row was rejected failed, with its conflict and rejected index")
    func dataValuesRejectedFailed() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesRejected)
        let outcome = try #require(message.outcome)
        #expect(outcome.didFail)
        #expect(outcome.rejectedIndexes == [0])
        #expect(outcome.conflicts.map(\.errorCode) == ["E7641"])
        #expect(outcome.counts == ImportCount(ignored: 1))
    }

    @Test("a 409 data value import that stored two rows and rejected one is partial")
    func dataValuesPartial() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesPartlyImported)
        let outcome = try #require(message.outcome)
        #expect(outcome.isPartial)
        #expect(outcome.counts == ImportCount(imported: 1, updated: 1, ignored: 1, deleted: 0))
        #expect(outcome.rejectedIndexes == [1])
        #expect(try #require(message.importSummary).outcome.isPartial)
    }

    @Test("an ImportSummary with status ERROR and no conflict failed, keeping its description")
    func summaryErrorFailed() throws {
        let summary = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesFailed).importSummary)
        let outcome = summary.outcome
        #expect(outcome.didFail)
        #expect(outcome.conflicts.isEmpty)
        #expect(outcome.message == "Data set not found or not accessible")
    }

    @Test("a plain error WebMessage without a payload failed with the envelope's message and error code")
    func plainErrorFailed() throws {
        let outcome = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.plainConflict).outcome)
        #expect(outcome.didFail)
        #expect(outcome.details.errorCode == "E1004")
        #expect(outcome.message == "Key 'key_1' already exists in namespace 'foo'")
    }

    @Test("a tracker import rejected by validation failed")
    func trackerRejectedFailed() throws {
        let outcome = try EnvelopeBodies.trackerReport(EnvelopeBodies.trackerRejected).outcome
        #expect(outcome.didFail)
        #expect(outcome.counts == ImportCount(ignored: 1))
        #expect(outcome.conflicts.map(\.errorCode) == ["E1005"])
    }

    @Test("a clean tracker import succeeded")
    func trackerSucceeded() throws {
        let outcome = try EnvelopeBodies.trackerReport(EnvelopeBodies.trackerImported).outcome
        #expect(outcome.didSucceed)
        #expect(outcome.counts == ImportCount(imported: 1))
    }

    @Test("a tracker import with atomicMode=OBJECT that stored one event and rejected another is partial")
    func trackerPartial() throws {
        let outcome = try EnvelopeBodies.trackerReport(EnvelopeBodies.trackerPartlyImported).outcome
        #expect(outcome.isPartial)
        #expect(outcome.conflicts.map(\.uid) == ["ZwwuwNp6gVd"])
    }

    @Test("tracker warnings alone do not spoil success")
    func trackerWarningsSucceeded() throws {
        let report = TrackerImportReport(
            status: .warning,
            validationReport: .init(warningReports: [.init(warningCode: "E1120", uid: "QsAhMiZtnl2")]),
            stats: ImportStats(created: 1))
        #expect(report.outcome.didSucceed)
    }

    @Test("a fatal tracker error with only a message failed and keeps the message")
    func trackerFatalFailed() throws {
        let report = try EnvelopeBodies.trackerReport(#"{"status":"ERROR","message":"Cannot connect to the database"}"#)
        #expect(report.outcome.didFail)
        #expect(report.outcome.message == "Cannot connect to the database")
    }

    @Test("the classification rule: no problem succeeds, a problem with changes is partial, a problem without fails")
    func classificationRule() {
        let conflict = ImportConflict(origin: .importSummary, errorCode: "E7619", indexes: [4])
        #expect(ImportOutcome(classifying: .init(counts: .zero), reportsProblem: false).didSucceed)
        #expect(ImportOutcome(classifying: .init(counts: ImportCount(deleted: 1), conflicts: [conflict]),
                              reportsProblem: false).isPartial)
        #expect(ImportOutcome(classifying: .init(counts: ImportCount(ignored: 5), rejectedIndexes: [4]),
                              reportsProblem: false).didFail)
        #expect(ImportOutcome(classifying: .init(counts: ImportCount(updated: 2)), reportsProblem: true).isPartial)
        #expect(ImportOutcome(classifying: .init(counts: .zero), reportsProblem: true).didFail)
    }

    @Test("an outcome describes itself with its kind, counts and number of conflicts")
    func outcomeDescription() throws {
        let outcome = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesPartlyImported).outcome)
        #expect(outcome.description == "partial (imported 1, updated 1, ignored 1, deleted 0; 1 conflict)")
    }
}

@Suite("ImportOutcome from a thrown error")
struct EnvelopeErrorOutcomeTests {
    @Test("a 409 error carrying an ImportSummary reads as a partial import with its conflicts")
    func conflictErrorIsPartial() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesPartlyImported)
        let error = DHIS2Error(
            code: .api, message: "POST /api/dataValueSets answered 409", method: "POST", path: "/api/dataValueSets",
            status: 409, webMessage: message)
        let outcome = try #require(error.importOutcome)
        #expect(outcome.isPartial)
        #expect(outcome.counts.imported == 1)
        #expect(outcome.conflicts.map(\.errorCode) == ["E7633"])
    }

    @Test("an error without a WebMessage has no import outcome")
    func transportErrorHasNoOutcome() {
        #expect(DHIS2Error(code: .transport, message: "connection refused").importOutcome == nil)
    }
}
