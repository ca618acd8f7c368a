// Wave k of the waves workflows: one job per leg of round k (a phase, or a
// packed leg of several), each run by the exec action, the one way a phase
// runs. Each leg hands its record on as its own job output `leg-<n>` (with
// the job's status in front); GitHub combines them from all legs, so settle
// reads every leg from `needs`. Phase text reaches the shell only through
// exec, never through `${{ }}`. O(legs per round).
import { MATRIX_LEG_LIMIT } from '../plan/packing.js'
import { handedOutBy, roundCondition, waveMatrix } from './waves-conditions.js'
import {
  CHECKOUT_ACTION_REF,
  DEFAULT_LEG_TIMEOUT_MINUTES,
  type Flavour
} from './waves-flavour.js'

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
    // Earlier rounds' records: the outputs of this leg's dependencies.
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
