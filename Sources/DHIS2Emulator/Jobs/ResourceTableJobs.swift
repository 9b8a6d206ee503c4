import DHIS2
import Foundation
import Hummingbird

/// `POST|PUT /api/resourceTables` (RESOURCE_TABLE) and `POST|PUT /api/resourceTables/monitoring` (MONITORING):
/// jobs that run over a few steps and complete (reference §10.1). The emulator keeps no resource tables; the jobs
/// report the work a server does, over time, so clients can watch them.
enum ResourceTableJobs {
    /// Starts a RESOURCE_TABLE job and answers with the kick-off WebMessage.
    static func resourceTables(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let snapshot = environment.snapshot
        let organisationUnits = snapshot.objects["organisationUnits"]?.count ?? 0
        let categoryOptionCombos = snapshot.objects["categoryOptionCombos"]?.count ?? 0
        let job = await state.jobs.submit(type: "RESOURCE_TABLE", parameters: nil) { progress in
            let started = ContinuousClock.now
            await progress.info("Generating resource tables")
            for table in [
                "organisation unit structure (\(organisationUnits) organisation units)",
                "category option combo names (\(categoryOptionCombos) category option combos)",
                "period structure", "data element structure", "data set organisation unit category",
            ] {
                await progress.step()
                await progress.info("Generated resource table: \(table)")
            }
            await progress.step()
            await progress.completionMessage(
                "Resource tables generated: \(JobRunner.runtime(ContinuousClock.now - started))")
            return nil
        }
        return JobRoutes.noStore(state.jobs.kickOff(job, environment: environment, state: state))
    }

    /// Starts a MONITORING (validation rule analysis) job and answers with the kick-off WebMessage.
    static func monitoring(_ environment: RequestEnvironment, state: EmulatorState) async -> Response {
        let rules = environment.snapshot.objects["validationRules"]?.count ?? 0
        let organisationUnits = environment.snapshot.objects["organisationUnits"]?.count ?? 0
        let job = await state.jobs.submit(type: "MONITORING", parameters: nil) { progress in
            await progress.info("Starting validation rule analysis")
            await progress.step()
            await progress.info("Validation rules: \(rules)")
            await progress.step()
            await progress.info("Validated \(organisationUnits) organisation units")
            await progress.step()
            await progress.completionMessage("Validation done")
            return nil
        }
        return JobRoutes.noStore(state.jobs.kickOff(job, environment: environment, state: state))
    }
}
