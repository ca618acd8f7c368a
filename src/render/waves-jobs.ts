// The jobs of the waves workflows (phases.yml and example.yml): what every
// job builder shares, the conditions that chain the waves, the control jobs
// (plan, settle-k, report) and the wave jobs of legs.
import { MATRIX_LEG_LIMIT } from '../plan/leg-record.js'

// The parts of the waves workflows (.github/workflows/phases.yml and
// example.yml) that every job builder shares: the actions and versions they
// use, the timeouts, and the Flavour (what differs between the reusable
// workflow and the copyable example).

/** Where the reusable workflow finds the actions (the caller's checkout is not ours). */
export const PLAN_ACTION_REF = 'phase-matrix/phase-matrix@v1'
export const SETTLE_ACTION_REF = 'phase-matrix/phase-matrix/settle@v1'
export const EXEC_ACTION_REF = 'phase-matrix/phase-matrix/exec@v1'
const CACHE_RESTORE_REF = 'actions/cache/restore@v4'
const CACHE_SAVE_REF = 'actions/cache/save@v4'

/** Where the reusable workflow keeps learned durations (input learn-durations). */
export const DURATIONS_FILE = '.phase-matrix/durations.json'
/** Where the reusable workflow keeps the store of passed phases (input cache-passed). */
export const PASSED_FILE = '.phase-matrix/passed.json'
const CHECKOUT_ACTION_REF = 'actions/checkout@v5'

/** GitHub's own default for a job without `timeout-minutes`. */
const DEFAULT_LEG_TIMEOUT_MINUTES = 360
/** Plan, settle and report only read and call the API: minutes, not hours. */
export const CONTROL_TIMEOUT_MINUTES = 10

/** What differs between the reusable workflow and the copyable example. */
export interface Flavour {
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
  /** More `with:` lines of the exec step (the reusable workflow's leg-concurrency). */
  execWith: string[]
  /** runs-on of our own jobs, and of a leg whose phase names none. */
  runsOn: string
  /** A `setup` step (the reusable workflow's input) before each phase. */
  setup: boolean
  waves: number
}

export function checkoutStep(): string[] {
  return [
    `      - uses: ${CHECKOUT_ACTION_REF}`,
    '        with:',
    '          persist-credentials: false'
  ]
}

// The `if:` conditions, matrices and states that chain the wave and settle
// jobs of the waves workflows: round k comes from the plan job (every round
// of a green run, up front) or from the settle job before it. O(1) each.

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

// The control jobs of the waves workflows: plan (hands out round 1, and
// every round of a green run up front), settle-k (records how wave k ended
// and hands out round k+1) and report (settles once more and gives the
// verdict), with the actions/cache steps of learned durations. O(waves).

/** Settle re-reads the plan from the checkout; the records come through needs. */
const SETTLE_READS = ['contents']

/** The wave jobs of rounds 1 … `last`. */
function waveJobs(last: number): string[] {
  return Array.from({ length: last }, (_, index) => `wave-${index + 1}`)
}

/**
 * The settle step's env: how the wave job of each round 1 … `last` ended,
 * with its legs' records. One variable a round: each stays below Linux's
 * 128 KiB for one environment string.
 */
function roundEnv(last: number): string[] {
  return [
    '        env:',
    ...waveJobs(last).map(
      (job, index) =>
        `          PHASE_MATRIX_ROUND_${index + 1}: \${{ toJSON(needs.${job}) }}`
    )
  ]
}

/**
 * Runner, timeout, read permissions and outputs (each one of the step
 * `step`'s outputs) of a control job: plan, settle-k or report.
 */
function controlJobSettings(
  flavour: Flavour,
  reads: readonly string[],
  step: string,
  outputs: readonly string[]
): string[] {
  return [
    `    runs-on: ${flavour.runsOn}`,
    `    timeout-minutes: ${CONTROL_TIMEOUT_MINUTES}`,
    '    permissions:',
    ...reads.map(scope => `      ${scope}: read`),
    '    outputs:',
    ...outputs.map(
      name => `      ${name}: \${{ steps.${step}.outputs.${name} }}`
    )
  ]
}

export function planJob(flavour: Flavour): string[] {
  return [
    '  # Reads and checks the plan; hands out round 1.',
    '  plan:',
    '    name: phase plan',
    ...controlJobSettings(flavour, ['contents'], 'plan', [
      'matrix',
      'state',
      'has-work',
      'max-workers',
      'max-memory-mb',
      'max-cpu-percent',
      // Every round of a green run, handed out up front (the fast path).
      'matrices',
      'fast-rounds',
      // What the unchanged phases stored, for the legs that read it.
      'phase-outputs'
    ]),
    '    steps:',
    ...checkoutStep(),
    ...(flavour.learn
      ? [...durationsCacheStep('restore'), ...passedCacheStep('restore')]
      : []),
    '      - id: plan',
    `        uses: ${flavour.planAction}`,
    '        with:',
    ...flavour.planWith.map(line => `          ${line}`)
  ]
}

