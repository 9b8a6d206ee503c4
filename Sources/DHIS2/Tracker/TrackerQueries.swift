import DHIS2Core
import DHIS2Models
import Foundation

/// A date or timestamp parameter of the tracker API, sent as written: `2025-03-06` or `2025-03-06T10:30:00.000`
/// (DHIS2 reads a timestamp without a zone in the server's time zone).
public struct TrackerDate: RawRepresentable, Hashable, Sendable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The text sent.
    public let rawValue: String
    /// A date or timestamp as DHIS2 writes it.
    public init(rawValue: String) { self.rawValue = rawValue }
    public init(stringLiteral value: String) { self.rawValue = value }
    /// A calendar day, `yyyy-MM-dd`.
    public init(_ day: CalendarDate) { self.rawValue = day.description }
    public var description: String { rawValue }
}

/// An `order` entry of a tracker list: `field:asc` or `field:desc` (reference §9.1).
public struct TrackerOrder: Hashable, Sendable, CustomStringConvertible {
    /// The field (e.g. `createdAt`, `enrolledAt`) or, on tracked entities, an attribute UID.
    public var field: String
    /// Whether the order is ascending.
    public var ascending: Bool

    /// Ascending by `field`.
    public static func asc(_ field: String) -> TrackerOrder { TrackerOrder(field: field, ascending: true) }
    /// Descending by `field`.
    public static func desc(_ field: String) -> TrackerOrder { TrackerOrder(field: field, ascending: false) }

    /// `field:asc` or `field:desc`.
    public var rendered: String { field + (ascending ? ":asc" : ":desc") }
    public var description: String { rendered }
}

/// A `filter` of a tracker list on an attribute (tracked entities) or data element (events) value:
/// `<uid>:<operator>:<value>` (reference §9.1).
public struct TrackerFilter: Hashable, Sendable, CustomStringConvertible {
    /// The attribute or data element.
    public var item: UID
    /// The operator and its operand, rendered after the UID: `eq:Anna`, `in:a;b`, `null`.
    public var condition: String

    init(_ item: UID, _ condition: String) {
        self.item = item
        self.condition = condition
    }

    /// Equal to `value` (case-insensitive for text in DHIS2).
    public static func eq(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "eq:" + value) }
    /// Not equal to `value`.
    public static func ne(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "ne:" + value) }
    /// Contains `value`.
    public static func like(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "like:" + value) }
    /// Starts with `value`.
    public static func startsWith(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "sw:" + value) }
    /// Ends with `value`.
    public static func endsWith(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "ew:" + value) }
    /// Greater than `value`.
    public static func gt(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "gt:" + value) }
    /// Greater than or equal to `value`.
    public static func ge(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "ge:" + value) }
    /// Less than `value`.
    public static func lt(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "lt:" + value) }
    /// Less than or equal to `value`.
    public static func le(_ item: UID, _ value: String) -> TrackerFilter { .init(item, "le:" + value) }
    /// One of `values` (sent `;`-separated, as DHIS2's tracker filters take them).
    public static func `in`(_ item: UID, _ values: [String]) -> TrackerFilter {
        .init(item, "in:" + values.joined(separator: ";"))
    }
    /// Has no value.
    public static func isNull(_ item: UID) -> TrackerFilter { .init(item, "null") }
    /// Has a value.
    public static func isNotNull(_ item: UID) -> TrackerFilter { .init(item, "!null") }

    /// `<uid>:<condition>`.
    public var rendered: String { item.rawValue + ":" + condition }
    public var description: String { rendered }
}

/// The parameters of one tracker list, rendered with the names of the connected server's version.
public protocol TrackerQuery: Sendable {
    /// The objects the list returns.
    associatedtype Object: TrackerObject
    /// The query items of this query (without paging and fields), named as `dialect` names them.
    func queryItems(_ dialect: TrackerDialect) -> [URLQueryItem]
}

