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
    }

    /// The DHIS2 minor versions (41...44) whose documents have the defect.
    let versions: ClosedRange<Int>
    let kind: Kind
    /// Why we believe real servers send the shape.
    let evidence: String

    /// Every tolerated defect. Keep it short, precise and sourced.
    static let allowList: [SpecDefect] = [
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
    ]
}