/** The cache key of the durations, per plan file; each run saves its own. */
const DURATIONS_KEY = 'phase-matrix-durations-${{ inputs.plan }}'

/** The two actions/cache steps of learned durations (input learn-durations). */
const DURATIONS_CACHE_STEPS = {
  /** Plan job: last run's durations, when the caller keeps them. */
  restore: {
    name: 'Restore learned durations',
    condition: '${{ inputs.learn-durations }}',
    uses: CACHE_RESTORE_REF,
    restoreKeys: [`restore-keys: ${DURATIONS_KEY}-`]
  },
  /** Report job: this run's durations for the next run. */
  save: {
    name: 'Keep learned durations',
    condition:
      "${{ !cancelled() && inputs.learn-durations && steps.settle.outputs.durations != '' }}",
    uses: CACHE_SAVE_REF,
    restoreKeys: []
  }
} as const

function durationsCacheStep(
  kind: keyof typeof DURATIONS_CACHE_STEPS
): string[] {
  const step = DURATIONS_CACHE_STEPS[kind]
  return [
    `      - name: ${step.name}`,
    `        if: ${step.condition}`,
    `        uses: ${step.uses}`,
    '        with:',
    `          path: ${DURATIONS_FILE}`,
    `          key: ${DURATIONS_KEY}-\${{ github.run_id }}-\${{ github.run_attempt }}`,
    ...step.restoreKeys.map(line => `          ${line}`)
  ]
}

/**
 * The cache key of the store of passed phases, per plan file; each run saves
 * its own (a key is written once) and restores the newest by prefix, which
 * GitHub looks up in the run's branch, then its base branch, then the
 * default branch: a pull request starts from what passed on its base. An
 * entry is a content hash, so one saved on another branch is as good.
 */
const PASSED_KEY = 'phase-matrix-passed-${{ inputs.plan }}'

/** The actions/cache steps of the store of passed phases (input cache-passed). */
function passedCacheStep(kind: 'restore' | 'save'): string[] {
  return [
    kind === 'restore'
      ? '      - name: Restore passed phases'
      : '      - name: Keep passed phases',
    kind === 'restore'
      ? '        if: ${{ inputs.cache-passed }}'
      : "        if: ${{ !cancelled() && inputs.cache-passed && steps.settle.outputs.state != '' }}",
    `        uses: ${kind === 'restore' ? CACHE_RESTORE_REF : CACHE_SAVE_REF}`,
    '        with:',
    `          path: ${PASSED_FILE}`,
    `          key: ${PASSED_KEY}-\${{ github.run_id }}-\${{ github.run_attempt }}`,
    ...(kind === 'restore' ? [`          restore-keys: ${PASSED_KEY}-`] : [])
  ]
}

export function settleJob(flavour: Flavour, wave: number): string[] {
  const from = handedOutBy(wave)
  const next =
    wave < flavour.waves
      ? `hands out round ${wave + 1}`
      : 'this is the last round'
  return [
    `  # Records how the legs of wave ${wave} ended and skips dependents of failures; ${next}.`,
    `  settle-${wave}:`,
    `    name: settle wave ${wave}`,
    // A block list: Prettier keeps it as written however many waves.
    '    needs:',
    ...['plan', ...(from === 'plan' ? [] : [from]), ...waveJobs(wave)].map(
      job => `      - ${job}`
    ),
    `    if: ${settleCondition(wave)}`,
    ...controlJobSettings(flavour, SETTLE_READS, 'settle', [
      'matrix',
      'state',
      'has-work'
    ]),
    '    steps:',
    // Settle re-reads the plan (the state holds only statuses and its digest).
    ...checkoutStep(),
    '      - id: settle',
    `        uses: ${flavour.settleAction}`,
    ...roundEnv(wave),
    '        with:',
    `          state: ${settleState(wave)}`,
    // After a fast path, settle reads the rounds the wave jobs took from the plan too.
    `          rounds-run: ${wave}`,
    '          # The report job gives the verdict; a failed phase is not a failed settle.',
    '          allow-failure: true'
  ]
}

