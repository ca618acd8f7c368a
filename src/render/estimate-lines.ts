// The estimate where people look (plan text, the plan step's job summary,
// the pull-request check): the critical path, sequential against parallel
// time and the saving in percent, from simulate.ts. O(critical path).
import type { EstimateFacts } from '../plan/simulate.js'
import type { Plan } from '../plan/types.js'
import { formatMinutes, savingPercent } from './minutes.js'

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
