// What the plan step learns from past runs (files kept by actions/cache):
// the `estimates` and the `passed` inputs.
import { errorCode, errorMessage } from '../../plan/errors.js'
import { parseEstimatesFile } from '../../plan/durations.js'
import { roundEstimate } from '../../plan/packing.js'
import type { PlanAnalysis } from '../../plan/types.js'
import * as core from '../log.js'
import type { PlanFiles, PlanPorts } from '../ports.js'
import path from 'node:path'
import {
  hashPlan,
  readStoreText,
  unmatchedWarnings
} from '../../repo/passed.js'
import {
  hashesDigest,
  parsePassedStore,
  unchangedWithOutputs
} from '../../plan/passed-store.js'
import { MAX_WINDOWS_ENV_VALUE_UNITS } from '../../plan/env-limits.js'
import type { OutputsById } from '../../plan/leg-record.js'
import { PlanInputs } from '../constants.js'
import type { PlanSettings } from '../inputs.js'

// The plan step's `estimates` input: phase id → minutes learned from past
// runs (settle's durations-file kept by actions/cache), read from a file.
// Estimates never fail a run: what cannot be used is a notice or warning.

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

// The plan step's `passed` input: a store of passed phases (phase id →
// input hash, input-hash.ts) read from a file, the plan's phases hashed
// from the checkout (git), and which phases are unchanged, with the
// outputs they stored for the phases that run (the output
// `phase-outputs`). A store or a repository that cannot be used makes no
// phase unchanged: a warning, and every phase runs. O(store text + V + E)
// after git.

/**
 * Most UTF-8 bytes of the stored outputs the plan step hands on: one
 * environment value of each leg (PHASE_MATRIX_NEEDS_PLAN), Windows' too
 * (bytes are never fewer than the UTF-16 units Windows counts).
 */
const HANDED_ON_OUTPUTS_LIMIT = MAX_WINDOWS_ENV_VALUE_UNITS

export interface PlanUnchanged {
  /** By plan index. */
  unchanged: boolean[]
  /** hashesDigest of the plan's hashes, when they could be computed. */
  digest?: string
  /** Phase id → the run its stored entry passed in (the store says). */
  since?: ReadonlyMap<string, string>
  /** What the unchanged phases wrote, for the phases that run and read it. */
  outputs?: OutputsById
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
  const handedOn = unchangedWithOutputs({
    ids,
    done: analysis.plan.phases.map(phase => phase.done),
    depsOf: analysis.depsOf,
    dependentsOf: analysis.dependentsOf,
    order: analysis.waves.flat(),
    hashes: hashes.hashes,
    stored: store.hashes,
    storedOutputs: store.outputs,
    limit: HANDED_ON_OUTPUTS_LIMIT
  })
  if (handedOn.dropped.length > 0) {
    core.notice(
      `${handedOn.dropped.length} unchanged phase(s) run again because what they wrote to $PHASE_OUTPUT, with the other unchanged phases' outputs, is over the ${HANDED_ON_OUTPUTS_LIMIT} bytes the plan step hands on to the phases that read them: ${handedOn.dropped.join(', ')}.`
    )
  }
  return {
    unchanged: handedOn.unchanged,
    digest,
    since: store.since,
    outputs: handedOn.outputs
  }
}
