// Writes the waves workflows: .github/workflows/phases.yml (the reusable
// workflow) and .github/workflows/example.yml (the same pipeline with the
// action's own `uses:` steps, on the bundled example plan). Both are fixed
// text shaped only by a wave count, so they are built from lines rather than
// a YAML serializer: nothing of a plan is ever written into them. Phase text
// reaches a shell only through `env:` at run time. O(waves) lines.

/** Rounds (wave jobs) of the reusable workflow; a deeper plan fails at plan. */
export const REUSABLE_WORKFLOW_WAVES = 10

/** Where the reusable workflow finds the actions (the caller's checkout is not ours). */
export const PLAN_ACTION_REF = 'phase-matrix/phase-matrix@v1'
export const SETTLE_ACTION_REF = 'phase-matrix/phase-matrix/settle@v1'
export const EXEC_ACTION_REF = 'phase-matrix/phase-matrix/exec@v1'
export const CACHE_RESTORE_REF = 'actions/cache/restore@v4'
export const CACHE_SAVE_REF = 'actions/cache/save@v4'

/** Where the reusable workflow keeps learned durations (input learn-durations). */
export const DURATIONS_FILE = '.phase-matrix/durations.json'
export const CHECKOUT_ACTION_REF = 'actions/checkout@v5'

/** GitHub's own default for a job without `timeout-minutes`. */
const DEFAULT_LEG_TIMEOUT_MINUTES = 360
/** Plan, settle and report only read and call the API: minutes, not hours. */
const CONTROL_TIMEOUT_MINUTES = 10

/** What differs between the reusable workflow and the copyable example. */
interface Flavour {
  /** Comment block at the top, without the `# ` prefixes. */
  header: string[]
  name: string
  /** The `on:` mapping's lines, indented below `on:`. */
  trigger: string[]
  planAction: string
  settleAction: string
  execAction: string
  /** The plan path as the exec step gets it. */
  planPath: string
  /** The actions/cache loop of learned durations (input learn-durations). */
  learn: boolean
  /** `with:` lines of the plan step, indented below `with:`. */
  planWith: string[]
  /** runs-on of our own jobs, and of a leg whose phase names none. */
  runsOn: string
  /** A `setup` step (the reusable workflow's input) before each phase. */
  setup: boolean
  waves: number
}

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
      'config: ${{ inputs.config }}',
      "max-workers: ${{ inputs.max-workers > 0 && format('{0}', inputs.max-workers) || '' }}",
      "fail-fast: ${{ inputs.fail-fast && 'true' || '' }}",
      `max-waves: ${waves}`
    ],
    // A JSON list (`["self-hosted", "linux"]`) or one label.
    runsOn:
      "${{ startsWith(inputs.runs-on, '[') && fromJSON(inputs.runs-on) || inputs.runs-on }}",
    setup: true,
    waves
  })
}

