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
// The store of passed phases, which these hashes make unchanged: passed-store.ts.
import { createHash } from 'node:crypto'

import { at } from './at.js'
import { compileGlob, globMatches } from './globs.js'
import type { Glob } from './globs.js'
import type { Phase, PlanAnalysis } from './types.js'

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
