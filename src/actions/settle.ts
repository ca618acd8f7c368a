// The settle action, run after each round: reads the conclusion of every leg
// of the round just run from the jobs of this run, skips the dependents of
// failures, hands out the next round, and when nothing is left writes the
// report and fails the step if any phase failed or was skipped (unless
// allow-failure). On a finished state it only repeats the report and the
// verdict, without calling the API, so a final report job can call it.
import type { WorkflowJob } from '../github/jobs.js'
import type { RunJobs } from '../github/ports.js'
import {
  legJobName,
  readLegs,
  succeededBefore,
  type LegReading
} from '../github/legs.js'
import { PlanError, UsageError } from '../plan/errors.js'
import type { LegResult } from '../plan/schedule.js'
import {
  handOutNext,
  isFinished,
  outcomeLists,
  runningPhases
} from '../plan/schedule.js'
import { skipCauses } from '../plan/skip-causes.js'
import { isFailed, type PhaseStatus } from '../plan/phase-status.js'
import type { Ledger } from '../plan/state.js'
import { decodeLedger, encodeLedger } from '../plan/state.js'
import type { Phase, PlanAnalysis } from '../plan/types.js'
import { readPackedRound, type PackedLegRead } from '../github/packed-round.js'
import {
  isPacked,
  packingOf,
  packRound,
  type PackedLeg,
  type Packing
} from '../plan/packing.js'
import {
  learnedDurations,
  lowerBoundMinutes,
  runTimeline,
  type RanJob
} from '../plan/run-timeline.js'
import { packedNote, renderRoundMatrix } from '../render/matrix.js'
import { renderRunGantt } from '../render/run-gantt.js'
import { roundsRunUpFront, settleThrough } from '../plan/fast-path.js'
import {
  executingBatchLine,
  phaseLine,
  succeededEarlierLine
} from '../render/progress.js'
import { reasonOf } from '../render/phase-reason.js'
import { formatTally, renderReport, tally } from '../render/report.js'
import { failStep } from './annotations.js'
import {
  MAX_MATRIX_LEGS,
  MAX_SUMMARY_BYTES,
  SettleInputs,
  SettleOutputs
} from './constants.js'
import { assertOutputsFit } from './output-budget.js'
import type { SettleSettings } from './inputs.js'
import type { SettlePorts } from './ports.js'
import * as core from './log.js'

