// feature-prd-runner's "Parallel Execution Plan" text (its
// `plan-parallel`), byte for byte for plans the seed could express, then —
// when phases have estimates — the critical path and the estimated times.
// O(phases + deps) (O((V + E) log V) with estimates).
import { estimateFacts } from '../plan/simulate.js'
import type { ParallelSettings, PlanAnalysis } from '../plan/types.js'
import { painter } from './colour.js'
import { terminalSafe } from './terminal-safe.js'
import { estimateTextLines } from './estimate-lines.js'
import { phaseLabel } from './phase-label.js'

interface PlanTextOptions {
  /** Settings after config and flags; limits are shown only when set. */
  settings?: ParallelSettings
  /** ANSI colours (only for a terminal). */
  colour?: boolean
  /** By plan index: unchanged since it passed (`--passed`); shown when given. */
  unchanged?: readonly boolean[]
}

/** The limits that are set, one line each. */
function settingLines(settings: ParallelSettings | undefined): string[] {
  const lines: string[] = []
  if (settings === undefined) return lines
  if (settings.maxWorkers > 0) {
    // `enabled: false` in the config means one worker unless a flag says
    // otherwise; say why the limit is 1.
    const why =
      !settings.enabled && settings.maxWorkers === 1
        ? ' (parallel disabled in config)'
        : ''
    lines.push(`Max workers: ${settings.maxWorkers}${why}`)
  }
  if (settings.failFast) lines.push('Fail fast: yes')
  return lines
}

/** Renders the waves of a valid plan as feature-prd-runner's batch listing. */
export function renderPlanText(
  analysis: PlanAnalysis,
  { settings, colour = false, unchanged }: PlanTextOptions = {}
): string {
  const paint = painter(colour)
  const lines: string[] = [
    paint('bold', 'Parallel Execution Plan'),
    `Total phases: ${analysis.plan.phases.length}`,
    `Batches: ${analysis.waves.length}`,
    `Max parallelism: ${analysis.maxParallelism}`,
    ...settingLines(settings)
  ]
  if (unchanged !== undefined) {
    const count = unchanged.filter(Boolean).length
    lines.push(
      `Unchanged: ${count} phase(s) (inputs as when they passed: they run in no job and count as succeeded)`
    )
  }
  analysis.waves.forEach((wave, w) => {
    lines.push('')
    lines.push(
      paint('bold', `Batch ${w + 1}:`) +
        ` (${wave.length} phase(s) in parallel)`
    )
    for (const index of wave) {
      const phase = analysis.plan.phases[index]
      if (phase === undefined) continue
      let line = `  • ${phaseLabel(phase, paint, unchanged?.[index] === true)}`
      if (phase.deps.length > 0) {
        line += paint(
          'dim',
          ` (depends on: ${terminalSafe(phase.deps.join(', '))})`
        )
      }
      lines.push(line)
      const description = terminalSafe(phase.description?.trimEnd() ?? '')
      if (description !== '') {
        // A multi-line description (YAML block scalar) keeps its indent.
        lines.push('    ' + description.replaceAll('\n', '\n    '))
      }
    }
  })
  // After the seed's text, so that it stays byte for byte without estimates.
  const facts = estimateFacts(analysis, settings?.maxWorkers ?? 0, unchanged)
  if (facts !== undefined) {
    lines.push('', ...estimateTextLines(facts, analysis.plan))
  }
  return lines.join('\n') + '\n'
}
