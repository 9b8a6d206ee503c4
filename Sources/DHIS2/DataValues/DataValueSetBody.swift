import DHIS2Core
import DHIS2Models
import Synchronization

/// The JSON of a data value set written piece by piece: the header's members, then `"dataValues":[`, the values in
/// chunks of about `chunkBytes`, then `]}` — so the values are never all encoded at once.
struct DataValueSetBody<Values: AsyncSequence & Sendable>: AsyncSequence, Sendable where Values.Element == DataValue {
    typealias Element = [UInt8]
    /// The set's other members (`dataSet`, `period`, `orgUnit`, …); its `dataValues` are ignored.
    let header: DataValueSet
    let values: Values
    /// Counts the values written, for the caller to read after the upload.
    let counter: ValueCounter
    var chunkBytes = 256 * 1024

    struct AsyncIterator: AsyncIteratorProtocol {
        var values: Values.AsyncIterator
        let header: DataValueSet
        let counter: ValueCounter
        let chunkBytes: Int
        var started = false
        var finished = false
        var count = 0

        mutating func next() async throws -> [UInt8]? {
            guard !finished else { return nil }
            var writer = DHIS2JSONWriter()
            var bytes: [UInt8] = []
            bytes.reserveCapacity(chunkBytes + 1024)
            if !started {
                started = true
                bytes.append(contentsOf: DataValueSetBody.opening(header))
            }
            while bytes.count < chunkBytes {
                guard let value = try await values.next() else {
                    bytes.append(contentsOf: "]}".utf8)
                    finished = true
                    counter.set(count)
                    return bytes
                }
                if count > 0 { bytes.append(UInt8(ascii: ",")) }
                writer = DHIS2JSONWriter()
                value.writeJSON(to: &writer)
                bytes.append(contentsOf: writer.bytes)
                count += 1
            }
            counter.set(count)
            return bytes
        }
    }

    func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(values: values.makeAsyncIterator(), header: header, counter: counter, chunkBytes: chunkBytes)
    }

    /// `{` + the header's members + `"dataValues":[`.
    static func opening(_ header: DataValueSet) -> [UInt8] {
        var set = header
        set.dataValues = nil
        set.unknownMembers["dataValues"] = nil
        var bytes = set.jsonBytes()
        // The writer ends an object with `}`; the values array goes in its place.
        bytes.removeLast()
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        bytes.append(contentsOf: #""dataValues":["#.utf8)
        return bytes
    }
}

/// How many values a body wrote (read after the upload finished).
final class ValueCounter: Sendable {
    private let value = Mutex(0)
    func set(_ count: Int) { value.withLock { $0 = count } }
    var count: Int { value.withLock { $0 } }
}

/// An in-memory list of values as an `AsyncSequence`, so a chunk is encoded with the same streaming writer.
struct ValueList: AsyncSequence, Sendable {
    typealias Element = DataValue
    let values: [DataValue]

    struct AsyncIterator: AsyncIteratorProtocol {
        var base: IndexingIterator<[DataValue]>
        mutating func next() async -> DataValue? { base.next() }
    }

    func makeAsyncIterator() -> AsyncIterator { AsyncIterator(base: values.makeIterator()) }
}
