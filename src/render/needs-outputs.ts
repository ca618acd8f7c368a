// Phase outputs in the needs graph: a job whose phases exec runs hands on
// what they wrote to $PHASE_OUTPUT as its job output `phase-outputs`, and
// gives exec each needed job's as env PHASE_MATRIX_NEEDS_<n> (one
// environment string a job, each phase's outputs at most 16 KiB), from
// which exec builds $PHASE_INPUTS. O(needs).
import { NEEDS_ENV_PREFIX } from '../actions/constants.js'
import type { YamlMapping } from './yaml-value.js'

/** A job's output of what exec's phases wrote (exec's step id is `x`). */
export const PHASE_OUTPUTS_VALUE = '${{ steps.x.outputs.phase-outputs }}'

/**
 * Exec's env: each needed job's outputs (`PHASE_MATRIX_NEEDS_<n>`, one
 * environment string a job, each phase's at most 16 KiB), from which it
 * builds its phases' $PHASE_INPUTS. Nothing without needs.
 */
export function neededOutputsEnv(needs: readonly string[]): YamlMapping {
  if (needs.length === 0) return {}
  return {
    env: Object.fromEntries(
      needs.map((need, k) => [
        `${NEEDS_ENV_PREFIX}${k + 1}`,
        `\${{ needs.${need}.outputs.phase-outputs }}`
      ])
    )
  }
}
