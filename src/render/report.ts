// The final report (job summary of the last settle step): every phase with
// ✓ / ✗ / ⊘, its outcome, why, and how long it took, then the graph coloured
// by outcome. Kept under the summary size limit by dropping, in order, the
// graph, the rows of succeeded phases, and the rows past the limit.
// O(phases + deps).
import { skipCauses, type SkipCause } from '../plan/skips.js'
import {
  type PhaseStatus,
  isFailed,
  isSkipped,
  isSucceeded,
  type Ledger
} from '../plan/state.js'
import type { PlanAnalysis } from '../plan/types.js'
import type { PhaseOutcome } from './mermaid.js'
import { markdownText } from './markdown.js'
import { reasonOf } from './phase-reason.js'
import { renderMermaid } from './mermaid.js'
import { at } from '../plan/at.js'

/** The Mermaid colour of each status. */
function outcomeOfStatus(status: PhaseStatus): PhaseOutcome {
  switch (status) {
    case 'succeeded':
    case 'done':
    case 'succeeded-earlier':
    case 'unchanged':
      return 'succeeded'
    case 'cancelled':
      return 'cancelled'
    case 'timed-out':
      return 'timed-out'
    case 'failed':
    case 'unknown':
    case 'missing':
    case 'other':
      return 'failed'
    case 'skipped':
    case 'fail-fast':
      return 'skipped'
    case 'running':
      return 'running'
    case 'pending':
      return 'pending'
  }
}

/** The outcome column: what happened, in words. */
export function outcomeWord(status: PhaseStatus): string {
  switch (status) {
    case 'cancelled':
      return 'cancelled'
    case 'timed-out':
      return 'timed out'
    case 'pending':
      return 'not reached'
    case 'running':
      return 'running'
    case 'unchanged':
      return 'unchanged'
    default:
      if (isSucceeded(status)) return 'succeeded'
      if (isFailed(status)) return 'failed'
      return 'skipped'
  }
}

export function outcomeIcon(status: PhaseStatus): string {
  if (isSucceeded(status)) return '✓'
  if (isFailed(status)) return '✗'
  if (status === 'running') return '…'
  return '⊘'
}

