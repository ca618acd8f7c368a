// The needs workflow as a document: its top-level keys and jobs, the gate
// job, the header comment, and the job ids of the phases.
import {
  DEFAULT_RUNS_ON,
  PLAN_JOB_ID,
  SAVE_JOB_ID,
  WORDS_OUTPUT,
  type CachePassedJobs,
  type NeedsWorkflowOptions
} from './needs-jobs.js'
import { templatePermissions, templateTriggers } from './workflow-template.js'
import {
  type YamlMapping,
  toWorkflowYaml,
  type YamlComment,
  commentSafe
} from './yaml.js'
import { at } from '../plan/at.js'
import { hashablePhases } from '../plan/input-hash.js'
import type { Phase, PlanAnalysis } from '../plan/types.js'
import {
  formatGenerateCommand,
  formatFlagsLine,
  quoteShellArg
} from './generate-command-line.js'

// The parts every needs workflow shares, one job per phase or packed: the
// top-level keys (from the template, else ours), the jobs, the gate job
// after them, and the header. O(size of the workflow).

const DEFAULT_WORKFLOW_NAME = 'phases'

/** How the jobs run: packed by exec, and with --cache-passed the plan and save jobs. */
interface DocumentKind {
  packed: boolean
  /** Set with --cache-passed: the plan job first, the save job last. */
  cache?: CachePassedJobs
}

/**
 * The workflow text: `phaseJobs` (keyed by job id, in order), then the
 * gate needing `jobIds`, under `header`, with the jobs' `comments`; with a
 * digest, the plan job first and the save job last.
 */
export function needsDocument(
  phaseJobs: YamlMapping,
  jobIds: readonly string[],
  comments: readonly YamlComment[],
  header: string[],
  options: NeedsWorkflowOptions,
  kind: DocumentKind = { packed: false }
): string {
  const jobs: YamlMapping = {}
  const extra: YamlComment[] = []
  const { cache } = kind
  if (cache !== undefined) {
    jobs[PLAN_JOB_ID] = cache.plan
    extra.push(...cache.comments[0])
  }
  Object.assign(jobs, phaseJobs)
  jobs[GATE_JOB_ID] = gateJob(jobIds, options, kind.packed)
  if (cache !== undefined) {
    jobs[SAVE_JOB_ID] = cache.save
    extra.push(...cache.comments[1])
  }
  const template = options.template?.top ?? {}
  const workflow: YamlMapping = {
    name: template.name ?? DEFAULT_WORKFLOW_NAME
  }
  if (template['run-name'] !== undefined) {
    workflow['run-name'] = template['run-name']
  }
  workflow.on = templateTriggers(options.template)
  workflow.permissions = templatePermissions(options.template)
  for (const key of ['env', 'defaults', 'concurrency'] as const) {
    const value = template[key]
    if (value !== undefined) workflow[key] = value
  }
  workflow.jobs = jobs
  return toWorkflowYaml(workflow, header, [
    ...comments,
    ...extra,
    { path: ['jobs'], spaceBefore: true },
    {
      path: ['jobs', GATE_JOB_ID],
      before: [
        cache === undefined
          ? 'Green only when every phase succeeded: the required check.'
          : 'Green only when every phase succeeded or is unchanged: the required check.'
      ],
      spaceBefore: true
    }
  ])
}

// The gate of the needs graph: one job that needs every phase job and is
// green only when every phase succeeded, so the whole graph is one required
// status check. Fixed text: no plan value reaches it. O(phases).

/** Our own job: its id is reserved, its name has a space no phase id has. */
export const GATE_JOB_ID = 'phase-matrix-gate'
export const GATE_JOB_NAME = 'phase-matrix gate'

const GATE_TIMEOUT_MINUTES = 5

// Fixed shell text; the three flags are GitHub's own expressions over
// needs.*.result (no plan text), passed through env as "true"/"false".
const GATE_SCRIPT = `if [ "$FAILED" = true ] || [ "$CANCELLED" = true ] || [ "$SKIPPED" = true ]; then
  echo "::error title=phase-matrix::Not every phase succeeded (failed: $FAILED, cancelled: $CANCELLED, skipped: $SKIPPED). The jobs of this run show which."
  exit 1
fi
echo "Every phase succeeded."
`

