import DHIS2Core
import Foundation

/// Which single data value `/api/dataValues` reads, writes or deletes (reference §7.5): DHIS2's query parameters
/// `de`, `pe`, `ou`, `co`, `cc`, `cp`, `ds`.
public struct DataValueKey: Hashable, Sendable {
    /// `de`: the data element.
    public var dataElement: UID
    /// `pe`: the period.
    public var period: Period
    /// `ou`: the org unit.
    public var orgUnit: UID
    /// `co`: the category option combo; `nil` means the default combo.
    public var categoryOptionCombo: UID?
    /// `cc`: the attribute category combo; with ``attributeCategoryOptions`` it selects the attribute option combo.
    /// `nil` means the default.
    public var attributeCategoryCombo: UID?
    /// `cp`: the attribute category options (sent `;`-separated).
    public var attributeCategoryOptions: [UID]
    /// `ds`: the data set, for servers that need it to tell which data set the value belongs to.
    public var dataSet: UID?

    public init(
        dataElement: UID, period: Period, orgUnit: UID, categoryOptionCombo: UID? = nil,
        attributeCategoryCombo: UID? = nil, attributeCategoryOptions: [UID] = [], dataSet: UID? = nil
    ) {
        self.dataElement = dataElement
        self.period = period
        self.orgUnit = orgUnit
        self.categoryOptionCombo = categoryOptionCombo
        self.attributeCategoryCombo = attributeCategoryCombo
        self.attributeCategoryOptions = attributeCategoryOptions
        self.dataSet = dataSet
    }

    /// The query parameters, in DHIS2's order.
    public var queryItems: [URLQueryItem] {
        var items = [
            URLQueryItem(name: "de", value: dataElement.rawValue), URLQueryItem(name: "pe", value: period.isoString),
            URLQueryItem(name: "ou", value: orgUnit.rawValue),
        ]
        if let categoryOptionCombo { items.append(URLQueryItem(name: "co", value: categoryOptionCombo.rawValue)) }
        if let attributeCategoryCombo {
            items.append(URLQueryItem(name: "cc", value: attributeCategoryCombo.rawValue))
        }
        if !attributeCategoryOptions.isEmpty {
            items.append(
                URLQueryItem(name: "cp", value: attributeCategoryOptions.map(\.rawValue).joined(separator: ";")))
        }
        if let dataSet { items.append(URLQueryItem(name: "ds", value: dataSet.rawValue)) }
        return items
    }
}

extension DataValuesResource {
    static let singlePath = "/api/dataValues"

    /// DHIS2's message when a single value is not stored (2.41–2.44, `DataValueController`).
    static let doesNotExist = "Data value does not exist"

    /// The stored value at `key` as DHIS2 keeps it (text, whatever the value type), or `nil` when there is none:
    /// `GET /api/dataValues` answers `["112"]`, or 409 `"Data value does not exist"`.
    ///
    /// - Throws: ``DHIS2Error`` `api` for anything else DHIS2 refuses (an unknown data element or org unit, …), with
    ///   its WebMessage.
    public func value(at key: DataValueKey) async throws(DHIS2Error) -> String? {
        let json: JSONValue
        do {
            json = try await client.get(Self.singlePath, query: key.queryItems)
        } catch {
            if error.status == 409, error.webMessage?.message == Self.doesNotExist { return nil }
            throw error
        }
        // A bare array comes back wrapped as {"data": [...]}.
        guard let first = json["data"]?[0] else {
            throw DHIS2Error(
                code: .decoding, message: "The answer to GET /api/dataValues is not a one-element array of text.",
                method: "GET", path: Self.singlePath)
        }
        if first.isNull { return nil }
        return first.stringValue ?? first.doubleValue.map { String($0) }
    }

    /// Stores `value` at `key` (`POST /api/dataValues`, DHIS2 answers 201 with no body). The value is text as DHIS2
    /// takes it (`"12"`, `"true"`, `"2025-01-31"`, an option code); DHIS2 checks it against the data element's
    /// value type and option set.
    ///
    /// - Parameters:
    ///   - comment: `comment`.
    ///   - followUp: `followUp`: mark the value for follow-up.
    ///   - force: `force` (superusers): ignore locked periods.
    /// - Throws: ``DHIS2Error`` `api` (409 with DHIS2's message) when DHIS2 refuses the value.
    public func set(
        _ value: String, at key: DataValueKey, comment: String? = nil, followUp: Bool? = nil, force: Bool? = nil
    ) async throws(DHIS2Error) {
        var query = key.queryItems
        query.append(URLQueryItem(name: "value", value: value))
        if let comment { query.append(URLQueryItem(name: "comment", value: comment)) }
        if let followUp { query.append(URLQueryItem(name: "followUp", value: String(followUp))) }
        if let force { query.append(URLQueryItem(name: "force", value: String(force))) }
        _ = try await client.post(Self.singlePath, query: query)
    }

    /// Deletes the value at `key` (`DELETE /api/dataValues`, 204). DHIS2 keeps it soft-deleted: an export with
    /// `includeDeleted` still lists it.
    ///
    /// - Throws: ``DHIS2Error`` `api` (409 with DHIS2's message) when there is no such value or DHIS2 refuses.
    public func delete(at key: DataValueKey) async throws(DHIS2Error) {
        _ = try await client.delete(Self.singlePath, query: key.queryItems)
    }
}
