// The store of passed phases, `{"<id>": "<input hash>"}` (input-hash.ts),
// with, under the key `passed in run`, the run each entry passed in and,
// under `phase outputs`, what each wrote to $PHASE_OUTPUT; which phases it
// makes **unchanged**; and the store after a run. Pure: the edge reads the
// file (at most MAX_STORE_BYTES) and hands over its text.
//
// A store can only ever make fewer phases run, so every doubt makes it say
// less: a file that is not a JSON object of strings is ignored as a whole
// (a warning, every phase runs); an entry that is not a hash, or names no
// phase of the plan, is ignored (one warning for all of them); a null
// entry (`hash --format json` of a phase without inputs) is skipped. A phase is
// unchanged when its hash is stored and every one of its dependencies is
// unchanged or done (with its own dependencies settled the same way), so
// no unchanged phase ever waits for, or is skipped by, a phase that runs.
// An entry whose outputs are broken is ignored too: what the phase wrote
// could not be handed on. O(text + V + E).
import { Buffer } from 'node:buffer'
import { createHash } from 'node:crypto'

import { at } from './at.js'
import { isOutputs, type Outputs, type OutputsById } from './leg-record.js'
import { isFailed, type PhaseStatus } from './state.js'

/** Stores above this are refused before they are read (5,000 entries take ~1 MB). */
export const MAX_STORE_BYTES = 8 * 1024 * 1024

/** A stored hash: hex sha256, as inputHashes writes it. */
const HASH = /^[0-9a-f]{64}$/

/**
 * The store's key for `{"<id>": "<run id>"}`, the run each entry passed
 * in: it has a space, which no phase id has, so it never names a phase.
 */
export const SINCE_KEY = 'passed in run'

/**
 * The store's key for `{"<id>": {"<name>": "<value>"}}`: what each passed
 * phase wrote to $PHASE_OUTPUT (one that wrote nothing has no entry), which
 * an unchanged phase hands on to the phases that depend on it.
 */
export const OUTPUTS_KEY = 'phase outputs'

/** A run id as GITHUB_RUN_ID gives it. */
const RUN_ID = /^[1-9]\d{0,19}$/

export interface PassedStore {
  /** Phase id → stored hash, only well-formed entries. */
  hashes: Map<string, string>
  /** Phase id → the run it passed in, for entries of `hashes` that say. */
  since: Map<string, string>
  /** Phase id → what it wrote to $PHASE_OUTPUT, for entries of `hashes` that wrote some. */
  outputs: Map<string, Outputs>
  /** What was ignored, each naming the file. */
  warnings: string[]
}

/** A store as written: hashes by id, the runs they passed in, their outputs. */
export type PassedStoreFile = Record<
  string,
  string | Record<string, string> | OutputsById
>

/**
 * The `phase outputs` entries of a store for the ids `hashes` kept. An
 * entry that is not outputs takes its phase out of `hashes` (it runs, so
 * its dependents get what it writes); `broken` when the value as a whole
 * is not an object, which says nothing about any phase.
 */
function readOutputs(
  value: unknown,
  hashes: Map<string, string>,
  file: string
): { outputs: Map<string, Outputs>; broken?: string; warning?: string } {
  const outputs = new Map<string, Outputs>()
  if (value === undefined) return { outputs }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      outputs,
      broken: `"${OUTPUTS_KEY}" is not an object of phase id to outputs (got ${describe(value)})`
    }
  }
  const bad: string[] = []
  for (const [id, entry] of Object.entries(value)) {
    if (!hashes.has(id)) continue
    if (isOutputs(entry)) outputs.set(id, { ...entry })
    else {
      bad.push(id)
      hashes.delete(id)
    }
  }
  return bad.length === 0
    ? { outputs }
    : {
        outputs,
        warning: `${file}: the outputs of ${bad.length} phase(s) in "${OUTPUTS_KEY}" are not an object of output name to text, so ${bad.length === 1 ? 'that phase runs' : 'those phases run'} again: ${some(bad)}`
      }
}

