// Why a phase ended as it did, in one line: the Reason column of the final
// report and settle's log line per phase say it alike. O(1) a phase once
// skipCauses (plan/skips.ts) has run, plus the done phases it names.
import { at } from '../plan/at.js'
import { isFailed, type PhaseStatus, type Ledger } from '../plan/state.js'
import type { SkipCause } from '../plan/skips.js'
import type { PlanAnalysis } from '../plan/types.js'

/** How a job that did not succeed ended: `job timed out`, `dependency build failed (timed out)`. */
const ENDED = {
  cancelled: 'was cancelled',
  'timed-out': 'timed out',
  unknown: 'record not believed',
  missing: 'no record',
  other: 'concluded neither success nor failure'
} as const

function hasEndedWords(status: PhaseStatus): status is keyof typeof ENDED {
  return Object.hasOwn(ENDED, status)
}

/** `, via package, lint and 2 more (status: done)`: the done phases a skip passed through. */
function viaWords(cause: SkipCause, idOf: (index: number) => string): string {
  if (cause.via === undefined) return ''
  const more = (cause.viaCount ?? 0) - cause.via.length
  return `, via ${cause.via.map(idOf).join(', ')}${more > 0 ? ` and ${more} more` : ''} (status: done)`
}

/**
 * One line saying why a phase ended as it did ('' for a plain success).
 * @param since phase id → the run an unchanged phase passed in (the store's)
 */
export function reasonOf(
  analysis: PlanAnalysis,
  ledger: Ledger,
  index: number,
  causes: readonly SkipCause[],
  since?: ReadonlyMap<string, string>
): string {
  const phases = analysis.plan.phases
  const idOf = (i: number | undefined): string =>
    i === undefined ? 'a phase' : at(phases, i).id
  const status = at(ledger.statuses, index)
  const cause = causes[index] ?? {}
  switch (status) {
    case 'pending':
      return 'not reached'
    case 'running':
      return 'handed out; result not read yet'
    case 'succeeded': {
      const tries = ledger.attempts?.[index] ?? 1
      return tries > 1
        ? `flaky: failed ${tries - 1} time(s), passed on attempt ${tries} (retries)`
        : ''
    }
    case 'done':
      return 'status: done in the plan'
    case 'succeeded-earlier':
      return 'succeeded in an earlier attempt of this run'
    case 'unchanged': {
      const run = since?.get(at(phases, index).id)
      return run === undefined
        ? 'inputs unchanged since it passed: not run'
        : `inputs unchanged since it passed in run ${run}: not run`
    }
    case 'failed': {
      const tries = ledger.attempts?.[index] ?? 1
      return tries > 1
        ? `its command failed in all ${tries} attempts`
        : 'its command failed'
    }
    case 'cancelled':
    case 'timed-out':
    case 'other':
      return `job ${ENDED[status]}`
    case 'unknown':
      return 'the record of its leg was not believed'
    case 'missing':
      return 'its leg left no record (cancelled, crashed, or its output was dropped)'
    case 'skipped': {
      const dep = cause.dep
      const depStatus = dep === undefined ? undefined : ledger.statuses[dep]
      const via = viaWords(cause, idOf)
      if (depStatus !== undefined && isFailed(depStatus)) {
        const words = hasEndedWords(depStatus) ? ` (${ENDED[depStatus]})` : ''
        return `dependency ${idOf(dep)} failed${words}${via}`
      }
      return `dependency ${idOf(dep)} skipped (${idOf(cause.root)} failed)${via}`
    }
    case 'fail-fast':
      return `fail-fast: ${idOf(cause.root)} failed`
  }
}
