// "Did you mean" for ids: the candidate at the smallest edit distance, if it
// is close enough to be a plausible typo. The distance is the optimal string
// alignment distance (Levenshtein plus the swap of two neighbours, so
// `biuld` is one edit from `build`). O(candidates × length²) at worst;
// candidates whose length differs too much are skipped cheaply.
import { intAt } from './at.js'

/**
 * The closest candidate within a typo's distance of `word`, if any, never
 * `exclude` (a phase is no suggestion for its own unknown dependency) and
 * never one that shares nothing with `word` (distance = its length).
 */
export function closestMatch(
  word: string,
  candidates: Iterable<string>,
  exclude?: string
): string | undefined {
  const limit = Math.min(
    Math.max(1, Math.floor(word.length / 3)),
    word.length - 1
  )
  let best: string | undefined
  let bestDistance = limit + 1
  const folded = word.toLowerCase()
  for (const candidate of candidates) {
    if (candidate === exclude) continue
    if (Math.abs(candidate.length - word.length) >= bestDistance) continue
    const distance = editDistance(folded, candidate.toLowerCase(), bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/**
 * Optimal string alignment distance (insert, delete, substitute, swap two
 * neighbours), giving up (returning `cap`) once a whole row reaches `cap`.
 */
export function editDistance(a: string, b: string, cap: number): number {
  let beforePrevious = new Int32Array(b.length + 1)
  let previous = new Int32Array(b.length + 1)
  let current = new Int32Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      let value = Math.min(
        intAt(previous, j) + 1,
        intAt(current, j - 1) + 1,
        intAt(previous, j - 1) + cost
      )
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        value = Math.min(value, intAt(beforePrevious, j - 2) + 1)
      }
      current[j] = value
      if (value < rowMin) rowMin = value
    }
    if (rowMin >= cap) return cap
    ;[beforePrevious, previous, current] = [previous, current, beforePrevious]
  }
  return intAt(previous, b.length)
}

// "Did you mean" for keys: a misspelt or foreign key → the key we know.
// Tried in order: the same key but for case and `-`/`_`/space (`runs_on` →
// `runs-on`), a known synonym (`depends_on` → `deps`), then the closest key
// within a typo's edit distance. O(keys × length²).

/** Lower case without separators: `Timeout_Minutes` → `timeoutminutes`. */
function fold(key: string): string {
  return key.toLowerCase().replace(/[-_\s]/g, '')
}

/**
 * The known key `key` was probably meant to be, if any.
 * `synonyms` maps folded foreign words to known keys.
 */
export function suggestKey(
  key: string,
  known: readonly string[],
  synonyms: Readonly<Record<string, string>> = {}
): string | undefined {
  const folded = fold(key)
  for (const candidate of known) {
    if (fold(candidate) === folded) return candidate
  }
  if (Object.hasOwn(synonyms, folded)) return synonyms[folded]
  return closestMatch(key, known)
}
