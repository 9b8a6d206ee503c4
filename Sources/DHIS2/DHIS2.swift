// The curated public API: `import DHIS2` brings the client, its value types and the generated models.
@_exported import DHIS2Core
@_exported import DHIS2Models
