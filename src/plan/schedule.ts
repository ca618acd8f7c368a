// What runs next and who is skipped, and the fast path through rounds that
// ran up front (at the end). Pure: the ledger in, a new ledger out (why a
// phase was skipped: skips.ts). A round is what rounds.ts
// folds from the pending phases: the ready ones and chains above them, cut
// into legs by packing.ts. Every step is O((phases + deps) α(phases)).
import { at, numberAt } from './at.js'
import type { Packing } from './packing.js'
import {
  attemptsOf,
  type LegStatus,
  type PhaseStatus,
  isFailed,
  isSettled,
  isSkipped,
  isSucceeded,
  type Ledger
} from './state.js'
import { foldRound, greenRounds } from './rounds.js'
import type { PlanAnalysis } from './types.js'

/** The result of one phase of the round just run. */
export interface LegResult {
  /** Plan index of the phase. */
  index: number
  /** 'skipped': its leg skipped it, because a dependency in the leg failed. */
  status: LegStatus | 'skipped'
  seconds?: number
  /** Runs it took when more than 1 (retries). */
  attempts?: number
}

/**
 * Where the run starts: everything pending but the phases the plan marks
 * done and those a store of passed phases makes unchanged (by plan index,
 * input-hash.ts).
 */
export function initialStatuses(
  analysis: PlanAnalysis,
  unchanged: readonly boolean[] = []
): PhaseStatus[] {
  return analysis.plan.phases.map((phase, index) =>
    phase.done ? 'done' : unchanged[index] === true ? 'unchanged' : 'pending'
  )
}

