// What runs next and who is skipped, and why. Pure: the ledger in, a new
// ledger out. A round is the runnable phases of one wave, at most `legLimit`
// of them (GitHub's matrix limit); a bigger wave is handed out as consecutive
// rounds. Every step is O(phases + deps).
import type { Ledger, PhaseStatus } from './state.js'
import { isFailed, isSettled, isSkipped, isSucceeded } from './state.js'
import type { Phase, PlanAnalysis } from './types.js'

/** The result of one leg of the round just run. */
export interface LegResult {
  /** Plan index of the phase. */
  index: number
  status: Extract<
    PhaseStatus,
    | 'succeeded'
    | 'failed'
    | 'cancelled'
    | 'timed-out'
    | 'unknown'
    | 'missing'
    | 'other'
  >
  seconds?: number
}

/** Where the run starts: everything pending but the phases the plan marks done. */
export function initialStatuses(analysis: PlanAnalysis): PhaseStatus[] {
  return analysis.plan.phases.map(phase =>
    phase.status === 'done' ? 'done' : 'pending'
  )
}

/** The ledger before round 1: what the plan step records for the run. */
export function startLedger(
  analysis: PlanAnalysis,
  run: Pick<
    Ledger,
    'digest' | 'planPath' | 'maxWorkers' | 'failFast' | 'attempt'
  >
): Ledger {
  const statuses = initialStatuses(analysis)
  return {
    ...run,
    round: 0,
    wave: -1,
    statuses,
    seconds: statuses.map(() => undefined)
  }
}

/**
 * Rounds the plan needs when every phase succeeds: per wave, its phases
 * still pending in chunks of `legLimit`. Failures only lower it.
 */
export function countRounds(
  analysis: PlanAnalysis,
  statuses: readonly PhaseStatus[],
  legLimit: number
): number {
  let rounds = 0
  for (const wave of analysis.waves) {
    const pending = wave.filter(index => statuses[index] === 'pending').length
    rounds += Math.ceil(pending / legLimit)
  }
  return rounds
}

/** Phases handed out in the current round, in plan order. */
export function runningPhases(ledger: Ledger): number[] {
  const running: number[] = []
  ledger.statuses.forEach((status, index) => {
    if (status === 'running') running.push(index)
  })
  return running
}

/** True when nothing runs and nothing is left to hand out. */
export function isFinished(ledger: Ledger): boolean {
  return ledger.statuses.every(isSettled)
}

/**
 * Records the results of the round just run, skips every pending phase that
 * depends (transitively) on a failure, and with fail-fast skips the rest.
 * Every running phase needs a result.
 */
export function settleRound(
  analysis: PlanAnalysis,
  ledger: Ledger,
  results: readonly LegResult[]
): Ledger {
  const statuses = [...ledger.statuses]
  const seconds = [...ledger.seconds]
  for (const result of results) {
    if (statuses[result.index] !== 'running') {
      throw new Error(
        `Result for phase #${result.index}, which is not in the current round`
      )
    }
    statuses[result.index] = result.status
    seconds[result.index] = result.seconds
  }
  const unread = statuses.findIndex(status => status === 'running')
  if (unread !== -1) {
    throw new Error(`No result for phase #${unread} of the current round`)
  }
  const next: Ledger = { ...ledger, statuses, seconds }
  skipDependentsOfFailures(analysis, statuses)
  if (next.failFast && next.stoppedBy === undefined) {
    const firstFailure = results
      .filter(result => isFailed(result.status))
      .reduce<number | undefined>(
        (first, result) =>
          first === undefined || result.index < first ? result.index : first,
        undefined
      )
    if (firstFailure !== undefined) next.stoppedBy = firstFailure
  }
  if (next.failFast && next.stoppedBy !== undefined) {
    statuses.forEach((status, index) => {
      if (status === 'pending') statuses[index] = 'fail-fast'
    })
  }
  return next
}

/** A pending phase with a failed or skipped dependency is skipped. */
function skipDependentsOfFailures(
  analysis: PlanAnalysis,
  statuses: PhaseStatus[]
): void {
  // Waves are a topological order: a dependency is decided before its dependents.
  for (const wave of analysis.waves) {
    for (const index of wave) {
      if (statuses[index] !== 'pending') continue
      const blocked = (analysis.depsOf[index] ?? []).some(dep => {
        const status = statuses[dep] as PhaseStatus
        return isFailed(status) || isSkipped(status)
      })
      if (blocked) statuses[index] = 'skipped'
    }
  }
}

export interface HandOutOptions {
  /** The run attempt handing the round out. */
  attempt: number
  /** Most legs in one round. */
  legLimit: number
  /**
   * When a phase already succeeded in an earlier attempt of this run, how
   * long it took (`{}` when unknown); undefined when it did not.
   */
  succeededEarlier?: (index: number) => { seconds?: number } | undefined
}

export interface HandOut {
  ledger: Ledger
  /** The phases of the new round, in plan order (empty when finished). */
  round: number[]
  /** Runnable phases of the same wave left for the rounds after this one. */
  leftInWave: number
}

/**
 * The next round: the pending phases of the earliest wave that has any, at
 * most `legLimit`, passing over phases that succeeded in an earlier attempt
 * and over waves that have nothing left. Call after settleRound.
 */
