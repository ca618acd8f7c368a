// Reads a packed round back: for each leg (one job running several phases
// with `exec`), its conclusion from the jobs of the run and each phase's
// result from the marker line in the job's log (job-logs endpoint, needs
// `actions: read` like the jobs listing). A leg whose log cannot be read or
// holds no marker of that leg: when it concluded success every phase
// succeeded; otherwise its phases count as the leg concluded (failed,
// cancelled, timed out), with a warning. Logs are read a few at a time.
import { findLegMarker } from '../plan/leg-marker.js'
import { packedLegResults } from '../plan/packed-results.js'
import type { PackedLeg } from '../plan/packing.js'
import type { LegResult } from '../plan/schedule.js'
import type { PlanAnalysis } from '../plan/types.js'
import { at } from '../plan/at.js'
import { errorMessage } from '../error-parts.js'
import type { JobLog } from './job-log.js'
import type { RunJobs } from './ports.js'
import type { LegReading } from './legs.js'

/** Logs read at once. */
const LOG_READS_AT_ONCE = 4

/** One leg read back. */
export interface PackedLegRead {
  results: LegResult[]
  /** When its phases could not all be told apart. */
  warning?: string
  /** Its marker was read. */
  read: boolean
}

export interface PackedRoundRead {
  /** In the order of the legs given. */
  legs: PackedLegRead[]
  results: LegResult[]
  /** One per leg whose phases could not all be told apart. */
  warnings: string[]
  /** Legs whose marker was read. */
  markersRead: number
}

export async function readPackedRound(
  api: Pick<RunJobs, 'jobLog'>,
  analysis: PlanAnalysis,
  legs: readonly PackedLeg[],
  readingOf: (leg: PackedLeg) => LegReading
): Promise<PackedRoundRead> {
  const phases = analysis.plan.phases
  const idsOf = (leg: PackedLeg): string =>
    leg.phases.map(index => at(phases, index).id).join(', ')
  const perLeg = new Array<PackedLegRead>(legs.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let slot = next++; slot < legs.length; slot = next++) {
      const leg = at(legs, slot)
      const reading = readingOf(leg)
      if (reading.kind !== 'settled') {
        perLeg[slot] = {
          read: false,
          results: leg.phases.map(index => ({ index, status: 'missing' })),
          warning: `No job named '${reading.name}' in this run: the phases of leg ${leg.name} (${idsOf(leg)}) count failed.`
        }
        continue
      }
      let log: JobLog
      if (reading.job === undefined) {
        log = { missing: 'its job has no conclusion' }
      } else {
        try {
          log = await api.jobLog(reading.job.id)
        } catch (error) {
          log = { missing: errorMessage(error) }
        }
      }
      const marker = 'log' in log ? findLegMarker(log.log, leg.name) : undefined
      const read = packedLegResults(analysis, leg, reading.status, marker)
      const entry: PackedLegRead = {
        read: marker !== undefined,
        results: read.results
      }
      if (read.unfinished.length > 0) {
        const why =
          'missing' in log
            ? `its log could not be read (${log.missing})`
            : marker === undefined
              ? 'its log holds no phase-matrix-leg marker of this leg (was the leg run with the exec action?)'
              : 'the leg stopped before they ended'
        const which = read.unfinished
          .map(index => at(phases, index).id)
          .join(', ')
        entry.warning =
          `Leg ${leg.name} concluded ${reading.status} and ${why}: ` +
          `its phase(s) ${which} count ${reading.status === 'cancelled' || reading.status === 'timed-out' ? reading.status : 'failed'}.`
      }
      perLeg[slot] = entry
    }
  }
  await Promise.all(
    Array.from({ length: Math.min(LOG_READS_AT_ONCE, legs.length) }, worker)
  )
  const warnings: string[] = []
  const results: LegResult[] = []
  let markersRead = 0
  for (const entry of perLeg) {
    results.push(...entry.results)
    if (entry.warning !== undefined) warnings.push(entry.warning)
    if (entry.read) markersRead++
  }
  return { legs: perLeg, results, warnings, markersRead }
}
