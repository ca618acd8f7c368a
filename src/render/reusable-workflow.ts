// Writes the waves workflows: .github/workflows/phases.yml (the reusable
// workflow) and .github/workflows/example.yml (the same pipeline with the
// action's own `uses:` steps, on the bundled example plan). Both are fixed
// text shaped only by a wave count, so they are built from lines rather than
// a YAML serializer: nothing of a plan is ever written into them. Phase text
// reaches a shell only through `env:` at run time. The jobs are built in
// waves-jobs.ts, the fixed text below. O(waves) lines.
import { REUSABLE_WORKFLOW_WAVES } from '../plan/rounds.js'
import {
  planJob,
  reportJob,
  settleJob,
  DURATIONS_FILE,
  PASSED_FILE,
  EXEC_ACTION_REF,
  PLAN_ACTION_REF,
  SETTLE_ACTION_REF,
  type Flavour,
  waveJob
} from './waves-jobs.js'

export { REUSABLE_WORKFLOW_WAVES }

/** The reusable workflow: plan → wave-1 → settle-1 → … → report. */
export function renderReusableWorkflow(
  waves: number = REUSABLE_WORKFLOW_WAVES
): string {
  return renderWorkflow({
    header: reusableHeader(waves),
    name: 'phases',
    trigger: reusableTrigger(),
    planAction: PLAN_ACTION_REF,
    settleAction: SETTLE_ACTION_REF,
    execAction: EXEC_ACTION_REF,
    planPath: '${{ inputs.plan }}',
    learn: true,
    planWith: [
      'plan: ${{ inputs.plan }}',
      `estimates: \${{ inputs.learn-durations && '${DURATIONS_FILE}' || '' }}`,
      `passed: \${{ inputs.cache-passed && '${PASSED_FILE}' || '' }}`,
      'config: ${{ inputs.config }}',
      "max-workers: ${{ inputs.max-workers > 0 && format('{0}', inputs.max-workers) || '' }}",
      "fail-fast: ${{ inputs.fail-fast && 'true' || '' }}",
      `max-waves: ${waves}`,
      // Rounds are planned for the cores the legs get, when the caller says.
      "leg-concurrency: ${{ inputs.leg-concurrency > 0 && format('{0}', inputs.leg-concurrency) || '' }}"
    ],
    execWith: [
      // parallel.retries: the retries of a phase without its own.
      'config: ${{ inputs.config }}',
      "leg-concurrency: ${{ inputs.leg-concurrency > 0 && format('{0}', inputs.leg-concurrency) || '' }}"
    ],
    // A JSON list (`["self-hosted", "linux"]`) or one label.
    runsOn:
      "${{ startsWith(inputs.runs-on, '[') && fromJSON(inputs.runs-on) || inputs.runs-on }}",
    setup: true,
    waves
  })
}

interface ExampleWorkflowOptions {
  /** The bundled plan the example runs, relative to the repository root. */
  plan: string
  /** Its number of rounds: one wave job each. */
  waves: number
}

/** The "uses: step" pattern with this repository's actions (`uses: ./`). */
export function renderExampleWorkflow(options: ExampleWorkflowOptions): string {
  return renderWorkflow({
    header: exampleHeader(options),
    name: 'example',
    trigger: ['  push:', '    branches: [main]', '  workflow_dispatch:'],
    planAction: './',
    settleAction: './settle',
    execAction: './exec',
    planPath: options.plan,
    learn: false,
    planWith: [`plan: ${options.plan}`, `max-waves: ${options.waves}`],
    execWith: [],
    runsOn: 'ubuntu-latest',
    setup: false,
    waves: options.waves
  })
}

function renderWorkflow(flavour: Flavour): string {
  if (!Number.isInteger(flavour.waves) || flavour.waves < 1) {
    throw new RangeError(
      `Invalid wave count ${flavour.waves}. Expected a whole number of 1 or more.`
    )
  }
  const lines: string[] = [
    ...flavour.header.map(line => (line === '' ? '#' : `# ${line}`)),
    '',
    `name: ${flavour.name}`,
    '',
    'on:',
    ...flavour.trigger,
    '',
    '# Each job asks for what it needs, nothing more.',
    'permissions: {}',
    '',
    'jobs:',
    ...planJob(flavour)
  ]
  for (let wave = 1; wave <= flavour.waves; wave++) {
    lines.push('', ...waveJob(flavour, wave), '', ...settleJob(flavour, wave))
  }
  lines.push('', ...reportJob(flavour))
  return lines.join('\n') + '\n'
}

// The fixed text blocks of the waves workflows: the reusable workflow's
// inputs and outputs (its \`workflow_call\` trigger) and the comment headers
// of both files. Shaped only by the wave count and the example's plan.

