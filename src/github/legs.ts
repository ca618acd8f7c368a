// Finds the job of each leg of a round among the jobs of the run, by name,
// in this instance only. Settle first finds its own job (own-job.ts) and
// takes that job's caller prefix: a leg is then exactly the name
// legJobName gives (job-names.ts). Another call of the workflow, another
// workflow's `ci / test`, or a looser match (`api` is not `api-gateway`) is
// never read.
// For a name, the newest attempt counts; two jobs of one attempt under one
// name cannot be told apart and are an error, never a guess. A job without
// a conclusion yet is read again with bounded back-off and never taken as
// success. Matching is O(jobs + legs).
import type { LegResult } from '../plan/schedule.js'
import {
  callerPrefix,
  closeNames,
  JobMatchError,
  legJobName
} from './job-names.js'
import type { WorkflowJob } from './jobs.js'
import { describeHint, findOwnJob, type OwnJobHint } from './own-job.js'
import type { RunJobs } from './ports.js'

export type LegStatus = LegResult['status']

/** One leg as the jobs of the run show it; `name` is the job name looked for. */
export type LegReading =
  | {
      kind: 'settled'
      status: LegStatus
      seconds?: number
      name: string
      /** The job read (absent for a leg given up on as unknown). */
      job?: WorkflowJob
    }
  | { kind: 'pending'; name: string }
  | { kind: 'missing'; name: string; close: string[] }

/** Jobs by exact name. */
export function jobsByName(
  jobs: readonly WorkflowJob[]
): Map<string, WorkflowJob[]> {
  const byName = new Map<string, WorkflowJob[]>()
  for (const job of jobs) {
    const list = byName.get(job.name)
    if (list === undefined) byName.set(job.name, [job])
    else list.push(job)
  }
  return byName
}

/**
 * The newest job of `jobs` (all one name) among those `keep` accepts: the
 * highest attempt. Two of that attempt are an error.
 */
function newestOf(
  name: string,
  jobs: readonly WorkflowJob[],
  keep: (job: WorkflowJob) => boolean = () => true
): WorkflowJob | undefined {
  let newest: WorkflowJob | undefined
  let twin: WorkflowJob | undefined
  for (const job of jobs) {
    if (!keep(job)) continue
    if (newest === undefined || job.run_attempt > newest.run_attempt) {
      newest = job
      twin = undefined
    } else if (job.run_attempt === newest.run_attempt) {
      twin = job
    }
  }
  if (newest !== undefined && twin !== undefined) {
    throw new JobMatchError(
      `Two jobs of attempt ${newest.run_attempt} are named '${name}' (${newest.id} and ${twin.id}): cannot tell which one is this call's leg. ` +
        'Another job of the run has its name: a second call of the workflow under the same calling job name, or (without a caller) a job of the workflow named like the phase. ' +
        'Give each calling job, and each job of your own, a name no phase id has.'
    )
  }
  return newest
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

export interface ReadOptions {
  /** Only jobs of this run attempt or later belong to the round. */
  minAttempt: number
}

/** The reading of the leg of phase `id`, in the instance with caller prefix `prefix`. */
export function readLeg(
  prefix: string,
  id: string,
  byName: ReadonlyMap<string, readonly WorkflowJob[]>,
  options: ReadOptions
): LegReading {
  const name = legJobName(prefix, id)
  const job = newestOf(name, byName.get(name) ?? [])
  if (job === undefined)
    return {
      kind: 'missing',
      name,
      close: closeNames(prefix, id, byName.keys())
    }
  const status =
    job.run_attempt < options.minAttempt ? undefined : statusOfJob(job)
  // An older attempt's job, or one still running: read again later.
  if (status === undefined) return { kind: 'pending', name }
  const reading: LegReading = { kind: 'settled', status, name, job }
  const took = secondsOfJob(job)
  if (took !== undefined) reading.seconds = took
  return reading
}

/**
 * Of phases `ids`, those whose leg in this instance (caller prefix
 * `prefix`) concluded success in an attempt before `attempt`, with the time
 * the newest such job took.
 */
export function succeededBefore(
  jobs: readonly WorkflowJob[],
  attempt: number,
  prefix: string,
  ids: Iterable<string>
): Map<string, { seconds?: number }> {
  const byName = jobsByName(jobs)
  const result = new Map<string, { seconds?: number }>()
  for (const id of ids) {
    const name = legJobName(prefix, id)
    const job = newestOf(
      name,
      byName.get(name) ?? [],
      candidate =>
        candidate.run_attempt < attempt &&
        statusOfJob(candidate) === 'succeeded'
    )
    if (job === undefined) continue
    const took = secondsOfJob(job)
    result.set(id, took === undefined ? {} : { seconds: took })
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
  /** Settle's own job. */
  own: WorkflowJob
  /** Its caller prefix ('' when the workflow is not called by another). */
  prefix: string
  /** Listings made (each of ceil(jobs / 100) requests). */
  listings: number
}

export interface ReadLegsOptions extends ReadOptions {
  /** How settle finds its own job, hence its instance. */
  self: OwnJobHint
  pending?: Partial<PendingPolicy>
  sleep?: (ms: number) => Promise<void>
  now?: () => number
  log?: (message: string) => void
}

/**
 * Lists the jobs of the run, finds settle's own job and reads every leg of
 * its instance; legs without a conclusion (and an own job not listed yet)
 * are read again with growing waits until the budget is spent, then those
 * legs are 'unknown' (never success) and a still unlisted own job an error.
 */
export async function readLegs(
  api: RunJobs,
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
    const own = findOwnJob(jobs, options.self)
    const giveUp = now() + delay > deadline
    if (own === undefined) {
      if (giveUp) {
        throw new JobMatchError(
          `Settle cannot find its own job (${describeHint(options.self)}) among the ${jobs.length} job(s) of this run, ` +
            `so it cannot tell which jobs are the legs of this call of the workflow. Pass \`job-id: \${{ job.check_run_id }}\` to the settle step.`
        )
      }
      log(
        `This settle job (${describeHint(options.self)}) is not listed yet; reading again in ${delay / 1000} s.`
      )
      await sleep(delay)
      delay = Math.min(delay * 2, policy.maxDelayMs)
      continue
    }
    const prefix = callerPrefix(own.name)
    const byName = jobsByName(jobs)
    const readings = new Map<string, LegReading>()
    const pending: string[] = []
    for (const id of ids) {
      const reading = readLeg(prefix, id, byName, options)
      readings.set(id, reading)
      if (reading.kind === 'pending') pending.push(id)
    }
    const result = { readings, jobs, own, prefix, listings }
    if (pending.length === 0) return result
    if (giveUp) {
      for (const id of pending) {
        const name = legJobName(prefix, id)
        readings.set(id, { kind: 'settled', status: 'unknown', name })
      }
      log(
        `Gave up waiting after ${Math.round(policy.budgetMs / 1000)} s: no conclusion for ${pending.join(', ')}.`
      )
      return result
    }
    log(
      `${pending.length} job(s) without a conclusion yet (${pending.slice(0, 10).join(', ')}${pending.length > 10 ? ', …' : ''}); reading again in ${delay / 1000} s.`
    )
    await sleep(delay)
    delay = Math.min(delay * 2, policy.maxDelayMs)
  }
}
