// The settle action, run after each round: reads how every leg of the round
// just run ended from its record in the wave job's outputs (given through
// `needs`), skips the dependents of failures, hands out the next round, and
// when nothing is left writes the report and fails the step if any phase
// failed or was skipped (unless allow-failure). On a finished state it only
// repeats the report and the verdict, so a final report job can call it.
// Given `graph-passed` (the save job of a generated needs graph) it only
// writes the new store of passed phases.
import { PlanError, UsageError } from '../plan/errors.js'
import { sinceOf } from '../plan/passed-store.js'
import { isFinished } from '../plan/schedule.js'
import { decodeLedger, type Ledger } from '../plan/state.js'
import type { PlanAnalysis } from '../plan/types.js'
import { annotatedFailure, actionStep } from './step.js'
import type { SettleSettings } from './inputs.js'
import type { SettlePorts } from './ports.js'
import { handOutNextRound, readRounds } from './settle/read-round.js'
import {
  setGraphOutputs,
  phaseOutputs,
  setOutputs,
  writeDurations
} from './settle/outputs.js'
import { writeGraphStore, writePassedStore } from './settle/passed.js'
import { finish } from './settle/report.js'

/** The plan the state was made from, re-read from the checkout and verified. */
function loadPlanOfState(
  ledger: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): PlanAnalysis {
  const file = ledger.planPath
  let digest: string
  try {
    digest = ports.files.digest(file)
  } catch {
    throw new UsageError(
      `The plan file '${file}' that the plan step read is not in this job's workspace (${settings.run.cwd}). ` +
        'Check out the repository (actions/checkout, same ref) before the settle step: settle re-reads the plan.'
    )
  }
  if (digest !== ledger.digest) {
    throw new UsageError(
      `The plan changed since the plan step: '${file}' now has digest ${digest}, the state was made from ${ledger.digest}. ` +
        'Settle must read the same plan as the plan step: check out the same commit and do not edit the plan between them.'
    )
  }
  const loaded = ports.files.loadPlan({ planPath: file })
  if (loaded.analysis === undefined) throw new PlanError(loaded.problems)
  const analysis = loaded.analysis
  if (analysis.plan.phases.length !== ledger.statuses.length) {
    throw new UsageError(
      `Input 'state' holds ${ledger.statuses.length} phase(s) but '${file}' has ${analysis.plan.phases.length}. ` +
        "Pass the 'state' output of this run's plan step or previous settle step."
    )
  }
  return analysis
}

async function settle(
  settings: SettleSettings,
  ports: SettlePorts
): Promise<void> {
  const before = decodeLedger(settings.state)
  const analysis = loadPlanOfState(before, settings, ports)
  if (settings.graphPassed !== undefined) {
    // A generated needs graph's save job: only the store.
    const store = await writeGraphStore(analysis, before, settings, ports)
    setGraphOutputs(analysis, before, store)
    return
  }
  const ledger = isFinished(before)
    ? before
    : handOutNextRound(
        analysis,
        readRounds(analysis, before, settings),
        settings.run.runAttempt
      )
  const passed = isFinished(ledger)
    ? await writePassedStore(
        analysis,
        ledger,
        settings,
        ports,
        phaseOutputs(analysis, ledger, settings.waveJobs)
      )
    : undefined
  setOutputs(analysis, ledger, settings.waveJobs, passed)
  if (settings.durationsFile !== '')
    writeDurations(settings.durationsFile, analysis, ledger, ports)
  return isFinished(ledger)
    ? finish(
        analysis,
        ledger,
        settings,
        passed === undefined ? undefined : sinceOf(passed)
      )
    : Promise.resolve()
}

/** The settle step: never throws; a failure is the step's (core.setFailed). */
export const run = actionStep(settle, (error, settings: SettleSettings) =>
  annotatedFailure(error, settings.run.workspace)
)
