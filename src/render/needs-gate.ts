// The gate of the needs graph: one job that needs every phase job and is
// green only when every phase succeeded, so the whole graph is one required
// status check. Fixed text: no plan value reaches it. O(phases).
import { PLAN_JOB_ID, WORDS_OUTPUT } from './needs-passed.js'
import { DEFAULT_RUNS_ON } from './needs-phase-job.js'
import type { NeedsWorkflowOptions } from './needs-workflow.js'
import type { YamlMapping } from './yaml-value.js'

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
export function gateJob(
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
