import DHIS2Core
import Testing

@Suite("DHIS2Error")
struct DHIS2ErrorTests {
    @Test("The description names the code, message, request, status, server message, error code and coding path")
    func descriptionComposition() {
        let error = DHIS2Error(
            code: .api, message: "Could not update the data element.", method: "PUT",
            path: "/api/dataElements/fbfJHSPpUQD", status: 409,
            webMessage: WebMessage(status: .error, httpStatusCode: 409, message: "Property `name` is not unique.", errorCode: "E5003"),
            body: #"{"huge":"body"}"#, codingPath: ["response", "errorReports", "0"], underlying: "detail")
        #expect(
            error.description
                == "DHIS2Error.api: Could not update the data element. [PUT /api/dataElements/fbfJHSPpUQD] (HTTP 409)"
                + " — server said: Property `name` is not unique. [E5003] at response.errorReports.0 (detail)")
    }

    @Test("The description leaves out the raw body, and does not repeat a server message already in the message")
    func descriptionOmitsBodyAndRepeats() {
        let error = DHIS2Error(
            code: .api, message: "DHIS2 answered 404 to GET /api/x: Not found.", method: "GET", path: "/api/x", status: 404,
            webMessage: WebMessage(message: "Not found."), body: "raw-body-text")
        #expect(!error.description.contains("raw-body-text"))
        #expect(!error.description.contains("server said"))
    }

    @Test("A bare error describes only its code and message")
    func bareError() {
        let error = DHIS2Error(code: .transport, message: "Could not reach the server.")
        #expect(error.description == "DHIS2Error.transport: Could not reach the server.")
        #expect(!error.isUnauthorized)
        #expect(DHIS2Error(code: .unauthorized, message: "No.").isUnauthorized)
    }

    @Test("Codes compare by kind and print their name")
    func codes() {
        #expect(DHIS2Error.Code.invalidUID == .invalidUID)
        #expect(DHIS2Error.Code.api != .unauthorized)
        #expect(DHIS2Error.Code.unsupportedVersion.description == "unsupportedVersion")
        #expect(DHIS2Error.Code.responseTooLarge.description == "responseTooLarge")
    }
}
