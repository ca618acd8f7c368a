// The plan action: reads the plan and its config, reports every problem as
// an annotation, and hands out the first round as a job matrix together with
// the run state that settle carries on. Must not load @actions/github (cold
// start: bench/action.bench.ts).
import { envLimitProblems } from '../plan/env-limits.js'
import { PlanError } from '../plan/errors.js'
import { greenRounds } from '../plan/fast-path.js'
import {
  countRounds,
  handOutNext,
  initialStatuses,
  startLedger
} from '../plan/schedule.js'
import { encodeLedger, type Ledger } from '../plan/state.js'
import type {
  ParallelSettings,
  Phase,
  PlanAnalysis,
  Problem
} from '../plan/types.js'
import { parseEstimatesFile } from '../plan/estimates-file.js'
import { packingOf, roundEstimate, type Packing } from '../plan/packing.js'
import {
  largestPackedMatrix,
  largestRoundMatrix,
  packedNote,
  renderRoundMatrix
} from '../render/matrix.js'
import { renderMermaid } from '../render/mermaid.js'
import {
  renderPlanSummary,
  renderProblemsSummary
} from '../render/plan-summary.js'
import { executingBatchLine } from '../render/progress.js'
import { renderPlanText } from '../render/text.js'
import { annotateProblems } from './annotations.js'
import {
  MAX_JOB_OUTPUT_BYTES,
  MAX_MATRIX_LEGS,
  MAX_SUMMARY_BYTES,
  PlanOutputs,
  SettleOutputs
} from './constants.js'
import {
  assertOutputsFit,
  fitsOutputBudget,
  OUTPUT_MARGIN_BYTES
} from './output-budget.js'

/** Plan outputs for reading, which the reusable workflow does not forward. */
const INFORMATIONAL_OUTPUTS: readonly string[] = [
  PlanOutputs.waves,
  PlanOutputs.needs,
  PlanOutputs.mermaid
]
import type { PlanSettings } from './inputs.js'
import type { PlanFiles, PlanPorts } from './ports.js'
import * as core from './log.js'
import { actionStep } from './step.js'
import { errorCode, errorMessage } from '../error-parts.js'

/**
 * `strategy.max-parallel` for the wave jobs: always a positive whole number.
 * resolveSettings already made it 1 for `enabled: false` (unless an input
 * sets max-workers); 0 (no limit) becomes the most legs a matrix can have.
 */
export function maxWorkersOutput(parallel: ParallelSettings): number {
  return parallel.maxWorkers === 0 ? MAX_MATRIX_LEGS : parallel.maxWorkers
}

/** A problem that concerns the plan as a whole, pointed at its first line. */
function wholePlanProblem(
  file: string,
  code: Problem['code'],
  message: string
): Problem {
  return { code, severity: 'error', message, file, line: 1, column: 1 }
}

export function tooManyWavesMessage(
  rounds: number,
  waves: number,
  maxWaves: number
): string {
  const split =
    rounds === waves
      ? ''
      : ` (${waves} wave(s), split into rounds of at most ${MAX_MATRIX_LEGS} phases)`
  return (
    `The plan needs ${rounds} wave(s)${split}, but max-waves allows ${maxWaves}. ` +
    'Use the generated needs graph instead: `phase-matrix generate` writes a workflow ' +
    'with one job per phase and no limit on depth.'
  )
}

/**
 * Longest duration a ledger records per phase, for the bound below: 4 digits
 * in base 36, 19 days (a job runs at most 5 days on a self-hosted runner).
 */
const LONGEST_SECONDS = 36 ** 4 - 1

/** Why the matrices of all rounds are not handed out up front. */
type FastPathOff = 'nothing-to-run' | 're-run' | 'too-large'

/**
 * The fast path: the matrices of every round of a green run, handed out up
 * front so that no settle job runs while every wave succeeds, when they fit
 * the output budget next to `outputs`. Off on a re-run (settle passes over
 * phases that succeeded in an earlier attempt) and when nothing is to run.
 */
function fastPath(
  analysis: PlanAnalysis,
  rounds: number[][],
  attempt: number,
  outputs: Record<string, string>,
  packing: Packing | undefined
): { outputs: Record<string, string>; off?: FastPathOff } {
  const off = (reason: FastPathOff): ReturnType<typeof fastPath> => ({
    outputs: { [PlanOutputs.matrices]: '[]', [PlanOutputs.fastRounds]: '0' },
    off: reason
  })
  if (rounds.length === 0) return off('nothing-to-run')
  if (attempt > 1) return off('re-run')
  const fast = {
    [PlanOutputs.matrices]: `[${rounds.map(round => renderRoundMatrix(analysis, round, packing)).join(',')}]`,
    [PlanOutputs.fastRounds]: String(rounds.length)
  }
  return fitsOutputBudget({ ...outputs, ...fast }, INFORMATIONAL_OUTPUTS)
    ? { outputs: fast }
    : off('too-large')
}

