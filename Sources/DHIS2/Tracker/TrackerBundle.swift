import DHIS2Core
import DHIS2Models

/// The body of `POST /api/tracker` (reference §9.2): tracked entities, enrollments, events and relationships.
///
/// DHIS2 takes the objects flat (each at the top level, referring to its parent by UID) or nested (enrollments
/// inside their tracked entity, events inside their enrollment), or a mix; the bundle is sent as it is built.
/// ``flattened()`` lifts nested objects to the top level.
public struct TrackerBundle: Sendable {
    /// Tracked entities, possibly with their enrollments nested.
    public var trackedEntities: [TrackerTrackedEntity]
    /// Enrollments at the top level.
    public var enrollments: [TrackerEnrollment]
    /// Events at the top level.
    public var events: [TrackerEvent]
    /// Relationships at the top level.
    public var relationships: [TrackerRelationship]

    /// A bundle of these objects.
    public init(
        trackedEntities: [TrackerTrackedEntity] = [], enrollments: [TrackerEnrollment] = [],
        events: [TrackerEvent] = [], relationships: [TrackerRelationship] = []
    ) {
        self.trackedEntities = trackedEntities
        self.enrollments = enrollments
        self.events = events
        self.relationships = relationships
    }

    /// Reads a tracker payload or export (`{"trackedEntities":[…],"enrollments":[…],…}`), flat or nested.
    ///
    /// - Throws: ``DHIS2Error`` `decoding`, naming the member, when an object does not have its model's shape.
    public init(json: JSONValue) throws(DHIS2Error) {
        guard json.objectValue != nil else {
            throw DHIS2Error(code: .decoding, message: "A tracker payload is a JSON object; this is not one.")
        }
        self.init(
            trackedEntities: try Self.decode(json, TrackerTrackedEntity.self),
            enrollments: try Self.decode(json, TrackerEnrollment.self),
            events: try Self.decode(json, TrackerEvent.self),
            relationships: try Self.decode(json, TrackerRelationship.self))
    }