export function reportJob(flavour: Flavour): string[] {
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
    ...['plan', ...settles, ...waveJobs(flavour.waves)].map(
      job => `      - ${job}`
    ),
    // always(), not !cancelled(): GitHub reports a skipped job as Success to
    // a required check, so a cancelled run must still end in a red report.
    '    if: ${{ always() }}',
    ...controlJobSettings(flavour, SETTLE_READS, 'settle', [
      'succeeded',
      'failed',
      'skipped',
      'flaky',
      'phase-outputs',
      'durations',
      ...(flavour.learn ? ['unchanged', 'passed'] : [])
    ]),
    '    steps:',
    '      - name: Red when the run was cancelled',
    '        if: ${{ cancelled() }}',
    '        shell: bash',
    '        run: |',
    '          echo "::error::The run was cancelled: not every phase ran."',
    '          exit 1',
    // Settle re-reads the plan (the state holds only statuses and its digest).
    ...checkoutStep(),
    // The old store, merged into the new one (the plan job read it too).
    ...(flavour.learn ? passedCacheStep('restore') : []),
    '      - id: settle',
    "        if: ${{ needs.plan.result == 'success' }}",
    `        uses: ${flavour.settleAction}`,
    ...roundEnv(flavour.waves),
    '        with:',
    `          state: \${{ ${newestState} }}`,
    // A green fast path ran every round without a settle job: read them all.
    `          rounds-run: ${flavour.waves}`,
    ...(flavour.learn
      ? [
          `          durations-file: \${{ inputs.learn-durations && '${DURATIONS_FILE}' || '' }}`,
          `          passed-file: \${{ inputs.cache-passed && '${PASSED_FILE}' || '' }}`,
          ...durationsCacheStep('save'),
          ...passedCacheStep('save')
        ]
      : []),
    '      - name: Verdict on the plan and settle jobs',
    '        if: ${{ !cancelled() }}',
    '        shell: bash',
    '        env:',
    '          PLAN_RESULT: ${{ needs.plan.result }}',
    `          CONTROL_FAILED: \${{ ${settles.map(job => `needs.${job}.result == 'failure'`).join(' || ')} }}`,
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

// Wave k of the waves workflows: one job per leg of round k (a phase, or a
// packed leg of several), each run by the exec action, the one way a phase
// runs. Each leg hands its record on as its own job output `leg-<n>` (with
// the job's status in front); GitHub combines them from all legs, so settle
// reads every leg from `needs`. Phase text reaches the shell only through
// exec, never through `${{ }}`. O(legs per round).

/**
 * The env variable of a wave job's exec that carries the plan step's
 * `phase-outputs` (what the unchanged phases stored): exec reads it as one
 * more needed job's outputs, by its prefix PHASE_MATRIX_NEEDS_.
 */
const PLAN_OUTPUTS_ENV = 'PHASE_MATRIX_NEEDS_PLAN'

/** The job outputs of a wave job: `leg-1` … `leg-64`, each set by its own leg only. */
function legOutputLines(legs: number = MATRIX_LEG_LIMIT): string[] {
  const lines: string[] = []
  for (let leg = 1; leg <= legs; leg++) {
    lines.push(
      `      leg-${leg}: \${{ matrix.leg == ${leg} && format('{0} {1}', job.status, steps.exec.outputs.record) || '' }}`
    )
  }
  return lines
}

export function waveJob(flavour: Flavour, wave: number): string[] {
  const from = handedOutBy(wave)
  // Every earlier wave job: exec reads their records for the outputs of
  // its phases' dependencies (needs holds only the jobs listed).
  const earlier = Array.from({ length: wave - 1 }, (_, k) => `wave-${k + 1}`)
  // A block list: Prettier keeps it as written however many waves.
  const needs =
    from === 'plan'
      ? ['    needs: [plan]']
      : [
          '    needs:',
          ...['plan', from, ...earlier].map(job => `      - ${job}`)
        ]
  const lines = [
    `  # Round ${wave}: one leg per matrix entry (a phase or a packed leg), run by exec.`,
    `  wave-${wave}:`,
    '    name: ${{ matrix.id }}',
    ...needs,
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
    "    # Each leg's record under its own name: GitHub combines them from all legs.",
    '    outputs:',
    ...legOutputLines(),
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
    // The leg's phases in dependency order; exec alone writes the record.
    '      - id: exec',
    '        name: Run phases',
    `        uses: ${flavour.execAction}`,
    '        env:',
    // The config's resource_limits, for the phase to honour ('' when unset).
    '          PHASE_MAX_MEMORY_MB: ${{ needs.plan.outputs.max-memory-mb }}',
    '          PHASE_MAX_CPU_PERCENT: ${{ needs.plan.outputs.max-cpu-percent }}',
    // The outputs of this leg's dependencies: the unchanged ones' (stored)
    // and, in earlier rounds' records, the ones that ran.
    `          ${PLAN_OUTPUTS_ENV}: \${{ needs.plan.outputs.phase-outputs }}`,
    ...earlier.map(
      (job, k) =>
        `          PHASE_MATRIX_ROUND_${k + 1}: \${{ toJSON(needs.${job}) }}`
    ),
    '        with:',
    `          plan: ${flavour.planPath}`,
    '          phases: ${{ matrix.phases && toJSON(matrix.phases) || matrix.id }}',
    `          round: ${wave}`,
    '          leg: ${{ matrix.leg }}',
    // The leg's share of the round's outputs budget.
    '          legs: ${{ strategy.job-total }}',
    ...flavour.execWith.map(line => `          ${line}`)
  )
  return lines
}

/** `${{ x }}` → `x`, a literal → a quoted expression string. */
function unwrap(value: string): string {
  const match = /^\$\{\{ (.*) \}\}$/.exec(value)
  return match?.[1] ?? `'${value}'`
}