export function handOutNext(
  analysis: PlanAnalysis,
  ledger: Ledger,
  options: HandOutOptions
): HandOut {
  if (runningPhases(ledger).length > 0) {
    throw new Error('The current round has not been settled yet')
  }
  const statuses = [...ledger.statuses]
  const seconds = [...ledger.seconds]
  const round: number[] = []
  let leftInWave = 0
  let wave = Math.max(ledger.wave, 0)
  for (; wave < analysis.waves.length && round.length === 0; wave++) {
    for (const index of analysis.waves[wave] ?? []) {
      if (statuses[index] !== 'pending') continue
      const earlier = options.succeededEarlier?.(index)
      if (earlier !== undefined) {
        statuses[index] = 'succeeded-earlier'
        seconds[index] = earlier.seconds
      } else if (round.length < options.legLimit) {
        statuses[index] = 'running'
        round.push(index)
      } else {
        leftInWave++
      }
    }
  }
  const next: Ledger = { ...ledger, statuses, seconds }
  if (round.length > 0) {
    next.round = ledger.round + 1
    next.wave = wave - 1
    next.attempt = options.attempt
  }
  return { ledger: next, round, leftInWave }
}

/** Why a phase ended as it did, as the report and the log say it. */
export interface SkipCause {
  /** The dependency that caused the skip. */
  dep?: number
  /** The failed phase at the root of it. */
  root?: number
}

/** For every skipped phase, the dependency that caused it and the failure behind it. O(V + E). */
export function skipCauses(
  analysis: PlanAnalysis,
  ledger: Ledger
): SkipCause[] {
  const causes: SkipCause[] = ledger.statuses.map(() => ({}))
  for (const wave of analysis.waves) {
    for (const index of wave) {
      const status = ledger.statuses[index]
      if (status === 'fail-fast') {
        causes[index] = { root: ledger.stoppedBy }
        continue
      }
      if (status !== 'skipped') continue
      const deps = analysis.depsOf[index] ?? []
      const failed = deps.find(dep =>
        isFailed(ledger.statuses[dep] as PhaseStatus)
      )
      if (failed !== undefined) {
        causes[index] = { dep: failed, root: failed }
        continue
      }
      const skipped = deps.find(dep =>
        isSkipped(ledger.statuses[dep] as PhaseStatus)
      )
      if (skipped !== undefined) {
        causes[index] = { dep: skipped, root: causes[skipped]?.root }
      }
    }
  }
  return causes
}

const FAILURE_WORDS: Partial<Record<PhaseStatus, string>> = {
  cancelled: 'was cancelled',
  'timed-out': 'timed out',
  unknown: 'conclusion unknown',
  missing: 'no job found',
  other: 'concluded neither success nor failure'
}

/** One line saying why a phase ended as it did ('' for a plain success). */
export function reasonOf(
  analysis: PlanAnalysis,
  ledger: Ledger,
  index: number,
  causes: readonly SkipCause[]
): string {
  const phases = analysis.plan.phases
  const idOf = (i: number | undefined): string =>
    i === undefined ? 'a phase' : (phases[i] as Phase).id
  const status = ledger.statuses[index] as PhaseStatus
  const cause = causes[index] ?? {}
  switch (status) {
    case 'pending':
      return 'not reached'
    case 'running':
      return 'handed out; result not read yet'
    case 'succeeded':
      return ''
    case 'done':
      return 'status: done in the plan'
    case 'succeeded-earlier':
      return 'succeeded in an earlier attempt of this run'
    case 'failed':
      return 'job concluded failure'
    case 'cancelled':
      return 'job was cancelled'
    case 'timed-out':
      return 'job timed out'
    case 'unknown':
      return 'conclusion unknown'
    case 'missing':
      return `no job named ${idOf(index)} in this run`
    case 'other':
      return 'job concluded neither success nor failure'
    case 'skipped': {
      const dep = cause.dep
      const depStatus = dep === undefined ? undefined : ledger.statuses[dep]
      if (depStatus !== undefined && isFailed(depStatus)) {
        const word = FAILURE_WORDS[depStatus]
        return `dependency ${idOf(dep)} failed${word === undefined ? '' : ` (${word})`}`
      }
      return `dependency ${idOf(dep)} skipped (${idOf(cause.root)} failed)`
    }
    case 'fail-fast':
      return `fail-fast: ${idOf(cause.root)} failed`
  }
}

export interface OutcomeLists {
  succeeded: string[]
  failed: string[]
  skipped: string[]
}

/** Ids by outcome so far, each in plan order (the settle outputs). */
export function outcomeLists(
  analysis: PlanAnalysis,
  ledger: Ledger
): OutcomeLists {
  const lists: OutcomeLists = { succeeded: [], failed: [], skipped: [] }
  ledger.statuses.forEach((status, index) => {
    const id = (analysis.plan.phases[index] as Phase).id
    if (isSucceeded(status)) lists.succeeded.push(id)
    else if (isFailed(status)) lists.failed.push(id)
    else if (isSkipped(status)) lists.skipped.push(id)
  })
  return lists
}