/** The ledger before round 1: what the plan step records for the run. */
export function startLedger(
  analysis: PlanAnalysis,
  run: Pick<
    Ledger,
    'digest' | 'planPath' | 'maxWorkers' | 'failFast' | 'attempt'
  >,
  statuses: PhaseStatus[] = initialStatuses(analysis)
): Ledger {
  return {
    ...run,
    round: 0,
    wave: -1,
    statuses,
    seconds: statuses.map(() => undefined)
  }
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
  const attempts = [...(ledger.attempts ?? statuses.map(() => undefined))]
  for (const result of results) {
    if (statuses[result.index] !== 'running') {
      throw new Error(
        `Result for phase #${result.index}, which is not in the current round`
      )
    }
    statuses[result.index] = result.status
    seconds[result.index] = result.seconds
    attempts[result.index] = result.attempts
  }
  const unread = statuses.findIndex(status => status === 'running')
  if (unread !== -1) {
    throw new Error(`No result for phase #${unread} of the current round`)
  }
  const next: Ledger = { ...ledger, statuses, seconds }
  if (attempts.some(tries => tries !== undefined)) next.attempts = attempts
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
      const blocked = at(analysis.depsOf, index).some(dep => {
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

interface HandOutOptions {
  /** The run attempt handing the round out. */
  attempt: number
  /** How rounds are folded and packed (packing.ts). */
  packing: Packing
  /**
   * When a phase already succeeded in an earlier attempt of this run, how
   * long it took (`{}` when unknown); undefined when it did not.
   */
  succeededEarlier?: (index: number) => { seconds?: number } | undefined
}

interface HandOut {
  ledger: Ledger
  /** The phases of the new round, in plan order (empty when finished). */
  round: number[]
}

/**
 * The next round (rounds.ts), passing over phases that succeeded in an
 * earlier attempt. Call after settleRound.
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
  // Dependency order: passing over a phase may make its dependents ready.
  // A phase is passed over once everything below it succeeded, through
  // done phases too.
  if (options.succeededEarlier !== undefined) {
    const open = new Uint8Array(statuses.length)
    for (const index of analysis.waves.flat()) {
      const status = at(statuses, index)
      const blocked = at(analysis.depsOf, index).some(dep => open[dep] === 1)
      const earlier =
        status === 'pending' && !blocked
          ? options.succeededEarlier(index)
          : undefined
      if (earlier !== undefined) {
        statuses[index] = 'succeeded-earlier'
        seconds[index] = earlier.seconds
      } else if (!isSucceeded(status) || (status === 'done' && blocked)) {
        open[index] = 1
      }
    }
  }
  const round = foldRound(
    analysis,
    statuses,
    options.packing.maxRounds - ledger.round,
    options.packing
  )
  const next: Ledger = { ...ledger, statuses, seconds }
  if (round.length > 0) {
    const roundOf = [...(ledger.roundOf ?? statuses.map(() => undefined))]
    for (const index of round) {
      statuses[index] = 'running'
      roundOf[index] = ledger.round + 1
    }
    next.round = ledger.round + 1
    next.wave = Math.min(
      ...round.map(index => numberAt(analysis.waveOf, index))
    )
    next.attempt = options.attempt
    next.roundOf = roundOf
  }
  return { ledger: next, round }
}

interface OutcomeLists {
  /** Ran (or done) and succeeded; unchanged phases are in `unchanged`. */
  succeeded: string[]
  unchanged: string[]
  failed: string[]
  skipped: string[]
  /** Succeeded after more than one attempt (retries). */
  flaky: string[]
}

/** Whether the phase succeeded after a retry. */
function isFlaky(ledger: Ledger, index: number): boolean {
  const status = ledger.statuses[index]
  return (
    status !== undefined &&
    isSucceeded(status) &&
    // Sparse: a phase that ran once has no entry (1 attempt).
    attemptsOf(ledger, index) > 1
  )
}

/** Ids by outcome so far, each in plan order (the settle outputs). */
export function outcomeLists(
  analysis: PlanAnalysis,
  ledger: Ledger
): OutcomeLists {
  const lists: OutcomeLists = {
    succeeded: [],
    unchanged: [],
    failed: [],
    skipped: [],
    flaky: []
  }
  ledger.statuses.forEach((status, index) => {
    const id = at(analysis.plan.phases, index).id
    if (isFlaky(ledger, index)) lists.flaky.push(id)
    if (status === 'unchanged') lists.unchanged.push(id)
    else if (isSucceeded(status)) lists.succeeded.push(id)
    else if (isFailed(status)) lists.failed.push(id)
    else if (isSkipped(status)) lists.skipped.push(id)
  })
  return lists
}

// The fast path of the waves mode: the plan step hands out every round of a
// green run up front (its `matrices` output), wave job k+1 takes its round
// from there while every earlier wave succeeded, and settle runs only from
// the first failure on. Here: the rounds of a green run, and the catch-up of
// a settle step whose state is older than the rounds the wave jobs ran.
// roundsRunUpFront and settleThrough are O(rounds × (phases + deps) α).

/**
 * The rounds after the state's current one that wave jobs may have run with
 * the plan step's matrices: rounds `ledger.round + 1` up to `roundsRun`
 * (the wave jobs run so far), at most the plan's `fastRounds`. None for a
 * state without fastRounds (a settle step's, or a plan step's that handed
 * out only round 1). Their phases, each round in plan order.
 */
export function roundsRunUpFront(
  analysis: PlanAnalysis,
  ledger: Ledger,
  roundsRun: number,
  packing: Packing
): number[][] {
  if (ledger.fastRounds === undefined) return []
  const last = Math.min(roundsRun, ledger.fastRounds)
  if (last <= ledger.round) return []
  return greenRounds(analysis, ledger.statuses, packing, ledger.round).slice(
    1,
    last - ledger.round + 1
  )
}

/** No phase has failed or been skipped so far. */
function allSucceededSoFar(ledger: Ledger): boolean {
  return ledger.statuses.every(
    status => status === 'pending' || isSucceeded(status)
  )
}

interface CaughtUp {
  ledger: Ledger
  /** The rounds settled, in order: the state's running round first. */
  rounds: number[][]
  /** Offsets (in `rounds`) of rounds with a failure whose next round still ran the plan's matrix. */
  wentOnAfter: number[]
}

/**
 * Settles the running round and then up to `upFront` rounds after it that
 * the wave jobs ran with the plan's matrices, each handed out again exactly
 * as the plan did (same attempt, nothing passed over). After a round with a
 * failure it goes on only when `nextTookPlan(offset)` says the wave job
 * after it still took the plan's matrix (phases.yml skips the settle job
 * after a green wave job, and a green job's record may still not be
 * believed): those phases ran, so their records count, even for a phase
 * whose dependency has failed since. Otherwise it stops: the wave job after
 * it took its round from a settle step. The ledger comes back without
 * fastRounds: from here on settle runs after every wave. `resultOf` gives
 * the result of a phase of a settled round.
 */
export function settleThrough(
  analysis: PlanAnalysis,
  ledger: Ledger,
  upFront: number,
  resultOf: (index: number) => LegResult,
  packing: Packing,
  nextTookPlan: (offset: number) => boolean = () => false
): CaughtUp {
  const rounds: number[][] = []
  const wentOnAfter: number[] = []
  // The plan's rounds, as the wave jobs that took its matrices ran them.
  // Folded only when rounds were run up front: a settle step's own state has none.
  const planned =
    upFront > 0
      ? greenRounds(analysis, ledger.statuses, packing, ledger.round)
      : []
  let current: Ledger = { ...ledger }
  delete current.fastRounds
  for (let caughtUp = 0; ; caughtUp++) {
    const running = runningPhases(current)
    rounds.push(running)
    current = settleRound(analysis, current, running.map(resultOf))
    if (caughtUp === upFront) break
    // While every phase so far succeeded the plan's next round is what
    // handOutNext would hand out; after a failure it ran only when the
    // wave job after it still took the plan's matrix.
    const green = allSucceededSoFar(current)
    if (!green && !nextTookPlan(caughtUp)) break
    // Past the plan's last round there is nothing more to hand out.
    const next = planned[caughtUp + 1] ?? []
    if (next.length === 0) break
    if (!green) wentOnAfter.push(caughtUp)
    current = handedOutAsPlanned(analysis, current, next)
  }
  return { ledger: current, rounds, wentOnAfter }
}

/** The ledger with `phases` (one round of the plan's) running, whatever settle has said of them since. */
function handedOutAsPlanned(
  analysis: PlanAnalysis,
  ledger: Ledger,
  phases: readonly number[]
): Ledger {
  const statuses = [...ledger.statuses]
  const roundOf = [...(ledger.roundOf ?? statuses.map(() => undefined))]
  for (const index of phases) {
    statuses[index] = 'running'
    roundOf[index] = ledger.round + 1
  }
  return {
    ...ledger,
    statuses,
    roundOf,
    round: ledger.round + 1,
    wave: Math.min(...phases.map(index => numberAt(analysis.waveOf, index)))
  }
}
