// What the pull-request check shows, as GitHub Markdown: the verdict, every
// problem, whether the generated workflow is current (with the diff and the
// command that fixes it), what the pull request changes in the plan, the
// waves, the Mermaid graph, and — when phases have estimates — the critical
// path and the sequential against the parallel time. The same text is the
// job summary and (after the hidden marker) the sticky comment.
// O(phases + deps + diff size).
import { estimateFacts } from '../plan/simulate.js'
import type { PlanAnalysis, Problem } from '../plan/types.js'
import type { WorkflowDrift } from './generate-command-line.js'
import { estimateMarkdownLines } from './simulation.js'
import {
  codeBlock,
  inlineCode,
  markdownText,
  problemsTable,
  truncateMarkdown
} from './safe-text.js'
import { renderMermaid } from './mermaid.js'
import { valueOf } from '../plan/field-table.js'
import { PHASE } from '../plan/schema.js'
import type { Phase, Plan } from '../plan/types.js'

/** Finds our comment again among the pull request's comments. */
export const COMMENT_MARKER = '<!-- phase-matrix:check -->'
/** GitHub refuses comment bodies longer than this. */
const MAX_COMMENT_CHARS = 65536
/** GitHub's Mermaid renderer gives up above this many characters. */
const MAX_MERMAID_CHARS = 50000
/** Diff lines shown before the rest is left to the log. */
const MAX_DIFF_LINES = 400

export type BaseComparison =
  | { kind: 'changes'; baseRef: string; changes: PlanChanges }
  | { kind: 'no-base-plan'; baseRef: string }
  | { kind: 'unavailable'; reason: string }

