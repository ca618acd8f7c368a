// `plan --format json`: the plan's waves and phases for scripts, and the
// `{"errors":[…]}` shape for a plan that cannot be used. Objects are built
// once and serialised by JSON.stringify (native, linear in output size).
import type {
  ParallelSettings,
  Phase,
  PlanAnalysis,
  Problem
} from '../plan/types.js'
import { at, numberAt } from '../plan/at.js'
import { valueOf } from '../plan/field-table.js'
import { PHASE } from '../plan/schema.js'

/**
 * One phase in the JSON output: only the fields that are set, under the
 * plan's own keys (`timeout-minutes`), in the PHASE table's order after
 * the first four and the 1-based `wave`; `done` (true) follows `status`
 * for a phase whose status reads `done` in any case (it never runs).
 */
type PhaseJson = Record<string, unknown> & {
  id: string
  name?: string
  description?: string
  deps: string[]
  wave: number
  done?: true
}

/** The table's fields after id, name, description and deps. */
const JSON_FIELDS: readonly string[] = PHASE.fields.filter(
  key => !['id', 'name', 'description', 'deps'].includes(key)
)

export interface PlanJson {
  phaseCount: number
  waveCount: number
  maxParallelism: number
  waves: string[][]
  phases: PhaseJson[]
  /** Present when a worker limit is set (config or flag). */
  maxWorkers?: number
  failFast?: boolean
  /** Present when at least one phase has `estimate_minutes`. */
  criticalPath?: { ids: string[]; minutes: number }
  totalMinutes?: number
  estimatedCount: number
  warnings?: ProblemJson[]
  /** `global_inputs:`, when the plan has some. */
  globalInputs?: string[]
  /** With a store of passed phases (`--passed`): the unchanged phases, plan order. */
  unchanged?: string[]
}

interface ProblemJson {
  code: string
  message: string
  file: string
  line: number
  column: number
  cycle?: string[]
}

export interface ProblemsJson {
  errors: ProblemJson[]
  warnings?: ProblemJson[]
}

function phaseJson(phase: Phase, wave: number): PhaseJson {
  // Keys in the order a reader expects; optional ones only when set.
  const out: PhaseJson = {
    id: phase.id,
    ...(phase.name === undefined ? {} : { name: phase.name }),
    ...(phase.description === undefined
      ? {}
      : { description: phase.description }),
    deps: phase.deps,
    wave
  }
  for (const key of JSON_FIELDS) {
    const value = valueOf(PHASE, key, phase)
    if (value !== undefined) out[key] = value
    if (key === 'status' && phase.done) out.done = true
  }
  return out
}

function problemJson(problem: Problem): ProblemJson {
  const out: ProblemJson = {
    code: problem.code,
    message: problem.message,
    file: problem.file,
    line: problem.line,
    column: problem.column
  }
  if (problem.cycle !== undefined) out.cycle = problem.cycle
  return out
}

/** The plan as a JSON value (see DESIGN.md "Command line"). */
export function planJson(
  analysis: PlanAnalysis,
  settings?: ParallelSettings,
  warnings: Problem[] = [],
  unchanged?: readonly boolean[]
): PlanJson {
  const { phases } = analysis.plan
  const ids = phases.map(phase => phase.id)
  const out: PlanJson = {
    phaseCount: phases.length,
    waveCount: analysis.waves.length,
    maxParallelism: analysis.maxParallelism,
    waves: analysis.waves.map(wave => wave.map(index => at(ids, index))),
    phases: phases.map((phase, index) =>
      phaseJson(phase, numberAt(analysis.waveOf, index) + 1)
    ),
    estimatedCount: analysis.estimatedCount
  }
  if (settings !== undefined) {
    if (settings.maxWorkers > 0) out.maxWorkers = settings.maxWorkers
    if (settings.failFast) out.failFast = true
  }
  if (analysis.estimatedCount > 0) {
    out.criticalPath = {
      ids: analysis.criticalPath.ids,
      minutes: analysis.criticalPath.minutes
    }
    out.totalMinutes = analysis.totalMinutes
  }
  if (warnings.length > 0) out.warnings = warnings.map(problemJson)
  if (analysis.plan.globalInputs !== undefined) {
    out.globalInputs = analysis.plan.globalInputs
  }
  if (unchanged !== undefined) {
    out.unchanged = ids.filter((_, index) => unchanged[index] === true)
  }
  return out
}

/**
 * JSON.stringify, with DEL and the C1 controls (which it leaves raw, and
 * some terminals obey) written as `\u` escapes too: same value, inert text.
 */
function inertJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\u009f]/g,
    char => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`
  )
}

/** Renders the plan as one line of JSON and a newline. */
export function renderPlanJson(
  analysis: PlanAnalysis,
  settings?: ParallelSettings,
  warnings: Problem[] = [],
  unchanged?: readonly boolean[]
): string {
  return inertJson(planJson(analysis, settings, warnings, unchanged)) + '\n'
}

/** Renders problems as `{"errors":[…],"warnings":[…]}` and a newline. */
export function renderProblemsJson(problems: Problem[]): string {
  const out: ProblemsJson = {
    errors: problems.filter(p => p.severity === 'error').map(problemJson)
  }
  const warnings = problems.filter(p => p.severity === 'warning')
  if (warnings.length > 0) out.warnings = warnings.map(problemJson)
  return inertJson(out) + '\n'
}
