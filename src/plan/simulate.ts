// The timeline of a run in each mode, from the phases' durations:
// - sequential: one phase after another on one machine (feature-prd-runner's
//   way), no job start;
// - waves: the reusable workflow (plan job, a matrix per round, settle jobs,
//   report job), see wavesTimeline below;
// - graph: the generated needs graph, every phase job starting when its own
//   dependencies end, then the gate job;
// - lanes (with max workers N): the same graph with N worker lanes
//   (listSchedule in dag-timeline.ts), then the gate job.
// Every GitHub job waits `jobStart` minutes for its runner. Failed phases run
// for their whole estimate; their transitive dependents are skipped. Also the
// plan's critical path, total work and lower bound max(critical path,
// work / N). O((V + E) log V). Below, the estimate facts drawn from it.
import { at, numberAt } from './at.js'
import { longestPath } from './graph.js'
import { dagTimeline } from './dag-timeline.js'
import { phaseDurations, withUnchanged, type Durations } from './durations.js'
import { failureClosure } from './skips.js'
import { listSchedule, type LaneSchedule } from './dag-timeline.js'
import { roundLegs, type Packing } from './packing.js'
import { MATRIX_LEG_LIMIT } from './leg-record.js'
import type { PhaseStatus } from './state.js'
import { foldRound, REUSABLE_WORKFLOW_WAVES } from './rounds.js'
import type { PlanAnalysis } from './types.js'
import { MinHeap } from './min-heap.js'

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

// The reusable workflow's schedule (phases.yml): the plan job, then per round
// one matrix job whose legs start in order with at most `maxParallel` at
// once (GitHub's `max-parallel`), a settle job after the round, and the
// report job at the end. Every job waits `jobStart` for its runner. A leg
// runs its phases on `legConcurrency` cores (exec): each starts once its
// dependencies in the leg have ended, on the leg's first free core; a phase
// skipped inside its leg takes no time. A round with nothing to run is not
// a job. O(V log M) for V phases and M = max-parallel (a heap of leg slots),
// and O(n × deps) a leg of n phases (exec's pick of the next ready phase).

export interface WavesInput {
  /** Each round's legs, each leg's phases in the order exec runs them. */
  rounds: readonly (readonly (readonly number[])[])[]
  depsOf: readonly (readonly number[])[]
  minutes: readonly number[]
  done: readonly boolean[]
  /** 'failed' phases run and fail; 'skipped' ones never run. */
  outcome: readonly ('failed' | 'skipped' | undefined)[]
  /** 0: no limit. */
  maxParallel: number
  jobStart: number
  /**
   * 'every-round': a settle job after each round;
   * 'after-failure': none while every round succeeded, then after each round.
   */
  settle: 'every-round' | 'after-failure'
  /** Phases of a leg at once (exec's leg-concurrency). Default 1. */
  legConcurrency?: number
}

interface WavesTimeline {
  start: number[]
  finish: number[]
  end: number
  jobs: number
  runnerMinutes: number
  /** Runner minutes as GitHub bills them: each job rounded up to a whole minute. */
  billedMinutes: number
  rounds: number
  settleJobs: number
}

export function wavesTimeline(input: WavesInput): WavesTimeline {
  const { minutes, done, outcome, jobStart } = input
  const count = minutes.length
  const start = new Array<number>(count).fill(0)
  const finish = new Array<number>(count).fill(0)
  // The plan job.
  let now = jobStart
  let jobs = 1
  let runnerMinutes = jobStart
  // GitHub bills each job by the minute, rounded up.
  let billedMinutes = Math.ceil(jobStart)
  let rounds = 0
  let settleJobs = 0
  let failedYet = false
  // A round ends with its last leg; a settle job follows it (after every
  // round, or from the first failure on).
  const endRound = (roundEnd: number): void => {
    rounds++
    now = roundEnd
    if (input.settle === 'every-round' || failedYet) {
      now += jobStart
      runnerMinutes += jobStart
      billedMinutes += Math.ceil(jobStart)
      jobs++
      settleJobs++
    }
  }
  const coresOfLeg = Math.max(1, Math.floor(input.legConcurrency ?? 1))
  const runs = (index: number): boolean =>
    done[index] !== true && outcome[index] !== 'skipped'
  for (const round of input.rounds) {
    const legs = round.filter(leg => leg.some(runs))
    if (legs.length === 0) continue
    const slots = input.maxParallel > 0 ? input.maxParallel : legs.length
    const free = new MinHeap((a, b) => a < b)
    for (let slot = 0; slot < Math.min(slots, legs.length); slot++)
      free.push(now)
    let roundEnd = now
    for (const leg of legs) {
      const opens = free.take()
      const ready = opens + jobStart
      // The leg's cores, each free from `ready` on; a phase takes the first free.
      const cores = new MinHeap((a, b) => a < b)
      for (let core = 0; core < Math.min(coresOfLeg, leg.length); core++)
        cores.push(ready)
      const inLeg = new Set(leg)
      const waiting = leg.filter(runs)
      const scheduled = new Set<number>()
      let clock = ready
      while (waiting.length > 0) {
        // As exec: the first phase in the leg's order whose dependencies
        // in the leg have ended, on the first free core.
        const core = cores.take()
        let pick = -1
        let pickReady = Infinity
        waiting.forEach((index, position) => {
          let after = ready
          for (const dep of at(input.depsOf, index)) {
            if (!inLeg.has(dep) || !runs(dep)) continue
            if (!scheduled.has(dep)) return
            after = Math.max(after, numberAt(finish, dep))
          }
          const begins = Math.max(after, core)
          if (begins < pickReady) {
            pick = position
            pickReady = begins
          }
        })
        const [index = 0] = waiting.splice(pick, 1)
        scheduled.add(index)
        start[index] = pickReady === ready ? opens : pickReady
        const end = pickReady + numberAt(minutes, index)
        finish[index] = end
        cores.push(end)
        clock = Math.max(clock, end)
        if (outcome[index] === 'failed') failedYet = true
      }
      free.push(clock)
      roundEnd = Math.max(roundEnd, clock)
      runnerMinutes += clock - opens
      billedMinutes += Math.ceil(clock - opens)
      jobs++
    }
    endRound(roundEnd)
  }
  // Done and skipped phases end when the round before them did: at `now`
  // of their wave is close enough for a timeline; they take no time.
  for (let index = 0; index < count; index++) {
    if (done[index] === true || outcome[index] === 'skipped') {
      start[index] = 0
      finish[index] = 0
    }
  }
  // The report job.
  now += jobStart
  runnerMinutes += jobStart
  billedMinutes += Math.ceil(jobStart)
  jobs++
  return {
    start,
    finish,
    end: now,
    jobs,
    runnerMinutes,
    billedMinutes,
    rounds,
    settleJobs
  }
}
