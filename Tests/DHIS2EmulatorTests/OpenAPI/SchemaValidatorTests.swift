import DHIS2Core
import Foundation
import Testing

/// The validator itself, on small hand-written instances against components of DHIS2's real documents.
@Suite("OpenAPI schema validator", .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason))
struct SchemaValidatorTests {
    private func validator(_ version: String = "2.42.6") async throws -> SchemaValidator {
        SchemaValidator(document: try await OpenAPIDocument.shared(serverVersion: version))
    }

    private let validPager: JSONValue = [
        "page": 2, "pageCount": 27, "total": 1332, "pageSize": 50,
        "nextPage": "http://localhost:8080/api/organisationUnits?page=3",
        "prevPage": "http://localhost:8080/api/organisationUnits",
    ]

    @Test("a real pager passes in every version")
    func validPagerPasses() async throws {
        for version in ["2.41.10", "2.42.6", "2.43.2", "2.44"] {
            let violations = try await validator(version).validate(validPager, component: "Pager")
            #expect(violations.isEmpty, "\(version): \(violations)")
        }
    }

    @Test("a property the schema does not declare is a violation naming its path")
    func unknownPropertyFails() async throws {
        var pager = try #require(validPager.objectValue)
        pager["totalPages"] = 27
        let violations = try await validator().validate(.object(pager), component: "Pager")
        #expect(violations == ["$.totalPages: property \"totalPages\" is not declared by Pager"])
    }

    @Test("an unknown property deep inside is reported with its full JSON path")
    func nestedUnknownPropertyFails() async throws {
        let list: JSONValue = [
            "pager": validPager,
            "dataElements": [["id": "fbfJHSPpUQD", "displayName": "ANC 1st visit"],
                             ["id": "cYeuwXTCPkU", "displayName": "ANC 2nd visit", "colour": "red"]],
        ]
        let violations = try await validator().validateResponse(list, method: "GET", path: "/api/dataElements",
                                                                 status: 200)
        #expect(violations == ["$.dataElements[1].colour: property \"colour\" is not declared by DataElement"])
    }

    @Test("a wrong type fails, and integer rejects fractions and strings")
    func wrongTypeFails() async throws {
        let validator = try await validator()
        let asString = validator.validate(["page": "1", "pageSize": 50, "total": 1, "pageCount": 1], component: "Pager")
        #expect(asString.count == 1)
        #expect(asString.first?.hasPrefix("$.page: expected integer") == true)

        let fraction = validator.validate(["page": 1.5, "pageSize": 50, "total": 1, "pageCount": 1], component: "Pager")
        #expect(fraction.count == 1)
        #expect(fraction.first?.hasPrefix("$.page: expected integer") == true)

        let boolean = validator.validate(["page": 1, "pageSize": true, "total": 1, "pageCount": 1], component: "Pager")
        #expect(boolean.first?.hasPrefix("$.pageSize: expected integer") == true)
    }

    @Test("a value outside an enum fails with the path and the allowed values")
    func badEnumFails() async throws {
        let violations = try await validator().validate(
            ["httpStatus": "OK", "httpStatusCode": 200, "status": "SUCCESS"], component: "WebMessage")
        #expect(violations.count == 1)
        let violation = try #require(violations.first)
        #expect(violation.hasPrefix("$.status: \"SUCCESS\" is not one of the values Status allows"))
        #expect(violation.contains("\"OK\", \"WARNING\", \"ERROR\""))
    }

    @Test("date-times must be DHIS2's zone-less form with milliseconds")
    func dateTimeFormat() async throws {
        let validator = try await validator()
        #expect(validator.validate(["created": "2012-11-14T12:54:28.086"], component: "DataElement").isEmpty)
        for bad in ["2012-11-14T12:54:28Z", "2012-11-14T12:54:28.086+0000", "2012-11-14", "2012-02-30T00:00:00.000"] {
            let violations = validator.validate(["created": .string(bad)], component: "DataElement")
            #expect(violations.count == 1, "\(bad) should be rejected")
            #expect(violations.first?.hasPrefix("$.created: \"\(bad)\" is not a DHIS2 date-time") == true)
        }
    }

    @Test("null is rejected where the schema does not allow it, because DHIS2 omits nulls")
    func nullFails() async throws {
        let violations = try await validator().validate(["id": "fbfJHSPpUQD", "code": nil], component: "DataElement")
        #expect(violations == ["$.code: null is not allowed by DataElement.code (DHIS2 omits null properties)"])
    }

