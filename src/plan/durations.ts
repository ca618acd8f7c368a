// How long each phase takes, for simulation and lanes: an `--estimates` file
// entry beats the plan's `estimate_minutes`; a phase with neither counts as
// the median of the estimates in effect (1 minute when none has one); a
// done phase (`status: done`, read once at load) takes 0 minutes. O(V log V) for the
// median's sort. Below, the reader of an `--estimates` file.
import { numberAt } from './at.js'
import { closestMatch } from './closest-id.js'
import { MAX_ESTIMATE_MINUTES, type Plan } from './types.js'

/** Minutes a job waits for its runner unless told otherwise. */
export const DEFAULT_JOB_START_MINUTES = 0.5

export interface Durations {
  /** Minutes of each phase, by plan index (0 for a done phase). */
  minutes: number[]
  /** Whether each phase is done (no job, 0 minutes). */
  done: boolean[]
  /** Phases whose minutes come from an estimate (plan or file). */
  estimatedCount: number
  /** What a phase without an estimate counts as. */
  fallbackMinutes: number
}

/** The median of the values (mean of the middle two for an even count). */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? numberAt(sorted, middle)
    : (numberAt(sorted, middle - 1) + numberAt(sorted, middle)) / 2
}

/**
 * @param overrides minutes by phase id (an `--estimates` file), already
 *   checked to be finite and not negative
 */
export function phaseDurations(
  plan: Plan,
  overrides: ReadonlyMap<string, number> = new Map()
): Durations {
  const given = plan.phases.map(
    phase => overrides.get(phase.id) ?? phase.estimateMinutes
  )
  const known = given.filter((m): m is number => m !== undefined)
  const fallbackMinutes = median(known) ?? 1
  const done = plan.phases.map(phase => phase.done)
  const minutes = given.map((m, index) =>
    done[index] === true ? 0 : (m ?? fallbackMinutes)
  )
  return { minutes, done, estimatedCount: known.length, fallbackMinutes }
}

/**
 * `durations` with the unchanged phases (`--passed`, by plan index) as
 * done: no time, no job.
 */
export function withUnchanged(
  durations: Durations,
  unchanged: readonly boolean[]
): Durations {
  return {
    ...durations,
    minutes: durations.minutes.map((m, i) => (unchanged[i] === true ? 0 : m)),
    done: durations.done.map((d, i) => d || unchanged[i] === true)
  }
}

// Reads an `--estimates` file: a JSON object of phase id → minutes that
// overrides the plan's `estimate_minutes`. An id the plan does not have is a
// warning (a renamed phase should not break a build); a value that is not a
// number of minutes from 0 to a week (as `estimate_minutes`) is an error
// naming the file and the key. O(entries).

/** An `--estimates` file read: the estimates by id, and what was wrong with it. */
interface EstimatesFile {
  estimates: Map<string, number>
  warnings: string[]
  errors: string[]
}

export function parseEstimatesFile(
  text: string,
  file: string,
  knownIds: readonly string[]
): EstimatesFile {
  const result: EstimatesFile = {
    estimates: new Map(),
    warnings: [],
    errors: []
  }
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    result.errors.push(`${file}: not valid JSON (${reason})`)
    return result
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    const got = Array.isArray(data) ? 'an array' : JSON.stringify(data)
    result.errors.push(
      `${file}: expected a JSON object of phase id to minutes, like {"build": 12}, got ${got}`
    )
    return result
  }
  const known = new Set(knownIds)
  for (const [id, value] of Object.entries(data)) {
    if (
      typeof value !== 'number' ||
      !Number.isFinite(value) ||
      value < 0 ||
      value > MAX_ESTIMATE_MINUTES
    ) {
      result.errors.push(
        `${file}: the estimate of '${id}' must be a number of minutes from 0 to ${MAX_ESTIMATE_MINUTES} (one week), got ${JSON.stringify(value)}`
      )
      continue
    }
    if (!known.has(id)) {
      const near = closestMatch(id, knownIds)
      const hint = near === undefined ? '' : ` (did you mean '${near}'?)`
      result.warnings.push(
        `${file}: '${id}' is not a phase of the plan${hint}; its estimate is ignored`
      )
      continue
    }
    result.estimates.set(id, value)
  }
  return result
}
