/// Finds the elements of one array member of a JSON object that arrives in pieces, and hands out each complete
/// element's bytes as soon as its last byte is in — the small incremental reader behind streamed exports.
///
/// No JSON library this package uses reads incrementally, and a national data value export (millions of values in
/// `{"dataValues":[…]}`) must not be held in memory. This reader only tracks structure — nesting depth, strings and
/// escapes, which member of the root object it is in — and never builds values; each element's bytes go to a real
/// parser (the generated models' reader) one at a time. Memory stays bounded by the largest element plus the
/// largest piece appended, whatever the document's size.
///
/// ```swift
/// var splitter = JSONArrayElementSplitter(member: "dataValues")
/// for try await chunk in chunks {
///     splitter.append(chunk)
///     while let element = try splitter.nextElement() { handle(element) }
/// }
/// try splitter.finish()
/// ```
///
/// Only the root object's member is followed; a member of the same name deeper down is ignored. The root object's
/// other members are kept as raw bytes in ``rootMembers`` when small (at most ``maxRootMemberSize`` bytes each), so
/// a caller can read `dataSet`, `period` or `orgUnit` defaults that sit next to the array. Structure is checked
/// (brackets balance, the root is an object, nothing follows it); the elements themselves are checked by whoever
/// parses them.
public struct JSONArrayElementSplitter: Sendable {
    /// The root member whose array elements are handed out, e.g. `dataValues`.
    public let member: String
    /// The largest element accepted, in bytes; a larger one fails rather than grow memory without bound.
    public let maxElementSize: Int
    /// The largest root member (other than ``member``) whose bytes are kept in ``rootMembers``.
    public let maxRootMemberSize: Int

    /// The raw JSON of the root object's other members seen so far (only those of at most ``maxRootMemberSize``
    /// bytes), by name.
    public private(set) var rootMembers: [String: [UInt8]] = [:]
    /// Whether the root object had ``member`` as an array.
    public private(set) var foundArray = false
    /// Whether the whole root object has been read.
    public private(set) var isComplete = false
    /// How many elements have been handed out.
    public private(set) var elementCount = 0

    private enum Phase: Sendable { case beforeRoot, inRoot, inArray, done }
    private enum CaptureKind: Sendable { case scalar, string, container }

    private let memberBytes: [UInt8]
    private var buffer: [UInt8] = []
    /// Bytes dropped from the front of `buffer` so far (for absolute offsets in errors).
    private var dropped = 0
    private var position = 0
    private var phase = Phase.beforeRoot
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// In the root object: whether the next string is a member name (after `{` or `,`).
    private var expectingKey = false
    /// In the root object: whether a member's value starts at the next significant byte (after `:`).
    private var expectingValue = false
    private var keyStart: Int?
    private var currentKey: [UInt8]?
    /// The start of the element or root member value being captured.
    private var captureStart: Int?
    private var captureKind = CaptureKind.scalar
    private var captureIsElement = false

    /// A reader for the elements of the root object's `member` array.
    public init(member: String, maxElementSize: Int = 16 * 1024 * 1024, maxRootMemberSize: Int = 64 * 1024) {
        self.member = member
        self.memberBytes = Array(member.utf8)
        self.maxElementSize = maxElementSize
        self.maxRootMemberSize = maxRootMemberSize
    }

    /// Adds the next piece of the document.
    public mutating func append(_ bytes: some Sequence<UInt8>) {
        compact()
        buffer.append(contentsOf: bytes)
    }

