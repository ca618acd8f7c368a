// What the edge reads off a thrown value, without casts: its message for a
// one-line report, and the code Node's file system errors carry (ENOENT, …).

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
