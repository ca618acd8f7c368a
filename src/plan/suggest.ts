// "Did you mean" for keys: a misspelt or foreign key → the key we know.
// Tried in order: the same key but for case and `-`/`_`/space (`runs_on` →
// `runs-on`), a known synonym (`depends_on` → `deps`), then the closest key
// within a typo's edit distance. O(keys × length²).

import { closestMatch } from './closest-id.js'

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
