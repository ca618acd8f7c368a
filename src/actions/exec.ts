// The exec action: runs the phases of one leg (src/exec/run-leg.ts) from the
// plan in the workspace, writes the leg's record as the step output
// `record` (src/plan/leg-record.ts) once every phase has ended, and fails
// the step when one of them did not succeed. The wave job hands the record
// on as its output `leg-<n>`; settle reads it from `needs`. A cancelled step
// stops the running phase's process group and records what finished (the
// entry aborts ports.process.signal).
import { availableParallelism } from 'node:os'
import {
  legRecordText,
  legSucceeded,
  runLeg,
  type LegRun
} from '../exec/run-leg.js'
import { at } from '../plan/at.js'
import { PlanError } from '../plan/errors.js'
import { legOrder, parsePhaseList } from '../plan/leg-inputs.js'
import { earlierOutputs } from '../plan/leg-inputs.js'
import { legOutputsLimit, type OutputsById } from '../plan/leg-record.js'
import type { PlanAnalysis } from '../plan/types.js'
import { annotatedFailure, actionStep } from './step.js'
import { DEFAULT_CONFIG_PATH, ExecInputs, ExecOutputs } from './constants.js'
import type { ExecSettings } from './inputs.js'
import type { ExecPorts } from './ports.js'
import * as core from './log.js'

async function exec(settings: ExecSettings, ports: ExecPorts): Promise<void> {
  const loaded = ports.files.loadPlan({
    planPath: settings.planPath,
    // The config gives phases without `retries:` their default.
    config: {
      path: settings.configPath || DEFAULT_CONFIG_PATH,
      explicit: settings.configPath !== ''
    }
  })
  if (loaded.analysis === undefined) throw new PlanError(loaded.problems)
  const analysis = loaded.analysis
  const given = parsePhaseList(settings.phases)
  // Validates every id given, unchanged ones too.
  legOrder(analysis, given)
  const skipped = unchangedOfLeg(settings.unchanged, given)
  if (skipped.size > 0) {
    core.info(
      `${skipped.size} phase(s) of the leg unchanged since they passed, not run (they count as succeeded): ${[...skipped].join(', ')}`
    )
  }
  const ids = given.filter(id => !skipped.has(id))
  const order = legOrder(analysis, ids)
  const leg =
    settings.leg === undefined
      ? ids.join(',')
      : `round ${settings.round ?? '?'} leg ${settings.leg}`
  const concurrency = settings.legConcurrency ?? availableParallelism()
  core.info(
    `Leg ${leg}: ${order.length} phase(s) of ${settings.planPath}, ${atOnce(concurrency, order.length)}.`
  )
  const place =
    settings.round === undefined || settings.leg === undefined
      ? undefined
      : {
          round: settings.round,
          attempt: settings.run.runAttempt,
          leg: settings.leg
        }
  // The record so far after each phase, the whole record at the end: the
  // runner reads the step's output file even when exec is killed, and the
  // last value written wins.
  const writeRecord = (ran: LegRun): void => {
    if (place !== undefined)
      core.setOutput(
        ExecOutputs.record,
        legRecordText(analysis, ids, ran, place)
      )
  }
  // Outputs of earlier rounds' phases (every wave job before this one) and
  // of the jobs a needs-graph job needs: their phases' $PHASE_INPUTS.
  const earlier = earlierOutputs(
    settings.waveJobs,
    settings.round,
    settings.neededOutputs
  )
  const ran = await runLeg({
    analysis,
    earlierOutputs: earlier,
    legOutputsLimit: legOutputsLimit({
      legs: settings.legs ?? 1,
      planPhases: analysis.plan.phases.length,
      levels: analysis.waves.length
    }),
    leg,
    order,
    cwd: settings.run.cwd,
    env: { ...ports.process.env },
    stdout: ports.process.stdout,
    stderr: ports.process.stderr,
    workflowCommands: true,
    concurrency,
    signal: ports.process.signal,
    onProgress: writeRecord
  })
  writeRecord(ran)
  core.setOutput(
    ExecOutputs.phaseOutputs,
    JSON.stringify(legOutputs(analysis, ran))
  )
  const byId = new Map(
    [...ran].map(([index, phase]) => [
      at(analysis.plan.phases, index).id,
      phase
    ])
  )
  // Which phases passed here, for a needs graph's store (its save job).
  core.setOutput(
    ExecOutputs.succeeded,
    JSON.stringify(ids.filter(id => byId.get(id)?.status === 'succeeded'))
  )
  if (!legSucceeded(ran)) {
    const failed = ids.filter(id => byId.get(id)?.status !== 'succeeded')
    core.setFailed(
      `${failed.length} of ${ids.length} phase(s) of leg ${leg} did not succeed: ` +
        failed
          .map(id => `${id} (${byId.get(id)?.status ?? 'not-run'})`)
          .join(', ')
    )
  }
}

/**
 * The leg's phases the `unchanged` input names (the plan step's list of
 * phases unchanged since they passed). They are not run; the phases of the
 * leg that depend on them find them outside the leg, as passed. A list
 * that is not a JSON array of ids runs every phase (a warning): running a
 * phase again is never wrong. O(list + leg).
 */
function unchangedOfLeg(
  text: string | undefined,
  leg: readonly string[]
): Set<string> {
  if (text === undefined) return new Set()
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch {
    data = undefined
  }
  if (!Array.isArray(data) || !data.every(id => typeof id === 'string')) {
    core.warning(
      `Input '${ExecInputs.unchanged}' is not a JSON array of phase ids (the plan step's unchanged output), got '${text.slice(0, 60)}'; every phase of the leg runs.`
    )
    return new Set()
  }
  const unchanged = new Set(data)
  return new Set(leg.filter(id => unchanged.has(id)))
}

/** The outputs of the leg's phases that succeeded and wrote some, by id. */
function legOutputs(analysis: PlanAnalysis, ran: LegRun): OutputsById {
  return Object.fromEntries(
    [...ran].flatMap(([index, phase]) =>
      phase.status === 'succeeded' && phase.outputs !== undefined
        ? [[at(analysis.plan.phases, index).id, phase.outputs] as const]
        : []
    )
  )
}

/** How the leg's phases run, for its first log line. */
function atOnce(concurrency: number, phases: number): string {
  return concurrency === 1 || phases === 1
    ? 'one after another'
    : `up to ${Math.min(concurrency, phases)} at once (leg-concurrency ${concurrency}), each phase's log printed as one group when it ends`
}

/** The exec step: never throws; a failure is the step's (core.setFailed). */
export const run = actionStep(exec, (error, settings: ExecSettings) =>
  annotatedFailure(error, settings.run.workspace)
)
