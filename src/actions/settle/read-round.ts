// A settle round: reading back what ran, handing out the next round, and
// the log lines about phases.
import { at } from '../../plan/at.js'
import { UsageError } from '../../plan/errors.js'
import { roundsRunUpFront, settleThrough } from '../../plan/schedule.js'
import {
  decodeLegRecord,
  legDigest,
  legOutputName,
  splitLegOutput,
  type LegRecord,
  type RecordedStatus
} from '../../plan/leg-record.js'
import { packingOf, roundLegs, type RoundLeg } from '../../plan/packing.js'
import type { LegStatus } from '../../plan/state.js'
import {
  runningPhases,
  type LegResult,
  handOutNext
} from '../../plan/schedule.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import {
  ROUND_ENV_PREFIX,
  type SettleSettings,
  type WaveJob
} from '../inputs.js'
import * as core from '../log.js'
import { greenRounds } from '../../plan/rounds.js'
import { packedNote } from '../../render/matrix.js'
import { executingBatchLine, reasonOf, phaseLine } from '../../render/report.js'
import { skipCauses } from '../../plan/skips.js'

// Settle reading back what ran: the legs of the round just run (and, on the
// fast path, of the rounds that took the plan step's matrices after it),
// each from its record in `needs.<wave job>.outputs.leg-<n>` — no jobs API,
// no logs — settled in order until a round did not all succeed.

/** A round to read: its number, its phases and its legs. */
interface RoundToRead {
  round: number
  phases: number[]
  legs: RoundLeg[]
}

function roundsToRead(
  analysis: PlanAnalysis,
  before: Ledger,
  settings: SettleSettings
): { upFront: number; rounds: RoundToRead[] } {
  const packing = packingOf(analysis, before)
  // The fast path: wave jobs after this state's round may have taken the
  // plan step's matrices; their records are read too.
  const upFront = roundsRunUpFront(
    analysis,
    before,
    settings.roundsRun,
    packing
  )
  const rounds = [runningPhases(before), ...upFront]
    .map((phases, offset) => ({
      round: before.round + offset,
      phases,
      legs: roundLegs(analysis, phases, packing, before.round + offset)
    }))
    .filter(round => round.phases.length > 0)
  return { upFront: upFront.length, rounds }
}

const OF_RECORD: Record<RecordedStatus, LegStatus> = {
  succeeded: 'succeeded',
  failed: 'failed',
  'timed-out': 'timed-out',
  'not-run': 'cancelled',
  // Believed as a skip only where a dependency in the leg did not succeed.
  skipped: 'other'
}

/** Attempts whose records count for a round handed out in `from`. */
export interface Attempts {
  from: number
  to: number
}

/** A leg's record as settle believes it, or why it does not. */
type CheckedRecord =
  { record: LegRecord } | { status: LegStatus; problem: string }

/**
 * The record of one leg from its wave job, checked: it must be there, be
 * of this round, leg, phases and an attempt in `attempts`, and claim
 * "all succeeded" only from a job that succeeded. What a phase prints,
 * masks or writes never reaches this: exec alone writes the record.
 */