    private static func decode<Object: TrackerObject>(_ json: JSONValue, _ type: Object.Type) throws(DHIS2Error)
        -> [Object]
    {
        let key = Object.trackerCollection
        guard let member = json[key] else { return [] }
        guard let items = member.arrayValue else {
            throw DHIS2Error(code: .decoding, message: "The payload's \"\(key)\" member is not an array.", codingPath: [key])
        }
        var objects: [Object] = []
        objects.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                objects.append(try Object(jsonValue: item))
            } catch {
                throw DHIS2Error(
                    code: .decoding, message: "The payload's \(key)[\(index)] is not a \(Object.self): \(error)",
                    codingPath: [key, String(index)], underlying: "\(error)")
            }
        }
        return objects
    }

    /// The payload as DHIS2 takes it; empty collections are left out.
    public func jsonValue() throws(DHIS2Error) -> JSONValue {
            var members: [String: JSONValue] = [:]
            func put<Object: TrackerObject>(_ objects: [Object]) throws(DHIS2Error) {
                guard !objects.isEmpty else { return }
                var values: [JSONValue] = []
                values.reserveCapacity(objects.count)
                for object in objects {
                    do {
                        values.append(try object.jsonValue())
                    } catch {
                        throw DHIS2Error(
                            code: .invalidRequest, message: "A \(Object.self) could not be encoded as JSON: \(error)")
                    }
                }
                members[Object.trackerCollection] = .array(values)
            }
            try put(trackedEntities)
            try put(enrollments)
            try put(events)
            try put(relationships)
            return .object(members)
    }

    /// How many objects the bundle holds, nested ones included.
    public var count: Int {
        var total = relationships.count + events.count
        for enrollment in enrollments { total += 1 + (enrollment.events?.count ?? 0) }
        for entity in trackedEntities {
            total += 1
            for enrollment in entity.enrollments ?? [] { total += 1 + (enrollment.events?.count ?? 0) }
        }
        return total
    }

    /// The same objects, flat: nested enrollments and events moved to the top level, each given the UID of the
    /// object it was nested in (`trackedEntity` on enrollments, `enrollment` on events) when it had none.
    ///
    /// - Throws: ``DHIS2Error`` `decoding` when a nested event does not have the event model's shape.
    public func flattened() throws(DHIS2Error) -> TrackerBundle {
        var flat = TrackerBundle(relationships: relationships)
        func lift(_ enrollment: TrackerEnrollment, parent: String?) throws(DHIS2Error) {
            var enrollment = enrollment
            if enrollment.trackedEntity == nil { enrollment.trackedEntity = parent }
            for (index, nested) in (enrollment.events ?? []).enumerated() {
                var event: TrackerEvent
                do {
                    event = try TrackerEvent(jsonValue: nested)
                } catch {
                    throw DHIS2Error(
                        code: .decoding,
                        message: "Event \(index) of enrollment \(enrollment.enrollment ?? "?") is not an event: \(error)",
                        underlying: "\(error)")
                }
                if event.enrollment == nil { event.enrollment = enrollment.enrollment }
                if event.trackedEntity == nil { event.trackedEntity = enrollment.trackedEntity }
                flat.events.append(event)
            }
            enrollment.events = nil
            flat.enrollments.append(enrollment)
        }
        for entity in trackedEntities {
            var entity = entity
            for enrollment in entity.enrollments ?? [] { try lift(enrollment, parent: entity.trackedEntity) }
            entity.enrollments = nil
            flat.trackedEntities.append(entity)
        }
        for enrollment in enrollments { try lift(enrollment, parent: nil) }
        flat.events += events
        return flat
    }

    /// Gives every object without a UID a new one made on the client (``UID/generate()``), so the caller knows the
    /// identifiers before the import and can refer to the objects in the same bundle. Nested objects first get
    /// their own UID, then inherit their parent's as their reference when they have none.
    public mutating func assignUIDs() {
        func assign<Object: TrackerObject>(_ object: inout Object) {
            if object.trackerUID == nil { object.trackerUID = UID.generate().rawValue }
        }
        func assignNested(_ enrollment: inout TrackerEnrollment, trackedEntity: String?) {
            assign(&enrollment)
            if enrollment.trackedEntity == nil { enrollment.trackedEntity = trackedEntity }
            guard let nested = enrollment.events else { return }
            enrollment.events = nested.map { value in
                guard var members = value.objectValue else { return value }
                if members["event"]?.stringValue == nil { members["event"] = .string(UID.generate().rawValue) }
                if members["enrollment"]?.stringValue == nil, let id = enrollment.enrollment {
                    members["enrollment"] = .string(id)
                }
                return .object(members)
            }
        }
        for index in trackedEntities.indices {
            assign(&trackedEntities[index])
            let parent = trackedEntities[index].trackedEntity
            if var nested = trackedEntities[index].enrollments {
                for inner in nested.indices { assignNested(&nested[inner], trackedEntity: parent) }
                trackedEntities[index].enrollments = nested
            }
        }
        for index in enrollments.indices { assignNested(&enrollments[index], trackedEntity: nil) }
        for index in events.indices { assign(&events[index]) }
        for index in relationships.indices { assign(&relationships[index]) }
    }
}

extension TrackerAttribute {
    /// An attribute value to send: `attribute` and `value`. DHIS2 reads the value type from the attribute's
    /// metadata, so `valueType` may be left out (exports carry it).
    public init(_ attribute: UID, value: String, valueType: ValueType? = nil) {
        self.init()
        self.valueType = valueType
        self.attribute = attribute.rawValue
        self.value = value
    }
}

extension TrackerDataValue {
    /// A data value to send: `dataElement` and `value`.
    public init(_ dataElement: UID, value: String) {
        self.init()
        self.dataElement = dataElement.rawValue
        self.value = value
    }
}

