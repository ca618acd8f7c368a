// The plan step's fast path: the matrices of every round of a green run
// handed out up front (output `matrices`, `fast-rounds`), so that no settle
// job runs while every wave succeeds, when they fit GitHub's output limit.
import type { Packing } from '../../plan/packing.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { renderRoundMatrix } from '../../render/matrix.js'
import {
  INFORMATIONAL_PLAN_OUTPUTS,
  MAX_JOB_OUTPUT_BYTES,
  PlanOutputs
} from '../constants.js'
import { fitsOutputBudget, OUTPUT_MARGIN_BYTES } from '../output-budget.js'

/** Why the matrices of all rounds are not handed out up front. */
export type FastPathOff = 'nothing-to-run' | 're-run' | 'too-large'

/**
 * The fast path: the matrices of every round of a green run, handed out up
 * front so that no settle job runs while every wave succeeds, when they fit
 * the output budget next to `outputs`. Off on a re-run (settle runs after
 * every wave, reading the records the legs of each attempt left) and when
 * nothing is to run.
 */
export function fastPath(
  analysis: PlanAnalysis,
  rounds: number[][],
  attempt: number,
  outputs: Record<string, string>,
  packing: Packing
): { outputs: Record<string, string>; off?: FastPathOff } {
  const off = (reason: FastPathOff): ReturnType<typeof fastPath> => ({
    outputs: { [PlanOutputs.matrices]: '[]', [PlanOutputs.fastRounds]: '0' },
    off: reason
  })
  if (rounds.length === 0) return off('nothing-to-run')
  if (attempt > 1) return off('re-run')
  const fast = {
    [PlanOutputs.matrices]: `[${rounds.map((round, offset) => renderRoundMatrix(analysis, round, packing, offset + 1)).join(',')}]`,
    [PlanOutputs.fastRounds]: String(rounds.length)
  }
  return fitsOutputBudget({ ...outputs, ...fast }, INFORMATIONAL_PLAN_OUTPUTS)
    ? { outputs: fast }
    : off('too-large')
}

/** What the log says about the fast path. */
export function fastPathMessage(
  rounds: number,
  attempt: number,
  off: FastPathOff | undefined
): string | undefined {
  switch (off) {
    case undefined:
      return (
        `Fast path on: the matrices of all ${rounds} round(s) are handed out up front (output fast-rounds: ${rounds}). ` +
        'Each wave job takes its round from the plan while every earlier wave succeeded; settle jobs run only from the first failure on.'
      )
    case 're-run':
      return (
        `Fast path off (output fast-rounds: 0): this is run attempt ${attempt}, so settle runs after every wave ` +
        'and reads the records the legs of each attempt left.'
      )
    case 'too-large':
      return (
        `Fast path off (output fast-rounds: 0): the matrices of all ${rounds} rounds do not fit in GitHub's ` +
        `${MAX_JOB_OUTPUT_BYTES / 1024} KiB of job outputs next to the other outputs (and ${OUTPUT_MARGIN_BYTES / 1024} KiB left for yours). ` +
        'Settle runs after every wave and hands out the next round.'
      )
    case 'nothing-to-run':
      return undefined
  }
}
