/// One validation or persistence error of a metadata write: DHIS2's `ErrorReport` (reference §3.7).
///
/// `{"message","mainKlass","mainId"?,"errorKlass"?,"errorProperty"?,"errorProperties":[…],"value"?,"errorCode","args":[…]}`.
public struct ErrorReport: Codable, Hashable, Sendable {
    /// The rendered message, e.g. ``"Missing required property `shortName`"``.
    public var message: String?
    /// The Java class of the object being imported, e.g. `org.hisp.dhis.dataelement.DataElement`.
    public var mainKlass: String?
    /// The identifier of the object the error is about (for E5003, the existing object that already has the value).
    public var mainId: String?
    /// The Java class of the offending reference or property type.
    public var errorKlass: String?
    /// The offending property, e.g. `name`.
    public var errorProperty: String?
    /// The message arguments as DHIS2 sends them (typed `?` in the OpenAPI document, so kept as JSON).
    public var errorProperties: [JSONValue]
    /// The offending value, when DHIS2 reports one (typed `Object` in the OpenAPI document, so kept as JSON).
    public var value: JSONValue?
    /// The DHIS2 error code, e.g. `E4000`; always sent.
    public var errorCode: String
    /// The message arguments as text.
    public var args: [String]

    /// An error report.
    public init(
        errorCode: String, message: String? = nil, mainKlass: String? = nil, mainId: String? = nil,
        errorKlass: String? = nil, errorProperty: String? = nil, errorProperties: [JSONValue] = [],
        value: JSONValue? = nil, args: [String] = []
    ) {
        self.errorCode = errorCode
        self.message = message
        self.mainKlass = mainKlass
        self.mainId = mainId
        self.errorKlass = errorKlass
        self.errorProperty = errorProperty
        self.errorProperties = errorProperties
        self.value = value
        self.args = args
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case message, mainKlass, mainId, errorKlass, errorProperty, errorProperties, value, errorCode, args
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.errorCode = try container.decode(String.self, forKey: .errorCode)
        self.message = try container.decodeIfPresent(String.self, forKey: .message)
        self.mainKlass = try container.decodeIfPresent(String.self, forKey: .mainKlass)
        self.mainId = try container.decodeIfPresent(String.self, forKey: .mainId)
        self.errorKlass = try container.decodeIfPresent(String.self, forKey: .errorKlass)
        self.errorProperty = try container.decodeIfPresent(String.self, forKey: .errorProperty)
        self.errorProperties = try container.decodeArray([JSONValue].self, forKey: .errorProperties)
        let value = try container.decodeIfPresent(JSONValue.self, forKey: .value)
        self.value = value == .null ? nil : value
        self.args = try container.decodeTextArray(forKey: .args)
    }
}

/// The result of writing one metadata object: DHIS2's `ObjectReport` (reference §3.3, §6.1).
///
/// The payload of `POST`/`PUT`/`PATCH`/`DELETE /api/<plural>[/{uid}]`, and the per-object entry of a ``TypeReport``.
/// Write reports name the identifier `uid`, not `id` (reference §0.1).
public struct ObjectReport: Codable, Hashable, Sendable {
    /// The Java class of the object, e.g. `org.hisp.dhis.dataelement.DataElement`.
    public var klass: String?
    /// The 0-based position of the object within its type's list in the payload (bulk imports only).
    public var index: Int?
    /// The object's identifier as the server reported it (not validated: a rejected payload may carry a bad one).
    public var uid: String?
    /// The object's display name (`importReportMode=DEBUG` only).
    public var displayName: String?
    /// What went wrong; empty on success.
    public var errorReports: [ErrorReport]

