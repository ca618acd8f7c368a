// The fast path of the waves mode: the plan step hands out every round of a
// green run up front (its `matrices` output), wave job k+1 takes its round
// from there while every earlier wave succeeded, and settle runs only from
// the first failure on. Here: the rounds of a green run, and the catch-up of
// a settle step whose state is older than the rounds the wave jobs ran.
// roundsRunUpFront and settleThrough are O(rounds × (phases + deps) α).
import { numberAt } from './at.js'
import type { Packing } from './packing.js'
import { isSucceeded, type Ledger } from './state.js'
import { greenRounds } from './rounds.js'
import { runningPhases, settleRound, type LegResult } from './schedule.js'
import type { PlanAnalysis } from './types.js'

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
