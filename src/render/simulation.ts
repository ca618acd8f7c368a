// `simulate`'s output (text, JSON, a Mermaid Gantt chart), the estimate
// lines of the plan text, the summary and the check, and minutes as people
// read them.
import type { ModeResult, Simulation } from '../plan/simulate.js'
import type { Plan } from '../plan/types.js'
import { painter } from './safe-text.js'
import { at, numberAt } from '../plan/at.js'
import type { EstimateFacts } from '../plan/simulate.js'

// `simulate` as text for a terminal: the plan's critical path, total work
// and lower bound, a table of the modes (wall, runner minutes, jobs, saving
// against sequential), the failed and skipped phases, then a compact
// timeline of the graph (or lanes) run: one bar per phase, `░` while its job
// waits for a runner, `█` while it works. O(phases × bar width).

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
    Math.max(...table.map(row => at(row, column).length))
  )
  table.forEach((row, r) => {
    const cells = row
      .slice(0, 5)
      .map((cell, column) =>
        column === 0
          ? cell.padEnd(numberAt(widths, column))
          : cell.padStart(numberAt(widths, column))
      )
    const line = `  ${cells.join('  ')}  ${at(row, 5)}`.trimEnd()
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
    const ran = numberAt(shown.finish, index) > numberAt(shown.start, index)
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
        : ` lane ${numberAt(modes.lanes.schedule.laneOf, index) + 1}`
    const mark = outcome === 'failed' ? paint('red', ' failed') : ''
    lines.push(
      `  ${id}  |${outcome === 'failed' ? paint('red', bar) : bar}| ${formatMinutes(start)}–${formatMinutes(finish)}${lane}${mark}`
    )
  }
  return lines.join('\n') + '\n'
}

// `simulate --format json`: {"criticalPathMinutes", "totalWorkMinutes",
// "lowerBoundMinutes", "modes": {mode: {"wallMinutes", "runnerMinutes",
// "jobs"}}, "failed": [ids], "skipped": [ids]}, minutes to hundredths,
// `lanes` only with max workers. O(phases).

interface ModeJson {
  wallMinutes: number
  runnerMinutes: number
  jobs: number
}

export interface SimulationJson {
  criticalPathMinutes: number
  totalWorkMinutes: number
  lowerBoundMinutes: number
  modes: Partial<Record<'sequential' | 'waves' | 'graph' | 'lanes', ModeJson>>
  failed: string[]
  skipped: string[]
  /** With `--passed`: phases unchanged since they passed (no time, no job). */
  unchanged?: string[]
  /** With `--passed`: their estimated minutes, not run. */
  unchangedMinutes?: number
  /** With `--passed`: the same run with every phase running. */
  withoutPassed?: Partial<
    Record<'sequential' | 'waves' | 'graph' | 'lanes', ModeJson>
  >
}

/** What a store of passed phases saves (`simulate --passed`). */
interface Reuse {
  /** By plan index. */
  unchanged: readonly boolean[]
  /** Estimated minutes of the unchanged phases. */
  workMinutes: number
  /** The same run with every phase running. */
  without: Simulation
}

function modeJson(mode: ModeResult): ModeJson {
  return {
    wallMinutes: roundMinutes(mode.wallMinutes),
    runnerMinutes: roundMinutes(mode.runnerMinutes),
    jobs: mode.jobs
  }
}

function modesJson(modes: Simulation['modes']): SimulationJson['modes'] {
  const json: SimulationJson['modes'] = {
    sequential: modeJson(modes.sequential),
    waves: modeJson(modes.waves),
    graph: modeJson(modes.graph)
  }
  if (modes.lanes !== undefined) json.lanes = modeJson(modes.lanes)
  return json
}

export function renderSimulationJson(
  simulation: Simulation,
  plan: Plan,
  reuse?: Reuse
): string {
  const idOf = (index: number): string => plan.phases[index]?.id ?? ''
  const { modes } = simulation
  const json: SimulationJson = {
    criticalPathMinutes: roundMinutes(simulation.criticalPathMinutes),
    totalWorkMinutes: roundMinutes(simulation.totalWorkMinutes),
    lowerBoundMinutes: roundMinutes(simulation.lowerBoundMinutes),
    modes: {
      sequential: modeJson(modes.sequential),
      waves: modeJson(modes.waves),
      graph: modeJson(modes.graph)
    },
    failed: simulation.failed.map(idOf),
    skipped: simulation.skipped.map(idOf)
  }
  if (modes.lanes !== undefined) json.modes.lanes = modeJson(modes.lanes)
  if (reuse !== undefined) {
    json.unchanged = plan.phases
      .filter((_, index) => reuse.unchanged[index] === true)
      .map(phase => phase.id)
    json.unchangedMinutes = roundMinutes(reuse.workMinutes)
    json.withoutPassed = modesJson(reuse.without.modes)
  }
  return JSON.stringify(json, null, 2) + '\n'
}

// `simulate --format mermaid`: a Mermaid Gantt chart GitHub renders, one
// section per mode, one bar per phase job (queued → end; failed bars are
// `crit`). Done and skipped phases have no bar. Times are seconds from the
// start of the run (`dateFormat X`). Phase ids are data: the characters a
// Gantt line interprets (`:` ends a task name, `#` and `;` start entity
// codes, `%%` a comment) become `_`, and a name that reads as a Gantt keyword
// gets a prefix. O(phases × modes).

