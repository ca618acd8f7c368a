// `simulate` as text for a terminal: the plan's critical path, total work
// and lower bound, a table of the modes (wall, runner minutes, jobs, saving
// against sequential), the failed and skipped phases, then a compact
// timeline of the graph (or lanes) run: one bar per phase, `░` while its job
// waits for a runner, `█` while it works. O(phases × bar width).
import type { ModeResult, Simulation } from '../plan/simulate.js'
import type { Reuse } from './simulation-json.js'
import type { Plan } from '../plan/types.js'
import { painter } from './colour.js'
import { formatMinutes, savingPercent } from './minutes.js'
import { at } from '../plan/at.js'

interface SimulationTextOptions {
  colour?: boolean
  /** Width of the timeline bars. */
  barWidth?: number
  /** With `--passed`: the unchanged phases and what they save. */
  reuse?: Reuse
}

const MODE_NOTES = {
  sequential: 'one phase after another on one machine',
  waves:
    'reusable workflow: plan, packed legs per wave, settle after a failure',
  graph: 'generated needs graph: each phase when its deps end, then the gate',
  lanes: 'needs graph on worker lanes, then the gate'
} as const

export function renderSimulationText(
  simulation: Simulation,
  plan: Plan,
  options: SimulationTextOptions = {}
): string {
  const paint = painter(options.colour === true)
  const width = options.barWidth ?? 40
  const idOf = (index: number): string => plan.phases[index]?.id ?? ''
  const { modes } = simulation
  const limit =
    simulation.maxWorkers > 0
      ? `max workers ${simulation.maxWorkers}`
      : 'no worker limit'
  const lines = [
    paint('bold', 'Simulated run'),
    `${plan.phases.length} phase(s) · job start ${formatMinutes(simulation.jobStart)} min · ${limit} · ${simulation.legConcurrency} core(s) a packed leg`,
    `Critical path: ${simulation.criticalPath.map(idOf).join(' → ') || '(none)'} (${formatMinutes(simulation.criticalPathMinutes)} min)`,
    `Total work: ${formatMinutes(simulation.totalWorkMinutes)} min · lower bound: ${formatMinutes(simulation.lowerBoundMinutes)} min`,
    ''
  ]
  if (simulation.failed.length > 0) {
    lines.splice(
      lines.length - 1,
      0,
      `With ${simulation.failed.map(idOf).join(', ')} failing: the times are those of that partial run.`
    )
  }
  const rows: [keyof typeof MODE_NOTES, ModeResult][] = [
    ['sequential', modes.sequential],
    ['waves', modes.waves],
    ['graph', modes.graph]
  ]
  if (modes.lanes !== undefined) rows.push(['lanes', modes.lanes])
  const sequentialWall = modes.sequential.wallMinutes
  const table = [
    ['mode', 'wall min', 'runner min', 'jobs', 'saving', ''],
    ...rows.map(([name, mode]) => [
      name,
      formatMinutes(mode.wallMinutes),
      formatMinutes(mode.runnerMinutes),
      String(mode.jobs),
      name === 'sequential'
        ? ''
        : `${savingPercent(sequentialWall, mode.wallMinutes)}%`,
      MODE_NOTES[name]
    ])
  ]
  const widths = [0, 1, 2, 3, 4].map(column =>
    Math.max(...table.map(row => (row[column] ?? '').length))
  )
  table.forEach((row, r) => {
    const cells = row
      .slice(0, 5)
      .map((cell, column) =>
        column === 0
          ? cell.padEnd(widths[column] ?? 0)
          : cell.padStart(widths[column] ?? 0)
      )
    const line = `  ${cells.join('  ')}  ${row[5] ?? ''}`.trimEnd()
    lines.push(r === 0 ? paint('dim', line) : line)
  })

  const { reuse } = options
  if (reuse !== undefined) {
    const same = plan.phases
      .filter((_, index) => reuse.unchanged[index] === true)
      .map(phase => phase.id)
    const before = reuse.without.modes
    lines.push(
      '',
      `Unchanged: ${same.length === 0 ? '(none)' : same.join(', ')}`,
      `  passed before on the same inputs: no job, ${formatMinutes(reuse.workMinutes)} min of work not run`,
      `  waves ${formatMinutes(before.waves.wallMinutes)} → ${formatMinutes(modes.waves.wallMinutes)} min, graph ${formatMinutes(before.graph.wallMinutes)} → ${formatMinutes(modes.graph.wallMinutes)} min, runner minutes (waves) ${formatMinutes(before.waves.runnerMinutes)} → ${formatMinutes(modes.waves.runnerMinutes)}`
    )
  }

  if (simulation.failed.length > 0) {
    lines.push(
      '',
      `Failed: ${simulation.failed.map(idOf).join(', ')}`,
      `Skipped: ${simulation.skipped.length === 0 ? '(none)' : simulation.skipped.map(idOf).join(', ')}`
    )
  }

  const shown = modes.lanes ?? modes.graph
  const shownName = modes.lanes === undefined ? 'graph' : 'lanes'
  const end = Math.max(shown.wallMinutes, 1e-9)
  const column = (minutes: number): number =>
    Math.min(width, Math.round((minutes / end) * width))
  const idWidth = Math.min(
    30,
    Math.max(0, ...plan.phases.map(phase => phase.id.length))
  )
  lines.push('', `Timeline (${shownName}, minutes):`)
  const byStart = plan.phases
    .map(phase => phase.index)
    .sort((a, b) => at(shown.start, a) - at(shown.start, b) || a - b)
  for (const index of byStart) {
    const id = idOf(index).padEnd(idWidth)
    const outcome = simulation.outcome[index]
    const phase = plan.phases[index]
    const ran = (shown.finish[index] ?? 0) > (shown.start[index] ?? 0)
    if (!ran) {
      const why =
        outcome === 'skipped'
          ? 'skipped'
          : phase?.done === true
            ? 'done'
            : reuse?.unchanged[index] === true
              ? 'unchanged'
              : 'no time'
      lines.push(`  ${id}  ${paint('dim', why)}`)
      continue
    }
    const start = at(shown.start, index)
    const finish = at(shown.finish, index)
    const workFrom = Math.min(finish, start + simulation.jobStart)
    const a = column(start)
    const b = column(workFrom)
    const c = Math.max(column(finish), b + 1)
    const bar =
      ' '.repeat(a) +
      '░'.repeat(b - a) +
      '█'.repeat(c - b) +
      ' '.repeat(Math.max(0, width - c))
    const lane =
      modes.lanes === undefined
        ? ''
        : ` lane ${(modes.lanes.schedule.laneOf[index] ?? 0) + 1}`
    const mark = outcome === 'failed' ? paint('red', ' failed') : ''
    lines.push(
      `  ${id}  |${outcome === 'failed' ? paint('red', bar) : bar}| ${formatMinutes(start)}–${formatMinutes(finish)}${lane}${mark}`
    )
  }
  return lines.join('\n') + '\n'
}