function reusableTrigger(): string[] {
  return [
    '  workflow_call:',
    '    inputs:',
    '      plan:',
    '        description: Path of the phase plan in your repository.',
    '        type: string',
    '        default: .prd_runner/phase_plan.yaml',
    '      config:',
    '        description: Path of the config file (empty = .prd_runner/config.yaml when present).',
    '        type: string',
    "        default: ''",
    '      max-workers:',
    '        description: Phases running at once (0 = the config, else no limit).',
    '        type: number',
    '        default: 0',
    '      fail-fast:',
    '        description: After a failure start no new phase (false = the config).',
    '        type: boolean',
    '        default: false',
    '      runs-on:',
    '        description: Runner label, or a JSON list of labels, for every job (a phase may name its own).',
    '        type: string',
    '        default: ubuntu-latest',
    '      learn-durations:',
    "        description: Keep each run's phase durations with actions/cache and pack the next run's legs by them.",
    '        type: boolean',
    '        default: false',
    '      cache-passed:',
    '        description: Keep the input hashes of the phases that passed with actions/cache and run only the phases whose inputs changed since (and their dependents).',
    '        type: boolean',
    '        default: false',
    '      leg-concurrency:',
    "        description: Phases of a leg running at once on its runner (0 = the runner's cores, 1 = one after another); above 0, rounds are planned for that many.",
    '        type: number',
    '        default: 0',
    '      setup:',
    '        description: Shell commands run in each phase job before the phase (e.g. npm ci).',
    '        type: string',
    "        default: ''",
    '    outputs:',
    '      succeeded:',
    '        description: JSON array of the ids of the phases that succeeded.',
    '        value: ${{ jobs.report.outputs.succeeded }}',
    '      failed:',
    '        description: JSON array of the ids of the phases that failed (cancelled and timed out included).',
    '        value: ${{ jobs.report.outputs.failed }}',
    '      skipped:',
    '        description: JSON array of the ids of the phases skipped because a dependency failed.',
    '        value: ${{ jobs.report.outputs.skipped }}',
    '      flaky:',
    '        description: JSON array of the ids of the phases that passed only after a retry (retries).',
    '        value: ${{ jobs.report.outputs.flaky }}',
    '      phase-outputs:',
    '        description: JSON object of phase id to the outputs it wrote to $PHASE_OUTPUT (phases that succeeded and wrote some; unchanged ones with what they wrote when they passed).',
    '        value: ${{ jobs.report.outputs.phase-outputs }}',
    '      durations:',
    '        description: JSON object of phase id to minutes for each phase that ran to an end (the shape of the estimates input).',
    '        value: ${{ jobs.report.outputs.durations }}',
    '      unchanged:',
    '        description: JSON array of the ids of the phases not run because their inputs are unchanged since they passed (cache-passed); they count as succeeded.',
    '        value: ${{ jobs.report.outputs.unchanged }}',
    '      passed:',
    "        description: 'JSON object of phase id to input hash of the phases that passed, this run merged into the last, with what they wrote to $PHASE_OUTPUT (cache-passed).'",
    '        value: ${{ jobs.report.outputs.passed }}'
  ]
}

function reusableHeader(waves: number): string[] {
  return [
    'phases: run a phase plan as waves of parallel jobs (reusable workflow).',
    '',
    'GENERATED by src/render/reusable-workflow.ts: do not edit. Run',
    '`npm run workflows` and commit; CI fails when this file drifts.',
    '',
    'Call it from a workflow of your repository:',
    '',
    '  permissions:',
    '    contents: read   # check out the repository (all it asks for)',
    '  jobs:',
    '    phases:',
    '      uses: phase-matrix/phase-matrix/.github/workflows/phases.yml@v1',
    '      with:',
    '        plan: .prd_runner/phase_plan.yaml',
    '        setup: npm ci',
    '',
    'How it runs:',
    '  plan       reads the plan, fails on any problem (annotated at its line),',
    '             and hands out round 1 as a matrix, and every round of a green',
    '             run up front (`matrices`) when they fit in its outputs.',
    '  wave-k     one job per leg of round k (a phase, or a packed leg of',
    '             several); checks out, runs `setup`, then the exec action runs',
    "             the leg's phases and writes its record, which the job hands",
    '             on as its output leg-<n>. Skipped when nothing was handed out.',
    "             Takes the plan's round while every earlier wave succeeded.",
    '  settle-k   runs only from the first wave that did not succeed on (or on a',
    "             re-run): reads the legs' records from needs (no API, no",
    '             token), skips every dependent of a failure, and hands out',
    '             round k+1. A green run starts no settle job.',
    '  report     settles once more (idempotent; on a green run it reads every',
    '             round) and writes the report; red when',
    '             a phase failed or was skipped, or a plan or settle job failed.',
    `There are ${waves} rounds: a deeper plan fails at the plan job. Beyond that,`,
    'generate a needs graph with `phase-matrix generate` (one job per phase).',
    'Phase text reaches a shell only through exec, never through ${{ }}.'
  ]
}

/** The example's header: `plan` is its bundled plan, `waves` its rounds. */
function exampleHeader(options: { plan: string; waves: number }): string[] {
  return [
    `example: the phase plan ${options.plan} run with the action's steps.`,
    '',
    'GENERATED by src/render/reusable-workflow.ts: do not edit. Run',
    '`npm run workflows` and commit; CI fails when this file drifts.',
    '',
    'This is the pattern to copy when you want your own wave jobs. In your',
    'repository use `phase-matrix/phase-matrix@v1` for `./` and',
    '`phase-matrix/phase-matrix/settle@v1` for `./settle` (`exec@v1` for',
    '`./exec`). Keep one wave job',
    `and one settle job per round (this plan has ${options.waves}) and set \`max-waves\``,
    'to their number, so that a deeper plan fails at the plan step. Settle',
    're-reads the plan: check out the same commit in its job. Keep the',
    "conditions as they are: a wave takes the plan's round (`matrices`) while",
    'every earlier wave succeeded, so a green run starts no settle job.',
    'Or call the reusable workflow .github/workflows/phases.yml instead.'
  ]
}
