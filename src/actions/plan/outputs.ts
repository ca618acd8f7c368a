// The plan step's outputs: the first round's matrix and the state, what the
// plan is (waves, counts, settings, needs, Mermaid), the fast path's
// matrices when they fit; all checked against GitHub's output limit, and
// so is the largest output any settle step of this run can have, before
// any leg starts.
import { at } from '../../plan/at.js'
import type { Packing } from '../../plan/packing.js'
import { encodeLedger, type Ledger } from '../../plan/state.js'
import { maxAttempts } from '../../plan/types.js'
import type {
  ParallelSettings,
  PlanAnalysis,
  Problem
} from '../../plan/types.js'
import { largestPackedMatrix, renderRoundMatrix } from '../../render/matrix.js'
import { renderMermaid } from '../../render/mermaid.js'
import { MATRIX_LEG_LIMIT, type OutputsById } from '../../plan/leg-record.js'
import {
  INFORMATIONAL_PLAN_OUTPUTS,
  PlanOutputs,
  SettleOutputs,
  MAX_JOB_OUTPUT_BYTES
} from '../constants.js'
import {
  assertOutputsFit,
  fitsOutputBudget,
  OUTPUT_MARGIN_BYTES
} from '../output-budget.js'

/**
 * `strategy.max-parallel` for the wave jobs: always a positive whole number.
 * resolveSettings already made it 1 for `enabled: false` (unless an input
 * sets max-workers); 0 (no limit) becomes the most legs a matrix can have.
 */
export function maxWorkersOutput(parallel: ParallelSettings): number {
  return parallel.maxWorkers === 0 ? MATRIX_LEG_LIMIT : parallel.maxWorkers
}

/**
 * Longest duration a ledger records per phase, for the bound below: 4 digits
 * in base 36, 19 days (a job runs at most 5 days on a self-hosted runner).
 */
const LONGEST_SECONDS = 36 ** 4 - 1

/**
 * At least what any settle step of this run will output: its largest
 * possible round, every phase with a duration, every id in one list. So a
 * plan whose later rounds GitHub could not pass on fails here, before any
 * leg starts.
 */
function largestSettleOutputs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  packing: Packing
): Record<string, string> {
  const ids = analysis.plan.phases.map(phase => phase.id)
  return {
    [SettleOutputs.matrix]: largestPackedMatrix(analysis, packing),
    [SettleOutputs.state]: encodeLedger({
      ...ledger,
      round: ledger.statuses.length,
      wave: analysis.waves.length,
      stoppedBy: ledger.statuses.length,
      seconds: ledger.statuses.map(() => LONGEST_SECONDS),
      attempts: analysis.plan.phases.map(phase =>
        maxAttempts(phase) > 1 ? maxAttempts(phase) : undefined
      )
    }),
    [SettleOutputs.hasWork]: 'false',
    [SettleOutputs.succeeded]: JSON.stringify(ids),
    [SettleOutputs.failed]: '[]',
    [SettleOutputs.skipped]: '[]',
    // Every phase with retries may pass after one (a subset of succeeded).
    [SettleOutputs.flaky]: JSON.stringify(
      analysis.plan.phases.flatMap(phase =>
        maxAttempts(phase) > 1 ? [phase.id] : []
      )
    ),
    // Phase outputs are bounded when they are written (plan/leg-record.ts).
    [SettleOutputs.phaseOutputs]: '{}',
    [SettleOutputs.unchanged]: '[]',
    // Every phase with the longest duration the state can record.
    [SettleOutputs.durations]: JSON.stringify(
      Object.fromEntries(ids.map(id => [id, 99999.99]))
    )
  }
}

/** The first round handed out, and what decided it. */
export interface FirstRound {
  /** The state after handing it out. */
  ledger: Ledger
  round: number[]
  packing: Packing
  /** The rounds of a green run, for the fast path. */
  upFront: number[][]
  attempt: number
  /** `strategy.max-parallel` of the wave jobs (maxWorkersOutput). */
  maxWorkers: number
}

/** The plan step's outputs, the fast path's verdict, and size warnings. */
interface PlanOutputValues {
  outputs: Record<string, string>
  fastPathOff: FastPathOff | undefined
  /** Informational outputs too large to forward (a warning). */
  sizeWarnings: Problem[]
}

