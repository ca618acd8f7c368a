// The control jobs of the waves workflows: plan (hands out round 1, and
// every round of a green run up front), settle-k (records how wave k ended
// and hands out round k+1) and report (settles once more and gives the
// verdict), with the actions/cache steps of learned durations. O(waves).
import {
  handedOutBy,
  settleCondition,
  settleState
} from './waves-conditions.js'
import {
  CACHE_RESTORE_REF,
  CACHE_SAVE_REF,
  checkoutStep,
  CONTROL_TIMEOUT_MINUTES,
  DURATIONS_FILE,
  PASSED_FILE,
  type Flavour
} from './waves-flavour.js'

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
      'fast-rounds'
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
