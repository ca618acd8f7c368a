// What a needs workflow may hold: the --cache-passed jobs and conditions,
// what --cache-passed refuses, and the size GitHub accepts.
import { createHash } from 'node:crypto'
import {
  escapeExpressions,
  formatExpressionLength,
  MAX_EXPRESSION_LENGTH,
  CHECKOUT_ACTION,
  DEFAULT_RUNS_ON,
  NO_COMMAND,
  type NeedsWorkflowOptions,
  type CachePassedJobs,
  CHECKOUT_VERSION,
  PLAN_JOB_ID,
  SAVE_JOB_ID,
  WORDS_OUTPUT
} from './needs-jobs.js'
import {
  CONTROL_TIMEOUT_MINUTES,
  PASSED_FILE,
  PLAN_ACTION_REF,
  SETTLE_ACTION_REF
} from './waves-jobs.js'
import type { YamlMapping, YamlValue } from './yaml.js'
import {
  MAX_ENV_VALUE_BYTES,
  MAX_WINDOWS_ENV_VALUE_UNITS
} from '../plan/env-limits.js'
import { UsageError } from '../plan/errors.js'
import type { Phase, PlanAnalysis, Problem } from '../plan/types.js'
import type { GenerateInvocation } from './generate-command-line.js'
import { needsThroughDone } from '../plan/skips.js'

// "Don't run what already passed" in the needs graph (`generate
// --cache-passed`): the parts the one-job-per-phase and the packed graph
// share.
//
// - The first job, phase-matrix-plan, checks out, restores the store of
//   passed phases with actions/cache/restore and runs the plan action with
//   `passed:`; its outputs are the plan action's `unchanged` (JSON ids, for
//   exec), the same ids as `words` (between spaces, for `if:`) and `state`
//   (the plan's digest, the statuses, a digest of the input hashes).
// - Each job's `if:` skips it when its phases are unchanged, and otherwise
//   runs it when, for each job it needs, that job succeeded or the phases
//   of it this job waits for are unchanged: a need skipped after a failure
//   is neither, so the skip still travels down the graph. A phase that
//   cannot have a hash (no `inputs:` on it or on a dependency) is never
//   unchanged: its job gets no test and its dependents' `if:` none for it.
// - Each job that ran hands on the ids of its phases that passed, as its
//   output `passed` (a JSON array): from its command step's outcome (one job
//   per phase) or exec's `succeeded` (packed). The last job,
//   phase-matrix-save, gives them to settle with the plan job's state;
//   settle re-hashes its checkout and writes the new store, which
//   actions/cache/save keeps.
// - The store is kept under a key naming the plan and a digest of the
//   phase jobs (graphDigest): what a job runs beyond the plan's own fields
//   (the template's setup steps, container, env; a command written when
//   the file was generated) is not in the input hash, so a store is only
//   ever read by the very jobs that filled it.
//
// Ids are plan text: they reach an expression only as a string literal
// (expressionString: `'` doubled, a `${{` cut into format() arguments)
// inside an `if:` or output written as one whole `${{ … }}`, whose end
// GitHub finds outside string literals. Pure.
// O(length of what is written).

/** Our own jobs' names (their ids are in needs-jobs.ts): a space no phase id has. */
const PLAN_JOB_NAME = 'phase-matrix plan'
const SAVE_JOB_NAME = 'phase-matrix save'

/** actions/cache v5.0.5 (node24), pinned by commit like checkout. */
const CACHE_COMMIT = '27d5ce7f107fe9357f9df03efb73ab90386fccae'
const CACHE_RESTORE_ACTION = `actions/cache/restore@${CACHE_COMMIT}`
const CACHE_SAVE_ACTION = `actions/cache/save@${CACHE_COMMIT}`
const CACHE_VERSION = 'v5.0.5'

/** The job output holding the ids of the job's phases that passed. */
const PASSED_OUTPUT = 'passed'
/** The id of the step that runs a job's phases (exec's, or the command). */
export const RUN_STEP_ID = 'x'

const WORDS = `needs.${PLAN_JOB_ID}.outputs.${WORDS_OUTPUT}`

function literal(text: string): string {
  return `'${text.replaceAll("'", "''")}'`
}

/**
 * An expression whose value is `text`: a string literal (`'` doubled).
 * Text holding `${{` is cut at each `$` into format() arguments
 * (`format('{0}{1}{2}', 'a', '$', '{{b')`), so no `${{` is ever written
 * inside an expression, where a linter takes it for the start of one.
 * O(length).
 */
