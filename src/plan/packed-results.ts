// Per-phase truth for a packed leg: what each of its phases came to, from
// the leg job's conclusion and the marker line exec printed in its log
// (leg-marker.ts). A leg that concluded success ran every phase to success.
// Otherwise the marker says which phases succeeded, failed or timed out;
// a phase it does not show as finished (never started, stopped by a
// cancel, or the whole marker missing because the log could not be read)
// takes the leg's own conclusion: it counts failed, never succeeded.
// Pure. O(phases of the leg + marker entries).
import { at } from './at.js'
import { minutesBetween, type LegMarker } from './leg-marker.js'
import type { PackedLeg } from './packing.js'
import type { LegResult } from './schedule.js'
import type { PlanAnalysis } from './types.js'

export interface PackedLegResults {
  results: LegResult[]
  /** When each phase ran, from the marker (by plan index). */
  times: Map<number, { start: string; end: string }>
  /** Phases that took the leg's conclusion for lack of a marker entry. */
  unfinished: number[]
}

export function packedLegResults(
  analysis: PlanAnalysis,
  leg: PackedLeg,
  legStatus: LegResult['status'],
  marker: LegMarker | undefined
): PackedLegResults {
  const phases = analysis.plan.phases
  const marked = new Map(
    (marker?.phases ?? []).map(entry => [entry.id, entry] as const)
  )
  const results: LegResult[] = []
  const times = new Map<number, { start: string; end: string }>()
  const unfinished: number[] = []
  for (const index of leg.phases) {
    const entry = marked.get(at(phases, index).id)
    const minutes = minutesBetween(entry?.start, entry?.end)
    const result: LegResult = { index, status: legStatus }
    if (entry?.start !== undefined && entry.end !== undefined) {
      times.set(index, { start: entry.start, end: entry.end })
    }
    if (minutes !== undefined) result.seconds = Math.round(minutes * 60)
    if (legStatus === 'succeeded') {
      results.push(result)
      continue
    }
    switch (entry?.status) {
      case 'succeeded':
      case 'failed':
      case 'timed-out':
        result.status = entry.status
        break
      default:
        unfinished.push(index)
        // A leg that concluded success cannot get here; a failed leg's
        // phase that never finished counts failed.
        if (result.status === 'succeeded') result.status = 'failed'
    }
    results.push(result)
  }
  return { results, times, unfinished }
}
