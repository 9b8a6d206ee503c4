/// A DHIS2 identifier: 11 characters from `[A-Za-z0-9]`, the first a letter (`^[A-Za-z][A-Za-z0-9]{10}$`).
///
/// DHIS2 accepts client-chosen UIDs on create, so a UID generated here can be used before the object exists on the
/// server. Generation uses the system's cryptographically secure random number generator.
public struct UID: RawRepresentable, Hashable, Comparable, Codable, Sendable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The identifier's 11 characters.
    public let rawValue: String

    static let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
    static let alphanumerics = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// The length of every DHIS2 UID.
    public static let length = 11

    /// Validates `rawValue`, returning `nil` unless it matches `^[A-Za-z][A-Za-z0-9]{10}$`.
    public init?(rawValue: String) {
        guard UID.isValid(rawValue) else { return nil }
        self.rawValue = rawValue
    }

    /// Validates `string`, throwing ``DHIS2Error`` (`invalidUID`) with the offending value when it is not a UID.
    public init(validating string: String) throws(DHIS2Error) {
        guard UID.isValid(string) else { throw DHIS2Error.invalidUID(string) }
        self.rawValue = string
    }

    /// A UID literal; the literal must be valid (checked when the program runs, a programming error otherwise).
    public init(stringLiteral value: String) {
        // A literal is written by the programmer: an invalid one is a bug in the program, not bad input.
        precondition(UID.isValid(value), "\"\(value)\" is not a DHIS2 UID (^[A-Za-z][A-Za-z0-9]{10}$)")
        self.rawValue = value
    }

    /// Whether `string` matches `^[A-Za-z][A-Za-z0-9]{10}$`.
    public static func isValid(_ string: some StringProtocol) -> Bool {
        let bytes = string.utf8
        guard bytes.count == length, let first = bytes.first else { return false }
        guard isASCIILetter(first) else { return false }
        return bytes.allSatisfy { isASCIILetter($0) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) }
    }

    private static func isASCIILetter(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
    }

    /// A new random UID from a cryptographically secure source.
    public static func generate() -> UID {
        var rng = SystemRandomNumberGenerator()
        return generate(using: &rng)
    }

    /// A new random UID drawn from `generator` (inject a seeded generator for reproducible data sets).
    public static func generate<G: RandomNumberGenerator>(using generator: inout G) -> UID {
        var bytes = [UInt8]()
        bytes.reserveCapacity(length)
        bytes.append(letters[Int.random(in: 0..<letters.count, using: &generator)])
        for _ in 1..<length {
            bytes.append(alphanumerics[Int.random(in: 0..<alphanumerics.count, using: &generator)])
        }
        return UID(unchecked: String(decoding: bytes, as: UTF8.self))
    }

    /// `count` new UIDs, guaranteed distinct from each other.
    public static func generate(count: Int) -> [UID] {
        var rng = SystemRandomNumberGenerator()
        return generate(count: count, using: &rng)
    }

    /// `count` UIDs drawn from `generator`, guaranteed distinct from each other.
    public static func generate<G: RandomNumberGenerator>(count: Int, using generator: inout G) -> [UID] {
        var seen = Set<UID>()
        var result = [UID]()
        result.reserveCapacity(max(count, 0))
        while result.count < count {
            let uid = generate(using: &generator)
            if seen.insert(uid).inserted { result.append(uid) }
        }
        return result
    }

    init(unchecked rawValue: String) { self.rawValue = rawValue }

    public var description: String { rawValue }

    public static func < (lhs: UID, rhs: UID) -> Bool { lhs.rawValue < rhs.rawValue }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let string = try container.decode(String.self)
        guard UID.isValid(string) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(string)\" is not a DHIS2 UID (^[A-Za-z][A-Za-z0-9]{10}$)")
        }
        self.rawValue = string
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(rawValue)
    }
}
