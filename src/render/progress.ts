// The progress lines of the plan and settle steps' logs, worded once: the
// batch a step hands out, and what became of each phase. Pure.
import { isSucceeded, type PhaseStatus } from '../plan/state.js'
import { formatSeconds, outcomeIcon, outcomeWord } from './report.js'

/**
 * `Executing batch 2/3 with 2 phase(s)…: a, b`: the round a step hands out
 * (a batch is a round), of the rounds a green run has; `note` is put
 * before the colon as given.
 */
export function executingBatchLine(
  round: number,
  rounds: number,
  ids: readonly string[],
  note = ''
): string {
  return `Executing batch ${round}/${rounds} with ${ids.length} phase(s)${note}: ${ids.join(', ')}`
}

/** What became of one phase: `✓ Phase a completed: success (1m 2s)`, or skipped and why. */
export function phaseLine(
  id: string,
  status: PhaseStatus,
  reason: string,
  seconds: number | undefined
): string {
  if (status === 'unchanged') {
    return `${outcomeIcon(status)} Phase ${id} unchanged: ${reason}`
  }
  if (status === 'skipped' || status === 'fail-fast') {
    return `${outcomeIcon(status)} Phase ${id} skipped: ${reason}`
  }
  const detail = [reason, formatSeconds(seconds)]
    .filter(part => part !== '')
    .join(', ')
  return `${outcomeIcon(status)} Phase ${id} completed: ${isSucceeded(status) ? 'success' : outcomeWord(status)}${detail === '' ? '' : ` (${detail})`}`
}

/** A phase a re-run passes over. */
export function succeededEarlierLine(id: string): string {
  return `✓ Phase ${id} succeeded in an earlier attempt of this run: not run again`
}
