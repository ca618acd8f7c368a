// Each phase's input hash: what it reads (the tracked files its `inputs`
// globs take, with the `global_inputs`), what it is (its definition) and
// what it receives (its dependencies' hashes), so a change below changes
// everything above. Pure: the file list comes from the git adapter
// (src/repo/passed.ts). sha256 (node:crypto) over a versioned, unambiguous
// encoding, so equal inputs give equal hashes on every machine.
//
// A phase without `inputs:` has no hash (null) and always runs; so has a
// phase with a dependency without one (what it receives cannot be known).
//
// Cost: the file list is sorted by path, so a pattern with a literal folder
// (`packages/db/**`) looks only at the files under it (binary search, then
// that run); a pattern that starts with a wildcard (`**/*.ts`) looks at
// every file. A file a positive pattern takes is then tested against the
// patterns after it only (the last match decides): O(P · G · (log F + F_g))
// matches for P phases of G patterns, where F_g ≤
// F is the files under the patterns' folders — O(F · G) per phase at worst.
//
// Below, the store of passed phases: which phases their hashes make unchanged.
import { createHash } from 'node:crypto'

import { at } from './at.js'
import { compileGlob, globMatches } from './globs.js'
import type { Glob } from './globs.js'
import type { Phase, PlanAnalysis } from './types.js'
import { isFailed, type PhaseStatus } from './state.js'

/** One tracked file as git's index (or the working tree) has it. */
export interface IndexEntry {
  /** Path from the repository root, `/` between folders. */
  path: string
  /** `100644`, `100755`, `120000` (a link), `160000` (a submodule). */
  mode: string
  /** git's object id of the content (hex). */
  id: string
}

/** Bumped when the encoding changes, so old stores never match. */
const HASH_VERSION = 'phase-matrix input hash 1'

/** A positive pattern that takes no tracked file: probably a typo. */
interface UnmatchedPattern {
  /** The phase, or undefined for `global_inputs`. */
  phase?: string
  pattern: string
}

export interface InputHashes {
  /** By plan index: hex sha256, or null when the phase has no hash. */
  hashes: (string | null)[]
  unmatched: UnmatchedPattern[]
}

/** `files` sorted by path in JavaScript's string order (a copy if needed). */
export function sortedEntries(
  files: readonly IndexEntry[]
): readonly IndexEntry[] {
  for (let i = 1; i < files.length; i++) {
    if ((files[i - 1]?.path ?? '') > (files[i]?.path ?? '')) {
      return [...files].sort((a, b) =>
        a.path < b.path ? -1 : a.path > b.path ? 1 : 0
      )
    }
  }
  return files
}

/** First index whose path is not below `key`. O(log F). */
function lowerBound(files: readonly IndexEntry[], key: string): number {
  let lo = 0
  let hi = files.length
  while (lo < hi) {
    const mid = (lo + hi) >>> 1
    if ((files[mid]?.path ?? '') < key) lo = mid + 1
    else hi = mid
  }
  return lo
}

/** The index range `[from, to)` of the files under a literal prefix. */
interface Range {
  /** The file that is the prefix itself, or -1. */
  exact: number
  from: number
  to: number
}

/**
 * The files that are `prefix` or under it (every file for ''): the path
 * itself, then the run of `prefix/…`, contiguous in sorted order. O(log F).
 */
function rangeOf(files: readonly IndexEntry[], prefix: string): Range {
  if (prefix === '') return { exact: -1, from: 0, to: files.length }
  const at = lowerBound(files, prefix)
  const exact = files[at]?.path === prefix ? at : -1
  const folder = prefix + '/'
  const from = lowerBound(files, folder)
  // '0' follows '/': the first path past the folder's run.
  const to = lowerBound(files, prefix + '0')
  return { exact, from, to }
}

/**
 * Whether file `path`, which positive pattern `k` matches, is taken: the
 * last pattern that matches decides, so only patterns after `k` are asked.
 */
function takenFrom(globs: readonly Glob[], k: number, path: string): boolean {
  for (let j = globs.length - 1; j > k; j--) {
    const glob = globs[j]
    if (glob !== undefined && globMatches(glob, path)) return !glob.negated
  }
  return true
}

/**
 * The files (indices into sorted `files`, ascending) that the ordered
 * patterns take, and the positive patterns that take none.
 */
