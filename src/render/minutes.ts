// Minutes as people read them: at most two decimals, no trailing zeros
// (`90`, `91.5`, `0.25`). O(1).

/** Rounded to hundredths, for JSON and text alike. */
export function roundMinutes(minutes: number): number {
  return Math.round(minutes * 100) / 100
}

export function formatMinutes(minutes: number): string {
  return String(roundMinutes(minutes))
}

/** Time saved by `parallel` against `sequential`, in whole percent. */
export function savingPercent(sequential: number, parallel: number): number {
  return sequential > 0 ? Math.round((1 - parallel / sequential) * 100) : 0
}
