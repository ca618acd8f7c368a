// The report's new store of passed phases (input `passed-file`): the old
// store read from that file, this run's passes merged in (mergedStore), and
// the result written back for actions/cache to keep. A pass is recorded
// with the hash the plan step computed: the report hashes its own checkout
// and records passes only when the digest of its hashes equals the one the
// plan step put in the state (same commit, same tree), so no phase is ever
// stored as passed on inputs it did not run on. Anything that cannot be
// read or hashed records no pass (a warning), never fails the step.
import path from 'node:path'

import { errorMessage } from '../../plan/errors.js'
import { hashPlan, readStoreText } from '../../repo/passed.js'
import {
  hashesDigest,
  mergedStore,
  parsePassedStore,
  storedPhaseCount,
  type PassedStore,
  type PassedStoreFile
} from '../../plan/passed-store.js'
import { at } from '../../plan/at.js'
import { UsageError } from '../../plan/errors.js'
import type { PhaseStatus, Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { SettleInputs } from '../constants.js'
import type { SettleSettings } from '../inputs.js'
import {
  mergeOutputs,
  parseOutputsJson,
  type OutputsById
} from '../../plan/leg-record.js'
import * as core from '../log.js'
import type { SettlePorts } from '../ports.js'

/** This run's id for the store's `passed in run`; none outside a runner. */
function thisRun(settings: SettleSettings): { run?: string } {
  const id = settings.run.runId
  return id === undefined ? {} : { run: String(id) }
}

/** The old store's usable entries; an unreadable or broken one is empty. */
function oldStore(
  analysis: PlanAnalysis,
  file: string,
  cwd: string
): Pick<PassedStore, 'hashes' | 'since' | 'outputs'> {
  const empty = { hashes: new Map(), since: new Map(), outputs: new Map() }
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

/**
 * By plan index: the hashes this run's phases ran on, or undefined (no
 * pass can be recorded) with a warning that ends in `unrecorded`.
 */
async function runHashes(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  ports: SettlePorts,
  unrecorded = 'no pass of this run is recorded, the old entries are kept'
): Promise<(string | null)[] | undefined> {
  const none = undefined
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
  ports: SettlePorts,
  /** What this run's phases that succeeded wrote (phaseOutputs). */
  written: OutputsById
): Promise<PassedStoreFile | undefined> {
  const file = settings.passedFile
  if (file === undefined) return undefined
  const stored = oldStore(analysis, file, settings.run.cwd)
  const hashes =
    (await runHashes(analysis, ledger, settings, ports)) ??
    analysis.plan.phases.map(() => null)
  const store = mergedStore({
    ids: analysis.plan.phases.map(phase => phase.id),
    statuses: ledger.statuses,
    hashes,
    stored: stored.hashes,
    storedSince: stored.since,
    outputs: analysis.plan.phases.map(phase =>
      Object.hasOwn(written, phase.id) ? written[phase.id] : undefined
    ),
    storedOutputs: stored.outputs,
    ...thisRun(settings)
  })
  ports.files.writeText(
    path.resolve(settings.run.cwd, file),
    `${JSON.stringify(store, null, 1)}\n`
  )
  core.info(
    `Wrote the store of passed phases (${storedPhaseCount(store)} phase(s)) to ${file}.`
  )
  return store
}

/**
 * Each job's output in `toJSON(needs.*.outputs.<name>)` (a JSON array, an
 * item a job; none for a job that did not run or wrote nothing): the
 * others read by `read`, undefined where it is not what the job writes.
 * Undefined when the text is not a JSON array. O(text).
 */
function jobOutputsOf<T>(
  text: string,
  read: (output: string) => T | undefined
): (T | undefined)[] | undefined {
  let jobs: unknown
  try {
    jobs = JSON.parse(text)
  } catch {
    return undefined
  }
  if (!Array.isArray(jobs)) return undefined
  const items: unknown[] = jobs
  return items
    .filter(job => job !== null && job !== '')
    .map(job => (typeof job === 'string' ? read(job) : undefined))
}

/** A `passed` output: a JSON array of ids, else undefined. */
function idsOf(output: string): string[] | undefined {
  let ids: unknown
  try {
    ids = JSON.parse(output)
  } catch {
    return undefined
  }
  return Array.isArray(ids) && ids.every(id => typeof id === 'string')
    ? ids
    : undefined
}

/**
 * The ids the jobs of a generated needs graph say passed: input
 * `graph-passed`, `toJSON(needs.*.outputs.passed)`, a JSON array with one
 * JSON array of ids per job that ran (jobs that did not run have none).
 * Whatever is not that records no pass, with a warning: a pass left out
 * only makes a phase run again. O(text).
 */
function graphPassedIds(text: string, analysis: PlanAnalysis): Set<string> {
  const name = `Input '${SettleInputs.graphPassed}'`
  const known = new Set(analysis.plan.phases.map(phase => phase.id))
  const passed = new Set<string>()
  const jobs = jobOutputsOf(text, idsOf)
  if (jobs === undefined) {
    core.warning(
      `${name} is not a JSON array (expected \${{ toJSON(needs.*.outputs.passed) }}), got '${text.slice(0, 60)}': no pass of this run is recorded.`
    )
    return passed
  }
  let malformed = 0
  const unknown: string[] = []
  for (const ids of jobs) {
    if (ids === undefined) {
      malformed++
      continue
    }
    for (const id of ids) {
      if (known.has(id)) passed.add(id)
      else unknown.push(id)
    }
  }
  if (malformed > 0) {
    core.warning(
      `${name}: ${malformed} job output(s) are not a JSON array of phase ids; their passes are not recorded.`
    )
  }
  if (unknown.length > 0) {
    core.warning(
      `${name} names ${unknown.length} phase(s) that ${analysis.plan.file} does not have (${unknown.slice(0, 3).join(', ')}${unknown.length > 3 ? ', …' : ''}); they are left out. Regenerate the workflow with phase-matrix generate.`
    )
  }
  return passed
}

/**
 * What the graph's jobs handed on (input `graph-outputs-file`): the file
 * the save job wrote `toJSON(needs.*.outputs.phase-outputs)` to, a JSON
 * array of each job's `{"<id>": {…}}` text (or nothing: a job that hands
 * on none, or did not run). `{}` without the input (nothing is stored of
 * outputs). Undefined, with a warning, when the file is missing or is not
 * that: then no pass of this run is recorded, since a pass stored without
 * its outputs would later hand its dependents nothing. O(text).
 */
function graphOutputs(settings: SettleSettings): OutputsById | undefined {
  const file = settings.graphOutputsFile
  if (file === undefined) return {}
  const name = `Input '${SettleInputs.graphOutputsFile}'`
  const noPass = 'no pass of this run is recorded (those phases run again).'
  let text: string | undefined
  try {
    text = readStoreText(
      path.resolve(settings.run.cwd, file),
      file,
      name,
      "the file of the jobs' outputs"
    )
  } catch (error) {
    core.warning(`${errorMessage(error)}: ${noPass}`)
    return undefined
  }
  if (text === undefined) {
    core.warning(`${name}: ${file} does not exist: ${noPass}`)
    return undefined
  }
  const jobs = jobOutputsOf(text, parseOutputsJson)
  const lists = jobs?.filter(outputs => outputs !== undefined)
  if (jobs === undefined || lists?.length !== jobs.length) {
    core.warning(
      `${name}: ${file} is not a JSON array of the jobs' phase-outputs (\${{ toJSON(needs.*.outputs.phase-outputs) }}): ${noPass}`
    )
    return undefined
  }
  return mergeOutputs(lists)
}

/**
 * A generated needs graph's new store (input `graph-passed`): what this
 * run proved, written to `passed-file` — each phase whose job passed in
 * this run (with what its job handed on, input `graph-outputs-file`) and
 * each unchanged one (with its old outputs), with the hash the plan step
 * computed (re-hashed here, recorded only when the digests agree). No old entry is
 * carried over: a phase that failed, was skipped or was not reached has
 * none. When the hashes cannot be trusted nothing is written (the cache
 * keeps the last store). Returns the store, undefined when none was
 * written.
 */
export async function writeGraphStore(
  analysis: PlanAnalysis,
  ledger: Ledger,
  settings: SettleSettings,
  ports: SettlePorts
): Promise<PassedStoreFile | undefined> {
  const file = settings.passedFile
  if (file === undefined) {
    throw new UsageError(
      `Input '${SettleInputs.graphPassed}' is given without '${SettleInputs.passedFile}': name the file to write the store of passed phases to (.phase-matrix/passed.json).`
    )
  }
  const written = graphOutputs(settings)
  const passed =
    written === undefined
      ? new Set<string>()
      : graphPassedIds(settings.graphPassed ?? '[]', analysis)
  const hashes = await runHashes(
    analysis,
    ledger,
    settings,
    ports,
    'no store is written, the last one stays in the cache'
  )
  if (hashes === undefined) return undefined
  const { phases } = analysis.plan
  let ran = 0
  const statuses = ledger.statuses.map((status, index): PhaseStatus => {
    if (status === 'unchanged' || status === 'done') return status
    if (passed.has(at(phases, index).id)) {
      ran++
      return 'succeeded'
    }
    return status
  })
  // The restored old store, if any, only says when unchanged phases passed.
  const old = oldStore(analysis, file, settings.run.cwd)
  const store = mergedStore({
    ids: phases.map(phase => phase.id),
    statuses,
    hashes,
    stored: new Map(),
    storedSince: old.since,
    // A pass of this run with what its job handed on; an unchanged phase
    // with what it wrote when it passed.
    outputs: phases.map(phase =>
      written !== undefined && Object.hasOwn(written, phase.id)
        ? written[phase.id]
        : undefined
    ),
    storedOutputs: old.outputs,
    ...thisRun(settings)
  })
  const unchanged = statuses.filter(status => status === 'unchanged').length
  ports.files.writeText(
    path.resolve(settings.run.cwd, file),
    `${JSON.stringify(store, null, 1)}\n`
  )
  core.info(
    `Wrote the store of passed phases to ${file}: ${storedPhaseCount(store)} phase(s), ${ran} passed in this run and ${unchanged} unchanged since they passed.`
  )
  return store
}