// With --cache-passed a phase job is also skipped when its phase is
// unchanged since it passed, which counts as succeeded, so "skipped" alone
// cannot fail the gate. A job is skipped otherwise only when the run was
// cancelled, the plan job did not succeed, or a job it needs did not
// succeed while the phases of it the job waits for are not all unchanged
// (so that job was not skipped as unchanged either): by induction over
// the needs, a job skipped after a failure always has a failed or
// cancelled job above it, which the gate sees, as it sees the plan job's
// result and (the first step) a cancelled run. With one job per phase the gate also counts
// directly: every unchanged phase's job is skipped (its if: says so), so
// more skipped jobs than unchanged phases means one was skipped for
// another reason. The values are GitHub's results and the plan job's
// output, joined with spaces (a phase id has no whitespace), through env;
// the shell text is fixed and prints no id.
const CACHED_GATE_CHECKS = `if [ "$PLAN" != success ]; then
  echo "::error title=phase-matrix::The job ${PLAN_JOB_ID} ended with '$PLAN', so no phase ran. Its log says why."
  exit 1
fi
if [ "$FAILED" = true ] || [ "$CANCELLED" = true ]; then
  echo "::error title=phase-matrix::Not every phase succeeded (failed: $FAILED, cancelled: $CANCELLED). The jobs of this run show which."
  exit 1
fi
`

const CACHED_GATE_SCRIPT = `${CACHED_GATE_CHECKS}set -f
skipped=0
for result in $RESULTS; do
  if [ "$result" = skipped ]; then skipped=$((skipped + 1)); fi
done
set -- $UNCHANGED
if [ "$skipped" -gt "$#" ]; then
  echo "::error title=phase-matrix::$skipped phase job(s) were skipped but only $# phase(s) are unchanged: a phase was skipped after a failure. The jobs of this run show which."
  exit 1
fi
echo "Every phase succeeded or is unchanged since it passed ($# unchanged)."
`

const CACHED_PACKED_GATE_SCRIPT = `${CACHED_GATE_CHECKS}echo "Every job succeeded or holds only phases unchanged since they passed."
`

const CANCELLED_STEP: YamlMapping = {
  name: 'Red when the run was cancelled',
  if: 'cancelled()',
  shell: 'bash',
  run: 'echo "::error title=phase-matrix::The run was cancelled: not every phase ran."\nexit 1\n'
}

/** The gate with --cache-passed: unchanged phases (skipped jobs) count as succeeded. */
function cachedGateJob(
  jobIds: readonly string[],
  runsOn: YamlMapping[string],
  packed: boolean
): YamlMapping {
  const env: YamlMapping = {
    PLAN: `\${{ needs.${PLAN_JOB_ID}.result }}`,
    FAILED: "${{ contains(needs.*.result, 'failure') }}",
    CANCELLED: "${{ contains(needs.*.result, 'cancelled') }}"
  }
  if (!packed) {
    env.RESULTS = "${{ join(needs.*.result, ' ') }}"
    env.UNCHANGED = `\${{ needs.${PLAN_JOB_ID}.outputs.${WORDS_OUTPUT} }}`
  }
  return {
    name: GATE_JOB_NAME,
    needs: [PLAN_JOB_ID, ...jobIds],
    if: 'always()',
    'runs-on': runsOn,
    'timeout-minutes': GATE_TIMEOUT_MINUTES,
    steps: [
      CANCELLED_STEP,
      {
        name: 'Fail unless every phase succeeded or is unchanged',
        shell: 'bash',
        env,
        run: packed ? CACHED_PACKED_GATE_SCRIPT : CACHED_GATE_SCRIPT
      }
    ]
  }
}

/**
 * The gate needs every phase job and runs `if: always()`. Not
 * `!cancelled()`: when the run is cancelled (by fail_fast or by hand) that
 * would skip the gate, and GitHub counts a skipped job as a passing required
 * check. With always() the gate runs and is red unless every phase succeeded.
 */
