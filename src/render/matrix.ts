// A round as a job matrix: `{"include":[entry, …]}`, one entry per leg.
// Field names are part of the action's interface (documented in action.yml
// and the README): keep them stable. O(legs + their deps).
import type { Phase, PlanAnalysis } from '../plan/types.js'

export interface MatrixEntry {
  id: string
  /** Display name; the id when the plan gives none. */
  name: string
  /** '' when the plan gives none. */
  description: string
  /** The phase's shell command; '' when the plan gives none. */
  run: string
  /** 1-based wave. */
  wave: number
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

export function matrixEntry(
  analysis: PlanAnalysis,
  index: number
): MatrixEntry {
  const phases = analysis.plan.phases
  const phase = phases[index] as Phase
  const entry: MatrixEntry = {
    id: phase.id,
    name: phase.name ?? phase.id,
    description: phase.description ?? '',
    run: phase.run ?? '',
    wave: (analysis.waveOf[index] ?? 0) + 1,
    deps: (analysis.depsOf[index] ?? []).map(dep => (phases[dep] as Phase).id)
  }
  if (phase.runsOn !== undefined) entry['runs-on'] = phase.runsOn
  if (phase.timeoutMinutes !== undefined) {
    entry['timeout-minutes'] = phase.timeoutMinutes
  }
  return entry
}

/** The matrix of one round; `{"include":[]}` when the round is empty. */
export function renderMatrix(
  analysis: PlanAnalysis,
  round: readonly number[]
): string {
  const matrix: Matrix = {
    include: round.map(index => matrixEntry(analysis, index))
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
      .filter(index => !(analysis.plan.phases[index] as Phase).done)
      .map(index => JSON.stringify(matrixEntry(analysis, index)))
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