const KEYWORDS =
  /^(gantt|title|section|dateformat|axisformat|tickinterval|excludes|includes|todaymarker|weekday|weekend|click|acctitle|accdescr|inclusiveenddates|topaxis|displaymode)\b/i

/** A phase id as a Gantt task name: one line, nothing Mermaid interprets. */
export function ganttTaskName(id: string): string {
  // eslint-disable-next-line no-control-regex
  const safe = id.replace(/[:;#%\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '_')
  return KEYWORDS.test(safe) ? `phase ${safe}` : safe
}

function seconds(minutes: number): number {
  return Math.round(minutes * 60)
}

export function renderSimulationGantt(
  simulation: Simulation,
  plan: Plan
): string {
  const { modes } = simulation
  const lines = [
    'gantt',
    `  title Simulated run, critical path ${formatMinutes(simulation.criticalPathMinutes)} min, job start ${formatMinutes(simulation.jobStart)} min`,
    '  dateFormat X',
    '  axisFormat %H:%M'
  ]
  const section = (name: string, mode: ModeResult): void => {
    lines.push(`  section ${name}, ${formatMinutes(mode.wallMinutes)} min`)
    const byStart = plan.phases
      .map(phase => phase.index)
      .filter(
        index => numberAt(mode.finish, index) > numberAt(mode.start, index)
      )
      .sort((a, b) => at(mode.start, a) - at(mode.start, b) || a - b)
    for (const index of byStart) {
      const phase = plan.phases[index]
      if (phase === undefined) continue
      const crit = simulation.outcome[index] === 'failed' ? 'crit, ' : ''
      lines.push(
        `    ${ganttTaskName(phase.id)} :${crit}${seconds(at(mode.start, index))}, ${seconds(at(mode.finish, index))}`
      )
    }
  }
  section('sequential', modes.sequential)
  section('waves', modes.waves)
  section('graph', modes.graph)
  if (modes.lanes !== undefined) {
    section(`lanes x${simulation.maxWorkers}`, modes.lanes)
  }
  return lines.join('\n') + '\n'
}

// The estimate where people look (plan text, the plan step's job summary,
// the pull-request check): the critical path, sequential against parallel
// time and the saving in percent, from estimateFacts (plan/simulate.ts). O(critical path).

interface Parts {
  path: string[]
  pathMinutes: string
  times: string
  note: string
}

function parts(facts: EstimateFacts, plan: Plan): Parts {
  const sequential = facts.sequentialMinutes
  const timed = (label: string, minutes: number): string =>
    `${label} ${formatMinutes(minutes)} min (${savingPercent(sequential, minutes)}% less)`
  const times = [
    `sequential ${formatMinutes(sequential)} min`,
    timed(
      facts.maxWorkers > 0 ? `waves of ${facts.maxWorkers}` : 'waves',
      facts.wavesMinutes
    ),
    timed('needs graph', facts.graphMinutes)
  ]
  if (facts.lanesMinutes !== undefined) {
    times.push(timed(`${facts.maxWorkers} lanes`, facts.lanesMinutes))
  }
  const total = plan.phases.length
  const missing =
    facts.estimatedCount < total
      ? ` ${facts.estimatedCount} of ${total} phases have estimate_minutes; the others count as ${formatMinutes(facts.fallbackMinutes)} min (the median).`
      : ''
  return {
    path: facts.criticalPath.map(index => plan.phases[index]?.id ?? ''),
    pathMinutes: formatMinutes(facts.criticalPathMinutes),
    times: times.join(' · '),
    note: `Runner start-up not counted ('phase-matrix simulate' adds it).${missing}`
  }
}

/** Plain text lines for `phase-matrix plan`. */
export function estimateTextLines(facts: EstimateFacts, plan: Plan): string[] {
  const p = parts(facts, plan)
  return [
    `Critical path: ${p.path.join(' → ')} (${p.pathMinutes} min)`,
    `Estimated time: ${p.times}`,
    p.note
  ]
}

/** Markdown list items for a job summary or a pull-request check. */
export function estimateMarkdownLines(
  facts: EstimateFacts,
  plan: Plan,
  code: (text: string) => string
): string[] {
  const p = parts(facts, plan)
  return [
    `- Critical path: ${p.path.map(code).join(' → ')} (${p.pathMinutes} min)`,
    `- Estimated time: ${p.times}`,
    `- ${p.note.replace("'phase-matrix simulate'", '`phase-matrix simulate`')}`
  ]
}

// Minutes as people read them: at most two decimals, no trailing zeros
// (`90`, `91.5`, `0.25`). O(1).

/** Rounded to hundredths, for JSON and text alike. */
function roundMinutes(minutes: number): number {
  return Math.round(minutes * 100) / 100
}

export function formatMinutes(minutes: number): string {
  return String(roundMinutes(minutes))
}

/** Time saved by `parallel` against `sequential`, in whole percent. */
function savingPercent(sequential: number, parallel: number): number {
  return sequential > 0 ? Math.round((1 - parallel / sequential) * 100) : 0
}
