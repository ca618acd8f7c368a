// The numbers people look for before merging, from the simulation with no
// runner start-up: the critical path, sequential time, and the wall time in
// waves, as a needs graph and (with max workers) on worker lanes. Present
// only when some phase has an estimate. O((V + E) log V).
import { REUSABLE_WORKFLOW_WAVES } from './rounds.js'
import { phaseDurations, withUnchanged } from './durations.js'
import { simulate } from './simulate.js'
import type { PlanAnalysis } from './types.js'

export interface EstimateFacts {
  /** Plan indices along the critical path, in execution order. */
  criticalPath: number[]
  criticalPathMinutes: number
  sequentialMinutes: number
  wavesMinutes: number
  graphMinutes: number
  /** With max workers. */
  lanesMinutes?: number
  maxWorkers: number
  /** Phases with `estimate_minutes`, and what the others count as. */
  estimatedCount: number
  fallbackMinutes: number
}

/** `unchanged` (by plan index, `--passed`): those phases take no time. */
export function estimateFacts(
  analysis: PlanAnalysis,
  maxWorkers: number,
  unchanged?: readonly boolean[]
): EstimateFacts | undefined {
  const durations = phaseDurations(analysis.plan)
  if (durations.estimatedCount === 0) return undefined
  const simulation = simulate(analysis, {
    durations:
      unchanged === undefined ? durations : withUnchanged(durations, unchanged),
    maxWorkers,
    jobStart: 0,
    failed: [],
    // As the reusable workflow runs: rounds folded into its wave jobs,
    // packed into max-workers legs, settle jobs only after a failure.
    legLimit: Infinity,
    settle: 'after-failure',
    pack: true,
    maxRounds: REUSABLE_WORKFLOW_WAVES
  })
  const facts: EstimateFacts = {
    criticalPath: simulation.criticalPath,
    criticalPathMinutes: simulation.criticalPathMinutes,
    sequentialMinutes: simulation.modes.sequential.wallMinutes,
    wavesMinutes: simulation.modes.waves.wallMinutes,
    graphMinutes: simulation.modes.graph.wallMinutes,
    maxWorkers,
    estimatedCount: durations.estimatedCount,
    fallbackMinutes: durations.fallbackMinutes
  }
  if (simulation.modes.lanes !== undefined) {
    facts.lanesMinutes = simulation.modes.lanes.wallMinutes
  }
  return facts
}