export function selectFiles(
  files: readonly IndexEntry[],
  globs: readonly Glob[]
): { taken: number[]; unmatched: Glob[] } {
  const positives = globs.filter(glob => !glob.negated).length
  // Only needed when two positive patterns may look at the same file.
  const looked = positives > 1 ? new Uint8Array(files.length) : undefined
  const taken: number[] = []
  const unmatched: Glob[] = []
  globs.forEach((glob, k) => {
    if (glob.negated) return
    let found = false
    const range = rangeOf(files, glob.prefix)
    const sure = glob.kind === 'under'
    // The prefix itself first (it sorts before its folder's run), then the run.
    const first = range.exact === -1 ? range.from : range.from - 1
    for (let i = first; i < range.to; i++) {
      const index = i < range.from ? range.exact : i
      const path = files[index]?.path ?? ''
      if (!sure && !globMatches(glob, path)) continue
      found = true
      if (looked !== undefined) {
        if (looked[index] === 1) continue
        looked[index] = 1
      }
      if (takenFrom(globs, k, path)) taken.push(index)
    }
    if (!found) unmatched.push(glob)
  })
  // One positive pattern takes its files in order; more may interleave.
  if (looked !== undefined) taken.sort((a, b) => a - b)
  return { taken, unmatched }
}

/** sha256 of the taken files: mode, id and path of each, in path order. */
function filesDigest(
  files: readonly IndexEntry[],
  taken: readonly number[]
): string {
  const hash = createHash('sha256')
  // Fed in chunks: one update per file costs more than the hashing.
  let chunk = ''
  for (const index of taken) {
    const file = files[index]
    if (file === undefined) continue
    // A path has no NUL; lengths are implied by the separators.
    chunk += `${file.mode} ${file.id} ${file.path}\0`
    if (chunk.length > 65_536) {
      hash.update(chunk)
      chunk = ''
    }
  }
  return hash.update(chunk).digest('hex')
}

/** What a phase is: every field that changes what it does. */
function definitionOf(phase: Phase): string {
  return JSON.stringify([
    phase.id,
    phase.run ?? null,
    phase.runsOn ?? null,
    phase.timeoutMinutes ?? null,
    phase.inputs ?? null
  ])
}

/**
 * By plan index: whether the phase can have an input hash at all (it lists
 * `inputs:` and so does every dependency, transitively), the rule
 * inputHashes follows. A phase that cannot is never unchanged: it always
 * runs. From the plan alone, no files. O(V + E).
 */
export function hashablePhases(analysis: PlanAnalysis): boolean[] {
  const { phases } = analysis.plan
  const hashable = new Array<boolean>(phases.length).fill(false)
  for (const index of analysis.waves.flat()) {
    const inputs = phases[index]?.inputs
    hashable[index] =
      inputs !== undefined &&
      inputs.length > 0 &&
      at(analysis.depsOf, index).every(dep => hashable[dep] === true)
  }
  return hashable
}

interface HashOptions {
  /**
   * Anything else that changes what every phase does (a setup command
   * run before each phase); part of every hash.
   */
  context?: string
}

/**
 * Every phase's input hash. `files` must be sorted (sortedEntries).
 * Dependencies before dependents, in the analysis's wave order.
 */
export function inputHashes(
  analysis: PlanAnalysis,
  files: readonly IndexEntry[],
  options: HashOptions = {}
): InputHashes {
  const { phases, globalInputs = [] } = analysis.plan
  const unmatched: UnmatchedPattern[] = []
  const global = globalInputs.map(compileGlob)
  const globalSelection = selectFiles(files, global)
  for (const glob of globalSelection.unmatched) {
    unmatched.push({ pattern: glob.source })
  }
  const globalDigest = filesDigest(files, globalSelection.taken)
  const hashes: (string | null)[] = new Array<string | null>(
    phases.length
  ).fill(null)
  for (const index of analysis.waves.flat()) {
    const phase = phases[index]
    const inputs = phase?.inputs
    if (phase === undefined || inputs === undefined || inputs.length === 0) {
      continue
    }
    const deps = at(analysis.depsOf, index).map(dep => ({
      id: phases[dep]?.id ?? '',
      hash: at(hashes, dep)
    }))
    const selection = selectFiles(files, inputs.map(compileGlob))
    for (const glob of selection.unmatched) {
      unmatched.push({ phase: phase.id, pattern: glob.source })
    }
    if (deps.some(dep => dep.hash === null)) continue
    deps.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    hashes[index] = createHash('sha256')
      .update(
        JSON.stringify([
          HASH_VERSION,
          options.context ?? null,
          definitionOf(phase),
          globalInputs,
          globalDigest,
          filesDigest(files, selection.taken),
          deps.map(dep => [dep.id, dep.hash])
        ])
      )
      .digest('hex')
  }
  return { hashes, unmatched }
}

