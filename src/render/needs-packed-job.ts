// One job of a packed needs graph (`generate --max-jobs N`): check out, the
// template's setup steps, and the exec action running the job's phases from
// the plan in the workspace, in dependency order, past a failure with the
// phases that do not depend on it. Phase ids travel as one JSON array in
// exec's `phases` input, each `${{` escaped; commands never appear in the
// workflow (exec reads them from the plan). Every byte counts 5,000 phases
// into 500 KB: the two steps go without a `name:` (GitHub shows `Run
// actions/checkout@…` and `Run phase-matrix/phase-matrix/exec@v1`), and
// the plan without `plan:` when it is exec's default. O(length of the
// job's ids).
import { DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { LEG_TIMEOUT_MARGIN_MINUTES } from '../plan/packing.js'
import { timeoutWithRetries } from '../plan/retries.js'
import type { Phase } from '../plan/types.js'
import { escapeExpressions } from './expression-escape.js'
import {
  EXEC_UNCHANGED_INPUT,
  PACKED_PASSED_OUTPUT,
  PLAN_JOB_ID,
  RUN_STEP_ID
} from './needs-passed.js'
import { cancelStep, CHECKOUT_ACTION, setJobRunner } from './needs-phase-job.js'
import { neededOutputsEnv, PHASE_OUTPUTS_VALUE } from './needs-outputs.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'
import { EXEC_ACTION_REF } from './waves-flavour.js'
import { templateSetupSteps } from './workflow-template.js'
import type { YamlMapping, YamlValue } from './yaml-value.js'

/** The job's name: its first phase's id, and how many more it runs. */
export function packedJobName(phases: readonly Phase[]): string {
  const first = escapeExpressions(phases[0]?.id ?? '')
  return phases.length === 1 ? first : `${first} +${phases.length - 1}`
}

/** With --cache-passed: the job's `if:`, and whether any phase can be unchanged. */
export interface PackedCache {
  condition: string
  /** Some phase has a hash: exec gets the unchanged list, the job a `passed` output. */
  hashable: boolean
}

/**
 * @param phases the job's phases, in plan order (one runner)
 * @param needs job ids of the jobs holding their dependencies
 * @param planPath the plan as exec reads it in the workspace
 * @param handsOn whether another job needs it (then it has the output
 *   `phase-outputs`)
 */
export function packedJob(
  phases: readonly Phase[],
  needs: readonly string[],
  planPath: string,
  options: NeedsWorkflowOptions,
  cache?: PackedCache,
  handsOn = true
): YamlMapping {
  const pattern = options.template?.phase ?? {}
  const job: YamlMapping = { name: packedJobName(phases) }
  const allNeeds = cache === undefined ? needs : [PLAN_JOB_ID, ...needs]
  if (allNeeds.length > 0) job.needs = [...allNeeds]
  if (cache !== undefined) job.if = cache.condition
  setJobRunner(
    job,
    phases[0]?.runsOn,
    jobTimeout(phases, pattern['timeout-minutes']),
    options
  )
  // What its phases wrote to $PHASE_OUTPUT, for the jobs that need it.
  const outputs: YamlMapping = {}
  if (handsOn) outputs['phase-outputs'] = PHASE_OUTPUTS_VALUE
  const inputs = execInputs(phases, planPath)
  if (cache?.hashable === true) {
    // Which of its phases passed, for the save job; exec skips the unchanged.
    outputs['passed'] = PACKED_PASSED_OUTPUT
    inputs.unchanged = EXEC_UNCHANGED_INPUT
  }
  if (Object.keys(outputs).length > 0) job.outputs = outputs
  const steps: YamlValue[] = [
    { uses: CHECKOUT_ACTION, with: { 'persist-credentials': false } },
    ...templateSetupSteps(options.template),
    {
      id: RUN_STEP_ID,
      uses: EXEC_ACTION_REF,
      ...neededOutputsEnv(needs),
      with: inputs
    }
  ]
  if (options.settings.failFast) steps.push(cancelStep())
  job.steps = steps
  return job
}

function execInputs(phases: readonly Phase[], planPath: string): YamlMapping {
  const inputs: YamlMapping = {}
  if (planPath !== DEFAULT_PLAN_PATH) inputs.plan = escapeExpressions(planPath)
  inputs.phases = escapeExpressions(JSON.stringify(phases.map(p => p.id)))
  return inputs
}

/**
 * The phases' timeouts together (each its own, else the template's), plus
 * the margin packed legs get, when every phase has one; else none (GitHub's
 * default). A lone phase keeps its own timeout. O(phases).
 */
function jobTimeout(
  phases: readonly Phase[],
  fallback: YamlValue | undefined
): YamlValue | undefined {
  if (phases.length === 1) {
    const only = phases[0]
    return (
      (only === undefined ? undefined : timeoutWithRetries(only)) ?? fallback
    )
  }
  let sum = 0
  for (const phase of phases) {
    const timeout = timeoutWithRetries(phase) ?? fallback
    if (typeof timeout !== 'number') return undefined
    sum += timeout
  }
  return Math.ceil(sum + LEG_TIMEOUT_MARGIN_MINUTES)
}