function gateJob(
  jobIds: readonly string[],
  options: NeedsWorkflowOptions,
  packed = false
): YamlMapping {
  const runsOn = options.template?.phase['runs-on'] ?? DEFAULT_RUNS_ON
  if (options.invocation.cachePassed === true && jobIds.length > 0) {
    return cachedGateJob(jobIds, runsOn, packed)
  }
  if (jobIds.length === 0) {
    return {
      name: GATE_JOB_NAME,
      'runs-on': runsOn,
      'timeout-minutes': GATE_TIMEOUT_MINUTES,
      steps: [
        {
          name: 'No phase to run',
          run: 'echo "Every phase of the plan has status: done."'
        }
      ]
    }
  }
  return {
    name: GATE_JOB_NAME,
    needs: [...jobIds],
    if: 'always()',
    'runs-on': runsOn,
    'timeout-minutes': GATE_TIMEOUT_MINUTES,
    steps: [
      {
        name: 'Fail unless every phase succeeded',
        shell: 'bash',
        env: {
          FAILED: "${{ contains(needs.*.result, 'failure') }}",
          CANCELLED: "${{ contains(needs.*.result, 'cancelled') }}",
          SKIPPED: "${{ contains(needs.*.result, 'skipped') }}"
        },
        run: GATE_SCRIPT
      }
    ]
  }
}

// The comment block at the top of a generated needs workflow: where it came
// from, how to regenerate and check it, what the gate means, and what of the
// settings and the plan the graph does not express. O(header lines).

/** Header lines listing omitted `done` phases stop after this many ids. */
const MAX_LISTED_DONE = 20

/** Worker lanes asked for with `generate --max-workers N` (0: none). */
export function laneCount(options: NeedsWorkflowOptions): number {
  return options.invocation.maxWorkers ?? 0
}

/** What the graph cannot express, said in the header and by the CLI. */
export function settingNotes(
  options: NeedsWorkflowOptions,
  analysis?: PlanAnalysis
): string[] {
  const notes = workerNotes(options)
  if (
    options.invocation.cachePassed === true &&
    analysis !== undefined &&
    !hashablePhases(analysis).some(
      (hashable, index) =>
        hashable && analysis.plan.phases[index]?.done !== true
    )
  ) {
    notes.push(
      '--cache-passed skips nothing: no phase that runs has a hash (a phase needs inputs:, and so do its dependencies). List the files each phase reads in inputs: (docs/plan-format.md).'
    )
  }
  return notes
}

function workerNotes(options: NeedsWorkflowOptions): string[] {
  const { settings } = options
  const notes: string[] = []
  if (laneCount(options) > 0) return notes
  if (settings.maxWorkers > 0 && options.invocation.maxJobs !== undefined) {
    notes.push(
      `max_workers: ${settings.maxWorkers} is not applied: packed jobs have no worker lanes. Use the waves mode (the reusable workflow .github/workflows/phases.yml) to run at most that many at once.`
    )
  } else if (settings.maxWorkers > 0) {
    notes.push(
      `max_workers: ${settings.maxWorkers} is not applied: generate with --max-workers ${settings.maxWorkers} for worker lanes (at most that many phase jobs at once), or use the waves mode (the reusable workflow .github/workflows/phases.yml).`
    )
  }
  if (!settings.enabled) {
    notes.push(
      'parallel.enabled: false is not applied: a needs graph starts every phase whose dependencies are done. To run one phase at a time use the waves mode with max_workers: 1.'
    )
  }
  return notes
}

