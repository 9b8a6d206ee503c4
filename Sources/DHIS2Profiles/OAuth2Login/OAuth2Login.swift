import AsyncHTTPClient
import Crypto
import DHIS2
import Foundation
import Logging
import NIOCore
import NIOFoundationCompat
import NIOHTTP1
import NIOSSL

/// What an authorization server says about itself (RFC 8414 / OpenID Connect Discovery), as far as a login needs.
public struct OAuth2ServerMetadata: Sendable, Hashable {
    /// The issuer (`server.base.url` with a trailing slash on DHIS2).
    public var issuer: String
    /// Where the browser is sent to log in and consent.
    public var authorizationEndpoint: URL
    /// Where codes and refresh tokens are exchanged for access tokens.
    public var tokenEndpoint: URL
    /// Where refresh tokens are revoked, when the server has the endpoint.
    public var revocationEndpoint: URL?
    /// The PKCE methods the server names (`S256` on DHIS2).
    public var codeChallengeMethods: [String]

    /// Metadata with the given endpoints.
    public init(
        issuer: String, authorizationEndpoint: URL, tokenEndpoint: URL, revocationEndpoint: URL? = nil,
        codeChallengeMethods: [String] = ["S256"]
    ) {
        self.issuer = issuer
        self.authorizationEndpoint = authorizationEndpoint
        self.tokenEndpoint = tokenEndpoint
        self.revocationEndpoint = revocationEndpoint
        self.codeChallengeMethods = codeChallengeMethods
    }
}

/// A PKCE verifier and its S256 challenge (RFC 7636).
struct PKCE: Sendable {
    /// 43 characters of base64url from 32 random bytes: the secret half, sent only to the token endpoint.
    let verifier: String
    /// `BASE64URL(SHA256(verifier))`, sent in the authorization request.
    let challenge: String

    init() { self.init(verifier: PKCE.randomURLSafe(bytes: 32)) }

    init(verifier: String) {
        self.verifier = verifier
        self.challenge = PKCE.base64URL(Array(SHA256.hash(data: Data(verifier.utf8))))
    }

    static func randomURLSafe(bytes count: Int) -> String {
        var rng = SystemRandomNumberGenerator()
        return base64URL((0..<count).map { _ in UInt8.random(in: 0...255, using: &rng) })
    }

    static func base64URL(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString().replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }
}

/// The interactive OAuth2 login of DHIS2 2.42+: authorization code with PKCE (S256), a checked `state`, and a
/// loopback redirect receiver on `127.0.0.1`.
///
/// ```swift
/// let token = try await OAuth2Login.run(
///     profile: profile, tokenStore: store, storeKey: key,
///     presentURL: { url in print("Open this address to log in: \(url)") }, timeout: .seconds(300))
/// ```
///
/// The client must be registered on the server (`/api/oAuth2Clients`) with the `authorization_code` grant (and
/// `refresh_token`, for tokens that outlive five minutes), a redirect URI `http://127.0.0.1/<path>` — DHIS2 ignores
/// the port of loopback redirect URIs, so the receiver may take any free one — and the scopes the login asks for.
public enum OAuth2Login {
    /// The scopes asked for when the profile names none: `openid`, and `username`, the claim DHIS2 maps a token's
    /// user by.
    public static let defaultScope = "openid username"
    /// The redirect path used when the profile has no redirect URI.
    public static let defaultRedirectPath = "/callback"

