import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// `/api/dataValues`: one value by query parameters (or a JSON body for POST) [core/2.42 DataValueController]
/// [reference §7.5]. Problems answer 409 with DHIS2's `IllegalQueryException` codes (E1100–E1104, E2029, E2030,
/// E2020, E2032).
struct SingleDataValue {
    let environment: RequestEnvironment
    let state: EmulatorState

    private struct Parameters {
        var dataElement: String?
        var period: String?
        var orgUnit: String?
        var categoryOptionCombo: String?
        var categoryCombo: String?
        var categoryOptions: [String]?
        var attributeOptionCombo: String?
        var value: String?
        var comment: String?
        var followUp: Bool?
    }

    private struct Refusal: Error {
        let response: Response
        init(_ code: String?, _ message: String) {
            response = Reply.webMessage(.conflict, message: message, errorCode: code)
        }
    }

    func response() async -> Response {
        do {
            let parameters = try readParameters()
            let metadata = DataValueMetadata(snapshot: environment.snapshot)
            let (key, element) = try await resolve(parameters, metadata: metadata)
            let store = state.dataValues
            var headers = HTTPFields()
            headers[.cacheControl] = "no-store"
            switch environment.request.method {
            case .get:
                guard let record = await store.record(key), !record.deleted else {
                    throw Refusal("E2032", "Data value does not exist")
                }
                return Reply.json(.array([record.value.map(JSONValue.string) ?? .null]), headers: headers)
            case .delete:
                guard var record = await store.record(key), !record.deleted else {
                    throw Refusal(nil, "Data value cannot be deleted because it does not exist")
                }
                record.deleted = true
                record.lastUpdated = Self.now
                try await store.write([(key, record)])
                return Response(status: .noContent, headers: headers)
            default:
                let existing = await store.record(key).flatMap { $0.deleted ? nil : $0 }
                var value = parameters.value.flatMap { $0.isEmpty ? nil : $0 }
                if let text = value {
                    let normalised = DataValueRules.normalised(value: text, valueType: element.valueType)
                    if let problem = DataValueRules.problem(value: normalised, valueType: element.valueType) {
                        throw Refusal("E2030", "Data value must match data element value type: `\(problem)`")
                    }
                    if let optionSet = element.optionSet, metadata.optionCodes[optionSet]?.contains(normalised) != true {
                        throw Refusal("E2029", "Data value is not a valid option of the data element option set: `\(element.id)`")
                    }
                    value = normalised
                } else if parameters.value == nil {
                    value = existing?.value
                }
                let hierarchy = UserHierarchy(principal: environment.principal, snapshot: environment.snapshot)
                let record = DataValueRecord(
                    value: value, storedBy: hierarchy.username, created: existing?.created ?? Self.now,
                    lastUpdated: Self.now, comment: parameters.comment ?? existing?.comment,
                    followup: parameters.followUp ?? existing?.followup ?? false, deleted: false)
                try await store.write([(key, record)])
                return Response(status: .created, headers: headers)
            }
        } catch let refusal as Refusal {
            return refusal.response
        } catch {
            return Reply.webMessage(.internalServerError, message: "Storing the data value failed: \(error)")
        }
    }

    private static var now: Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    private func readParameters() throws -> Parameters {
        let query = environment.query
        var parameters = Parameters(
            dataElement: query["de"], period: query["pe"], orgUnit: query["ou"], categoryOptionCombo: query["co"],
            categoryCombo: query["cc"], categoryOptions: query["cp"].map { $0.split(separator: ";").map(String.init) },
            attributeOptionCombo: nil, value: query["value"], comment: query["comment"],
            followUp: query["followUp"].map { $0.lowercased() == "true" })
        // POST with a JSON body (DataValueCategoryDto form) [reference §7.5].
        if environment.request.method == .post, environment.body.readableBytes > 0,
            let body = try? JSONValue(parsing: Data(environment.body.readableBytesView))
        {
            parameters.dataElement = body["dataElement"]?.stringValue ?? parameters.dataElement
            parameters.period = body["period"]?.stringValue ?? parameters.period
            parameters.orgUnit = body["orgUnit"]?.stringValue ?? parameters.orgUnit
            parameters.categoryOptionCombo = body["categoryOptionCombo"]?.stringValue ?? parameters.categoryOptionCombo
            if let attribute = body["attribute"] {
                parameters.categoryCombo = attribute["combo"]?.stringValue
                parameters.categoryOptions = attribute["options"]?.arrayValue?.compactMap(\.stringValue)
            }
            parameters.value = body["value"]?.stringValue ?? body["value"]?.doubleValue.map { number in
                number.rounded() == number ? String(Int64(number)) : String(number)
            } ?? parameters.value
            parameters.comment = body["comment"]?.stringValue ?? parameters.comment
            parameters.followUp = body["followUp"]?.boolValue ?? body["followup"]?.boolValue ?? parameters.followUp
        }
        return parameters
    }

    /// Resolves the identifiers, checking each as DataValueController's validation does [ErrorCode E1100–E1104,
    /// E2020].
    private func resolve(_ parameters: Parameters, metadata: DataValueMetadata) async throws -> (
        DataValueKey, DataValueMetadata.DataElement
    ) {
        let elementID = parameters.dataElement ?? ""
        guard let element = metadata.dataElements[elementID] else {
            throw Refusal("E1100", "Data element not found or not accessible: `\(elementID)`")
        }
        let periodText = parameters.period ?? ""
        guard let period = Period(periodText) else { throw Refusal("E1101", "Period is invalid: `\(periodText)`") }
        let unitID = parameters.orgUnit ?? ""
        guard let path = metadata.orgUnitPaths[unitID] else {
            throw Refusal("E1102", "Organisation unit not found or not accessible: `\(unitID)`")
        }
        let combo = parameters.categoryOptionCombo.flatMap { $0.isEmpty ? nil : $0 } ?? metadata.defaultOptionCombo
        guard metadata.optionCombos[combo] != nil else {
            throw Refusal("E1103", "Category option combo not found or not accessible: `\(combo)`")
        }
        var attribute = metadata.defaultOptionCombo
        if let categoryCombo = parameters.categoryCombo {
            let options = Set(parameters.categoryOptions ?? [])
            let match = environment.snapshot.objects["categoryOptionCombos"]?.first { _, object in
                object["categoryCombo"]?["id"]?.stringValue == categoryCombo
                    && Set((object["categoryOptions"]?.arrayValue ?? []).compactMap { $0["id"]?.stringValue }) == options
            }
            guard let match else {
                throw Refusal(
                    "E1104",
                    "Attribute option combo not found or not accessible: `\(categoryCombo) \(DataValueRules.javaList(Array(options).sorted()))`")
            }
            attribute = match.key
        }
        let hierarchy = UserHierarchy(principal: environment.principal, snapshot: environment.snapshot)
        if environment.request.method != .get, !hierarchy.contains(path: path) {
            throw Refusal("E2020", "Organisation unit is not in the hierarchy of the current user: `\(unitID)`")
        }
        let store = state.dataValues
        let key = DataValueKey(
            dataElement: await store.intern(element.id), period: await store.intern(period.isoString),
            orgUnit: await store.intern(unitID), categoryOptionCombo: await store.intern(combo),
            attributeOptionCombo: await store.intern(attribute))
        return (key, element)
    }
}
