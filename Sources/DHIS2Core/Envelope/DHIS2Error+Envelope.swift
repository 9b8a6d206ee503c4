extension DHIS2Error {
    /// What the failed request achieved as an import, read from the WebMessage the server answered with.
    ///
    /// DHIS2 answers an import with conflicts with **409** and the full report in the body (reference §6.1, §7.2),
    /// so an import that stored some objects and rejected others arrives as an error: this reads it as
    /// ``ImportOutcome/partial(_:)`` or ``ImportOutcome/failed(_:)`` with the counts and conflicts. `nil` when the
    /// error carries no WebMessage (transport failures, non-JSON bodies) or the WebMessage is a job kick-off.
    public var importOutcome: ImportOutcome? { webMessage?.outcome }
}