/**
 * At least what any settle step of this run will output: its largest
 * possible round, every phase with a duration, every id in one list. So a
 * plan whose later rounds GitHub could not pass on fails here, before any
 * leg starts.
 */
function largestSettleOutputs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  packing: Packing | undefined
): Record<string, string> {
  const ids = analysis.plan.phases.map(phase => phase.id)
  return {
    [SettleOutputs.matrix]:
      packing === undefined
        ? largestRoundMatrix(analysis, MAX_MATRIX_LEGS)
        : largestPackedMatrix(analysis, packing),
    [SettleOutputs.state]: encodeLedger({
      ...ledger,
      round: ledger.statuses.length,
      wave: analysis.waves.length,
      stoppedBy: ledger.statuses.length,
      seconds: ledger.statuses.map(() => LONGEST_SECONDS)
    }),
    [SettleOutputs.hasWork]: 'false',
    [SettleOutputs.succeeded]: JSON.stringify(ids),
    [SettleOutputs.failed]: '[]',
    [SettleOutputs.skipped]: '[]',
    // Every phase with the longest duration the state can record.
    [SettleOutputs.durations]: JSON.stringify(
      Object.fromEntries(ids.map(id => [id, 99999.99]))
    )
  }
}

/**
 * The `estimates` input: phase id → minutes, by plan index, in tenths (as
 * the state keeps them). A missing file is normal on a first run (nothing
 * learned yet, e.g. an actions/cache miss): a notice. A file that cannot be
 * used, or entries that cannot, are warnings: estimates never fail a run.
 */
function readEstimates(
  analysis: PlanAnalysis,
  file: string | undefined,
  files: PlanFiles
): (number | undefined)[] | undefined {
  if (file === undefined) return undefined
  let text: string
  try {
    text = files.readText(file)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT') {
      core.notice(
        `No estimates file at ${file} yet (a first run, or a cache miss): the plan's estimate_minutes are used.`
      )
    } else {
      core.warning(
        `The estimates file ${file} cannot be read (${String(code ?? error)}): the plan's estimate_minutes are used.`
      )
    }
    return undefined
  }
  const phases = analysis.plan.phases
  const parsed = parseEstimatesFile(
    text,
    file,
    phases.map(phase => phase.id)
  )
  for (const message of [...parsed.errors, ...parsed.warnings])
    core.warning(message)
  if (parsed.estimates.size === 0) return undefined
  core.info(
    `Estimates of ${parsed.estimates.size} phase(s) from ${file} override estimate_minutes.`
  )
  return phases.map(phase => {
    const minutes = parsed.estimates.get(phase.id)
    return minutes === undefined ? undefined : roundEstimate(minutes)
  })
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

