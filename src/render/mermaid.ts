// A Mermaid flowchart of a plan: one subgraph per wave, an edge from each
// dependency to its dependent, and (optionally) a colour per run outcome.
// Node ids are generated (`p0`, `p1`, …) so no phase id can collide with
// Mermaid syntax or keywords (`end`, `graph`, …); the phase id is the quoted
// label, with the characters Mermaid interprets written as entity codes.
// O(phases + deps).
import type { PlanAnalysis } from '../plan/types.js'

/** Every outcome a phase can be coloured with, in classDef order. */
const OUTCOMES = [
  'succeeded',
  'failed',
  'cancelled',
  'timed-out',
  'skipped',
  'pending',
  'running'
] as const

export type PhaseOutcome = (typeof OUTCOMES)[number]

interface MermaidOptions {
  /** Outcome of each phase (by plan index), coloured with a classDef. */
  outcomeOf?: (index: number) => PhaseOutcome | undefined
  /** Left to right (default) or top down. */
  direction?: 'LR' | 'TD'
}

// Class names without hyphens: Mermaid's class syntax is stricter than ids.
const OUTCOME_CLASS: Record<PhaseOutcome, string> = {
  succeeded: 'succeeded',
  failed: 'failed',
  cancelled: 'cancelled',
  'timed-out': 'timedOut',
  skipped: 'skipped',
  pending: 'pending',
  running: 'running'
}

const OUTCOME_STYLE: Record<PhaseOutcome, string> = {
  succeeded: 'fill:#d3f9d8,stroke:#2b8a3e,color:#1b4d2b',
  failed: 'fill:#ffe3e3,stroke:#c92a2a,color:#7a1010',
  cancelled: 'fill:#e9ecef,stroke:#495057,color:#212529',
  'timed-out': 'fill:#ffe8cc,stroke:#d9480f,color:#6b2a05',
  skipped: 'fill:#f8f9fa,stroke:#adb5bd,color:#495057,stroke-dasharray:4 3',
  pending: 'fill:#ffffff,stroke:#868e96,color:#212529',
  running: 'fill:#d0ebff,stroke:#1971c2,color:#0b3d6b'
}

/**
 * Text safe inside a quoted Mermaid label. `#` goes first because the other
 * replacements introduce it; backticks would start a markdown string;
 * control characters become entity codes (`#27;`), so no ESC reaches a
 * terminal that shows the chart.
 */
export function escapeMermaidLabel(text: string): string {
  return text
    .replaceAll('#', '#35;')
    .replaceAll('"', '#quot;')
    .replaceAll('<', '#lt;')
    .replaceAll('>', '#gt;')
    .replaceAll('&', '#amp;')
    .replaceAll('`', '#96;')
    .replaceAll(/[\r\n]+/g, ' ')
    .replaceAll(
      // eslint-disable-next-line no-control-regex
      /[\u0000-\u001f\u007f-\u009f]/g,
      char => `#${char.charCodeAt(0)};`
    )
}

/** Renders a valid plan as a Mermaid flowchart. */
export function renderMermaid(
  analysis: PlanAnalysis,
  options: MermaidOptions = {}
): string {
  const { phases } = analysis.plan
  const lines: string[] = [`flowchart ${options.direction ?? 'LR'}`]
  analysis.waves.forEach((wave, w) => {
    lines.push(`  subgraph wave${w + 1}["Wave ${w + 1}"]`)
    for (const index of wave) {
      const id = phases[index]?.id ?? ''
      lines.push(`    p${index}["${escapeMermaidLabel(id)}"]`)
    }
    lines.push('  end')
  })
  analysis.depsOf.forEach((deps, index) => {
    for (const dep of deps) lines.push(`  p${dep} --> p${index}`)
  })

  const outcomeOf = options.outcomeOf
  if (outcomeOf !== undefined) {
    const members = new Map<PhaseOutcome, string[]>()
    for (let index = 0; index < phases.length; index++) {
      const outcome = outcomeOf(index)
      if (outcome === undefined) continue
      const list = members.get(outcome)
      if (list === undefined) members.set(outcome, [`p${index}`])
      else list.push(`p${index}`)
    }
    // Fixed order so the output does not depend on which phase came first.
    for (const outcome of OUTCOMES) {
      const nodes = members.get(outcome)
      if (nodes === undefined) continue
      const name = OUTCOME_CLASS[outcome]
      lines.push(`  classDef ${name} ${OUTCOME_STYLE[outcome]}`)
      lines.push(`  class ${nodes.join(',')} ${name}`)
    }
  }
  return lines.join('\n') + '\n'
}
