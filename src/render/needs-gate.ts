// The gate of the needs graph: one job that needs every phase job and is
// green only when every phase succeeded, so the whole graph is one required
// status check. Fixed text: no plan value reaches it. O(phases).
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

/**
 * The gate needs every phase job and runs `if: always()`. Not
 * `!cancelled()`: when the run is cancelled (by fail_fast or by hand) that
 * would skip the gate, and GitHub counts a skipped job as a passing required
 * check. With always() the gate runs and is red unless every phase succeeded.
 */
export function gateJob(
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
