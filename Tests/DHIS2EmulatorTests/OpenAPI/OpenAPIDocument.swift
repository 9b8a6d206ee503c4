import DHIS2Core
import Foundation
import Testing

/// Where the real DHIS2 reference data lives (`openapi/v41..v44.json`, `schemas/`, `fixtures/play/`).
///
/// `DHIS2_REFERENCE_DIR` wins when set; otherwise `../shared/dhis2` relative to the package root, which is found from
/// this file's `#filePath`. The files are never copied into the repository.
enum ReferenceDirectory {
    /// The reference folder, whether or not it exists.
    static var url: URL {
        if let configured = ProcessInfo.processInfo.environment["DHIS2_REFERENCE_DIR"], !configured.isEmpty {
            return URL(fileURLWithPath: configured, isDirectory: true)
        }
        // #filePath = <root>/Tests/DHIS2EmulatorTests/OpenAPI/OpenAPIDocument.swift: four components up is the root.
        var root = URL(fileURLWithPath: #filePath)
        for _ in 0..<4 { root.deleteLastPathComponent() }
        return root.appendingPathComponent("../shared/dhis2", isDirectory: true).standardizedFileURL
    }

    /// Whether the reference folder is present.
    static var isAvailable: Bool {
        var isDirectory: ObjCBool = false
        return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
    }

    /// Whether tests that need the reference data run: always when it is present, and under CI even when it is
    /// absent, so that a missing folder fails loudly there instead of skipping.
    static var testsShouldRun: Bool {
        isAvailable || ProcessInfo.processInfo.environment["CI"] != nil
    }

    /// The reason shown when those tests are skipped.
    static var skipReason: Comment {
        "DHIS2 reference data not found at \(url.path); set DHIS2_REFERENCE_DIR to the folder holding openapi/v41..v44.json"
    }
}

/// Why an OpenAPI document or one of its parts could not be found.
enum OpenAPIDocumentError: Error, CustomStringConvertible {
    case unsupportedVersion(String)
    case unreadable(path: String, reason: String)
    case unresolvableReference(String)
    case noSuchComponent(String)
    case noSuchPath(method: String, path: String, apiVersion: Int)
    case undeclaredStatus(method: String, template: String, status: Int, declared: [String])
    case undeclaredContentType(method: String, template: String, status: String, contentType: String, declared: [String])

    var description: String {
        switch self {
        case .unsupportedVersion(let version):
            "no OpenAPI document for DHIS2 version \(version); supported: 2.41 to 2.44"
        case .unreadable(let path, let reason):
            "cannot read the OpenAPI document \(path): \(reason)"
        case .unresolvableReference(let reference):
            "cannot resolve $ref \(reference)"
        case .noSuchComponent(let name):
            "the document has no component schema named \(name)"
        case .noSuchPath(let method, let path, let apiVersion):
            "v\(apiVersion) declares no \(method) operation matching \(path)"
        case .undeclaredStatus(let method, let template, let status, let declared):
            "\(method) \(template) declares no response \(status) (declared: \(declared.joined(separator: ", ")))"
        case .undeclaredContentType(let method, let template, let status, let contentType, let declared):
            "\(method) \(template) response \(status) declares no content type \(contentType) (declared: \(declared.joined(separator: ", ")))"
        }
    }
}

/// One of DHIS2's own OpenAPI documents (`openapi/v4N.json`), with `$ref` resolution and response lookup.
///
/// Hides the documents' quirks: v41 paths are relative to `/api` (its server URL ends in `/api`) while v42+ paths
/// start with `/api/`; path keys may end with `/` (`/api/me/`) or carry a `#fragment` that only disambiguates two
/// operations on one path (`/api/dataElements/#getObjectListCsv`). Callers always pass the path as a client sends
/// it (`/api/dataElements/{uid}` or a concrete `/api/dataElements/fbfJHSPpUQD`), for every version.
struct OpenAPIDocument: Sendable {
    /// The DHIS2 minor version the document describes (41...44). The documents' own `info.version` is not trusted:
    /// the v43 and v44 files say "2.42".
    let apiVersion: Int
    /// The whole document.
    let root: JSONValue

