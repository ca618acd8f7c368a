// Settle handing out the next round once the last one is settled.
import { at } from '../../plan/at.js'
import { packingOf } from '../../plan/packing.js'
import { greenRounds } from '../../plan/rounds.js'
import { handOutNext } from '../../plan/schedule.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { packedNote } from '../../render/matrix.js'
import { executingBatchLine } from '../../render/report.js'
import * as core from '../log.js'

/** The ledger with the next round handed out, said in the log. */
export function handOutNextRound(
  analysis: PlanAnalysis,
  ledger: Ledger,
  attempt: number
): Ledger {
  const idOf = (index: number): string => at(analysis.plan.phases, index).id
  const packing = packingOf(analysis, ledger)
  const handOut = handOutNext(analysis, ledger, { attempt, packing })
  if (handOut.round.length > 0) {
    const round = handOut.ledger.round
    // The rounds a green run has from here on, this one included.
    const rounds =
      round -
      1 +
      greenRounds(analysis, handOut.ledger.statuses, packing, round).length
    core.info(
      executingBatchLine(
        round,
        rounds,
        handOut.round.map(idOf),
        packedNote(analysis, handOut.round, packing, round)
      )
    )
  }
  return handOut.ledger
}