export function expressionString(text: string): string {
  if (!text.includes('${{')) return literal(text)
  const parts: string[] = []
  text.split('$').forEach((part, index) => {
    if (index > 0) parts.push('$')
    if (part !== '') parts.push(part)
  })
  const pattern = parts.map((_, index) => `{${index}}`).join('')
  return `format('${pattern}', ${parts.map(literal).join(', ')})`
}

/**
 * Ids that must all be unchanged for a set of phases to be (those of the
 * set no other of it depends on: the unchanged phases are closed under
 * dependencies, so those being unchanged means all are); undefined when
 * the set can never be (a phase without a hash).
 */
export type UnchangedIds = readonly string[] | undefined

function allUnchanged(ids: readonly string[]): string {
  const tests = ids.map(
    id => `contains(${WORDS}, ${expressionString(` ${id} `)})`
  )
  return tests.length === 1 ? (tests[0] ?? '') : `(${tests.join(' && ')})`
}

/** A job another job needs, and which of its phases, unchanged, stand for its success. */
export interface NeededJob {
  job: string
  unchanged: UnchangedIds
}

/**
 * A job's `if:`: not cancelled, the plan job succeeded, its own phases
 * (`own`) not all unchanged, and every job it needs (not its lane
 * predecessor) succeeded or has the phases this job waits for unchanged.
 * A status function drops GitHub's implicit success(), which would ask
 * success of every need. O(needs + ids).
 */
export function cachedCondition(
  own: UnchangedIds,
  needs: readonly NeededJob[]
): string {
  const parts = ['!cancelled()', `needs.${PLAN_JOB_ID}.result == 'success'`]
  if (own !== undefined && own.length > 0) parts.push(`!${allUnchanged(own)}`)
  for (const need of needs) {
    const succeeded = `needs.${need.job}.result == 'success'`
    parts.push(
      need.unchanged === undefined || need.unchanged.length === 0
        ? succeeded
        : `(${succeeded} || ${allUnchanged(need.unchanged)})`
    )
  }
  return `\${{ ${parts.join(' && ')} }}`
}

/**
 * The `passed` output of a job with one phase: its id (as a JSON array)
 * when the step that runs it succeeded, else nothing. The runner computes
 * it; nothing the phase writes can change it.
 */
export function phasePassedOutput(id: string, stepId = RUN_STEP_ID): string {
  return `\${{ steps.${stepId}.outcome == 'success' && ${expressionString(JSON.stringify([id]))} || '' }}`
}

/** The `passed` output of a packed job: exec's list of the phases that succeeded. */
export const PACKED_PASSED_OUTPUT = `\${{ steps.${RUN_STEP_ID}.outputs.succeeded }}`

/** Exec's `unchanged` input in a packed job: the phases it does not run. */
export const EXEC_UNCHANGED_INPUT = `\${{ needs.${PLAN_JOB_ID}.outputs.unchanged }}`

/**
 * 16 hex digits of a sha256 of the phase jobs as rendered (and the
 * workflow's env and defaults, which reach every step): the store's key
 * names it, so a store filled by other jobs is never read. O(size).
 */
export function graphDigest(
  jobs: YamlMapping,
  options: NeedsWorkflowOptions
): string {
  const top = options.template?.top ?? {}
  return createHash('sha256')
    .update(
      JSON.stringify([
        'phase-matrix graph 1',
        top.env ?? null,
        top.defaults ?? null,
        jobs
      ])
    )
    .digest('hex')
    .slice(0, 16)
}

/**
 * The key prefix of the store: `phase-matrix-graph-passed-<plan>-<digest>-`
 * (actions/cache refuses a comma in a key). The reusable workflow's stores
 * are `phase-matrix-passed-…`, a prefix this one does not match.
 */
function storeKeyPrefix(plan: string, digest: string): string {
  return `phase-matrix-graph-passed-${escapeExpressions(plan.replaceAll(',', '_'))}-${digest}-`
}

/** Each run saves its own key (a cache key is written once). */
const RUN_KEY = '${{ github.run_id }}-${{ github.run_attempt }}'

function checkoutStep(): YamlMapping {
  return {
    name: 'Check out the repository',
    uses: CHECKOUT_ACTION,
    with: { 'persist-credentials': false }
  }
}

function controlRunner(options: NeedsWorkflowOptions): YamlValue {
  return options.template?.phase['runs-on'] ?? DEFAULT_RUNS_ON
}

