// The report's new store of passed phases (input `passed-file`): the old
// store read from that file, this run's passes merged in (mergedStore), and
// the result written back for actions/cache to keep. A pass is recorded
// with the hash the plan step computed: the report hashes its own checkout
// and records passes only when the digest of its hashes equals the one the
// plan step put in the state (same commit, same tree), so no phase is ever
// stored as passed on inputs it did not run on. Anything that cannot be
// read or hashed records no pass (a warning), never fails the step.
import path from 'node:path'

import { errorMessage } from '../../error-parts.js'
import { hashPlan, readStoreText } from '../../passed.js'
import {
  hashesDigest,
  mergedStore,
  parsePassedStore,
  SINCE_KEY,
  type PassedStore,
  type PassedStoreFile
} from '../../plan/passed-store.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { SettleInputs } from '../constants.js'
import type { SettleSettings } from '../inputs.js'
import * as core from '../log.js'
import type { SettlePorts } from '../ports.js'

/** The old store's usable entries; an unreadable or broken one is empty. */
function oldStore(
  analysis: PlanAnalysis,
  file: string,
  cwd: string
): Pick<PassedStore, 'hashes' | 'since'> {
  const empty = { hashes: new Map(), since: new Map() }
  let text: string | undefined
  try {
    text = readStoreText(
      path.resolve(cwd, file),
      file,
      `Input '${SettleInputs.passedFile}':`
    )
  } catch (error) {
    core.warning(
      `${errorMessage(error)}; the old store is left out of the new one.`
    )
    return empty
  }
  if (text === undefined) return empty
  const store = parsePassedStore(
    text,
    file,
    analysis.plan.phases.map(phase => phase.id)
  )
  for (const warning of store.warnings) core.warning(warning)
  return store
}

/** By plan index: the hashes this run's phases ran on, or nulls (no pass recorded) with a warning. */
async function runHashes(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): Promise<(string | null)[]> {
  const none = analysis.plan.phases.map(() => null)
  const unrecorded = 'no pass of this run is recorded, the old entries are kept'
  if (ledger.hashes === undefined) {
    core.warning(
      `Input '${SettleInputs.passedFile}': the plan step was given no store of passed phases (its input 'passed'), so its input hashes are unknown: ${unrecorded}.`
    )
    return none
  }
  let hashes: (string | null)[]
  try {
    hashes = (await (ports.hashPlan ?? hashPlan)(analysis, settings.run.cwd))
      .hashes
  } catch (error) {
    core.warning(
      `Input '${SettleInputs.passedFile}': the phases' inputs cannot be hashed here (${errorMessage(error)}): ${unrecorded}. Check out the same commit as the plan step before the report.`
    )
    return none
  }
  const digest = hashesDigest(hashes)
  if (digest !== ledger.hashes) {
    core.warning(
      `Input '${SettleInputs.passedFile}': this checkout's input hashes (digest ${digest}) are not the plan step's (${ledger.hashes}): ${unrecorded}. Check out the same commit as the plan step, and change no tracked file before the report.`
    )
    return none
  }
  return hashes
}

/**
 * The new store, written to `passed-file`; undefined without that input.
 * Its JSON, one entry a line, in plan order; each pass of this run is
 * recorded as passed in this run (GITHUB_RUN_ID).
 */
export async function writePassedStore(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): Promise<PassedStoreFile | undefined> {
  const file = settings.passedFile
  if (file === undefined) return undefined
  const stored = oldStore(analysis, file, settings.run.cwd)
  const hashes = await runHashes(analysis, ledger, settings, ports)
  const store = mergedStore({
    ids: analysis.plan.phases.map(phase => phase.id),
    statuses: ledger.statuses,
    hashes,
    stored: stored.hashes,
    storedSince: stored.since,
    ...(settings.run.runId === undefined
      ? {}
      : { run: String(settings.run.runId) })
  })
  ports.files.writeText(
    path.resolve(settings.run.cwd, file),
    `${JSON.stringify(store, null, 1)}\n`
  )
  core.info(
    `Wrote the store of passed phases (${Object.keys(store).filter(key => key !== SINCE_KEY).length} phase(s)) to ${file}.`
  )
  return store
}