/** The `passed in run` entries of a store for the ids `hashes` kept. */
function readSince(
  value: unknown,
  hashes: ReadonlyMap<string, string>,
  file: string
): { since: Map<string, string>; warning?: string } {
  const since = new Map<string, string>()
  if (value === undefined) return { since }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {
      since,
      warning: `${file}: "${SINCE_KEY}" is not an object of phase id to run id (got ${describe(value)}) and is ignored; the reports do not say when the unchanged phases passed`
    }
  }
  let bad = 0
  for (const [id, run] of Object.entries(value)) {
    if (typeof run !== 'string' || !RUN_ID.test(run)) bad++
    else if (hashes.has(id)) since.set(id, run)
  }
  return bad === 0
    ? { since }
    : {
        since,
        warning: `${file}: ${bad} entr${bad === 1 ? 'y' : 'ies'} of "${SINCE_KEY}" ${bad === 1 ? 'is' : 'are'} not a run id and ${bad === 1 ? 'is' : 'are'} ignored`
      }
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'a list'
  if (value === null) return 'null'
  if (typeof value === 'string') {
    return JSON.stringify(
      value.length > 40 ? value.slice(0, 37) + '...' : value
    )
  }
  if (typeof value === 'number' || typeof value === 'boolean') {
    return `${typeof value} ${String(value)}`
  }
  return typeof value === 'object' ? 'an object' : typeof value
}

/** A few names for a message: `a, b, c and 7 more`. */
function some(names: readonly string[]): string {
  const shown = names.slice(0, 3).map(name => JSON.stringify(name.slice(0, 60)))
  const more = names.length - shown.length
  return more > 0 ? `${shown.join(', ')} and ${more} more` : shown.join(', ')
}

/**
 * Reads a store's text. Never throws: a broken store is ignored, with a
 * warning saying why; phases whose entries are not usable simply run.
 */
export function parsePassedStore(
  text: string,
  file: string,
  knownIds: readonly string[]
): PassedStore {
  const hashes = new Map<string, string>()
  const warnings: string[] = []
  const ignored = (why: string): PassedStore => ({
    hashes: new Map(),
    since: new Map(),
    outputs: new Map(),
    warnings: [`${file}: ${why}; the store is ignored, every phase runs`]
  })
  let data: unknown
  try {
    data = JSON.parse(text)
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    return ignored(`not valid JSON (${reason.slice(0, 200)})`)
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    return ignored(
      `expected a JSON object of phase id to input hash, like {"build": "<64 hex digits>"}, got ${describe(data)}`
    )
  }
  const known = new Set(knownIds)
  const malformed: string[] = []
  const unknown: string[] = []
  let sinceValue: unknown
  let outputsValue: unknown
  for (const [id, value] of Object.entries(data)) {
    if (id === SINCE_KEY) sinceValue = value
    if (id === OUTPUTS_KEY) outputsValue = value
    // `hash --format json` writes null for a phase without inputs.
    if (value === null || id === SINCE_KEY || id === OUTPUTS_KEY) continue
    if (typeof value !== 'string' || !HASH.test(value)) {
      malformed.push(`${id} (${describe(value)})`)
    } else if (!known.has(id)) {
      unknown.push(id)
    } else hashes.set(id, value)
  }
  if (malformed.length > 0) {
    warnings.push(
      `${file}: ${malformed.length} entr${malformed.length === 1 ? 'y is' : 'ies are'} not an input hash (64 lower-case hex digits) and ${malformed.length === 1 ? 'is' : 'are'} ignored: ${some(malformed)}`
    )
  }
  if (unknown.length > 0) {
    warnings.push(
      `${file}: ${unknown.length} entr${unknown.length === 1 ? 'y names' : 'ies name'} no phase of the plan and ${unknown.length === 1 ? 'is' : 'are'} ignored: ${some(unknown)}`
    )
  }
  const outputs = readOutputs(outputsValue, hashes, file)
  if (outputs.broken !== undefined) return ignored(outputs.broken)
  if (outputs.warning !== undefined) warnings.push(outputs.warning)
  const since = readSince(sinceValue, hashes, file)
  if (since.warning !== undefined) warnings.push(since.warning)
  return { hashes, since: since.since, outputs: outputs.outputs, warnings }
}

interface UnchangedInput {
  ids: readonly string[]
  done: readonly boolean[]
  depsOf: readonly (readonly number[])[]
  /** Dependencies before dependents. */
  order: readonly number[]
  /** By plan index: the phase's input hash, null without one. */
  hashes: readonly (string | null)[]
  stored: ReadonlyMap<string, string>
}

