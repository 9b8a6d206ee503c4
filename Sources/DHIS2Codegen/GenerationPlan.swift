// What is generated, decided explicitly, in one place. The README next to this file explains each list.

/// The explicit decisions of the generator: which instance shapes it emits, which names it renames, which DHIS2Core
/// types it must not shadow, and where real payloads overrule the documents.
enum GenerationPlan {
    /// Instance-side shapes (OpenAPI component names) the library uses. Metadata types are not listed: every type in
    /// `/api/schemas` is generated. Components these reference are generated too.
    static let instanceShapes: [String] = [
        // Paging and analytics.
        "Pager", "Grid", "GridHeader",
        // Aggregate data.
        "DataValueSet", "DataValue",
        // Tracker objects (new tracker API).
        "TrackerTrackedEntity", "TrackerEnrollment", "TrackerEvent", "TrackerRelationship", "TrackerRelationshipItem",
        "TrackerAttribute", "TrackerDataValue", "TrackerNote", "TrackerProgramOwner", "TrackerUser",
        // Jobs and their notifications.
        "JobConfiguration", "JobNotification",
        // Data integrity.
        "DataIntegrityCheck", "DataIntegritySummary", "DataIntegrityDetails", "DataIntegrityIssue",
        // API tokens, routes and the routes' authentication schemes.
        "ApiToken", "Route", "HttpBasicAuthScheme", "ApiTokenAuthScheme", "ApiHeadersAuthScheme",
        "ApiQueryParamsAuthScheme", "OAuth2ClientCredentialsAuthScheme",
    ]

    /// Component renames across versions and names changed to keep Swift code unambiguous, as
    /// `component name → generated name`. Components with the same generated name are merged into one superset.
    static let renames: [String: String] = [
        // 2.43 split TrackerEvent into events of programs with registration and single events; the superset model
        // keeps the name of 2.41/2.42 and has the properties of both.
        "TrackerTrackerEvent": "TrackerEvent",
        "TrackerSingleEvent": "TrackerEvent",
        // Foundation has a `Notification` type; a user importing both would get an ambiguous name.
        "Notification": "JobNotification",
    ]

    /// Public types of DHIS2Core. `import DHIS2` re-exports DHIS2Core and DHIS2Models, so a generated type with one
    /// of these names would make the name ambiguous; the hand-written Core type is the public one, and a property
    /// whose document type is one of these is typed `JSONValue` (decode it with the Core type).
    static let coreTypeNames: Set<String> = [
        "APIVersion", "AsyncHTTPClientTransport", "AuthProvider", "AuthorizationHeader", "BasicAuth", "CurrentUser",
        "DHIS2Client", "DHIS2Clock", "DHIS2Configuration", "DHIS2Error", "DHIS2Request", "DHIS2Response",
        "DHIS2Transport", "ErrorReport", "ImportConflict", "ImportCount", "ImportOutcome", "ImportReport",
        "ImportStats", "ImportSummary", "InMemoryTokenStore", "JSONValue", "JobReference", "OAuth2Auth",
        "OAuth2Token", "ObjectReport", "PersonalAccessTokenAuth", "RetryPolicy", "ServerVersion", "SystemCacheKey",
        "SystemClock", "SystemInfo", "SystemResource", "TokenStore", "TrackerImportReport", "TypeReport", "UID",
        "VersionSelection", "WebMessage",
    ]

    /// Names the generated module itself defines (the runtime); a DHIS2 component of the same name is renamed.
    static let runtimeTypeNames: Set<String> = [
        "DHIS2JSONCodable", "DHIS2Model", "MetadataModel", "DHIS2Vocabulary", "Indirect", "DHIS2JSONError",
        "DHIS2JSONReader", "DHIS2JSONWriter", "APIVersionSet", "MetadataPropertyKind", "MetadataPropertySchema",
        "MetadataTypeSchema", "MetadataModels", "ObjectReference",
    ]

