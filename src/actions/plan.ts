// The plan action: reads the plan and its config, reports every problem as
// an annotation, and hands out the first round as a job matrix together with
// the run state that settle carries on. Must not load @actions/github (cold
// start: bench/action.bench.ts).
import { errorMessage } from '../plan/errors.js'
import { at } from '../plan/at.js'
import { envLimitProblems } from '../plan/env-limits.js'
import { PlanError } from '../plan/errors.js'
import { passedInWords } from '../plan/passed-store.js'
import { recordBudgetProblem } from '../plan/leg-record.js'
import { packingOf, roundLegs, type Packing } from '../plan/packing.js'
import { greenRounds } from '../plan/rounds.js'
import { handOutNext, initialStatuses, startLedger } from '../plan/schedule.js'
import type { Ledger } from '../plan/state.js'
import type { ParallelSettings, PlanAnalysis, Problem } from '../plan/types.js'
import { packedNote } from '../render/matrix.js'
import {
  renderPlanSummary,
  renderProblemsSummary
} from '../render/plan-summary.js'
import { executingBatchLine } from '../render/report.js'
import { renderPlanText } from '../render/text.js'
import { annotateProblems, actionStep } from './step.js'
import { MAX_SUMMARY_BYTES } from './constants.js'
import type { PlanSettings } from './inputs.js'
import * as core from './log.js'
import {
  readEstimates,
  readPassedInput,
  type PlanUnchanged
} from './plan/past-runs.js'
import {
  fastPathMessage,
  type FastPathOff,
  maxWorkersOutput,
  planOutputs,
  type FirstRound
} from './plan/outputs.js'
import type { PlanPorts } from './ports.js'

/** A problem that concerns the plan as a whole, pointed at its first line. */
function wholePlanProblem(
  file: string,
  code: Problem['code'],
  message: string
): Problem {
  return { code, severity: 'error', message, file, line: 1, column: 1 }
}

/**
 * Rounds fold levels into legs (rounds.ts), so only a plan whose chains
 * change runner (runs-on) more often than there are wave jobs does not fit;
 * `fits`: the fewest wave jobs it would run in.
 */
function tooManyWavesMessage(
  rounds: number,
  maxWaves: number,
  fits: number | undefined
): string {
  return (
    `The plan needs ${rounds} round(s) of wave jobs, but max-waves allows ${maxWaves}: ` +
    'a round never holds a phase together with a dependency on another runner (runs-on). ' +
    (fits === undefined ? '' : `It fits in ${fits} wave job(s). `) +
    'Use the generated needs graph instead: `phase-matrix generate` writes a workflow ' +
    'with one job per phase and no limit on depth.'
  )
}

/** The fewest wave jobs above `from` in which the plan's green run fits, if any up to its levels. */
function fewestRounds(
  analysis: PlanAnalysis,
  statuses: Ledger['statuses'],
  packing: Packing,
  from: number
): number | undefined {
  for (let slots = from + 1; slots <= analysis.waves.length; slots++) {
    const needed = greenRounds(
      analysis,
      statuses,
      {
        ...packing,
        maxRounds: slots
      },
      1
    ).length
    if (needed <= slots) return slots
  }
  return undefined
}

/** Whether the legs' records fit where they travel (leg-record.ts). */
function recordsTooLarge(
  analysis: PlanAnalysis,
  green: readonly number[][],
  packing: Packing
): Problem | undefined {
  const rounds = green.map((phases, offset) => ({
    wave: offset + 1,
    legs: roundLegs(analysis, phases, packing, offset + 1).length,
    phases: phases.length
  }))
  const problem = recordBudgetProblem(rounds)
  return problem === undefined
    ? undefined
    : wholePlanProblem(analysis.plan.file, 'too-large', problem)
}

interface Loaded {
  analysis: PlanAnalysis
  parallel: ParallelSettings
  warnings: Problem[]
}

/** Plan and config read and analysed; every problem found, or a PlanError. */
function load(settings: PlanSettings, ports: PlanPorts): Loaded {
  const overrides: { maxWorkers?: number; failFast?: boolean } = {}
  if (settings.maxWorkers !== undefined)
    overrides.maxWorkers = settings.maxWorkers
  if (settings.failFast !== undefined) overrides.failFast = settings.failFast
  const loaded = ports.files.loadPlan({
    planPath: settings.planPath,
    config: { path: settings.configPath, explicit: settings.configExplicit },
    overrides
  })
  if (loaded.analysis === undefined) throw new PlanError(loaded.problems)
  return {
    analysis: loaded.analysis,
    parallel: loaded.settings,
    warnings: loaded.problems
  }
}

