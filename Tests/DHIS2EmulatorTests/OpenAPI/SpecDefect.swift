import DHIS2Core

/// A place where DHIS2's generated OpenAPI document disagrees with what real DHIS2 servers send, so that the
/// validator would reject a real response.
///
/// Only defects of the *document* belong here, each with evidence that real servers send the shape (the play fixtures
/// in `fixtures/play/`, or the behaviour reference `dhis2-api-reference.md` and the dhis2-core source it cites).
/// A shape the emulator sends without such evidence is an emulator defect and must stay a failing test.
struct SpecDefect: Sendable {
    enum Kind: Sendable {
        /// Real objects carry `property` on the schema at `owner` (a component name such as `Sharing`, or an inline
        /// location such as `DataElement.createdBy`), which the document does not declare; the value is validated
        /// against `schema` instead.
        case undeclaredProperty(owner: String, property: String, schema: JSONValue)
        /// The document declares error responses as the component `declared`, but servers send the component `actual`.
        case errorResponseSchema(declared: String, actual: String)
        /// Servers answer `method` with `status`, which the document never declares; it documents the same body
        /// under `documentedAs`.
        case undeclaredStatus(method: String, status: Int, documentedAs: Int)
        /// The schema at `owner` declares `property`, but with a schema real values break; the value is validated
        /// against `schema` instead.
        case mistypedProperty(owner: String, property: String, schema: JSONValue)
        /// The component `name` describes a Java class's getters rather than the JSON the server writes for it; every
        /// reference to it is validated against `schema` instead.
        case misdescribedComponent(name: String, schema: JSONValue)
        /// Servers write `property` of the schema at `owner` as an explicit `null` when it is empty, which the
        /// document (not `nullable`) does not allow; a `null` there is accepted, any other value still checked.
        case explicitNull(owner: String, property: String)
    }

    /// The DHIS2 minor versions (41...44) whose documents have the defect.
    let versions: ClosedRange<Int>
    let kind: Kind
    /// Why we believe real servers send the shape.
    let evidence: String

    /// Every tolerated defect. Keep it short, precise and sourced.
    static let allowList: [SpecDefect] = documentDefects + unwrappedDataIntegrityCheckMembers + dataValueSetNulls

    private static let documentDefects: [SpecDefect] = [
        SpecDefect(
            versions: 41...44,
            kind: .undeclaredProperty(owner: "Sharing", property: "external", schema: ["type": "boolean"]),
            evidence: """
                The Sharing component declares owner, public, users, userGroups but not `external`. Every object in \
                fixtures/play/metadata.json carries it (all 67 dataElements and all 4 categoryCombos have \
                "sharing": {…, "external": false, …}); reference §12.2 lists `external` in the embedded sharing object.
                """),
        SpecDefect(
            versions: 41...44,
            kind: .undeclaredProperty(owner: "CategoryOptionCombo", property: "name", schema: ["type": "string"]),
            evidence: """
                The CategoryOptionCombo component omits `name`, yet every category option combination in \
                fixtures/play/metadata.json carries one (e.g. "Provide access to primary health care"), and the \
                2.41–2.44 /api/schemas dumps list `name` as a persisted property of CategoryOptionCombo.
                """),
        SpecDefect(
            versions: 42...44,
            kind: .errorResponseSchema(declared: "WebResponse", actual: "WebMessage"),
            evidence: """
                v42+ declare 4xx metadata responses as WebResponse (code, errorCode, message, status only), the Java \
                interface type. The body actually written is a WebMessage: reference §3.2 (404 with httpStatus, \
                httpStatusCode, status, message, errorCode E1005) and §3.3 (409 with an ObjectReport response) \
                [core/2.42 CrudControllerAdvice, WebMessageControllerAdvice]; v41 declares the same responses as WebMessage.
                """),
        SpecDefect(
            versions: 41...44,
            kind: .undeclaredStatus(method: "POST", status: 201, documentedAs: 200),
            evidence: """
                The generator documents every successful POST as 200. Creating metadata answers 201 Created with \
                Location (reference §3.3 [core/2.42 AbstractCrudController.postObject]), and so does creating an \
                API token (reference §1.3 [core/2.42 ApiTokenController]); the body is the documented WebMessage.
                """),
        SpecDefect(
            versions: 41...44,
            kind: .undeclaredProperty(owner: "ImportOptions", property: "idSchemes", schema: ["type": "object"]),
            evidence: """
                A real 2.42.4 409 data value import (reference §7.2, py fixture data_value_set_409.json) echoes \
                "importOptions": {"idSchemes": {}, "dryRun": false, …}; ImportOptions has a Jackson-serialised \
                IdSchemes member [core/2.42 ImportOptions.getIdSchemes].
                """),
        SpecDefect(
            versions: 42...42,
            kind: .mistypedProperty(owner: "TrackerEvent", property: "storedBy", schema: ["type": "string"]),
            evidence: """
                v42 types the tracker event's `storedBy` as a user UID (UID_User), but DHIS2 stores the username \
                there: the real play export fixtures/play/tracker_payload.json.gz has "storedBy": "tracker".
                """),
        SpecDefect(
            versions: 43...43,
            kind: .mistypedProperty(owner: "TrackerTrackerEvent", property: "storedBy", schema: ["type": "string"]),
            evidence: """
                v43 types the tracker event's `storedBy` as a user UID (UID_User), but DHIS2 stores the username \
                there: the real play export fixtures/play/tracker_payload.json.gz has "storedBy": "tracker".
                """),
        SpecDefect(
            versions: 43...43,
            kind: .mistypedProperty(owner: "Event", property: "storedBy", schema: ["type": "string"]),
            evidence: """
                v43's `Event` (the items of TrackerEnrollment.events and of the /api/tracker/events list) types \
                `storedBy` as a user UID (UID_User) too; same evidence as TrackerTrackerEvent.storedBy.
                """),
        SpecDefect(
            versions: 41...41,
            kind: .misdescribedComponent(name: "JsonValue", schema: ["type": "any"]),
            evidence: """
                v41 describes JsonValue (Notification.data, the task summary values) from the getters of DHIS2's \
                JSON tree class (isNull, isArray, accessStore, …) instead of the JSON the server writes, which is \
                any JSON value (reference §10 notifications, task summaries); v42+ declare the same members as \
                `type: any`.
                """),
    ]

