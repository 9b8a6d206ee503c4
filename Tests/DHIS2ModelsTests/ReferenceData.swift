import DHIS2Core
import Foundation
import Testing

/// The real DHIS2 data the model tests read: `DHIS2_REFERENCE_DIR`, else `../shared/dhis2` next to the repository.
///
/// The files are never copied into the repository. Tests skip with a message when the folder is absent, except under
/// CI (`CI` set), where the missing folder fails them.
enum ReferenceData {
    static var directory: URL {
        if let configured = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        // #filePath = <root>/Tests/DHIS2ModelsTests/ReferenceData.swift: three components up is the root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<3 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("../shared/dhis2", isDirectory: true).standardizedFileURL
    }

    static var isAvailable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: directory.path, isDirectory: &isDirectory)
            && isDirectory.boolValue
    }

    /// Run when the data is there, and under CI always (so a missing folder fails there).
    static var shouldRun: Bool { isAvailable || ProcessInfo.processInfo.environment["CI"] != nil }

    static let skipReason: Comment =
        "DHIS2 reference data not found; set DHIS2_REFERENCE_DIR or check out ../shared/dhis2 next to the repository"

    /// The bytes of `fixtures/play/<name>`, decompressed when the name ends in `.gz`.
    static func fixture(_ name: String) throws -> Data {
        let url = directory.appendingPathComponent("fixtures/play/\(name)")
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw ReferenceDataError.missing(url.path)
        }
        guard name.hasSuffix(".gz") else { return try Data(contentsOf: url) }
        // Foundation has no gzip reader on Linux; the test machine's gzip does it.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["gzip", "-dc", url.path]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ReferenceDataError.unreadable(url.path) }
        return data
    }

    /// A JSON document parsed by Foundation, the independent reference the models' output is compared with.
    static func json(_ data: Data) throws -> JSONValue {
        try JSONDecoder().decode(JSONValue.self, from: data)
    }
}

enum ReferenceDataError: Error, CustomStringConvertible {
    case missing(String)
    case unreadable(String)

    var description: String {
        switch self {
        case .missing(let path): "\(path) is missing; the CI environment must provide the DHIS2 reference data"
        case .unreadable(let path): "\(path) could not be decompressed"
        }
    }
}

extension JSONValue {
    /// The value with `null` object members removed: DHIS2 treats an absent member and `null` alike, and the models
    /// leave a property unset for both.
    var withoutNullMembers: JSONValue {
        switch self {
        case .object(let members):
            return .object(members.filter { $0.value != .null }.mapValues(\.withoutNullMembers))
        case .array(let elements):
            return .array(elements.map(\.withoutNullMembers))
        default:
            return self
        }
    }

    /// The first path where two values differ, for readable failures.
    func firstDifference(from other: JSONValue, path: String = "$") -> String? {
        switch (self, other) {
        case (.object(let a), .object(let b)):
            for key in Set(a.keys).union(b.keys).sorted() {
                guard let x = a[key] else { return "\(path).\(key): missing in the source, \(b[key]!) in the output" }
                guard let y = b[key] else { return "\(path).\(key): \(x) in the source, missing in the output" }
                if let difference = x.firstDifference(from: y, path: "\(path).\(key)") { return difference }
            }
            return nil
        case (.array(let a), .array(let b)):
            guard a.count == b.count else { return "\(path): \(a.count) elements in the source, \(b.count) in the output" }
            for (index, (x, y)) in zip(a, b).enumerated() {
                if let difference = x.firstDifference(from: y, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return self == other ? nil : "\(path): \(self) in the source, \(other) in the output"
        }
    }
}
