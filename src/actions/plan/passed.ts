// The plan step's `passed` input: a store of passed phases (phase id →
// input hash, input-hash.ts) read from a file, the plan's phases hashed
// from the checkout (git), and which phases are unchanged. A store or a
// repository that cannot be used makes no phase unchanged: a warning, and
// every phase runs. O(store text + V + E) after git.
import path from 'node:path'

import { errorMessage } from '../../error-parts.js'
import { hashPlan, readStoreText, unmatchedWarnings } from '../../passed.js'
import {
  hashesDigest,
  parsePassedStore,
  unchangedPhases
} from '../../plan/input-hash.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { PlanInputs } from '../constants.js'
import type { PlanSettings } from '../inputs.js'
import * as core from '../log.js'
import type { PlanPorts } from '../ports.js'

export interface PlanUnchanged {
  /** By plan index. */
  unchanged: boolean[]
  /** hashesDigest of the plan's hashes, when they could be computed. */
  digest?: string
  /** Phase id → the run its stored entry passed in (the store says). */
  since?: ReadonlyMap<string, string>
}

/** Which phases the `passed` input makes unchanged (none without it). */
export async function readPassedInput(
  analysis: PlanAnalysis,
  settings: PlanSettings,
  ports: PlanPorts
): Promise<PlanUnchanged> {
  const none = analysis.plan.phases.map(() => false)
  const shown = settings.passedPath
  if (shown === undefined) return { unchanged: none }
  const cwd = settings.run.cwd
  let hashes
  try {
    hashes = await (ports.hashPlan ?? hashPlan)(analysis, cwd)
  } catch (error) {
    core.warning(
      `Input '${PlanInputs.passed}': the phases' inputs cannot be hashed (${errorMessage(error)}); no phase counts as unchanged and the report records no pass. Check out the repository (actions/checkout) before the plan step.`
    )
    return { unchanged: none }
  }
  const digest = hashesDigest(hashes.hashes)
  for (const warning of unmatchedWarnings(hashes)) core.warning(warning)
  let text: string | undefined
  try {
    text = readStoreText(
      path.resolve(cwd, shown),
      shown,
      `Input '${PlanInputs.passed}':`
    )
  } catch (error) {
    core.warning(
      `${errorMessage(error)}; the store is ignored, every phase runs.`
    )
    return { unchanged: none, digest }
  }
  if (text === undefined) {
    core.info(
      `No store of passed phases at ${shown} yet (a first run): every phase runs.`
    )
    return { unchanged: none, digest }
  }
  const ids = analysis.plan.phases.map(phase => phase.id)
  const store = parsePassedStore(text, shown, ids)
  for (const warning of store.warnings) core.warning(warning)
  const unchanged = unchangedPhases({
    ids,
    done: analysis.plan.phases.map(phase => phase.done),
    depsOf: analysis.depsOf,
    order: analysis.waves.flat(),
    hashes: hashes.hashes,
    stored: store.hashes
  })
  return { unchanged, digest, since: store.since }
}
