// The reusable workflow's schedule (phases.yml): the plan job, then per round
// one matrix job whose legs start in order with at most `maxParallel` at
// once (GitHub's `max-parallel`), a settle job after the round, and the
// report job at the end. Every job waits `jobStart` for its runner. A leg
// runs its phases on `legConcurrency` cores (exec): each starts once its
// dependencies in the leg have ended, on the leg's first free core; a phase
// skipped inside its leg takes no time. A round with nothing to run is not
// a job. O(V log M) for V phases and M = max-parallel (a heap of leg slots),
// and O(n × deps) a leg of n phases (exec's pick of the next ready phase).
import { at, numberAt } from './at.js'
import { MinHeap } from './min-heap.js'

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
