import Crypto
import DHIS2
import Foundation
import NIOCore

/// An OAuth2 client registered through `/api/oAuth2Clients` (DHIS2 2.42+ `Dhis2OAuth2Client`, reference §1.4), as
/// the authorization server reads it: the comma-separated strings split into sets.
struct RegisteredClient: Sendable {
    let clientID: String
    /// The stored `clientSecret` (a hash, never the secret itself), when the client has one.
    let storedSecret: String?
    let authenticationMethods: Set<String>
    let grantTypes: Set<String>
    let redirectURIs: [String]
    let scopes: Set<String>
    /// Whether the client must use PKCE: public clients (`none`) always, others when `clientSettings` asks for it.
    let requiresProofKey: Bool

    /// A public client authenticates with its `client_id` alone and proves possession with PKCE.
    var isPublic: Bool { authenticationMethods.contains("none") }

    init?(_ object: [String: JSONValue]) {
        guard let clientID = object["clientId"]?.stringValue, !clientID.isEmpty else { return nil }
        func list(_ key: String) -> [String] {
            (object[key]?.stringValue ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        }
        self.clientID = clientID
        self.storedSecret = object["clientSecret"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 }
        var methods = Set(list("clientAuthenticationMethods"))
        // DHIS2 converts a client registered without methods to Spring's default, client_secret_basic.
        if methods.isEmpty { methods = ["client_secret_basic"] }
        self.authenticationMethods = methods
        self.grantTypes = Set(list("authorizationGrantTypes"))
        self.redirectURIs = list("redirectUris")
        self.scopes = Set(list("scopes"))
        let settings = object["clientSettings"]?.stringValue.flatMap { try? JSONValue(parsing: Data($0.utf8)) }
        let proofKeySetting = settings?["settings.client.require-proof-key"]?.boolValue ?? false
        self.requiresProofKey = methods.contains("none") || proofKeySetting
    }

    /// The client registered under `clientID`, if any.
    static func find(_ clientID: String, in snapshot: StoreSnapshot) -> RegisteredClient? {
        for object in (snapshot.objects[OAuth2ClientRegistration.plural] ?? [:]).values {
            guard let object = object.objectValue, object["clientId"]?.stringValue == clientID else { continue }
            return RegisteredClient(object)
        }
        return nil
    }

    /// Whether `secret` is this client's secret.
    func accepts(secret: String) -> Bool {
        guard let storedSecret else { return false }
        return ClientSecretHash.matches(secret, stored: storedSecret)
    }

    /// Spring Authorization Server's redirect-URI rule: an exact match, except that for a loopback IP literal
    /// (`127.0.0.1`, `[::1]`) the port is ignored (RFC 8252 §7.3); `localhost` is refused.
    func allows(redirectURI: String) -> Bool {
        guard let requested = URLComponents(string: redirectURI), let host = requested.host, host != "localhost"
        else { return false }
        guard host == "127.0.0.1" || host == "::1" || host == "[::1]" else { return redirectURIs.contains(redirectURI) }
        return redirectURIs.contains { registered in
            guard var candidate = URLComponents(string: registered) else { return false }
            candidate.port = requested.port
            return candidate.string == requested.string
        }
    }
}

/// How the emulator keeps client secrets.
///
/// DHIS2 stores `clientSecret` as given and checks it with its global BCrypt password encoder, so a client registered
/// with a plaintext secret is refused with `invalid_client` (reference §1.4). BCrypt is not in this package's
/// dependency set, so the emulator hashes a plaintext secret on registration with a salted SHA-256 of its own
/// (`{emulator-sha256}<salt>$<hex>`) and checks against that. A BCrypt hash (`$2a$…`) sent by a client is stored
/// as given but cannot be checked: token requests of such a client fail with `invalid_client`.
enum ClientSecretHash {
    static let prefix = "{emulator-sha256}"

