// `simulate --format json`: {"criticalPathMinutes", "totalWorkMinutes",
// "lowerBoundMinutes", "modes": {mode: {"wallMinutes", "runnerMinutes",
// "jobs"}}, "failed": [ids], "skipped": [ids]}, minutes to hundredths,
// `lanes` only with max workers. O(phases).
import type { ModeResult, Simulation } from '../plan/simulate.js'
import type { Plan } from '../plan/types.js'
import { roundMinutes } from './minutes.js'

export interface ModeJson {
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
}

function modeJson(mode: ModeResult): ModeJson {
  return {
    wallMinutes: roundMinutes(mode.wallMinutes),
    runnerMinutes: roundMinutes(mode.runnerMinutes),
    jobs: mode.jobs
  }
}

export function renderSimulationJson(
  simulation: Simulation,
  plan: Plan
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
  return JSON.stringify(json, null, 2) + '\n'
}
