// The exact `needs` graph: a workflow with one job per phase whose `needs:`
// are the phase's dependencies, so each phase starts the moment its own
// dependencies finish, and GitHub itself skips the dependents of a failure
// and re-runs failed jobs with their dependents. A final gate job turns the
// whole graph into one required check. Pure: analysis + template + options
// in, YAML text (and any problem that prevents it) out. O(phases + deps).
//
// Plan text is data, never code or an expression:
// - every plan string written into a value GitHub evaluates (`name`,
//   `runs-on`, the command) has each `${{` escaped (expression-escape.ts);
// - the command goes into the step's own `run:`. It could instead travel
//   through `env:` (`PHASE_RUN` + `bash -c "$PHASE_RUN"`), but GitHub
//   evaluates `env:` values too, so the escape is needed either way; `env:`
//   would add Linux's 128 KiB limit per variable (E2BIG), hide the command
//   from the log, and bypass the template's `defaults.run.shell`;
// - no plan text is ever placed inside shell code we write (the gate, the
//   cancel step, the "no command" step are fixed text), nor in `if:`;
// - the YAML writer quotes and escapes every string so none can end its
//   scalar early; descriptions become comments with line breaks escaped.
import type { Phase, PlanAnalysis, Problem } from '../plan/types.js'
import { needsThroughDone } from '../plan/done.js'
import { UsageError } from '../plan/errors.js'
import {
  escapeExpressions,
  escapeExpressionsIn,
  formatExpressionLength,
  MAX_EXPRESSION_LENGTH
} from './expression-escape.js'
import {
  formatGenerateCommand,
  quoteShellArg,
  type GenerateInvocation
} from './generate-command-line.js'
import { jobIdsFor } from './job-ids.js'
import { laneNeeds, lanePredecessors } from './lane-needs.js'
import {
  mappingOf,
  templatePermissions,
  templateSetupSteps,
  templateTriggers,
  type WorkflowTemplate
} from './workflow-template.js'
import type { YamlMapping, YamlValue } from './yaml-value.js'
import { commentSafe } from './yaml-scalar-style.js'
import { toWorkflowYaml, type YamlComment } from './yaml-write.js'
import type { ParallelSettings } from '../plan/types.js'

/** GitHub starts no workflow file larger than this (500 KB). */
export const MAX_WORKFLOW_BYTES = 500_000

/** actions/checkout v5.0.0, pinned by commit. */
export const CHECKOUT_ACTION =
  'actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8'
export const CHECKOUT_VERSION = 'v5.0.0'

/** Our own job: its id is reserved, its name has a space no phase id has. */
export const GATE_JOB_ID = 'phase-matrix-gate'
export const GATE_JOB_NAME = 'phase-matrix gate'

const DEFAULT_RUNS_ON = 'ubuntu-latest'
const DEFAULT_WORKFLOW_NAME = 'phases'
const GATE_TIMEOUT_MINUTES = 5
/** The step of a phase without a command. */
const NO_COMMAND = 'echo "This phase has no run command in the plan."'
/** Header lines listing omitted `done` phases stop after this many ids. */
const MAX_LISTED_DONE = 20

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
  /** Why the workflow cannot be used (too large for GitHub). */
  problems: Problem[]
  /** Settings the needs graph cannot honour (also in the file's header). */
  notes: string[]
}

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

/** Worker lanes asked for with `generate --max-workers N` (0: none). */
function laneCount(options: NeedsWorkflowOptions): number {
  return options.invocation.maxWorkers ?? 0
}

