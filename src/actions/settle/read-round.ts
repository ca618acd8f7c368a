// Settle reading back what ran: the legs of the round just run (and, on the
// fast path, of the rounds that took the plan step's matrices after it)
// from one listing of the jobs of this run, settled in order until a round
// did not all succeed. Packed legs give their phases' results through the
// marker in their logs.
import type { WorkflowJob } from '../../github/jobs.js'
import { legJobName } from '../../github/job-names.js'
import { readLegs, type LegReading, type LegsRead } from '../../github/legs.js'
import {
  readPackedRound,
  type PackedLegRead
} from '../../github/packed-round.js'
import type { RunJobs } from '../../github/ports.js'
import { at } from '../../plan/at.js'
import { UsageError } from '../../plan/errors.js'
import { roundsRunUpFront, settleThrough } from '../../plan/fast-path.js'
import { packingOf, packRound, type PackedLeg } from '../../plan/packing.js'
import { runningPhases, type LegResult } from '../../plan/schedule.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { MAX_MATRIX_LEGS, SettleInputs } from '../constants.js'
import type { SettleSettings } from '../inputs.js'
import * as core from '../log.js'
import type { SettlePorts } from '../ports.js'
import { logPhaseStatuses } from './phase-lines.js'

/** The jobs of the run seen by this step, to show where the time went. */
export interface SeenJobs {
  jobs: WorkflowJob[]
  prefix: string
}

/** The rounds to read: each one's phases, and its legs when packed. */
interface RoundsToRead {
  /** Rounds after this state's round that ran on the plan step's matrices. */
  upFront: number[][]
  rounds: { phases: number[]; legs: PackedLeg[] | undefined }[]
  /** The job names to read: phase ids, or packed legs' names. */
  names: string[]
  legLimit: number
}

function roundsToRead(
  analysis: PlanAnalysis,
  before: Ledger,
  settings: SettleSettings
): RoundsToRead {
  const packing = packingOf(analysis, before)
  // Packed: a wave is one round.
  const legLimit = packing === undefined ? MAX_MATRIX_LEGS : Infinity
  // The fast path: wave jobs after this state's round may have taken the
  // plan step's matrices; they are read from the same listing.
  const upFront = roundsRunUpFront(
    analysis,
    before,
    settings.roundsRun,
    legLimit
  )
  const rounds = [runningPhases(before), ...upFront]
    .filter(round => round.length > 0)
    .map(phases => ({
      phases,
      legs:
        packing === undefined
          ? undefined
          : packRound(analysis, phases, packing.minutes, packing.maxLegs)
    }))
  const names = rounds.flatMap(({ phases, legs }) =>
    legs === undefined
      ? phases.map(index => at(analysis.plan.phases, index).id)
      : legs.map(leg => leg.name)
  )
  return { upFront, rounds, names, legLimit }
}

/** The reading of `name`: readLegs reads every name it is given. */
function readingOf(
  readings: ReadonlyMap<string, LegReading>,
  name: string
): LegReading {
  const reading = readings.get(name)
  if (reading === undefined) {
    throw new RangeError(`no reading of '${name}': a bug in phase-matrix`)
  }
  return reading
}

function resultOf(id: string, index: number, reading: LegReading): LegResult {
  if (reading.kind === 'settled') {
    const result: LegResult = { index, status: reading.status }
    if (reading.seconds !== undefined) result.seconds = reading.seconds
    return result
  }
  if (reading.kind === 'missing') {
    const close =
      reading.close.length > 0
        ? ` Jobs of this call with similar names: ${reading.close.join(', ')}.`
        : ''
    core.warning(
      `No job named '${reading.name}' in this run: the leg of phase ${id} did not run or is named differently.` +
        ` Name the legs \${{ matrix.id }}.${close}`
    )
    return { index, status: 'missing' }
  }
  return { index, status: 'unknown' }
}

/** A phase's result read from its packed leg. */
interface PackedPhase {
  result: LegResult
  leg: PackedLegRead
}

