// What runs next and who is skipped. Pure: the ledger in, a new ledger
// out (why a phase was skipped: skip-causes.ts). A round is the runnable phases of one wave, at most `legLimit`
// of them (GitHub's matrix limit); a bigger wave is handed out as consecutive
// rounds. Every step is O(phases + deps).
import { at } from './at.js'
import type { LegStatus, PhaseStatus } from './phase-status.js'
import { isFailed, isSettled, isSkipped, isSucceeded } from './phase-status.js'
import type { Ledger } from './state.js'
import type { PlanAnalysis } from './types.js'

/** The result of one leg of the round just run. */
export interface LegResult {
  /** Plan index of the phase. */
  index: number
  status: LegStatus
  seconds?: number
}

/** Where the run starts: everything pending but the phases the plan marks done. */
export function initialStatuses(analysis: PlanAnalysis): PhaseStatus[] {
  return analysis.plan.phases.map(phase => (phase.done ? 'done' : 'pending'))
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
    // legLimit may be Infinity (packed legs: a wave is one round).
    if (pending > 0) rounds += Math.max(1, Math.ceil(pending / legLimit))
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

/** A pending phase with a failed or skipped dependency (even through done phases) is skipped. */
function skipDependentsOfFailures(
  analysis: PlanAnalysis,
  statuses: PhaseStatus[]
): void {
  // Statuses change as we go; a skip decided here is seen by later waves.
  const phases = analysis.plan.phases
  const through = new Array<boolean>(statuses.length).fill(false)
  for (const wave of analysis.waves) {
    for (const index of wave) {
      const blocked = (analysis.depsOf[index] ?? []).some(dep => {
        const status = at(statuses, dep)
        return (
          isFailed(status) ||
          isSkipped(status) ||
          (at(phases, dep).done && through[dep] === true)
        )
      })
      if (at(phases, index).done) through[index] = blocked
      else if (blocked && statuses[index] === 'pending')
        statuses[index] = 'skipped'
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
    const id = at(analysis.plan.phases, index).id
    if (isSucceeded(status)) lists.succeeded.push(id)
    else if (isFailed(status)) lists.failed.push(id)
    else if (isSkipped(status)) lists.skipped.push(id)
  })
  return lists
}
