// One job of the needs graph per phase: check out, the template's setup
// steps, the phase's command (each `${{` escaped, so plan text is data), and
// with fail_fast a step that cancels the run when the phase did not
// succeed. O(length of the phase's text).
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
import { neededOutputsEnv, PHASE_OUTPUTS_VALUE } from './needs-outputs.js'
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
  return (
    maxAttempts(phase) > 1 && phase.run !== undefined && phase.run.trim() !== ''
  )
}

/** The phase's command, escaped; a phase without one only says so. */
function commandStep(
  phase: Phase,
  needs: readonly string[],
  options: NeedsWorkflowOptions
): YamlMapping {
  if (runsByExec(phase)) return execStep(phase, needs, options)
  if (phase.run === undefined || phase.run.trim() === '') {
    return { name: 'Run phase', shell: 'bash', run: NO_COMMAND }
  }
  // shell: bash is `bash --noprofile --norc -eo pipefail {0}` on every
  // runner: a failing command piped into tee fails the phase, as in exec.
  return {
    name: 'Run phase',
    shell: 'bash',
    run: escapeExpressions(phase.run)
  }
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
 * @param withOutputs the needed jobs that hand on outputs (run by exec)
 * @param passed with --cache-passed, the job's `passed` output (from the
 *   outcome of its command step, which then gets the id `x`)
 */
export function phaseJob(
  phase: Phase,
  needs: string[],
  options: NeedsWorkflowOptions,
  condition?: string,
  withOutputs: readonly string[] = [],
  passed?: string
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
  let command = commandStep(phase, withOutputs, options)
  const outputs: YamlMapping = {}
  // A phase run by exec hands on what it wrote to $PHASE_OUTPUT.
  if (command['uses'] !== undefined)
    outputs['phase-outputs'] = PHASE_OUTPUTS_VALUE
  if (passed !== undefined) {
    if (command['id'] === undefined) command = { id: 'x', ...command }
    outputs['passed'] = passed
  }
  if (Object.keys(outputs).length > 0) job.outputs = outputs
  const steps: YamlValue[] = [
    checkoutStep(),
    ...templateSetupSteps(options.template),
    command
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
