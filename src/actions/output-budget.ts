// The one guard on what a step hands on as outputs, used by the plan and the
// settle actions before any output is set (so before any leg starts).
//
// GitHub keeps at most 1,048,576 bytes of outputs per job, "approximated
// based on UTF-16 encoding": 2 bytes per UTF-16 code unit of each output's
// name and value (an empty value is not sent). Over it GitHub fails the job
// with its own error; we refuse earlier, with a margin left for the caller's
// own outputs, and say how big the outputs are. The outputs a waves workflow
// forwards (the matrix, the state, …) must fit: over the budget is an error.
// Informational outputs (the plan's `waves`, `needs`, `mermaid`), which the
// reusable workflow does not forward, only add a warning when forwarding
// them too would go over: GitHub limits job outputs, not step outputs.
//
// The run state also travels as a step input, that is one environment
// string, which Linux refuses over 128 KiB (E2BIG, counted in UTF-8 bytes):
// it must stay far below that. O(total output length).
import { PlanError } from '../plan/errors.js'
import type { Problem } from '../plan/types.js'
import { MAX_ENV_STRING_BYTES } from '../plan/env-limits.js'
import { MAX_JOB_OUTPUT_BYTES } from './constants.js'

/** Room left in GitHub's 1 MB of job outputs for the caller's own outputs. */
export const OUTPUT_MARGIN_BYTES = 64 * 1024

/** What our outputs may take at most, as GitHub counts them. */
export const OUTPUT_BUDGET_BYTES = MAX_JOB_OUTPUT_BYTES - OUTPUT_MARGIN_BYTES

/** One output as GitHub counts it: 2 bytes per UTF-16 unit of name and value. */
export function outputSize(name: string, value: string): number {
  return value === '' ? 0 : 2 * (name.length + value.length)
}

/** All outputs as GitHub counts them. */
export function jobOutputSize(
  outputs: Readonly<Record<string, string>>
): number {
  let size = 0
  for (const [name, value] of Object.entries(outputs))
    size += outputSize(name, value)
  return size
}

/**
 * Whether the outputs a workflow forwards (all but `informational`) fit the
 * budget, as GitHub counts them: the test for an optional output (the fast
 * path's matrices) that is left out rather than refused.
 */
export function fitsOutputBudget(
  outputs: Readonly<Record<string, string>>,
  informational: readonly string[] = []
): boolean {
  let size = 0
  for (const [name, value] of Object.entries(outputs))
    if (!informational.includes(name)) size += outputSize(name, value)
  return size <= OUTPUT_BUDGET_BYTES
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`
}

/** Outputs to check, and how a problem speaks of them. */
interface OutputsCheck {
  /** The step, for messages: "plan", "settle". */
  step: string
  /** The plan file; a problem points at its first line. */
  file: string
  outputs: Readonly<Record<string, string>>
  /** `outputs` is an upper bound computed ahead of time. */
  upTo?: boolean
  /** Outputs the reusable workflow does not forward: over, only a warning. */
  informational?: readonly string[]
}

/**
 * The `too-large` problem for outputs that GitHub would refuse or a state no
 * process could receive, or undefined when they fit.
 */
export function outputsProblem(check: OutputsCheck): Problem | undefined {
  const { step, file, outputs, upTo = false, informational = [] } = check
  const forwarded: Record<string, string> = {}
  for (const [name, value] of Object.entries(outputs))
    if (!informational.includes(name)) forwarded[name] = value
  const problem = forwardedProblem(step, file, forwarded, upTo)
  if (problem !== undefined || informational.length === 0) return problem
  const total = jobOutputSize(outputs)
  if (total <= OUTPUT_BUDGET_BYTES) return undefined
  return {
    code: 'too-large',
    severity: 'warning',
    message:
      `The ${step} step's outputs take ${total.toLocaleString('en-US')} bytes as GitHub counts them (UTF-16) ` +
      `with ${informational.join(', ')} (${kib(jobOutputSize(outputs) - jobOutputSize(forwarded))}): do not forward ` +
      `those as job outputs, or GitHub fails the job (at most ${MAX_JOB_OUTPUT_BYTES.toLocaleString('en-US')} bytes ` +
      'of outputs per job). The reusable workflow does not forward them.',
    file,
    line: 1,
    column: 1
  }
}

function forwardedProblem(
  step: string,
  file: string,
  outputs: Readonly<Record<string, string>>,
  upTo: boolean
): Problem | undefined {
  const take = upTo ? 'can take up to' : 'take'
  const problem = (message: string): Problem => ({
    code: 'too-large',
    severity: 'error',
    message,
    file,
    line: 1,
    column: 1
  })
  const total = jobOutputSize(outputs)
  if (total > OUTPUT_BUDGET_BYTES) {
    const largest = Object.entries(outputs)
      .map(([name, value]) => [name, outputSize(name, value)] as const)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([name, size]) => `${name} ${kib(size)}`)
      .join(', ')
    return problem(
      `The ${step} step's outputs ${take} ${total.toLocaleString('en-US')} bytes as GitHub counts them ` +
        `(UTF-16, 2 bytes per character; ${largest}); GitHub keeps at most ` +
        `${MAX_JOB_OUTPUT_BYTES.toLocaleString('en-US')} bytes (1024 KiB) of outputs per job ` +
        `and we leave ${kib(OUTPUT_MARGIN_BYTES)} of that for yours, so the limit here is ` +
        `${OUTPUT_BUDGET_BYTES.toLocaleString('en-US')} bytes. Shorten the plan's descriptions and ` +
        'commands (a long command can live in a script file), split the plan, or use the generated ' +
        'needs graph (`phase-matrix generate`).'
    )
  }
  const state = outputs.state ?? ''
  const stateBytes = Buffer.byteLength(state, 'utf8')
  if (stateBytes > MAX_ENV_STRING_BYTES / 2) {
    return problem(
      `The run state ${upTo ? 'can take up to' : 'takes'} ${kib(stateBytes)}; it reaches the next step as one input, and a step input ` +
        `over ${kib(MAX_ENV_STRING_BYTES)} cannot reach a process (E2BIG). Split the plan or use the ` +
        'generated needs graph (`phase-matrix generate`).'
    )
  }
  return undefined
}

/** Throws the `too-large` PlanError of outputsProblem; returns its warning, if any. */
export function assertOutputsFit(check: OutputsCheck): Problem[] {
  const problem = outputsProblem(check)
  if (problem === undefined) return []
  if (problem.severity === 'error') throw new PlanError([problem])
  return [problem]
}