    @Test("additionalProperties maps validate every value")
    func additionalPropertiesMap() async throws {
        let validator = try await validator()
        let sharing: JSONValue = [
            "owner": "xE7jOejl9FI", "public": "rw------",
            "users": ["xE7jOejl9FI": ["id": "xE7jOejl9FI", "access": "rw------"]],
            "userGroups": [:],
        ]
        #expect(validator.validate(sharing, component: "Sharing").isEmpty)
        let bad: JSONValue = ["users": ["xE7jOejl9FI": ["id": "xE7jOejl9FI", "access": 7]]]
        let violations = validator.validate(bad, component: "Sharing")
        #expect(violations.count == 1)
        #expect(violations.first?.hasPrefix("$.users.xE7jOejl9FI.access: expected string") == true)
    }

    @Test("a oneOf passes when any branch matches, and fails with the closest branch's reasons otherwise")
    func oneOfBranches() async throws {
        let validator = try await validator()
        let created: JSONValue = [
            "httpStatus": "Created", "httpStatusCode": 201, "status": "OK",
            "response": ["responseType": "ObjectReport", "uid": "fbfJHSPpUQD",
                         "klass": "org.hisp.dhis.dataelement.DataElement", "errorReports": []],
        ]
        #expect(validator.validate(created, component: "WebMessage").isEmpty)

        var envelope = try #require(created.objectValue)
        envelope["response"] = ["responseType": "ObjectReport", "uid": "fbfJHSPpUQD", "inventedField": true]
        let violations = validator.validate(.object(envelope), component: "WebMessage")
        #expect(violations.count == 1)
        let violation = try #require(violations.first)
        #expect(violation.hasPrefix("$.response: matches none of the oneOf branches of WebMessage"))
        #expect(violation.contains("$.response.inventedField: property \"inventedField\" is not declared"))
    }

    @Test("v41's opaque WebMessage.response accepts any object")
    func v41OpaqueResponse() async throws {
        let message: JSONValue = [
            "httpStatus": "OK", "httpStatusCode": 200, "status": "OK",
            "response": ["responseType": "ApiTokenCreationResponse", "anything": ["goes": 1]],
        ]
        #expect(try await validator("2.41.10").validate(message, component: "WebMessage").isEmpty)
    }

    @Test("required properties are not enforced (DHIS2's required lists are not about presence)")
    func requiredIsNotEnforced() async throws {
        // WebMessage lists errorCode as required; real successful responses never carry it.
        let message: JSONValue = ["httpStatus": "OK", "httpStatusCode": 200, "status": "OK"]
        #expect(try await validator().validate(message, component: "WebMessage").isEmpty)
    }

