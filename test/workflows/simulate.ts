// Runs the job graph of a waves workflow as GitHub schedules it, with GitHub's
// own expression evaluator, for scripted outcomes of our actions: which jobs
// run or are skipped, what the report's settle step receives, and what its
// verdict step (really run in bash) says. Status functions follow GitHub:
// at job level `success()` needs every ancestor to have succeeded (so a
// skip propagates), `failure()` is true when any ancestor failed.
import { spawnSync } from 'node:child_process'
import { data } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import { evaluateExpression } from '../support/github-expressions.js'
import { needsOf, type Workflow } from './rules.js'

export type Result = 'success' | 'failure' | 'cancelled' | 'skipped'

export interface Outcome {
  result: Result
  outputs?: Record<string, string>
}

/** A settle step's inputs, evaluated (`state`, `rounds-run`, …). */
export type SettleInputs = Record<string, string>

export interface Scenario {
  plan: Outcome
  /**
   * Outcome of settle job k (it must not run when absent), or a function of
   * k and its settle step's inputs.
   */
  settles?:
    Record<number, Outcome> | ((wave: number, inputs: SettleInputs) => Outcome)
  /** Wave jobs that fail (a leg failed); the others succeed. */
  failedWaves?: number[]
  /** Runs the legs of wave job k from its evaluated matrix: the job's result. */
  wave?: (wave: number, matrix: unknown) => Result
  /** The report's settle step, given the state it received (and all its inputs). */
  reportSettle?: (state: string, inputs: SettleInputs) => Outcome
  /** `github.run_attempt` (default 1). */
  attempt?: number
}

export interface JobRun {
  result: Result
  outputs: Record<string, string>
}

export interface Simulation {
  jobs: Record<string, JobRun>
  /** The state the report's settle step got, when it ran. */
  reportState?: string
  /** What the verdict step printed. */
  verdict?: string
}

const STATUS = ['success', 'failure', 'cancelled', 'always']

interface Status {
  success: boolean
  failure: boolean
}

/** GitHub's evaluator with the status functions of this job (never cancelled). */
function evaluate(
  expression: string,
  context: Record<string, unknown>,
  status: Status
): unknown {
  const statusFunction = (
    name: string,
    result: boolean
  ): FunctionDefinition => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(result)
  })
  return evaluateExpression(expression, context, [
    statusFunction('success', status.success),
    statusFunction('failure', status.failure),
    statusFunction('cancelled', false),
    statusFunction('always', true)
  ])
}

/** An `if:` (implicitly `success() && …` without a status function). */
function condition(
  text: string | undefined,
  context: Record<string, unknown>,
  status: Status
): boolean {
  const expression = unwrap(text ?? 'success()')
  const usesStatus = STATUS.some(name => expression.includes(`${name}(`))
  const full = usesStatus ? expression : `success() && (${expression})`
  return Boolean(evaluate(full, context, status))
}