    /// The document for an emulated server version such as `"2.42.6"`, `"2.44"` or `"2.41.10"`.
    static func load(serverVersion: String) throws -> OpenAPIDocument {
        let apiVersion = try Self.apiVersion(of: serverVersion)
        let file = ReferenceDirectory.url.appendingPathComponent("openapi/v\(apiVersion).json")
        let data: Data
        do {
            data = try Data(contentsOf: file)
        } catch {
            throw OpenAPIDocumentError.unreadable(path: file.path, reason: "\(error.localizedDescription); "
                + "set DHIS2_REFERENCE_DIR to the folder holding openapi/v41..v44.json")
        }
        do {
            return OpenAPIDocument(apiVersion: apiVersion, root: try JSONValue.parse(data))
        } catch {
            throw OpenAPIDocumentError.unreadable(path: file.path, reason: "\(error)")
        }
    }

    /// The same document as `load(serverVersion:)`, parsed once per process and shared by every test.
    static func shared(serverVersion: String) async throws -> OpenAPIDocument {
        try await OpenAPIDocumentCache.shared.document(apiVersion: try apiVersion(of: serverVersion))
    }

    /// `41` for `"2.41.10"`, `44` for `"2.44"` or `"2.44-SNAPSHOT"`.
    static func apiVersion(of serverVersion: String) throws -> Int {
        let parts = serverVersion.split(separator: ".")
        guard parts.count >= 2, parts[0] == "2",
            let minor = Int(parts[1].prefix(while: \.isNumber)), (41...44).contains(minor)
        else { throw OpenAPIDocumentError.unsupportedVersion(serverVersion) }
        return minor
    }

    /// The schema object of `components.schemas.<name>`.
    func component(_ name: String) throws -> JSONValue {
        guard let schema = root["components"]?["schemas"]?[name] else { throw OpenAPIDocumentError.noSuchComponent(name) }
        return schema
    }

    /// The target of a local `$ref` such as `#/components/schemas/Pager` (JSON Pointer escapes honoured).
    func resolve(_ reference: String) throws -> JSONValue {
        guard reference.hasPrefix("#/") else { throw OpenAPIDocumentError.unresolvableReference(reference) }
        var node = root
        for rawToken in reference.dropFirst(2).split(separator: "/", omittingEmptySubsequences: false) {
            let token = rawToken.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = node[token] else { throw OpenAPIDocumentError.unresolvableReference(reference) }
            node = next
        }
        return node
    }

    /// A response declaration found for a request.
    struct ResponseDeclaration: Sendable {
        /// The document's path key, as written there (e.g. `/dataElements/{uid}` in v41).
        let template: String
        /// The response key that matched: the status itself, `4XX`, or `default`.
        let statusKey: String
        /// The declared schema for the content type, or `nil` when the response declares no body.
        let schema: JSONValue?
    }

    /// The response a path declares for `method`, `status` and `contentType` (the first, when the path has several
    /// alternative operations; see ``responses(method:path:status:contentType:)``).
    func response(method: String, path: String, status: Int, contentType: String = "application/json") throws
        -> ResponseDeclaration
    {
        let all = try responses(method: method, path: path, status: status, contentType: contentType)
        guard let first = all.first else {
            throw OpenAPIDocumentError.noSuchPath(method: method.uppercased(), path: path, apiVersion: apiVersion)
        }
        return first
    }

