// Worker lanes in the generated needs graph (`generate --max-workers N`):
// which job each phase job waits for on its lane, and the `needs:`/`if:`
// that wait writes. A lane predecessor is a need only for ordering: the
// job's `if:` asks that its real dependencies succeeded and nothing about
// the lane predecessor, so a failed or skipped job never skips an unrelated
// one. Any status function in `if:` drops GitHub's implicit `success()`
// (which would ask it of every need); `!cancelled()` keeps a cancelled run
// from starting new jobs. O((V + E) log V) for the schedule.
import { phaseDurations } from '../plan/durations.js'
import { listSchedule } from '../plan/list-schedule.js'
import { DEFAULT_JOB_START_MINUTES } from '../plan/durations.js'
import type { PlanAnalysis } from '../plan/types.js'

/**
 * The lane predecessor of each phase (plan index, -1 for none), from a list
 * schedule of the plan's estimates onto `lanes` lanes; all -1 when the
 * lanes could never all be busy (no more phase jobs than lanes).
 */
export function lanePredecessors(
  analysis: PlanAnalysis,
  lanes: number
): number[] {
  const durations = phaseDurations(analysis.plan)
  const jobs = durations.done.filter(done => !done).length
  if (jobs <= lanes) return durations.done.map(() => -1)
  return listSchedule({
    depsOf: analysis.depsOf,
    dependentsOf: analysis.dependentsOf,
    minutes: durations.minutes,
    done: durations.done,
    lanes,
    jobStart: DEFAULT_JOB_START_MINUTES
  }).lanePrevious
}

interface LanedNeeds {
  needs: string[]
  /** The job's `if:`, when the lane adds a need. */
  if?: string
}

/**
 * @param realNeeds job ids of the phase's dependencies (what `needs:` is
 *   without lanes)
 * @param lanePredecessor job id of the previous job on its lane, if any
 */
export function laneNeeds(
  realNeeds: readonly string[],
  lanePredecessor: string | undefined
): LanedNeeds {
  if (lanePredecessor === undefined || realNeeds.includes(lanePredecessor)) {
    return { needs: [...realNeeds] }
  }
  const succeeded = realNeeds.map(id => `needs.${id}.result == 'success'`)
  return {
    needs: [...realNeeds, lanePredecessor],
    if: ['!cancelled()', ...succeeded].join(' && ')
  }
}