export interface CheckReport {
  planFile: string
  /** Present when the plan is valid. */
  analysis?: PlanAnalysis
  /** Every problem (errors and warnings). */
  problems: readonly Problem[]
  /** Present when a workflow was checked and could be compared. */
  drift?: WorkflowDrift
  /** Why the workflow could not be compared (e.g. file missing). */
  driftError?: string
  /** What the pull request changes, when the base plan was looked up. */
  base?: BaseComparison
  /** The worker limit (config or input) the estimates use; 0 or absent: none. */
  maxWorkers?: number
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

function verdict(report: CheckReport): string {
  const file = inlineCode(report.planFile)
  const errors = report.problems.filter(p => p.severity === 'error').length
  const warnings = report.problems.length - errors
  if (report.analysis === undefined || errors > 0) {
    return `❌ ${file} is not a usable plan: ${plural(errors, 'error')}${warnings > 0 ? `, ${plural(warnings, 'warning')}` : ''}.`
  }
  const { analysis } = report
  const shape = `${plural(analysis.plan.phases.length, 'phase')} in ${plural(analysis.waves.length, 'wave')}, at most ${analysis.maxParallelism} at once`
  const warned = warnings > 0 ? ` (${plural(warnings, 'warning')})` : ''
  return `✅ ${file} is valid: ${shape}${warned}.`
}

function problemsSection(problems: readonly Problem[]): string[] {
  if (problems.length === 0) return []
  return ['#### Problems', '', ...problemsTable(problems), '']
}

function driftSection(report: CheckReport): string[] {
  if (report.driftError !== undefined) {
    return [
      '#### Generated workflow',
      '',
      `❌ ${markdownText(report.driftError)}`,
      ''
    ]
  }
  const drift = report.drift
  if (drift === undefined) return []
  const file = inlineCode(drift.file)
  if (drift.current) {
    return [
      '#### Generated workflow',
      '',
      `✅ ${file} is what \`phase-matrix generate\` writes for this plan.`,
      ''
    ]
  }
  const diffLines = drift.diff.split('\n')
  const shown =
    diffLines.length > MAX_DIFF_LINES
      ? [
          ...diffLines.slice(0, MAX_DIFF_LINES),
          `… ${diffLines.length - MAX_DIFF_LINES} more lines in the log`
        ]
      : diffLines
  return [
    '#### Generated workflow',
    '',
    `❌ ${file} is out of date. Regenerate it and commit the result:`,
    '',
    codeBlock(drift.fixCommand, 'sh'),
    '',
    '<details><summary>What changes</summary>',
    '',
    codeBlock(shown.join('\n'), 'diff'),
    '',
    '</details>',
    ''
  ]
}

function idList(ids: readonly string[]): string {
  return ids.map(inlineCode).join(', ')
}

function baseSection(base: BaseComparison | undefined): string[] {
  if (base === undefined) return []
  const head = '#### Changes against the base branch'
  if (base.kind === 'unavailable') {
    return [
      head,
      '',
      `The base plan could not be read: ${markdownText(base.reason)}`,
      ''
    ]
  }
  const ref = inlineCode(base.baseRef.slice(0, 12))
  if (base.kind === 'no-base-plan') {
    return [
      head,
      '',
      `The base branch (${ref}) has no plan at this path: every phase is new.`,
      ''
    ]
  }
  const { changes } = base
  if (noChanges(changes)) {
    return [
      head,
      '',
      `No phase, dependency or run command changed against ${ref}.`,
      ''
    ]
  }
  const lines = [head, '', `Against ${ref}:`, '']
  if (changes.added.length > 0) {
    lines.push(`- Added: ${idList(changes.added)}`)
  }
  if (changes.removed.length > 0) {
    lines.push(`- Removed: ${idList(changes.removed)}`)
  }
  for (const change of changes.changed) {
    const parts: string[] = []
    if (change.addedDeps.length > 0) {
      parts.push(`now depends on ${idList(change.addedDeps)}`)
    }
    if (change.removedDeps.length > 0) {
      parts.push(`no longer depends on ${idList(change.removedDeps)}`)
    }
    if (change.fields.length > 0) {
      parts.push(`changed ${change.fields.map(f => `\`${f}\``).join(', ')}`)
    }
    lines.push(`- ${inlineCode(change.id)}: ${parts.join('; ')}`)
  }
  return [...lines, '']
}

function wavesSection(analysis: PlanAnalysis): string[] {
  const { phases } = analysis.plan
  const lines = ['#### Waves', '', '| Wave | Phases | Count |', '|--:|---|--:|']
  analysis.waves.forEach((wave, w) => {
    const ids = wave.map(index => {
      const phase = phases[index]
      const id = inlineCode(phase?.id ?? '')
      return phase?.done === true ? `${id} (done)` : id
    })
    lines.push(`| ${w + 1} | ${ids.join(', ')} | ${wave.length} |`)
  })
  return [...lines, '']
}

function graphSection(analysis: PlanAnalysis): string[] {
  const mermaid = renderMermaid(analysis)
  if (mermaid.length > MAX_MERMAID_CHARS) {
    return [
      '#### Graph',
      '',
      `_The graph is left out: ${mermaid.length} characters of Mermaid is more than GitHub draws (${MAX_MERMAID_CHARS})._`,
      ''
    ]
  }
  return ['#### Graph', '', codeBlock(mermaid.trimEnd(), 'mermaid'), '']
}

function estimatesSection(
  analysis: PlanAnalysis,
  maxWorkers: number
): string[] {
  const facts = estimateFacts(analysis, maxWorkers)
  if (facts === undefined) return []
  return [
    '#### Estimates',
    '',
    ...estimateMarkdownLines(facts, analysis.plan, inlineCode),
    ''
  ]
}

/** The job summary. */
export function renderCheckReport(report: CheckReport): string {
  const lines = ['### phase-matrix: plan check', '', verdict(report), '']
  lines.push(...problemsSection(report.problems))
  lines.push(...driftSection(report))
  lines.push(...baseSection(report.base))
  if (report.analysis !== undefined) {
    lines.push(...wavesSection(report.analysis))
    lines.push(...estimatesSection(report.analysis, report.maxWorkers ?? 0))
    lines.push(...graphSection(report.analysis))
  }
  return lines.join('\n')
}

/** The sticky comment: marker first, then the report, under GitHub's limit. */
export function renderCheckComment(
  report: CheckReport,
  maxChars: number = MAX_COMMENT_CHARS
): string {
  const body = `${COMMENT_MARKER}\n${renderCheckReport(report)}`
  return truncateMarkdown(
    body,
    maxChars,
    '_This comment is cut short to fit GitHub’s size limit; the job summary of the check has all of it._'
  )
}

// What a pull request changes in a plan: phases added and removed, and for
// phases in both, the dependencies added and removed and which of the
// fields that change a run (those the PHASE table marks `changesRun`:
// `run`, `runs-on`, `timeout-minutes`, `status`) differ, by their plan
// keys. Phases are matched by id. O(V + E) with hash sets.

/** A plan key of a field that changes a run (`runs-on`). */
type ChangedField = string

/** The fields that change a run, in table order. */
const RUN_FIELDS: readonly string[] = PHASE.fields.filter(
  key => PHASE.info(key)?.changesRun === true
)

interface PhaseChange {
  id: string
  addedDeps: string[]
  removedDeps: string[]
  fields: ChangedField[]
}

interface PlanChanges {
  /** Ids only in the head plan, in head order. */
  added: string[]
  /** Ids only in the base plan, in base order. */
  removed: string[]
  /** Phases in both that differ, in head order. */
  changed: PhaseChange[]
}

/** Equal scalars, or lists (`runs-on: [a, b]`) with equal items. */
function sameValue(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b
  return a.length === b.length && a.every((item, i) => item === b[i])
}

function changedFields(base: Phase, head: Phase): ChangedField[] {
  return RUN_FIELDS.filter(
    key => !sameValue(valueOf(PHASE, key, base), valueOf(PHASE, key, head))
  )
}

/** Changes from `base` to `head`; a missing base means every phase is new. */
export function diffPlans(base: Plan | undefined, head: Plan): PlanChanges {
  const baseById = new Map<string, Phase>()
  for (const phase of base?.phases ?? []) {
    if (!baseById.has(phase.id)) baseById.set(phase.id, phase)
  }
  const headIds = new Set(head.phases.map(phase => phase.id))
  const changes: PlanChanges = { added: [], removed: [], changed: [] }
  const seen = new Set<string>()
  for (const phase of head.phases) {
    if (seen.has(phase.id)) continue
    seen.add(phase.id)
    const before = baseById.get(phase.id)
    if (before === undefined) {
      changes.added.push(phase.id)
      continue
    }
    const oldDeps = new Set(before.deps)
    const newDeps = new Set(phase.deps)
    const change: PhaseChange = {
      id: phase.id,
      addedDeps: phase.deps.filter(dep => !oldDeps.has(dep)),
      removedDeps: before.deps.filter(dep => !newDeps.has(dep)),
      fields: changedFields(before, phase)
    }
    if (
      change.addedDeps.length > 0 ||
      change.removedDeps.length > 0 ||
      change.fields.length > 0
    ) {
      changes.changed.push(change)
    }
  }
  for (const id of baseById.keys()) {
    if (!headIds.has(id)) changes.removed.push(id)
  }
  return changes
}

/** True when the plans have the same phases, deps and run fields. */
function noChanges(changes: PlanChanges): boolean {
  return (
    changes.added.length === 0 &&
    changes.removed.length === 0 &&
    changes.changed.length === 0
  )
}
