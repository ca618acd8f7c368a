// Whether the legs' records of a plan fit where they travel: at most
// MATRIX_LEG_LIMIT legs a round (one `leg-<n>` output each), each round's
// records in one environment string of settle (PHASE_MATRIX_ROUND_<k>,
// 128 KiB on Linux), and all rounds' together in the report step's
// environment (MAX_RECORDS_ENV_BYTES, below Linux's ARG_MAX). Pure.
// O(rounds).
import { MAX_ENV_VALUE_BYTES } from './env-limits.js'
import { MAX_RECORDS_ENV_BYTES, roundRecordsBytes } from './leg-record.js'
import { MATRIX_LEG_LIMIT } from './packing.js'

/** One round as the plan hands it out: its wave (1-based), legs and phases. */
interface RoundSize {
  wave: number
  legs: number
  phases: number
}

/** Why the records do not fit, or undefined when they do. */
export function recordBudgetProblem(
  rounds: readonly RoundSize[]
): string | undefined {
  let total = 0
  for (const { wave, legs, phases } of rounds) {
    if (legs > MATRIX_LEG_LIMIT) {
      return (
        `Wave ${wave} needs ${legs} legs: its phases name more different runners (runs-on) than the ${MATRIX_LEG_LIMIT} legs a round may have ` +
        '(each wave job hands on one leg-<n> output a leg, and phases on different runners never share a leg). ' +
        'Name fewer kinds of runner in one wave, or use the generated needs graph (`phase-matrix generate`).'
      )
    }
    const bytes = roundRecordsBytes(legs, phases)
    if (bytes > MAX_ENV_VALUE_BYTES) {
      return (
        `Wave ${wave} holds ${phases} phases: the records of its ${legs} legs can take up to ${bytes.toLocaleString('en-US')} bytes ` +
        `in settle's env PHASE_MATRIX_ROUND_${wave}, one environment string, and Linux starts no process holding one over ${MAX_ENV_VALUE_BYTES.toLocaleString('en-US')} bytes (E2BIG). ` +
        'Split the wave, or use the generated needs graph (`phase-matrix generate`).'
      )
    }
    total += bytes
  }
  if (total > MAX_RECORDS_ENV_BYTES) {
    const phases = rounds.reduce((sum, round) => sum + round.phases, 0)
    return (
      `The records of all ${rounds.length} waves (${phases} phases) can take up to ${total.toLocaleString('en-US')} bytes together ` +
      `in the report step's environment (PHASE_MATRIX_ROUND_1…${rounds.length}), over the ${MAX_RECORDS_ENV_BYTES.toLocaleString('en-US')} bytes kept below Linux's limit for a process's environment (ARG_MAX). ` +
      'Split the plan, or use the generated needs graph (`phase-matrix generate`).'
    )
  }
  return undefined
}
