import Foundation
import Testing

@testable import DHIS2Core

@Suite("Base URL validation")
struct BaseURLValidationTests {
    @Test(
        "Trailing slashes and a trailing /api are removed",
        arguments: [
            ("https://play.im.dhis2.org/stable-2-42-4/", "https://play.im.dhis2.org/stable-2-42-4"),
            ("https://play.im.dhis2.org/stable-2-42-4", "https://play.im.dhis2.org/stable-2-42-4"),
            ("http://localhost:8080/api", "http://localhost:8080"),
            ("http://localhost:8080/api/", "http://localhost:8080"),
            ("http://localhost:8080/dhis/api//", "http://localhost:8080/dhis"),
            ("https://dhis2.example.org/API", "https://dhis2.example.org"),
            ("  https://dhis2.example.org/  ", "https://dhis2.example.org"),
            ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
            ("https://dhis2.example.org/capi", "https://dhis2.example.org/capi"),
        ])
    func normalises(_ input: String, _ expected: String) throws {
        #expect(try DHIS2Client.validateBaseURL(input).absoluteString == expected)
    }

    @Test("The scheme is accepted in any case")
    func schemeCaseInsensitive() throws {
        let url = try DHIS2Client.validateBaseURL("HTTPS://dhis2.example.org/api")
        #expect(url.host == "dhis2.example.org")
        #expect(url.scheme?.lowercased() == "https")
        #expect(url.path.isEmpty)
    }

    @Test(
        "URLs DHIS2 cannot be reached at are refused with invalidBaseURL",
        arguments: [
            "ftp://dhis2.example.org",  // not http(s)
            "file:///var/dhis2",  // not http(s)
            "https://",  // no host
            "https:///api",  // no host
            "localhost:8080",  // no scheme: parsed as scheme "localhost"
            "dhis2.example.org",  // no scheme
            "not a url",
            "",
            "https://dhis2.example.org?x=1",  // a query
            "https://dhis2.example.org/api?fields=id",  // a query
            "https://dhis2.example.org/#/dashboards",  // a fragment
        ])
    func refuses(_ input: String) throws {
        let error = try #require(throws: DHIS2Error.self) { try DHIS2Client.validateBaseURL(input) }
        #expect(error.code == .invalidBaseURL)
        #expect(error.message.contains("https://dhis2.example.org or http://localhost:8080"))
    }

    @Test("The refusal says which rule the URL broke")
    func refusalSaysWhy() throws {
        func message(_ input: String) throws -> String {
            try #require(throws: DHIS2Error.self) { try DHIS2Client.validateBaseURL(input) }.message
        }
        #expect(try message("ftp://x.org").contains("http or https"))
        #expect(try message("https://").contains("no host"))
        #expect(try message("https://x.org?a=b").contains("query"))
        #expect(try message("https://user:pw@x.org").contains("auth provider"))
    }

    @Test(
        "Credentials in the URL are refused, and the password is not in the error",
        arguments: [
            ("https://admin:district@play.dhis2.org", "district"),
            ("https://admin:S3cr3t-Pa55@dhis2.example.org/api", "S3cr3t-Pa55"),
            ("https://admin:p%40ss-word@dhis2.example.org", "ss-word"),
            ("https://:only-password@dhis2.example.org", "only-password"),
        ])
    func credentialsRefusedAndRedacted(_ input: String, _ password: String) throws {
        let error = try #require(throws: DHIS2Error.self) { try DHIS2Client.validateBaseURL(input) }
        #expect(error.code == .invalidBaseURL)
        #expect(!error.message.contains(password))
        #expect(!error.description.contains(password))
        #expect(!String(reflecting: error).contains(password))
        #expect(error.message.contains("dhis2.example.org") || error.message.contains("play.dhis2.org"))
    }

    @Test("A username without a password is refused too")
    func usernameOnlyRefused() throws {
        let error = try #require(throws: DHIS2Error.self) {
            try DHIS2Client.validateBaseURL("https://admin@dhis2.example.org")
        }
        #expect(error.code == .invalidBaseURL)
    }

    @Test(
        "A password containing URL delimiters (@ / ? #) never appears in the error",
        arguments: [
            ("https://admin:pa/ss-word@dhis2.example.org", "ss-word"),
            ("https://admin:pa?ss-word@dhis2.example.org", "ss-word"),
            ("https://admin:pa#ss-word@dhis2.example.org", "ss-word"),
            ("https://admin:p@ss-word@dhis2.example.org", "ss-word"),
        ])
    func passwordsWithDelimitersRedacted(_ input: String, _ secretPart: String) throws {
        let error = try #require(throws: DHIS2Error.self) { try DHIS2Client.validateBaseURL(input) }
        #expect(error.code == .invalidBaseURL)
        #expect(!error.description.contains(secretPart))
    }
}
