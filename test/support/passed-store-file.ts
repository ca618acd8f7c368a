// The store of passed phases as a test reads it back from a repository:
// whole (with the runs its entries passed in and their outputs) or only
// its hashes.
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { OUTPUTS_KEY, SINCE_KEY } from '../../src/plan/passed-store.js'

/** The store file under `dir`, as written. */
export function readStoreFile(
  dir: string,
  file: string
): Record<string, unknown> {
  return JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as Record<
    string,
    unknown
  >
}

/** The store's hashes, without `passed in run` and `phase outputs`. */
export function readStoreHashes(
  dir: string,
  file: string
): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(readStoreFile(dir, file)).filter(
      ([key]) => key !== SINCE_KEY && key !== OUTPUTS_KEY
    )
  )
}
