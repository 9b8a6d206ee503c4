import DHIS2Core
import Foundation
import Testing

/// Bodies shaped like the examples in the behaviour reference (sections named per test); UIDs from the play fixtures.
enum EnvelopeBodies {
    /// §3.3: `POST /api/dataElements` → 201 (2.42.5+ spelling of `responseType`).
    static let objectReportCreated = """
        {"httpStatus":"Created","httpStatusCode":201,"status":"OK",
         "response":{"responseType":"ObjectReport","uid":"fbfJHSPpUQD",
                     "klass":"org.hisp.dhis.dataelement.DataElement","errorReports":[]}}
        """

    /// §3.3/§3.7: `POST /api/dataElements` without `shortName` → 409 ERROR, E4000 (2.42.0–2.42.4 `responseType`).
    static let objectReportMissingProperty = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR",
         "message":"One or more errors occurred, please see full details in import report.",
         "response":{"responseType":"ObjectReportWebMessageResponse","uid":"fbfJHSPpUQD",
           "klass":"org.hisp.dhis.dataelement.DataElement",
           "errorReports":[{"message":"Missing required property `shortName`",
             "mainKlass":"org.hisp.dhis.dataelement.DataElement","errorProperty":"shortName",
             "errorProperties":["shortName"],"errorCode":"E4000","args":["shortName"]}]}}
        """

    /// §3.6: `DELETE /api/dataElements/s46m5MS0hxu` vetoed → 409 WARNING, E4030.
    static let deleteVetoed = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING",
         "message":"One or more errors occurred, please see full details in import report.",
         "response":{"responseType":"ObjectReport","uid":"s46m5MS0hxu",
           "klass":"org.hisp.dhis.dataelement.DataElement",
           "errorReports":[{"message":"Object could not be deleted because it is associated with another object: DataValue",
             "mainKlass":"org.hisp.dhis.dataelement.DataElement","errorCode":"E4030","errorProperties":[],"args":[]}]}}
        """

    /// §6.1: `POST /api/metadata` → 200 OK with two data elements created.
    static let metadataImported = """
        {"httpStatus":"OK","httpStatusCode":200,"status":"OK",
         "response":{"responseType":"ImportReport","status":"OK",
           "stats":{"created":2,"updated":0,"deleted":0,"ignored":0,"total":2},
           "typeReports":[{"klass":"org.hisp.dhis.dataelement.DataElement",
             "stats":{"created":2,"updated":0,"deleted":0,"ignored":0,"total":2},"objectReports":[]}]}}
        """

    /// §6.1/§3.7: `POST /api/metadata?atomicMode=NONE` where one of three objects clashes (E5003) → 409, envelope
    /// WARNING, report WARNING, two objects committed.
    static let metadataPartlyImported = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING",
         "message":"One or more errors occurred, please see full details in import report.",
         "response":{"responseType":"ImportReport","status":"WARNING",
           "stats":{"created":2,"updated":0,"deleted":0,"ignored":1,"total":3},
           "typeReports":[
             {"klass":"org.hisp.dhis.dataelement.DataElement",
              "stats":{"created":2,"updated":0,"deleted":0,"ignored":0,"total":2},"objectReports":[]},
             {"klass":"org.hisp.dhis.trackedentity.TrackedEntityType",
              "stats":{"created":0,"updated":0,"deleted":0,"ignored":1,"total":1},
              "objectReports":[{"klass":"org.hisp.dhis.trackedentity.TrackedEntityType","index":0,"uid":"nEenWmSyUEp",
                "errorReports":[{"message":"Property `name` with value `Person` on object Person [nEenWmSyUEp] (TrackedEntityType) already exists on object FsgEX4d3Fc5",
                  "mainKlass":"org.hisp.dhis.trackedentity.TrackedEntityType","mainId":"FsgEX4d3Fc5","errorProperty":"name",
                  "errorProperties":["name","Person","Person [nEenWmSyUEp] (TrackedEntityType)","FsgEX4d3Fc5"],
                  "errorCode":"E5003","args":["name","Person","Person [nEenWmSyUEp] (TrackedEntityType)","FsgEX4d3Fc5"]}]}]}]}}
        """

    /// §6.1: `POST /api/metadata` (atomicMode=ALL) with a validation error → 409, envelope WARNING, report ERROR,
    /// nothing committed and every object ignored.
    static let metadataRolledBack = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING",
         "message":"One or more errors occurred, please see full details in import report.",
         "response":{"responseType":"ImportReportWebMessageResponse","status":"ERROR",
           "stats":{"created":0,"updated":0,"deleted":0,"ignored":2,"total":2},
           "typeReports":[{"klass":"org.hisp.dhis.dataelement.DataElement",
             "stats":{"created":0,"updated":0,"deleted":0,"ignored":2,"total":2},
             "objectReports":[{"klass":"org.hisp.dhis.dataelement.DataElement","index":1,"uid":"Ix2HsbDMLea",
               "errorReports":[{"message":"Missing required property `shortName`",
                 "mainKlass":"org.hisp.dhis.dataelement.DataElement","errorProperty":"shortName",
                 "errorProperties":["shortName"],"errorCode":"E4000","args":["shortName"]}]}]}]}}
        """

    /// §7.2: `POST /api/dataValueSets` → 200, everything stored.
    static let dataValuesImported = """
        {"httpStatus":"OK","httpStatusCode":200,"status":"OK","message":"Import was successful.",
         "response":{"responseType":"ImportSummary","status":"SUCCESS",
           "importOptions":{"idSchemes":{},"dryRun":false,"async":false,"importStrategy":"CREATE_AND_UPDATE"},
           "description":"Import process completed successfully",
           "importCount":{"imported":2,"updated":0,"ignored":0,"deleted":0},
           "conflicts":[],"rejectedIndexes":[],"dataSetComplete":"false"}}
        """

    /// §7.2 (real 2.42.4 body, abridged): `POST /api/dataValueSets` → 409 WARNING, the only row rejected (E7641).
    static let dataValuesRejected = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING",
         "message":"One more conflicts encountered, please check import summary.",
         "response":{"status":"WARNING",
           "importOptions":{"idSchemes":{},"dryRun":false,"async":false,"importStrategy":"CREATE_AND_UPDATE",
             "mergeMode":"REPLACE","reportMode":"FULL","skipExistingCheck":false,"force":false,
             "firstRowIsHeader":true,"skipAudit":false},
           "description":"Import process completed successfully",
           "importCount":{"imported":0,"updated":0,"ignored":1,"deleted":0},
           "conflicts":[{"object":"209503",
             "objects":{"period":"209503","dataElement":"DEancVisit1","dataSet":"NORMonthDS1"},
             "value":"Period: `209503` is after latest open future period: `202603` for data element: `DEancVisit1` and data set: `NORMonthDS1`",
             "errorCode":"E7641","property":"period","indexes":[0]}],
           "rejectedIndexes":[0],"dataSetComplete":"false","responseType":"ImportSummary"}}
        """

    /// §7.2: `POST /api/dataValueSets` → 409 WARNING, rows 0 and 2 stored, row 1 rejected (E7633).
    static let dataValuesPartlyImported = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING",
         "message":"One more conflicts encountered, please check import summary.",
         "response":{"responseType":"ImportSummary","status":"WARNING",
           "description":"Import process completed successfully",
           "importCount":{"imported":1,"updated":1,"ignored":1,"deleted":0},
           "conflicts":[{"object":"Jtf34kNZhzP","objects":{"dataElement":"Jtf34kNZhzP","dataSet":"BfMAe6Itzgt"},
             "value":"Data element: `Jtf34kNZhzP` must be assigned through data sets to organisation unit: `DiszpKrYNg8`",
             "errorCode":"E7633","property":"dataElement","indexes":[1]}],
           "rejectedIndexes":[1],"dataSetComplete":"false"}}
        """

    /// §7.2: `POST /api/dataValueSets` → 409 ERROR without any conflict.
    static let dataValuesFailed = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR",
         "message":"An error occurred, please check import summary.",
         "response":{"responseType":"ImportSummary","status":"ERROR",
           "description":"Data set not found or not accessible",
           "importCount":{"imported":0,"updated":0,"ignored":0,"deleted":0},
           "conflicts":[],"rejectedIndexes":[]}}
        """

    /// §10.1 on 2.41: `POST /api/resourceTables/analytics` → job kick-off without `responseType`.
    static let kickOff241 = """
        {"httpStatus":"OK","httpStatusCode":200,"status":"OK",
         "message":"Initiated ANALYTICS_TABLE (1747820526374)",
         "response":{"name":"ANALYTICS_TABLE (1747820526374)","id":"YR1UxOUXmzT","created":"2026-05-15T10:30:00.123",
           "jobType":"ANALYTICS_TABLE","jobStatus":"NOT_STARTED",
           "jobParameters":{"lastYears":2,"skipResourceTables":false,"skipOutliers":false},
           "relativeNotifierEndpoint":"/api/system/tasks/ANALYTICS_TABLE/YR1UxOUXmzT"}}
        """

    /// §10.1 on 2.42.0–2.42.4 and 2.43.0: `POST /api/dataValueSets?async=true`.
    static let kickOff242early = """
        {"httpStatus":"OK","httpStatusCode":200,"status":"OK",
         "message":"Initiated DATAVALUE_IMPORT (1747820526999)",
         "response":{"responseType":"JobConfigurationWebMessageResponse","name":"DATAVALUE_IMPORT (1747820526999)",
           "id":"ZbCdEfGhIj1","created":"2026-05-15T10:31:00.000","jobType":"DATAVALUE_IMPORT","jobStatus":"RUNNING",
           "relativeNotifierEndpoint":"/api/system/tasks/DATAVALUE_IMPORT/ZbCdEfGhIj1"}}
        """

    /// §10.1 on 2.42.5+, 2.43.1+, 2.44: `POST /api/metadata?async=true`.
    static let kickOff242late = """
        {"httpStatus":"OK","httpStatusCode":200,"status":"OK",
         "message":"Initiated METADATA_IMPORT (1747820527000)",
         "response":{"responseType":"JobConfiguration","name":"METADATA_IMPORT (1747820527000)",
           "id":"Mn0pQrStUv2","created":"2026-05-15T10:32:00.000","jobType":"METADATA_IMPORT","jobStatus":"SCHEDULED",
           "relativeNotifierEndpoint":"/api/system/tasks/METADATA_IMPORT/Mn0pQrStUv2"}}
        """

    /// §9.2: `POST /api/tracker` (async, the default) → 200 tracker job.
    static let trackerJob = """
        {"httpStatus":"OK","httpStatusCode":200,"status":"OK","message":"Tracker job added",
         "response":{"responseType":"TrackerJob","id":"cHh2OCTJvRw",
           "location":"http://localhost:8080/api/tracker/jobs/cHh2OCTJvRw"}}
        """

    /// §11.2: a plain 409 error with no payload.
    static let plainConflict = """
        {"httpStatus":"Conflict","httpStatusCode":409,"status":"ERROR",
         "message":"Key 'key_1' already exists in namespace 'foo'","errorCode":"E1004"}
        """

    /// §9.2: `POST /api/tracker?async=false` (atomicMode=ALL) rejected by validation → bare report, 409.
    static let trackerRejected = """
        {"status":"ERROR",
         "validationReport":{"errorReports":[
           {"message":"Could not find TrackedEntityType: `Q9GufDoplCL`.","errorCode":"E1005",
            "trackerType":"TRACKED_ENTITY","uid":"Kj6vYde4LHh","args":["TrackedEntityType","Q9GufDoplCL"]}],
           "warningReports":[]},
         "stats":{"created":0,"updated":0,"deleted":0,"ignored":1,"total":1}}
        """

    /// §9.2: `POST /api/tracker?async=false` → 200, one tracked entity created.
    static let trackerImported = """
        {"status":"OK","validationReport":{"errorReports":[],"warningReports":[]},
         "stats":{"created":1,"updated":0,"deleted":0,"ignored":0,"total":1},
         "bundleReport":{"typeReportMap":{
           "TRACKED_ENTITY":{"trackerType":"TRACKED_ENTITY",
             "stats":{"created":1,"updated":0,"deleted":0,"ignored":0,"total":1},
             "objectReports":[{"trackerType":"TRACKED_ENTITY","uid":"PQfMcpmXeFE","errorReports":[]}]},
           "ENROLLMENT":{"trackerType":"ENROLLMENT","stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"objectReports":[]},
           "EVENT":{"trackerType":"EVENT","stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"objectReports":[]},
           "RELATIONSHIP":{"trackerType":"RELATIONSHIP","stats":{"created":0,"updated":0,"deleted":0,"ignored":0,"total":0},"objectReports":[]}}}}
        """

    /// §9.2: `POST /api/tracker?async=false&atomicMode=OBJECT&reportMode=WARNINGS`: one event stored, one rejected,
    /// plus a warning; status ERROR because of the rejected one.
    static let trackerPartlyImported = """
        {"status":"ERROR",
         "validationReport":{
           "errorReports":[{"message":"Event: `ZwwuwNp6gVd`, Program stage: `A03MvHHogjR` is not valid.",
             "errorCode":"E1013","trackerType":"EVENT","uid":"ZwwuwNp6gVd","args":[]}],
           "warningReports":[{"message":"ProgramStage `Zj7UnCAulEk` does not allow user assignment",
             "warningCode":"E1120","trackerType":"EVENT","uid":"QsAhMiZtnl2"}]},
         "stats":{"created":1,"updated":0,"deleted":0,"ignored":1,"total":2},
         "bundleReport":{"typeReportMap":{
           "EVENT":{"trackerType":"EVENT","stats":{"created":1,"updated":0,"deleted":0,"ignored":0,"total":1},
             "objectReports":[{"trackerType":"EVENT","uid":"QsAhMiZtnl2","errorReports":[]}]}}}}
        """

    /// Decodes `body` as DHIS2 sends it.
    static func webMessage(_ body: String) throws -> WebMessage {
        try JSONDecoder().decode(WebMessage.self, from: Data(body.utf8))
    }

    /// Decodes a bare tracker report.
    static func trackerReport(_ body: String) throws -> TrackerImportReport {
        try JSONDecoder().decode(TrackerImportReport.self, from: Data(body.utf8))
    }
}

@Suite("WebMessage typed views")
struct EnvelopeWebMessageTests {
    @Test("a 201 ObjectReport gives the created UID, the object report and no conflicts")
    func objectReportCreated() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.objectReportCreated)
        let report = try #require(message.objectReport)
        #expect(report.uid == "fbfJHSPpUQD")
        #expect(report.klass == "org.hisp.dhis.dataelement.DataElement")
        #expect(report.errorReports.isEmpty)
        #expect(message.createdUID == UID("fbfJHSPpUQD"))
        #expect(message.conflicts.isEmpty)
        #expect(message.importSummary == nil)
        #expect(message.importReport == nil)
        #expect(message.jobReference == nil)
        #expect(message.importCount == nil)
    }

    @Test("a 409 ObjectReport with E4000 reads as a conflict on the object's property, and names no created UID")
    func objectReportRejected() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.objectReportMissingProperty)
        #expect(message.httpStatusCode == 409)
        #expect(message.status == .error)
        let report = try #require(message.objectReport)
        let error = try #require(report.errorReports.first)
        #expect(error.errorCode == "E4000")
        #expect(error.errorProperties == ["shortName"])
        #expect(message.createdUID == nil)
        let conflict = try #require(message.conflicts.first)
        #expect(message.conflicts.count == 1)
        #expect(conflict.origin == .errorReport)
        #expect(conflict.errorCode == "E4000")
        #expect(conflict.property == "shortName")
        #expect(conflict.message == "Missing required property `shortName`")
        #expect(conflict.uid == "fbfJHSPpUQD")
        #expect(conflict.klass == "org.hisp.dhis.dataelement.DataElement")
        #expect(conflict.args == ["shortName"])
    }

    @Test("a vetoed delete (409 WARNING, E4030) reads as an E4030 conflict on the object")
    func deleteVetoed() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.deleteVetoed)
        #expect(message.status == .warning)
        let report = try #require(message.objectReport)
        #expect(report.uid == "s46m5MS0hxu")
        #expect(report.errorReports.map(\.errorCode) == ["E4030"])
        #expect(message.conflicts.map(\.errorCode) == ["E4030"])
        #expect(message.conflicts.first?.uid == "s46m5MS0hxu")
        #expect(message.createdUID == nil)
    }

    @Test("a metadata ImportReport gives status, stats, type reports and no object report")
    func metadataImportReport() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.metadataImported)
        let report = try #require(message.importReport)
        #expect(report.status == .ok)
        #expect(report.stats == ImportStats(created: 2, updated: 0, deleted: 0, ignored: 0, total: 2))
        #expect(report.typeReports.count == 1)
        #expect(report.typeReports.first?.klass == "org.hisp.dhis.dataelement.DataElement")
        #expect(report.typeReports.first?.stats?.created == 2)
        #expect(message.objectReport == nil)
        #expect(message.typeReport == nil)
        #expect(message.importSummary == nil)
        #expect(message.conflicts.isEmpty)
    }

    @Test("error reports nested in an ImportReport's type and object reports become conflicts with uid, klass and index")
    func metadataNestedErrorReports() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.metadataPartlyImported)
        let report = try #require(message.importReport)
        #expect(report.status == .warning)
        #expect(report.objectReports.count == 1)
        let conflict = try #require(message.conflicts.first)
        #expect(message.conflicts.count == 1)
        #expect(conflict.errorCode == "E5003")
        #expect(conflict.uid == "nEenWmSyUEp")
        #expect(conflict.klass == "org.hisp.dhis.trackedentity.TrackedEntityType")
        #expect(conflict.indexes == [0])
        #expect(conflict.object == "FsgEX4d3Fc5")
        #expect(conflict.property == "name")
        #expect(conflict.args.count == 4)
    }

    @Test("a data value ImportSummary (200) gives status, import count and no conflicts")
    func dataValueSummarySuccess() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesImported)
        let summary = try #require(message.importSummary)
        #expect(summary.status == .success)
        #expect(summary.description == "Import process completed successfully")
        #expect(summary.importCount == ImportCount(imported: 2))
        #expect(summary.dataSetComplete == "false")
        #expect(summary.importOptions?["importStrategy"] == "CREATE_AND_UPDATE")
        #expect(message.importCount == ImportCount(imported: 2, updated: 0, ignored: 0, deleted: 0))
        #expect(message.conflicts.isEmpty)
        #expect(message.rejectedIndexes.isEmpty)
        #expect(message.objectReport == nil)
        #expect(message.importReport == nil)
    }

    @Test("a 409 data value ImportSummary is readable: conflicts with object, property, code, indexes and the rejected rows")
    func dataValueSummaryConflicts() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesRejected)
        #expect(message.httpStatusCode == 409)
        let summary = try #require(message.importSummary)
        #expect(summary.status == .warning)
        #expect(message.importCount == ImportCount(ignored: 1))
        #expect(message.rejectedIndexes == [0])
        let conflict = try #require(message.conflicts.first)
        #expect(message.conflicts.count == 1)
        #expect(conflict.origin == .importSummary)
        #expect(conflict.object == "209503")
        #expect(conflict.objects?["dataElement"] == "DEancVisit1")
        #expect(conflict.property == "period")
        #expect(conflict.errorCode == "E7641")
        #expect(conflict.indexes == [0])
        #expect(conflict.message?.hasPrefix("Period: `209503` is after latest open future period") == true)
        #expect(conflict.value == conflict.message)
    }

    @Test("the same views work on a body read through WebMessage(json:)")
    func viewsThroughJSONInit() throws {
        let json = try JSONValue(parsing: Data(EnvelopeBodies.dataValuesRejected.utf8))
        let message = try #require(WebMessage(json: json))
        #expect(message.rejectedIndexes == [0])
        #expect(message.conflicts.map(\.errorCode) == ["E7641"])
        #expect(message.outcome?.didFail == true)
    }

    /// One version's kick-off body and what it must read as.
    struct KickOff: Sendable, CustomTestStringConvertible {
        var version: String
        var body: String
        var id: String
        var jobType: JobReference.JobType
        var jobStatus: JobReference.JobStatus
        var endpoint: String
        var testDescription: String { version }
    }

    static let kickOffs = [
        KickOff(version: "2.41", body: EnvelopeBodies.kickOff241, id: "YR1UxOUXmzT", jobType: .analyticsTable,
                jobStatus: .notStarted, endpoint: "/api/system/tasks/ANALYTICS_TABLE/YR1UxOUXmzT"),
        KickOff(version: "2.42.0-2.42.4", body: EnvelopeBodies.kickOff242early, id: "ZbCdEfGhIj1",
                jobType: .dataValueImport, jobStatus: .running,
                endpoint: "/api/system/tasks/DATAVALUE_IMPORT/ZbCdEfGhIj1"),
        KickOff(version: "2.42.5+", body: EnvelopeBodies.kickOff242late, id: "Mn0pQrStUv2", jobType: .metadataImport,
                jobStatus: .scheduled, endpoint: "/api/system/tasks/METADATA_IMPORT/Mn0pQrStUv2"),
    ]

    @Test("a job kick-off is recognised on 2.41 (no responseType), 2.42.0–2.42.4 and 2.42.5+ alike", arguments: kickOffs)
    func jobKickOff(kickOff: KickOff) throws {
        let (body, id, jobType, jobStatus, endpoint) =
            (kickOff.body, kickOff.id, kickOff.jobType, kickOff.jobStatus, kickOff.endpoint)
        let message = try EnvelopeBodies.webMessage(body)
        let job = try #require(message.jobReference)
        #expect(job.id.rawValue == id)
        #expect(job.jobType == jobType)
        #expect(job.jobStatus == jobStatus)
        #expect(job.relativeNotifierEndpoint == endpoint)
        #expect(job.name?.hasPrefix(jobType.rawValue + " (") == true)
        #expect(!job.isTrackerJob)
        #expect(message.createdUID?.rawValue == id)
        #expect(message.outcome == nil)
        #expect(message.importCount == nil)
        #expect(message.objectReport == nil)
        #expect(message.importSummary == nil)
    }

    @Test("the 2.41 kick-off keeps its job parameters")
    func jobParameters() throws {
        let job = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.kickOff241).jobReference)
        #expect(job.jobParameters?["lastYears"]?.intValue == 2)
        #expect(job.created == "2026-05-15T10:30:00.123")
    }

    @Test("an async tracker import's job is a job reference with a location and no job type")
    func trackerJobReference() throws {
        let message = try EnvelopeBodies.webMessage(EnvelopeBodies.trackerJob)
        let job = try #require(message.jobReference)
        #expect(job.id == UID("cHh2OCTJvRw"))
        #expect(job.jobType == nil)
        #expect(job.location == "http://localhost:8080/api/tracker/jobs/cHh2OCTJvRw")
        #expect(job.isTrackerJob)
        #expect(message.createdUID == UID("cHh2OCTJvRw"))
        #expect(message.outcome == nil)
    }

    @Test("flat counts on the payload are read as an import count")
    func flatImportCounts() throws {
        let flat = WebMessage(status: .ok, httpStatusCode: 200, response: [
            "imported": 3, "updated": 1, "ignored": 2, "deleted": 0,
        ])
        #expect(flat.importCount == ImportCount(imported: 3, updated: 1, ignored: 2, deleted: 0))
        // DHIS2's ImportCountWebMessageResponse: {created, updated, deleted}.
        let created = WebMessage(status: .ok, httpStatusCode: 200, response: [
            "responseType": "ImportCount", "created": 4, "updated": 1, "deleted": 2,
        ])
        #expect(created.importCount == ImportCount(imported: 4, updated: 1, ignored: 0, deleted: 2))
        #expect(WebMessage(status: .ok, httpStatusCode: 200, response: ["responseType": "FileResource"]).importCount == nil)
    }

    @Test("a collection helper's TypeReport gives its stats and the error reports of its object reports")
    func typeReportPayload() throws {
        let message = WebMessage(status: .error, httpStatusCode: 409, response: [
            "responseType": "TypeReport", "klass": "org.hisp.dhis.dataelement.DataElementGroup",
            "stats": ["created": 0, "updated": 0, "deleted": 0, "ignored": 1, "total": 1],
            "objectReports": [[
                "uid": "qfxEYY9xAl6", "index": 0,
                "errorReports": [["errorCode": "E5001", "message": "No matching object for reference."]],
            ]],
        ])
        let report = try #require(message.typeReport)
        #expect(report.stats?.ignored == 1)
        #expect(message.objectReport == nil)
        #expect(message.conflicts.map(\.errorCode) == ["E5001"])
        #expect(message.conflicts.first?.klass == "org.hisp.dhis.dataelement.DataElementGroup")
        #expect(message.conflicts.first?.uid == "qfxEYY9xAl6")
        #expect(message.outcome?.didFail == true)
    }

    @Test("an ErrorReports payload (no uid, no klass) still yields its conflicts")
    func bareErrorReports() throws {
        let message = WebMessage(status: .error, httpStatusCode: 409, response: [
            "responseType": "ErrorReports",
            "errorReports": [["errorCode": "E4000", "message": "Missing required property `name`", "errorProperty": "name"]],
        ])
        #expect(message.objectReport == nil)
        #expect(message.conflicts.map(\.property) == ["name"])
    }

    @Test("server vocabulary this library does not know never breaks decoding")
    func unknownVocabulary() throws {
        let body = """
            {"httpStatus":"Accepted","httpStatusCode":202,"status":"PENDING","response":{
              "responseType":"JobConfiguration","id":"YR1UxOUXmzT","jobType":"SOME_FUTURE_JOB","jobStatus":"PAUSED"}}
            """
        let message = try EnvelopeBodies.webMessage(body)
        #expect(message.status?.rawValue == "PENDING")
        #expect(message.jobReference?.jobType?.rawValue == "SOME_FUTURE_JOB")
        #expect(message.jobReference?.jobStatus?.rawValue == "PAUSED")
        let summary = try JSONDecoder().decode(ImportSummary.self, from: Data("""
            {"status":"PARTIAL_SUCCESS","importCount":{"imported":1},"conflicts":[{"errorCode":"E9999","value":7,"indexes":[2]}],
             "someNewField":{"x":1}}
            """.utf8))
        #expect(summary.status.rawValue == "PARTIAL_SUCCESS")
        #expect(summary.importCount == ImportCount(imported: 1))
        #expect(summary.conflicts.first?.value == "7")
        #expect(summary.rejectedIndexes.isEmpty)
    }

    @Test("error report values and arguments of any JSON type are kept")
    func looselyTypedErrorReport() throws {
        let report = try JSONDecoder().decode(ErrorReport.self, from: Data("""
            {"errorCode":"E4001","message":"Maximum length of property `shortName`is 50, but given length was 61",
             "errorProperties":["shortName",50,61],"args":["shortName",50,61],"value":{"length":61}}
            """.utf8))
        #expect(report.args == ["shortName", "50", "61"])
        #expect(report.errorProperties == ["shortName", 50, 61])
        #expect(report.value == ["length": 61])
        #expect(ImportConflict(errorReport: report).value == #"{"length":61}"#)
    }

    @Test("an ImportConflict survives encoding and decoding unchanged")
    func conflictRoundTrip() throws {
        let conflict = ImportConflict(
            origin: .errorReport, object: "FsgEX4d3Fc5", property: "name", value: "Person", errorCode: "E5003",
            message: "Property `name` with value `Person` already exists", indexes: [0], uid: "nEenWmSyUEp",
            klass: "org.hisp.dhis.trackedentity.TrackedEntityType", args: ["name", "Person"])
        let data = try JSONEncoder().encode(conflict)
        #expect(try JSONDecoder().decode(ImportConflict.self, from: data) == conflict)
        let summary = try #require(try EnvelopeBodies.webMessage(EnvelopeBodies.dataValuesRejected).importSummary)
        let decoded = try JSONDecoder().decode(ImportSummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded == summary)
    }

    @Test("a bare tracker report gives its status, stats, errors as conflicts, warnings and bundle report")
    func trackerReport() throws {
        let rejected = try EnvelopeBodies.trackerReport(EnvelopeBodies.trackerRejected)
        #expect(rejected.status == .error)
        #expect(rejected.bundleReport == nil)
        #expect(rejected.stats?.ignored == 1)
        let conflict = try #require(rejected.conflicts.first)
        #expect(rejected.conflicts.count == 1)
        #expect(conflict.origin == .tracker)
        #expect(conflict.errorCode == "E1005")
        #expect(conflict.uid == "Kj6vYde4LHh")
        #expect(conflict.trackerType == "TRACKED_ENTITY")
        #expect(conflict.message == "Could not find TrackedEntityType: `Q9GufDoplCL`.")
        #expect(conflict.args == ["TrackedEntityType", "Q9GufDoplCL"])

        let imported = try EnvelopeBodies.trackerReport(EnvelopeBodies.trackerImported)
        #expect(imported.bundleReport?[.trackedEntity]?.objectReports.first?.uid == "PQfMcpmXeFE")
        #expect(imported.bundleReport?.typeReportMap.count == 4)
        #expect(imported.conflicts.isEmpty)

        let partly = try EnvelopeBodies.trackerReport(EnvelopeBodies.trackerPartlyImported)
        #expect(partly.warnings.map(\.warningCode) == ["E1120"])
        #expect(partly.conflicts.map(\.errorCode) == ["E1013"])
    }
}