/** What the graph cannot express, said in the header and by the CLI. */
function settingNotes(options: NeedsWorkflowOptions): string[] {
  const { settings } = options
  const notes: string[] = []
  if (laneCount(options) > 0) return notes
  if (settings.maxWorkers > 0) {
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

function header(
  options: NeedsWorkflowOptions,
  notes: readonly string[],
  done: readonly Phase[]
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
  lines.push(
    '',
    `One job per phase; its needs are the phase's deps. The job ${GATE_JOB_ID}`,
    `("${GATE_JOB_NAME}") fails when any phase failed, was cancelled or was`,
    'skipped: make it the required status check.'
  )
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

function checkoutStep(): YamlMapping {
  return {
    name: 'Check out the repository',
    uses: CHECKOUT_ACTION,
    with: { 'persist-credentials': false }
  }
}

/** The phase's command, escaped; a phase without one only says so. */
function commandStep(phase: Phase): YamlMapping {
  if (phase.run === undefined || phase.run.trim() === '') {
    return {
      name: 'Run phase',
      run: NO_COMMAND
    }
  }
  return { name: 'Run phase', run: escapeExpressions(phase.run) }
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

function cancelStep(): YamlMapping {
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

function phaseJob(
  phase: Phase,
  needs: string[],
  options: NeedsWorkflowOptions,
  condition?: string
): YamlMapping {
  const pattern = options.template?.phase ?? {}
  const job: YamlMapping = { name: escapeExpressions(phase.id) }
  if (needs.length > 0) job.needs = needs
  if (condition !== undefined) job.if = condition
  job['runs-on'] =
    phase.runsOn === undefined
      ? (pattern['runs-on'] ?? DEFAULT_RUNS_ON)
      : escapeExpressionsIn(phase.runsOn)
  const timeout = phase.timeoutMinutes ?? pattern['timeout-minutes']
  if (timeout !== undefined) job['timeout-minutes'] = timeout
  if (options.settings.failFast) {
    const permissions = failFastPermissions(options.template)
    if (permissions !== undefined) job.permissions = permissions
  }
  for (const key of [
    'environment',
    'container',
    'services',
    'env',
    'defaults'
  ] as const) {
    const value = pattern[key]
    if (value !== undefined) job[key] = value
  }
  const steps: YamlValue[] = [
    checkoutStep(),
    ...templateSetupSteps(options.template),
    commandStep(phase)
  ]
  if (options.settings.failFast) steps.push(cancelStep())
  job.steps = steps
  return job
}

// Fixed shell text; the three flags are GitHub's own expressions over
// needs.*.result (no plan text), passed through env as "true"/"false".
const GATE_SCRIPT = `if [ "$FAILED" = true ] || [ "$CANCELLED" = true ] || [ "$SKIPPED" = true ]; then
  echo "::error title=phase-matrix::Not every phase succeeded (failed: $FAILED, cancelled: $CANCELLED, skipped: $SKIPPED). The jobs of this run show which."
  exit 1
fi
echo "Every phase succeeded."
`

/**
 * The gate needs every phase job and runs `if: always()`. Not
 * `!cancelled()`: when the run is cancelled (by fail_fast or by hand) that
 * would skip the gate, and GitHub counts a skipped job as a passing required
 * check. With always() the gate runs and is red unless every phase succeeded.
 */
function gateJob(
  jobIds: readonly string[],
  options: NeedsWorkflowOptions
): YamlMapping {
  const runsOn = options.template?.phase['runs-on'] ?? DEFAULT_RUNS_ON
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

/** Name and description of a phase as comment lines above its job. */
function describe(phase: Phase): string[] {
  const lines: string[] = []
  if (phase.name !== undefined && phase.name !== phase.id) {
    lines.push(phase.name)
  }
  if (phase.description !== undefined) {
    lines.push(...phase.description.trimEnd().split('\n'))
  }
  return lines.map(line => line.trimEnd())
}

/** Escaped commands GitHub would refuse as too long an expression. */
function expressionProblems(analysis: PlanAnalysis): Problem[] {
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

function tooLargeProblem(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions,
  size: string
): Problem {
  return {
    code: 'too-large',
    severity: 'error',
    message: `The generated workflow would be ${size} bytes; GitHub starts no workflow file over ${MAX_WORKFLOW_BYTES} bytes (500 KB). Run a plan this size in waves: the reusable workflow .github/workflows/phases.yml (or the plan and settle actions) instead of a generated needs graph.`,
    file: options.invocation.out ?? analysis.plan.file,
    line: 1,
    column: 1
  }
}

/** Renders the needs-graph workflow of a valid plan. */
export function renderNeedsWorkflow(
  analysis: PlanAnalysis,
  options: NeedsWorkflowOptions
): NeedsWorkflow {
  const { phases } = analysis.plan
  const notes = settingNotes(options)
  // Refuse before rendering what cannot fit (100,000 phases: no minutes of YAML).
  const floor = workflowSizeLowerBound(analysis)
  if (floor > MAX_WORKFLOW_BYTES) {
    return {
      text: '',
      bytes: floor,
      jobIds: phases.map(() => undefined),
      problems: [tooLargeProblem(analysis, options, `at least ${floor}`)],
      notes
    }
  }
  const active = phases.filter(phase => !phase.done)
  const done = phases.filter(phase => phase.done)
  const activeIds = jobIdsFor(
    active.map(phase => phase.id),
    [GATE_JOB_ID]
  )
  const jobIds: (string | undefined)[] = phases.map(() => undefined)
  active.forEach((phase, k) => {
    jobIds[phase.index] = activeIds[k]
  })
  const problems = expressionProblems(analysis)
  if (problems.length > 0) {
    return { text: '', bytes: 0, jobIds, problems, notes }
  }

  const lanes = laneCount(options)
  const lanePrevious = lanes > 0 ? lanePredecessors(analysis, lanes) : undefined
  const jobs: YamlMapping = {}
  const comments: YamlComment[] = []
  // A done phase is no job, but its dependents still wait for what it waits for.
  const waitsFor = needsThroughDone(analysis)
  active.forEach((phase, k) => {
    const jobId = activeIds[k] ?? ''
    const needs = (waitsFor[phase.index] ?? [])
      .map(dep => jobIds[dep])
      .filter((id): id is string => id !== undefined)
    const previous = lanePrevious?.[phase.index] ?? -1
    const laned = laneNeeds(
      needs,
      previous === -1 ? undefined : jobIds[previous]
    )
    if ((laned.if?.length ?? 0) > MAX_EXPRESSION_LENGTH) {
      problems.push({
        code: 'too-large',
        severity: 'error',
        message: `Phase \`${phase.id}\` has ${needs.length} dependencies: on a worker lane its if: (one check per dependency) would be over GitHub's ${MAX_EXPRESSION_LENGTH} characters. Generate without --max-workers, or use the waves mode.`,
        file: analysis.plan.file,
        line: phase.position.line,
        column: phase.position.column
      })
    }
    jobs[jobId] = phaseJob(phase, laned.needs, options, laned.if)
    const about = describe(phase)
    const comment: YamlComment = { path: ['jobs', jobId], spaceBefore: k > 0 }
    if (about.length > 0) comment.before = about
    comments.push(comment)
  })
  if (problems.length > 0) {
    return { text: '', bytes: 0, jobIds, problems, notes }
  }
  jobs[GATE_JOB_ID] = gateJob(activeIds, options)

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
  comments.push(
    { path: ['jobs'], spaceBefore: true },
    {
      path: ['jobs', GATE_JOB_ID],
      before: ['Green only when every phase succeeded: the required check.'],
      spaceBefore: true
    }
  )
  const checkoutComments = active.map((_, k): YamlComment => ({
    path: ['jobs', activeIds[k] ?? '', 'steps', 0, 'uses'],
    after: CHECKOUT_VERSION
  }))

  const text = toWorkflowYaml(workflow, header(options, notes, done), [
    ...comments,
    ...checkoutComments
  ])
  const bytes = utf8Length(text)
  if (bytes > MAX_WORKFLOW_BYTES) {
    problems.push(tooLargeProblem(analysis, options, String(bytes)))
    return { text: '', bytes, jobIds, problems, notes }
  }
  return { text, bytes, jobIds, problems, notes }
}