// The store of passed phases, `{"<id>": "<input hash>"}` (and, under the key
// `passed in run`, the run each entry passed in), and which phases it makes
// **unchanged**. Pure: the edge reads the file (at most
// MAX_STORE_BYTES) and hands over its text.
//
// A store can only ever make fewer phases run, so every doubt makes it say
// less: a file that is not a JSON object of strings is ignored as a whole
// (a warning, every phase runs); an entry that is not a hash, or names no
// phase of the plan, is ignored (one warning for all of them); a null
// entry (`hash --format json` of a phase without inputs) is skipped. A phase is
// unchanged when its hash is stored and every one of its dependencies is
// unchanged or done (with its own dependencies settled the same way), so
// no unchanged phase ever waits for, or is skipped by, a phase that runs.
// O(text + V + E).

/** Stores above this are refused before they are read (5,000 entries take ~1 MB). */
export const MAX_STORE_BYTES = 8 * 1024 * 1024

/** A stored hash: hex sha256, as inputHashes writes it. */
const HASH = /^[0-9a-f]{64}$/

/**
 * The store's key for `{"<id>": "<run id>"}`, the run each entry passed
 * in: it has a space, which no phase id has, so it never names a phase.
 */
export const SINCE_KEY = 'passed in run'

/** A run id as GITHUB_RUN_ID gives it. */
const RUN_ID = /^[1-9]\d{0,19}$/

export interface PassedStore {
  /** Phase id → stored hash, only well-formed entries. */
  hashes: Map<string, string>
  /** Phase id → the run it passed in, for entries of `hashes` that say. */
  since: Map<string, string>
  /** What was ignored, each naming the file. */
  warnings: string[]
}

/** A store as written: hashes by id, and the runs they passed in. */
export type PassedStoreFile = Record<string, string | Record<string, string>>

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
    hashes,
    since: new Map(),
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
  for (const [id, value] of Object.entries(data)) {
    if (id === SINCE_KEY) sinceValue = value
    // `hash --format json` writes null for a phase without inputs.
    if (value === null || id === SINCE_KEY) continue
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
  const since = readSince(sinceValue, hashes, file)
  if (since.warning !== undefined) warnings.push(since.warning)
  return { hashes, since: since.since, warnings }
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

/** A written store's runs: phase id → the run its entry passed in. */
export function sinceOf(store: PassedStoreFile): Map<string, string> {
  const since = store[SINCE_KEY]
  return new Map(typeof since === 'object' ? Object.entries(since) : undefined)
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
}

/**
 * The store after a run, in plan order: a phase that passed in this run
 * (succeeded, in an earlier attempt too, or unchanged) gets the hash it ran
 * on; a phase that failed loses its entry (it did not pass on these
 * inputs); any other phase (skipped, not reached, done) keeps the old
 * entry. Entries naming no phase of the plan are dropped. Each entry keeps
 * the run it passed in (`passed in run`): this run for a pass of this run,
 * the old store's for an unchanged or kept entry. O(V).
 */
export function mergedStore(input: MergeInput): PassedStoreFile {
  const store: Record<string, string> = {}
  const since: Record<string, string> = {}
  input.ids.forEach((id, index) => {
    const status = at(input.statuses, index)
    const hash = at(input.hashes, index)
    const old = input.stored.get(id)
    const oldRun = input.storedSince?.get(id)
    // An unchanged phase did not run: it passed when its entry says.
    const ranNow = status === 'succeeded' || status === 'succeeded-earlier'
    if ((ranNow || status === 'unchanged') && hash !== null) {
      store[id] = hash
      const run = ranNow ? input.run : oldRun
      if (run !== undefined) since[id] = run
    } else if (isFailed(status)) return
    else if (old !== undefined) {
      store[id] = old
      if (oldRun !== undefined) since[id] = oldRun
    }
  })
  return Object.keys(since).length === 0
    ? store
    : { ...store, [SINCE_KEY]: since }
}