/// Collects query items, skipping unset values.
struct TrackerQueryBuilder {
    var items: [URLQueryItem] = []

    mutating func add(_ name: String, _ value: String?) {
        if let value { items.append(URLQueryItem(name: name, value: value)) }
    }
    mutating func add(_ name: String, _ uid: UID?) { add(name, uid?.rawValue) }
    mutating func add(_ name: String, _ date: TrackerDate?) { add(name, date?.rawValue) }
    mutating func add(_ name: String, _ flag: Bool?) { add(name, flag.map { String($0) }) }
    /// A comma-separated list, sent only when not empty.
    mutating func add(_ name: String, list: [String]) {
        if !list.isEmpty { items.append(URLQueryItem(name: name, value: list.joined(separator: ","))) }
    }
    mutating func add(_ name: String, uids: [UID]) { add(name, list: uids.map(\.rawValue)) }
    mutating func add(order: [TrackerOrder]) { add("order", list: order.map(\.rendered)) }
    /// One `filter` item per filter.
    mutating func add(filters: [TrackerFilter]) {
        for filter in filters { items.append(URLQueryItem(name: "filter", value: filter.rendered)) }
    }
}

/// `GET /api/tracker/trackedEntities`: DHIS2 wants exactly one of `program` and `trackedEntityType`, or
/// `trackedEntities` (otherwise 400).
public struct TrackedEntityQuery: TrackerQuery, Hashable {
    public typealias Object = TrackerTrackedEntity

    /// The program whose objects to list.
    public var program: UID?
    /// The tracked entity type whose objects to list.
    public var trackedEntityType: UID?
    /// Only these tracked entities.
    public var trackedEntities: [UID]
    /// The org units to search from (with `orgUnitMode`).
    public var orgUnits: [UID]
    /// Without `orgUnits` DHIS2 defaults to `ACCESSIBLE`, with them to `SELECTED`.
    public var orgUnitMode: OrganisationUnitSelectionMode?
    /// Sent as `enrollmentStatus` (2.42+) or `programStatus` (2.41).
    public var enrollmentStatus: EnrollmentStatus?
    /// Only objects marked (or not marked) for follow-up.
    public var followUp: Bool?
    /// Only objects updated after this time.
    public var updatedAfter: TrackerDate?
    /// Only objects updated before this time.
    public var updatedBefore: TrackerDate?
    /// An ISO-8601 duration such as `10m` or `2d`, as DHIS2 takes it.
    public var updatedWithin: String?
    /// Only tracked entities enrolled after this date.
    public var enrollmentEnrolledAfter: TrackerDate?
    /// Only tracked entities enrolled before this date.
    public var enrollmentEnrolledBefore: TrackerDate?
    /// Only tracked entities whose enrollment occurred after this date.
    public var enrollmentOccurredAfter: TrackerDate?
    /// Only tracked entities whose enrollment occurred before this date.
    public var enrollmentOccurredBefore: TrackerDate?
    /// The program stage whose objects to list.
    public var programStage: UID?
    /// DHIS2 takes `eventStatus` only together with `eventOccurredAfter` and `eventOccurredBefore`.
    public var eventStatus: EventStatus?
    /// With `eventStatus`: events that occurred after this date.
    public var eventOccurredAfter: TrackerDate?
    /// With `eventStatus`: events that occurred before this date.
    public var eventOccurredBefore: TrackerDate?
    /// Attribute value filters.
    public var filters: [TrackerFilter]
    /// Whose assigned events: `CURRENT`, `PROVIDED`, `NONE`, `ANY`.
    public var assignedUserMode: AssignedUserSelectionMode?
    /// With `assignedUserMode` `PROVIDED`: the users.
    public var assignedUsers: [UID]
    /// Only tracked entities flagged (or not) as potential duplicates.
    public var potentialDuplicate: Bool?
    /// Include soft-deleted objects.
    public var includeDeleted: Bool?
    /// Orderings, most significant first.
    public var order: [TrackerOrder]

