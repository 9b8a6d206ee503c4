/// One thing an import rejected, normalised from every shape DHIS2 reports it in.
///
/// DHIS2 reports problems three ways, and this type reads all of them:
///
/// | Source | Wire shape | Fields filled here |
/// |---|---|---|
/// | Data value / ImportSummary `conflicts[]` (§7.2) | `{object, objects, value, errorCode, property, indexes}` | `object`, `objects`, `property`, `value`, `errorCode`, `indexes`; `message` = `value` |
/// | Metadata `ErrorReport` in an ObjectReport (§3.7) | `{message, mainKlass, mainId, errorProperty, value, errorCode, args}` | `message`, `errorCode`, `property` = `errorProperty`, `value` (as text), `object` = `mainId`, `args`; `uid`, `klass`, `indexes` from the enclosing ObjectReport/TypeReport |
/// | Tracker `TrackerImportError` (§9.2) | `{message, errorCode, trackerType, uid, args}` | `message`, `errorCode`, `uid`, `trackerType`, `args`; `object` = `uid` |
///
/// In a data value conflict DHIS2 puts the human-readable description in `value`; ``message`` always holds the
/// description, whichever field it came from.
///
/// Decoding accepts the data value conflict shape (as DHIS2 sends it) and the shape this type encodes to.
public struct ImportConflict: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Which report a conflict was read from.
    public struct Origin: RawRepresentable, Codable, Hashable, Sendable, CustomStringConvertible {
        /// The wire name.
        public let rawValue: String
        /// A value by its wire name; values this library does not list are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// An ImportSummary `conflicts[]` entry (aggregate data values, complete registrations, …).
        public static let importSummary = Origin(rawValue: "importSummary")
        /// A metadata `ErrorReport` (ObjectReport, TypeReport, ImportReport, ErrorReports payloads).
        public static let errorReport = Origin(rawValue: "errorReport")
        /// A tracker validation or persistence error.
        public static let tracker = Origin(rawValue: "tracker")
        public var description: String { rawValue }
    }

    /// Which report this conflict was read from.
    public var origin: Origin
    /// The offending object: the data value's identifier (`object`), the metadata error's `mainId`, or the tracker
    /// object's UID.
    public var object: String?
    /// The identifiers involved by role (`{"period":…,"dataElement":…,"dataSet":…}`), data value conflicts only.
    public var objects: [String: String]?
    /// The offending property, e.g. `period` or `name`.
    public var property: String?
    /// The offending value as text (for data value conflicts DHIS2 puts the description here).
    public var value: String?
    /// The DHIS2 error code, e.g. `E7641`, `E4000`, `E1005`.
    public var errorCode: String?
    /// The human-readable description.
    public var message: String?
    /// The 0-based positions in the payload of the rows this conflict rejected (data values), or the object's
    /// position within its type's list (metadata).
    public var indexes: [Int]
    /// The identifier of the object that was being written (metadata ObjectReport `uid`, tracker `uid`).
    public var uid: String?
    /// The Java class of the object that was being written, e.g. `org.hisp.dhis.dataelement.DataElement`.
    public var klass: String?
    /// The tracker object type, e.g. `TRACKED_ENTITY` (tracker conflicts only).
    public var trackerType: String?
    /// The message arguments as text (metadata and tracker errors).
    public var args: [String]

    /// A conflict.
    public init(
        origin: Origin, object: String? = nil, objects: [String: String]? = nil, property: String? = nil,
        value: String? = nil, errorCode: String? = nil, message: String? = nil, indexes: [Int] = [],
        uid: String? = nil, klass: String? = nil, trackerType: String? = nil, args: [String] = []
    ) {
        self.origin = origin
        self.object = object
        self.objects = objects
        self.property = property
        self.value = value
        self.errorCode = errorCode
        self.message = message
        self.indexes = indexes
        self.uid = uid
        self.klass = klass
        self.trackerType = trackerType
        self.args = args
    }

    /// A metadata error report, with the `uid`, `klass` and `index` of the object report it belongs to.
    ///
    /// `klass` is the enclosing type report's class, used when the object report has none; the error's
    /// `mainKlass` is the last resort.
    public init(errorReport: ErrorReport, in objectReport: ObjectReport? = nil, klass: String? = nil) {
        self.init(
            origin: .errorReport, object: errorReport.mainId, property: errorReport.errorProperty,
            value: errorReport.value?.text, errorCode: errorReport.errorCode, message: errorReport.message,
            indexes: objectReport?.index.map { [$0] } ?? [], uid: objectReport?.uid,
            klass: objectReport?.klass ?? klass ?? errorReport.mainKlass, args: errorReport.args)
    }

    /// A tracker validation or persistence error.
    public init(trackerError: TrackerImportReport.Error) {
        self.init(
            origin: .tracker, object: trackerError.uid, errorCode: trackerError.errorCode,
            message: trackerError.message, uid: trackerError.uid, trackerType: trackerError.trackerType?.rawValue,
            args: trackerError.args)
    }

    /// The keys of DHIS2's `ImportConflict` (the data value conflict shape).
    enum WireKeys: String, CodingKey, CaseIterable {
        case object, objects, value, errorCode, property, indexes
    }

    /// The keys this type adds when it encodes itself.
    enum NormalisedKeys: String, CodingKey, CaseIterable {
        case origin, message, uid, klass, trackerType, args
    }

    /// Decodes a DHIS2 `ImportConflict` (`{object, objects, value, errorCode, property, indexes}`), or the shape
    /// ``encode(to:)`` writes.
    public init(from decoder: any Decoder) throws {
        let wire = try decoder.container(keyedBy: WireKeys.self)
        let own = try decoder.container(keyedBy: NormalisedKeys.self)
        self.origin = try own.decodeIfPresent(Origin.self, forKey: .origin) ?? .importSummary
        self.object = try wire.decodeTextIfPresent(forKey: .object)
        self.objects = try wire.decodeIfPresent([String: JSONValue].self, forKey: .objects)?
            .compactMapValues(\.text)
        self.property = try wire.decodeIfPresent(String.self, forKey: .property)
        self.value = try wire.decodeTextIfPresent(forKey: .value)
        self.errorCode = try wire.decodeIfPresent(String.self, forKey: .errorCode)
        self.indexes = try wire.decodeArray([Int].self, forKey: .indexes)
        self.message = try own.decodeIfPresent(String.self, forKey: .message) ?? (origin == .importSummary ? value : nil)
        self.uid = try own.decodeIfPresent(String.self, forKey: .uid)
        self.klass = try own.decodeIfPresent(String.self, forKey: .klass)
        self.trackerType = try own.decodeIfPresent(String.self, forKey: .trackerType)
        self.args = try own.decodeTextArray(forKey: .args)
    }

    /// Encodes every field that is set (nulls omitted, as DHIS2 does).
    public func encode(to encoder: any Encoder) throws {
        var wire = encoder.container(keyedBy: WireKeys.self)
        try wire.encodeIfPresent(object, forKey: .object)
        try wire.encodeIfPresent(objects, forKey: .objects)
        try wire.encodeIfPresent(value, forKey: .value)
        try wire.encodeIfPresent(errorCode, forKey: .errorCode)
        try wire.encodeIfPresent(property, forKey: .property)
        try wire.encode(indexes, forKey: .indexes)
        var own = encoder.container(keyedBy: NormalisedKeys.self)
        try own.encode(origin, forKey: .origin)
        try own.encodeIfPresent(message, forKey: .message)
        try own.encodeIfPresent(uid, forKey: .uid)
        try own.encodeIfPresent(klass, forKey: .klass)
        try own.encodeIfPresent(trackerType, forKey: .trackerType)
        if !args.isEmpty { try own.encode(args, forKey: .args) }
    }

    /// A one-line summary, e.g. `E4000 on fbfJHSPpUQD (org.hisp.dhis.dataelement.DataElement) property shortName: Missing …`.
    public var description: String {
        var text = errorCode ?? "conflict"
        if let subject = uid ?? object { text += " on \(subject)" }
        if let kind = klass ?? trackerType { text += " (\(kind))" }
        if let property { text += " property \(property)" }
        if !indexes.isEmpty { text += " [rows \(indexes.map(String.init).joined(separator: ", "))]" }
        if let message = message ?? value { text += ": \(message)" }
        return text
    }
}
