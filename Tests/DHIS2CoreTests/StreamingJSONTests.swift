import DHIS2Core
import Foundation
import Testing

@Suite("JSONArrayElementSplitter: array elements out of a JSON object that arrives in pieces")
struct StreamingJSONTests {
    /// Feeds `text` in pieces of the given sizes (cycled) and returns every element handed out, as text.
    static func split(
        _ bytes: [UInt8], member: String = "dataValues", pieces: [Int], maxElementSize: Int = 1 << 20
    ) throws -> (elements: [[UInt8]], splitter: JSONArrayElementSplitter) {
        var splitter = JSONArrayElementSplitter(member: member, maxElementSize: maxElementSize)
        var elements: [[UInt8]] = []
        var offset = 0
        var piece = 0
        while offset < bytes.count {
            let size = pieces[piece % pieces.count]
            piece += 1
            let end = min(bytes.count, offset + size)
            splitter.append(bytes[offset..<end])
            offset = end
            while let element = try splitter.nextElement() { elements.append(element) }
        }
        try splitter.finish()
        return (elements, splitter)
    }

    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test("elements come out whole however the document is cut, strings with brackets and escapes included")
    func tricky() throws {
        let document = #"""
            { "dataSet" : "pBOMPrpg1QX", "nested": {"dataValues": [1, 2]},
              "dataValues" : [ {"value": "a \"quoted\" ] } [ {", "comment": null},
              {"value":"\\"} , 12.5e3 ,"text",  true,null,[1,[2]] ,{} ],
              "period": "202501" }
            """#
        let bytes = Array(document.utf8)
        let expected = [
            #"{"value": "a \"quoted\" ] } [ {", "comment": null}"#, #"{"value":"\\"}"#, "12.5e3", #""text""#,
            "true", "null", "[1,[2]]", "{}",
        ]
        for pieces in [[1], [2], [3], [7], [1, 13, 2], [bytes.count]] {
            let (elements, splitter) = try Self.split(bytes, pieces: pieces)
            #expect(elements.map(Self.text) == expected, "pieces \(pieces)")
            #expect(splitter.foundArray)
            #expect(splitter.isComplete)
            #expect(splitter.elementCount == expected.count)
            #expect(splitter.rootMembers.mapValues(Self.text) == [
                "dataSet": #""pBOMPrpg1QX""#, "nested": #"{"dataValues": [1, 2]}"#, "period": #""202501""#,
            ])
        }
    }

    @Test("a document without the array, or with an empty one, yields nothing and is complete")
    func emptyArrays() throws {
        for document in [#"{}"#, #"{"dataValues":[]}"#, #" { "dataValues" : [ ] , "x" : 1 } "#] {
            let (elements, splitter) = try Self.split(Array(document.utf8), pieces: [1])
            #expect(elements.isEmpty)
            #expect(splitter.isComplete)
        }
    }

    @Test("a truncated document fails at finish, naming the problem")
    func truncated() throws {
        let bytes = Array(#"{"dataValues":[{"value":"1"},{"val"#.utf8)
        let error = #expect(throws: DHIS2Error.self) { try Self.split(bytes, pieces: [5]) }
        #expect(error?.code == .decoding)
        #expect(error?.message.contains("ended before its root object was closed") == true)
    }

    @Test("a document that is not an object, unbalanced brackets and trailing data fail")
    func malformed() throws {
        for document in [#"[{"value":"1"}]"#, #"{"dataValues":[1]}}"#, #"{"dataValues":[1]} x"#, "   "] {
            #expect(throws: DHIS2Error.self, "\(document)") { try Self.split(Array(document.utf8), pieces: [3]) }
        }
    }

    @Test("an element larger than the limit fails instead of growing memory")
    func oversized() throws {
        let long = String(repeating: "x", count: 5000)
        let bytes = Array(#"{"dataValues":[{"value":"\#(long)"}]}"#.utf8)
        let error = #expect(throws: DHIS2Error.self) {
            try Self.split(bytes, pieces: [100], maxElementSize: 1000)
        }
        #expect(error?.message.contains("larger than 1000 bytes") == true)
    }

    @Test(
        "the real 188,701-value play export fed in odd piece sizes yields every value, equal to a whole-document parse",
        .enabled(if: Self.playFileShouldBeRead, Self.skipReason))
    func realExport() throws {
        let data = try Self.playDataValues()
        // Foundation's parser is the independent reference (JSONSerialization: optimised even in a debug build).
        let reference = try JSONSerialization.jsonObject(with: data) as? NSDictionary
        let values = try #require(reference?["dataValues"] as? NSArray)
        #expect(values.count == 188_701)
        let (elements, splitter) = try Self.split([UInt8](data), pieces: [1, 7, 4093, 65_521, 3, 100_003])
        #expect(splitter.isComplete)
        #expect(elements.count == values.count)
        for (index, element) in elements.enumerated() where index % 97 == 0 || index == elements.count - 1 {
            let value = try JSONSerialization.jsonObject(with: Data(element)) as? NSDictionary
            #expect(value == values[index] as? NSDictionary, "value \(index)")
        }
    }

    @Test("JSONArrayElements streams the elements out of a file read in chunks")
    func fileElements() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("split-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values = (0..<2000).map { #"{"dataElement":"de","value":"\#($0)"}"# }
        try Data(#"{"orgUnit":"ou","dataValues":[\#(values.joined(separator: ","))]}"#.utf8)
            .write(to: URL(fileURLWithPath: path))
        var iterator = JSONArrayElements(FileChunks(path: path, chunkSize: 333), member: "dataValues")
            .makeAsyncIterator()
        var seen: [String] = []
        while let element = try await iterator.next() { seen.append(Self.text(element)) }
        #expect(seen == values)
        #expect(iterator.rootMembers["orgUnit"].map(Self.text) == #""ou""#)
    }

    @Test("reading a missing file fails with a clear error")
    func missingFile() async throws {
        var iterator = FileChunks(path: "/nonexistent/\(UUID().uuidString).json").makeAsyncIterator()
        let error = await #expect(throws: DHIS2Error.self) { _ = try await iterator.next() }
        #expect(error?.code == .invalidRequest)
    }

    static let skipReason: Comment =
        "DHIS2 reference data not found; set DHIS2_REFERENCE_DIR or check out ../shared/dhis2 next to the repository"

    /// `fixtures/play/data_values.json.gz` under `DHIS2_REFERENCE_DIR`, else under `../shared/dhis2`.
    static var playFile: URL {
        let directory: URL
        if let configured = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !configured.isEmpty {
            directory = URL(fileURLWithPath: configured, isDirectory: true)
        } else {
            // #filePath = <root>/Tests/DHIS2CoreTests/<file>.swift: three components up is the root.
            var root = URL(fileURLWithPath: #filePath)
            for _ in 0..<3 { root.deleteLastPathComponent() }
            directory = root.appendingPathComponent("../shared/dhis2", isDirectory: true).standardizedFileURL
        }
        return directory.appendingPathComponent("fixtures/play/data_values.json.gz")
    }

    /// Read when the file is there, and under CI always (so a missing file fails there).
    static var playFileShouldBeRead: Bool {
        FileManager.default.fileExists(atPath: playFile.path) || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The real play export, decompressed.
    static func playDataValues() throws -> Data {
        let url = playFile
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw DHIS2Error(code: .invalidRequest, message: "The DHIS2 reference file \(url.path) is missing.")
        }
        // Foundation has no gzip reader on Linux; the machine's gzip does it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw DHIS2Error(code: .decoding, message: "gzip could not read \(url.path).")
        }
        return data
    }
}