/// A person registered, enrolled and seen once: the objects of one bundle that create a tracked entity, enroll
/// it in a program and record an event in one of the program's stages, with UIDs made on the client.
///
/// ```swift
/// let visit = TrackerRegistration(
///     trackedEntityType: "nEenWmSyUEp", program: "IpHINAT79UW", programStage: "A03MvHHogjR",
///     orgUnit: "DiszpKrYNg8", enrolledAt: "2025-03-06", eventOccurredAt: "2025-03-06",
///     attributes: [TrackerAttribute("w75KJ2mc4zz", value: "Anna", valueType: .text)],
///     dataValues: [TrackerDataValue("UXz7xuGCEhU", value: "3200")])
/// let report = try await client.tracker.import(visit.bundle)
/// ```
public struct TrackerRegistration: Sendable {
    /// The new tracked entity's UID.
    public var trackedEntity: UID
    /// The new enrollment's UID.
    public var enrollment: UID
    /// The new event's UID.
    public var event: UID
    /// The person's tracked entity type (it must be the program's).
    public var trackedEntityType: UID
    /// The program to enroll in (a program with registration).
    public var program: UID
    /// The stage of the event.
    public var programStage: UID
    /// Where the person is registered, enrolled and seen.
    public var orgUnit: UID
    /// The enrollment date.
    public var enrolledAt: TrackerDate
    /// The incident date; DHIS2 uses the enrollment date when it is absent.
    public var occurredAt: TrackerDate?
    /// When the event happened.
    public var eventOccurredAt: TrackerDate
    /// The event's status (`COMPLETED` by default).
    public var eventStatus: EventStatus
    /// The tracked entity's attribute values (the program's attributes included: DHIS2 stores them on the
    /// tracked entity).
    public var attributes: [TrackerAttribute]
    /// The event's data values.
    public var dataValues: [TrackerDataValue]

    /// A registration with new UIDs for the tracked entity, enrollment and event.
    public init(
        trackedEntityType: UID, program: UID, programStage: UID, orgUnit: UID, enrolledAt: TrackerDate,
        occurredAt: TrackerDate? = nil, eventOccurredAt: TrackerDate, eventStatus: EventStatus = .completed,
        attributes: [TrackerAttribute] = [], dataValues: [TrackerDataValue] = []
    ) {
        self.trackedEntity = UID.generate()
        self.enrollment = UID.generate()
        self.event = UID.generate()
        self.trackedEntityType = trackedEntityType
        self.program = program
        self.programStage = programStage
        self.orgUnit = orgUnit
        self.enrolledAt = enrolledAt
        self.occurredAt = occurredAt
        self.eventOccurredAt = eventOccurredAt
        self.eventStatus = eventStatus
        self.attributes = attributes
        self.dataValues = dataValues
    }

    /// The flat bundle: the tracked entity with its attributes, the active enrollment, the event.
    public var bundle: TrackerBundle {
        var entity = TrackerTrackedEntity()
        entity.trackedEntity = trackedEntity.rawValue
        entity.trackedEntityType = trackedEntityType.rawValue
        entity.orgUnit = orgUnit.rawValue
        entity.attributes = attributes

        var enrollment = TrackerEnrollment()
        enrollment.status = .active
        enrollment.enrollment = self.enrollment.rawValue
        enrollment.trackedEntity = trackedEntity.rawValue
        enrollment.program = program.rawValue
        enrollment.orgUnit = orgUnit.rawValue
        enrollment.enrolledAt = enrolledAt.rawValue
        enrollment.occurredAt = (occurredAt ?? enrolledAt).rawValue

        var event = TrackerEvent()
        event.event = self.event.rawValue
        event.enrollment = self.enrollment.rawValue
        event.trackedEntity = trackedEntity.rawValue
        event.program = program.rawValue
        event.programStage = programStage.rawValue
        event.orgUnit = orgUnit.rawValue
        event.occurredAt = eventOccurredAt.rawValue
        event.status = eventStatus
        event.dataValues = dataValues
        return TrackerBundle(trackedEntities: [entity], enrollments: [enrollment], events: [event])
    }
}
