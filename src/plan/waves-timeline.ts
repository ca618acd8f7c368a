// The reusable workflow's schedule (phases.yml): the plan job, then per round
// one matrix job whose legs start in plan order with at most `maxParallel`
// at once (GitHub's `max-parallel`), a settle job after the round, and the
// report job at the end. Every job waits `jobStart` for its runner. A round
// is the phases of one wave still to run (not done, not skipped because a
// dependency failed), at most `legLimit` legs; a wave with more is handed out
// as consecutive rounds, and a round with nothing to run is not a job.
// O(V log M) for V phases and M = max-parallel (a heap of leg slots), and
// O(log C) a phase of a packed leg on C cores (leg-concurrency).
import { MinHeap } from './min-heap.js'

export interface WavesInput {
  waves: readonly (readonly number[])[]
  minutes: readonly number[]
  done: readonly boolean[]
  /** 'failed' phases run and fail; 'skipped' ones never run. */
  outcome: readonly ('failed' | 'skipped' | undefined)[]
  /** 0: no limit. */
  maxParallel: number
  jobStart: number
  legLimit: number
  /**
   * 'every-round': a settle job after each round (phases.yml today);
   * 'after-failure': none while every round succeeded, then after each round.
   */
  settle: 'every-round' | 'after-failure'
  /**
   * Packed legs (packing.ts): a wave is one round; when it holds more
   * phases than max-parallel this gives its legs (each one job running its
   * phases one after another), else undefined (one leg per phase).
   */
  pack?: (round: readonly number[]) => number[][] | undefined
  /**
   * Phases of a packed leg at once (exec's leg-concurrency): each starts on
   * the leg's first free core, in the leg's order. Default 1.
   */
  legConcurrency?: number
}

export interface WavesTimeline {
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
  for (const wave of input.waves) {
    const legs = wave.filter(
      index => done[index] !== true && outcome[index] !== 'skipped'
    )
    const packed = legs.length > 0 ? input.pack?.(legs) : undefined
    if (input.pack !== undefined && legs.length > 0) {
      // One round for the whole wave: each job runs its phases in turn.
      const jobsOfRound = packed ?? legs.map(index => [index])
      const slots =
        input.maxParallel > 0 ? input.maxParallel : jobsOfRound.length
      const free = new MinHeap((a, b) => a < b)
      for (let slot = 0; slot < Math.min(slots, jobsOfRound.length); slot++)
        free.push(now)
      let roundEnd = now
      const coresOfLeg = Math.max(1, Math.floor(input.legConcurrency ?? 1))
      for (const job of jobsOfRound) {
        const at = free.take()
        const ready = at + jobStart
        // The leg's cores, each free from `ready` on; a phase takes the first free.
        const cores = new MinHeap((a, b) => a < b)
        for (let core = 0; core < Math.min(coresOfLeg, job.length); core++)
          cores.push(ready)
        let clock = ready
        for (const index of job) {
          const begin = cores.take()
          start[index] = begin === ready ? at : begin
          const end = begin + (minutes[index] ?? 0)
          finish[index] = end
          cores.push(end)
          clock = Math.max(clock, end)
          if (outcome[index] === 'failed') failedYet = true
        }
        free.push(clock)
        roundEnd = Math.max(roundEnd, clock)
        runnerMinutes += clock - at
        billedMinutes += Math.ceil(clock - at)
        jobs++
      }
      endRound(roundEnd)
      continue
    }
    for (let from = 0; from < legs.length; from += input.legLimit) {
      const round = legs.slice(from, from + input.legLimit)
      const slots = input.maxParallel > 0 ? input.maxParallel : round.length
      const free = new MinHeap((a, b) => a < b)
      for (let slot = 0; slot < Math.min(slots, round.length); slot++) {
        free.push(now)
      }
      let roundEnd = now
      for (const index of round) {
        const at = free.take()
        const cost = jobStart + (minutes[index] ?? 0)
        start[index] = at
        finish[index] = at + cost
        free.push(at + cost)
        roundEnd = Math.max(roundEnd, at + cost)
        runnerMinutes += cost
        billedMinutes += Math.ceil(cost)
        jobs++
        if (outcome[index] === 'failed') failedYet = true
      }
      endRound(roundEnd)
    }
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
