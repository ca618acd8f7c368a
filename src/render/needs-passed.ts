// The --cache-passed jobs and conditions of a needs workflow (what it
// refuses and the size GitHub accepts are in needs-limits.ts).
import { createHash } from 'node:crypto'
import path from 'node:path'
import {
  escapeExpressions,
  CHECKOUT_ACTION,
  DEFAULT_RUNS_ON,
  type NeedsWorkflowOptions,
  type CachePassedJobs,
  CHECKOUT_VERSION,
  PLAN_JOB_ID,
  SAVE_JOB_ID,
  WORDS_OUTPUT,
  storeKeyPrefix
} from './needs-jobs.js'
import {
  CONTROL_TIMEOUT_MINUTES,
  PASSED_FILE,
  PLAN_ACTION_REF,
  SETTLE_ACTION_REF
} from './waves-jobs.js'
import type { YamlMapping, YamlValue } from './yaml.js'
import type { PlanAnalysis } from '../plan/types.js'
import { at } from '../plan/at.js'

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

/** The plan job's output of the unchanged phases' stored outputs (the plan action's). */
const UNCHANGED_OUTPUTS = `needs.${PLAN_JOB_ID}.outputs.phase-outputs`

/**
 * A plain job's env value of the outputs of a needed phase that can be
 * unchanged: its job's `phase-outputs` when it ran, else the entry the
 * plan job hands on for it (`{"<id>": {…}}`, its outputs when it last
 * passed), else nothing. A job run by exec needs no such value: it reads
 * `toJSON(needs.*.outputs.phase-outputs)`, the plan job's among them, and
 * keeps its phases' direct dependencies' entries. O(length of the id).
 */
export function neededOrStoredOutputsValue(job: string, id: string): string {
  const stored = `fromJSON(${UNCHANGED_OUTPUTS} || '{}')[${expressionString(id)}]`
  return `\${{ needs.${job}.outputs.phase-outputs || (${stored} && format('{{{0}:{1}}}', toJSON(${expressionString(id)}), toJSON(${stored})) || '') }}`
}

/**
 * Whether the store needs the outputs of a job's phases: one of them can
 * be unchanged and a phase depends on it (next time the dependent may run
 * when it does not). O(phases + their dependents).
 */
export function keepsOutputs(
  analysis: PlanAnalysis,
  hashable: readonly boolean[] | undefined,
  phases: readonly number[]
): boolean {
  return phases.some(
    index =>
      hashable?.[index] === true &&
      at(analysis.dependentsOf, index).some(
        dependent => !at(analysis.plan.phases, dependent).done
      )
  )
}

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
      state: '${{ steps.plan.outputs.state }}',
      // The stored outputs of the unchanged phases that a phase to run
      // depends on (the plan action keeps them within one env value).
      'phase-outputs': '${{ steps.plan.outputs.phase-outputs }}'
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

/** Where the save job collects what its needed jobs handed on. */
const GRAPH_OUTPUTS_FILE = '.phase-matrix/graph-outputs.json'

// What every job handed on, `toJSON(needs.*.outputs.phase-outputs)`, into a
// file for settle, written by the runner into the script and not through
// env: together they can pass Linux's 128 KiB for one env value, which
// would fail the step. The here-document's quoted delimiter keeps bash
// from reading anything in it, and no line of GitHub's JSON can be the
// delimiter: each is a bracket or starts with spaces and a quote, a
// newline inside a value is written `\n`. From $GITHUB_WORKSPACE, where
// settle reads it, whatever working-directory the template's defaults set.
const COLLECT_OUTPUTS_SCRIPT = `mkdir -p "$GITHUB_WORKSPACE/${path.posix.dirname(GRAPH_OUTPUTS_FILE)}"
cat > "$GITHUB_WORKSPACE/${GRAPH_OUTPUTS_FILE}" <<'PHASE_MATRIX_EOF'
\${{ toJSON(needs.*.outputs.phase-outputs) }}
PHASE_MATRIX_EOF
`

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
        name: "Collect the phases' outputs",
        shell: 'bash',
        run: COLLECT_OUTPUTS_SCRIPT
      },
      {
        name: 'Write the store of passed phases',
        uses: SETTLE_ACTION_REF,
        with: {
          state: `\${{ needs.${PLAN_JOB_ID}.outputs.state }}`,
          'graph-passed': `\${{ toJSON(needs.*.outputs.${PASSED_OUTPUT}) }}`,
          'graph-outputs-file': GRAPH_OUTPUTS_FILE,
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
          path: ['jobs', SAVE_JOB_ID, 'steps', 1, 'uses'],
          after: CACHE_VERSION
        },
        {
          path: ['jobs', SAVE_JOB_ID, 'steps', 4, 'uses'],
          after: CACHE_VERSION
        }
      ]
    ]
  }
}
