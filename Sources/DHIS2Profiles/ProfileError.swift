/// A profile that could not be found, read, written or used. Its message never contains a secret.
public struct ProfileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What kind of failure this is.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// No profile has the requested name.
        public static let notFound = Code("notFound")
        /// Nothing in the resolution chain named or built a profile.
        public static let nothingResolved = Code("nothingResolved")
        /// A `profiles.toml` is not valid TOML.
        public static let malformedFile = Code("malformedFile")
        /// A profile's table lacks a field its kind needs, or has a field of the wrong type.
        public static let invalidProfile = Code("invalidProfile")
        /// The profile's auth kind is one this package does not support.
        public static let unsupportedAuth = Code("unsupportedAuth")
        /// A profile name does not match `^[A-Za-z][A-Za-z0-9_]*$` or is longer than 64 characters.
        public static let invalidName = Code("invalidName")
        /// A profile of that name already exists in the file.
        public static let alreadyExists = Code("alreadyExists")
        /// The environment variables describe an incomplete profile.
        public static let invalidEnvironment = Code("invalidEnvironment")
        /// A file could not be read or written.
        public static let fileSystem = Code("fileSystem")
        /// The file defines the profile in a form the editor does not change (edit it by hand).
        public static let notEditable = Code("notEditable")
        /// An OAuth2 profile has no stored token yet.
        public static let notLoggedIn = Code("notLoggedIn")
        /// The token store could not be read or written.
        public static let tokenStore = Code("tokenStore")

        public var description: String { name }
    }

    /// What kind of failure this is.
    public var code: Code
    /// What happened, to what, and what to do next.
    public var message: String
    /// The file involved, when there is one.
    public var file: String?
    /// The 1-based line in ``file``, when the problem is at one.
    public var line: Int?

    /// An error of `code` with `message`.
    public init(_ code: Code, _ message: String, file: String? = nil, line: Int? = nil) {
        self.code = code
        self.message = message
        self.file = file
        self.line = line
    }

    public var description: String { message }
}
