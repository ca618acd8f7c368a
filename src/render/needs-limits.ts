// What a needs workflow may hold: what --cache-passed refuses, and the
// size GitHub accepts.
import {
  escapeExpressions,
  formatExpressionLength,
  MAX_EXPRESSION_LENGTH,
  CHECKOUT_ACTION,
  NO_COMMAND,
  storeKeyPrefix,
  type NeedsWorkflowOptions
} from './needs-jobs.js'
import type { YamlValue } from './yaml.js'
import {
  MAX_ENV_VALUE_BYTES,
  MAX_WINDOWS_ENV_VALUE_UNITS
} from '../plan/env-limits.js'
import { UsageError } from '../plan/errors.js'
import type { Phase, PlanAnalysis, Problem } from '../plan/types.js'
import type { GenerateInvocation } from './generate-command-line.js'
import { needsThroughDone } from '../plan/skips.js'

// What `generate --cache-passed` refuses before it writes a workflow that
// could not run: a plan the plan action cannot read from the repository
// (standard input, an absolute path), a cache key actions/cache would
// refuse, and lists of phase ids too long for the one environment string
// each reaches a process as (the save job's settle input `graph-passed`,
// every `passed` output together; a packed job's exec input `unchanged`).
// Pure. O(phases).

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

// Whether a needs workflow fits what GitHub accepts: a file of at most
// 500 KB (a lower bound from the plan alone refuses a huge plan before any
// YAML is written) and expressions of at most 21,000 characters.
// O(phases + deps).

/** GitHub starts no workflow file larger than this (500 KB). */
export const MAX_WORKFLOW_BYTES = 500_000

/** UTF-8 length without allocating a buffer. O(length). */
export function utf8Length(text: string): number {
  let bytes = 0
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i)
    if (code < 0x80) bytes += 1
    else if (code < 0x800) bytes += 2
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      const next = text.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        bytes += 4
        i++
      } else bytes += 3
    } else bytes += 3
  }
  return bytes
}

/** Escaped commands GitHub would refuse as too long an expression. */
export function expressionProblems(analysis: PlanAnalysis): Problem[] {
  const problems: Problem[] = []
  for (const phase of analysis.plan.phases) {
    if (phase.run === undefined || phase.done) continue
    const length = formatExpressionLength(escapeExpressions(phase.run))
    if (length > MAX_EXPRESSION_LENGTH) {
      problems.push({
        code: 'too-large',
        severity: 'error',
        message: `The run command of phase \`${phase.id}\` has \`\${{\` in it and is ${phase.run.length} characters long. Its \`\${{\` must be escaped, which makes the whole command one GitHub expression, and GitHub refuses expressions over ${MAX_EXPRESSION_LENGTH} characters. Move the command into a script file and run that.`,
        file: analysis.plan.file,
        line: phase.position.line,
        column: phase.position.column
      })
    }
  }
  return problems
}

/**
 * Text every phase job holds whatever the plan and the template (the
 * checkout step is always there, the yaml writer only adds indentation and
 * quoting): keys, fixed values and line ends, not counting indentation.
 */
const JOB_FLOOR_BYTES = [
  'x:\n', // the job id: at least one character
  'name: \n',
  'runs-on: x\n',
  'steps:\n',
  '- name: Check out the repository\n',
  `uses: ${CHECKOUT_ACTION}\n`,
  'with:\n',
  'persist-credentials: false\n',
  '- name: Run phase\n',
  'run: \n'
].reduce((sum, text) => sum + text.length, 0)
/** One entry of a `needs:` list: `- x` and its line end. */
const NEED_FLOOR_BYTES = '- x\n'.length

/**
 * A lower bound on the size of the workflow renderNeedsWorkflow writes, in
 * UTF-8 bytes, computed from the plan alone: per phase job its fixed text,
 * its id (the job's `name:`), its command (escaping and quoting only add to
 * it; UTF-8 never has fewer bytes than UTF-16 units) and one line per need;
 * the gate's line per job. Lets generate refuse a plan that cannot fit
 * before rendering it. O(phases + deps).
 */
export function workflowSizeLowerBound(analysis: PlanAnalysis): number {
  const waitsFor = needsThroughDone(analysis)
  let bytes = 0
  for (const phase of analysis.plan.phases) {
    if (phase.done) continue
    const command =
      phase.run === undefined || phase.run.trim() === ''
        ? NO_COMMAND
        : phase.run
    bytes +=
      JOB_FLOOR_BYTES +
      phase.id.length +
      command.length +
      NEED_FLOOR_BYTES * (1 + (waitsFor[phase.index]?.length ?? 0))
  }
  return bytes
}

export function tooLargeProblem(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  size: string,
  packed?: { jobs: number }
): Problem {
  const instead =
    packed !== undefined
      ? `Its ${packed.jobs} packed jobs are still too many: give a smaller --max-jobs, or run`
      : options.invocation.maxWorkers !== undefined &&
          options.invocation.maxWorkers > 0
        ? 'Worker lanes are not packed: generate without --max-workers (phases are then packed into jobs run by exec; --max-jobs N sets how many), or run'
        : 'Run'
  return {
    code: 'too-large',
    severity: 'error',
    message: `The generated workflow would be ${size} bytes; GitHub starts no workflow file over ${MAX_WORKFLOW_BYTES} bytes (500 KB). ${instead} a plan this size in waves: the reusable workflow .github/workflows/phases.yml (or the plan and settle actions) instead of a generated needs graph.`,
    file: options.invocation.out ?? analysis.plan.file,
    line: 1,
    column: 1
  }
}