export function needsHeader(
  options: NeedsWorkflowOptions,
  notes: readonly string[],
  done: readonly Phase[],
  packed?: { jobs: number; exact: boolean },
  /** With --cache-passed: the phase jobs' digest, in the store's key. */
  digest?: string
): string[] {
  const { invocation } = options
  const lines = [
    `Generated by phase-matrix from ${commentSafe(invocation.plan)}. Do not edit: regenerate with`,
    `  ${formatGenerateCommand(invocation)}`
  ]
  if (invocation.out !== undefined) {
    lines.push(
      `and keep it current in CI with`,
      `  phase-matrix check --workflow ${quoteShellArg(invocation.out)}`
    )
  }
  // The same flags as data: what check reads back.
  lines.push(formatFlagsLine(invocation))
  const cached = digest !== undefined
  lines.push(
    '',
    ...(packed === undefined
      ? perPhaseLines(cached)
      : packedLines(packed, cached))
  )
  if (digest !== undefined)
    lines.push(...cacheLines(digest, packed !== undefined))
  const lanes = laneCount(options)
  if (lanes > 0) {
    lines.push(
      `Worker lanes: at most ${lanes} phase job(s) run at once. Each job also`,
      'needs the previous job of its lane (lanes planned from estimate_minutes,',
      'critical path first), and its if: asks only that its own dependencies',
      'succeeded: a failure never skips a job that does not depend on it.'
    )
  }
  if (options.settings.failFast) {
    lines.push(
      'fail_fast: a failing phase cancels the whole run (its job asks for',
      'actions: write for that one API call).'
    )
  }
  for (const note of notes) lines.push(...wrap(commentSafe(note)))
  if (done.length > 0) {
    const listed = done
      .slice(0, MAX_LISTED_DONE)
      .map(phase => commentSafe(phase.id))
    const more =
      done.length > MAX_LISTED_DONE
        ? ` and ${done.length - MAX_LISTED_DONE} more`
        : ''
    lines.push(
      ...wrap(
        `Phases with status: done are not jobs (they count as succeeded; jobs after them need what they need): ${listed.join(', ')}${more}.`
      )
    )
  }
  return lines
}

function perPhaseLines(cached: boolean): string[] {
  if (cached) {
    return [
      `One job per phase; its needs are the phase's deps. The job ${GATE_JOB_ID}`,
      `("${GATE_JOB_NAME}") fails when any phase failed, was cancelled or was`,
      'skipped other than as unchanged: make it the required status check.'
    ]
  }
  return [
    `One job per phase; its needs are the phase's deps. The job ${GATE_JOB_ID}`,
    `("${GATE_JOB_NAME}") fails when any phase failed, was cancelled or was`,
    'skipped: make it the required status check.'
  ]
}

function packedLines(
  packed: { jobs: number; exact: boolean },
  cached: boolean
): string[] {
  const lines = [
    `Packed: the phases run in ${packed.jobs} job(s), each by exec from the plan in`,
    "the workspace, in dependency order; a job needs the jobs holding its phases'",
    `deps. The job ${GATE_JOB_ID} ("${GATE_JOB_NAME}") fails when any job`,
    ...(cached
      ? [
          'failed, was cancelled or was skipped other than as unchanged: make it',
          'the required status check.'
        ]
      : [
          'failed, was cancelled or was skipped: make it the required status check.'
        ])
  ]
  if (packed.exact) {
    lines.push(
      'Each job is a chain (only its last phase has dependents in other jobs):',
      'a failure skips exactly its dependents.'
    )
  } else {
    lines.push(
      'A failure skips its dependents in its job (exec goes on with the others)',
      'and every job that needs its job, which can hold phases that do not',
      'depend on it. Fewer phases per job (a larger --max-jobs) skip less.'
    )
  }
  return lines
}

function cacheLines(digest: string, packed: boolean): string[] {
  return wrap(
    [
      "Don't run what already passed (--cache-passed): the job phase-matrix-plan",
      'restores the store of passed phases (actions/cache, keyed by the plan and',
      `${digest}, a digest of the phase jobs, so other jobs start a new store)`,
      'and the plan action lists the phases whose input hash is the stored one.',
      packed
        ? 'A job whose phases are all unchanged is skipped, and exec does not run the unchanged phases of the others;'
        : 'Their jobs are skipped and count as succeeded;',
      'a job runs when each job it needs succeeded or was skipped as unchanged.',
      'The job phase-matrix-save stores what passed in this run and what was',
      'unchanged, for the next run.'
    ].join(' ')
  )
}

/** Words of `text` in lines of at most `width` characters (longer words alone). */
function wrap(text: string, width = 76): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) {
      lines.push(line)
      line = word
    } else {
      line = line === '' ? word : `${line} ${word}`
    }
  }
  if (line !== '') lines.push(line)
  return lines
}