    /// A query; set the members that apply.
    public init(
        program: UID? = nil, trackedEntityType: UID? = nil, trackedEntities: [UID] = [], orgUnits: [UID] = [],
        orgUnitMode: OrganisationUnitSelectionMode? = nil, enrollmentStatus: EnrollmentStatus? = nil,
        filters: [TrackerFilter] = [], order: [TrackerOrder] = []
    ) {
        self.program = program
        self.trackedEntityType = trackedEntityType
        self.trackedEntities = trackedEntities
        self.orgUnits = orgUnits
        self.orgUnitMode = orgUnitMode
        self.enrollmentStatus = enrollmentStatus
        self.filters = filters
        self.assignedUsers = []
        self.order = order
    }

    public func queryItems(_ dialect: TrackerDialect) -> [URLQueryItem] {
        var query = TrackerQueryBuilder()
        query.add("program", program)
        query.add("trackedEntityType", trackedEntityType)
        query.add("trackedEntities", uids: trackedEntities)
        query.add("orgUnits", uids: orgUnits)
        query.add("orgUnitMode", orgUnitMode?.rawValue)
        query.add(dialect.trackedEntityEnrollmentStatus, enrollmentStatus?.rawValue)
        query.add("followUp", followUp)
        query.add("updatedAfter", updatedAfter)
        query.add("updatedBefore", updatedBefore)
        query.add("updatedWithin", updatedWithin)
        query.add("enrollmentEnrolledAfter", enrollmentEnrolledAfter)
        query.add("enrollmentEnrolledBefore", enrollmentEnrolledBefore)
        query.add("enrollmentOccurredAfter", enrollmentOccurredAfter)
        query.add("enrollmentOccurredBefore", enrollmentOccurredBefore)
        query.add("programStage", programStage)
        query.add("eventStatus", eventStatus?.rawValue)
        query.add("eventOccurredAfter", eventOccurredAfter)
        query.add("eventOccurredBefore", eventOccurredBefore)
        query.add(filters: filters)
        query.add("assignedUserMode", assignedUserMode?.rawValue)
        query.add("assignedUsers", uids: assignedUsers)
        query.add("potentialDuplicate", potentialDuplicate)
        query.add("includeDeleted", includeDeleted)
        query.add(order: order)
        return query.items
    }
}

/// `GET /api/tracker/enrollments`.
public struct EnrollmentQuery: TrackerQuery, Hashable {
    public typealias Object = TrackerEnrollment

    /// The program whose objects to list.
    public var program: UID?
    /// The tracked entity type whose enrollments to list (2.41–2.42; 2.43's OpenAPI no longer declares it).
    public var trackedEntityType: UID?
    /// Only objects of this tracked entity.
    public var trackedEntity: UID?
    /// Only these enrollments (on events: events of these enrollments).
    public var enrollments: [UID]
    /// The org units to search from (with `orgUnitMode`).
    public var orgUnits: [UID]
    /// How `orgUnits` select: `SELECTED`, `CHILDREN`, `DESCENDANTS`, `ACCESSIBLE`, `CAPTURE` or `ALL`.
    public var orgUnitMode: OrganisationUnitSelectionMode?
    /// Sent as `status` (2.42+) or `programStatus` (2.41).
    public var status: EnrollmentStatus?
    /// Only objects marked (or not marked) for follow-up.
    public var followUp: Bool?
    /// Only objects updated after this time.
    public var updatedAfter: TrackerDate?
    /// Only objects updated within this duration before now, as DHIS2 takes it (`10m`, `2d`).
    public var updatedWithin: String?
    /// Only enrollments enrolled after this date.
    public var enrolledAfter: TrackerDate?
    /// Only enrollments enrolled before this date.
    public var enrolledBefore: TrackerDate?
    /// Include soft-deleted objects.
    public var includeDeleted: Bool?
    /// Orderings, most significant first.
    public var order: [TrackerOrder]

