// Wave k of the waves workflows: one job per leg of round k (a phase, or a
// packed leg of several), named by its id so settle finds it. Phase text
// reaches the shell only through `env:`. O(1).
import { handedOutBy, roundCondition, waveMatrix } from './waves-conditions.js'
import {
  CHECKOUT_ACTION_REF,
  DEFAULT_LEG_TIMEOUT_MINUTES,
  type Flavour
} from './waves-flavour.js'

export function waveJob(flavour: Flavour, wave: number): string[] {
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

/** `${{ x }}` → `x`, a literal → a quoted expression string. */
function unwrap(value: string): string {
  const match = /^\$\{\{ (.*) \}\}$/.exec(value)
  return match?.[1] ?? `'${value}'`
}