export function checkedRecord(
  analysis: PlanAnalysis,
  round: number,
  leg: RoundLeg,
  wave: WaveJob,
  attempts: Attempts
): CheckedRecord {
  const ids = leg.phases.map(index => at(analysis.plan.phases, index).id)
  const value = wave.outputs[legOutputName(leg.leg)] ?? ''
  const { jobStatus, record } = splitLegOutput(value)
  if (value === '') {
    return {
      status: wave.result === 'cancelled' ? 'cancelled' : 'missing',
      problem: `no record (its wave job ended as ${wave.result}: the leg was cancelled, crashed or never started, or the runner dropped its output because a phase masked a word in it)`
    }
  }
  if (record === '') {
    return {
      status: jobStatus === 'cancelled' ? 'cancelled' : 'missing',
      problem: `no record (its job ended as ${jobStatus} before exec wrote one)`
    }
  }
  const decoded = decodeLegRecord(record)
  if ('problem' in decoded)
    return { status: 'unknown', problem: decoded.problem }
  const got = decoded.record
  if (
    got.round !== round ||
    got.leg !== leg.leg ||
    got.digest !== legDigest(ids) ||
    got.phases.length !== ids.length
  ) {
    return {
      status: 'missing',
      problem: `its output holds the record of round ${got.round} leg ${got.leg}${got.digest === legDigest(ids) ? '' : ' with other phases'}, which counts for nothing`
    }
  }
  if (got.attempt < attempts.from || got.attempt > attempts.to) {
    return {
      status: 'missing',
      problem: `its record is of run attempt ${got.attempt}, not of attempts ${attempts.from}–${attempts.to}, and counts for nothing`
    }
  }
  const claimsSuccess = got.phases.every(phase => phase.status === 'succeeded')
  if (claimsSuccess && jobStatus !== 'success') {
    return {
      status: 'unknown',
      problem: `its record says every phase succeeded, but its job ended as ${jobStatus}`
    }
  }
  return { record: got }
}

/**
 * The results of one leg from its wave job, and what was wrong with its
 * record, if anything (said as a warning).
 */
export function legResults(
  analysis: PlanAnalysis,
  round: number,
  leg: RoundLeg,
  wave: WaveJob,
  attempts: Attempts
): { results: LegResult[]; problem?: string } {
  const checked = checkedRecord(analysis, round, leg, wave, attempts)
  if (!('record' in checked)) {
    const ids = leg.phases.map(index => at(analysis.plan.phases, index).id)
    return {
      results: leg.phases.map(index => ({ index, status: checked.status })),
      problem: `Round ${round} leg ${leg.leg} (${ids.slice(0, 3).join(', ')}${ids.length > 3 ? ', …' : ''}): ${checked.problem}; its ${ids.length} phase(s) count as failed.`
    }
  }
  const { record } = checked
  const recorded = new Map(
    leg.phases.map((index, position) => [
      index,
      at(record.phases, position).status
    ])
  )
  // exec skips a phase whose dependency in the leg did not succeed: a skip
  // the record gives any other phase counts as a failure.
  const skippedInLeg = (index: number): boolean =>
    (analysis.depsOf[index] ?? []).some(dep => {
      const status = recorded.get(dep)
      return status !== undefined && status !== 'succeeded'
    })
  return {
    results: leg.phases.map((index, position) => {
      const phase = at(record.phases, position)
      const result: LegResult = {
        index,
        status:
          phase.status === 'skipped' && skippedInLeg(index)
            ? 'skipped'
            : OF_RECORD[phase.status]
      }
      if (phase.start !== undefined && phase.end !== undefined) {
        result.seconds = Math.round((phase.end - phase.start) / 1000)
      }
      if (phase.attempts !== undefined) result.attempts = phase.attempts
      return result
    })
  }
}

/**
 * Reads the rounds run since `before` (none to read when nothing ran) and
 * settles them, in order, until one did not all succeed.
 */
