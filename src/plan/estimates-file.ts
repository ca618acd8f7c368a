// Reads an `--estimates` file: a JSON object of phase id → minutes that
// overrides the plan's `estimate_minutes`. An id the plan does not have is a
// warning (a renamed phase should not break a build); a value that is not a
// number of minutes from 0 to a week (as `estimate_minutes`) is an error
// naming the file and the key. O(entries).
import { closestMatch } from './closest-id.js'
import { MAX_ESTIMATE_MINUTES } from './types.js'

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