/** The first round and its state, as the step's settings decide them. */
function handOutFirstRound(
  analysis: PlanAnalysis,
  parallel: ParallelSettings,
  settings: PlanSettings,
  ports: PlanPorts,
  passed: PlanUnchanged
): FirstRound & { rounds: number } {
  const statuses = initialStatuses(analysis, passed.unchanged)
  const maxWorkers = maxWorkersOutput(parallel)
  const estimates = readEstimates(analysis, settings.estimatesPath, ports.files)
  const shape = {
    ...(settings.pack ? { pack: true } : {}),
    maxWorkers,
    ...(estimates === undefined ? {} : { estimates }),
    ...(settings.maxWaves > 0 ? { maxRounds: settings.maxWaves } : {}),
    ...(settings.legConcurrency === undefined
      ? {}
      : { legConcurrency: settings.legConcurrency })
  }
  const packing = packingOf(analysis, shape)
  const upFront = greenRounds(analysis, statuses, packing, 1)
  const rounds = upFront.length
  if (settings.maxWaves > 0 && rounds > settings.maxWaves) {
    throw new PlanError([
      wholePlanProblem(
        analysis.plan.file,
        'too-many-waves',
        tooManyWavesMessage(
          rounds,
          settings.maxWaves,
          fewestRounds(analysis, statuses, packing, settings.maxWaves)
        )
      )
    ])
  }
  const tooMany = recordsTooLarge(analysis, upFront, packing)
  if (tooMany !== undefined) throw new PlanError([tooMany])
  const attempt = settings.run.runAttempt
  const started = startLedger(
    analysis,
    {
      digest: ports.files.digest(settings.planPath),
      planPath: settings.planPath,
      maxWorkers,
      failFast: parallel.failFast,
      attempt
    },
    statuses
  )
  const start: Ledger = {
    ...started,
    ...shape,
    ...(passed.digest === undefined ? {} : { hashes: passed.digest })
  }
  const { ledger, round } = handOutNext(analysis, start, { attempt, packing })
  return {
    ledger,
    round,
    packing,
    upFront,
    attempt,
    maxWorkers,
    rounds
  }
}

/** The plan in the log: its waves, the first round, the fast path. */
async function logPlan(
  analysis: PlanAnalysis,
  parallel: ParallelSettings,
  first: ReturnType<typeof handOutFirstRound>,
  fastPathOff: FastPathOff | undefined,
  since: ReadonlyMap<string, string> = new Map()
): Promise<void> {
  const { ledger, round, packing } = first
  await core.group('Phase plan', async () => {
    core.info(renderPlanText(analysis, { settings: parallel }).trimEnd())
    core.info('')
    core.info(
      `Parallel execution plan: ${analysis.waves.length} batches, max parallelism: ${analysis.maxParallelism}, ${first.rounds} round(s) of jobs`
    )
    const unchanged = ledger.statuses.flatMap((status, index) =>
      status === 'unchanged' ? [at(analysis.plan.phases, index).id] : []
    )
    if (unchanged.length > 0) {
      core.info(
        `${unchanged.length} phase(s) unchanged since they passed${passedInWords(unchanged, since)} (not run, counted as succeeded): ${unchanged.join(', ')}`
      )
    }
    if (round.length === 0) {
      core.info(
        unchanged.length === 0
          ? 'Nothing to run: every phase is marked done.'
          : 'Nothing to run: every phase is marked done or unchanged since it passed.'
      )
    } else {
      core.info(
        executingBatchLine(
          ledger.round,
          first.rounds,
          round.map(index => at(analysis.plan.phases, index).id),
          packedNote(analysis, round, packing, ledger.round)
        )
      )
    }
    const message = fastPathMessage(
      first.upFront.length,
      first.attempt,
      fastPathOff
    )
    if (message !== undefined) core.info(message)
    return Promise.resolve()
  })
}

async function plan(settings: PlanSettings, ports: PlanPorts): Promise<void> {
  const { analysis, parallel, warnings } = load(settings, ports)
  const tooLong = envLimitProblems(analysis.plan)
  if (tooLong.length > 0) throw new PlanError([...tooLong, ...warnings])
  annotateProblems(warnings, settings.run.workspace)
  const passed = await readPassedInput(analysis, settings, ports)
  const first = handOutFirstRound(analysis, parallel, settings, ports, passed)
  const { outputs, fastPathOff, sizeWarnings } = planOutputs(
    analysis,
    parallel,
    first,
    passed.outputs
  )
  annotateProblems(sizeWarnings, settings.run.workspace)
  await logPlan(analysis, parallel, first, fastPathOff, passed.since)
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
  await core.appendSummary(
    settings.run,
    renderPlanSummary(analysis, {
      rounds: first.rounds,
      maxWorkers: parallel.maxWorkers,
      failFast: parallel.failFast,
      // The summary's waves are levels; a wave over 64 is not cut up.
      legLimit: Infinity,
      maxBytes: MAX_SUMMARY_BYTES,
      ...(settings.passedPath === undefined
        ? {}
        : { unchanged: passed.unchanged, since: passed.since ?? new Map() })
    })
  )
}

/**
 * The plan step's failure message; a plan that cannot run gets its
 * annotations, log and summary first.
 */
async function planFailure(
  error: unknown,
  settings: PlanSettings
): Promise<string> {
  if (!(error instanceof PlanError)) return errorMessage(error)
  try {
    annotateProblems(error.problems, settings.run.workspace)
    await core.appendSummary(
      settings.run,
      renderProblemsSummary(error.problems)
    )
  } catch (reportError) {
    return `${error.message} (reporting failed: ${errorMessage(reportError)})`
  }
  const errors = error.problems.filter(p => p.severity === 'error')
  const files = [...new Set(errors.map(p => p.file))].join(', ')
  return `Invalid phase plan: ${errors.length} error(s) in ${files}. ${error.message}`
}

/** The plan step: never throws; a failure is the step's (core.setFailed). */
export const run = actionStep(plan, planFailure)