/** By plan index: whether the phase is unchanged (runs nowhere, counts as succeeded). */
export function unchangedPhases(input: UnchangedInput): boolean[] {
  const count = input.ids.length
  const unchanged = new Array<boolean>(count).fill(false)
  // Settled: unchanged, or done with every dependency settled.
  const settled = new Array<boolean>(count).fill(false)
  for (const index of input.order) {
    const depsSettled = at(input.depsOf, index).every(
      dep => settled[dep] === true
    )
    const hash = at(input.hashes, index)
    const id = at(input.ids, index)
    if (
      depsSettled &&
      input.done[index] !== true &&
      hash !== null &&
      input.stored.get(id) === hash
    ) {
      unchanged[index] = true
    }
    settled[index] =
      depsSettled && (unchanged[index] || input.done[index] === true)
  }
  return unchanged
}

interface HandedOnInput extends UnchangedInput {
  dependentsOf: readonly (readonly number[])[]
  /** The store's outputs of its entries (parsePassedStore). */
  storedOutputs: ReadonlyMap<string, Outputs>
  /** Most UTF-8 bytes the handed-on outputs may take as JSON. */
  limit: number
}

interface HandedOn {
  /** By plan index: unchanged, and what it wrote can be handed on. */
  unchanged: boolean[]
  /**
   * The stored outputs of the unchanged phases that a phase that runs
   * depends on, by id: what the phases that run read in $PHASE_INPUTS.
   */
  outputs: OutputsById
  /** Unchanged phases whose stored outputs did not fit `limit`: they run. */
  dropped: string[]
}

/**
 * The unchanged phases and the outputs they hand on, within `limit` bytes
 * (one environment string of the jobs that read them): while they do not
 * fit, the phase with the largest outputs counts as changed and runs (its
 * dependents with it: unchangedPhases again), so no phase that runs ever
 * misses what a dependency wrote. O(k · (V + E) + size of the outputs)
 * for k phases dropped.
 */
export function unchangedWithOutputs(input: HandedOnInput): HandedOn {
  const stored = new Map(input.stored)
  const dropped: string[] = []
  for (;;) {
    const unchanged = unchangedPhases({ ...input, stored })
    const runs = (index: number): boolean =>
      !unchanged[index] && input.done[index] !== true
    const handed: [string, Outputs, number][] = []
    unchanged.forEach((isUnchanged, index) => {
      const id = at(input.ids, index)
      const outputs = input.storedOutputs.get(id)
      if (!isUnchanged || outputs === undefined) return
      if (!at(input.dependentsOf, index).some(runs)) return
      const size = Buffer.byteLength(JSON.stringify({ [id]: outputs }))
      handed.push([id, outputs, size])
    })
    const total = Math.max(
      2,
      1 + handed.reduce((sum, [, , size]) => sum + size - 1, 0)
    )
    const largest = handed.reduce<[string, Outputs, number] | undefined>(
      (max, entry) => (max === undefined || entry[2] > max[2] ? entry : max),
      undefined
    )
    if (total <= input.limit || largest === undefined) {
      const outputs = Object.fromEntries(
        handed.map(([id, values]) => [id, values] as const)
      )
      return { unchanged, outputs, dropped }
    }
    stored.delete(largest[0])
    dropped.push(largest[0])
  }
}

/**
 * A short digest of every phase's input hash (null as `-`), which the
 * state carries from the plan step to the report: 16 hex digits of a
 * sha256. O(V).
 */
export function hashesDigest(hashes: readonly (string | null)[]): string {
  return createHash('sha256')
    .update(hashes.map(hash => hash ?? '-').join('\n'))
    .digest('hex')
    .slice(0, 16)
}

/**
 * ` (passed in run 123)`, ` (passed in runs 120, 123 and 2 more)`: the runs
 * the unchanged phases passed in, newest first; '' when the store says none.
 */
