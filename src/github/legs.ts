// Finds the job of each leg of a round among the jobs of the run, by name:
// exactly the phase id, or `<caller job> / <phase id>` inside a reusable
// workflow — never a looser match (`api` is not `api-gateway`). For each name
// the newest attempt counts (highest run_attempt, then highest id). A job
// without a conclusion yet is read again with bounded back-off and never
// taken as success. Matching is O(jobs + legs).
import { closestMatch } from '../plan/closest-id.js'
import type { LegResult } from '../plan/schedule.js'
import type { JobsApi, WorkflowJob } from './jobs.js'

export type LegStatus = LegResult['status']

/** One leg as the jobs of the run show it. */
export type LegReading =
  | { kind: 'settled'; status: LegStatus; seconds?: number; names: string[] }
  | { kind: 'pending'; names: string[] }
  | { kind: 'missing'; close: string[] }

/** For each job name, its newest job: highest run_attempt, then highest id. */
export function newestByName(
  jobs: readonly WorkflowJob[]
): Map<string, WorkflowJob> {
  const newest = new Map<string, WorkflowJob>()
  for (const job of jobs) {
    const seen = newest.get(job.name)
    if (
      seen === undefined ||
      job.run_attempt > seen.run_attempt ||
      (job.run_attempt === seen.run_attempt && job.id > seen.id)
    ) {
      newest.set(job.name, job)
    }
  }
  return newest
}

const SEPARATOR = ' / '

/** The phase id a job name stands for: the name itself, or what follows the last ' / '. */
export function phaseIdOfJobName(name: string): string {
  const at = name.lastIndexOf(SEPARATOR)
  return at === -1 ? name : name.slice(at + SEPARATOR.length)
}

/** Job names by the phase id they stand for (only exact or `… / id` matches). */
export function namesByPhaseId(names: Iterable<string>): Map<string, string[]> {
  const byId = new Map<string, string[]>()
  for (const name of names) {
    const id = phaseIdOfJobName(name)
    const list = byId.get(id)
    if (list === undefined) byId.set(id, [name])
    else list.push(name)
  }
  return byId
}

/** What a completed job's conclusion means for its phase; undefined while it has none. */
export function statusOfJob(job: WorkflowJob): LegStatus | undefined {
  if (job.status !== 'completed' || job.conclusion === null) return undefined
  switch (job.conclusion) {
    case 'success':
      return 'succeeded'
    case 'failure':
      return 'failed'
    case 'cancelled':
      return 'cancelled'
    case 'timed_out':
      return 'timed-out'
    default:
      return 'other'
  }
}

/** Whole seconds between started_at and completed_at, when both are known. */
export function secondsOfJob(job: WorkflowJob): number | undefined {
  if (job.started_at === null || job.completed_at === null) return undefined
  const ms = Date.parse(job.completed_at) - Date.parse(job.started_at)
  return Number.isFinite(ms) && ms >= 0 ? Math.round(ms / 1000) : undefined
}

const SEVERITY: Record<LegStatus, number> = {
  succeeded: 0,
  other: 1,
  unknown: 2,
  missing: 3,
  cancelled: 4,
  'timed-out': 5,
  failed: 6
}

/** Names that look like the phase id but do not match it: for "did you mean". */
export function closeNames(id: string, names: Iterable<string>): string[] {
  const all = [...names]
  const close = all.filter(name => {
    const tail = phaseIdOfJobName(name)
    return tail !== id && (tail.includes(id) || id.includes(tail))
  })
  const typo = closestMatch(
    id,
    all.map(name => phaseIdOfJobName(name)).filter(tail => tail !== id)
  )
  if (typo !== undefined) {
    for (const name of all) {
      if (phaseIdOfJobName(name) === typo && !close.includes(name))
        close.push(name)
    }
  }
  return close.slice(0, 5)
}

export interface ReadOptions {
  /** Only jobs of this run attempt or later belong to the round. */
  minAttempt: number
}

/**
 * The reading of one leg. Several names (`a / x` and `b / x` when a
 * workflow calls ours twice) give the worst of their outcomes.
 */
