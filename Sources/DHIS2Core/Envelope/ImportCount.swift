/// How many objects an import created, updated, ignored and deleted: DHIS2's `ImportCount`
/// (`{"imported","updated","ignored","deleted"}`, reference §7.2).
///
/// This is also the common currency of ``ImportOutcome``: metadata and tracker ``ImportStats`` convert to it with
/// `created` counted as `imported`.
public struct ImportCount: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Objects created.
    public var imported: Int
    /// Objects updated.
    public var updated: Int
    /// Objects skipped: rejected by validation, or unchanged (a data value with the same value, comment and
    /// follow-up counts as ignored without any conflict).
    public var ignored: Int
    /// Objects deleted (for data values: soft-deleted).
    public var deleted: Int

    /// A count; every number defaults to zero.
    public init(imported: Int = 0, updated: Int = 0, ignored: Int = 0, deleted: Int = 0) {
        self.imported = imported
        self.updated = updated
        self.ignored = ignored
        self.deleted = deleted
    }

    /// The count of a metadata or tracker report: `created` becomes `imported`, the rest carry over.
    public init(_ stats: ImportStats) {
        self.init(imported: stats.created, updated: stats.updated, ignored: stats.ignored, deleted: stats.deleted)
    }

    /// No object at all.
    public static let zero = ImportCount()

    /// Objects the server changed: `imported + updated + deleted`.
    public var changed: Int { imported + updated + deleted }

    /// Every object the count covers: `imported + updated + ignored + deleted`.
    public var total: Int { changed + ignored }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case imported, updated, ignored, deleted
    }

    /// Decodes a count; an absent number is zero.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.imported = try container.decodeCount(forKey: .imported)
        self.updated = try container.decodeCount(forKey: .updated)
        self.ignored = try container.decodeCount(forKey: .ignored)
        self.deleted = try container.decodeCount(forKey: .deleted)
    }

    public var description: String {
        "imported \(imported), updated \(updated), ignored \(ignored), deleted \(deleted)"
    }
}

/// The per-report counts of a metadata or tracker import: DHIS2's `Stats` / `TrackerStats`
/// (`{"created","updated","deleted","ignored","total"}`, reference §6.1, §9.2).
public struct ImportStats: Codable, Hashable, Sendable, CustomStringConvertible {
    /// Objects created.
    public var created: Int
    /// Objects updated.
    public var updated: Int
    /// Objects deleted.
    public var deleted: Int
    /// Objects skipped; with `atomicMode=ALL` and any validation error, every object is counted here.
    public var ignored: Int
    /// The sum of the four counts, as the server reported it.
    public var total: Int

    /// Stats; `total` defaults to the sum of the other four.
    public init(created: Int = 0, updated: Int = 0, deleted: Int = 0, ignored: Int = 0, total: Int? = nil) {
        self.created = created
        self.updated = updated
        self.deleted = deleted
        self.ignored = ignored
        self.total = total ?? (created + updated + deleted + ignored)
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case created, updated, deleted, ignored, total
    }

    /// Decodes stats; an absent number is zero and an absent `total` is the sum of the others.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            created: try container.decodeCount(forKey: .created),
            updated: try container.decodeCount(forKey: .updated),
            deleted: try container.decodeCount(forKey: .deleted),
            ignored: try container.decodeCount(forKey: .ignored),
            total: try container.decodeIfPresent(Int.self, forKey: .total))
    }

    public var description: String {
        "created \(created), updated \(updated), deleted \(deleted), ignored \(ignored), total \(total)"
    }
}