    /// Every response the document declares for `method`, `status` and `contentType` on the path: usually one, but
    /// DHIS2 declares alternative operations on one path under `#fragment` keys when query parameters select between
    /// them (`GET /api/organisationUnits/{uid}` answers one object, or with `includeChildren`/`level` a list), and
    /// the document cannot say which one a given request gets.
    ///
    /// `path` may be concrete or a template, with or without a query string; a literal segment beats a `{parameter}`
    /// when both match. The status is looked up exactly, then as `NXX`, then as `default`. Content type parameters
    /// (`;charset=UTF-8`) are ignored. Throws when no operation declares the response.
    func responses(method: String, path: String, status: Int, contentType: String = "application/json") throws
        -> [ResponseDeclaration]
    {
        let verb = method.lowercased()
        let requestSegments = segments(ofRequestPath: path)
        let mediaType = Self.mediaType(contentType)

        // All path keys whose segments match, best (most literal segments) first.
        var candidates: [(key: String, literals: Int)] = []
        for (key, item) in root["paths"]?.objectValue ?? [:] where item[verb] != nil {
            let templateSegments = Self.segments(ofTemplate: key)
            guard templateSegments.count == requestSegments.count else { continue }
            var literals = 0
            var matches = true
            for (template, actual) in zip(templateSegments, requestSegments) {
                if template.hasPrefix("{") && template.hasSuffix("}") { continue }
                if template == actual { literals += 1 } else { matches = false; break }
            }
            if matches { candidates.append((key, literals)) }
        }
        guard !candidates.isEmpty else {
            throw OpenAPIDocumentError.noSuchPath(method: method.uppercased(), path: path, apiVersion: apiVersion)
        }
        let bestLiterals = candidates.map(\.literals).max() ?? 0
        let best = candidates.filter { $0.literals == bestLiterals }.map(\.key).sorted()

        var found: [ResponseDeclaration] = []
        var firstError: OpenAPIDocumentError?
        for key in best {
            guard let responses = root["paths"]?[key]?[verb]?["responses"]?.objectValue else { continue }
            let statusKeys = ["\(status)", "\(status / 100)XX", "default"]
            guard let statusKey = statusKeys.first(where: { responses[$0] != nil }), let declared = responses[statusKey]
            else {
                firstError = firstError
                    ?? .undeclaredStatus(method: method.uppercased(), template: key, status: status,
                                         declared: responses.keys.sorted())
                continue
            }
            guard let content = declared["content"]?.objectValue, !content.isEmpty else {
                found.append(ResponseDeclaration(template: key, statusKey: statusKey, schema: nil))
                continue
            }
            if let media = content.first(where: { Self.mediaType($0.key) == mediaType })?.value {
                found.append(ResponseDeclaration(template: key, statusKey: statusKey,
                                                 schema: media["schema"] ?? .object([:])))
                continue
            }
            firstError = firstError
                ?? .undeclaredContentType(method: method.uppercased(), template: key, status: statusKey,
                                          contentType: mediaType, declared: content.keys.sorted())
        }
        guard found.isEmpty else { return found }
        throw firstError ?? OpenAPIDocumentError.noSuchPath(method: method.uppercased(), path: path, apiVersion: apiVersion)
    }

    /// The request path's segments, as the document spells them: query dropped, and for v41 the leading `/api`
    /// removed because that document's paths are relative to its `/api` server URL.
    private func segments(ofRequestPath path: String) -> [String] {
        var pathOnly = String(path.prefix(while: { $0 != "?" && $0 != "#" }))
        if apiVersion == 41 {
            if pathOnly == "/api" {
                pathOnly = "/"
            } else if pathOnly.hasPrefix("/api/") {
                pathOnly.removeFirst(4)
            }
        }
        return pathOnly.split(separator: "/").map(String.init)
    }

    /// A path key's segments, without its disambiguating `#fragment` and trailing slash.
    private static func segments(ofTemplate key: String) -> [String] {
        key.prefix(while: { $0 != "#" }).split(separator: "/").map(String.init)
    }

    /// `application/json` for `application/json;charset=UTF-8`.
    static func mediaType(_ contentType: String) -> String {
        contentType.prefix(while: { $0 != ";" }).trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// Parses each version's document once per process, however many tests ask at the same time.
actor OpenAPIDocumentCache {
    static let shared = OpenAPIDocumentCache()

    private var loads: [Int: Task<OpenAPIDocument, any Error>] = [:]

    func document(apiVersion: Int) async throws -> OpenAPIDocument {
        if let load = loads[apiVersion] { return try await load.value }
        // Detached: parsing takes seconds and must neither run on nor block this actor (other versions load meanwhile).
        let load = Task.detached { try OpenAPIDocument.load(serverVersion: "2.\(apiVersion)") }
        loads[apiVersion] = load
        return try await load.value
    }
}

extension JSONValue {
    /// Parses JSON text with Foundation's `JSONSerialization` (fast enough for the 10 MB documents), keeping Booleans
    /// apart from the numbers 0 and 1.
    static func parse(_ data: Data) throws -> JSONValue {
        try JSONValue(foundation: JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    private init(foundation value: Any) throws {
        switch value {
        case is NSNull:
            self = .null
        case let string as String:
            self = .string(string)
        case let number as NSNumber:
            // JSONSerialization gives Booleans as NSNumber with objCType "c"; it never produces chars otherwise.
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        case let array as [Any]:
            self = .array(try array.map { try JSONValue(foundation: $0) })
        case let object as [String: Any]:
            self = .object(try object.mapValues { try JSONValue(foundation: $0) })
        default:
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "unexpected JSON value of type \(type(of: value))"))
        }
    }
}
