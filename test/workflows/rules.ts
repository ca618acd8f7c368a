// Safety rules every workflow of the repository keeps, as a checker that
// returns what breaks them (so the tests can also show it catches breaks).
import { parse } from 'yaml'
import { PHASE_OUTPUTS_LIMIT } from '../../src/plan/leg-record.js'

interface Step {
  id?: string
  name?: string
  if?: string
  run?: string
  uses?: string
  env?: Record<string, unknown>
  with?: Record<string, unknown>
}
interface Job {
  name?: string
  needs?: string | string[]
  if?: string
  steps?: Step[]
  [key: string]: unknown
}
export interface Workflow {
  permissions?: unknown
  jobs: Record<string, Job>
}

export function parseWorkflowYaml(text: string): Workflow {
  return parse(text) as Workflow
}

export function needsOf(job: Job): string[] {
  if (job.needs === undefined) return []
  return typeof job.needs === 'string' ? [job.needs] : job.needs
}

/** Jobs `id` waits for, directly or not. */
function ancestorsOf(workflow: Workflow, id: string): Set<string> {
  const seen = new Set<string>()
  const queue = [id]
  for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
    for (const need of needsOf(workflow.jobs[next] ?? {})) {
      if (!seen.has(need)) {
        seen.add(need)
        queue.push(need)
      }
    }
  }
  return seen
}

const EXPRESSION = /\$\{\{([\s\S]*?)\}\}/g

function expressionsIn(value: unknown): string[] {
  const text = typeof value === 'string' ? value : JSON.stringify(value)
  return [...text.matchAll(EXPRESSION)].map(match => (match[1] ?? '').trim())
}

/** Whole-object values that must never go through `env:` (E2BIG, injection). */
const WHOLE_VALUE = [
  /toJSON\s*\(/i,
  /^matrix$/,
  /^needs(\.[\w-]+)?$/,
  /\.outputs\.(matrix|matrices|state|needs|waves|mermaid)\b/
]

/**
 * The one whole value that may go through `env:`: a settle or exec step's
 * `PHASE_MATRIX_ROUND_<k>: ${{ toJSON(needs.wave-<k>) }}`, the legs'
 * records of round k (no phase text; outputs only base64url-encoded; the
 * plan step bounds the records' size, exec the outputs').
 */
function isRoundRecords(key: string, expression: string, step: Step): boolean {
  const round = /^PHASE_MATRIX_ROUND_(\d+)$/.exec(key)?.[1]
  return (
    round !== undefined &&
    expression === `toJSON(needs.wave-${round})` &&
    /(^\.\/(settle|exec)$|\/(settle|exec)@)/.test(step.uses ?? '')
  )
}

/**
 * The other: a needs-graph phase job's `PHASE_MATRIX_OUTPUTS: ${{
 * toJSON(steps.o.outputs) }}`, what its phase wrote, after the step `o`
 * that refused more than 16 KiB of it (so its JSON stays below 128 KiB).
 */
function isCheckedOutputs(
  key: string,
  expression: string,
  steps: readonly Step[],
  index: number
): boolean {
  return (
    key === 'PHASE_MATRIX_OUTPUTS' &&
    expression === 'toJSON(steps.o.outputs)' &&
    steps
      .slice(0, index)
      .some(
        step =>
          step.id === 'o' &&
          (step.run ?? '').includes(
            `if [ "$size" -gt ${PHASE_OUTPUTS_LIMIT} ]; then`
          )
      )
  )
}

/** Phase text (anything of a leg but its id and wave) outside `env:`. */
const PHASE_TEXT = /\bmatrix(\.(run|name|description|deps)\b|\[)/

/** `fromJSON(<arg>)` arguments, for the guard rule. */
const FROM_JSON = /fromJSON\(\s*([^)]*?)\s*\)/gi

/**
 * Where a workflow breaks the rules: no `${{` inside a `run:` script; phase
 * text reaches a step only as an `env:` value; no `toJSON(needs)`, whole
 * matrix or state through `env:`; and every `fromJSON` of a job output runs
 * only in a job whose `if` requires `has-work == 'true'` of that job or of a
 * job after it (a skipped or failed job's outputs are '', and
 * `fromJSON('')` fails), and `fromJSON` of the plan's `matrices` only in a
 * job whose `if` requires its `fast-rounds`.
 */
export function ruleViolations(workflow: Workflow): string[] {
  const violations: string[] = []
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const steps = job.steps ?? []
    for (const [index, step] of steps.entries()) {
      const at = `${id} step ${step.name ?? step.uses ?? index + 1}`
      if (step.run?.includes('${{')) {
        violations.push(`${at}: \${{ inside run:`)
      }
      for (const [key, value] of Object.entries(step.env ?? {})) {
        for (const expression of expressionsIn(value)) {
          if (isRoundRecords(key, expression, step)) continue
          if (isCheckedOutputs(key, expression, steps, index)) continue
          if (WHOLE_VALUE.some(pattern => pattern.test(expression))) {
            violations.push(`${at}: env ${key} passes a whole value`)
          }
        }
      }
      const outsideEnv = { ...step, env: undefined }
      if (PHASE_TEXT.test(expressionsIn(outsideEnv).join('\n'))) {
        violations.push(`${at}: phase text outside env:`)
      }
    }
    const jobLevel = { ...job, steps: undefined }
    const jobExpressions = expressionsIn(jobLevel).join('\n')
    if (/\bmatrix\.(run|description|deps)\b/.test(jobExpressions)) {
      violations.push(`${id}: phase text in a job field`)
    }
    violations.push(...fromJsonViolations(workflow, id, job))
  }
  return violations
}

function fromJsonViolations(
  workflow: Workflow,
  id: string,
  job: Job
): string[] {
  const violations: string[] = []
  const condition = job.if ?? ''
  const text = expressionsIn(job).join('\n')
  for (const match of text.matchAll(FROM_JSON)) {
    const argument = match[1] ?? ''
    if (argument === 'inputs.runs-on') {
      if (!text.includes("startsWith(inputs.runs-on, '[') && fromJSON")) {
        violations.push(`${id}: fromJSON(inputs.runs-on) without a guard`)
      }
      continue
    }
    const output = /^needs\.([\w-]+)\.outputs\.[\w-]+$/.exec(argument)
    const source = output?.[1]
    if (source === undefined) {
      violations.push(`${id}: fromJSON(${argument}) of an unguarded value`)
      continue
    }
    // The fast path's matrices: only for a round the plan handed out up front.
    if (/\.outputs\.matrices$/.test(argument)) {
      if (!condition.includes(`needs.${source}.outputs.fast-rounds >= `)) {
        violations.push(
          `${id}: fromJSON(${argument}) but its if does not require fast-rounds`
        )
      }
      continue
    }
    const guards = [
      ...condition.matchAll(/needs\.([\w-]+)\.outputs\.has-work == 'true'/g)
    ].map(guard => guard[1] ?? '')
    const guarded = guards.some(
      guard => guard === source || ancestorsOf(workflow, guard).has(source)
    )
    if (!guarded) {
      violations.push(
        `${id}: fromJSON(${argument}) but its if does not require has-work`
      )
    }
  }
  return violations
}