    /// Names a generated type must not take, because a type that code importing `DHIS2` commonly also sees has
    /// it: the Swift standard library (a generated `OptionSet` would shadow `Swift.OptionSet` for every user),
    /// Foundation (`Expression`, `Predicate`, `Data`, ...) and swift-argument-parser (`Option`, `Flag`, `Argument`,
    /// used with `import DHIS2` by the `dhis2` command line). Such a type is generated as `DHIS2<Name>`
    /// (`DHIS2Option`, `DHIS2OptionSet`, `DHIS2Expression`); its `schema.klass` still names the DHIS2 class.
    static let swiftReservedTypeNames: Set<String> = [
        // Swift standard library.
        "Any", "Array", "Bool", "Character", "Codable", "Collection", "Dictionary", "Double", "Equatable", "Error",
        "Float", "Hashable", "Identifiable", "Int", "Never", "Optional", "OptionSet", "Protocol", "Range", "Result",
        "Self", "Sendable", "Sequence", "Set", "String", "Type", "Void",
        // Foundation.
        "Data", "Date", "Decimal", "Expression", "Locale", "Notification", "Object", "Predicate", "URL", "UUID",
        // swift-argument-parser.
        "Argument", "Flag", "Option", "OptionGroup",
    ]

    /// Java enums named differently from their simple name: a clash with a metadata type, or a rename across versions.
    static let vocabularyRenames: [String: String] = [
        // The layout position (COLUMN, ROW, FILTER) of an event repetition; `Attribute` is the metadata type.
        "org.hisp.dhis.eventvisualization.Attribute": "EventVisualizationAttribute",
        // 2.42 renamed the Java enum ProgramStatus to EnrollmentStatus (same values: ACTIVE, COMPLETED, CANCELLED).
        "org.hisp.dhis.program.ProgramStatus": "EnrollmentStatus",
    ]

    /// OpenAPI components that stand for "an identifiable object" in general; the generated property uses
    /// ``ObjectReference`` (an `{id}` with any other members kept).
    static let referenceComponents: Set<String> = ["BaseIdentifiableObject", "IdentifiableObject"]

    /// Collections whose items DHIS2 embeds in their owner (Java classes implementing `EmbeddedObject`): the items
    /// are written and read inline with all their properties, never as `{id}` references. `/api/schemas` has no
    /// `embeddedObject` flag, so the list is explicit, keyed `TypeName.property`, with the evidence from the real
    /// export (fixtures/play/metadata.json), where each of these carries full objects inline and has no top-level key.
    static let embeddedCollections: [String: String] = [
        "Dashboard.dashboardItems":
            "dashboards[].dashboardItems[] carry type, x, y, width, height, shape, visualization, map, ... inline.",
        "Map.mapViews": "maps[].mapViews[] carry layer, columns, rows, filters, periods, ... inline.",
        "LegendSet.legends": "legendSets[].legends[] carry name, startValue, endValue, color inline.",
        "ProgramStage.programStageDataElements":
            "programStages[].programStageDataElements[] carry dataElement, compulsory, sortOrder, ... inline.",
        "Program.programTrackedEntityAttributes":
            "programs[].programTrackedEntityAttributes[] carry trackedEntityAttribute, mandatory, searchable, ... inline.",
        "TrackedEntityType.trackedEntityTypeAttributes":
            "trackedEntityTypes[].trackedEntityTypeAttributes[] carry trackedEntityAttribute, displayInList, ... inline.",
        "ProgramIndicator.analyticsPeriodBoundaries":
            "programIndicators[].analyticsPeriodBoundaries[] carry analyticsPeriodBoundaryType, boundaryTarget inline.",
        "DataSet.compulsoryDataElementOperands":
            "dataSets[].compulsoryDataElementOperands[] carry dataElement, categoryOptionCombo, ... inline.",
        "Section.greyedFields": "sections[].greyedFields[] carry dataElement, categoryOptionCombo, ... inline.",
    ]

    /// A property whose real payloads disagree with every document, with the type that reads them and the evidence.
    struct Override {
        let type: TypeRef
        let evidence: String
    }

