// The plain rule selectFiles (src/plan/input-hash.ts) must agree with: a
// reference for the tests, one pattern after another for every file.
import { globMatches, type Glob } from '../../src/plan/globs.js'

/**
 * Whether an ordered list of patterns takes `file`: the last pattern that
 * matches it decides (`!` excludes). O(patterns) matches.
 */
export function globsTake(globs: readonly Glob[], file: string): boolean {
  for (let i = globs.length - 1; i >= 0; i--) {
    const glob = globs[i]
    if (glob !== undefined && globMatches(glob, file)) return !glob.negated
  }
  return false
}
