// `simulate --format mermaid`: a Mermaid Gantt chart GitHub renders, one
// section per mode, one bar per phase job (queued → end; failed bars are
// `crit`). Done and skipped phases have no bar. Times are seconds from the
// start of the run (`dateFormat X`). Phase ids are data: the characters a
// Gantt line interprets (`:` ends a task name, `#` and `;` start entity
// codes, `%%` a comment) become `_`, and a name that reads as a Gantt keyword
// gets a prefix. O(phases × modes).
import type { ModeResult, Simulation } from '../plan/simulate.js'
import type { Plan } from '../plan/types.js'
import { formatMinutes } from './minutes.js'
import { at } from '../plan/at.js'

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
      .filter(index => (mode.finish[index] ?? 0) > (mode.start[index] ?? 0))
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
