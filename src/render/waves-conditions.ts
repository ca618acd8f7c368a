// The `if:` conditions, matrices and states that chain the wave and settle
// jobs of the waves workflows: round k comes from the plan job (every round
// of a green run, up front) or from the settle job before it. O(1) each.

/** The job (plan or settle-k) whose outputs hand out round `wave`. */
export function handedOutBy(wave: number): string {
  return wave === 1 ? 'plan' : `settle-${wave - 1}`
}

/**
 * Wave k and settle k run when round k was handed out. `!cancelled()`
 * replaces the implicit `success()`: a failed leg of an earlier wave must not
 * skip the independent phases settle handed out after it.
 */
export function roundCondition(wave: number): string {
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
export function settleCondition(wave: number): string {
  const needed = `needs.wave-${wave}.result != 'success' || github.run_attempt != '1'`
  if (wave === 1) {
    return `\${{ !cancelled() && ${handedOutBySettle(wave)} && (needs.plan.outputs.fast-rounds < 1 || ${needed}) }}`
  }
  return `\${{ !cancelled() && (${handedOutBySettle(wave)} || ${handedOutUpFront(wave)} && (${needed})) }}`
}

/** The matrix of wave k: the plan's for a round handed out up front. */
export function waveMatrix(wave: number): string {
  const from = handedOutBy(wave)
  if (wave === 1) return `\${{ fromJSON(needs.${from}.outputs.matrix) }}`
  return (
    `\${{ needs.${from}.result == 'skipped' && fromJSON(needs.plan.outputs.matrices)[${wave - 1}]` +
    ` || fromJSON(needs.${from}.outputs.matrix) }}`
  )
}

/** The newest state before round k is settled: the plan's after a fast path. */
export function settleState(wave: number): string {
  const from = handedOutBy(wave)
  return from === 'plan'
    ? '${{ needs.plan.outputs.state }}'
    : `\${{ needs.${from}.outputs.state || needs.plan.outputs.state }}`
}