    /// The check's members DHIS2 unwraps into every data integrity summary and details object.
    ///
    /// Evidence: `DataIntegritySummary` and `DataIntegrityDetails` hold their check as a `@JsonUnwrapped` member
    /// [core/2.42 DataIntegritySummary, DataIntegrityDetails], so real results carry `name`, `displayName`,
    /// `section`, `severity`, `description`, `issuesIdType`, `isSlow`, … next to `count` or `issues`; the docs show
    /// them in the `/api/dataIntegrity/details` example [docs/2.42 data-validation.md §Running data integrity details]
    /// and reference §10.3 does too. The generator does not follow `@JsonUnwrapped`, so the documents omit them.
    private static let unwrappedDataIntegrityCheckMembers: [SpecDefect] = {
        let severity: JSONValue = ["type": "string", "enum": ["INFO", "WARNING", "SEVERE", "CRITICAL"]]
        let members: [(String, JSONValue)] = [
            ("name", ["type": "string"]), ("displayName", ["type": "string"]), ("section", ["type": "string"]),
            ("sectionOrder", ["type": "integer"]), ("severity", severity), ("description", ["type": "string"]),
            ("introduction", ["type": "string"]), ("recommendation", ["type": "string"]),
            ("issuesIdType", ["type": "string"]), ("isSlow", ["type": "boolean"]),
            ("isProgrammatic", ["type": "boolean"]), ("code", ["type": "string"]),
            ("averageExecutionTime", ["type": "integer"]),
        ]
        return ["DataIntegritySummary", "DataIntegrityDetails"].flatMap { owner in
            members.map { name, schema in
                SpecDefect(
                    versions: 41...44, kind: .undeclaredProperty(owner: owner, property: name, schema: schema),
                    evidence: """
                        DHIS2 unwraps the check into its results (@JsonUnwrapped) [core/2.42 DataIntegritySummary, \
                        DataIntegrityDetails]; docs/2.42 data-validation.md §Running data integrity details, \
                        reference §10.3.
                        """)
            }
        }
    }()

    /// The data value set writer's explicit nulls, the one documented exception to NON_NULL.
    ///
    /// Evidence: reference §0.1 and §7.4 [core/2.42 JsonDataValueSetWriter]: the streaming writer always writes each
    /// value's string members and the root's `dataSet, completeDate, period, orgUnit`, an empty one as `null`
    /// (the play fixture data_values.json.gz has `"comment": null` 108,994 times and `"storedBy": null` once); the
    /// documents do not mark them `nullable`.
    private static let dataValueSetNulls: [SpecDefect] = {
        let root = ["dataSet", "completeDate", "period", "orgUnit"].map { ("DataValueSet", $0) }
        let value = [
            "dataElement", "period", "orgUnit", "categoryOptionCombo", "attributeOptionCombo", "value", "storedBy",
            "created", "lastUpdated", "comment",
        ].map { ("DataValue", $0) }
        return (root + value).map { owner, property in
            SpecDefect(
                versions: 41...44, kind: .explicitNull(owner: owner, property: property),
                evidence: "JsonDataValueSetWriter writes empty string members as null (reference §0.1, §7.4)")
        }
    }()
}