    /// A query; set the members that apply.
    public init(
        program: UID? = nil, trackedEntity: UID? = nil, enrollments: [UID] = [], orgUnits: [UID] = [],
        orgUnitMode: OrganisationUnitSelectionMode? = nil, status: EnrollmentStatus? = nil, order: [TrackerOrder] = []
    ) {
        self.program = program
        self.trackedEntity = trackedEntity
        self.enrollments = enrollments
        self.orgUnits = orgUnits
        self.orgUnitMode = orgUnitMode
        self.status = status
        self.order = order
    }

    public func queryItems(_ dialect: TrackerDialect) -> [URLQueryItem] {
        var query = TrackerQueryBuilder()
        query.add("program", program)
        query.add("trackedEntityType", trackedEntityType)
        query.add("trackedEntity", trackedEntity)
        query.add("enrollments", uids: enrollments)
        query.add("orgUnits", uids: orgUnits)
        query.add("orgUnitMode", orgUnitMode?.rawValue)
        query.add(dialect.enrollmentStatus, status?.rawValue)
        query.add("followUp", followUp)
        query.add("updatedAfter", updatedAfter)
        query.add("updatedWithin", updatedWithin)
        query.add("enrolledAfter", enrolledAfter)
        query.add("enrolledBefore", enrolledBefore)
        query.add("includeDeleted", includeDeleted)
        query.add(order: order)
        return query.items
    }
}

/// `GET /api/tracker/events`. Note the org unit parameter is `orgUnit` (one unit) on this list, in every version.
public struct EventQuery: TrackerQuery, Hashable {
    public typealias Object = TrackerEvent

    /// The program whose objects to list.
    public var program: UID?
    /// The program stage whose objects to list.
    public var programStage: UID?
    /// The org unit to search from (with `orgUnitMode`); one unit on this list.
    public var orgUnit: UID?
    /// How `orgUnits` select: `SELECTED`, `CHILDREN`, `DESCENDANTS`, `ACCESSIBLE`, `CAPTURE` or `ALL`.
    public var orgUnitMode: OrganisationUnitSelectionMode?
    /// Only objects of this tracked entity.
    public var trackedEntity: UID?
    /// Only these events.
    public var events: [UID]
    /// Only these enrollments (on events: events of these enrollments).
    public var enrollments: [UID]
    /// Only events with this status.
    public var status: EventStatus?
    /// Sent as `enrollmentStatus` (2.42+) or `programStatus` (2.41).
    public var enrollmentStatus: EnrollmentStatus?
    /// Only objects marked (or not marked) for follow-up.
    public var followUp: Bool?
    /// Only events that occurred after this date.
    public var occurredAfter: TrackerDate?
    /// Only events that occurred before this date.
    public var occurredBefore: TrackerDate?
    /// Only events scheduled after this date.
    public var scheduledAfter: TrackerDate?
    /// Only events scheduled before this date.
    public var scheduledBefore: TrackerDate?
    /// Only objects updated after this time.
    public var updatedAfter: TrackerDate?
    /// Only objects updated before this time.
    public var updatedBefore: TrackerDate?
    /// Only objects updated within this duration before now, as DHIS2 takes it (`10m`, `2d`).
    public var updatedWithin: String?
    /// Data element value filters.
    public var filters: [TrackerFilter]
    /// Together with `attributeCategoryOptions`.
    public var attributeCategoryCombo: UID?
    /// With `attributeCategoryCombo`: the attribute option combination's options.
    public var attributeCategoryOptions: [UID]
    /// Whose assigned events: `CURRENT`, `PROVIDED`, `NONE`, `ANY`.
    public var assignedUserMode: AssignedUserSelectionMode?
    /// With `assignedUserMode` `PROVIDED`: the users.
    public var assignedUsers: [UID]
    /// Include soft-deleted objects.
    public var includeDeleted: Bool?
    /// Orderings, most significant first.
    public var order: [TrackerOrder]

