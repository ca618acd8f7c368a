// The timeline of a run in each mode, from the phases' durations:
// - sequential: one phase after another on one machine (feature-prd-runner's
//   way), no job start;
// - waves: the reusable workflow (plan job, a matrix per round, settle jobs,
//   report job), see waves-timeline.ts;
// - graph: the generated needs graph, every phase job starting when its own
//   dependencies end, then the gate job;
// - lanes (with max workers N): the same graph with N worker lanes
//   (list-schedule.ts), then the gate job.
// Every GitHub job waits `jobStart` minutes for its runner. Failed phases run
// for their whole estimate; their transitive dependents are skipped. Also the
// plan's critical path, total work and lower bound max(critical path,
// work / N). O((V + E) log V). Below, the estimate facts drawn from it.
import { at, numberAt } from './at.js'
import { longestPath } from './graph.js'
import { dagTimeline } from './dag-timeline.js'
import { phaseDurations, withUnchanged, type Durations } from './durations.js'
import { failureClosure } from './skips.js'
import { listSchedule, type LaneSchedule } from './list-schedule.js'
import { roundLegs, type Packing } from './packing.js'
import { MATRIX_LEG_LIMIT } from './leg-record.js'
import type { PhaseStatus } from './state.js'
import { foldRound, REUSABLE_WORKFLOW_WAVES } from './rounds.js'
import type { PlanAnalysis } from './types.js'
import { wavesTimeline } from './waves-timeline.js'

export interface ModeResult {
  wallMinutes: number
  /** Minutes of every job started, its job start included. */
  runnerMinutes: number
  /** Jobs started (our own plan, settle, report and gate jobs included). */
  jobs: number
  /** When each phase's job is queued and ends (both 0 when it never runs). */
  start: number[]
  finish: number[]
}

export interface SimulateOptions {
  durations: Durations
  /** 0: no limit (no lanes mode). */
  maxWorkers: number
  jobStart: number
  /** Plan indices of the phases that fail. */
  failed: readonly number[]
  /** Settle jobs of the waves mode (default: after every round). */
  settle?: 'every-round' | 'after-failure'
  /** The waves mode folds rounds (rounds.ts) and packs them into max-workers legs. */
  pack?: boolean
  /** Without pack: most phases of a wave in one round (a round a wave). */
  legLimit: number
  /** Phases of a packed leg at once on its runner (exec's leg-concurrency); default 1. */
  legConcurrency?: number
  /** Wave jobs of the waves mode (max-waves); rounds fold levels to fit. Default: no limit. */
  maxRounds?: number
}

export interface Simulation {
  /** Plan indices along the critical path, in execution order. */
  criticalPath: number[]
  criticalPathMinutes: number
  totalWorkMinutes: number
  lowerBoundMinutes: number
  maxWorkers: number
  jobStart: number
  /** Phases of a packed leg at once in the waves mode. */
  legConcurrency: number
  modes: {
    sequential: ModeResult
    waves: ModeResult & { rounds: number; settleJobs: number }
    graph: ModeResult
    lanes?: ModeResult & { schedule: LaneSchedule }
  }
  failed: number[]
  skipped: number[]
  outcome: ('failed' | 'skipped' | undefined)[]
}

export function simulate(
  analysis: PlanAnalysis,
  options: SimulateOptions
): Simulation {
  const { minutes, done } = options.durations
  const { depsOf, dependentsOf } = analysis
  const { jobStart, maxWorkers } = options
  const count = minutes.length
  const order = analysis.waves.flat()

  const critical = longestPath(order, depsOf, node => numberAt(minutes, node))
  const totalWorkMinutes = minutes.reduce((sum, m) => sum + m, 0)
  const lowerBoundMinutes =
    maxWorkers > 0
      ? Math.max(critical.weight, totalWorkMinutes / maxWorkers)
      : critical.weight

  const closure = failureClosure(options.failed, dependentsOf, done)
  const { outcome } = closure
  const runs = (node: number): boolean =>
    done[node] !== true && outcome[node] !== 'skipped'
  const jobCost = (node: number): number =>
    runs(node) ? jobStart + numberAt(minutes, node) : 0
  let ranCount = 0
  let ranMinutes = 0
  for (let node = 0; node < count; node++) {
    if (runs(node)) {
      ranCount++
      ranMinutes += numberAt(minutes, node)
    }
  }

  // Sequential: plan order within each wave, waves in order.
  const seqStart = new Array<number>(count).fill(0)
  const seqFinish = new Array<number>(count).fill(0)
  let clock = 0
  for (const node of order) {
    if (!runs(node)) continue
    seqStart[node] = clock
    clock += numberAt(minutes, node)
    seqFinish[node] = clock
  }
  const sequential: ModeResult = {
    wallMinutes: clock,
    runnerMinutes: clock,
    jobs: ranCount > 0 ? 1 : 0,
    start: seqStart,
    finish: seqFinish
  }

  const wavesRun = wavesTimeline({
    rounds:
      options.pack === true
        ? foldedRounds(analysis, outcome, {
            minutes,
            maxLegs: maxWorkers > 0 ? maxWorkers : MATRIX_LEG_LIMIT,
            pack: true,
            cores: options.legConcurrency ?? 1,
            maxRounds: options.maxRounds ?? Infinity
          })
        : waveRounds(analysis, options.legLimit),
    depsOf,
    minutes,
    done,
    outcome,
    maxParallel: maxWorkers,
    jobStart,
    settle: options.settle ?? 'every-round',
    legConcurrency: options.legConcurrency ?? 1
  })
  const waves = {
    wallMinutes: wavesRun.end,
    runnerMinutes: wavesRun.runnerMinutes,
    jobs: wavesRun.jobs,
    start: wavesRun.start,
    finish: wavesRun.finish,
    rounds: wavesRun.rounds,
    settleJobs: wavesRun.settleJobs
  }

  // The gate job: one more job start after the last phase job.
  const gated = (timeline: {
    start: number[]
    finish: number[]
    end: number
  }): ModeResult => ({
    wallMinutes: timeline.end + jobStart,
    runnerMinutes: ranCount * jobStart + ranMinutes + jobStart,
    jobs: ranCount + 1,
    start: timeline.start,
    finish: timeline.finish
  })
  const graph = gated(dagTimeline(depsOf, jobCost))

  const simulation: Simulation = {
    criticalPath: critical.nodes,
    criticalPathMinutes: critical.weight,
    totalWorkMinutes,
    lowerBoundMinutes,
    maxWorkers,
    jobStart,
    legConcurrency: options.legConcurrency ?? 1,
    modes: { sequential, waves, graph },
    failed: closure.failed,
    skipped: closure.skipped,
    outcome
  }
  if (maxWorkers > 0) {
    // The lanes are fixed when the workflow is generated (every phase
    // succeeding); a failure only changes what runs on them.
    const schedule = listSchedule({
      depsOf,
      dependentsOf,
      minutes,
      done,
      lanes: maxWorkers,
      jobStart
    })
    const predsOf = depsOf.map((deps, node) => {
      const previous = numberAt(schedule.lanePrevious, node)
      return previous === -1 ? deps : [...deps, previous]
    })
    simulation.modes.lanes = {
      ...gated(dagTimeline(predsOf, jobCost)),
      schedule
    }
  }
  return simulation
}

