import DHIS2
import DHIS2Profiles
import Foundation
import Testing

/// Two processes on one token store: this test process, and a python3 process using SQLite's own client library on
/// the same file (python3 is on every machine this project builds on). The other process holds the write lock in
/// bursts while this one saves tokens; every save must wait its turn instead of failing, and each process must see
/// the other's rows afterwards.
@Suite("The SQLite token store shared with another process")
struct TokenStoreProcessTests {
    static let python = ["/usr/bin/python3", "/usr/local/bin/python3"].first { FileManager.default.isExecutableFile(atPath: $0) }
        ?? ProcessInfo.processInfo.environment["PATH"].flatMap { path in
            path.split(separator: ":").map { "\($0)/python3" }.first { FileManager.default.isExecutableFile(atPath: $0) }
        }

    @Test("saves wait for another process's write lock, and both processes see each other's rows")
    func sharedAcrossProcesses() async throws {
        guard let python = Self.python else {
            if ProcessInfo.processInfo.environment["CI"] != nil { Issue.record("python3 is required on CI for this test") }
            return
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dhis2-tokens-\(UID.generate())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("tokens.sqlite").path
        let store = try SQLiteTokenStore(path: path)
        try await store.save(OAuth2Token(accessToken: "seed", expiresAt: Date()), for: "seed")

        // The other process: 15 write transactions of 60 ms each, holding the lock while it sleeps.
        let writer = """
            import sqlite3, sys, time
            db = sqlite3.connect(sys.argv[1], timeout=30, isolation_level=None)
            table = [r[0] for r in db.execute("select name from sqlite_master where type='table'")][0]
            for i in range(15):
                db.execute("BEGIN IMMEDIATE")
                db.execute(f"INSERT OR REPLACE INTO {table} (key, token, updated_at) VALUES (?, ?, ?)",
                           (f"python-{i}", '{"x":1}', time.time()))
                time.sleep(0.06)
                db.execute("COMMIT")
            print("done")
            """
        let other = try Self.run(python, ["-c", writer, path])
        async let otherFinished = Self.wait(other)

        for index in 0..<15 {
            try await store.save(
                OAuth2Token(accessToken: "swift-\(index)", refreshToken: "r", expiresAt: Date()), for: "swift-\(index)")
            try await Task.sleep(for: .milliseconds(20))
        }
        let (status, output) = try await otherFinished
        #expect(status == 0)
        #expect(output.contains("done"))

        let keys = try await store.keys()
        #expect(keys.filter { $0.hasPrefix("python-") }.count == 15)
        #expect(keys.filter { $0.hasPrefix("swift-") }.count == 15)
        for index in 0..<15 {
            let token = try await store.token(for: "swift-\(index)")
            #expect(token?.accessToken == "swift-\(index)")
        }

        let reader = """
            import sqlite3, sys
            db = sqlite3.connect(sys.argv[1], timeout=30)
            table = [r[0] for r in db.execute("select name from sqlite_master where type='table'")][0]
            print(db.execute(f"select count(*) from {table} where key like 'swift-%'").fetchone()[0])
            """
        let (readStatus, readOutput) = try await Self.wait(try Self.run(python, ["-c", reader, path]))
        #expect(readStatus == 0)
        #expect(readOutput.trimmingCharacters(in: .whitespacesAndNewlines) == "15")
    }

    static func run(_ executable: String, _ arguments: [String]) throws -> (Process, Pipe) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        return (process, pipe)
    }

    static func wait(_ running: (Process, Pipe)) async throws -> (Int32, String) {
        let (process, pipe) = running
        // Reading to the end returns when the process closes its output, i.e. when it exits.
        let data = try await Task.detached { try pipe.fileHandleForReading.readToEnd() ?? Data() }.value
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }
}
