import Crypto
import Foundation

/// DHIS2 personal access tokens: format, checksum and hashing (reference §1.3, `ApiKeyTokenGenerator`).
enum PersonalAccessToken {
    static let v2Prefix = "d2p_"
    static let v1Prefix = "d2pat_"
    static let base62Alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".utf8)
    private static let randomAlphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)

    /// Mints a new V2 token: `d2p_` + 44 random characters of `[0-9a-zA-Z]` + the 6-character base62 checksum.
    static func generateV2() -> String {
        var rng = SystemRandomNumberGenerator()
        var random = [UInt8]()
        random.reserveCapacity(44)
        for _ in 0..<44 { random.append(randomAlphabet[Int.random(in: 0..<randomAlphabet.count, using: &rng)]) }
        let randomPart = String(decoding: random, as: UTF8.self)
        return v2Prefix + randomPart + v2Checksum(of: randomPart)
    }

    /// The V2 checksum: CRC32 of the random part's UTF-8 bytes plus 4 trailing NUL bytes (DHIS2 hashes the whole
    /// backing array of `Charset.encode`, which is `floor(44 × 1.1) = 48` bytes long), in base62, left-padded to 6.
    static func v2Checksum(of randomPart: String) -> String {
        let crc = CRC32.checksum(Array(randomPart.utf8) + [0, 0, 0, 0])
        return base62(UInt64(crc), width: 6)
    }

    /// The V1 checksum: CRC32 of the 32-character random part plus 3 NUL bytes, as 10 zero-padded decimal digits.
    static func v1Checksum(of randomPart: String) -> String {
        let digits = String(CRC32.checksum(Array(randomPart.utf8) + [0, 0, 0]))
        return String(repeating: "0", count: max(0, 10 - digits.count)) + digits
    }

    static func base62(_ value: UInt64, width: Int) -> String {
        var value = value
        var digits = [UInt8]()
        repeat {
            digits.append(base62Alphabet[Int(value % 62)])
            value /= 62
        } while value > 0
        while digits.count < width { digits.append(UInt8(ascii: "0")) }
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    /// Whether the token's prefix is known and its checksum matches (V2 `d2p_`, or V1 `d2pat_`).
    static func hasValidChecksum(_ token: String) -> Bool {
        if token.hasPrefix(v2Prefix) {
            let body = Array(token.utf8.dropFirst(v2Prefix.utf8.count))
            guard body.count == 50 else { return false }
            let randomPart = String(decoding: body[0..<44], as: UTF8.self)
            return v2Checksum(of: randomPart) == String(decoding: body[44...], as: UTF8.self)
        }
        if token.hasPrefix(v1Prefix) {
            let body = Array(token.utf8.dropFirst(v1Prefix.utf8.count))
            guard body.count == 42 else { return false }
            let randomPart = String(decoding: body[0..<32], as: UTF8.self)
            return v1Checksum(of: randomPart) == String(decoding: body[32...], as: UTF8.self)
        }
        return false
    }

    /// Whether the `Authorization` value matches DHIS2's `^ApiToken [a-z0-9-._~+/]+=*$` (case-insensitive).
    static func isWellFormedHeaderToken(_ token: String) -> Bool {
        var sawCharacter = false
        var inPadding = false
        for byte in token.utf8 {
            if byte == UInt8(ascii: "=") {
                guard sawCharacter else { return false }
                inPadding = true
                continue
            }
            guard !inPadding else { return false }
            let isLetter = (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A)
            let isDigit = byte >= 0x30 && byte <= 0x39
            guard isLetter || isDigit || "-._~+/".utf8.contains(byte) else { return false }
            sawCharacter = true
        }
        return sawCharacter
    }

    /// The SHA-256 hex digest DHIS2 stores instead of the token.
    static func hash(_ token: String) -> String { SHA256.hash(data: Data(token.utf8)).hexString }
}

/// Salted SHA-256 password hashes for the emulator's users (the password itself is never stored).
enum PasswordHash {
    static func makeSalt() -> String {
        var rng = SystemRandomNumberGenerator()
        return (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &rng)) }.joined()
    }

    static func hash(password: String, salt: String) -> String {
        SHA256.hash(data: Data((salt + ":" + password).utf8)).hexString
    }
}

/// CRC-32 (IEEE 802.3, as `java.util.zip.CRC32`).
enum CRC32 {
    private static let table: [UInt32] = (0..<256).map { index in
        var crc = UInt32(index)
        for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        return crc
    }

    static func checksum(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }
}

extension Sequence where Element == UInt8 {
    var hexString: String { map { String(format: "%02x", $0) }.joined() }
}

extension SHA256.Digest {
    var hexString: String { Array(self).hexString }
}