    /// The next complete element's bytes, or `nil` when more bytes are needed (or the array has ended).
    ///
    /// - Throws: ``DHIS2Error`` with code `decoding` when the document is not a JSON object, its brackets do not
    ///   balance, something follows it, or an element is larger than ``maxElementSize``.
    public mutating func nextElement() throws(DHIS2Error) -> [UInt8]? {
        let count = buffer.count
        while position < count {
            if inString, !escaped {
                // Most bytes of a document are inside strings: skip to the next quote or backslash in one tight loop.
                position = buffer.withUnsafeBufferPointer { bytes in
                    var index = position
                    while index < count, bytes[index] != Self.quote, bytes[index] != Self.backslash { index += 1 }
                    return index
                }
                if position == count { break }
            }
            let byte = buffer[position]
            if inString {
                if escaped {
                    escaped = false
                } else if byte == Self.backslash {
                    escaped = true
                } else if byte == Self.quote {
                    inString = false
                    if let start = keyStart {
                        currentKey = Array(buffer[start..<position])
                        keyStart = nil
                    }
                    if captureStart != nil, captureKind == .string, depth == captureDepth {
                        position += 1
                        if let element = try endCapture(at: position) { return element }
                        continue
                    }
                }
                position += 1
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09:
                if captureStart != nil, captureKind == .scalar {
                    let end = position
                    position += 1
                    if let element = try endCapture(at: end) { return element }
                    continue
                }
            case Self.quote:
                inString = true
                if phase == .inRoot, depth == 1, expectingKey {
                    keyStart = position + 1
                } else {
                    try beginValueIfExpected(.string)
                }
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                if phase == .beforeRoot {
                    guard byte == UInt8(ascii: "{") else { throw failure("the document is not a JSON object") }
                    phase = .inRoot
                    depth = 1
                    expectingKey = true
                } else if phase == .inRoot, depth == 1, expectingValue, byte == UInt8(ascii: "["),
                    currentKey == memberBytes
                {
                    expectingValue = false
                    phase = .inArray
                    foundArray = true
                    depth = 2
                } else {
                    try beginValueIfExpected(.container)
                    depth += 1
                }
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if captureStart != nil, captureKind == .scalar {
                    // The scalar ends before this byte; the byte itself is read again on the next call.
                    if let element = try endCapture(at: position) { return element }
                    continue
                }
                guard depth > 0, phase != .beforeRoot, phase != .done else { throw failure("unbalanced '\(Character(Unicode.Scalar(byte)))'") }
                depth -= 1
                position += 1
                if phase == .inArray, depth == 1 {
                    phase = .inRoot
                    expectingKey = false
                } else if depth == 0 {
                    phase = .done
                    isComplete = true
                } else if captureStart != nil, captureKind == .container, depth == captureDepth {
                    if let element = try endCapture(at: position) { return element }
                }
                continue
            case UInt8(ascii: ","):
                if captureStart != nil, captureKind == .scalar {
                    if let element = try endCapture(at: position) { return element }
                    continue
                }
                if phase == .inRoot, depth == 1 {
                    expectingKey = true
                    expectingValue = false
                    currentKey = nil
                }
            case UInt8(ascii: ":"):
                if phase == .inRoot, depth == 1 {
                    expectingKey = false
                    expectingValue = true
                }
            default:
                if phase == .beforeRoot { throw failure("the document is not a JSON object") }
                if phase == .done { throw failure("unexpected data after the JSON document") }
                try beginValueIfExpected(.scalar)
            }
            position += 1
        }
        if let start = captureStart, captureIsElement, position - start > maxElementSize {
            throw failure("an element of \"\(member)\" is larger than \(maxElementSize) bytes")
        }
        return nil
    }

    /// Checks that the document ended where it should: call after the last piece was appended and every element
    /// taken.
    ///
    /// - Throws: ``DHIS2Error`` with code `decoding` when the document is incomplete.
    public mutating func finish() throws(DHIS2Error) {
        if try nextElement() != nil {
            throw failure("finish() was called before every element was taken")
        }
        guard isComplete else {
            throw failure(
                phase == .beforeRoot ? "the document is empty" : "the document ended before its root object was closed")
        }
    }

    private static let quote = UInt8(ascii: "\"")
    private static let backslash = UInt8(ascii: "\\")

    /// The depth at which the value being captured sits: 2 for array elements, 1 for root members.
    private var captureDepth: Int { captureIsElement ? 2 : 1 }

    private mutating func beginValueIfExpected(_ kind: CaptureKind) throws(DHIS2Error) {
        if phase == .done { throw failure("unexpected data after the JSON document") }
        guard captureStart == nil else { return }
        if phase == .inArray, depth == 2 {
            captureStart = position
            captureKind = kind
            captureIsElement = true
        } else if phase == .inRoot, depth == 1, expectingValue {
            expectingValue = false
            captureStart = position
            captureKind = kind
            captureIsElement = false
        }
    }

    /// Ends the capture at `end` (exclusive): an element is returned, a root member's value recorded.
    private mutating func endCapture(at end: Int) throws(DHIS2Error) -> [UInt8]? {
        guard let start = captureStart else { return nil }
        captureStart = nil
        if captureIsElement {
            guard end - start <= maxElementSize else {
                throw failure("an element of \"\(member)\" is larger than \(maxElementSize) bytes")
            }
            elementCount += 1
            return Array(buffer[start..<end])
        }
        if end - start <= maxRootMemberSize, let key = currentKey {
            rootMembers[String(decoding: key, as: UTF8.self)] = Array(buffer[start..<end])
        }
        return nil
    }

    /// Drops the bytes nobody needs any more, when that frees enough to be worth the copy.
    private mutating func compact() {
        var keep = position
        if let captureStart { keep = min(keep, captureStart) }
        if let keyStart { keep = min(keep, keyStart - 1) }
        // A root member too large to keep is not worth holding on to.
        if let start = captureStart, !captureIsElement, position - start > maxRootMemberSize {
            captureStart = nil
            keep = position
            if let keyStart { keep = min(keep, keyStart - 1) }
        }
        guard keep > 0, keep >= 64 * 1024 || keep * 2 >= buffer.count else { return }
        buffer.removeSubrange(0..<keep)
        dropped += keep
        position -= keep
        if let start = captureStart { captureStart = start - keep }
        if let start = keyStart { keyStart = start - keep }
    }

    private func failure(_ what: String) -> DHIS2Error {
        DHIS2Error(
            code: .decoding,
            message: "The JSON could not be read as an object with a \"\(member)\" array: \(what) (at byte "
                + "\(dropped + position)).")
    }
}
