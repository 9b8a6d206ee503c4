import DHIS2
import Foundation
import HTTPTypes
import Hummingbird

/// `POST|PUT /api/resourceTables/analytics`, `GET /api/analytics[.json]`, `GET /api/analytics/rawData.json` and
/// `GET /api/analytics/dataValueSet.json` (reference §8, §10.1).
enum AnalyticsRoutes {
    static func route(_ environment: RequestEnvironment, state: EmulatorState) async throws -> Response? {
        let segments = environment.segments
        let method = environment.request.method
        switch (segments.first, segments.count) {
        case ("resourceTables", 2) where segments[1] == "analytics" && (method == .post || method == .put):
            return await refresh(environment, state: state)
        case ("analytics", 1) where method == .get:
            return await query(environment, state: state, output: .grid)
        case ("analytics", 2) where method == .get && (segments[1] == "rawData" || segments[1] == "dataValueSet"):
            // Both are mapped only with a file suffix: without `.json` Tomcat answers 404 (reference §8.4).
            // The responder strips `.json` before routing, so look at the path as sent.
            guard environment.request.uri.path.hasSuffix(".json") else { return nil }
            return await query(environment, state: state, output: segments[1] == "rawData" ? .rawData : .dataValueSet)
        default:
            return nil
        }
    }

    // MARK: The analytics table job

    /// Starts an ANALYTICS_TABLE job that snapshots the stored data values into the analytics table.
    static func refresh(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let query = environment.query
        func flag(_ name: String) -> Bool { query[name] == "true" }
        let lastYears = query["lastYears"].flatMap { Int($0) }
        // ResourceTableController turns the skip flags into AnalyticsJobParameters.skipTableTypes.
        var skipTableTypes: [String] = []
        if flag("skipAggregate") { skipTableTypes += ["DATA_VALUE", "COMPLETENESS", "COMPLETENESS_TARGET"] }
        if flag("skipValidationResult") { skipTableTypes.append("VALIDATION_RESULT") }
        if flag("skipEvents") { skipTableTypes.append("EVENT") }
        if flag("skipEnrollment") { skipTableTypes.append("ENROLLMENT") }
        if flag("skipOrgUnitOwnership") { skipTableTypes.append("OWNERSHIP") }
        if flag("skipTrackedEntities") {
            skipTableTypes += ["TRACKED_ENTITY_INSTANCE_EVENTS", "TRACKED_ENTITY_INSTANCE_ENROLLMENTS", "TRACKED_ENTITY_INSTANCE"]
        }
        let skipResourceTables = flag("skipResourceTables")
        let skipOutliers = flag("skipOutliers")
        var parameters: [String: JSONValue] = [
            "skipTableTypes": .array(skipTableTypes.map(JSONValue.string)), "skipPrograms": [],
            "skipResourceTables": .bool(skipResourceTables), "skipOutliers": .bool(skipOutliers),
        ]
        if let lastYears { parameters["lastYears"] = .number(Double(lastYears)) }
        let skipsDataValues = skipTableTypes.contains("DATA_VALUE")
        let engine = state.analytics
        let dataValues = state.dataValues
        let store = state.store
        let job = await state.jobs.submit(type: "ANALYTICS_TABLE", parameters: .object(parameters)) { progress in
            let started = ContinuousClock.now
            await progress.info("Analytics table update process started")
            if !skipResourceTables {
                await progress.step()
                await progress.info("Resource tables generated")
            }
            await progress.step()
            if skipsDataValues {
                await progress.info("Skipping analytics table type: DATA_VALUE")
            } else {
                await progress.info("Performing pre-create table work")
                let values = await dataValues.allValues()
                let snapshot = await store.snapshot
                let facts = AnalyticsEngine.facts(from: values, snapshot: snapshot)
                await progress.step()
                await progress.info("Populated analytics table: analytics (\(facts.count) rows)")
                await engine.install(facts, lastYears: lastYears)
                await progress.info("Swapped analytics tables")
            }
            await progress.completionMessage(
                "Analytics tables updated: \(JobRunner.runtime(ContinuousClock.now - started))")
            return nil
        }
        return JobRoutes.noStore(state.jobs.kickOff(job, environment: environment, state: state))
    }

