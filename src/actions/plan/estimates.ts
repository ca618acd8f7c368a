// The plan step's `estimates` input: phase id → minutes learned from past
// runs (settle's durations-file kept by actions/cache), read from a file.
// Estimates never fail a run: what cannot be used is a notice or warning.
import { errorCode } from '../../error-parts.js'
import { parseEstimatesFile } from '../../plan/durations.js'
import { roundEstimate } from '../../plan/packing.js'
import type { PlanAnalysis } from '../../plan/types.js'
import * as core from '../log.js'
import type { PlanFiles } from '../ports.js'

/**
 * The `estimates` input: phase id → minutes, by plan index, in tenths (as
 * the state keeps them). A missing file is normal on a first run (nothing
 * learned yet, e.g. an actions/cache miss): a notice. A file that cannot be
 * used, or entries that cannot, are warnings: estimates never fail a run.
 */
export function readEstimates(
  analysis: PlanAnalysis,
  file: string | undefined,
  files: PlanFiles
): (number | undefined)[] | undefined {
  if (file === undefined) return undefined
  let text: string
  try {
    text = files.readText(file)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ENOENT') {
      core.notice(
        `No estimates file at ${file} yet (a first run, or a cache miss): the plan's estimate_minutes are used.`
      )
    } else {
      core.warning(
        `The estimates file ${file} cannot be read (${String(code ?? error)}): the plan's estimate_minutes are used.`
      )
    }
    return undefined
  }
  const phases = analysis.plan.phases
  const parsed = parseEstimatesFile(
    text,
    file,
    phases.map(phase => phase.id)
  )
  for (const message of [...parsed.errors, ...parsed.warnings])
    core.warning(message)
  if (parsed.estimates.size === 0) return undefined
  core.info(
    `Estimates of ${parsed.estimates.size} phase(s) from ${file} override estimate_minutes.`
  )
  return phases.map(phase => {
    const minutes = parsed.estimates.get(phase.id)
    return minutes === undefined ? undefined : roundEstimate(minutes)
  })
}
