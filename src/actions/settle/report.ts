// Settle's report once no phase is left: every phase in the log, the phase
// report and where the time went in the job summary (times from the legs'
// records), and the verdict: the step fails when a phase failed or was
// skipped, unless allow-failure.
import { at } from '../../plan/at.js'
import { packingOf, roundLegs } from '../../plan/packing.js'
import {
  lowerBoundMinutes,
  runTimeline,
  type RanJob
} from '../../plan/run-timeline.js'
import {
  renderRunGantt,
  formatTally,
  renderReport,
  tally
} from '../../render/report.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { MAX_SUMMARY_BYTES } from '../constants.js'
import type { SettleSettings } from '../inputs.js'
import * as core from '../log.js'
import { logPhaseStatuses, checkedRecord } from './read-round.js'

/**
 * Each phase's start and end from its leg's record, as one "job" a phase
 * (no runner wait: the records do not know when a job was queued). The
 * rounds are those the ledger says each phase was handed out in, legs as
 * the step that handed them out cut them; a record settle would not believe
 * (checkedRecord) is passed over. O(phases).
 */
function recordedTimes(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: Pick<SettleSettings, 'waveJobs' | 'run'>
): RanJob[] {
  const packing = packingOf(analysis, ledger)
  // Every attempt of the run so far: a re-run keeps earlier legs' records.
  const attempts = { from: 1, to: settings.run.runAttempt }
  const ran: RanJob[] = []
  const byRound = new Map<number, number[]>()
  ledger.roundOf?.forEach((round, index) => {
    if (round === undefined) return
    byRound.set(round, [...(byRound.get(round) ?? []), index])
  })
  for (const [round, phases] of byRound) {
    const job = settings.waveJobs.get(round)
    if (job === undefined) continue
    for (const leg of roundLegs(analysis, phases, packing, round)) {
      // The same check as settle's: a record not believed shows no times.
      const checked = checkedRecord(analysis, round, leg, job, attempts)
      if (!('record' in checked)) continue
      checked.record.phases.forEach((phase, position) => {
        if (phase.start === undefined || phase.end === undefined) return
        const start = new Date(phase.start).toISOString()
        ran.push({
          job: {
            created_at: start,
            started_at: start,
            completed_at: new Date(phase.end).toISOString()
          },
          phases: [at(leg.phases, position)]
        })
      })
    }
  }
  return ran
}

/** The report's "Where the time went" section, '' without any times. */
function whereTheTimeWent(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings
): string {
  const ran = recordedTimes(analysis, ledger, settings)
  if (ran.length === 0) return ''
  const timeline = runTimeline(analysis, ledger, ran)
  const section = renderRunGantt(analysis, timeline, {
    statuses: ledger.statuses,
    lowerBoundMinutes: lowerBoundMinutes(
      analysis,
      packingOf(analysis, ledger).minutes,
      ledger.maxWorkers
    )
  })
  // Far below the summary limit; a huge plan's rows are capped by the renderer.
  return Buffer.byteLength(section, 'utf8') > MAX_SUMMARY_BYTES / 4
    ? ''
    : section
}

/**
 * Every phase in the log (the summary may leave rows out), then the report;
 * `since` says which run each unchanged phase passed in (the old store's).
 */
export async function finish(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  since?: ReadonlyMap<string, string>
): Promise<void> {
  const counts = tally(ledger.statuses)
  await core.group('Phase report', () => {
    logPhaseStatuses(analysis, ledger, analysis.waves.flat(), since)
    return Promise.resolve()
  })
  const timing = whereTheTimeWent(analysis, ledger, settings)
  await core.appendSummary(
    settings.run,
    renderReport(analysis, ledger, {
      maxBytes: MAX_SUMMARY_BYTES - Buffer.byteLength(timing, 'utf8'),
      ...(since === undefined ? {} : { since })
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
