// "Where the time went": the part of the report that shows the real run —
// a Mermaid Gantt chart with, per phase, the wait for a runner and the run
// (coloured by outcome: `done` succeeded, `crit` failed, cancelled or timed
// out), one section per wave; the critical path as it happened; the time
// between waves; and the wall time against the simulated lower bound for
// this plan. Times in the chart are seconds from the first job queued.
// Over `maxRows` phases, the chart keeps the critical path and the longest
// phases and says how many it left out. O(phases log phases).
import type { RunTimeline } from '../plan/run-timeline.js'
import { type PhaseStatus, isFailed, isSucceeded } from '../plan/state.js'
import type { PlanAnalysis } from '../plan/types.js'
import { markdownText } from './markdown.js'
import { formatMinutes } from './minutes.js'
import { formatSeconds } from './report.js'
import { ganttTaskName } from './simulation-gantt.js'
import { at as atIndex } from '../plan/at.js'

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
    const wave = analysis.waveOf[index] ?? 0
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
