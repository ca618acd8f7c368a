// The errors a plan can raise (every problem found, not just the first)
// and the reading order of problems.
import type { Problem } from './types.js'

/**
 * A plan that cannot be used. Carries every problem found, not just the
 * first, so callers can report them all (CLI text, JSON, annotations).
 */
export class PlanError extends Error {
  readonly problems: Problem[]

  constructor(problems: Problem[]) {
    const errors = problems.filter(p => p.severity === 'error')
    const first = errors[0]
    super(
      first === undefined
        ? 'Invalid phase plan'
        : `${first.file}:${first.line}:${first.column}: ${first.message}` +
            (errors.length > 1 ? ` (and ${errors.length - 1} more)` : '')
    )
    this.name = 'PlanError'
    this.problems = problems
  }
}

/** A problem with how a command or action was called (exit code 2). */
export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

// What the edge reads off a thrown value, without casts.

/** The message of an Error, or the value as text. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Node's error code (`ENOENT`, `EACCES`, …), or undefined when there is none. */
export function errorCode(error: unknown): unknown {
  return typeof error === 'object' && error !== null && 'code' in error
    ? error.code
    : undefined
}

// Problems in reading order: by file, then line, then column. Stable, so
// problems at one position keep the order they were found in. O(n log n).
/** Reading order (Array.prototype.sort is stable). */
export function compareProblems(a: Problem, b: Problem): number {
  if (a.file !== b.file) return a.file < b.file ? -1 : 1
  return a.line - b.line || a.column - b.column
}

/** A sorted copy of `problems`. */
export function sortProblems(problems: readonly Problem[]): Problem[] {
  return [...problems].sort(compareProblems)
}