    // MARK: Queries

    enum Output { case grid, rawData, dataValueSet }

    static func query(_ environment: RequestEnvironment, state: EmulatorState, output: Output) async -> Response {
        do {
            let request = try AnalyticsRequest(environment.query)
            let resolved = try ResolvedQuery(
                request, snapshot: environment.snapshot, principal: environment.principal,
                today: state.analytics.today)
            if output == .dataValueSet {
                let ids = resolved.dimensions.map(\.id)
                guard ids.contains("dx") else { throw AnalyticsQueryError.noDataDimensionForDataValueSet }
                guard ids.contains("pe") else { throw AnalyticsQueryError.noPeriodDimensionForDataValueSet }
                guard ids.contains("ou") else { throw AnalyticsQueryError.noOrgUnitDimensionForDataValueSet }
            }
            // DHIS2 answers only from its analytics tables: before the first run they do not exist.
            guard let table = await state.analytics.table else { throw AnalyticsQueryError.missingTables }
            let evaluator = AnalyticsEvaluator(query: resolved, table: table)
            let builder = AnalyticsGridBuilder(query: resolved)
            switch output {
            case .grid: return Reply.json(builder.aggregatedGrid(cells: evaluator.cells()))
            case .rawData: return Reply.json(builder.rawGrid(facts: evaluator.rawFacts()))
            case .dataValueSet:
                return Reply.json(
                    dataValueSet(resolved, cells: evaluator.cells(), builder: builder, today: state.analytics.today))
            }
        } catch let error as AnalyticsQueryError {
            return error.response
        } catch {
            return Reply.webMessage(.internalServerError, message: "\(error)")
        }
    }

    /// `{"dataValues": [...]}` of aggregated values (dhis2-core `AnalyticsUtils.getDataValueSet`): `storedBy` and
    /// `comment` are `[aggregated]`, `created`/`lastUpdated` today's date; option combos appear only when the
    /// query has them as dimensions (an operand's option combo is split out of `dx`).
    static func dataValueSet(
        _ query: ResolvedQuery, cells: [AnalyticsEvaluator.Cell], builder: AnalyticsGridBuilder, today: CalendarDate
    ) -> JSONValue {
        var values: [JSONValue] = []
        for cell in cells {
            var value: [String: JSONValue] = [:]
            for (position, dimension) in query.dimensions.enumerated() {
                let index = cell.indices[position]
                switch dimension.kind {
                case .data(let items):
                    if case .dataElement(let selector) = items[index], let combo = selector.categoryOptionCombo {
                        value["dataElement"] = .string(builder.outputID(selector.dataElement, plural: "dataElements"))
                        value["categoryOptionCombo"] = .string(builder.outputID(combo, plural: "categoryOptionCombos"))
                    } else {
                        value["dataElement"] = .string(builder.output(dimension, item: index))
                    }
                case .period: value["period"] = .string(builder.output(dimension, item: index))
                case .orgUnit: value["orgUnit"] = .string(builder.output(dimension, item: index))
                case .optionCombo: value["categoryOptionCombo"] = .string(builder.output(dimension, item: index))
                case .category, .groupSet: break
                }
            }
            value["value"] = .string(
                cell.isIndicator
                    ? AnalyticsNumber.indicatorValue(cell.value, decimals: cell.decimals, skipRounding: query.request.skipRounding)
                    : AnalyticsNumber.dataValue(cell.value, skipRounding: query.request.skipRounding))
            value["storedBy"] = "[aggregated]"
            value["created"] = .string(today.description)
            value["lastUpdated"] = .string(today.description)
            value["comment"] = "[aggregated]"
            values.append(.object(value))
        }
        return ["dataValues": .array(values)]
    }
}
