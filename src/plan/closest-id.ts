// "Did you mean" for ids: the candidate at the smallest edit distance, if it
// is close enough to be a plausible typo. O(candidates × length²) at worst;
// candidates whose length differs too much are skipped cheaply.

/** The closest candidate within a typo's distance of `word`, if any. */
export function closestMatch(
  word: string,
  candidates: Iterable<string>
): string | undefined {
  const limit = Math.max(1, Math.floor(word.length / 3))
  let best: string | undefined
  let bestDistance = limit + 1
  const folded = word.toLowerCase()
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) >= bestDistance) continue
    const distance = editDistance(folded, candidate.toLowerCase(), bestDistance)
    if (distance < bestDistance) {
      best = candidate
      bestDistance = distance
    }
  }
  return best
}

/** Levenshtein distance, giving up (returning `cap`) once it reaches `cap`. */
function editDistance(a: string, b: string, cap: number): number {
  let previous = new Int32Array(b.length + 1)
  let current = new Int32Array(b.length + 1)
  for (let j = 0; j <= b.length; j++) previous[j] = j
  for (let i = 1; i <= a.length; i++) {
    current[0] = i
    let rowMin = i
    for (let j = 1; j <= b.length; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1
      const value = Math.min(
        (previous[j] as number) + 1,
        (current[j - 1] as number) + 1,
        (previous[j - 1] as number) + cost
      )
      current[j] = value
      if (value < rowMin) rowMin = value
    }
    if (rowMin >= cap) return cap
    ;[previous, current] = [current, previous]
  }
  return previous[b.length] as number
}