    /// Whether `stored` is already a hash (the emulator's own or a BCrypt one), so it is kept as it is.
    static func isHash(_ stored: String) -> Bool {
        stored.hasPrefix(prefix) || stored.hasPrefix("$2a$") || stored.hasPrefix("$2b$") || stored.hasPrefix("$2y$")
    }

    static func make(_ secret: String) -> String {
        let salt = PasswordHash.makeSalt()
        return prefix + salt + "$" + digest(secret, salt: salt)
    }

    static func matches(_ secret: String, stored: String) -> Bool {
        guard stored.hasPrefix(prefix) else { return false }
        let rest = stored.dropFirst(prefix.count)
        guard let dollar = rest.firstIndex(of: "$") else { return false }
        let salt = String(rest[..<dollar])
        let expected = Array(rest[rest.index(after: dollar)...].utf8)
        let actual = Array(digest(secret, salt: salt).utf8)
        // Compare every byte so the time taken says nothing about where a guess went wrong.
        guard expected.count == actual.count else { return false }
        return zip(expected, actual).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    private static func digest(_ secret: String, salt: String) -> String {
        SHA256.hash(data: Data((salt + ":" + secret).utf8)).hexString
    }
}

/// `/api/oAuth2Clients` (2.42+): generic metadata CRUD, after the two things DHIS2 does to the body first.
enum OAuth2ClientRegistration {
    static let plural = "oAuth2Clients"

    /// The `Dhis2OAuth2Client` schema facts [schemas v42 oauth2Client].
    static let type = MetadataType(
        singular: "oauth2Client", plural: plural, klass: "org.hisp.dhis.security.oauth2.client.Dhis2OAuth2Client",
        properties: MetadataType.identifiable(nameUnique: false) + [
            MetadataType.textProperty("clientId", required: true, unique: true),
            MetadataType.textProperty("clientSecret"),
            PropertyDescription(name: "clientIdIssuedAt", kind: .date),
            PropertyDescription(name: "clientSecretExpiresAt", kind: .date),
            MetadataType.textProperty("clientAuthenticationMethods"),
            MetadataType.textProperty("authorizationGrantTypes"),
            MetadataType.textProperty("redirectUris"),
            MetadataType.textProperty("postLogoutRedirectUris"),
            MetadataType.textProperty("scopes"),
            MetadataType.textProperty("clientSettings"),
            MetadataType.textProperty("tokenSettings"),
            PropertyDescription(name: "attributeValues", kind: .complexCollection),
        ],
        defaults: ["attributeValues": [], "translations": []])

    static let listProperties = [
        "clientAuthenticationMethods", "authorizationGrantTypes", "redirectUris", "postLogoutRedirectUris", "scopes",
    ]

    /// The request with its body prepared for storage: multi-valued fields given as JSON arrays become DHIS2's
    /// comma-separated strings (2.42 accepts both, reference §1.4), and a plaintext `clientSecret` is replaced by
    /// its hash (see ``ClientSecretHash``). Bodies that are not a JSON object pass unchanged to the generic handler.
    static func prepared(_ environment: RequestEnvironment) -> RequestEnvironment {
        guard let value = try? JSONValue(parsing: Data(environment.body.readableBytesView)),
            var object = value.objectValue
        else { return environment }
        for key in listProperties {
            if let items = object[key]?.arrayValue {
                object[key] = .string(items.compactMap(\.stringValue).joined(separator: ","))
            }
        }
        if let secret = object["clientSecret"]?.stringValue, !secret.isEmpty, !ClientSecretHash.isHash(secret) {
            object["clientSecret"] = .string(ClientSecretHash.make(secret))
        }
        guard let data = try? JSONValue.object(object).jsonData() else { return environment }
        return RequestEnvironment(
            request: environment.request, segments: environment.segments, query: environment.query,
            contextPath: environment.contextPath, principal: environment.principal, snapshot: environment.snapshot,
            body: ByteBuffer(bytes: data))
    }
}
