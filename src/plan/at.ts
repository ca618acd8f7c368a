// A checked read for indices the algorithm knows are in range. With
// `noUncheckedIndexedAccess` every `list[i]` is `T | undefined`; a cast would
// hide a real off-by-one, this throws at the first wrong read instead.

/** `items[index]`; throws a RangeError (a bug, not bad input) when absent. */
export function at<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index]
  if (item === undefined) {
    throw new RangeError(
      `index ${index} is outside 0..${items.length - 1}: a bug in phase-matrix`
    )
  }
  return item
}
