// One job of the needs graph per phase: check out, the template's setup
// steps, the phase's command (each `${{` escaped, so plan text is data)
// with the fixed-text steps around it that give it $PHASE_INPUTS and hand
// on its $PHASE_OUTPUT where a dependency or a dependent needs them
// (needs-outputs.ts), and with fail_fast a step that cancels the run when
// the phase did not succeed. O(length of the phase's text).
import { UsageError } from '../plan/errors.js'
import path from 'node:path'
import { DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { maxAttempts, timeoutWithRetries } from '../plan/retries.js'
import type { Phase } from '../plan/types.js'
import { escapeExpressions, escapeExpressionsIn } from './expression-escape.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'
import {
  mappingOf,
  templatePermissions,
  templateSetupSteps,
  type WorkflowTemplate
} from './workflow-template.js'
import {
  DISCARDED_OUTPUTS_ENV,
  handOnSteps,
  ioSetupStep,
  neededOutputsEnv,
  PHASE_OUTPUTS_VALUE
} from './needs-outputs.js'
import { EXEC_ACTION_REF } from './waves-flavour.js'
import type { YamlMapping, YamlValue } from './yaml-value.js'

/** actions/checkout v5.0.0, pinned by commit. */
export const CHECKOUT_ACTION =
  'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'
export const CHECKOUT_VERSION = 'v5.0.0'

export const DEFAULT_RUNS_ON = 'ubuntu-latest'
/** The step of a phase without a command. */
export const NO_COMMAND = 'echo "This phase has no run command in the plan."'

/** Keys of the template's phase job copied into every phase job as they are. */
export const COPIED_JOB_KEYS = [
  'environment',
  'container',
  'services',
  'env',
  'defaults'
] as const

function checkoutStep(): YamlMapping {
  return {
    name: 'Check out the repository',
    uses: CHECKOUT_ACTION,
    with: { 'persist-credentials': false }
  }
}

/**
 * A phase with retries runs by exec (which runs it again after a failure,
 * in this job), reading its command from the plan in the repository.
 */
function execStep(
  phase: Phase,
  needs: readonly string[],
  options: NeedsWorkflowOptions
): YamlMapping {
  const plan = options.invocation.plan
  if (plan === '-' || path.isAbsolute(plan) || /^[A-Za-z]:[\\/]/.test(plan)) {
    throw new UsageError(
      `Phase ${phase.id} has retries: ${phase.retries ?? 0}: its job runs it with exec, which reads the plan from the repository. Give the plan as a path inside it (--plan .prd_runner/phase_plan.yaml), not ${plan === '-' ? 'standard input' : `the absolute path ${plan}`}.`
    )
  }
  const inputs: YamlMapping = {}
  if (plan !== DEFAULT_PLAN_PATH) inputs.plan = escapeExpressions(plan)
  if (options.invocation.config !== undefined)
    inputs.config = escapeExpressions(options.invocation.config)
  inputs.phases = escapeExpressions(JSON.stringify([phase.id]))
  return {
    id: 'x',
    name: 'Run phase (with retries)',
    uses: EXEC_ACTION_REF,
    ...neededOutputsEnv(needs),
    with: inputs
  }
}

/** Whether the phase's job runs it by exec (retries) and hands on its outputs. */
export function runsByExec(phase: Phase): boolean {
  return maxAttempts(phase) > 1 && hasCommand(phase)
}

/** What a phase job passes on: which needed jobs' outputs it reads, whether it hands on its own. */
export interface PhaseJobIo {
  /** It has dependencies: it reads $PHASE_INPUTS (`{}` when all are done in the plan). */
  reads: boolean
  /** Job ids of its direct dependencies (their `phase-outputs`). */
  inputsFrom: readonly string[]
  /** A phase depends on it directly: its job hands on `phase-outputs`. */
  handsOn: boolean
}

const NO_IO: PhaseJobIo = { reads: false, inputsFrom: [], handsOn: false }

/** Whether the phase has a command to run (else its job only says so). */
export function hasCommand(phase: Phase): boolean {
  return phase.run !== undefined && phase.run.trim() !== ''
}

/**
 * The phase's command and the steps around it: run by exec (retries), or
 * escaped in a plain step, between the steps of $PHASE_INPUTS and
 * $PHASE_OUTPUT where it has dependencies or dependents (else its outputs
 * go to /dev/null, so writing them never fails); a phase without a
 * command only says so.
 */
function commandSteps(
  phase: Phase,
  io: PhaseJobIo,
  options: NeedsWorkflowOptions
): YamlMapping[] {
  if (runsByExec(phase)) return [execStep(phase, io.inputsFrom, options)]
  if (!hasCommand(phase)) {
    return [{ name: 'Run phase', shell: 'bash', run: NO_COMMAND }]
  }
  const wired = io.handsOn || io.reads
  // shell: bash is `bash --noprofile --norc -eo pipefail {0}` on every
  // runner: a failing command piped into tee fails the phase, as in exec.
  const command: YamlMapping = { name: 'Run phase', shell: 'bash' }
  if (!wired) command.env = { ...DISCARDED_OUTPUTS_ENV }
  command.run = escapeExpressions(phase.run ?? '')
  if (!wired) return [command]
  return [
    ioSetupStep(io.inputsFrom),
    command,
    ...(io.handsOn ? handOnSteps(phase) : [])
  ]
}

// Cancels the run when this job failed or was cancelled (a timeout counts):
// 202 is done, 409 means the run is already finishing. Fixed text: no plan
// value reaches this shell code.
const CANCEL_SCRIPT = `status=$(curl --silent --show-error --output /dev/null --write-out '%{http_code}' \\
  --request POST \\
  --header "Authorization: Bearer $GH_TOKEN" \\
  --header "Accept: application/vnd.github+json" \\
  --header "X-GitHub-Api-Version: 2022-11-28" \\
  "$GITHUB_API_URL/repos/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID/cancel")
case "$status" in
  202|409) echo "fail_fast: cancelling the run after this phase did not succeed." ;;
  *) echo "::error title=phase-matrix::fail_fast could not cancel the run (HTTP $status); give this job permissions: actions: write."; exit 1 ;;
esac
`

export function cancelStep(): YamlMapping {
  return {
    name: 'Cancel the run (fail_fast)',
    if: 'failure() || cancelled()',
    shell: 'bash',
    env: { GH_TOKEN: '${{ github.token }}' },
    run: CANCEL_SCRIPT
  }
}

/** Job-level permissions for fail_fast: the workflow's plus actions: write. */
export function failFastPermissions(
  template: WorkflowTemplate | undefined
): YamlValue | undefined {
  const workflow = templatePermissions(template)
  if (workflow === 'write-all') return undefined
  if (typeof workflow === 'string') {
    throw new UsageError(
      `template ${template?.file ?? ''}: permissions: ${workflow} cannot be combined with fail_fast, which adds actions: write to each phase job's permissions. Write the permissions as a mapping (for example contents: read).`
    )
  }
  return { ...mappingOf(workflow), actions: 'write' }
}

/**
 * @param io the outputs it reads and hands on (none: a phase alone)
 * @param passed with --cache-passed, the job's `passed` output from the
 *   outcome of the last step of the phase (exec's or the hand-on step `x`,
 *   else the plain command step, which then gets the id `c`)
 */
export function phaseJob(
  phase: Phase,
  needs: string[],
  options: NeedsWorkflowOptions,
  condition?: string,
  io: PhaseJobIo = NO_IO,
  passed?: (stepId: string) => string
): YamlMapping {
  const pattern = options.template?.phase ?? {}
  const job: YamlMapping = { name: escapeExpressions(phase.id) }
  if (needs.length > 0) job.needs = needs
  if (condition !== undefined) job.if = condition
  setJobRunner(
    job,
    phase.runsOn,
    timeoutWithRetries(phase) ?? pattern['timeout-minutes'],
    options
  )
  let commands = commandSteps(phase, io, options)
  const outputs: YamlMapping = {}
  // What it wrote to $PHASE_OUTPUT, from step `x` (exec, or the hand-on
  // step); a job run by exec always has it.
  if (commands.some(step => step['id'] === 'x'))
    outputs['phase-outputs'] = PHASE_OUTPUTS_VALUE
  if (passed !== undefined) {
    // Step `x` (exec, or the hand-on step, which runs only after the
    // command and the output check succeeded) says the phase passed.
    if (commands.some(step => step['id'] === 'x'))
      outputs['passed'] = passed('x')
    else {
      commands = commands.map(step =>
        step['name'] === 'Run phase' ? { id: 'c', ...step } : step
      )
      outputs['passed'] = passed('c')
    }
  }
  if (Object.keys(outputs).length > 0) job.outputs = outputs
  const steps: YamlValue[] = [
    checkoutStep(),
    ...templateSetupSteps(options.template),
    ...commands
  ]
  if (options.settings.failFast) steps.push(cancelStep())
  job.steps = steps
  return job
}

/** Name and description of a phase as comment lines above its job. */
export function phaseComment(phase: Phase): string[] {
  const lines: string[] = []
  if (phase.name !== undefined && phase.name !== phase.id) {
    lines.push(phase.name)
  }
  if (phase.description !== undefined) {
    lines.push(...phase.description.trimEnd().split('\n'))
  }
  return lines.map(line => line.trimEnd())
}

/**
 * A phase job's (or packed job's) runner, timeout, fail-fast permissions
 * and the keys the template copies, in that order: `runsOn` the phases'
 * own runner, else the template's, else ubuntu-latest.
 */
export function setJobRunner(
  job: YamlMapping,
  runsOn: string | string[] | undefined,
  timeout: YamlValue | undefined,
  options: Pick<NeedsWorkflowOptions, 'template' | 'settings'>
): void {
  const pattern = options.template?.phase ?? {}
  job['runs-on'] =
    runsOn === undefined
      ? (pattern['runs-on'] ?? DEFAULT_RUNS_ON)
      : escapeExpressionsIn(runsOn)
  if (timeout !== undefined) job['timeout-minutes'] = timeout
  if (options.settings.failFast) {
    const permissions = failFastPermissions(options.template)
    if (permissions !== undefined) job.permissions = permissions
  }
  for (const key of COPIED_JOB_KEYS) {
    const value = pattern[key]
    if (value !== undefined) job[key] = value
  }
}