/** Rounds of one wave each, a phase a leg, at most `legLimit` legs a round (settle after every wave). */
function waveRounds(analysis: PlanAnalysis, legLimit: number): number[][][] {
  const rounds: number[][][] = []
  for (const wave of analysis.waves) {
    for (let from = 0; from < wave.length; from += legLimit) {
      rounds.push(wave.slice(from, from + legLimit).map(index => [index]))
    }
  }
  return rounds
}

/**
 * The rounds the reusable workflow hands out (rounds.ts), failures
 * included: each round's phases end as `outcome` says, and the pending
 * dependents of a failure are skipped. Each leg's phases in exec's order.
 */
function foldedRounds(
  analysis: PlanAnalysis,
  outcome: readonly ('failed' | 'skipped' | undefined)[],
  packing: Packing
): number[][][] {
  const phases = analysis.plan.phases
  const statuses: PhaseStatus[] = phases.map(phase =>
    phase.done ? 'done' : 'pending'
  )
  const order = analysis.waves.flat()
  const rounds: number[][][] = []
  for (let number = 1; ; number++) {
    const round = foldRound(
      analysis,
      statuses,
      packing.maxRounds - (number - 1),
      packing
    )
    if (round.length === 0) return rounds
    rounds.push(
      roundLegs(analysis, round, packing, number).map(leg =>
        // exec's order (leg-inputs.ts): by wave, then plan order.
        [...leg.phases].sort(
          (a, b) =>
            numberAt(analysis.waveOf, a) - numberAt(analysis.waveOf, b) || a - b
        )
      )
    )
    for (const index of round) {
      const ended = outcome[index]
      statuses[index] = ended === undefined ? 'succeeded' : ended
    }
    for (const index of order) {
      if (statuses[index] !== 'pending') continue
      const blocked = at(analysis.depsOf, index).some(dep => {
        const status = statuses[dep]
        return status === 'failed' || status === 'skipped'
      })
      if (blocked) statuses[index] = 'skipped'
    }
  }
}

// The numbers people look for before merging, from the simulation with no
// runner start-up: the critical path, sequential time, and the wall time in
// waves, as a needs graph and (with max workers) on worker lanes. Present
// only when some phase has an estimate. O((V + E) log V).

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

/**
 * The last facts asked for: the plan step shows them in its log and in its
 * job summary, and simulating the rounds of 5,000 phases takes seconds.
 */
let lastFacts:
  | {
      analysis: PlanAnalysis
      maxWorkers: number
      unchanged: readonly boolean[] | undefined
      facts: EstimateFacts | undefined
    }
  | undefined

/** `unchanged` (by plan index, `--passed`): those phases take no time. */
export function estimateFacts(
  analysis: PlanAnalysis,
  maxWorkers: number,
  unchanged?: readonly boolean[]
): EstimateFacts | undefined {
  const last = lastFacts
  if (
    last?.analysis === analysis &&
    last.maxWorkers === maxWorkers &&
    sameFlags(last.unchanged, unchanged)
  ) {
    return last.facts === undefined ? undefined : structuredClone(last.facts)
  }
  const facts = computeEstimateFacts(analysis, maxWorkers, unchanged)
  lastFacts = {
    analysis,
    maxWorkers,
    unchanged: unchanged?.slice(),
    facts: facts === undefined ? undefined : structuredClone(facts)
  }
  return facts
}

function sameFlags(
  a: readonly boolean[] | undefined,
  b: readonly boolean[] | undefined
): boolean {
  if (a === undefined || b === undefined) return a === b
  return a.length === b.length && a.every((flag, i) => flag === b[i])
}

function computeEstimateFacts(
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