    /// A query; set the members that apply.
    public init(
        program: UID? = nil, programStage: UID? = nil, orgUnit: UID? = nil,
        orgUnitMode: OrganisationUnitSelectionMode? = nil, trackedEntity: UID? = nil, events: [UID] = [],
        enrollments: [UID] = [], status: EventStatus? = nil, filters: [TrackerFilter] = [],
        order: [TrackerOrder] = []
    ) {
        self.program = program
        self.programStage = programStage
        self.orgUnit = orgUnit
        self.orgUnitMode = orgUnitMode
        self.trackedEntity = trackedEntity
        self.events = events
        self.enrollments = enrollments
        self.status = status
        self.filters = filters
        self.attributeCategoryOptions = []
        self.assignedUsers = []
        self.order = order
    }

    public func queryItems(_ dialect: TrackerDialect) -> [URLQueryItem] {
        var query = TrackerQueryBuilder()
        query.add("program", program)
        query.add("programStage", programStage)
        query.add("orgUnit", orgUnit)
        query.add("orgUnitMode", orgUnitMode?.rawValue)
        query.add("trackedEntity", trackedEntity)
        query.add("events", uids: events)
        query.add("enrollments", uids: enrollments)
        query.add("status", status?.rawValue)
        query.add(dialect.eventEnrollmentStatus, enrollmentStatus?.rawValue)
        query.add("followUp", followUp)
        query.add("occurredAfter", occurredAfter)
        query.add("occurredBefore", occurredBefore)
        query.add("scheduledAfter", scheduledAfter)
        query.add("scheduledBefore", scheduledBefore)
        query.add("updatedAfter", updatedAfter)
        query.add("updatedBefore", updatedBefore)
        query.add("updatedWithin", updatedWithin)
        query.add(filters: filters)
        query.add("attributeCategoryCombo", attributeCategoryCombo)
        // DHIS2 takes the category options of this list `;`-separated.
        if !attributeCategoryOptions.isEmpty {
            query.add("attributeCategoryOptions", attributeCategoryOptions.map(\.rawValue).joined(separator: ";"))
        }
        query.add("assignedUserMode", assignedUserMode?.rawValue)
        query.add("assignedUsers", uids: assignedUsers)
        query.add("includeDeleted", includeDeleted)
        query.add(order: order)
        return query.items
    }
}

/// `GET /api/tracker/relationships`: the relationships of exactly one tracked entity, enrollment or event.
public struct RelationshipQuery: TrackerQuery, Hashable {
    public typealias Object = TrackerRelationship

    /// The object whose relationships are listed.
    public enum Subject: Hashable, Sendable {
        /// A tracked entity's relationships.
        case trackedEntity(UID)
        /// An enrollment's relationships.
        case enrollment(UID)
        /// An event's relationships.
        case event(UID)
    }

    /// The object whose relationships are listed.
    public var subject: Subject
    /// Include soft-deleted objects.
    public var includeDeleted: Bool?
    /// Orderings, most significant first.
    public var order: [TrackerOrder]

    /// The relationships of `subject`.
    public init(_ subject: Subject, includeDeleted: Bool? = nil, order: [TrackerOrder] = []) {
        self.subject = subject
        self.includeDeleted = includeDeleted
        self.order = order
    }

    public func queryItems(_ dialect: TrackerDialect) -> [URLQueryItem] {
        var query = TrackerQueryBuilder()
        switch subject {
        case .trackedEntity(let uid): query.add("trackedEntity", uid)
        case .enrollment(let uid): query.add("enrollment", uid)
        case .event(let uid): query.add("event", uid)
        }
        query.add("includeDeleted", includeDeleted)
        query.add(order: order)
        return query.items
    }
}