export interface ExampleWorkflowOptions {
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

/** The job (plan or settle-k) whose outputs hand out round `wave`. */
function handedOutBy(wave: number): string {
  return wave === 1 ? 'plan' : `settle-${wave - 1}`
}

/**
 * Wave k and settle k run when round k was handed out. `!cancelled()`
 * replaces the implicit `success()`: a failed leg of an earlier wave must not
 * skip the independent phases settle handed out after it.
 */
function roundCondition(wave: number): string {
  if (wave === 1) return `\${{ !cancelled() && ${handedOutBySettle(wave)} }}`
  return `\${{ !cancelled() && (${handedOutBySettle(wave)} || ${handedOutUpFront(wave)}) }}`
}

/** Round `wave` came from the plan's `matrix` or a settle job's. */
function handedOutBySettle(wave: number): string {
  return `needs.${handedOutBy(wave)}.outputs.has-work == 'true'`
}

/**
 * The fast path: round `wave` ≥ 2 was handed out up front (the plan's
 * `matrices`) and the wave before took its round from the plan too (its
 * settle job did not run) and succeeded — so every earlier wave succeeded.
 */
function handedOutUpFront(wave: number): string {
  const before = wave - 1
  return (
    `needs.settle-${before}.result == 'skipped' && needs.wave-${before}.result == 'success'` +
    ` && needs.plan.outputs.fast-rounds >= ${wave}`
  )
}

/**
 * Settle k runs when round k was handed out by a settle job, or up front and
 * wave k did not succeed (or this is a re-run: settle then passes over the
 * phases that succeeded in an earlier attempt).
 */
function settleCondition(wave: number): string {
  const needed = `needs.wave-${wave}.result != 'success' || github.run_attempt != '1'`
  if (wave === 1) {
    return `\${{ !cancelled() && ${handedOutBySettle(wave)} && (needs.plan.outputs.fast-rounds < 1 || ${needed}) }}`
  }
  return `\${{ !cancelled() && (${handedOutBySettle(wave)} || ${handedOutUpFront(wave)} && (${needed})) }}`
}

/** The matrix of wave k: the plan's for a round handed out up front. */
function waveMatrix(wave: number): string {
  const from = handedOutBy(wave)
  if (wave === 1) return `\${{ fromJSON(needs.${from}.outputs.matrix) }}`
  return (
    `\${{ needs.${from}.result == 'skipped' && fromJSON(needs.plan.outputs.matrices)[${wave - 1}]` +
    ` || fromJSON(needs.${from}.outputs.matrix) }}`
  )
}

/** The newest state before round k is settled: the plan's after a fast path. */
function settleState(wave: number): string {
  const from = handedOutBy(wave)
  return from === 'plan'
    ? '${{ needs.plan.outputs.state }}'
    : `\${{ needs.${from}.outputs.state || needs.plan.outputs.state }}`
}

function checkoutStep(): string[] {
  return [
    `      - uses: ${CHECKOUT_ACTION_REF}`,
    '        with:',
    '          persist-credentials: false'
  ]
}

function planJob(flavour: Flavour): string[] {
  return [
    '  # Reads and checks the plan; hands out round 1.',
    '  plan:',
    '    name: phase plan',
    `    runs-on: ${flavour.runsOn}`,
    `    timeout-minutes: ${CONTROL_TIMEOUT_MINUTES}`,
    '    permissions:',
    '      contents: read',
    '    outputs:',
    '      matrix: ${{ steps.plan.outputs.matrix }}',
    '      state: ${{ steps.plan.outputs.state }}',
    '      has-work: ${{ steps.plan.outputs.has-work }}',
    '      max-workers: ${{ steps.plan.outputs.max-workers }}',
    '      max-memory-mb: ${{ steps.plan.outputs.max-memory-mb }}',
    '      max-cpu-percent: ${{ steps.plan.outputs.max-cpu-percent }}',
    // Every round of a green run, handed out up front (the fast path).
    '      matrices: ${{ steps.plan.outputs.matrices }}',
    '      fast-rounds: ${{ steps.plan.outputs.fast-rounds }}',
    '    steps:',
    ...checkoutStep(),
    ...(flavour.learn ? restoreDurationsSteps() : []),
    '      - id: plan',
    `        uses: ${flavour.planAction}`,
    '        with:',
    ...flavour.planWith.map(line => `          ${line}`)
  ]
}

function waveJob(flavour: Flavour, wave: number): string[] {
  const from = handedOutBy(wave)
  const needs = from === 'plan' ? '[plan]' : `[plan, ${from}, wave-${wave - 1}]`
  const lines = [
    `  # Round ${wave}: one leg per phase, named by its id (settle finds it by that name).`,
    `  wave-${wave}:`,
    '    name: ${{ matrix.id }}',
    `    needs: ${needs}`,
    `    if: ${roundCondition(wave)}`,
    `    runs-on: \${{ matrix['runs-on'] || ${unwrap(flavour.runsOn)} }}`,
    `    timeout-minutes: \${{ matrix['timeout-minutes'] || ${DEFAULT_LEG_TIMEOUT_MINUTES} }}`,
    '    permissions:',
    '      contents: read',
    '    strategy:',
    '      # Settle decides what runs after a failure; GitHub must not cancel siblings.',
    '      fail-fast: false',
    '      max-parallel: ${{ fromJSON(needs.plan.outputs.max-workers) }}',
    `      matrix: ${waveMatrix(wave)}`,
    '    steps:',
    "      # Credentials stay: a phase's commands may use git.",
    `      - uses: ${CHECKOUT_ACTION_REF}`
  ]
  if (flavour.setup) {
    lines.push(
      '      - name: Set up',
      "        if: ${{ inputs.setup != '' }}",
      '        shell: bash',
      '        env:',
      '          PHASE_SETUP: ${{ inputs.setup }}',
      '        run: eval "$PHASE_SETUP"'
    )
  }
  lines.push(
    '      - name: Run phase',
    // A packed leg (several phases, `phases`) runs with the exec step below.
    '        if: ${{ !matrix.phases }}',
    '        shell: bash',
    '        env:',
    '          PHASE_ID: ${{ matrix.id }}',
    '          PHASE_WAVE: ${{ matrix.wave }}',
    '          PHASE_RUN: ${{ matrix.run }}',
    // The config's resource_limits, for the phase to honour ('' when unset).
    '          PHASE_MAX_MEMORY_MB: ${{ needs.plan.outputs.max-memory-mb }}',
    '          PHASE_MAX_CPU_PERCENT: ${{ needs.plan.outputs.max-cpu-percent }}',
    '        run: |',
    '          if [ -z "$PHASE_RUN" ]; then',
    '            echo "::notice::Phase $PHASE_ID has no run command: nothing to do."',
    '            exit 0',
    '          fi',
    '          eval "$PHASE_RUN"',
    // The leg's phases one after another; settle reads their results from this job's log.
    '      - name: Run phases (packed leg)',
    '        if: ${{ matrix.phases }}',
    `        uses: ${flavour.execAction}`,
    '        env:',
    '          PHASE_MAX_MEMORY_MB: ${{ needs.plan.outputs.max-memory-mb }}',
    '          PHASE_MAX_CPU_PERCENT: ${{ needs.plan.outputs.max-cpu-percent }}',
    '        with:',
    `          plan: ${flavour.planPath}`,
    '          phases: ${{ toJSON(matrix.phases) }}',
    '          leg: ${{ matrix.id }}'
  )
  return lines
}

/** Plan job: last run's durations, when the caller keeps them (learn-durations). */
function restoreDurationsSteps(): string[] {
  return [
    '      - name: Restore learned durations',
    '        if: ${{ inputs.learn-durations }}',
    `        uses: ${CACHE_RESTORE_REF}`,
    '        with:',
    `          path: ${DURATIONS_FILE}`,
    `          key: ${DURATIONS_KEY}-\${{ github.run_id }}-\${{ github.run_attempt }}`,
    `          restore-keys: ${DURATIONS_KEY}-`
  ]
}

/** Report job: this run's durations for the next run (learn-durations). */
function saveDurationsSteps(): string[] {
  return [
    '      - name: Keep learned durations',
    "        if: ${{ !cancelled() && inputs.learn-durations && steps.settle.outputs.durations != '' }}",
    `        uses: ${CACHE_SAVE_REF}`,
    '        with:',
    `          path: ${DURATIONS_FILE}`,
    `          key: ${DURATIONS_KEY}-\${{ github.run_id }}-\${{ github.run_attempt }}`
  ]
}

/** The cache key of the durations, per plan file; each run saves its own. */
const DURATIONS_KEY = 'phase-matrix-durations-${{ inputs.plan }}'

function settleJob(flavour: Flavour, wave: number): string[] {
  const from = handedOutBy(wave)
  const next =
    wave < flavour.waves
      ? `hands out round ${wave + 1}`
      : 'this is the last round'
  return [
    `  # Records how the legs of wave ${wave} ended and skips dependents of failures; ${next}.`,
    `  settle-${wave}:`,
    `    name: settle wave ${wave}`,
    `    needs: ${from === 'plan' ? `[plan, wave-${wave}]` : `[plan, ${from}, wave-${wave - 1}, wave-${wave}]`}`,
    `    if: ${settleCondition(wave)}`,
    `    runs-on: ${flavour.runsOn}`,
    `    timeout-minutes: ${CONTROL_TIMEOUT_MINUTES}`,
    '    permissions:',
    ...controlPermissions(),
    '    outputs:',
    '      matrix: ${{ steps.settle.outputs.matrix }}',
    '      state: ${{ steps.settle.outputs.state }}',
    '      has-work: ${{ steps.settle.outputs.has-work }}',
    '    steps:',
    // Settle re-reads the plan (the state holds only statuses and its digest).
    ...checkoutStep(),
    '      - id: settle',
    `        uses: ${flavour.settleAction}`,
    '        with:',
    `          state: ${settleState(wave)}`,
    // After a fast path, settle reads the rounds the wave jobs took from the plan too.
    `          rounds-run: ${wave}`,
    '          # The report job gives the verdict; a failed phase is not a failed settle.',
    '          allow-failure: true'
  ]
}

function reportJob(flavour: Flavour): string[] {
  const settles: string[] = []
  for (let wave = 1; wave <= flavour.waves; wave++) {
    settles.push(`settle-${wave}`)
  }
  // The newest state: a skipped job's outputs are ''.
  const newestState = [...settles]
    .reverse()
    .map(job => `needs.${job}.outputs.state`)
    .concat('needs.plan.outputs.state')
    .join(' || ')
  return [
    '  # Settles once more (idempotent) and gives the verdict: red when a phase',
    '  # failed or was skipped, or when the plan or a settle job failed.',
    '  report:',
    '    name: phase report',
    // A block list: Prettier keeps it as written however many waves.
    '    needs:',
    ...['plan', ...settles].map(job => `      - ${job}`),
    // always(), not !cancelled(): GitHub reports a skipped job as Success to
    // a required check, so a cancelled run must still end in a red report.
    '    if: ${{ always() }}',
    `    runs-on: ${flavour.runsOn}`,
    `    timeout-minutes: ${CONTROL_TIMEOUT_MINUTES}`,
    '    permissions:',
    ...controlPermissions(),
    '    outputs:',
    '      succeeded: ${{ steps.settle.outputs.succeeded }}',
    '      failed: ${{ steps.settle.outputs.failed }}',
    '      skipped: ${{ steps.settle.outputs.skipped }}',
    '      durations: ${{ steps.settle.outputs.durations }}',
    '    steps:',
    '      - name: Red when the run was cancelled',
    '        if: ${{ cancelled() }}',
    '        shell: bash',
    '        run: |',
    '          echo "::error::The run was cancelled: not every phase ran."',
    '          exit 1',
    // Settle re-reads the plan (the state holds only statuses and its digest).
    ...checkoutStep(),
    '      - id: settle',
    "        if: ${{ needs.plan.result == 'success' }}",
    `        uses: ${flavour.settleAction}`,
    '        with:',
    `          state: \${{ ${newestState} }}`,
    // A green fast path ran every round without a settle job: read them all.
    `          rounds-run: ${flavour.waves}`,
    ...(flavour.learn
      ? [
          `          durations-file: \${{ inputs.learn-durations && '${DURATIONS_FILE}' || '' }}`,
          ...saveDurationsSteps()
        ]
      : []),
    '      - name: Verdict on the plan and settle jobs',
    '        if: ${{ !cancelled() }}',
    '        shell: bash',
    '        env:',
    '          PLAN_RESULT: ${{ needs.plan.result }}',
    "          CONTROL_FAILED: ${{ contains(needs.*.result, 'failure') || contains(needs.*.result, 'cancelled') }}",
    '          WORK_LEFT: ${{ steps.settle.outputs.has-work }}',
    '        run: |',
    '          if [ "$PLAN_RESULT" != success ]; then',
    `            echo "::error::The 'phase plan' job ended with '$PLAN_RESULT', so no phase ran. Its log lists what is wrong with the plan."`,
    '            exit 1',
    '          fi',
    '          if [ "$CONTROL_FAILED" = true ]; then',
    `            echo "::error::A 'settle wave' job failed: the outcome of some phases may be unknown. See its log."`,
    '            exit 1',
    '          fi',
    '          if [ "$WORK_LEFT" = true ]; then',
    `            echo "::error::Phases are left that never ran: this workflow has ${flavour.waves} wave jobs. Use 'phase-matrix generate' for a needs graph of any depth."`,
    '            exit 1',
    '          fi',
    '          echo "The plan and every settle job succeeded."'
  ]
}

/** Settle lists the jobs of the run and re-reads the plan from the checkout. */
function controlPermissions(): string[] {
  return ['      actions: read', '      contents: read']
}

/** `${{ x }}` → `x`, a literal → a quoted expression string. */
function unwrap(value: string): string {
  const match = /^\$\{\{ (.*) \}\}$/.exec(value)
  return match?.[1] ?? `'${value}'`
}

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
    '      durations:',
    '        description: JSON object of phase id to minutes for each phase that ran to an end (the shape of the estimates input).',
    '        value: ${{ jobs.report.outputs.durations }}'
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
    '    contents: read   # check out the repository',
    '    actions: read    # settle reads how each phase job ended',
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
    '  wave-k     one job per phase of round k, named by the phase id (shown as',
    '             "phases / <id>"); checks out, runs `setup`, then the phase\'s',
    '             `run` command. Skipped when nothing was handed out. Takes the',
    "             plan's round while every earlier wave succeeded, else settle's.",
    '  settle-k   runs only from the first wave that did not succeed on (or on a',
    '             re-run): reads how each phase job of the waves so far ended',
    '             (jobs API), skips every dependent of a failure, and hands out',
    '             round k+1. A green run starts no settle job.',
    '  report     settles once more (idempotent; on a green run it reads every',
    '             round) and writes the report; red when',
    '             a phase failed or was skipped, or a plan or settle job failed.',
    `There are ${waves} rounds: a deeper plan fails at the plan job. Beyond that,`,
    'generate a needs graph with `phase-matrix generate` (one job per phase).',
    'Phase text reaches the shell only through env:, never through ${{ }}.'
  ]
}

function exampleHeader(options: ExampleWorkflowOptions): string[] {
  return [
    `example: the phase plan ${options.plan} run with the action's steps.`,
    '',
    'GENERATED by src/render/reusable-workflow.ts: do not edit. Run',
    '`npm run workflows` and commit; CI fails when this file drifts.',
    '',
    'This is the pattern to copy when you want your own wave jobs. In your',
    'repository use `phase-matrix/phase-matrix@v1` for `./` and',
    '`phase-matrix/phase-matrix/settle@v1` for `./settle`. Keep one wave job',
    `and one settle job per round (this plan has ${options.waves}) and set \`max-waves\``,
    'to their number, so that a deeper plan fails at the plan step. Settle',
    're-reads the plan: check out the same commit in its job. Keep the',
    "conditions as they are: a wave takes the plan's round (`matrices`) while",
    'every earlier wave succeeded, so a green run starts no settle job.',
    'Or call the reusable workflow .github/workflows/phases.yml instead.'
  ]
}
