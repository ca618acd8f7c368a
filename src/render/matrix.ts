// A round as a job matrix: `{"include":[entry, …]}`, one entry per leg.
// Field names are part of the action's interface (documented in action.yml
// and the README): keep them stable. O(legs + their deps).
import { timeoutWithRetries } from '../plan/types.js'
import { greenRounds } from '../plan/rounds.js'
import { packRound, type PackedLeg, type Packing } from '../plan/packing.js'
import { MATRIX_LEG_LIMIT } from '../plan/leg-record.js'
import type { PlanAnalysis } from '../plan/types.js'
import { at, numberAt } from '../plan/at.js'

interface MatrixEntry {
  id: string
  /** Display name; the id when the plan gives none. */
  name: string
  /** '' when the plan gives none. */
  description: string
  /** The phase's shell command; '' when the plan gives none. */
  run: string
  /** 1-based wave. */
  wave: number
  /** 1-based place of the leg in its round: its record's output is `leg-<leg>`. */
  leg: number
  /** Ids of the phase's dependencies. */
  deps: string[]
  /** Only when the phase sets it. */
  'runs-on'?: string | string[]
  /** Only when the phase sets it. */
  'timeout-minutes'?: number
}

export interface Matrix {
  include: MatrixEntry[]
}

function matrixEntry(
  analysis: PlanAnalysis,
  index: number,
  leg: number
): MatrixEntry {
  const phases = analysis.plan.phases
  const phase = at(phases, index)
  const entry: MatrixEntry = {
    id: phase.id,
    name: phase.name ?? phase.id,
    description: phase.description ?? '',
    run: phase.run ?? '',
    wave: numberAt(analysis.waveOf, index) + 1,
    leg,
    deps: at(analysis.depsOf, index).map(dep => at(phases, dep).id)
  }
  if (phase.runsOn !== undefined) entry['runs-on'] = phase.runsOn
  const timeout = timeoutWithRetries(phase)
  if (timeout !== undefined) entry['timeout-minutes'] = timeout
  return entry
}

/** The matrix of one round; `{"include":[]}` when the round is empty. */
export function renderMatrix(
  analysis: PlanAnalysis,
  round: readonly number[]
): string {
  const matrix: Matrix = {
    include: [...round]
      .sort((a, b) => a - b)
      .map((index, position) => matrixEntry(analysis, index, position + 1))
  }
  return JSON.stringify(matrix)
}

/**
 * The largest matrix any round of the plan can have: per wave, its
 * `legLimit` longest entries (skips and re-runs change which phases share a
 * round, never make one longer than this), as JSON. Lets the plan step
 * refuse, before any leg starts, a plan whose later rounds could not be
 * handed on. Done phases never run. O(entries · log entries).
 */
export function largestRoundMatrix(
  analysis: PlanAnalysis,
  legLimit: number
): string {
  let best: string[] = []
  let bestLength = -1
  for (const wave of analysis.waves) {
    const entries = wave
      .filter(index => !at(analysis.plan.phases, index).done)
      .map(index =>
        JSON.stringify(matrixEntry(analysis, index, MATRIX_LEG_LIMIT))
      )
      .sort((a, b) => b.length - a.length)
      .slice(0, legLimit)
    const length = entries.reduce((sum, entry) => sum + entry.length + 1, 0)
    if (length > bestLength) {
      best = entries
      bestLength = length
    }
  }
  return `{"include":[${best.join(',')}]}`
}

/** A packed leg's matrix entry: the leg's name, its wave and its phases' ids (commands stay in the plan). */
interface PackedMatrixEntry {
  /** The leg's job name, `wave 2 leg 3/40` (the workflow names the leg `${{ matrix.id }}`). */
  id: string
  /** 1-based wave. */
  wave: number
  /** 1-based place of the leg in its round: its record's output is `leg-<leg>`. */
  leg: number
  /** Ids of the leg's phases, in the order exec runs them. */
  phases: string[]
  /** Only when its phases name a runner. */
  'runs-on'?: string | string[]
  /** Sum of its phases' timeouts (and a margin), when each sets one. */
  'timeout-minutes'?: number
}

function packedEntries(
  analysis: PlanAnalysis,
  legs: readonly PackedLeg[]
): PackedMatrixEntry[] {
  const phases = analysis.plan.phases
  return legs.map((leg, position) => {
    const entry: PackedMatrixEntry = {
      id: leg.name,
      wave: leg.wave,
      leg: position + 1,
      phases: leg.phases.map(index => at(phases, index).id)
    }
    if (leg.runsOn !== undefined) entry['runs-on'] = leg.runsOn
    if (leg.timeoutMinutes !== undefined)
      entry['timeout-minutes'] = leg.timeoutMinutes
    return entry
  })
}

/**
 * The matrix of one round: packed legs when the round holds more phases
 * than `packing.maxLegs` (packing.ts), else one entry per phase, in plan
 * order (roundLegs numbers the legs the same way).
 */
export function renderRoundMatrix(
  analysis: PlanAnalysis,
  round: readonly number[],
  packing: Packing,
  number: number
): string {
  const legs = packRound(analysis, round, packing, number)
  if (legs === undefined) return renderMatrix(analysis, round)
  return JSON.stringify({ include: packedEntries(analysis, legs) })
}

/**
 * About the largest matrix a round can have with packing: each round of a
 * green run packed, or any `maxLegs` entries one per phase (a round left
 * smaller by failures is not packed), whichever is longer.
 */
export function largestPackedMatrix(
  analysis: PlanAnalysis,
  packing: Packing
): string {
  let best = largestRoundMatrix(
    analysis,
    Math.min(packing.maxLegs, MATRIX_LEG_LIMIT)
  )
  const statuses = analysis.plan.phases.map(phase =>
    phase.done ? ('done' as const) : ('pending' as const)
  )
  greenRounds(analysis, statuses, packing, 1).forEach((round, offset) => {
    const matrix = renderRoundMatrix(analysis, round, packing, offset + 1)
    if (matrix.length > best.length) best = matrix
  })
  return best
}

/** ` packed into N legs` for a packed round, else ''. */
export function packedNote(
  analysis: PlanAnalysis,
  round: readonly number[],
  packing: Packing,
  number: number
): string {
  const legs = packRound(analysis, round, packing, number)
  return legs === undefined
    ? ''
    : ` packed into ${legs.length} leg(s) of up to ${Math.max(...legs.map(leg => leg.phases.length))} phase(s), run by exec`
}