/** The phases of the packed rounds: each one's result from its leg's job and log. */
async function readPacked(
  api: RunJobs,
  analysis: PlanAnalysis,
  toRead: RoundsToRead,
  readings: ReadonlyMap<string, LegReading>
): Promise<Map<number, PackedPhase>> {
  const packed = new Map<number, PackedPhase>()
  for (const { legs } of toRead.rounds) {
    if (legs === undefined) continue
    const read = await readPackedRound(api, analysis, legs, leg =>
      readingOf(readings, leg.name)
    )
    core.info(
      `Wave ${legs[0]?.wave ?? '?'} packed into ${legs.length} leg(s): read the phase results of ${read.legs.filter(leg => leg.read).length} from their logs.`
    )
    for (const leg of read.legs) {
      for (const result of leg.results)
        packed.set(result.index, { result, leg })
    }
  }
  return packed
}

/** Settles the rounds read, in order, until one did not all succeed. */
async function settleRead(
  api: RunJobs,
  analysis: PlanAnalysis,
  before: Ledger,
  toRead: RoundsToRead,
  read: LegsRead
): Promise<Ledger> {
  const packed = await readPacked(api, analysis, toRead, read.readings)
  const warned = new Set<PackedLegRead>()
  const caught = settleThrough(
    analysis,
    before,
    toRead.upFront.length,
    index => {
      const fromLeg = packed.get(index)
      if (fromLeg === undefined) {
        const id = at(analysis.plan.phases, index).id
        return resultOf(id, index, readingOf(read.readings, id))
      }
      // Warn about a leg only when its round is settled.
      if (fromLeg.leg.warning !== undefined && !warned.has(fromLeg.leg)) {
        warned.add(fromLeg.leg)
        core.warning(fromLeg.leg.warning)
      }
      return fromLeg.result
    },
    toRead.legLimit
  )
  const ledger = caught.ledger
  if (caught.rounds.length < toRead.upFront.length + 1) {
    core.info(
      `Round ${before.round + caught.rounds.length - 1} did not all succeed: the wave job after it took its round from a settle step, not from the plan.`
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

/**
 * Reads the rounds run since `before` (none to read on a first attempt: the
 * state as it is) and settles them; the jobs seen, once listed.
 */
export async function readRounds(
  analysis: PlanAnalysis,
  before: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): Promise<{ ledger: Ledger; seen?: SeenJobs }> {
  const toRead = roundsToRead(analysis, before, settings)
  const phaseCount = toRead.rounds.flatMap(round => round.phases).length
  const attempt = settings.run.runAttempt
  // A re-run lists the jobs even so: for the phases that succeeded earlier.
  if (phaseCount === 0 && attempt <= 1) return { ledger: before }
  if (settings.githubToken === '') {
    throw new UsageError(
      `Input '${SettleInputs.githubToken}' is empty. Settle reads the jobs of this run: pass \${{ github.token }} (the default) with \`permissions: actions: read\`.`
    )
  }
  const api = ports.github.runJobs({
    log: message => {
      core.info(message)
    }
  })
  const { upFront } = toRead
  const rounds =
    upFront.length === 0
      ? `round ${before.round}`
      : `rounds ${before.round}–${before.round + upFront.length}`
  return core.group(
    `Batch ${before.wave + 1}/${analysis.waves.length} (${rounds}): reading ${toRead.names.length} job(s) for ${phaseCount} phase(s)`,
    async () => {
      if (upFront.length > 0) {
        core.info(
          `Fast path: the wave jobs of rounds ${before.round + 1}–${before.round + upFront.length} took the plan step's matrices while every earlier wave succeeded; settling them in order.`
        )
      }
      const read = await readLegs(api, toRead.names, {
        minAttempt: before.attempt,
        self: {
          attempt,
          checkRunId: settings.jobId,
          runnerName: settings.run.runnerName
        },
        log: message => {
          core.info(message)
        }
      })
      core.info(
        `Listed ${read.jobs.length} job(s) of run ${settings.run.runId ?? ''} in ${api.requestCount} request(s). ` +
          `This is job ${read.own.id} '${read.own.name}' (found ${settings.jobId === undefined ? `as the job in progress on runner '${read.own.runner_name ?? ''}'` : 'by its job id'}): ` +
          `the legs of this call are named '${legJobName(read.prefix, '<phase id>')}'.`
      )
      const ledger = await settleRead(api, analysis, before, toRead, read)
      return { ledger, seen: { jobs: read.jobs, prefix: read.prefix } }
    }
  )
}
