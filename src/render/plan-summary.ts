// The plan step's job summary: the waves as a table and the graph as a
// Mermaid block; for an invalid plan, every problem as a table row (GitHub
// shows only 10 annotations per step). O(phases + deps).
import { estimateFacts } from '../plan/simulate.js'
import { passedInWords } from '../plan/passed-store.js'
import type { PlanAnalysis, Problem } from '../plan/types.js'
import { estimateMarkdownLines } from './simulation.js'
import { inlineCode, markdownText, problemsTable } from './safe-text.js'
import { renderMermaid } from './mermaid.js'
import { at } from '../plan/at.js'

interface PlanSummaryFacts {
  /** Rounds the plan needs (waves, with waves over the leg limit split). */
  rounds: number
  /** 0 = no limit. */
  maxWorkers: number
  failFast: boolean
  /** Most legs in one round. */
  legLimit: number
  /** Most bytes of the whole summary. */
  maxBytes: number
  /** By plan index: unchanged since it passed (the `passed` input). */
  unchanged?: readonly boolean[]
  /** Phase id → the run an unchanged phase passed in (the store's). */
  since?: ReadonlyMap<string, string>
}

function byteLength(text: string): number {
  return new TextEncoder().encode(text).length
}

export function renderPlanSummary(
  analysis: PlanAnalysis,
  facts: PlanSummaryFacts
): string {
  const phases = analysis.plan.phases
  const head = [
    '## Phase plan',
    '',
    `${phases.length} phase(s) in ${analysis.waves.length} wave(s) (${facts.rounds} round(s) of jobs) · ` +
      `max parallelism ${analysis.maxParallelism} · ` +
      `max workers ${facts.maxWorkers === 0 ? 'unlimited' : facts.maxWorkers} · ` +
      `fail-fast ${facts.failFast ? 'on' : 'off'} · plan ${markdownText(analysis.plan.file)}`,
    '',
    ...unchangedLine(analysis, facts.unchanged, facts.since),
    ...estimates(analysis, facts.maxWorkers, facts.unchanged),
    '| Wave | Phases | Count |',
    '|--:|---|--:|'
  ]
  const waveRow = (wave: number[], w: number, idLimit: number): string => {
    const shown = wave.slice(0, idLimit).map(index => {
      const phase = at(phases, index)
      return (
        markdownText(phase.id) +
        (phase.done
          ? ' (done)'
          : facts.unchanged?.[index] === true
            ? ' (unchanged)'
            : '')
      )
    })
    if (wave.length > shown.length)
      shown.push(`… ${wave.length - shown.length} more`)
    const rounds = Math.ceil(wave.length / facts.legLimit)
    const count =
      rounds > 1 ? `${wave.length} (${rounds} rounds)` : String(wave.length)
    return `| ${w + 1} | ${shown.join(', ')} | ${count} |`
  }
  const graph = ['', '```mermaid', renderMermaid(analysis).trimEnd(), '```', '']
  const compose = (idLimit: number, withGraph: boolean): string =>
    [
      ...head,
      ...analysis.waves.map((wave, w) => waveRow(wave, w, idLimit)),
      ...(withGraph
        ? graph
        : [
            '',
            '_The graph is left out: it would exceed the job summary limit._',
            ''
          ])
    ].join('\n')

  let summary = compose(Number.MAX_SAFE_INTEGER, true)
  if (byteLength(summary) <= facts.maxBytes) return summary
  summary = compose(Number.MAX_SAFE_INTEGER, false)
  if (byteLength(summary) <= facts.maxBytes) return summary
  for (let idLimit = 1024; idLimit >= 1; idLimit = Math.floor(idLimit / 4)) {
    summary = compose(idLimit, false)
    if (byteLength(summary) <= facts.maxBytes) return summary
  }
  return summary
}

/** Critical path and times, when phases have estimates (then a blank line). */
/** How many phases a store of passed phases leaves out, with a blank line. */
function unchangedLine(
  analysis: PlanAnalysis,
  unchanged: readonly boolean[] | undefined,
  since: ReadonlyMap<string, string> | undefined
): string[] {
  if (unchanged === undefined) return []
  const ids = analysis.plan.phases.flatMap((phase, index) =>
    unchanged[index] === true ? [phase.id] : []
  )
  const runs = since === undefined ? '' : passedInWords(ids, since)
  return [
    `${ids.length} phase(s) unchanged since they passed${runs}: not run, counted as succeeded (marked unchanged below).`,
    ''
  ]
}

function estimates(
  analysis: PlanAnalysis,
  maxWorkers: number,
  unchanged: readonly boolean[] | undefined
): string[] {
  const facts = estimateFacts(analysis, maxWorkers, unchanged)
  if (facts === undefined) return []
  return [...estimateMarkdownLines(facts, analysis.plan, inlineCode), '']
}

/** Every problem of an invalid plan as a table row. */
export function renderProblemsSummary(problems: readonly Problem[]): string {
  const errors = problems.filter(p => p.severity === 'error').length
  const warnings = problems.length - errors
  const lines = [
    '## Phase plan: invalid',
    '',
    `${errors} error(s), ${warnings} warning(s).`,
    '',
    ...problemsTable(problems)
  ]
  return lines.join('\n') + '\n'
}
