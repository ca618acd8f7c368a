// The edge of "don't run what already passed": reads a store of passed
// phases (`--passed FILE`, at most MAX_STORE_BYTES, only a regular file),
// hashes the plan's phases from git (git-index.ts) and says which phases
// are unchanged (input-hash.ts). A store that cannot be used as data is
// ignored with a warning; one that cannot be read at all is a UsageError.
import { closeSync, readFileSync } from 'node:fs'

import { errorCode } from './error-parts.js'
import { readTrackedFiles } from './git-index.js'
import { describeFsError, openRegularFile } from './open-file.js'
import { UsageError } from './plan/errors.js'
import {
  inputHashes,
  sortedEntries,
  type InputHashes,
  MAX_STORE_BYTES,
  parsePassedStore,
  unchangedPhases
} from './plan/input-hash.js'
import type { PlanAnalysis } from './plan/types.js'

/** Every phase's input hash, from the repository holding `cwd`. */
export async function hashPlan(
  analysis: PlanAnalysis,
  cwd: string
): Promise<InputHashes> {
  const { files } = await readTrackedFiles(cwd)
  return inputHashes(analysis, sortedEntries(files))
}

/** Warnings about patterns that take no tracked file (probably typos). */
export function unmatchedWarnings(hashes: InputHashes): string[] {
  return hashes.unmatched.map(({ phase, pattern }) =>
    phase === undefined
      ? `global_inputs pattern ${JSON.stringify(pattern)} matches no tracked file`
      : `inputs pattern ${JSON.stringify(pattern)} of phase ${phase} matches no tracked file`
  )
}

/**
 * The text of a store; undefined when there is none yet (a first run).
 * Anything but a regular file up to MAX_STORE_BYTES is a UsageError.
 */
export function readStoreText(
  file: string,
  shown: string,
  /** How messages name the store: the CLI's flag, or an action input. */
  name = '--passed'
): string | undefined {
  let fd: number | undefined
  try {
    const opened = openRegularFile(file)
    if ('kind' in opened) {
      throw new UsageError(`${name} ${shown} is ${opened.kind}, not a file`)
    }
    fd = opened.fd
    if (opened.stat.isDirectory()) {
      throw new UsageError(`${name} ${shown} is a folder, not a file`)
    }
    if (opened.stat.size > MAX_STORE_BYTES) {
      throw new UsageError(
        `${name} ${shown} is ${opened.stat.size} bytes; a store of passed phases is at most ${MAX_STORE_BYTES} (8 MiB)`
      )
    }
    return readFileSync(fd, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = errorCode(error)
    if (code === 'ENOENT') return undefined
    const reason = describeFsError(code)
    if (reason === undefined) throw error
    throw new UsageError(`${name} ${shown} ${reason}`)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

export interface Unchanged {
  /** By plan index. */
  unchanged: boolean[]
  hashes: InputHashes
  /** Store and pattern warnings, for standard error. */
  warnings: string[]
}

/** Which phases `--passed FILE` makes unchanged. */
export async function readUnchanged(
  analysis: PlanAnalysis,
  file: string,
  shown: string,
  cwd: string
): Promise<Unchanged> {
  const text = readStoreText(file, shown)
  const hashes = await hashPlan(analysis, cwd)
  const { phases } = analysis.plan
  const ids = phases.map(phase => phase.id)
  const warnings = unmatchedWarnings(hashes)
  if (text === undefined) {
    warnings.push(
      `${shown}: not found; no phase counts as unchanged (a first run has no store)`
    )
    return { unchanged: ids.map(() => false), hashes, warnings }
  }
  const store = parsePassedStore(text, shown, ids)
  warnings.push(...store.warnings)
  const unchanged = unchangedPhases({
    ids,
    done: phases.map(phase => phase.done),
    depsOf: analysis.depsOf,
    order: analysis.waves.flat(),
    hashes: hashes.hashes,
    stored: store.hashes
  })
  return { unchanged, hashes, warnings }
}