    /// Members every version's OpenAPI document marks required that real payloads omit, keyed `TypeName.property`
    /// (`TypeName.*` for all of a type's members), with the evidence; they are generated optional.
    static let notRequired: [String: String] = [
        "StyledObject.textMode":
            "Absent from visualizations[].axes[].targetLine.title in the real export (fixtures/play/metadata.json).",
        "Series.type": "Absent from visualizations[2].series[] in the real export (fixtures/play/metadata.json).",
        "MetadataItem.*":
            "The five members the documents require (aggregationType, dimensionItemType, dimensionType, "
            + "totalAggregationType, valueType) are absent from maps[].mapViews[].metaData.* in the real export "
            + "(fixtures/play/metadata.json), which carry only uid, code and name.",
        "Grid.visibleWidth":
            "DHIS2 does not serialise visibleWidth (nor visibleHeaders, visibleRows, metadataHeaders, "
            + "internalMetaData): ListGrid has no JSON property for them, so no real analytics grid carries it "
            + "(dhis2-api-reference.md §8.2: headers, metaData, rowContext, rows, width, height, headerWidth).",
        "TrackerAttribute.valueType":
            "Read-only: DHIS2 takes an attribute's value type from its metadata, so import payloads send only "
            + "attribute and value (docs/2.42 tracker.md), and exports with a fields= selection such as "
            + "attributes[attribute,value] leave it out (dhis2-api-reference.md §9.1). Every attribute of the full "
            + "export fixtures/play/tracker_payload.json.gz does carry it.",
        "TrackerEnrollment.status":
            "DHIS2 imports an enrollment without status as ACTIVE (docs/2.42 tracker.md), and exports with a fields= "
            + "selection without status leave it out (dhis2-api-reference.md §9.1). Every enrollment of the full "
            + "export fixtures/play/tracker_payload.json.gz does carry it.",
        "JobNotification.dataType":
            "Only notifications that carry data have it (the tracker job's first entry: PARAMETERS); the entries of "
            + "GET /api/system/tasks/{jobType}/{jobId} are {uid, id, level, category, time, message, completed} "
            + "(dhis2-api-reference.md §10.2, core/2.42 Notification).",
    ]

    /// Members real payloads carry that neither `/api/schemas` nor the OpenAPI component declares, keyed
    /// `TypeName.member`, with their type and the evidence. The property's versions are the type's.
    static let additions: [String: Override] = [
        "Sharing.external": Override(
            type: .bool,
            evidence: "every sharing object of the real export (fixtures/play/metadata.json) has `external`."),
        "Access.externalize": Override(
            type: .bool,
            evidence: "the access objects of nested items in the real export (dashboards[].dashboardItems[].access, "
                + "legendSets[].legends[].access, ...) have `externalize`."),
    ]

    /// Java classes `/api/schemas` names for complex values (or collection items) that have no schema of their own,
    /// with the type DHIS2 serialises them as and the evidence. Applied before the OpenAPI component, which is missing
    /// in some versions for some types (a property typed by one version only would fall back to `JSONValue`).
    static let javaClassTypes: [String: Override] = [
        "org.hisp.dhis.attribute.AttributeValues": Override(
            type: .array(.model("AttributeValue")),
            evidence: "Serialised as an array of {attribute: {id}, value} (every attributeValues of the real export "
                + "fixtures/play/metadata.json; OpenAPI 2.41–2.43 `array of AttributeValue`). 2.44's `AttributeValues` "
                + "component ({empty}) describes the Java object, not its JSON."),
        "org.hisp.dhis.common.QueryModifiers": Override(
            type: .model("QueryModifiers"),
            evidence: "OpenAPI `QueryModifiers` in every version; some types' components omit the property."),
        "org.hisp.dhis.period.RelativePeriods": Override(
            type: .model("RelativePeriods"),
            evidence: "OpenAPI `RelativePeriods` in every version; EventChart and EventReport have no component."),
        "org.hisp.dhis.translation.Translation": Override(
            type: .model("Translation"),
            evidence: "OpenAPI `Translation` {locale, property, value} in every version; the real export's "
                + "translations[] have exactly these members."),
    ]

    /// OpenAPI components given a fixed type instead of the one their schema implies, with the evidence.
    static let componentTypes: [String: Override] = [
        "Instant": Override(
            type: .string,
            evidence: "Declared oneOf int64 | date-time string; DHIS2 writes ISO strings (every createdAt/updatedAt/"
                + "occurredAt of fixtures/play/tracker_payload.json.gz), so the tracker timestamps are Strings."),
    ]

    /// Overrides keyed `TypeName.property`.
    static let overrides: [String: Override] = [
        "MapView.periods": Override(
            type: .array(.model("ObjectReference")),
            evidence: "Declared as period strings by the 2.41 and 2.42 documents ({id} objects from 2.43), but the "
                + "real export (fixtures/play/metadata.json, maps[].mapViews[].periods) holds {id, name} objects."),
        "Interpretation.likes": Override(
            type: .int,
            evidence: "Declared as an object (a reference) by the 2.42–2.44 documents (an int32 by 2.41), but the "
                + "real export (fixtures/play/metadata.json, interpretations[].likes) holds an integer count."),
    ]
}
