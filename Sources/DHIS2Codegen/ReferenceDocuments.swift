import Foundation


/// A parsed JSON document the generator reads (an OpenAPI document or an `/api/schemas` dump).
enum JSONNode: Sendable, Equatable, Decodable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONNode])
    case object([String: JSONNode])

    init(parsing data: Data) throws {
        // JSONSerialization is several times faster than JSONDecoder on these multi-megabyte documents.
        self = JSONNode(parsed: try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    /// Converts JSONSerialization's output; the untyped tree never leaves this initializer.
    private init(parsed object: Any) {
        switch object {
        case let members as [String: Any]:
            self = .object(members.mapValues(JSONNode.init(parsed:)))
        case let elements as [Any]:
            self = .array(elements.map(JSONNode.init(parsed:)))
        case let text as String:
            self = .string(text)
        case let number as NSNumber:
            // Booleans arrive as NSNumber too; their Objective-C type code is "c" (char).
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        default:
            self = .null
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONNode].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONNode].self))
        }
    }

    subscript(key: String) -> JSONNode? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    var array: [JSONNode]? {
        if case .array(let value) = self { return value }
        return nil
    }

    var object: [String: JSONNode]? {
        if case .object(let value) = self { return value }
        return nil
    }
}

/// The DHIS2 documents the generator reads: for each API version, the server's OpenAPI document and its
/// `/api/schemas` dump.
public struct ReferenceDocuments: Sendable {
    /// The documents of one API version.
    public struct VersionDocuments: Sendable {
        /// The API version's minor number, e.g. 42 for 2.42.
        public let minor: Int
        let openAPI: JSONNode
        let schemas: JSONNode
    }

    /// The versions read, oldest first.
    public let versions: [VersionDocuments]

    /// The API versions the generated models cover.
    public static let supportedMinors = [41, 42, 43, 44]

    /// Reads `openapi/v4N.json` and `schemas/v4N.json` for every supported version from a reference folder such as
    /// `../shared/dhis2`.
    ///
    /// - Throws: ``CodegenError`` naming the file that is missing or unreadable.
    ///
    /// - Parameter minors: The versions to read (all supported ones unless given).
    public static func load(from directory: URL, minors: [Int] = supportedMinors) throws -> ReferenceDocuments {
        var versions: [VersionDocuments] = []
        for minor in minors.sorted() {
            guard supportedMinors.contains(minor) else {
                throw CodegenError("DHIS2 2.\(minor) is not supported; the models cover 2.41–2.44.")
            }
            let openAPI = try readDocument(directory.appendingPathComponent("openapi/v\(minor).json"))
            let schemas = try readDocument(directory.appendingPathComponent("schemas/v\(minor).json"))
            versions.append(VersionDocuments(minor: minor, openAPI: openAPI, schemas: schemas))
        }
        return ReferenceDocuments(versions: versions)
    }

    static func readDocument(_ url: URL) throws -> JSONNode {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CodegenError("Cannot read \(url.path): \(error.localizedDescription)")
        }
        do {
            return try JSONNode(parsing: data)
        } catch {
            throw CodegenError("\(url.path) is not valid JSON: \(error.localizedDescription)")
        }
    }

    /// Reads the documents of one version from in-memory JSON (the test and live-server path).
    public static func fromJSON(minor: Int, openAPI: Data, schemas: Data) throws -> ReferenceDocuments {
        guard supportedMinors.contains(minor) else {
            throw CodegenError("DHIS2 2.\(minor) is not supported; the models cover 2.41–2.44.")
        }
        let openAPIDocument: JSONNode
        let schemasDocument: JSONNode
        do {
            openAPIDocument = try JSONNode(parsing: openAPI)
            schemasDocument = try JSONNode(parsing: schemas)
        } catch {
            throw CodegenError("The DHIS2 documents are not valid JSON: \(error.localizedDescription)")
        }
        return ReferenceDocuments(
            versions: [VersionDocuments(minor: minor, openAPI: openAPIDocument, schemas: schemasDocument)])
    }
}

/// A failure of the generator: what went wrong and what to do.
public struct CodegenError: Error, CustomStringConvertible, Sendable {
    /// The explanation.
    public let message: String

    init(_ message: String) { self.message = message }

    public var description: String { message }
}