/** `45s`, `3m 07s`, `1h 02m`; '' when unknown. */
export function formatSeconds(seconds: number | undefined): string {
  if (seconds === undefined) return ''
  if (seconds < 60) return `${seconds}s`
  const minutes = Math.floor(seconds / 60)
  if (minutes < 60)
    return `${minutes}m ${String(seconds % 60).padStart(2, '0')}s`
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`
}

interface Tally {
  /** Unchanged phases included (they count as succeeded). */
  succeeded: number
  /** Succeeded without running: inputs as when they passed. */
  unchanged: number
  failed: number
  cancelled: number
  timedOut: number
  skipped: number
  notReached: number
}

export function tally(statuses: readonly PhaseStatus[]): Tally {
  const counts: Tally = {
    succeeded: 0,
    unchanged: 0,
    failed: 0,
    cancelled: 0,
    timedOut: 0,
    skipped: 0,
    notReached: 0
  }
  for (const status of statuses) {
    if (isSucceeded(status)) {
      counts.succeeded++
      if (status === 'unchanged') counts.unchanged++
    } else if (isFailed(status)) {
      counts.failed++
      if (status === 'cancelled') counts.cancelled++
      if (status === 'timed-out') counts.timedOut++
    } else if (isSkipped(status)) counts.skipped++
    else counts.notReached++
  }
  return counts
}

/** `2 failed (1 cancelled), 3 skipped, 4 succeeded (1 unchanged)`. */
export function formatTally(counts: Tally): string {
  const parts: string[] = []
  if (counts.failed > 0) {
    const kinds: string[] = []
    if (counts.cancelled > 0) kinds.push(`${counts.cancelled} cancelled`)
    if (counts.timedOut > 0) kinds.push(`${counts.timedOut} timed out`)
    parts.push(
      `${counts.failed} failed${kinds.length > 0 ? ` (${kinds.join(', ')})` : ''}`
    )
  }
  if (counts.skipped > 0) parts.push(`${counts.skipped} skipped`)
  if (counts.notReached > 0) parts.push(`${counts.notReached} not reached`)
  parts.push(
    `${counts.succeeded} succeeded${counts.unchanged > 0 ? ` (${counts.unchanged} unchanged)` : ''}`
  )
  return parts.join(', ')
}

/** `; 3 unchanged (not run: inputs as when they passed)`, '' for none. */
function unchangedWords(counts: Tally): string {
  return counts.unchanged === 0
    ? ''
    : `; ${counts.unchanged} unchanged (not run: inputs as when they passed)`
}

interface ReportOptions {
  /** Most bytes (UTF-8) of the whole report. */
  maxBytes: number
  /** Phase id → the run an unchanged phase passed in (the store's). */
  since?: ReadonlyMap<string, string>
}

const HEADER = [
  '|   | Phase | Wave | Outcome | Reason | Duration |',
  '|:-:|---|--:|---|---|--:|'
]

function row(
  analysis: PlanAnalysis,
  ledger: Ledger,
  index: number,
  causes: readonly SkipCause[],
  since?: ReadonlyMap<string, string>
): string {
  const phase = at(analysis.plan.phases, index)
  const status = at(ledger.statuses, index)
  const cells = [
    outcomeIcon(status),
    markdownText(phase.id),
    String((analysis.waveOf[index] ?? 0) + 1),
    outcomeWord(status),
    markdownText(reasonOf(analysis, ledger, index, causes, since)),
    formatSeconds(ledger.seconds[index])
  ]
  return `| ${cells.join(' | ')} |`
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length
}

/** `⚠️ 2 flaky phase(s) …`: the phases that passed after a retry, or nothing. */
function flakyNote(analysis: PlanAnalysis, ledger: Ledger): string[] {
  const flaky = ledger.statuses.flatMap((status, index) =>
    isSucceeded(status) && (ledger.attempts?.[index] ?? 1) > 1 ? [index] : []
  )
  if (flaky.length === 0) return []
  const shown = flaky
    .slice(0, 20)
    .map(index => markdownText(at(analysis.plan.phases, index).id))
  const more = flaky.length > 20 ? ` and ${flaky.length - 20} more` : ''
  return [
    '',
    `⚠️ ${flaky.length} flaky phase(s), passed only after a retry: ${shown.join(', ')}${more}.`
  ]
}

/** The report as markdown. */
export function renderReport(
  analysis: PlanAnalysis,
  ledger: Ledger,
  options: ReportOptions
): string {
  const counts = tally(ledger.statuses)
  const green = counts.succeeded === ledger.statuses.length
  const phaseCount = analysis.plan.phases.length
  const heading = [
    '## Phase report',
    '',
    green
      ? `✅ All ${phaseCount} phase(s) succeeded (${analysis.waves.length} wave(s))${unchangedWords(counts)}.`
      : `❌ ${formatTally(counts)} — ${phaseCount} phase(s) in ${analysis.waves.length} wave(s).`,
    ...flakyNote(analysis, ledger),
    ''
  ]
  const causes = skipCauses(analysis, ledger)
  const order = analysis.waves.flat()
  const rows = order.map(index =>
    row(analysis, ledger, index, causes, options.since)
  )
  const graph = [
    '',
    '```mermaid',
    renderMermaid(analysis, {
      outcomeOf: index => outcomeOfStatus(at(ledger.statuses, index))
    }).trimEnd(),
    '```',
    ''
  ]
  const compose = (
    tableRows: string[],
    notes: string[],
    withGraph: boolean
  ): string =>
    [
      ...heading,
      ...HEADER,
      ...tableRows,
      ...notes,
      ...(withGraph ? graph : [''])
    ].join('\n')

  let report = compose(rows, [], true)
  if (byteLength(report) <= options.maxBytes) return report
  const omittedGraph =
    '\n_The graph is left out: the report would exceed the job summary limit._'
  report = compose(rows, [omittedGraph], false)
  if (byteLength(report) <= options.maxBytes) return report

  // Only the phases that did not succeed, then as many of those as fit.
  const notGreen = order.filter(
    index => !isSucceeded(at(ledger.statuses, index))
  )
  const kept: string[] = []
  let budget =
    options.maxBytes -
    byteLength(compose([], [omittedGraph, '', '_x_'], false)) -
    200
  for (const index of notGreen) {
    const line = row(analysis, ledger, index, causes, options.since)
    budget -= byteLength(line) + 1
    if (budget < 0) break
    kept.push(line)
  }
  const left = phaseCount - kept.length
  return compose(
    kept,
    [
      omittedGraph,
      '',
      `_${left} more row(s) left out (${counts.succeeded} succeeded phase(s) among them); the settle step's log lists every phase._`
    ],
    false
  )
}