/** Every output of the plan step; throws the `too-large` PlanError. */
export function planOutputs(
  analysis: PlanAnalysis,
  parallel: ParallelSettings,
  first: FirstRound,
  /** The stored outputs unchanged phases hand on (readPassedInput). */
  handedOn: OutputsById = {}
): PlanOutputValues {
  const { ledger, round, packing } = first
  const phases = analysis.plan.phases
  const idOf = (index: number): string => at(phases, index).id
  const needs: Record<string, string[]> = {}
  for (const phase of phases)
    needs[phase.id] = analysis.depsOf[phase.index]?.map(idOf) ?? []
  const outputs: Record<string, string> = {
    [PlanOutputs.matrix]: renderRoundMatrix(
      analysis,
      round,
      packing,
      ledger.round
    ),
    [PlanOutputs.state]: encodeLedger(ledger),
    [PlanOutputs.hasWork]: round.length > 0 ? 'true' : 'false',
    [PlanOutputs.waves]: JSON.stringify(
      analysis.waves.map(wave => wave.map(idOf))
    ),
    [PlanOutputs.waveCount]: String(analysis.waves.length),
    [PlanOutputs.phaseCount]: String(phases.length),
    [PlanOutputs.maxParallelism]: String(analysis.maxParallelism),
    [PlanOutputs.maxWorkers]: String(first.maxWorkers),
    [PlanOutputs.failFast]: parallel.failFast ? 'true' : 'false',
    // Handed to each leg as env (PHASE_MAX_MEMORY_MB, PHASE_MAX_CPU_PERCENT).
    [PlanOutputs.maxMemoryMb]: String(
      parallel.resourceLimits?.maxMemoryMb ?? ''
    ),
    [PlanOutputs.maxCpuPercent]: String(
      parallel.resourceLimits?.maxCpuPercent ?? ''
    ),
    [PlanOutputs.needs]: JSON.stringify(needs),
    [PlanOutputs.unchanged]: JSON.stringify(
      ledger.statuses.flatMap((status, index) =>
        status === 'unchanged' ? [idOf(index)] : []
      )
    ),
    [PlanOutputs.mermaid]: renderMermaid(analysis),
    [PlanOutputs.phaseOutputs]: JSON.stringify(handedOn)
  }
  // The state names the rounds handed out up front, for settle's catch-up.
  const fastState = encodeLedger({
    ...ledger,
    fastRounds: first.upFront.length
  })
  const fast = fastPath(
    analysis,
    first.upFront,
    first.attempt,
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
    informational: INFORMATIONAL_PLAN_OUTPUTS
  })
  assertOutputsFit({
    step: 'settle',
    file: analysis.plan.file,
    outputs: largestSettleOutputs(analysis, ledger, packing),
    upTo: true
  })
  return { outputs, fastPathOff: fast.off, sizeWarnings }
}

// The plan step's fast path: the matrices of every round of a green run
// handed out up front (output `matrices`, `fast-rounds`), so that no settle
// job runs while every wave succeeds, when they fit GitHub's output limit.

/** Why the matrices of all rounds are not handed out up front. */
export type FastPathOff = 'nothing-to-run' | 're-run' | 'too-large'

/**
 * The fast path: the matrices of every round of a green run, handed out up
 * front so that no settle job runs while every wave succeeds, when they fit
 * the output budget next to `outputs`. Off on a re-run (settle runs after
 * every wave, reading the records the legs of each attempt left) and when
 * nothing is to run.
 */
function fastPath(
  analysis: PlanAnalysis,
  rounds: number[][],
  attempt: number,
  outputs: Record<string, string>,
  packing: Packing
): { outputs: Record<string, string>; off?: FastPathOff } {
  const off = (reason: FastPathOff): ReturnType<typeof fastPath> => ({
    outputs: { [PlanOutputs.matrices]: '[]', [PlanOutputs.fastRounds]: '0' },
    off: reason
  })
  if (rounds.length === 0) return off('nothing-to-run')
  if (attempt > 1) return off('re-run')
  const fast = {
    [PlanOutputs.matrices]: `[${rounds.map((round, offset) => renderRoundMatrix(analysis, round, packing, offset + 1)).join(',')}]`,
    [PlanOutputs.fastRounds]: String(rounds.length)
  }
  return fitsOutputBudget({ ...outputs, ...fast }, INFORMATIONAL_PLAN_OUTPUTS)
    ? { outputs: fast }
    : off('too-large')
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
        'and reads the records the legs of each attempt left.'
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
