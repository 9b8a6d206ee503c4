// The curated public API: `import DHIS2` brings the client, its value types and (later) the generated models.
@_exported import DHIS2Core
