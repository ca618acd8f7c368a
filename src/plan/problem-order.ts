// Problems in reading order: by file, then line, then column. Stable, so
// problems at one position keep the order they were found in. O(n log n).
import type { Problem } from './types.js'

/** Reading order (Array.prototype.sort is stable). */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  return a.line - b.line || a.column - b.column
}

/** A sorted copy of `problems`. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(compareProblems)
}
