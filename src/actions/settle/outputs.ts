// What settle hands on: its outputs (the next round's matrix, the state,
// the outcome lists, the durations learned), checked against GitHub's
// output limit before any is set; and the durations file for actions/cache.
import { at } from '../../plan/at.js'
import {
  recordedOutputs,
  type Outputs,
  type OutputsById
} from '../../plan/leg-record.js'
import { isSucceeded } from '../../plan/state.js'
import { learnedDurations } from '../../plan/run-timeline.js'
import { packingOf } from '../../plan/packing.js'
import { outputsOf, type PassedStoreFile } from '../../plan/passed-store.js'
import { outcomeLists, runningPhases } from '../../plan/schedule.js'
import { encodeLedger, type Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { renderRoundMatrix } from '../../render/matrix.js'
import { SettleInputs, SettleOutputs } from '../constants.js'
import * as core from '../log.js'
import { assertOutputsFit, fitsOutputBudget } from '../output-budget.js'
import type { WaveJob } from '../inputs.js'
import type { SettlePorts } from '../ports.js'

/**
 * The outputs of the phases that succeeded, from every wave job's records
 * settle is given (rounds in order), by id.
 */
export function phaseOutputs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  waveJobs: ReadonlyMap<number, WaveJob>
): OutputsById {
  const all = recordedOutputs(
    [...waveJobs].sort(([a], [b]) => a - b).map(([, job]) => job.outputs)
  )
  return Object.fromEntries(
    analysis.plan.phases.flatMap((phase, index) => {
      const outputs = Object.hasOwn(all, phase.id) ? all[phase.id] : undefined
      return outputs !== undefined && isSucceeded(at(ledger.statuses, index))
        ? [[phase.id, outputs] as const]
        : []
    })
  )
}

/**
 * The outputs the unchanged phases stored, added to `phase-outputs` when
 * they fit (a warning when not: the phases that read them had them).
 */
function addUnchangedOutputs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  outputs: Record<string, string>,
  ran: OutputsById,
  passed: PassedStoreFile
): void {
  const stored = outputsOf(passed)
  const own = (outputs: OutputsById, id: string): Outputs | undefined =>
    Object.hasOwn(outputs, id) ? outputs[id] : undefined
  let unchanged = 0
  // In plan order, as phaseOutputs writes them; fromEntries keeps any id a key.
  const all = Object.fromEntries(
    analysis.plan.phases.flatMap(({ id }, index) => {
      const fromStore =
        at(ledger.statuses, index) === 'unchanged' ? own(stored, id) : undefined
      if (fromStore !== undefined) unchanged++
      const written = own(ran, id) ?? fromStore
      return written === undefined ? [] : [[id, written] as const]
    })
  )
  if (unchanged === 0) return
  setIfFits(
    outputs,
    SettleOutputs.phaseOutputs,
    JSON.stringify(all),
    `The outputs the ${unchanged} unchanged phase(s) stored do not fit in settle's output phase-outputs beside the others; it holds those of the phases that ran.`
  )
}

/** Sets output `name` to `value` when all still fit GitHub's budget; else warns. */
function setIfFits(
  outputs: Record<string, string>,
  name: string,
  value: string,
  tooLarge: string
): void {
  if (fitsOutputBudget({ ...outputs, [name]: value })) outputs[name] = value
  else core.warning(tooLarge)
}

/**
 * `passed`: the report's new store of passed phases, an output only when it
 * fits beside the others (it is in `passed-file` anyway).
 */
export function setOutputs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  waveJobs: ReadonlyMap<number, WaveJob> = new Map(),
  passed?: PassedStoreFile
): void {
  const round = runningPhases(ledger)
  const packing = packingOf(analysis, ledger)
  const ran = phaseOutputs(analysis, ledger, waveJobs)
  const lists = outcomeLists(analysis, ledger)
  const outputs: Record<string, string> = {
    [SettleOutputs.matrix]: renderRoundMatrix(
      analysis,
      round,
      packing,
      ledger.round
    ),
    [SettleOutputs.state]: encodeLedger(ledger),
    [SettleOutputs.hasWork]: round.length > 0 ? 'true' : 'false',
    [SettleOutputs.succeeded]: JSON.stringify(lists.succeeded),
    [SettleOutputs.failed]: JSON.stringify(lists.failed),
    [SettleOutputs.skipped]: JSON.stringify(lists.skipped),
    [SettleOutputs.flaky]: JSON.stringify(lists.flaky),
    [SettleOutputs.phaseOutputs]: JSON.stringify(ran),
    [SettleOutputs.unchanged]: JSON.stringify(lists.unchanged),
    [SettleOutputs.durations]: JSON.stringify(
      learnedDurations(analysis, ledger)
    )
  }
  assertOutputsFit({ step: 'settle', file: analysis.plan.file, outputs })
  if (passed !== undefined) {
    addUnchangedOutputs(analysis, ledger, outputs, ran, passed)
    setIfFits(
      outputs,
      SettleOutputs.passed,
      JSON.stringify(passed),
      `The store of passed phases is too large for a step output beside settle's others; it is only in the file (input ${SettleInputs.passedFile}).`
    )
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
}

/**
 * The outputs of a needs graph's save job: `unchanged` (from the plan
 * step's state) and `passed`, the new store, when written and it fits.
 */
export function setGraphOutputs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  store: PassedStoreFile | undefined
): void {
  const outputs: Record<string, string> = {
    [SettleOutputs.unchanged]: JSON.stringify(
      outcomeLists(analysis, ledger).unchanged
    )
  }
  if (store !== undefined) {
    setIfFits(
      outputs,
      SettleOutputs.passed,
      JSON.stringify(store),
      `The store of passed phases is too large for a step output; it is only in the file (input ${SettleInputs.passedFile}).`
    )
  }
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
}

/**
 * The `durations` JSON written to a file (input `durations-file`), for
 * actions/cache to keep for the next run's `estimates`: a file, because for
 * thousands of phases the JSON is too long for an environment string.
 */
export function writeDurations(
  file: string,
  analysis: PlanAnalysis,
  ledger: Ledger,
  ports: SettlePorts
): void {
  const durations = learnedDurations(analysis, ledger)
  ports.files.writeText(file, `${JSON.stringify(durations, null, 1)}\n`)
  core.info(
    `Wrote the durations of ${Object.keys(durations).length} phase(s) to ${file}.`
  )
}
