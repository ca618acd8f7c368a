// The jobs of the needs graph, one per phase: the options every part of the
// needs-graph renderer reads (and the ids of our own jobs), the phase's job,
// the outputs it hands on, and the worker lanes that order the jobs.
import { UsageError } from '../plan/errors.js'
import path from 'node:path'
import { DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { maxAttempts, timeoutWithRetries } from '../plan/types.js'
import type {
  ParallelSettings,
  Phase,
  PlanAnalysis,
  Problem
} from '../plan/types.js'
import type { GenerateInvocation } from './generate-command-line.js'
import {
  mappingOf,
  templatePermissions,
  templateSetupSteps,
  type WorkflowTemplate
} from './workflow-template.js'
import { EXEC_ACTION_REF } from './waves-jobs.js'
import type { YamlComment, YamlMapping, YamlValue } from './yaml.js'
import { NEEDS_ENV, NEEDS_ENV_PREFIX } from '../plan/leg-inputs.js'
import { PHASE_OUTPUTS_LIMIT } from '../plan/leg-record.js'
import { phaseDurations } from '../plan/durations.js'
import { listSchedule } from '../plan/dag-timeline.js'
import { DEFAULT_JOB_START_MINUTES } from '../plan/durations.js'

// What every part of the needs-graph renderer reads and what it returns.

export interface NeedsWorkflowOptions {
  settings: ParallelSettings
  template?: WorkflowTemplate
  /** The command that regenerates the file, recorded in its header. */
  invocation: GenerateInvocation
}

export interface NeedsWorkflow {
  /** The workflow text; empty when `problems` has an error. */
  text: string
  /** Size of `text` in UTF-8 bytes. */
  bytes: number
  /** Job id of each phase by plan index; undefined for a `done` phase. */
  jobIds: (string | undefined)[]
  /** Set when phases are packed into jobs run by exec (--max-jobs or too large). */
  packed?: PackedSummary
  /** Why the workflow cannot be used (too large for GitHub). */
  problems: Problem[]
  /** Settings the needs graph cannot honour (also in the file's header). */
  notes: string[]
}

/** The plan and save jobs of a --cache-passed workflow, with their comments. */
export interface CachePassedJobs {
  plan: YamlMapping
  save: YamlMapping
  /** The plan job's comments, then the save job's. */
  comments: [YamlComment[], YamlComment[]]
}

/** What packing made of the plan. */
export interface PackedSummary {
  /** Jobs holding phases (the gate not counted). */
  jobs: number
  /** Every job a chain: a failure skips exactly its dependents. */
  exact: boolean
}

/** Our own jobs with --cache-passed: ids reserved (needs-passed.ts builds them). */
export const PLAN_JOB_ID = 'phase-matrix-plan'
export const SAVE_JOB_ID = 'phase-matrix-save'

/**
 * The plan job's output `words`: the unchanged ids between spaces, with a
 * space before the first and after the last (` a b `). A phase id has no
 * whitespace, so `contains(words, ' <id> ')` is true exactly when the id
 * is one of them (GitHub compares ignoring case, as ids that differ only in
 * case are refused): shorter in every `if:` than a test over fromJSON.
 */
export const WORDS_OUTPUT = 'words'

/**
 * The key prefix of the store: `phase-matrix-graph-passed-<plan>-<digest>-`
 * (actions/cache refuses a comma in a key). The reusable workflow's stores
 * are `phase-matrix-passed-…`, a prefix this one does not match.
 */
export function storeKeyPrefix(plan: string, digest: string): string {
  return `phase-matrix-graph-passed-${escapeExpressions(plan.replaceAll(',', '_'))}-${digest}-`
}

// One job of the needs graph per phase: check out, the template's setup
// steps, the phase's command (each `${{` escaped, so plan text is data)
// with the fixed-text steps around it that give it $PHASE_INPUTS and hand
// on its $PHASE_OUTPUT where a dependency or a dependent needs them
// (below), and with fail_fast a step that cancels the run when
// the phase did not succeed. O(length of the phase's text).

/** actions/checkout v5.0.0, pinned by commit. */
export const CHECKOUT_ACTION =
  'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'
export const CHECKOUT_VERSION = 'v5.0.0'

export const DEFAULT_RUNS_ON = 'ubuntu-latest'
/** The step of a phase without a command. */
export const NO_COMMAND = 'echo "This phase has no run command in the plan."'

/** Keys of the template's phase job copied into every phase job as they are. */
const COPIED_JOB_KEYS = [
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
function runsByExec(phase: Phase): boolean {
  return maxAttempts(phase) > 1 && hasCommand(phase)
}

/** What a phase job passes on: which needed jobs' outputs it reads, whether it hands on its own. */
interface PhaseJobIo {
  /** It has dependencies: it reads $PHASE_INPUTS (`{}` when all are done in the plan). */
  reads: boolean
  /** The jobs of its direct dependencies (their `phase-outputs`). */
  inputsFrom: readonly NeededOutputs[]
  /** A phase depends on it directly: its job hands on `phase-outputs`. */
  handsOn: boolean
}

const NO_IO: PhaseJobIo = { reads: false, inputsFrom: [], handsOn: false }

/** A needed job whose `phase-outputs` a job reads. */
export interface NeededOutputs {
  job: string
  /**
   * The env value of its outputs when not `needs.<job>.outputs.phase-outputs`
   * alone (with --cache-passed, a phase that can be unchanged: see
   * needs-passed.ts).
   */
  value?: string
}

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
  const needs = io.inputsFrom.map(need => need.job)
  if (runsByExec(phase)) return [execStep(phase, needs, options)]
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
function failFastPermissions(
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

// Phase outputs in the needs graph. Every job that runs a phase others
// depend on hands on what it wrote to $PHASE_OUTPUT as its job output
// `phase-outputs`, `{"<id>": {"<key>": "<value>"}}` (its phases that wrote
// some; empty or `{}` when none), from the step `x`, whatever kind of job
// it is:
//
// - a job run by exec (packed, or a phase with retries): exec's own output,
//   and it reads all needed jobs' at once as env PHASE_MATRIX_NEEDS (a JSON
//   list, `toJSON(needs.*.outputs.phase-outputs)`);
// - a plain job (the phase's command inlined in a `shell: bash` step): a
//   fixed-text step before the command points PHASE_OUTPUT at a new file in
//   $RUNNER_TEMP and builds the $PHASE_INPUTS file from the same env
//   PHASE_MATRIX_NEEDS_<n>, by joining those JSON objects' members; after
//   it, step `o` checks the file against the budget and copies it to its
//   own $GITHUB_OUTPUT (the same `key=value` / `key<<DELIM` format, read by
//   the runner), and step `x` keys `toJSON(steps.o.outputs)` by the phase's
//   id. GitHub writes the JSON, so no jq, node or JSON code in bash; the id
//   reaches bash only as an env value (JSON, each `${{` escaped), never in
//   the script. $RUNNER_TEMP is read in bash, not as `${{ runner.temp }}`,
//   which names the host's folder in a `container:` job.
//
// Budget in a plain job: 16 KiB written to $PHASE_OUTPUT, in UTF-8 bytes
// (never fewer than the UTF-16 units GitHub counts), so its JSON, even with
// every character escaped as \uXXXX, stays one environment string below
// Linux's 128 KiB in a dependent's env. O(needs) a job.

/** A job's output of what its phases wrote (the step with id `x`). */
export const PHASE_OUTPUTS_VALUE = '${{ steps.x.outputs.phase-outputs }}'

/** What the copying step read, as JSON (GitHub's toJSON). */
export const READ_OUTPUTS_VALUE = '${{ toJSON(steps.o.outputs) }}'

/** Every needed job's outputs, a JSON list of their `phase-outputs`. */
const ALL_NEEDED_OUTPUTS_VALUE = '${{ toJSON(needs.*.outputs.phase-outputs) }}'

/** `${{ needs.<job>.outputs.phase-outputs }}`: a needed job's outputs. */
export function neededOutputsValue(job: string): string {
  return `\${{ needs.${job}.outputs.phase-outputs }}`
}

/**
 * Each needed job's outputs as env `PHASE_MATRIX_NEEDS_<n>` (one
 * environment string a job). Nothing without needs.
 */
function neededOutputsVariables(
  needs: readonly NeededOutputs[]
): Record<string, string> {
  return Object.fromEntries(
    needs.map((need, k) => [
      `${NEEDS_ENV_PREFIX}${k + 1}`,
      need.value ?? neededOutputsValue(need.job)
    ])
  )
}

/**
 * Exec's env: every needed job's outputs in one value, `PHASE_MATRIX_NEEDS:
 * ${{ toJSON(needs.*.outputs.phase-outputs) }}` (a JSON list of those
 * strings), from which it builds its phases' $PHASE_INPUTS. One line
 * however many jobs it needs, which keeps a packed graph of 5,000 phases
 * within GitHub's 500 KB; the cost: what its needed jobs hand on, all
 * together, must stay one environment string under Linux's 128 KiB.
 * Nothing without needs.
 */
export function neededOutputsEnv(needs: readonly string[]): YamlMapping {
  if (needs.length === 0) return {}
  return { env: { [NEEDS_ENV]: ALL_NEEDED_OUTPUTS_VALUE } }
}

// Fixed text: only env values vary. Each value is `{…}` JSON (or empty);
// its members go into one object, `{}` when no dependency wrote outputs.
// `${!PREFIX@}` (bash 2.04 and later, so macOS's bash 3.2 too) lists the
// variables. mktemp (Linux and macOS) gives files of their own even where
// jobs share a temp folder.
export const IO_SETUP_SCRIPT = `inputs=$(mktemp "$RUNNER_TEMP/phase-inputs.XXXXXX")
output=$(mktemp "$RUNNER_TEMP/phase-output.XXXXXX")
members=''
for name in "\${!${NEEDS_ENV_PREFIX}@}"; do
  value=\${!name}
  value=\${value#\\{}
  value=\${value%\\}}
  if [ -n "$value" ]; then members="\${members:+$members,}$value"; fi
done
printf '{%s}' "$members" > "$inputs"
echo "PHASE_INPUTS=$inputs" >> "$GITHUB_ENV"
echo "PHASE_OUTPUT=$output" >> "$GITHUB_ENV"
`

/**
 * Before a plain job's command: $PHASE_OUTPUT and $PHASE_INPUTS (from the
 * outputs of `needs`, the jobs of its direct dependencies).
 */
function ioSetupStep(needs: readonly NeededOutputs[]): YamlMapping {
  const step: YamlMapping = {
    name: 'Set up $PHASE_INPUTS and $PHASE_OUTPUT',
    shell: 'bash'
  }
  if (needs.length > 0) step.env = neededOutputsVariables(needs)
  step.run = IO_SETUP_SCRIPT
  return step
}

const n = (value: number): string => value.toLocaleString('en-US')

// Bytes ≥ UTF-16 units: a file within the limit is within GitHub's count.
export const READ_OUTPUTS_SCRIPT = `size=$(($(wc -c < "$PHASE_OUTPUT")))
if [ "$size" -gt ${PHASE_OUTPUTS_LIMIT} ]; then
  echo "::error title=phase-matrix::This phase's outputs are over the ${n(PHASE_OUTPUTS_LIMIT)} characters (16 KiB) a phase may write: $size bytes written to \\$PHASE_OUTPUT. Hand on a file's name (an artifact) instead of its contents."
  exit 1
fi
cat "$PHASE_OUTPUT" >> "$GITHUB_OUTPUT"
`

// No line of toJSON's text is the delimiter: each starts with a brace or
// with spaces and a quoted key.
export const HAND_ON_SCRIPT = `if [ "$PHASE_MATRIX_OUTPUTS" != '{}' ]; then
  {
    echo 'phase-outputs<<PHASE_MATRIX_EOF'
    printf '{%s:%s}\\n' "$PHASE_MATRIX_ID" "$PHASE_MATRIX_OUTPUTS"
    echo 'PHASE_MATRIX_EOF'
  } >> "$GITHUB_OUTPUT"
fi
`

/** After a plain job's command: its outputs as the job output `phase-outputs`. */
function handOnSteps(phase: Phase): YamlMapping[] {
  return [
    {
      id: 'o',
      name: 'Read $PHASE_OUTPUT',
      shell: 'bash',
      run: READ_OUTPUTS_SCRIPT
    },
    {
      id: 'x',
      name: "Hand on the phase's outputs",
      shell: 'bash',
      env: {
        PHASE_MATRIX_ID: escapeExpressions(JSON.stringify(phase.id)),
        PHASE_MATRIX_OUTPUTS: READ_OUTPUTS_VALUE
      },
      run: HAND_ON_SCRIPT
    }
  ]
}

/** The command step's env of a plain job without the setup step: outputs go nowhere. */
const DISCARDED_OUTPUTS_ENV = { PHASE_OUTPUT: '/dev/null' }

// Worker lanes in the generated needs graph (`generate --max-workers N`):
// which job each phase job waits for on its lane, and the `needs:`/`if:`
// that wait writes. A lane predecessor is a need only for ordering: the
// job's `if:` asks that its real dependencies succeeded and nothing about
// the lane predecessor, so a failed or skipped job never skips an unrelated
// one. Any status function in `if:` drops GitHub's implicit `success()`
// (which would ask it of every need); `!cancelled()` keeps a cancelled run
// from starting new jobs. O((V + E) log V) for the schedule.

/**
 * The lane predecessor of each phase (plan index, -1 for none), from a list
 * schedule of the plan's estimates onto `lanes` lanes; all -1 when the
 * lanes could never all be busy (no more phase jobs than lanes).
 */
export function lanePredecessors(
  analysis: PlanAnalysis,
  lanes: number
): number[] {
  const durations = phaseDurations(analysis.plan)
  const jobs = durations.done.filter(done => !done).length
  if (jobs <= lanes) return durations.done.map(() => -1)
  return listSchedule({
    depsOf: analysis.depsOf,
    dependentsOf: analysis.dependentsOf,
    minutes: durations.minutes,
    done: durations.done,
    lanes,
    jobStart: DEFAULT_JOB_START_MINUTES
  }).lanePrevious
}

interface LanedNeeds {
  needs: string[]
  /** The job's `if:`, when the lane adds a need. */
  if?: string
}

/**
 * @param realNeeds job ids of the phase's dependencies (what `needs:` is
 *   without lanes)
 * @param lanePredecessor job id of the previous job on its lane, if any
 */
export function laneNeeds(
  realNeeds: readonly string[],
  lanePredecessor: string | undefined
): LanedNeeds {
  if (lanePredecessor === undefined || realNeeds.includes(lanePredecessor)) {
    return { needs: [...realNeeds] }
  }
  const succeeded = realNeeds.map(id => `needs.${id}.result == 'success'`)
  return {
    needs: [...realNeeds, lanePredecessor],
    if: ['!cancelled()', ...succeeded].join(' && ')
  }
}

// Plan text is data. GitHub evaluates every `${{ … }}` in most workflow
// values (`run`, `name`, `env`, `runs-on`, …), so a plan whose `run` holds
// `${{ secrets.TOKEN }}` would read a secret. Each `${{` of plan text is
// replaced by the expression `${{ '${{' }}`, which evaluates to the two
// characters `${{` themselves; nothing else of the text can start an
// expression. O(text length).

const OPEN = '${{'
/** The expression whose value is the literal text `${{`. */
export const ESCAPED_OPEN = "${{ '${{' }}"

/** Text GitHub will show as-is: every `${{` becomes `${{ '${{' }}`. */
export function escapeExpressions(text: string): string {
  return text.includes(OPEN) ? text.replaceAll(OPEN, ESCAPED_OPEN) : text
}

/** Escapes a runner label or list of labels the same way. */
function escapeExpressionsIn(value: string | string[]): string | string[] {
  return typeof value === 'string'
    ? escapeExpressions(value)
    : value.map(escapeExpressions)
}

/** Largest expression GitHub's expression lexer accepts (characters). */
export const MAX_EXPRESSION_LENGTH = 21000

/**
 * Length of the `format(…)` expression GitHub builds from a string that
 * mixes literal text and expressions (the workflow parser's parseScalar):
 * literal `'`, `{`, `}` are doubled and each expression adds `{n}` and an
 * argument. Text without `${{` is no expression at all (0). The runner
 * refuses an expression over MAX_EXPRESSION_LENGTH characters, so escaped
 * plan text longer than that cannot run.
 */
export function formatExpressionLength(escaped: string): number {
  if (!escaped.includes(OPEN)) return 0
  const parts = escaped.split(ESCAPED_OPEN)
  let length = "format('".length + "')".length
  parts.forEach((literal, index) => {
    length += literal.length + (literal.match(/['{}]/g)?.length ?? 0)
    if (index > 0) length += `{${index - 1}}`.length + ", '${{'".length
  })
  return length
}
