import DHIS2Core
import DHIS2Models

extension DHIS2Client {
    /// Typed access to DHIS2's metadata collections: `client.metadata.dataElements.list(...)`.
    public var metadata: MetadataResources { MetadataResources(client: self) }
}

/// The metadata collections of one client, each a ``MetadataResource`` of its generated model.
///
/// The common collections have a named accessor; ``resource(_:)`` reaches any other metadata model.
public struct MetadataResources: Sendable {
    /// The client requests go through.
    public let client: DHIS2Client

    /// The collections of `client`.
    public init(client: DHIS2Client) { self.client = client }

    /// The collection of `model`, for any generated metadata model: `client.metadata.resource(Icon.self)`.
    public func resource<Model: MetadataModel>(_ model: Model.Type) -> MetadataResource<Model> {
        MetadataResource(client: client)
    }

    /// `/api/dataElements`.
    public var dataElements: MetadataResource<DataElement> { MetadataResource(client: client) }

    /// `/api/dataElementGroups`.
    public var dataElementGroups: MetadataResource<DataElementGroup> { MetadataResource(client: client) }

    /// `/api/dataElementGroupSets`.
    public var dataElementGroupSets: MetadataResource<DataElementGroupSet> { MetadataResource(client: client) }

    /// `/api/dataSets`.
    public var dataSets: MetadataResource<DataSet> { MetadataResource(client: client) }

    /// `/api/indicators`.
    public var indicators: MetadataResource<Indicator> { MetadataResource(client: client) }

    /// `/api/indicatorTypes`.
    public var indicatorTypes: MetadataResource<IndicatorType> { MetadataResource(client: client) }

    /// `/api/indicatorGroups`.
    public var indicatorGroups: MetadataResource<IndicatorGroup> { MetadataResource(client: client) }

    /// `/api/organisationUnits`.
    public var organisationUnits: MetadataResource<OrganisationUnit> { MetadataResource(client: client) }

    /// `/api/organisationUnitGroups`.
    public var organisationUnitGroups: MetadataResource<OrganisationUnitGroup> { MetadataResource(client: client) }

    /// `/api/organisationUnitGroupSets`.
    public var organisationUnitGroupSets: MetadataResource<OrganisationUnitGroupSet> { MetadataResource(client: client) }

    /// `/api/organisationUnitLevels`.
    public var organisationUnitLevels: MetadataResource<OrganisationUnitLevel> { MetadataResource(client: client) }

    /// `/api/categories`.
    public var categories: MetadataResource<Category> { MetadataResource(client: client) }

    /// `/api/categoryOptions`.
    public var categoryOptions: MetadataResource<CategoryOption> { MetadataResource(client: client) }

    /// `/api/categoryCombos`.
    public var categoryCombos: MetadataResource<CategoryCombo> { MetadataResource(client: client) }

    /// `/api/categoryOptionCombos`.
    public var categoryOptionCombos: MetadataResource<CategoryOptionCombo> { MetadataResource(client: client) }

    /// `/api/optionSets`.
    public var optionSets: MetadataResource<DHIS2OptionSet> { MetadataResource(client: client) }

    /// `/api/options`.
    public var options: MetadataResource<DHIS2Option> { MetadataResource(client: client) }

    /// `/api/programs`.
    public var programs: MetadataResource<Program> { MetadataResource(client: client) }

    /// `/api/programStages`.
    public var programStages: MetadataResource<ProgramStage> { MetadataResource(client: client) }

    /// `/api/trackedEntityTypes`.
    public var trackedEntityTypes: MetadataResource<TrackedEntityType> { MetadataResource(client: client) }

    /// `/api/trackedEntityAttributes`.
    public var trackedEntityAttributes: MetadataResource<TrackedEntityAttribute> { MetadataResource(client: client) }

    /// `/api/users`.
    public var users: MetadataResource<User> { MetadataResource(client: client) }

    /// `/api/userGroups`.
    public var userGroups: MetadataResource<UserGroup> { MetadataResource(client: client) }

    /// `/api/userRoles`.
    public var userRoles: MetadataResource<UserRole> { MetadataResource(client: client) }

    /// `/api/attributes`.
    public var attributes: MetadataResource<Attribute> { MetadataResource(client: client) }

    /// `/api/constants`.
    public var constants: MetadataResource<Constant> { MetadataResource(client: client) }

    /// `/api/legendSets`.
    public var legendSets: MetadataResource<LegendSet> { MetadataResource(client: client) }

    /// `/api/validationRules`.
    public var validationRules: MetadataResource<ValidationRule> { MetadataResource(client: client) }

    /// `/api/predictors`.
    public var predictors: MetadataResource<Predictor> { MetadataResource(client: client) }

    /// `/api/dashboards`.
    public var dashboards: MetadataResource<Dashboard> { MetadataResource(client: client) }

    /// `/api/visualizations`.
    public var visualizations: MetadataResource<Visualization> { MetadataResource(client: client) }
}