export function readLeg(
  id: string,
  newest: ReadonlyMap<string, WorkflowJob>,
  byId: ReadonlyMap<string, string[]>,
  options: ReadOptions
): LegReading {
  const names = byId.get(id) ?? []
  if (names.length === 0)
    return { kind: 'missing', close: closeNames(id, newest.keys()) }
  let worst: LegStatus | undefined
  let seconds: number | undefined
  for (const name of names) {
    const job = newest.get(name) as WorkflowJob
    const status =
      job.run_attempt < options.minAttempt ? undefined : statusOfJob(job)
    // An older attempt's job, or one still running: read again later.
    if (status === undefined) return { kind: 'pending', names }
    if (worst === undefined || SEVERITY[status] > SEVERITY[worst])
      worst = status
    const took = secondsOfJob(job)
    if (took !== undefined) seconds = Math.max(seconds ?? 0, took)
  }
  const reading: LegReading = {
    kind: 'settled',
    status: worst as LegStatus,
    names
  }
  if (seconds !== undefined) reading.seconds = seconds
  return reading
}

/**
 * Phase ids whose job concluded success in an attempt before `attempt`
 * (any of them), with the time the newest such job took.
 */
export function succeededBefore(
  jobs: readonly WorkflowJob[],
  attempt: number
): Map<string, { seconds?: number }> {
  const succeeded = new Map<string, { seconds?: number; job: WorkflowJob }>()
  for (const job of jobs) {
    if (job.run_attempt >= attempt || statusOfJob(job) !== 'succeeded') continue
    const id = phaseIdOfJobName(job.name)
    const seen = succeeded.get(id)
    if (seen === undefined || job.run_attempt > seen.job.run_attempt) {
      const entry: { seconds?: number; job: WorkflowJob } = { job }
      const took = secondsOfJob(job)
      if (took !== undefined) entry.seconds = took
      succeeded.set(id, entry)
    }
  }
  const result = new Map<string, { seconds?: number }>()
  for (const [id, { seconds }] of succeeded) {
    result.set(id, seconds === undefined ? {} : { seconds })
  }
  return result
}

export interface PendingPolicy {
  /** Longest total time to wait for conclusions. */
  budgetMs: number
  firstDelayMs: number
  maxDelayMs: number
}

export const DEFAULT_PENDING: PendingPolicy = {
  budgetMs: 180_000,
  firstDelayMs: 2_000,
  maxDelayMs: 30_000
}

export interface LegsRead {
  readings: Map<string, LegReading>
  /** Every job of the run from the last listing. */
  jobs: WorkflowJob[]
  /** Listings made (each of ceil(jobs / 100) requests). */
  listings: number
}

export interface ReadLegsOptions extends ReadOptions {
  pending?: Partial<PendingPolicy>
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  log?: (message: string) => void
}

/**
 * Lists the jobs of the run and reads every leg; legs without a conclusion
 * are read again with growing waits until the budget is spent, then they
 * are 'unknown' (never success).
 */
export async function readLegs(
  api: JobsApi,
  ids: readonly string[],
  options: ReadLegsOptions
): Promise<LegsRead> {
  const policy = { ...DEFAULT_PENDING, ...options.pending }
  const sleep =
    options.sleep ??
    ((ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms)))
  const now = options.now ?? Date.now
  const log = options.log ?? (() => undefined)
  const deadline = now() + policy.budgetMs
  let delay = policy.firstDelayMs
  for (let listings = 1; ; listings++) {
    const jobs = await api.listJobs()
    const newest = newestByName(jobs)
    const byId = namesByPhaseId(newest.keys())
    const readings = new Map<string, LegReading>()
    const pending: string[] = []
    for (const id of ids) {
      const reading = readLeg(id, newest, byId, options)
      readings.set(id, reading)
      if (reading.kind === 'pending') pending.push(id)
    }
    if (pending.length === 0) return { readings, jobs, listings }
    if (now() + delay > deadline) {
      for (const id of pending) {
        const names = (readings.get(id) as { names: string[] }).names
        readings.set(id, { kind: 'settled', status: 'unknown', names })
      }
      log(
        `Gave up waiting after ${Math.round(policy.budgetMs / 1000)} s: no conclusion for ${pending.join(', ')}.`
      )
      return { readings, jobs, listings }
    }
    log(
      `${pending.length} job(s) without a conclusion yet (${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ', …' : ''}); reading again in ${delay / 1000} s.`
    )
    await sleep(delay)
    delay = Math.min(delay * 2, policy.maxDelayMs)
  }
}
