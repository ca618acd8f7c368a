// Where a phase stands in a run, and the questions every step asks of it
// (failed? succeeded? skipped? settled?). The ledger (state.ts) keeps one
// status per phase. O(1) each.

/** How a phase's job ended, as read from the jobs of the run. */
export type LegStatus =
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timed-out'
  /** Its job never reached a conclusion we could read. */
  | 'unknown'
  /** No job of this run carries its name. */
  | 'missing'
  /** Its job concluded neither success nor failure (skipped, neutral, …). */
  | 'other'

/** Where a phase stands. One character each in the encoded state. */
export type PhaseStatus =
  | LegStatus
  /** Not handed out yet. */
  | 'pending'
  /** Handed out in the current round; its result is not read yet. */
  | 'running'
  /** `status: done` in the plan: counts as succeeded, never runs. */
  | 'done'
  /** Succeeded in an earlier attempt of this run: not run again. */
  | 'succeeded-earlier'
  /**
   * Its input hash is the one a store of passed phases holds, and so is
   * every dependency's (passed-store.ts): counts as succeeded, never runs.
   */
  | 'unchanged'
  /** A dependency failed or was skipped. */
  | 'skipped'
  /** fail-fast: a phase failed, so no new phase started. */
  | 'fail-fast'

const FAILED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'failed',
  'cancelled',
  'timed-out',
  'unknown',
  'missing',
  'other'
])

const SUCCEEDED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'succeeded',
  'done',
  'succeeded-earlier',
  'unchanged'
])

const SKIPPED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'skipped',
  'fail-fast'
])

/** Ran (or was meant to) and did not succeed. */
export function isFailed(status: PhaseStatus): boolean {
  return FAILED.has(status)
}

export function isSucceeded(status: PhaseStatus): boolean {
  return SUCCEEDED.has(status)
}

export function isSkipped(status: PhaseStatus): boolean {
  return SKIPPED.has(status)
}

/** Nothing more will happen to it in this run. */
export function isSettled(status: PhaseStatus): boolean {
  return status !== 'pending' && status !== 'running'
}
