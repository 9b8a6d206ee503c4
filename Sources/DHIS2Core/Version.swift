/// A DHIS2 server version as `/api/system/info` reports it: `major.minor[.patch[.hotfix]][-SNAPSHOT]`.
///
/// Parses `2.42.4`, `2.41.8.1` and `2.44-SNAPSHOT`. Comparison orders by the numbers (a missing patch counts as 0), and
/// a snapshot sorts before the release of the same numbers, as a development build precedes its release.
public struct ServerVersion: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// `2` for every DHIS2 2.x release.
    public let major: Int
    /// `42` for 2.42.4: the number that selects the API generation.
    public let minor: Int
    /// `4` for 2.42.4; `nil` when the string has none (`2.44-SNAPSHOT`).
    public let patch: Int?
    /// `1` for the hotfix 2.41.8.1.
    public let hotfix: Int?
    /// Whether the version ends in `-SNAPSHOT` (a development build).
    public let isSnapshot: Bool
    /// The string as the server sent it, without surrounding whitespace.
    public let rawValue: String

    /// Parses a version string, returning `nil` when it is not `major.minor[.patch[.hotfix]][-SNAPSHOT]`.
    public init?(_ string: String) {
        let trimmed = string.trimmingWhitespace()
        var numbersPart = Substring(trimmed)
        var snapshot = false
        if let dash = trimmed.firstIndex(of: "-") {
            let suffix = trimmed[trimmed.index(after: dash)...]
            guard suffix.uppercased() == "SNAPSHOT" else { return nil }
            snapshot = true
            numbersPart = trimmed[..<dash]
        }
        let parts = numbersPart.split(separator: ".", omittingEmptySubsequences: false)
        guard (2...4).contains(parts.count) else { return nil }
        var numbers = [Int]()
        for part in parts {
            guard !part.isEmpty, part.allSatisfy(\.isASCIIDigitCharacter), let value = Int(part) else { return nil }
            numbers.append(value)
        }
        major = numbers[0]
        minor = numbers[1]
        patch = numbers.count > 2 ? numbers[2] : nil
        hotfix = numbers.count > 3 ? numbers[3] : nil
        isSnapshot = snapshot
        rawValue = trimmed
    }

    public var description: String { rawValue }

    /// The API generation this version belongs to, when it is one swift-dhis2 supports.
    public var apiVersion: APIVersion? {
        guard major == 2 else { return nil }
        return APIVersion(minor: minor)
    }

    public static func < (lhs: ServerVersion, rhs: ServerVersion) -> Bool {
        let left = [lhs.major, lhs.minor, lhs.patch ?? 0, lhs.hotfix ?? 0]
        let right = [rhs.major, rhs.minor, rhs.patch ?? 0, rhs.hotfix ?? 0]
        if left != right { return left.lexicographicallyPrecedes(right) }
        return lhs.isSnapshot && !rhs.isSnapshot
    }

    public static func == (lhs: ServerVersion, rhs: ServerVersion) -> Bool {
        [lhs.major, lhs.minor, lhs.patch ?? 0, lhs.hotfix ?? 0] == [rhs.major, rhs.minor, rhs.patch ?? 0, rhs.hotfix ?? 0]
            && lhs.isSnapshot == rhs.isSnapshot
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine([major, minor, patch ?? 0, hotfix ?? 0])
        hasher.combine(isSnapshot)
    }
}

/// A DHIS2 API generation swift-dhis2 supports: 2.41, 2.42, 2.43 or 2.44. Its ``key`` (`v42`) names the OpenAPI and
/// schema documents it was generated from.
public struct APIVersion: Hashable, Comparable, Sendable, CustomStringConvertible, Codable {
    /// The minor version number: `42` for DHIS2 2.42.
    public let minor: Int

    /// DHIS2 2.41.
    public static let v41 = APIVersion(unchecked: 41)
    /// DHIS2 2.42.
    public static let v42 = APIVersion(unchecked: 42)
    /// DHIS2 2.43.
    public static let v43 = APIVersion(unchecked: 43)
    /// DHIS2 2.44.
    public static let v44 = APIVersion(unchecked: 44)

    /// The newest supported generation, used for newer servers when fallback is allowed.
    public static let newest = v44

    /// Every supported generation, oldest first.
    public static let supported: [APIVersion] = [.v41, .v42, .v43, .v44]

    /// The generation for DHIS2 2.`minor`, or `nil` when it is not supported.
    public init?(minor: Int) {
        guard APIVersion.supported.contains(where: { $0.minor == minor }) else { return nil }
        self.minor = minor
    }

    /// Parses `v42`, `42` or `2.42`; `nil` for anything else or an unsupported generation.
    public init?(key: String) {
        var text = Substring(key.trimmingWhitespace().lowercased())
        if text.hasPrefix("v") { text = text.dropFirst() }
        if text.hasPrefix("2.") { text = text.dropFirst(2) }
        guard let minor = Int(text) else { return nil }
        self.init(minor: minor)
    }

    private init(unchecked minor: Int) { self.minor = minor }

    /// `v42`.
    public var key: String { "v\(minor)" }
    /// `v42`.
    public var description: String { key }

    public static func < (lhs: APIVersion, rhs: APIVersion) -> Bool { lhs.minor < rhs.minor }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let version = APIVersion(key: text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "\"\(text)\" is not a supported DHIS2 API version (v41–v44)")
        }
        self = version
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(key)
    }

    /// The generation to use for a server of `version`.
    ///
    /// A supported server gets its own generation. Otherwise, with `allowingFallback`, a newer server gets the newest
    /// generation (2.44) and an older one the highest supported generation not above it; without fallback, or when
    /// no generation fits, this throws ``DHIS2Error`` (`unsupportedVersion`).
    public static func resolve(for version: ServerVersion, allowingFallback: Bool) throws(DHIS2Error) -> APIVersion {
        if let exact = version.apiVersion { return exact }
        let fallback: APIVersion?
        if version.major > 2 || (version.major == 2 && version.minor > newest.minor) {
            fallback = newest
        } else {
            fallback = supported.last(where: { $0.minor <= version.minor && version.major == 2 })
        }
        if allowingFallback, let fallback { return fallback }
        let hint =
            fallback.map { "Allow fallback (configuration.allowsVersionFallback) to talk to it as \($0.key), or pin a version." }
            ?? "No supported API generation is older than this server; swift-dhis2 needs DHIS2 2.41 or newer."
        throw DHIS2Error(
            code: .unsupportedVersion,
            message: "The server runs DHIS2 \(version.rawValue); swift-dhis2 supports 2.41–2.44. \(hint)")
    }
}

/// How a client decides which API generation to speak.
public enum VersionSelection: Hashable, Sendable {
    /// Read the version from `/api/system/info` when connecting.
    case detect
    /// Use this generation and skip detection (no `/api/system/info` request at connect).
    case pinned(APIVersion)
}

extension Character {
    var isASCIIDigitCharacter: Bool { isASCII && isNumber }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        String(drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed())
    }
}
