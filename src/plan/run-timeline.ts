// What really happened in a run, from the jobs' timestamps: for each phase
// that ran, when its job was queued, when it started (after the wait for a
// runner) and when it ended; in a packed leg its phases run one after
// another from the leg's start, each for the seconds recorded for it. Then
// the critical path as it happened (from the phase that ended last, back
// through the dependency that ended last before each phase), the time
// between waves, the wall time, and the durations to learn from. Pure.
// O(phases + deps).
import { at, numberAt } from './at.js'
import { longestPath } from './graph.js'
import type { PhaseStatus, Ledger } from './state.js'
import type { PlanAnalysis } from './types.js'

/** A job's timestamps as the jobs API lists them (ISO strings or null). */
interface JobTimes {
  created_at?: string | null
  started_at: string | null
  completed_at: string | null
}

/** One job of the run and the phases it ran, in order. */
export interface RanJob {
  job: JobTimes
  phases: number[]
}

interface PhaseTime {
  /** Epoch ms: job queued, phase started, phase ended. */
  queued: number
  start: number
  end: number
}

export interface RunTimeline {
  /** By plan index; undefined for a phase with no job or no times. */
  times: (PhaseTime | undefined)[]
  /** Earliest queued, latest end (epoch ms); 0 when nothing ran. */
  begin: number
  end: number
  /** The chain that decided the end, in execution order. */
  criticalPath: number[]
  /** Between the last end of wave k and the first queue of wave k+1, per k (ms; undefined when either is unknown). */
  betweenWaves: (number | undefined)[]
}

function ms(iso: string | null | undefined): number | undefined {
  if (iso === null || iso === undefined) return undefined
  const value = Date.parse(iso)
  return Number.isFinite(value) ? value : undefined
}

/** Phase times from the jobs that ran them. */
export function runTimeline(
  analysis: PlanAnalysis,
  ledger: Ledger,
  jobs: readonly RanJob[]
): RunTimeline {
  const count = analysis.plan.phases.length
  const times: (PhaseTime | undefined)[] = new Array<PhaseTime | undefined>(
    count
  ).fill(undefined)
  for (const { job, phases } of jobs) {
    const start = ms(job.started_at)
    const end = ms(job.completed_at)
    if (start === undefined || end === undefined || end < start) continue
    const queued = Math.min(ms(job.created_at) ?? start, start)
    if (phases.length === 1) {
      times[numberAt(phases, 0)] = { queued, start, end }
      continue
    }
    // One after another; phases without a recorded duration share the rest.
    const known = phases.map(index => ledger.seconds[index])
    const knownMs = known.reduce<number>((sum, s) => sum + (s ?? 0) * 1000, 0)
    const unknownCount = known.filter(s => s === undefined).length
    const share =
      unknownCount > 0 ? Math.max(0, end - start - knownMs) / unknownCount : 0
    let clock = start
    for (const [at, index] of phases.entries()) {
      const took = known[at] === undefined ? share : known[at] * 1000
      const phaseEnd = Math.min(end, clock + took)
      times[index] = { queued, start: clock, end: phaseEnd }
      clock = phaseEnd
    }
  }
  let begin = Infinity
  let last = -Infinity
  let lastPhase = -1
  times.forEach((time, index) => {
    if (time === undefined) return
    begin = Math.min(begin, time.queued)
    if (time.end > last) {
      last = time.end
      lastPhase = index
    }
  })
  const criticalPath: number[] = []
  for (let phase = lastPhase; phase !== -1;) {
    criticalPath.push(phase)
    let gate = -1
    let gateEnd = -Infinity
    for (const dep of at(analysis.depsOf, phase)) {
      const end = times[dep]?.end
      if (end !== undefined && end > gateEnd) {
        gate = dep
        gateEnd = end
      }
    }
    phase = gate
  }
  criticalPath.reverse()
  const betweenWaves: (number | undefined)[] = []
  for (let wave = 0; wave + 1 < analysis.waves.length; wave++) {
    const ends = at(analysis.waves, wave)
      .map(index => times[index]?.end)
      .filter((t): t is number => t !== undefined)
    const queues = at(analysis.waves, wave + 1)
      .map(index => times[index]?.queued)
      .filter((t): t is number => t !== undefined)
    betweenWaves.push(
      ends.length > 0 && queues.length > 0
        ? Math.max(0, Math.min(...queues) - Math.max(...ends))
        : undefined
    )
  }
  return {
    times,
    begin: Number.isFinite(begin) ? begin : 0,
    end: Number.isFinite(last) ? last : 0,
    criticalPath,
    betweenWaves
  }
}

/** Statuses whose recorded time is a real duration of the phase's work. */
const LEARNED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'succeeded',
  'failed'
])

/**
 * The `durations` output: phase id → minutes (two decimals) for each phase
 * that ran to an end in this run (succeeded or failed; a timed-out or
 * cancelled phase's time says nothing about its length), in plan order.
 * The shape of an estimates file (`simulate --estimates`, input `estimates`).
 */
export function learnedDurations(
  analysis: PlanAnalysis,
  ledger: Ledger
): Record<string, number> {
  // fromEntries: an id like `__proto__` is an own key like any other.
  const entries: [string, number][] = []
  analysis.plan.phases.forEach((phase, index) => {
    const seconds = ledger.seconds[index]
    const status = ledger.statuses[index]
    if (seconds === undefined || status === undefined || !LEARNED.has(status))
      return
    entries.push([phase.id, Math.round((seconds / 60) * 100) / 100])
  })
  return Object.fromEntries(entries)
}

/** The plan's lower bound: max(critical path, work / workers) by the estimates used. */
export function lowerBoundMinutes(
  analysis: PlanAnalysis,
  minutes: readonly number[],
  maxWorkers: number
): number {
  const critical = longestPath(analysis.waves.flat(), analysis.depsOf, node =>
    numberAt(minutes, node)
  ).weight
  const work = minutes.reduce((sum, m) => sum + m, 0)
  return maxWorkers > 0 ? Math.max(critical, work / maxWorkers) : critical
}