    @Test("response lookup hides v41's /api-relative paths and prefers literal segments")
    func responseLookup() async throws {
        let v41 = try await OpenAPIDocument.shared(serverVersion: "2.41.10")
        let v42 = try await OpenAPIDocument.shared(serverVersion: "2.42.6")
        #expect(try v41.response(method: "GET", path: "/api/dataElements/fbfJHSPpUQD", status: 200).template
            == "/dataElements/{uid}")
        #expect(try v42.response(method: "GET", path: "/api/dataElements/{uid}", status: 200).template
            == "/api/dataElements/{uid}")
        #expect(try v42.response(method: "GET", path: "/api/dataElements/gist?fields=id", status: 200).template
            == "/api/dataElements/gist")
        #expect(try v42.response(method: "GET", path: "/api/me", status: 200).schema
            == ["$ref": "#/components/schemas/MeDto"])
        #expect(throws: OpenAPIDocumentError.self) {
            try v42.response(method: "GET", path: "/api/noSuchResource/at/all", status: 200)
        }
    }

    @Test("a path with alternative operations accepts a body matching any of them, and nothing else")
    func alternativeOperations() async throws {
        let validator = try await validator()
        let path = "/api/organisationUnits/u8jzPde0Igx"
        let unit: JSONValue = ["id": "u8jzPde0Igx", "name": "Lakeland", "level": 1, "path": "/u8jzPde0Igx"]
        #expect(validator.validateResponse(unit, method: "GET", path: path, status: 200).isEmpty)
        // With includeChildren=true the same path answers a list.
        let list: JSONValue = ["organisationUnits": [unit]]
        #expect(validator.validateResponse(list, method: "GET", path: path, status: 200).isEmpty)
        let neither: JSONValue = ["id": "u8jzPde0Igx", "hierarchyLevel": 1]
        let violations = validator.validateResponse(neither, method: "GET", path: path, status: 200)
        #expect(violations == ["$.hierarchyLevel: property \"hierarchyLevel\" is not declared by OrganisationUnit"])
    }

    @Test("allow-listed spec defects are tolerated, and nothing else")
    func allowListedDefects() async throws {
        let validator = try await validator()
        // Sharing.external: real servers send it, the document omits it; it must still be a boolean.
        #expect(validator.validate(["public": "rw------", "external": false], component: "Sharing").isEmpty)
        let wrongType = validator.validate(["external": "no"], component: "Sharing")
        #expect(wrongType.count == 1)
        #expect(wrongType.first?.hasPrefix("$.external: expected boolean") == true)

        // 404s are declared as WebResponse but are WebMessages.
        let notFound: JSONValue = [
            "httpStatus": "Not Found", "httpStatusCode": 404, "status": "ERROR", "errorCode": "E1005",
            "message": "DataElement with id abcdefghijk could not be found.",
        ]
        #expect(validator.validateResponse(notFound, method: "GET", path: "/api/dataElements/abcdefghijk",
                                           status: 404).isEmpty)

        // A create answers 201, documented as 200; an undocumented status is still reported.
        let created: JSONValue = ["httpStatus": "Created", "httpStatusCode": 201, "status": "OK"]
        #expect(validator.validateResponse(created, method: "POST", path: "/api/dataElements", status: 201).isEmpty)
        let teapot = validator.validateResponse(created, method: "POST", path: "/api/dataElements", status: 418)
        #expect(teapot.count == 1)
        #expect(teapot.first?.contains("declares no response 418") == true)
    }

    @Test("mistyped properties, misdescribed components and explicit nulls are tolerated only where allow-listed")
    func replacedSchemasAndNulls() async throws {
        // v42 types TrackerEvent.storedBy as a user UID; servers write the username, still a string.
        let v42 = try await validator("2.42.6")
        #expect(v42.validate(["storedBy": "admin"], component: "TrackerEvent").isEmpty)
        #expect(v42.validate(["storedBy": 3], component: "TrackerEvent").first?.hasPrefix("$.storedBy: expected string")
            == true)
        // v44 has no such defect for its event component.
        let v44 = try await validator("2.44")
        #expect(!v44.validate(["storedBy": "admin"], component: "TrackerTrackerEvent").isEmpty)

        // v41's JsonValue (the getters of a Java class) accepts any JSON; v42 has no JsonValue defect.
        let v41 = try await validator("2.41.10")
        #expect(v41.validate(["data": ["atomicMode": "ALL"], "message": "m"], component: "Notification").isEmpty)

        // The data value set writer's nulls, at its members only; a null elsewhere is still refused.
        let export: JSONValue = [
            "completeDate": .null,
            "dataValues": [["dataElement": "fbfJHSPpUQD", "value": "3", "comment": .null, "followup": false]],
        ]
        #expect(v42.validate(export, component: "DataValueSet").isEmpty)
        let nullFollowup: JSONValue = ["dataValues": [["followup": .null]]]
        #expect(v42.validate(nullFollowup, component: "DataValueSet").first?.hasPrefix("$.dataValues[0].followup: null")
            == true)
    }

    @Test("the DHIS2 date-time check knows the calendar")
    func dateTimeCalendar() {
        #expect(SchemaValidator.isDHIS2DateTime("2024-02-29T23:59:59.999"))
        #expect(!SchemaValidator.isDHIS2DateTime("2023-02-29T00:00:00.000"))
        #expect(!SchemaValidator.isDHIS2DateTime("2024-13-01T00:00:00.000"))
        #expect(!SchemaValidator.isDHIS2DateTime("2024-01-01T24:00:00.000"))
        #expect(!SchemaValidator.isDHIS2DateTime("2024-01-01 00:00:00.000"))
    }
}

/// The validator against real server output: it must not reject what DHIS2 itself sends.
@Suite("OpenAPI schema validator on real DHIS2 data",
       .enabled(if: ReferenceDirectory.testsShouldRun, ReferenceDirectory.skipReason))
struct SchemaValidatorRealDataTests {
    @Test("every play organisation unit conforms to OrganisationUnit in every version",
          arguments: ["2.41.10", "2.42.6", "2.43.2", "2.44"])
    func playOrganisationUnits(version: String) async throws {
        let file = ReferenceDirectory.url.appendingPathComponent("fixtures/play/organisation_units.json")
        let units = try #require(try JSONValue.parse(Data(contentsOf: file)).arrayValue)
        #expect(units.count > 1000)
        let validator = SchemaValidator(document: try await OpenAPIDocument.shared(serverVersion: version))
        var failures: [String] = []
        for (index, unit) in units.enumerated() {
            failures += validator.validate(unit, component: "OrganisationUnit").map { "[\(index)] \($0)" }
        }
        #expect(failures.isEmpty, "\(failures.prefix(10).joined(separator: "\n"))")
    }
}
