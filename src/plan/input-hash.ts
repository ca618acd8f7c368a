// Each phase's input hash: what it reads (the tracked files its `inputs`
// globs take, with the `global_inputs`), what it is (its definition) and
// what it receives (its dependencies' hashes), so a change below changes
// everything above. Pure: the file list comes from the git adapter
// (src/git-index.ts). sha256 (node:crypto) over a versioned, unambiguous
// encoding, so equal inputs give equal hashes on every machine.
//
// A phase without `inputs:` has no hash (null) and always runs; so has a
// phase with a dependency without one (what it receives cannot be known).
//
// Cost: the file list is sorted by path, so a pattern with a literal folder
// (`packages/db/**`) looks only at the files under it (binary search, then
// that run); a pattern that starts with a wildcard (`**/*.ts`) looks at
// every file. Each file looked at is tested against the phase's patterns:
// O(P · G · (log F + F_g)) matches for P phases of G patterns, where F_g ≤
// F is the files under the patterns' folders — O(F · G) per phase at worst.
import { createHash } from 'node:crypto'

import { compileGlob, globMatches, globsTake } from './globs.js'
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
export const HASH_VERSION = 'phase-matrix input hash 1'

/** A positive pattern that takes no tracked file: probably a typo. */
export interface UnmatchedPattern {
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

/**
 * Indices of the files that are `prefix` or under it (every file for ''):
 * the path itself, then the run of `prefix/…`, contiguous in sorted order.
 */
function* underPrefix(
  files: readonly IndexEntry[],
  prefix: string
): Generator<number> {
  if (prefix === '') {
    for (let i = 0; i < files.length; i++) yield i
    return
  }
  const exact = lowerBound(files, prefix)
  if (files[exact]?.path === prefix) yield exact
  const folder = prefix + '/'
  for (let i = lowerBound(files, folder); i < files.length; i++) {
    if (!(files[i]?.path ?? '').startsWith(folder)) return
    yield i
  }
}

/**
 * The files (indices into sorted `files`, ascending) that the ordered
 * patterns take, and the positive patterns that take none.
 */
export function selectFiles(
  files: readonly IndexEntry[],
  globs: readonly Glob[]
): { taken: number[]; unmatched: Glob[] } {
  const looked = new Set<number>()
  const taken: number[] = []
  const unmatched: Glob[] = []
  for (const glob of globs) {
    if (glob.negated) continue
    let found = false
    for (const index of underPrefix(files, glob.prefix)) {
      const file = files[index]
      if (file === undefined) continue
      if (!found && globMatches(glob, file.path)) found = true
      if (looked.has(index)) continue
      looked.add(index)
      if (globsTake(globs, file.path)) taken.push(index)
    }
    if (!found) unmatched.push(glob)
  }
  taken.sort((a, b) => a - b)
  return { taken, unmatched }
}

/** sha256 of the taken files: mode, id and path of each, in path order. */
function filesDigest(
  files: readonly IndexEntry[],
  taken: readonly number[]
): string {
  const hash = createHash('sha256')
  for (const index of taken) {
    const file = files[index]
    if (file === undefined) continue
    // A path has no NUL; lengths are implied by the separators.
    hash.update(`${file.mode} ${file.id} ${file.path}\0`)
  }
  return hash.digest('hex')
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

export interface HashOptions {
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
    const deps = (analysis.depsOf[index] ?? []).map(dep => ({
      id: phases[dep]?.id ?? '',
      hash: hashes[dep] ?? null
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
