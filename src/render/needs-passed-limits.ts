// What `generate --cache-passed` refuses before it writes a workflow that
// could not run: a plan the plan action cannot read from the repository
// (standard input, an absolute path), a cache key actions/cache would
// refuse, and lists of phase ids too long for the one environment string
// each reaches a process as (the save job's settle input `graph-passed`,
// every `passed` output together; a packed job's exec input `unchanged`).
// Pure. O(phases).
import {
  MAX_ENV_VALUE_BYTES,
  MAX_WINDOWS_ENV_VALUE_UNITS
} from '../plan/env-limits.js'
import { UsageError } from '../plan/errors.js'
import type { Phase, PlanAnalysis, Problem } from '../plan/types.js'
import type { GenerateInvocation } from './generate-command-line.js'
import { storeKeyPrefix } from './needs-passed.js'
import { utf8Length } from './needs-size.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'
import type { YamlValue } from './yaml-value.js'

/** actions/cache refuses a key longer than this. */
const MAX_CACHE_KEY_LENGTH = 512
/** `${{ github.run_id }}-${{ github.run_attempt }}` once evaluated, at most. */
const RUN_KEY_LENGTH = 32

/** Throws a UsageError when --cache-passed cannot work for this invocation. */
export function checkCachePassedPlan(invocation: GenerateInvocation): void {
  const { plan, cachePassed } = invocation
  if (cachePassed !== true) return
  if (plan === '-' || plan.startsWith('/') || /^[A-Za-z]:[\\/]/.test(plan)) {
    throw new UsageError(
      `--cache-passed: the job phase-matrix-plan runs the plan action, which reads the plan from the repository. Give the plan as a path inside it (--plan .prd_runner/phase_plan.yaml), not ${plan === '-' ? 'standard input' : `the absolute path ${plan}`}.`
    )
  }
  const key = storeKeyPrefix(plan, '0'.repeat(16)).length + RUN_KEY_LENGTH
  if (key > MAX_CACHE_KEY_LENGTH) {
    throw new UsageError(
      `--cache-passed: the store's cache key names the plan path, and with '${plan.slice(0, 60)}…' it would be over the ${MAX_CACHE_KEY_LENGTH} characters actions/cache allows. Use a shorter path for the plan.`
    )
  }
}

function namesWindows(runsOn: YamlValue | string[] | undefined): boolean {
  const labels = Array.isArray(runsOn) ? runsOn : [runsOn]
  return labels.some(
    label => typeof label === 'string' && /windows/i.test(label)
  )
}

/**
 * Problems with the lists of ids --cache-passed hands through env.
 * @param passing per job with a `passed` output, the phases it can list
 * @param packed whether the jobs run exec with the unchanged list
 */
export function cachePassedProblems(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  passing: readonly (readonly Phase[])[],
  packed = false
): Problem[] {
  // toJSON(needs.*.outputs.passed): `[`, then per job `  "<JSON, escaped>",`
  // on a line of its own, then `]`; every job listing all it can.
  let bytes = 4
  let units = 4
  const all: string[] = []
  let packedOnWindows = false
  for (const phases of passing) {
    if (phases.length === 0) continue
    const ids = phases.map(phase => phase.id)
    all.push(...ids)
    const element = JSON.stringify(JSON.stringify(ids))
    bytes += utf8Length(element) + 4
    units += element.length + 4
    if (packed && namesWindows(phases[0]?.runsOn)) packedOnWindows = true
  }
  const problems: Problem[] = []
  const problem = (message: string): void => {
    problems.push({
      code: 'too-large',
      severity: 'error',
      message: `${message} Generate without --cache-passed, or use the waves mode (the reusable workflow with cache-passed: true), which keeps the store in a file.`,
      file: analysis.plan.file,
      line: 1,
      column: 1
    })
  }
  const controlOnWindows = namesWindows(options.template?.phase['runs-on'])
  if (bytes > MAX_ENV_VALUE_BYTES) {
    problem(
      `With --cache-passed the job phase-matrix-save hands the ids of the phases that passed to settle as one environment value (input graph-passed): up to ${bytes.toLocaleString('en-US')} bytes for this plan, and Linux starts no process holding an environment string over 128 KiB (E2BIG).`
    )
  } else if (controlOnWindows && units > MAX_WINDOWS_ENV_VALUE_UNITS) {
    problem(
      `With --cache-passed the job phase-matrix-save hands the ids of the phases that passed to settle as one environment value (input graph-passed): up to ${units.toLocaleString('en-US')} characters for this plan, over the ${MAX_WINDOWS_ENV_VALUE_UNITS.toLocaleString('en-US')} a Windows runner allows one value.`
    )
  }
  const unchanged = JSON.stringify(all).length
  if (packedOnWindows && unchanged > MAX_WINDOWS_ENV_VALUE_UNITS) {
    problem(
      `With --cache-passed each packed job gives exec the unchanged phases as one environment value (input unchanged): up to ${unchanged.toLocaleString('en-US')} characters for this plan, over the ${MAX_WINDOWS_ENV_VALUE_UNITS.toLocaleString('en-US')} a Windows runner allows one value.`
    )
  }
  return problems
}