    /// An object report.
    public init(
        klass: String? = nil, index: Int? = nil, uid: String? = nil, displayName: String? = nil,
        errorReports: [ErrorReport] = []
    ) {
        self.klass = klass
        self.index = index
        self.uid = uid
        self.displayName = displayName
        self.errorReports = errorReports
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case klass, index, uid, displayName, errorReports
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.klass = try container.decodeIfPresent(String.self, forKey: .klass)
        self.index = try container.decodeIfPresent(Int.self, forKey: .index)
        self.uid = try container.decodeIfPresent(String.self, forKey: .uid)
        self.displayName = try container.decodeIfPresent(String.self, forKey: .displayName)
        self.errorReports = try container.decodeArray([ErrorReport].self, forKey: .errorReports)
    }

    /// The object's identifier as a ``UID``, or `nil` when absent or not a valid UID.
    public var objectUID: UID? { uid.flatMap(UID.init(rawValue:)) }

    /// Whether the object was rejected (it has at least one error report).
    public var hasErrors: Bool { !errorReports.isEmpty }

    /// The error reports as ``ImportConflict``s, carrying this report's `uid`, `klass` and `index`.
    public var conflicts: [ImportConflict] {
        errorReports.map { ImportConflict(errorReport: $0, in: self, klass: nil) }
    }
}

/// The results for one metadata type: DHIS2's `TypeReport` (`{"klass","stats","objectReports"}`, reference §6.1).
///
/// Also the whole payload of the collection helpers `POST|PUT|DELETE /api/<plural>/{uid}/{collection}` (§3.6).
public struct TypeReport: Codable, Hashable, Sendable {
    /// The Java class of the type, e.g. `org.hisp.dhis.dataelement.DataElement`.
    public var klass: String?
    /// The counts for this type.
    public var stats: ImportStats?
    /// One report per object (with `importReportMode=ERRORS`, the default, only the objects that have errors).
    public var objectReports: [ObjectReport]

    /// A type report.
    public init(klass: String? = nil, stats: ImportStats? = nil, objectReports: [ObjectReport] = []) {
        self.klass = klass
        self.stats = stats
        self.objectReports = objectReports
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case klass, stats, objectReports
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.klass = try container.decodeIfPresent(String.self, forKey: .klass)
        self.stats = try container.decodeIfPresent(ImportStats.self, forKey: .stats)
        self.objectReports = try container.decodeArray([ObjectReport].self, forKey: .objectReports)
    }

    /// Every error report of every object, as ``ImportConflict``s.
    public var conflicts: [ImportConflict] {
        objectReports.flatMap { report in
            report.errorReports.map { ImportConflict(errorReport: $0, in: report, klass: klass) }
        }
    }
}

/// The result of a metadata import: DHIS2's `ImportReport` (reference §6.1).
///
/// The payload of `POST /api/metadata` and the bulk sharing patch, and the bare body of
/// `/api/system/taskSummaries/METADATA_IMPORT/{id}`. The wrapped report has no `importParams`; it is not read.
public struct ImportReport: Codable, Hashable, Sendable {
    /// `OK`, `WARNING` (some objects rejected with `atomicMode=NONE`) or `ERROR` (nothing committed); always sent.
    ///
    /// On a 409 the envelope says `WARNING` even when this says `ERROR` (reference §6.1).
    public var status: WebMessage.Status
    /// The counts over all types.
    public var stats: ImportStats?
    /// One report per metadata type in the payload.
    public var typeReports: [TypeReport]

    /// An import report.
    public init(status: WebMessage.Status, stats: ImportStats? = nil, typeReports: [TypeReport] = []) {
        self.status = status
        self.stats = stats
        self.typeReports = typeReports
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case status, stats, typeReports
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.status = try container.decode(WebMessage.Status.self, forKey: .status)
        self.stats = try container.decodeIfPresent(ImportStats.self, forKey: .stats)
        self.typeReports = try container.decodeArray([TypeReport].self, forKey: .typeReports)
    }

    /// Every object report of every type.
    public var objectReports: [ObjectReport] { typeReports.flatMap(\.objectReports) }

    /// Every error report of every object of every type, as ``ImportConflict``s.
    public var conflicts: [ImportConflict] { typeReports.flatMap(\.conflicts) }
}
