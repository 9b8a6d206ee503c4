import Crypto
import CryptoExtras
import DHIS2
import Foundation

/// Base64url without padding (RFC 7515 §2), as JWTs, JWKs and PKCE use it.
enum Base64URL {
    static func encode(_ bytes: some DataProtocol) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func decode(_ text: some StringProtocol) -> Data? {
        var base64 = String(text).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        guard !base64.contains("=") else { return nil }
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// The authorization server's signing key: RSA-2048, generated at start and never persisted, so every token dies
/// with the process — DHIS2's default (`oauth2.server.jwt.keystore.generate-if-missing`, reference §1.4).
struct JWTSigner: Sendable {
    /// The `kid` header of every token and the key's id in `/oauth2/jwks` (a random UUID, as Spring AS's samples).
    let keyID: String
    private let privateKey: _RSA.Signing.PrivateKey

    init() throws {
        self.keyID = UUID().uuidString.lowercased()
        self.privateKey = try _RSA.Signing.PrivateKey(keySize: .bits2048)
    }

    /// A compact JWS (`RS256`) of `claims`.
    func sign(_ claims: JSONValue) throws -> String {
        let header: JSONValue = ["kid": .string(keyID), "alg": "RS256"]
        let signingInput = Base64URL.encode(try header.jsonData()) + "." + Base64URL.encode(try claims.jsonData())
        let signature = try privateKey.signature(
            for: SHA256.hash(data: Data(signingInput.utf8)), padding: .insecurePKCS1v1_5)
        return signingInput + "." + Base64URL.encode(signature.rawRepresentation)
    }

    /// Why a bearer token was not accepted; the text goes into `error_description` as Spring Security words it.
    enum Rejection: Error, Equatable {
        case malformed
        case badSignature
        case expired
        case wrongIssuer
    }

    /// The claims of a token this key signed, after checking the signature, `exp`/`nbf` (with Spring's default
    /// 60 seconds of clock skew) and `iss`.
    func verify(_ token: String, issuer: String, now: Date) throws(Rejection) -> [String: JSONValue] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let headerData = Base64URL.decode(parts[0]),
            let payloadData = Base64URL.decode(parts[1]), let signatureData = Base64URL.decode(parts[2]),
            let header = try? JSONValue(parsing: headerData), let claims = (try? JSONValue(parsing: payloadData))?.objectValue
        else { throw .malformed }
        guard header["alg"]?.stringValue == "RS256", header["kid"]?.stringValue == keyID else { throw .badSignature }
        let signingInput = Data("\(parts[0]).\(parts[1])".utf8)
        let signature = _RSA.Signing.RSASignature(rawRepresentation: signatureData)
        guard
            privateKey.publicKey.isValidSignature(
                signature, for: SHA256.hash(data: signingInput), padding: .insecurePKCS1v1_5)
        else { throw .badSignature }
        let skew: TimeInterval = 60
        if let exp = claims["exp"]?.doubleValue, now.timeIntervalSince1970 - skew >= exp { throw .expired }
        if let nbf = claims["nbf"]?.doubleValue, now.timeIntervalSince1970 + skew < nbf { throw .expired }
        guard claims["iss"]?.stringValue == issuer else { throw .wrongIssuer }
        return claims
    }

    /// The public key as a JWK (`/oauth2/jwks`).
    func jwk() throws -> JSONValue {
        let primitives = try privateKey.publicKey.getKeyPrimitives()
        return [
            "kty": "RSA", "e": .string(Base64URL.encode(primitives.publicExponent)), "kid": .string(keyID),
            "n": .string(Base64URL.encode(primitives.modulus)),
        ]
    }
}
