import DHIS2
import Foundation
import Logging

/// How ``DHIS2Client/open(_:options:)`` connects, beyond what the profile itself says.
public struct ProfileOpenOptions: Sendable {
    /// Whether a server outside 2.41–2.44 is spoken to as the nearest supported generation instead of refused.
    public var allowsVersionFallback: Bool
    /// When failed requests are sent again.
    public var retryPolicy: RetryPolicy
    /// How long system reads (info, me, settings) are cached; `nil` disables the cache.
    public var systemCacheTTL: Duration?
    /// The `User-Agent` header.
    public var userAgent: String
    /// Where an OAuth2 profile's token is read and refreshed tokens saved; `nil` uses the SQLite store beside the
    /// profile's file (``Profiles/open(_:options:)``) or, for ``DHIS2Client/open(_:options:)``, the global one.
    public var tokenStore: (any TokenStore)?
    /// Where the client logs (debug and trace only; never secrets).
    public var logger: Logger
    /// A custom transport (tests); by default the client creates its own.
    public var transport: (any DHIS2Transport)?

    /// Options with the library's defaults.
    public init(
        allowsVersionFallback: Bool = false, retryPolicy: RetryPolicy = .default,
        systemCacheTTL: Duration? = .seconds(300), userAgent: String = "swift-dhis2/0.1",
        tokenStore: (any TokenStore)? = nil, logger: Logger = Logger(label: "dhis2.client"),
        transport: (any DHIS2Transport)? = nil
    ) {
        self.allowsVersionFallback = allowsVersionFallback
        self.retryPolicy = retryPolicy
        self.systemCacheTTL = systemCacheTTL
        self.userAgent = userAgent
        self.tokenStore = tokenStore
        self.logger = logger
        self.transport = transport
    }
}

extension Profile {
    /// The client configuration this profile asks for: its version pin, TLS switch and timeouts over `options`.
    ///
    /// `timeout` bounds a whole request and how long the server may stay silent; `connect_timeout` bounds
    /// establishing a connection.
    public func configuration(options: ProfileOpenOptions = ProfileOpenOptions()) -> DHIS2Configuration {
        var configuration = DHIS2Configuration(
            verifiesTLS: verifiesTLS, userAgent: options.userAgent, retryPolicy: options.retryPolicy,
            version: version.map(VersionSelection.pinned) ?? .detect,
            allowsVersionFallback: options.allowsVersionFallback, systemCacheTTL: options.systemCacheTTL,
            logger: options.logger, transport: options.transport)
        if let timeout {
            configuration.requestTimeout = timeout
            configuration.readTimeout = min(configuration.readTimeout, timeout)
        }
        if let connectTimeout { configuration.connectTimeout = connectTimeout }
        return configuration
    }

    /// The OAuth2 token endpoint of the profile's server: `<base>/oauth2/token` (DHIS2 2.42+).
    public var oauth2TokenEndpoint: URL? {
        var base = baseURL.trimmingCharacters(in: .whitespaces)
        while base.hasSuffix("/") { base.removeLast() }
        if base.lowercased().hasSuffix("/api") { base.removeLast(4) }
        return URL(string: base + "/oauth2/token")
    }

    /// The token store key of this profile's OAuth2 token; `nil` unless it is an OAuth2 profile.
    public var tokenStoreKey: String? {
        guard case .oauth2(let settings) = auth else { return nil }
        return SQLiteTokenStore.key(profile: name ?? Profile.environmentProfileName, baseURL: baseURL, clientID: settings.clientID)
    }

    /// The name an unnamed (environment) profile's token is stored under.
    public static let environmentProfileName = "environment"

    /// The auth provider the profile describes: Basic, personal access token, or OAuth2 with the token stored in
    /// `tokenStore` (refreshed, and saved back, as it expires).
    ///
    /// - Throws: ``ProfileError``: `unsupportedAuth` for a kind this package does not support; `notLoggedIn` for an
    ///   OAuth2 profile with no stored token (run `dhis2 profile login <name>`).
    public func authProvider(tokenStore: any TokenStore, logger: Logger = Logger(label: "dhis2.oauth2")) async throws
        -> any AuthProvider
    {
        switch auth {
        case .basic(let username, let password):
            return BasicAuth(username: username, password: password)
        case .pat(let token):
            return PersonalAccessTokenAuth(token: token)
        case .unsupported(let kind):
            throw ProfileError(
                .unsupportedAuth,
                "The profile \(name ?? "from the environment") uses auth = \"\(kind)\", which swift-dhis2 does not "
                    + "support. Use basic, pat or oauth2.")
        case .oauth2(let settings):
            guard let endpoint = oauth2TokenEndpoint, let key = tokenStoreKey else {
                throw ProfileError(.invalidProfile, "The profile \(name ?? "from the environment") has an unusable base_url.")
            }
            let login = name.map { "`dhis2 profile login \($0)`" } ?? "`dhis2 profile login` with a named profile"
            let stored: OAuth2Token?
            do {
                stored = try await tokenStore.token(for: key)
            } catch let error as ProfileError {
                throw error
            } catch {
                throw ProfileError(.tokenStore, "Cannot read the OAuth2 token store: \(type(of: error)).")
            }
            guard let stored else {
                throw ProfileError(
                    .notLoggedIn,
                    "The OAuth2 profile \(name ?? "from the environment") has no stored token for client "
                        + "\(settings.clientID) at \(baseURL). Log in first: run \(login).")
            }
            return OAuth2Auth(
                tokenEndpoint: endpoint, clientID: settings.clientID, clientSecret: settings.clientSecret,
                token: stored, tokenStore: tokenStore, storeKey: key, logger: logger)
        }
    }
}

