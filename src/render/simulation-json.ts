// `simulate --format json`: {"criticalPathMinutes", "totalWorkMinutes",
// "lowerBoundMinutes", "modes": {mode: {"wallMinutes", "runnerMinutes",
// "jobs"}}, "failed": [ids], "skipped": [ids]}, minutes to hundredths,
// `lanes` only with max workers. O(phases).
import type { ModeResult, Simulation } from '../plan/simulate.js'
import type { Plan } from '../plan/types.js'
import { roundMinutes } from './minutes.js'

interface ModeJson {
  wallMinutes: number
  runnerMinutes: number
  jobs: number
}

export interface SimulationJson {
  criticalPathMinutes: number
  totalWorkMinutes: number
  lowerBoundMinutes: number
  modes: Partial<Record<'sequential' | 'waves' | 'graph' | 'lanes', ModeJson>>
  failed: string[]
  skipped: string[]
  /** With `--passed`: phases unchanged since they passed (no time, no job). */
  unchanged?: string[]
  /** With `--passed`: their estimated minutes, not run. */
  unchangedMinutes?: number
  /** With `--passed`: the same run with every phase running. */
  withoutPassed?: Partial<
    Record<'sequential' | 'waves' | 'graph' | 'lanes', ModeJson>
  >
}

/** What a store of passed phases saves (`simulate --passed`). */
export interface Reuse {
  /** By plan index. */
  unchanged: readonly boolean[]
  /** Estimated minutes of the unchanged phases. */
  workMinutes: number
  /** The same run with every phase running. */
  without: Simulation
}

function modeJson(mode: ModeResult): ModeJson {
  return {
    wallMinutes: roundMinutes(mode.wallMinutes),
    runnerMinutes: roundMinutes(mode.runnerMinutes),
    jobs: mode.jobs
  }
}

function modesJson(modes: Simulation['modes']): SimulationJson['modes'] {
  const json: SimulationJson['modes'] = {
    sequential: modeJson(modes.sequential),
    waves: modeJson(modes.waves),
    graph: modeJson(modes.graph)
  }
  if (modes.lanes !== undefined) json.lanes = modeJson(modes.lanes)
  return json
}

export function renderSimulationJson(
  simulation: Simulation,
  plan: Plan,
  reuse?: Reuse
): string {
  const idOf = (index: number): string => plan.phases[index]?.id ?? ''
  const { modes } = simulation
  const json: SimulationJson = {
    criticalPathMinutes: roundMinutes(simulation.criticalPathMinutes),
    totalWorkMinutes: roundMinutes(simulation.totalWorkMinutes),
    lowerBoundMinutes: roundMinutes(simulation.lowerBoundMinutes),
    modes: {
      sequential: modeJson(modes.sequential),
      waves: modeJson(modes.waves),
      graph: modeJson(modes.graph)
    },
    failed: simulation.failed.map(idOf),
    skipped: simulation.skipped.map(idOf)
  }
  if (modes.lanes !== undefined) json.modes.lanes = modeJson(modes.lanes)
  if (reuse !== undefined) {
    json.unchanged = plan.phases
      .filter((_, index) => reuse.unchanged[index] === true)
      .map(phase => phase.id)
    json.unchangedMinutes = roundMinutes(reuse.workMinutes)
    json.withoutPassed = modesJson(reuse.without.modes)
  }
  return JSON.stringify(json, null, 2) + '\n'
}