async function plan(settings: PlanSettings, ports: PlanPorts): Promise<void> {
  const { analysis, parallel, warnings } = load(settings, ports)
  const tooLong = envLimitProblems(analysis.plan)
  if (tooLong.length > 0) throw new PlanError([...tooLong, ...warnings])
  annotateProblems(warnings, settings.run.workspace)
  const phases = analysis.plan.phases
  const statuses = initialStatuses(analysis)
  const maxWorkers = maxWorkersOutput(parallel)
  const estimates = readEstimates(analysis, settings.estimatesPath, ports.files)
  const packing = settings.pack
    ? packingOf(analysis, {
        pack: true,
        maxWorkers,
        ...(estimates === undefined ? {} : { estimates })
      })
    : undefined
  // Packed: a wave is one round (packed into at most max-workers legs).
  const legLimit = packing === undefined ? MAX_MATRIX_LEGS : Infinity
  const rounds = countRounds(analysis, statuses, legLimit)
  if (settings.maxWaves > 0 && rounds > settings.maxWaves) {
    throw new PlanError([
      wholePlanProblem(
        analysis.plan.file,
        'too-many-waves',
        tooManyWavesMessage(rounds, analysis.waves.length, settings.maxWaves)
      )
    ])
  }

  const attempt = settings.run.runAttempt
  const started = startLedger(analysis, {
    digest: ports.files.digest(settings.planPath),
    planPath: settings.planPath,
    maxWorkers,
    failFast: parallel.failFast,
    attempt
  })
  const start: Ledger = { ...started }
  if (packing !== undefined) start.pack = true
  if (estimates !== undefined) start.estimates = estimates
  const { ledger, round, leftInWave } = handOutNext(analysis, start, {
    attempt,
    legLimit
  })
  const upFront = greenRounds(analysis, statuses, legLimit)

  const idOf = (index: number): string => (phases[index] as Phase).id
  const mermaid = renderMermaid(analysis)
  const needs: Record<string, string[]> = {}
  for (const phase of phases)
    needs[phase.id] = analysis.depsOf[phase.index]?.map(idOf) ?? []
  const outputs: Record<string, string> = {
    [PlanOutputs.matrix]: renderRoundMatrix(analysis, round, packing),
    [PlanOutputs.state]: encodeLedger(ledger),
    [PlanOutputs.hasWork]: round.length > 0 ? 'true' : 'false',
    [PlanOutputs.waves]: JSON.stringify(
      analysis.waves.map(wave => wave.map(idOf))
    ),
    [PlanOutputs.waveCount]: String(analysis.waves.length),
    [PlanOutputs.phaseCount]: String(phases.length),
    [PlanOutputs.maxParallelism]: String(analysis.maxParallelism),
    [PlanOutputs.maxWorkers]: String(maxWorkers),
    [PlanOutputs.failFast]: parallel.failFast ? 'true' : 'false',
    // Handed to each leg as env (PHASE_MAX_MEMORY_MB, PHASE_MAX_CPU_PERCENT).
    [PlanOutputs.maxMemoryMb]: String(
      parallel.resourceLimits?.maxMemoryMb ?? ''
    ),
    [PlanOutputs.maxCpuPercent]: String(
      parallel.resourceLimits?.maxCpuPercent ?? ''
    ),
    [PlanOutputs.needs]: JSON.stringify(needs),
    [PlanOutputs.mermaid]: mermaid
  }
  // The state names the rounds handed out up front, for settle's catch-up.
  const fastState = encodeLedger({ ...ledger, fastRounds: upFront.length })
  const fast = fastPath(
    analysis,
    upFront,
    attempt,
    { ...outputs, [PlanOutputs.state]: fastState },
    packing
  )
  if (fast.off === undefined) outputs[PlanOutputs.state] = fastState
  Object.assign(outputs, fast.outputs)
  // waves, needs and mermaid are for reading, not forwarded by phases.yml.
  const sizeWarnings = assertOutputsFit({
    step: 'plan',
    file: analysis.plan.file,
    outputs,
    informational: INFORMATIONAL_OUTPUTS
  })
  assertOutputsFit({
    step: 'settle',
    file: analysis.plan.file,
    outputs: largestSettleOutputs(analysis, ledger, packing),
    upTo: true
  })

  annotateProblems(sizeWarnings, settings.run.workspace)
  await core.group('Phase plan', async () => {
    core.info(renderPlanText(analysis, { settings: parallel }).trimEnd())
    core.info('')
    core.info(
      `Parallel execution plan: ${analysis.waves.length} batches, max parallelism: ${analysis.maxParallelism}, ${rounds} round(s) of jobs`
    )
    if (round.length === 0) {
      core.info('Nothing to run: every phase is marked done.')
    } else {
      core.info(
        executingBatchLine(
          ledger.wave + 1,
          analysis.waves.length,
          round.map(idOf),
          leftInWave,
          packedNote(analysis, round, packing)
        )
      )
    }
    const message = fastPathMessage(upFront.length, attempt, fast.off)
    if (message !== undefined) core.info(message)
    return Promise.resolve()
  })
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
  await core.appendSummary(
    settings.run,
    renderPlanSummary(analysis, {
      rounds,
      maxWorkers: parallel.maxWorkers,
      failFast: parallel.failFast,
      legLimit: MAX_MATRIX_LEGS,
      maxBytes: MAX_SUMMARY_BYTES
    })
  )
}

/** What the log says about the fast path. */
export function fastPathMessage(
  rounds: number,
  attempt: number,
  off: FastPathOff | undefined
): string | undefined {
  switch (off) {
    case undefined:
      return (
        `Fast path on: the matrices of all ${rounds} round(s) are handed out up front (output fast-rounds: ${rounds}). ` +
        'Each wave job takes its round from the plan while every earlier wave succeeded; settle jobs run only from the first failure on.'
      )
    case 're-run':
      return (
        `Fast path off (output fast-rounds: 0): this is run attempt ${attempt}, so settle runs after every wave ` +
        'and passes over the phases that succeeded in an earlier attempt.'
      )
    case 'too-large':
      return (
        `Fast path off (output fast-rounds: 0): the matrices of all ${rounds} rounds do not fit in GitHub's ` +
        `${MAX_JOB_OUTPUT_BYTES / 1024} KiB of job outputs next to the other outputs (and ${OUTPUT_MARGIN_BYTES / 1024} KiB left for yours). ` +
        'Settle runs after every wave and hands out the next round.'
      )
    case 'nothing-to-run':
      return undefined
  }
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
