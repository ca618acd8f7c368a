// Settle handing out the next round once the last one is settled.
import { at } from '../../plan/at.js'
import { packingOf } from '../../plan/packing.js'
import { handOutNext } from '../../plan/schedule.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { packedNote } from '../../render/matrix.js'
import { executingBatchLine } from '../../render/progress.js'
import * as core from '../log.js'

/** The ledger with the next round handed out, said in the log. */
export function handOutNextRound(
  analysis: PlanAnalysis,
  ledger: Ledger,
  attempt: number
): Ledger {
  const idOf = (index: number): string => at(analysis.plan.phases, index).id
  const packing = packingOf(analysis, ledger)
  // A wave is one round: a round of more phases than its legs is packed.
  const handOut = handOutNext(analysis, ledger, {
    attempt,
    legLimit: Infinity
  })
  if (handOut.round.length > 0) {
    core.info(
      executingBatchLine(
        handOut.ledger.wave + 1,
        analysis.waves.length,
        handOut.round.map(idOf),
        handOut.leftInWave,
        packedNote(analysis, handOut.round, packing)
      )
    )
  }
  return handOut.ledger
}
