// Writes the waves workflows: .github/workflows/phases.yml (the reusable
// workflow) and .github/workflows/example.yml (the same pipeline with the
// action's own `uses:` steps, on the bundled example plan). Both are fixed
// text shaped only by a wave count, so they are built from lines rather than
// a YAML serializer: nothing of a plan is ever written into them. Phase text
// reaches a shell only through `env:` at run time. The jobs are built in
// waves-control-jobs.ts and waves-leg-job.ts, the fixed text in
// waves-workflow-text.ts. O(waves) lines.
import { REUSABLE_WORKFLOW_WAVES } from '../plan/rounds.js'
import { planJob, reportJob, settleJob } from './waves-control-jobs.js'
import {
  DURATIONS_FILE,
  PASSED_FILE,
  EXEC_ACTION_REF,
  PLAN_ACTION_REF,
  SETTLE_ACTION_REF,
  type Flavour
} from './waves-flavour.js'
import { waveJob } from './waves-leg-job.js'
import {
  exampleHeader,
  reusableHeader,
  reusableTrigger
} from './waves-workflow-text.js'

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