/**
 * The first job: restores the newest store of this graph and runs the plan
 * action with it, for `unchanged` and the `state` settle reads at the end.
 */
export function planJob(
  options: NeedsWorkflowOptions,
  digest: string
): YamlMapping {
  const { plan, config } = options.invocation
  const prefix = storeKeyPrefix(plan, digest)
  const inputs: YamlMapping = { plan: escapeExpressions(plan) }
  if (config !== undefined) inputs.config = escapeExpressions(config)
  inputs.passed = PASSED_FILE
  return {
    name: PLAN_JOB_NAME,
    'runs-on': controlRunner(options),
    'timeout-minutes': CONTROL_TIMEOUT_MINUTES,
    outputs: {
      unchanged: '${{ steps.plan.outputs.unchanged }}',
      [WORDS_OUTPUT]:
        "${{ format(' {0} ', join(fromJSON(steps.plan.outputs.unchanged || '[]'), ' ')) }}",
      state: '${{ steps.plan.outputs.state }}'
    },
    steps: [
      checkoutStep(),
      restoreStep(prefix),
      {
        id: 'plan',
        name: 'Find the phases unchanged since they passed',
        uses: PLAN_ACTION_REF,
        with: inputs
      }
    ]
  }
}

function restoreStep(prefix: string): YamlMapping {
  return {
    name: 'Restore the store of passed phases',
    uses: CACHE_RESTORE_ACTION,
    with: {
      path: PASSED_FILE,
      key: `${prefix}${RUN_KEY}`,
      'restore-keys': prefix
    }
  }
}

/**
 * The last job: settle writes the phases that passed in this run (their
 * jobs' `passed` outputs) with the unchanged ones as the new store, and
 * actions/cache/save keeps it. Runs after every phase job, unless the run
 * was cancelled or the plan job did not succeed (no state to go by).
 */
function saveJob(
  jobIds: readonly string[],
  options: NeedsWorkflowOptions,
  digest: string
): YamlMapping {
  const prefix = storeKeyPrefix(options.invocation.plan, digest)
  return {
    name: SAVE_JOB_NAME,
    needs: [PLAN_JOB_ID, ...jobIds],
    if: `\${{ !cancelled() && needs.${PLAN_JOB_ID}.result == 'success' }}`,
    'runs-on': controlRunner(options),
    'timeout-minutes': CONTROL_TIMEOUT_MINUTES,
    steps: [
      checkoutStep(),
      // The old store only says in which run each unchanged phase passed.
      restoreStep(prefix),
      {
        name: 'Write the store of passed phases',
        uses: SETTLE_ACTION_REF,
        with: {
          state: `\${{ needs.${PLAN_JOB_ID}.outputs.state }}`,
          'graph-passed': `\${{ toJSON(needs.*.outputs.${PASSED_OUTPUT}) }}`,
          'passed-file': PASSED_FILE
        }
      },
      {
        name: 'Keep the store of passed phases',
        uses: CACHE_SAVE_ACTION,
        with: { path: PASSED_FILE, key: `${prefix}${RUN_KEY}` }
      }
    ]
  }
}

/** The plan job (first) and the save job (last) for the document. */
export function cachePassedJobs(
  jobIds: readonly string[],
  options: NeedsWorkflowOptions,
  digest: string
): CachePassedJobs {
  return {
    plan: planJob(options, digest),
    save: saveJob(jobIds, options, digest),
    comments: [
      [
        {
          path: ['jobs', PLAN_JOB_ID],
          before: [
            'Finds the phases unchanged since they passed: their jobs are skipped.'
          ]
        },
        {
          path: ['jobs', PLAN_JOB_ID, 'steps', 0, 'uses'],
          after: CHECKOUT_VERSION
        },
        {
          path: ['jobs', PLAN_JOB_ID, 'steps', 1, 'uses'],
          after: CACHE_VERSION
        }
      ],
      [
        {
          path: ['jobs', SAVE_JOB_ID],
          before: [
            'Keeps the phases that passed in this run, and the unchanged ones, as the new store.'
          ],
          spaceBefore: true
        },
        {
          path: ['jobs', SAVE_JOB_ID, 'steps', 0, 'uses'],
          after: CHECKOUT_VERSION
        },
        {
          path: ['jobs', SAVE_JOB_ID, 'steps', 2, 'uses'],
          after: CACHE_VERSION
        }
      ]
    ]
  }
}

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