export function passedInWords(
  unchangedIds: readonly string[],
  since: ReadonlyMap<string, string>
): string {
  const runs = [
    ...new Set(unchangedIds.flatMap(id => since.get(id) ?? []))
  ].sort((a, b) => b.length - a.length || (a < b ? 1 : a > b ? -1 : 0))
  if (runs.length === 0) return ''
  const shown = runs.slice(0, 3)
  const more = runs.length > 3 ? ` and ${runs.length - 3} more` : ''
  return runs.length === 1
    ? ` (passed in run ${shown.join('')})`
    : ` (passed in runs ${shown.join(', ')}${more})`
}

/** How many phases a written store holds a hash of. */
export function storedPhaseCount(store: PassedStoreFile): number {
  return Object.values(store).filter(value => typeof value === 'string').length
}

/** A written store's outputs: phase id → what it wrote to $PHASE_OUTPUT. */
export function outputsOf(store: PassedStoreFile): OutputsById {
  const outputs = store[OUTPUTS_KEY]
  if (typeof outputs !== 'object') return {}
  return Object.fromEntries(
    Object.entries(outputs).flatMap(([id, written]) =>
      isOutputs(written) ? [[id, written] as const] : []
    )
  )
}

/** A written store's runs: phase id → the run its entry passed in. */
export function sinceOf(store: PassedStoreFile): Map<string, string> {
  const since = store[SINCE_KEY]
  if (typeof since !== 'object') return new Map()
  return new Map(
    Object.entries(since).flatMap(([id, run]) =>
      typeof run === 'string' ? [[id, run] as const] : []
    )
  )
}

export interface MergeInput {
  ids: readonly string[]
  statuses: readonly PhaseStatus[]
  /** By plan index: the input hash this run's phases ran on, null without one. */
  hashes: readonly (string | null)[]
  /** The old store's usable entries (parsePassedStore). */
  stored: ReadonlyMap<string, string>
  /** The old store's runs of those entries. */
  storedSince?: ReadonlyMap<string, string>
  /** This run's id (GITHUB_RUN_ID), recorded for its passes; none outside a runner. */
  run?: string
  /** By plan index: what this run's phases wrote to $PHASE_OUTPUT (succeeded ones). */
  outputs?: readonly (Outputs | undefined)[]
  /** The old store's outputs of its entries. */
  storedOutputs?: ReadonlyMap<string, Outputs>
}

/**
 * The store after a run, in plan order: a phase that passed in this run
 * (succeeded, in an earlier attempt too, or unchanged) gets the hash it ran
 * on; a phase that failed loses its entry (it did not pass on these
 * inputs); any other phase (skipped, not reached, done) keeps the old
 * entry. Entries naming no phase of the plan are dropped. Each entry keeps
 * the run it passed in (`passed in run`) and what it wrote (`phase
 * outputs`): this run's for a pass of this run, the old store's for an
 * unchanged or kept entry. O(V + size of the outputs).
 */
export function mergedStore(input: MergeInput): PassedStoreFile {
  // Entries, then fromEntries: an id such as `__proto__` stays a key.
  const store: [string, string][] = []
  const since: [string, string][] = []
  const outputs: [string, Outputs][] = []
  const keep = (
    id: string,
    hash: string,
    run?: string,
    written?: Outputs
  ): void => {
    store.push([id, hash])
    if (run !== undefined) since.push([id, run])
    if (written !== undefined && Object.keys(written).length > 0)
      outputs.push([id, written])
  }
  input.ids.forEach((id, index) => {
    const status = at(input.statuses, index)
    const hash = at(input.hashes, index)
    const old = input.stored.get(id)
    const oldRun = input.storedSince?.get(id)
    const oldOutputs = input.storedOutputs?.get(id)
    // An unchanged phase did not run: it passed when its entry says.
    const ranNow = status === 'succeeded' || status === 'succeeded-earlier'
    if (ranNow && hash !== null)
      keep(id, hash, input.run, input.outputs?.[index])
    else if (status === 'unchanged' && hash !== null)
      keep(id, hash, oldRun, oldOutputs)
    else if (isFailed(status)) return
    else if (old !== undefined) keep(id, old, oldRun, oldOutputs)
  })
  const entries: [string, PassedStoreFile[string]][] = [...store]
  if (since.length > 0) entries.push([SINCE_KEY, Object.fromEntries(since)])
  if (outputs.length > 0)
    entries.push([OUTPUTS_KEY, Object.fromEntries(outputs)])
  return Object.fromEntries(entries)
}