/** A `${{ x }}` string value, as GitHub turns it into a string. */
function stringValue(text: unknown, context: Record<string, unknown>): string {
  if (typeof text !== 'string') return String(text)
  const match = /^\$\{\{([\s\S]*)\}\}$/.exec(text.trim())
  if (match === null) return text
  const value = evaluate(match[1] ?? '', context, {
    success: true,
    failure: false
  })
  if (value === null) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A step's `with:` as the action receives it: every value a string. */
function inputsOf(
  values: Record<string, unknown> | undefined,
  context: Record<string, unknown>
): SettleInputs {
  const inputs: SettleInputs = {}
  for (const [name, value] of Object.entries(values ?? {}))
    inputs[name] = stringValue(value, context)
  return inputs
}

function unwrap(text: string): string {
  const match = /^\$\{\{([\s\S]*)\}\}$/.exec(text.trim())
  return (match?.[1] ?? text).trim()
}

export function simulate(workflow: Workflow, scenario: Scenario): Simulation {
  const jobs: Record<string, JobRun> = {}
  const simulation: Simulation = { jobs }
  const ancestors = (id: string): string[] => {
    const seen = new Set<string>()
    const queue = [id]
    for (let next = queue.pop(); next !== undefined; next = queue.pop()) {
      for (const need of needsOf(workflow.jobs[next] ?? {})) {
        if (!seen.has(need)) queue.push(need)
        seen.add(need)
      }
    }
    return [...seen]
  }
  // Jobs are written after the jobs they need.
  for (const [id, job] of Object.entries(workflow.jobs)) {
    const needs: Record<string, JobRun> = {}
    for (const need of needsOf(job)) {
      const done = jobs[need]
      if (done === undefined)
        throw new Error(`${id} needs ${need}, not run yet`)
      needs[need] = done
    }
    const results = ancestors(id).map(a => jobs[a]?.result)
    const status = {
      success: results.every(r => r === 'success'),
      failure: results.includes('failure')
    }
    const context = {
      needs,
      inputs: {},
      github: { run_attempt: String(scenario.attempt ?? 1) }
    }
    if (!condition(job.if, context, status)) {
      jobs[id] = { result: 'skipped', outputs: {} }
      continue
    }
    jobs[id] = runJob(id, job, context, scenario, simulation)
  }
  return simulation
}

function scripted(outcome: Outcome | undefined, id: string): JobRun {
  if (outcome === undefined)
    throw new Error(`${id} ran but the scenario has no outcome for it`)
  return { result: outcome.result, outputs: outcome.outputs ?? {} }
}

function runJob(
  id: string,
  job: Workflow['jobs'][string],
  context: Record<string, unknown>,
  scenario: Scenario,
  simulation: Simulation
): JobRun {
  if (id === 'plan') return scripted(scenario.plan, id)
  const round = /^(wave|settle)-(\d+)$/.exec(id)
  if (round?.[1] === 'wave') {
    const wave = Number(round[2])
    if (scenario.wave !== undefined) {
      const matrix = evaluate(
        unwrap(String((job.strategy as { matrix: unknown }).matrix)),
        context,
        { success: true, failure: false }
      )
      return { result: scenario.wave(wave, matrix), outputs: {} }
    }
    const failed = scenario.failedWaves?.includes(wave) === true
    return { result: failed ? 'failure' : 'success', outputs: {} }
  }
  if (round?.[1] === 'settle') {
    const wave = Number(round[2])
    const settles = scenario.settles
    if (typeof settles !== 'function') return scripted(settles?.[wave], id)
    const step = (job.steps ?? []).find(s => s.id === 'settle')
    return scripted(settles(wave, inputsOf(step?.with, context)), id)
  }
  if (id !== 'report') throw new Error(`unexpected job ${id}`)

  // The report's steps, in order, with step-level status.
  const steps: Record<string, { outputs: Record<string, string> }> = {}
  let failed = false
  for (const step of job.steps ?? []) {
    const stepContext = { ...context, steps }
    if (!condition(step.if, stepContext, { success: !failed, failure: failed }))
      continue
    if (step.id === 'settle') {
      const inputs = inputsOf(step.with, stepContext)
      const state = inputs.state ?? ''
      simulation.reportState = state
      const outcome = scripted(
        scenario.reportSettle?.(state, inputs),
        'report settle'
      )
      steps.settle = { outputs: outcome.outputs }
      failed ||= outcome.result === 'failure'
    } else if (step.run !== undefined) {
      const env: Record<string, string> = {}
      for (const [key, value] of Object.entries(step.env ?? {})) {
        env[key] = stringValue(value, stepContext)
      }
      // As the runner runs `shell: bash` (without --norc, bash started
      // with a socket for stdin sources ~/.bashrc, as under rshd).
      const run = spawnSync(
        'bash',
        ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run],
        {
          env: { PATH: process.env.PATH, ...env },
          encoding: 'utf8'
        }
      )
      simulation.verdict = run.stdout + run.stderr
      failed ||= run.status !== 0
    }
  }
  return {
    result: failed ? 'failure' : 'success',
    outputs: steps.settle?.outputs ?? {}
  }
}