    /// Logs in through the browser and saves the token under `storeKey`.
    ///
    /// Discovers the server's endpoints, starts the receiver, hands the authorization URL to `presentURL` (print it,
    /// or open a browser), waits up to `timeout` for the redirect, exchanges the code and saves the token.
    /// - Throws: ``OAuth2LoginError`` (each failure has its own ``OAuth2LoginError/Code``).
    public static func run(
        profile: Profile, tokenStore: any TokenStore, storeKey: String,
        presentURL: @Sendable (URL) async -> Void, timeout: Duration,
        logger: Logger = Logger(label: "dhis2.oauth2.login")
    ) async throws -> OAuth2Token {
        guard case .oauth2(let settings) = profile.auth else {
            throw OAuth2LoginError(
                .invalidConfiguration,
                "Profile \(profile.name ?? "(from the environment)") uses \(profile.auth.kind) authentication; only an "
                    + "oauth2 profile can log in with OAuth2.")
        }
        let redirect = try RedirectTarget(settings.redirectURI)
        let httpClient = makeHTTPClient(verifiesTLS: profile.verifiesTLS)
        do {
            let token = try await login(
                profile: profile, settings: settings, redirect: redirect, tokenStore: tokenStore, storeKey: storeKey,
                presentURL: presentURL, timeout: timeout, httpClient: httpClient, logger: logger)
            try await httpClient.shutdown()
            return token
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    private static func login(
        profile: Profile, settings: OAuth2Settings, redirect: RedirectTarget, tokenStore: any TokenStore,
        storeKey: String, presentURL: @Sendable (URL) async -> Void, timeout: Duration, httpClient: HTTPClient,
        logger: Logger
    ) async throws -> OAuth2Token {
        let metadata = try await discover(baseURL: profile.baseURL, httpClient: httpClient, logger: logger)
        if !metadata.codeChallengeMethods.isEmpty, !metadata.codeChallengeMethods.contains("S256") {
            throw OAuth2LoginError(
                .noAuthorizationServer,
                "The authorization server at \(metadata.issuer) does not support PKCE with S256, which this login "
                    + "requires.")
        }
        let pkce = PKCE()
        let state = PKCE.randomURLSafe(bytes: 24)
        let receiver = try await LoopbackReceiver.start(
            port: redirect.port ?? 0, path: redirect.path, expectedState: state)
        let redirectURI = redirect.uri(port: receiver.port)
        let outcome: CallbackOutcome
        do {
            var components = URLComponents(url: metadata.authorizationEndpoint, resolvingAgainstBaseURL: false)
            var items = components?.queryItems ?? []
            items += [
                URLQueryItem(name: "response_type", value: "code"),
                URLQueryItem(name: "client_id", value: settings.clientID),
                URLQueryItem(name: "redirect_uri", value: redirectURI),
                URLQueryItem(name: "scope", value: settings.scope ?? defaultScope),
                URLQueryItem(name: "state", value: state),
                URLQueryItem(name: "code_challenge", value: pkce.challenge),
                URLQueryItem(name: "code_challenge_method", value: "S256"),
            ]
            components?.percentEncodedQueryItems = items.map {
                URLQueryItem(name: formEncode($0.name), value: $0.value.map(formEncode))
            }
            guard let authorizationURL = components?.url else {
                throw OAuth2LoginError(
                    .noAuthorizationServer,
                    "The authorization endpoint \(metadata.authorizationEndpoint) is not a usable URL.")
            }
            logger.debug("OAuth2 login waiting for the redirect", metadata: ["port": "\(receiver.port)"])
            await presentURL(authorizationURL)
            outcome = try await waitForRedirect(receiver, timeout: timeout, port: receiver.port)
            await receiver.close()
        } catch {
            await receiver.close()
            throw error
        }
        let code: String
        switch outcome {
        case .code(let received): code = received
        case .failure(let error): throw error
        }
        let token = try await exchange(
            code: code, verifier: pkce.verifier, redirectURI: redirectURI, settings: settings,
            endpoint: metadata.tokenEndpoint, httpClient: httpClient, logger: logger)
        try await tokenStore.save(token, for: storeKey)
        logger.debug("OAuth2 login complete", metadata: ["client_id": "\(settings.clientID)"])
        return token
    }

    private static func waitForRedirect(_ receiver: LoopbackReceiver, timeout: Duration, port: Int) async throws
        -> CallbackOutcome
    {
        try await withThrowingTaskGroup(of: CallbackOutcome?.self) { group in
            group.addTask { await receiver.outcome() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            if let first = try await group.next(), let outcome = first { return outcome }
            try Task.checkCancellation()
            throw OAuth2LoginError(
                .timeout,
                "No login redirect reached 127.0.0.1:\(port) within \(timeout). Open the printed address in a browser "
                    + "on this machine and log in, or allow more time.")
        }
    }

    // MARK: Discovery

    /// Reads the server's OAuth2 metadata: `/.well-known/openid-configuration`, then
    /// `/.well-known/oauth-authorization-server`.
    ///
    /// - Throws: ``OAuth2LoginError`` with ``OAuth2LoginError/Code/noAuthorizationServer`` when neither answers with
    ///   a metadata document (a 404, an HTML 401, a redirect to the login page — what DHIS2 2.41 and 2.42+ with the
    ///   authorization server off answer).
    public static func discover(baseURL: String, verifiesTLS: Bool = true) async throws -> OAuth2ServerMetadata {
        let httpClient = makeHTTPClient(verifiesTLS: verifiesTLS)
        do {
            let metadata = try await discover(
                baseURL: baseURL, httpClient: httpClient, logger: Logger(label: "dhis2.oauth2.login"))
            try await httpClient.shutdown()
            return metadata
        } catch {
            try? await httpClient.shutdown()
            throw error
        }
    }

    static func discover(baseURL: String, httpClient: HTTPClient, logger: Logger) async throws -> OAuth2ServerMetadata {
        let root = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        var answers: [String] = []
        for path in ["/.well-known/openid-configuration", "/.well-known/oauth-authorization-server"] {
            var request = HTTPClientRequest(url: root + path)
            request.headers.add(name: "Accept", value: "application/json")
            let response: HTTPClientResponse
            do {
                response = try await httpClient.execute(request, timeout: .seconds(30), logger: logger)
            } catch {
                throw OAuth2LoginError(
                    .noAuthorizationServer,
                    "Could not reach \(root)\(path) to discover the OAuth2 server (\(type(of: error))). Check the "
                        + "profile's base URL and the connection.")
            }
            let body = Data(buffer: try await response.body.collect(upTo: 1 << 20))
            let status = Int(response.status.code)
            let contentType = response.headers.first(name: "Content-Type") ?? ""
            if status == 200, let json = try? JSONValue(parsing: body), let metadata = metadata(from: json) {
                return metadata
            }
            answers.append("\(path) answered \(status)\(contentType.isEmpty ? "" : " (\(contentType))")")
        }
        throw OAuth2LoginError(
            .noAuthorizationServer,
            "\(root) has no OAuth2 authorization server: \(answers.joined(separator: "; ")). DHIS2 offers OAuth2 "
                + "login from 2.42 on, when oauth2.server.enabled is on; use basic or pat authentication otherwise.",
            status: nil)
    }

    private static func metadata(from json: JSONValue) -> OAuth2ServerMetadata? {
        guard let issuer = json["issuer"]?.stringValue,
            let authorization = json["authorization_endpoint"]?.stringValue.flatMap(URL.init(string:)),
            let token = json["token_endpoint"]?.stringValue.flatMap(URL.init(string:))
        else { return nil }
        return OAuth2ServerMetadata(
            issuer: issuer, authorizationEndpoint: authorization, tokenEndpoint: token,
            revocationEndpoint: json["revocation_endpoint"]?.stringValue.flatMap(URL.init(string:)),
            codeChallengeMethods: (json["code_challenge_methods_supported"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    // MARK: Code exchange

    static func exchange(
        code: String, verifier: String, redirectURI: String, settings: OAuth2Settings, endpoint: URL,
        httpClient: HTTPClient, logger: Logger
    ) async throws -> OAuth2Token {
        var form = [
            ("grant_type", "authorization_code"), ("code", code), ("redirect_uri", redirectURI),
            ("code_verifier", verifier),
        ]
        // A public client (no secret) names itself in the form; a confidential one uses client_secret_basic.
        if settings.clientSecret == nil { form.append(("client_id", settings.clientID)) }
        let requestedAt = Date()
        let status: Int
        let data: Data
        do {
            (status, data) = try await OAuth2TokenEndpoint.post(
                form: form, to: endpoint, clientID: settings.clientID, clientSecret: settings.clientSecret,
                httpClient: httpClient, logger: logger)
        } catch {
            throw OAuth2LoginError(
                .exchangeFailed,
                "Could not reach the token endpoint \(endpoint.host ?? endpoint.absoluteString) (\(type(of: error))). "
                    + "Check the connection and log in again.")
        }
        let json = try? JSONValue(parsing: data)
        guard (200..<300).contains(status) else {
            // RFC 6749 §5.2 error bodies name the error; they never echo the code, verifier or secret.
            let error = json?["error"]?.stringValue
            let detail = json?["error_description"]?.stringValue.map { ": \($0)" } ?? ""
            let advice =
                switch error {
                case "invalid_client": " Check the client id and client secret of the profile."
                case "invalid_grant": " The code was refused (expired, already used, or the PKCE check failed); log in again."
                case "unauthorized_client": " The client is not registered for the authorization_code grant."
                default: ""
                }
            throw OAuth2LoginError(
                .exchangeFailed,
                "The token endpoint refused the authorization code (\(error ?? "HTTP \(status)")\(detail)).\(advice)",
                oauthError: error, status: status)
        }
        guard let json, let accessToken = json["access_token"]?.stringValue else {
            throw OAuth2LoginError(
                .exchangeFailed, "The token endpoint answered \(status) without an access token.", status: status)
        }
        return OAuth2Token(
            accessToken: accessToken, refreshToken: json["refresh_token"]?.stringValue,
            expiresAt: requestedAt.addingTimeInterval(json["expires_in"]?.doubleValue ?? 300),
            scope: json["scope"]?.stringValue, tokenType: json["token_type"]?.stringValue ?? "Bearer")
    }


    // MARK: Helpers

    static func makeHTTPClient(verifiesTLS: Bool) -> HTTPClient {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        if !verifiesTLS {
            var tls = TLSConfiguration.makeClientConfiguration()
            tls.certificateVerification = .none
            configuration.tlsConfiguration = tls
        }
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// `application/x-www-form-urlencoded` / query component encoding: unreserved characters kept.
    static func formEncode(_ text: String) -> String {
        let allowed = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }
}

/// Where the loopback receiver listens and what redirect URI the login sends.
struct RedirectTarget: Sendable, Equatable {
    let port: Int?
    let path: String

    init(port: Int?, path: String) {
        self.port = port
        self.path = path
    }

    /// Reads a profile's `redirect_uri`: `http://127.0.0.1[:port][/path]`; `nil` gives a free port and
    /// ``OAuth2Login/defaultRedirectPath``.
    init(_ redirectURI: String?) throws {
        guard let redirectURI, !redirectURI.isEmpty else {
            self.port = nil
            self.path = OAuth2Login.defaultRedirectPath
            return
        }
        guard let components = URLComponents(string: redirectURI), components.scheme == "http",
            components.host == "127.0.0.1", components.query == nil, components.fragment == nil
        else {
            throw OAuth2LoginError(
                .invalidConfiguration,
                "The redirect URI \(redirectURI) cannot be received here: the login listens on the loopback address "
                    + "only, so use http://127.0.0.1[:port]/path (DHIS2 refuses \"localhost\" in redirect URIs).")
        }
        self.port = components.port
        self.path = components.path.isEmpty ? "/" : components.path
    }

    /// The redirect URI with the port the receiver actually listens on.
    func uri(port actualPort: Int) -> String { "http://127.0.0.1:\(actualPort)\(path)" }
}