/** The plan the state was made from, re-read from the checkout and verified. */
function loadPlanOfState(
  ledger: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): PlanAnalysis {
  const file = ledger.planPath
  let digest: string
  try {
    digest = ports.files.digest(file)
  } catch {
    throw new UsageError(
      `The plan file '${file}' that the plan step read is not in this job's workspace (${settings.run.cwd}). ` +
        'Check out the repository (actions/checkout, same ref) before the settle step: settle re-reads the plan.'
    )
  }
  if (digest !== ledger.digest) {
    throw new UsageError(
      `The plan changed since the plan step: '${file}' now has digest ${digest}, the state was made from ${ledger.digest}. ` +
        'Settle must read the same plan as the plan step: check out the same commit and do not edit the plan between them.'
    )
  }
  const loaded = ports.files.loadPlan({ planPath: file })
  if (loaded.analysis === undefined) throw new PlanError(loaded.problems)
  const analysis = loaded.analysis
  if (analysis.plan.phases.length !== ledger.statuses.length) {
    throw new UsageError(
      `Input 'state' holds ${ledger.statuses.length} phase(s) but '${file}' has ${analysis.plan.phases.length}. ` +
        "Pass the 'state' output of this run's plan step or previous settle step."
    )
  }
  return analysis
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

function logStatus(
  analysis: PlanAnalysis,
  ledger: Ledger,
  index: number,
  reason: string
): void {
  core.info(
    phaseLine(
      (analysis.plan.phases[index] as Phase).id,
      ledger.statuses[index] as PhaseStatus,
      reason,
      ledger.seconds[index]
    )
  )
}

/** Reads the round just run and hands out the next one. */
async function advance(
  analysis: PlanAnalysis,
  before: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): Promise<{ ledger: Ledger; seen: SeenJobs | undefined }> {
  const phases = analysis.plan.phases
  const idOf = (index: number): string => (phases[index] as Phase).id
  const attempt = settings.run.runAttempt
  const running = runningPhases(before)
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
  const toRead = [...running, ...upFront.flat()]
  // Each round to read, and its legs when it is packed.
  const roundsToRead = [running, ...upFront].filter(round => round.length > 0)
  const legsOf = roundsToRead.map(round =>
    packing === undefined
      ? undefined
      : packRound(analysis, round, packing.minutes, packing.maxLegs)
  )
  const names = roundsToRead.flatMap((round, at) => {
    const legs = legsOf[at]
    return legs === undefined ? round.map(idOf) : legs.map(leg => leg.name)
  })
  let jobs: WorkflowJob[] = []
  let prefix = ''
  // Set inside the log group's callback.
  const listing: { seen?: SeenJobs } = {}
  let ledger = before

  if (toRead.length > 0 || attempt > 1) {
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
    const rounds =
      upFront.length === 0
        ? `round ${before.round}`
        : `rounds ${before.round}–${before.round + upFront.length}`
    await core.group(
      `Batch ${before.wave + 1}/${analysis.waves.length} (${rounds}): reading ${names.length} job(s) for ${toRead.length} phase(s)`,
      async () => {
        if (upFront.length > 0) {
          core.info(
            `Fast path: the wave jobs of rounds ${before.round + 1}–${before.round + upFront.length} took the plan step's matrices while every earlier wave succeeded; settling them in order.`
          )
        }
        const read = await readLegs(api, names, {
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
        jobs = read.jobs
        prefix = read.prefix
        listing.seen = { jobs: read.jobs, prefix: read.prefix }
        core.info(
          `Listed ${read.jobs.length} job(s) of run ${settings.run.runId ?? ''} in ${api.requestCount} request(s). ` +
            `This is job ${read.own.id} '${read.own.name}' (found ${settings.jobId === undefined ? `as the job in progress on runner '${read.own.runner_name ?? ''}'` : 'by its job id'}): ` +
            `the legs of this call are named '${legJobName(prefix, '<phase id>')}'.`
        )
        // Packed rounds: each phase's result from its leg's job and log.
        const packed = new Map<number, PackedPhase>()
        for (const legs of legsOf) {
          if (legs === undefined) continue
          for (const entry of await readPacked(
            api,
            analysis,
            legs,
            read.readings
          )) {
            for (const result of entry.results)
              packed.set(result.index, { result, leg: entry })
          }
        }
        const warned = new Set<PackedLegRead>()
        const caught = settleThrough(
          analysis,
          before,
          upFront.length,
          index => {
            const fromLeg = packed.get(index)
            if (fromLeg !== undefined) {
              // Warn about a leg only when its round is settled.
              if (
                fromLeg.leg.warning !== undefined &&
                !warned.has(fromLeg.leg)
              ) {
                warned.add(fromLeg.leg)
                core.warning(fromLeg.leg.warning)
              }
              return fromLeg.result
            }
            return resultOf(
              idOf(index),
              index,
              // readLegs reads every id it is given.
              read.readings.get(idOf(index)) as LegReading
            )
          },
          legLimit
        )
        ledger = caught.ledger
        if (caught.rounds.length < upFront.length + 1) {
          core.info(
            `Round ${before.round + caught.rounds.length - 1} did not all succeed: the wave job after it took its round from a settle step, not from the plan.`
          )
        }
        const settled = caught.rounds.flat()
        const wasSettled = new Set(settled)
        const causes = skipCauses(analysis, ledger)
        for (const index of settled) {
          logStatus(
            analysis,
            ledger,
            index,
            reasonOf(analysis, ledger, index, causes)
          )
        }
        before.statuses.forEach((status, index) => {
          if (
            status === 'pending' &&
            !wasSettled.has(index) &&
            ledger.statuses[index] !== 'pending'
          ) {
            logStatus(
              analysis,
              ledger,
              index,
              reasonOf(analysis, ledger, index, causes)
            )
          }
        })
      }
    )
  }

  const earlier =
    attempt > 1
      ? succeededBefore(
          jobs,
          attempt,
          prefix,
          phases.map(phase => phase.id)
        )
      : new Map<string, { seconds?: number }>()
  const handOut = handOutNext(analysis, ledger, {
    attempt,
    legLimit: packing === undefined ? MAX_MATRIX_LEGS : Infinity,
    succeededEarlier: index => earlier.get(idOf(index))
  })
  handOut.ledger.statuses.forEach((status, index) => {
    if (
      status === 'succeeded-earlier' &&
      ledger.statuses[index] === 'pending'
    ) {
      core.info(succeededEarlierLine(idOf(index)))
    }
  })
  if (handOut.round.length > 0) {
    core.info(
      executingBatchLine(
        handOut.ledger.wave + 1,
        analysis.waves.length,
        handOut.round.map(idOf),
        handOut.leftInWave,
        packedNote(analysis, handOut.round, packing)
      )
    )
  }
  return { ledger: handOut.ledger, seen: listing.seen }
}

/** A phase's result read from its packed leg. */
interface PackedPhase {
  result: LegResult
  leg: PackedLegRead
}

/** The legs of a packed round: each leg's conclusion and the marker in its log. */
async function readPacked(
  api: RunJobs,
  analysis: PlanAnalysis,
  legs: PackedLeg[],
  readings: ReadonlyMap<string, LegReading>
): Promise<PackedLegRead[]> {
  const read = await readPackedRound(
    api,
    analysis,
    legs,
    leg => readings.get(leg.name) as LegReading
  )
  core.info(
    `Wave ${legs[0]?.wave ?? '?'} packed into ${legs.length} leg(s): read the phase results of ${read.legs.filter(leg => leg.read).length} from their logs.`
  )
  return read.legs
}

/** The jobs of the run seen by this step, to show where the time went. */
interface SeenJobs {
  jobs: WorkflowJob[]
  prefix: string
}

/** Its job ran in this attempt: a leg status, not done, skipped or earlier. */
function ranThisAttempt(status: PhaseStatus): boolean {
  return status === 'succeeded' || isFailed(status)
}

/**
 * The jobs that ran the phases, wave by wave: a wave's round is its phases
 * that were handed out (ran, or had no job); packed as the step that handed
 * it out packed it. The newest attempt of each name.
 */
export function ranJobs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  packing: Packing | undefined,
  seen: SeenJobs
): RanJob[] {
  const byName = new Map<string, WorkflowJob>()
  for (const job of seen.jobs) {
    const known = byName.get(job.name)
    if (known === undefined || job.run_attempt > known.run_attempt)
      byName.set(job.name, job)
  }
  const phases = analysis.plan.phases
  const ran: RanJob[] = []
  for (const wave of analysis.waves) {
    const round = wave.filter(index =>
      ranThisAttempt(ledger.statuses[index] as PhaseStatus)
    )
    if (round.length === 0) continue
    const legs =
      packing !== undefined && isPacked(round.length, packing.maxLegs)
        ? packRound(analysis, round, packing.minutes, packing.maxLegs)
        : undefined
    const jobsOfRound =
      legs === undefined
        ? round.map(index => ({
            name: legJobName(seen.prefix, (phases[index] as Phase).id),
            phases: [index]
          }))
        : legs.map(leg => ({
            name: legJobName(seen.prefix, leg.name),
            phases: leg.phases
          }))
    for (const { name, phases: indices } of jobsOfRound) {
      const job = byName.get(name)
      if (job !== undefined) ran.push({ job, phases: indices })
    }
  }
  return ran
}

/** Every phase in the log (the summary may leave rows out), then the report. */
async function finish(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  seen: SeenJobs | undefined
): Promise<void> {
  const causes = skipCauses(analysis, ledger)
  const counts = tally(ledger.statuses)
  await core.group('Phase report', () => {
    for (const index of analysis.waves.flat()) {
      logStatus(
        analysis,
        ledger,
        index,
        reasonOf(analysis, ledger, index, causes)
      )
    }
    return Promise.resolve()
  })
  const timing = whereTheTimeWent(analysis, ledger, seen)
  await core.appendSummary(
    settings.run,
    renderReport(analysis, ledger, {
      maxBytes: MAX_SUMMARY_BYTES - Buffer.byteLength(timing, 'utf8')
    }) + (timing === '' ? '' : `\n${timing}`)
  )
  const green = counts.succeeded === ledger.statuses.length
  if (green) {
    core.info(`All ${ledger.statuses.length} phase(s) succeeded.`)
    return
  }
  const verdict = `Phases did not all succeed: ${formatTally(counts)}.`
  if (settings.allowFailure) {
    core.warning(`${verdict} Not failing the step: allow-failure is true.`)
  } else {
    core.setFailed(`${verdict} See the phase report in the job summary.`)
  }
}

/** The report's "Where the time went" section, '' without the jobs. */
function whereTheTimeWent(
  analysis: PlanAnalysis,
  ledger: Ledger,
  seen: SeenJobs | undefined
): string {
  if (seen === undefined) return ''
  const packing = packingOf(analysis, ledger)
  const timeline = runTimeline(
    analysis,
    ledger,
    ranJobs(analysis, ledger, packing, seen)
  )
  const minutes = (packing ?? packingOf(analysis, { ...ledger, pack: true }))
    ?.minutes
  const section = renderRunGantt(analysis, timeline, {
    statuses: ledger.statuses,
    lowerBoundMinutes: lowerBoundMinutes(
      analysis,
      minutes ?? [],
      ledger.maxWorkers
    )
  })
  // Far below the summary limit; a huge plan's rows are capped by the renderer.
  return Buffer.byteLength(section, 'utf8') > MAX_SUMMARY_BYTES / 4
    ? ''
    : section
}

function setOutputs(analysis: PlanAnalysis, ledger: Ledger): void {
  const round = runningPhases(ledger)
  const packing = packingOf(analysis, ledger)
  const lists = outcomeLists(analysis, ledger)
  const outputs: Record<string, string> = {
    [SettleOutputs.matrix]: renderRoundMatrix(analysis, round, packing),
    [SettleOutputs.state]: encodeLedger(ledger),
    [SettleOutputs.hasWork]: round.length > 0 ? 'true' : 'false',
    [SettleOutputs.succeeded]: JSON.stringify(lists.succeeded),
    [SettleOutputs.failed]: JSON.stringify(lists.failed),
    [SettleOutputs.skipped]: JSON.stringify(lists.skipped),
    [SettleOutputs.durations]: JSON.stringify(
      learnedDurations(analysis, ledger)
    )
  }
  assertOutputsFit('settle', analysis.plan.file, outputs)
  for (const [name, value] of Object.entries(outputs))
    core.setOutput(name, value)
}

/**
 * The `durations` JSON written to a file (input `durations-file`), for
 * actions/cache to keep for the next run's `estimates`: a file, because for
 * thousands of phases the JSON is too long for an environment string.
 */
function writeDurations(
  file: string,
  analysis: PlanAnalysis,
  ledger: Ledger,
  ports: SettlePorts
): void {
  const durations = learnedDurations(analysis, ledger)
  ports.files.writeText(file, `${JSON.stringify(durations, null, 1)}\n`)
  core.info(
    `Wrote the durations of ${Object.keys(durations).length} phase(s) to ${file}.`
  )
}

/**
 * A finished state (a report job): the jobs of the run once more, only to
 * show where the time went; without a token, or when they cannot be read,
 * the report goes without that section.
 */
async function listForReport(
  settings: SettleSettings,
  ports: SettlePorts
): Promise<SeenJobs | undefined> {
  if (settings.githubToken === '') return undefined
  try {
    const api = ports.github.runJobs({
      retry: { attempts: 2 },
      log: message => {
        core.info(message)
      }
    })
    const read = await readLegs(api, [], {
      minAttempt: 1,
      self: {
        attempt: settings.run.runAttempt,
        checkRunId: settings.jobId,
        runnerName: settings.run.runnerName
      },
      pending: { budgetMs: 10_000 }
    })
    return { jobs: read.jobs, prefix: read.prefix }
  } catch (error) {
    core.info(
      `The report goes without "where the time went": the jobs of the run could not be read (${error instanceof Error ? error.message : String(error)}).`
    )
    return undefined
  }
}

async function settle(
  settings: SettleSettings,
  ports: SettlePorts
): Promise<void> {
  const before = decodeLedger(settings.state)
  const analysis = loadPlanOfState(before, settings, ports)
  const { ledger, seen } = isFinished(before)
    ? {
        ledger: before,
        seen: before.statuses.some(ranThisAttempt)
          ? await listForReport(settings, ports)
          : undefined
      }
    : await advance(analysis, before, settings, ports)
  setOutputs(analysis, ledger)
  if (settings.durationsFile !== '')
    writeDurations(settings.durationsFile, analysis, ledger, ports)
  if (isFinished(ledger)) await finish(analysis, ledger, settings, seen)
}

/** The settle step: never throws; a failure is the step's (core.setFailed). */
export async function run(
  settings: SettleSettings,
  ports: SettlePorts
): Promise<void> {
  try {
    await settle(settings, ports)
  } catch (error) {
    failStep(error, settings.run.workspace)
  }
}