// GitHub job ids for phase ids. A job id must match [A-Za-z_][A-Za-z0-9_-]*,
// may not start with `__`, stays under 100 characters here, and GitHub
// compares job ids ignoring case. Each id is derived from its phase id
// and the other ids that meet it, never from plan order: it is readable
// (`api-endpoints` stays `api-endpoints`, `1.10` becomes `p_1_10`) and the
// same plan gives the same ids, however its phases are ordered. When phases
// meet on one id (ignoring case), each one whose id had to change takes a
// short hash of its own phase id as a suffix (`a.b` → `a_b-3f2a9c01`) —
// never a counter that depends on plan order. O(n) expected.

/** Job ids are kept at or under this length (GitHub: under 100). */
export const MAX_JOB_ID_LENGTH = 99
const HASH_LENGTH = 8
const VALID = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** FNV-1a over the UTF-16 code units, salted: 8 hex digits. O(length). */
function shortHash(text: string, salt: number): string {
  let hash = (0x811c9dc5 ^ salt) >>> 0
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193) >>> 0
  }
  return hash.toString(16).padStart(HASH_LENGTH, '0')
}

/**
 * The readable part: every character outside [A-Za-z0-9_-] becomes `_`; an
 * id that does not start with a letter or `_`, or starts with `__`, gets a
 * `p_` prefix (`1.10` → `p_1_10`).
 */
export function sanitizeJobId(phaseId: string): string {
  let id = phaseId.replace(/[^A-Za-z0-9_-]/g, '_')
  if (id === '' || !/^[A-Za-z_]/.test(id) || id.startsWith('__')) {
    id = `p_${id}`
  }
  return id.length > MAX_JOB_ID_LENGTH ? id.slice(0, MAX_JOB_ID_LENGTH) : id
}

function withSuffix(base: string, phaseId: string, salt: number): string {
  const suffix = `-${shortHash(phaseId, salt)}`
  return base.slice(0, MAX_JOB_ID_LENGTH - suffix.length) + suffix
}

/**
 * One job id per phase id (same order). `reserved` ids (our own jobs) are
 * never given to a phase. Phase ids are assumed distinct ignoring case (the
 * plan analysis reports ids that are not); distinct ones always get
 * distinct job ids.
 */
export function jobIdsFor(
  phaseIds: readonly string[],
  reserved: readonly string[] = []
): string[] {
  const taken = new Set(reserved.map(id => id.toLowerCase()))
  const ids: (string | undefined)[] = phaseIds.map(() => undefined)
  // A phase whose sanitised id is its own id (unchanged) keeps it unless a
  // reserved id holds it: unchanged ids are unique ignoring case already.
  const claims = new Map<string, number[]>()
  phaseIds.forEach((phaseId, index) => {
    const base = sanitizeJobId(phaseId)
    const key = base.toLowerCase()
    const list = claims.get(key)
    if (list === undefined) claims.set(key, [index])
    else list.push(index)
  })
  const pending: number[] = []
  for (const [key, indices] of claims) {
    if (taken.has(key)) {
      pending.push(...indices)
      continue
    }
    const keeper = indices.find(i => {
      const phaseId = at(phaseIds, i)
      return phaseId === sanitizeJobId(phaseId)
    })
    const owner = keeper ?? (indices.length === 1 ? indices[0] : undefined)
    for (const index of indices) {
      if (index === owner) {
        ids[index] = sanitizeJobId(at(phaseIds, index))
        taken.add(key)
      } else {
        pending.push(index)
      }
    }
  }
  // Suffixed ids: a hash of the phase id; on the rare clash, the next salt.
  // The order of `pending` only matters when two hashes clash, and then it
  // follows the claims' first-seen order, which is plan order.
  for (const index of pending) {
    const phaseId = at(phaseIds, index)
    const base = sanitizeJobId(phaseId)
    let salt = 0
    let id = withSuffix(base, phaseId, salt)
    while (taken.has(id.toLowerCase())) {
      salt++
      id = withSuffix(base, phaseId, salt)
    }
    taken.add(id.toLowerCase())
    ids[index] = id
  }
  return ids.map(id => {
    if (id === undefined || !VALID.test(id) || id.startsWith('__')) {
      throw new Error(`internal error: no valid job id for ${String(id)}`)
    }
    return id
  })
}