export function readRounds(
  analysis: PlanAnalysis,
  before: Ledger,
  settings: SettleSettings
): Ledger {
  const { upFront, rounds } = roundsToRead(analysis, before, settings)
  if (rounds.length === 0) return before
  if (upFront > 0) {
    const first = before.round + 1
    const last = before.round + upFront
    core.info(
      `Fast path: the wave jobs of round${first === last ? ` ${first}` : `s ${first}–${last}`} took the plan step's matrices; their records are read too.`
    )
  }
  const attempts = { from: before.attempt, to: settings.run.runAttempt }
  const results = new Map<number, LegResult>()
  const problems = new Map<number, string[]>()
  for (const { round, legs } of rounds) {
    const wave = settings.waveJobs.get(round)
    if (wave === undefined) {
      throw new UsageError(
        `Settle reads round ${round} from its wave job's outputs: give the settle step ` +
          `env ${ROUND_ENV_PREFIX}${round}: \${{ toJSON(needs.<wave job of round ${round}>) }} (and list that job in needs).`
      )
    }
    const said: string[] = []
    for (const leg of legs) {
      const read = legResults(analysis, round, leg, wave, attempts)
      for (const result of read.results) results.set(result.index, result)
      if (read.problem !== undefined) said.push(read.problem)
    }
    problems.set(round, said)
    core.info(
      `Round ${round}: ${legs.length} leg(s), read from its wave job (${wave.result}).`
    )
  }
  const caught = settleThrough(
    analysis,
    before,
    upFront,
    index => {
      const result = results.get(index)
      if (result === undefined) {
        throw new RangeError(
          `no result of phase #${index}: a bug in phase-matrix`
        )
      }
      return result
    },
    packingOf(analysis, before),
    // phases.yml skips the settle job after a green wave job: the next wave
    // job then took the plan's matrix, whatever the records say.
    offset => settings.waveJobs.get(before.round + offset)?.result === 'success'
  )
  // Warn about the rounds settled only.
  for (let offset = 0; offset < caught.rounds.length; offset++) {
    const round = before.round + offset
    for (const problem of problems.get(round) ?? []) core.warning(problem)
  }
  const ledger = caught.ledger
  const [wentOn] = caught.wentOnAfter
  if (wentOn !== undefined) {
    const round = before.round + wentOn
    const last = before.round + caught.rounds.length - 1
    const later =
      last === round + 1 ? `round ${last}` : `rounds ${round + 1}–${last}`
    core.info(
      `Round ${round} did not all succeed, but its wave job succeeded: the wave jobs of ${later} took the plan's matrices, and what their phases did counts.`
    )
  }
  if (caught.rounds.length < upFront + 1) {
    core.info(
      `Round ${before.round + caught.rounds.length - 1} did not all succeed and its wave job did not succeed: the wave job after it took its round from a settle step, not from the plan.`
    )
  }
  // The phases settled, then those skipped because of them.
  const settled = caught.rounds.flat()
  const wasSettled = new Set(settled)
  const skipped = before.statuses.flatMap((status, index) =>
    status === 'pending' &&
    !wasSettled.has(index) &&
    ledger.statuses[index] !== 'pending'
      ? [index]
      : []
  )
  logPhaseStatuses(analysis, ledger, [...settled, ...skipped])
  return ledger
}

// Settle handing out the next round once the last one is settled.

/** The ledger with the next round handed out, said in the log. */
export function handOutNextRound(
  analysis: PlanAnalysis,
  ledger: Ledger,
  attempt: number
): Ledger {
  const idOf = (index: number): string => at(analysis.plan.phases, index).id
  const packing = packingOf(analysis, ledger)
  const handOut = handOutNext(analysis, ledger, { attempt, packing })
  if (handOut.round.length > 0) {
    const round = handOut.ledger.round
    // The rounds a green run has from here on, this one included.
    const rounds =
      round -
      1 +
      greenRounds(analysis, handOut.ledger.statuses, packing, round).length
    core.info(
      executingBatchLine(
        round,
        rounds,
        handOut.round.map(idOf),
        packedNote(analysis, handOut.round, packing, round)
      )
    )
  }
  return handOut.ledger
}

// The log lines settle writes about phases: each phase's status with its
// reason, for the rounds it settles and in the final report.

/** One line per phase of `indices`: its status, why (`since`: the runs unchanged phases passed in), and how long it took. */
export function logPhaseStatuses(
  analysis: PlanAnalysis,
  ledger: Ledger,
  indices: Iterable<number>,
  since?: ReadonlyMap<string, string>
): void {
  const causes = skipCauses(analysis, ledger)
  for (const index of indices) {
    core.info(
      phaseLine(
        at(analysis.plan.phases, index).id,
        at(ledger.statuses, index),
        reasonOf(analysis, ledger, index, causes, since),
        ledger.seconds[index]
      )
    )
  }
}
