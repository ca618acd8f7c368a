// The run as the settle step reports it: the final report, why each phase
// ended as it did, the progress lines of the logs, and where the time went.
import { skipCauses, type SkipCause } from '../plan/skips.js'
import {
  attemptsOf,
  type Ledger,
  type PhaseStatus,
  isFailed,
  isSkipped,
  isSucceeded
} from '../plan/state.js'
import type { PlanAnalysis } from '../plan/types.js'
import { type PhaseOutcome, renderMermaid } from './mermaid.js'
import { markdownText } from './safe-text.js'
import { at, at as atIndex, numberAt } from '../plan/at.js'
import type { RunTimeline } from '../plan/run-timeline.js'
import { formatMinutes, ganttTaskName } from './simulation.js'

// The final report (job summary of the last settle step): every phase with
// ✓ / ✗ / ⊘, its outcome, why, and how long it took, then the graph coloured
// by outcome. Kept under the summary size limit by dropping, in order, the
// graph, the rows of succeeded phases, and the rows past the limit.
// O(phases + deps).

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
function outcomeWord(status: PhaseStatus): string {
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

function outcomeIcon(status: PhaseStatus): string {
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
    String(numberAt(analysis.waveOf, index) + 1),
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
    isSucceeded(status) && attemptsOf(ledger, index) > 1 ? [index] : []
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

// Why a phase ended as it did, in one line: the Reason column of the final
// report and settle's log line per phase say it alike. O(1) a phase once
// skipCauses (plan/skips.ts) has run, plus the done phases it names.

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
  const cause = at(causes, index)
  switch (status) {
    case 'pending':
      return 'not reached'
    case 'running':
      return 'handed out; result not read yet'
    case 'succeeded': {
      const tries = attemptsOf(ledger, index)
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
      const tries = attemptsOf(ledger, index)
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

// The progress lines of the plan and settle steps' logs, worded once: the
// batch a step hands out, and what became of each phase. Pure.

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

// "Where the time went": the part of the report that shows the real run —
// a Mermaid Gantt chart with, per phase, the wait for a runner and the run
// (coloured by outcome: `done` succeeded, `crit` failed, cancelled or timed
// out), one section per wave; the critical path as it happened; the time
// between waves; and the wall time against the simulated lower bound for
// this plan. Times in the chart are seconds from the first job queued.
// Over `maxRows` phases, the chart keeps the critical path and the longest
// phases and says how many it left out. O(phases log phases).

interface RunGanttOptions {
  statuses: readonly PhaseStatus[]
  /** max(critical path, work / max-workers) by the plan's estimates, minutes. */
  lowerBoundMinutes: number
  /** Most phases in the chart. */
  maxRows?: number
}

const DEFAULT_GANTT_ROWS = 120

function tag(status: PhaseStatus): string {
  if (isSucceeded(status)) return 'done, '
  if (isFailed(status)) return 'crit, '
  return ''
}

function secondsText(ms: number): string {
  return formatSeconds(Math.round(ms / 1000)) || '0s'
}

/** The section of the report; '' when no phase has times. */
export function renderRunGantt(
  analysis: PlanAnalysis,
  timeline: RunTimeline,
  options: RunGanttOptions
): string {
  const phases = analysis.plan.phases
  const timed = phases
    .map(phase => phase.index)
    .filter(index => timeline.times[index] !== undefined)
  if (timed.length === 0) return ''
  const maxRows = options.maxRows ?? DEFAULT_GANTT_ROWS
  const onPath = new Set(timeline.criticalPath)
  let shown = timed
  if (timed.length > maxRows) {
    const length = (index: number): number => {
      const time = timeline.times[index]
      return time === undefined ? 0 : time.end - time.start
    }
    const rest = timed
      .filter(index => !onPath.has(index))
      .sort((a, b) => length(b) - length(a) || a - b)
    const keep = new Set([
      ...timeline.criticalPath,
      ...rest.slice(0, Math.max(0, maxRows - onPath.size))
    ])
    shown = timed.filter(index => keep.has(index))
  }
  const at = (epoch: number): number =>
    Math.round((epoch - timeline.begin) / 1000)
  const wallMs = timeline.end - timeline.begin
  const lines = [
    '### Where the time went',
    '',
    `Wall time **${secondsText(wallMs)}** (first job queued → last phase done); ` +
      `the simulated lower bound for this plan is **${formatMinutes(options.lowerBoundMinutes)} min** ` +
      `(max of the critical path and the work per worker, by the estimates): ` +
      `${options.lowerBoundMinutes > 0 ? `${(wallMs / 60_000 / options.lowerBoundMinutes).toFixed(2)}×` : '—'} of it.`,
    ''
  ]
  const path = timeline.criticalPath
  if (path.length > 0) {
    const steps = path.map(index => {
      const time = timeline.times[index]
      const took =
        time === undefined ? '' : ` (${secondsText(time.end - time.start)})`
      return `${markdownText(atIndex(phases, index).id)}${took}`
    })
    lines.push(`Critical path as it happened: ${steps.join(' → ')}.`, '')
  }
  const gaps = timeline.betweenWaves
    .map((gap, wave) =>
      gap === undefined
        ? undefined
        : `${wave + 1} → ${wave + 2}: ${secondsText(gap)}`
    )
    .filter((text): text is string => text !== undefined)
  if (gaps.length > 0) {
    lines.push(
      `Between waves (last phase of a wave done → first job of the next queued): ${gaps.join(', ')}.`,
      ''
    )
  }
  const chart = [
    '```mermaid',
    'gantt',
    '  title Phases as they ran: wait for a runner, then the run',
    '  dateFormat X',
    '  axisFormat %H:%M:%S'
  ]
  const waves = new Map<number, number[]>()
  for (const index of shown) {
    const wave = numberAt(analysis.waveOf, index)
    const list = waves.get(wave)
    if (list === undefined) waves.set(wave, [index])
    else list.push(index)
  }
  for (const wave of [...waves.keys()].sort((a, b) => a - b)) {
    chart.push(`  section wave ${wave + 1}`)
    const members = (waves.get(wave) ?? []).sort(
      (a, b) =>
        (timeline.times[a]?.start ?? 0) - (timeline.times[b]?.start ?? 0) ||
        a - b
    )
    for (const index of members) {
      const time = timeline.times[index]
      if (time === undefined) continue
      const name = ganttTaskName(atIndex(phases, index).id)
      if (time.start > time.queued) {
        chart.push(
          `    ${name} waits :active, ${at(time.queued)}, ${at(time.start)}`
        )
      }
      const status = atIndex(options.statuses, index)
      chart.push(
        `    ${name} :${tag(status)}${at(time.start)}, ${Math.max(at(time.end), at(time.start) + 1)}`
      )
    }
  }
  chart.push('```', '')
  lines.push(...chart)
  if (shown.length < timed.length) {
    lines.push(
      `_The chart shows ${shown.length} of the ${timed.length} phases that ran: the critical path and the longest._`,
      ''
    )
  }
  return lines.join('\n')
}
