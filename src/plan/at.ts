// Checked reads for indices the algorithm knows are in range. With
// `noUncheckedIndexedAccess` every `list[i]` is `T | undefined`; a cast would
// hide a real off-by-one, these throw at the first wrong read instead.
//
// One function per kind of array, on purpose: V8 keeps one inline cache per
// function for its `items[index]`, and a cache that has seen more than four
// kinds of array (objects, small integers, doubles, Int32Array, …) turns
// megamorphic and slow for every caller. intAt and floatAt see one kind
// each, numberAt only plain number arrays, so in the hot graph loops the
// check costs about nothing.

function outside(items: ArrayLike<unknown>, index: number): RangeError {
  return new RangeError(
    `index ${index} is outside 0..${items.length - 1}: a bug in phase-matrix`
  )
}

/**
 * `items[index]`; throws a RangeError (a bug, not bad input) when absent.
 * For arrays of objects, arrays or strings; in hot loops over numbers use
 * the functions below, so that this one's cache stays fast for the rest.
 */
export function at<T>(items: ArrayLike<T>, index: number): T {
  const item = items[index]
  if (item === undefined) throw outside(items, index)
  return item
}

/** `items[index]` of a plain array of numbers; throws when absent. */
export function numberAt(items: readonly number[], index: number): number {
  const item = items[index]
  if (item === undefined) throw outside(items, index)
  return item
}

/** `items[index]` of an Int32Array; throws when out of range. */
export function intAt(items: Int32Array, index: number): number {
  const item = items[index]
  if (item === undefined) throw outside(items, index)
  return item
}

/** `items[index]` of a Float64Array; throws when out of range. */
export function floatAt(items: Float64Array, index: number): number {
  const item = items[index]
  if (item === undefined) throw outside(items, index)
  return item
}
