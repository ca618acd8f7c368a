// Settle's report once no phase is left: every phase in the log, the phase
// report (and where the time went, from the jobs of the run) in the job
// summary, and the verdict: the step fails when a phase failed or was
// skipped, unless allow-failure.
import { legJobName } from '../../github/job-names.js'
import type { WorkflowJob } from '../../github/jobs.js'
import { readLegs } from '../../github/legs.js'
import { errorMessage } from '../../error-parts.js'
import { at } from '../../plan/at.js'
import {
  isPacked,
  packingOf,
  packRound,
  type Packing
} from '../../plan/packing.js'
import {
  lowerBoundMinutes,
  runTimeline,
  type RanJob
} from '../../plan/run-timeline.js'
import { isFailed, type PhaseStatus } from '../../plan/phase-status.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { formatTally, renderReport, tally } from '../../render/report.js'
import { renderRunGantt } from '../../render/run-gantt.js'
import { MAX_SUMMARY_BYTES } from '../constants.js'
import type { SettleSettings } from '../inputs.js'
import * as core from '../log.js'
import type { SettlePorts } from '../ports.js'
import { logPhaseStatuses } from './phase-lines.js'
import type { SeenJobs } from './read-round.js'

/** Its job ran in this attempt: a leg status, not done, skipped or earlier. */
export function ranThisAttempt(status: PhaseStatus): boolean {
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
      ranThisAttempt(at(ledger.statuses, index))
    )
    if (round.length === 0) continue
    const legs =
      packing !== undefined && isPacked(round.length, packing.maxLegs)
        ? packRound(analysis, round, packing.minutes, packing.maxLegs)
        : undefined
    const jobsOfRound =
      legs === undefined
        ? round.map(index => ({
            name: legJobName(seen.prefix, at(phases, index).id),
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

/** Every phase in the log (the summary may leave rows out), then the report. */
export async function finish(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  seen: SeenJobs | undefined
): Promise<void> {
  const counts = tally(ledger.statuses)
  await core.group('Phase report', () => {
    logPhaseStatuses(analysis, ledger, analysis.waves.flat())
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

/**
 * A finished state (a report job): the jobs of the run once more, only to
 * show where the time went; without a token, or when they cannot be read,
 * the report goes without that section.
 */
export async function listForReport(
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
      `The report goes without "where the time went": the jobs of the run could not be read (${errorMessage(error)}).`
    )
    return undefined
  }
}
