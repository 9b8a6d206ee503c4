import DHIS2Core
import Foundation
import Testing

@Suite("UID")
struct UIDTests {
    @Test(
        "Eleven ASCII letters and digits starting with a letter are accepted",
        arguments: ["b6mCG9sphIT", "fbfJHSPpUQD", "A0000000000", "zzzzzzzzzzz", "ZZZZZZZZZZZ", "a1B2c3D4e5F"])
    func acceptsValidUIDs(_ string: String) throws {
        #expect(UID.isValid(string))
        let uid = try #require(UID(rawValue: string))
        #expect(uid.rawValue == string)
        #expect(uid.description == string)
        #expect(try UID(validating: string) == uid)
    }

    @Test(
        "Strings that do not match ^[A-Za-z][A-Za-z0-9]{10}$ are rejected",
        arguments: [
            "",  // empty
            "b6mCG9sphI",  // 10 characters
            "b6mCG9sphITx",  // 12 characters
            "1b6mCG9sphI",  // first character a digit
            "0000000000a",  // first character a digit
            "ébcdefghijk",  // non-ASCII letter first
            "abcdéfghijk",  // non-ASCII letter inside (11 characters)
            "abcdefghijé",  // non-ASCII letter last (11 characters)
            "abcdefghij٣",  // a non-ASCII digit (Arabic-Indic three)
            "ａbcdefghijk",  // a full-width letter
            "ab-defghijk",  // hyphen
            "ab_defghijk",  // underscore
            "ab.defghijk",  // dot
            "ab defghijk",  // space
            " b6mCG9sphI",  // leading space
            "b6mCG9sphI ",  // trailing space
            "b6mCG9sphI\n",  // trailing newline
            "ab/defghijk",  // slash
            "ab:defghijk",  // colon
        ])
    func rejectsInvalidUIDs(_ string: String) {
        #expect(!UID.isValid(string))
        #expect(UID(rawValue: string) == nil)
        #expect(throws: DHIS2Error.self) { try UID(validating: string) }
    }

    @Test("A rejected UID throws invalidUID with a message naming the value and the rule")
    func validationErrorNamesTheValue() throws {
        let error = try #require(throws: DHIS2Error.self) { try UID(validating: "12345-abcde") }
        #expect(error.code == .invalidUID)
        #expect(error.message.contains("\"12345-abcde\""))
        #expect(error.message.contains("^[A-Za-z][A-Za-z0-9]{10}$"))
        #expect(error.description.contains("12345-abcde"))
        #expect(error.status == nil)
    }

    @Test("A generated UID is valid")
    func generatedUIDIsValid() {
        for _ in 0..<100 {
            let uid = UID.generate()
            #expect(UID.isValid(uid.rawValue))
            #expect(uid.rawValue.utf8.count == UID.length)
        }
    }

    @Test("Ten thousand generated UIDs are all valid and all distinct")
    func generatedBatchIsValidAndDistinct() {
        let uids = UID.generate(count: 10_000)
        #expect(uids.count == 10_000)
        #expect(Set(uids).count == 10_000)
        #expect(uids.allSatisfy { UID.isValid($0.rawValue) })
    }

    @Test("Generated UIDs use the whole alphabet: upper case, lower case and digits all occur")
    func generatedUIDsUseTheWholeAlphabet() {
        let characters = Set(UID.generate(count: 2_000).flatMap { $0.rawValue })
        #expect(characters.count == 62)
        let firsts = Set(UID.generate(count: 2_000).map { $0.rawValue.first })
        #expect(firsts.allSatisfy { $0?.isLetter == true })
        #expect(firsts.count == 52)
    }

    @Test("Asking for zero or a negative number of UIDs gives none")
    func generatingNothing() {
        #expect(UID.generate(count: 0).isEmpty)
        #expect(UID.generate(count: -5).isEmpty)
    }

    @Test("A seeded generator gives the same UIDs every time, and another seed gives others")
    func seededGenerationIsReproducible() {
        var first = SeededGenerator(seed: 42)
        var second = SeededGenerator(seed: 42)
        var other = SeededGenerator(seed: 43)
        let a = UID.generate(count: 50, using: &first)
        let b = UID.generate(count: 50, using: &second)
        let c = UID.generate(count: 50, using: &other)
        #expect(a == b)
        #expect(a != c)
        #expect(Set(a).count == 50)
        #expect(a.allSatisfy { UID.isValid($0.rawValue) })

        var single1 = SeededGenerator(seed: 7)
        var single2 = SeededGenerator(seed: 7)
        #expect(UID.generate(using: &single1) == UID.generate(using: &single2))
    }

    @Test("A UID encodes as a bare JSON string and decodes back to the same UID")
    func codableRoundTrip() throws {
        struct Reference: Codable, Equatable { var id: UID }
        let value = Reference(id: "fbfJHSPpUQD")
        let data = try JSONEncoder().encode(value)
        #expect(String(decoding: data, as: UTF8.self) == #"{"id":"fbfJHSPpUQD"}"#)
        #expect(try JSONDecoder().decode(Reference.self, from: data) == value)
    }

    @Test("Decoding a string that is not a UID fails", arguments: [#"{"id":"not-a-uid"}"#, #"{"id":"1234567890a"}"#, #"{"id":""}"#])
    func decodingInvalidUIDFails(_ json: String) {
        struct Reference: Decodable { var id: UID }
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(Reference.self, from: Data(json.utf8)) }
    }

    @Test("Decoding a number where a UID is expected fails")
    func decodingNumberFails() {
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([UID].self, from: Data("[12345678901]".utf8)) }
    }

    @Test("UIDs compare by their characters and work as set members and dictionary keys")
    func comparableAndHashable() {
        let a: UID = "Aaaaaaaaaaa"
        let b: UID = "Baaaaaaaaaa"
        let lower: UID = "aaaaaaaaaaa"
        #expect(a < b)
        #expect(b < lower)  // ASCII order: upper case before lower case
        #expect([lower, b, a].sorted() == [a, b, lower])
        #expect(Set<UID>([a, a, b]).count == 2)
        #expect(UID(rawValue: "Aaaaaaaaaaa") == a)
    }

    @Test("A UID literal that is not a UID stops the program")
    func invalidLiteralTraps() async {
        await #expect(processExitsWith: .failure) {
            let uid = UID(stringLiteral: "not a uid")
            _ = uid.rawValue
        }
    }
}