extension DHIS2Client {
    /// Connects to the server `profile` names, authenticating the way it says.
    ///
    /// An OAuth2 profile uses the token in `options.tokenStore` (by default the SQLite store in the global
    /// configuration directory) and refreshes it as it expires; log in first with ``OAuth2Login``
    /// (`dhis2 profile login`). Connecting reads `/api/system/info` once unless the profile pins a version.
    ///
    /// - Throws: ``ProfileError`` (`unsupportedAuth`, `notLoggedIn`, `tokenStore`) or ``DHIS2Error`` from connecting.
    public static func open(_ profile: Profile, options: ProfileOpenOptions = ProfileOpenOptions()) async throws
        -> DHIS2Client
    {
        let tokenStore: any TokenStore
        if let given = options.tokenStore {
            tokenStore = given
        } else if case .oauth2 = profile.auth {
            guard let global = ProfileLocations.globalFile(in: .process) else {
                throw ProfileError(
                    .tokenStore, "There is no place for the OAuth2 token store: set HOME or XDG_CONFIG_HOME, or pass a token store.")
            }
            tokenStore = try SQLiteTokenStore(path: ProfileLocations.tokenStorePath(for: global))
        } else {
            tokenStore = InMemoryTokenStore()
        }
        let auth = try await profile.authProvider(tokenStore: tokenStore, logger: options.logger)
        return try await DHIS2Client.connect(
            to: profile.baseURL, auth: auth, configuration: profile.configuration(options: options))
    }
}

/// What ``Profiles/verify(_:options:)`` found out about a profile's server.
public struct ProfileVerification: Sendable {
    /// The profile that was verified.
    public var profile: ResolvedProfile
    /// The DHIS2 version the server reports (`2.42.6`), when it said.
    public var serverVersion: String?
    /// The API generation the client speaks to it.
    public var apiVersion: APIVersion
    /// The username the credentials sign in as.
    public var username: String?
    /// How long reading `/api/me` took, request and response.
    public var roundTrip: Duration
}

extension Profiles {
    /// The SQLite token store that belongs to `resolved` (beside its profiles file), when it has a place.
    public func tokenStore(for resolved: ResolvedProfile) throws -> SQLiteTokenStore? {
        guard let path = resolved.tokenStorePath else { return nil }
        return try SQLiteTokenStore(path: path)
    }

    /// Resolves `name` (or the chain's choice for `nil`) and connects to its server; an OAuth2 profile uses the
    /// token store beside its profiles file unless `options` gives one.
    ///
    /// - Throws: ``ProfileError`` from resolution or the auth setup, ``DHIS2Error`` from connecting.
    public func open(_ name: String? = nil, options: ProfileOpenOptions = ProfileOpenOptions()) async throws
        -> DHIS2Client
    {
        let resolved = try resolve(name)
        return try await open(resolved, options: options)
    }

    /// Connects to `resolved`'s server; an OAuth2 profile uses the token store beside its profiles file unless
    /// `options` gives one.
    public func open(_ resolved: ResolvedProfile, options: ProfileOpenOptions = ProfileOpenOptions()) async throws
        -> DHIS2Client
    {
        var options = options
        if options.tokenStore == nil, case .oauth2 = resolved.profile.auth, let store = try tokenStore(for: resolved) {
            options.tokenStore = store
        }
        return try await DHIS2Client.open(resolved.profile, options: options)
    }

    /// Connects with the profile `name` (or the chain's choice) and reports the server's version, the signed-in
    /// user and the round-trip time of one `/api/me` request. Two requests (`/api/system/info`, `/api/me`).
    ///
    /// - Throws: ``ProfileError`` or ``DHIS2Error`` (refused credentials, an unreachable server, …).
    public func verify(_ name: String? = nil, options: ProfileOpenOptions = ProfileOpenOptions()) async throws
        -> ProfileVerification
    {
        let resolved = try resolve(name)
        var options = options
        options.systemCacheTTL = nil
        let client = try await open(resolved, options: options)
        do {
            let clock = ContinuousClock()
            let start = clock.now
            let me = try await client.system.me()
            let roundTrip = clock.now - start
            let serverVersion: String?
            if let detected = client.serverVersion {
                serverVersion = detected.rawValue
            } else {
                serverVersion = try await client.system.info().version
            }
            let verification = ProfileVerification(
                profile: resolved, serverVersion: serverVersion, apiVersion: client.apiVersion,
                username: me.username, roundTrip: roundTrip)
            try await client.shutdown()
            return verification
        } catch {
            try? await client.shutdown()
            throw error
        }
    }
}
