// Settle handing out the next round once the last one is settled: on a
// re-run, phases whose leg succeeded in an earlier attempt are passed over.
import { succeededBefore } from '../../github/legs.js'
import { at } from '../../plan/at.js'
import { packingOf } from '../../plan/packing.js'
import { handOutNext } from '../../plan/schedule.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { packedNote } from '../../render/matrix.js'
import {
  executingBatchLine,
  succeededEarlierLine
} from '../../render/progress.js'
import { MAX_MATRIX_LEGS } from '../constants.js'
import * as core from '../log.js'
import type { SeenJobs } from './read-round.js'

/** The ledger with the next round handed out, said in the log. */
export function handOutNextRound(
  analysis: PlanAnalysis,
  ledger: Ledger,
  attempt: number,
  seen: SeenJobs | undefined
): Ledger {
  const idOf = (index: number): string => at(analysis.plan.phases, index).id
  const packing = packingOf(analysis, ledger)
  const earlier =
    attempt > 1
      ? succeededBefore(
          seen?.jobs ?? [],
          attempt,
          seen?.prefix ?? '',
          analysis.plan.phases.map(phase => phase.id)
        )
      : new Map<string, { seconds?: number }>()
  const handOut = handOutNext(analysis, ledger, {
    attempt,
    legLimit: packing === undefined ? MAX_MATRIX_LEGS : Infinity,
    succeededEarlier: index => earlier.get(idOf(index))
  })
  handOut.ledger.statuses.forEach((status, index) => {
    if (
      status === 'succeeded-earlier' &&
      ledger.statuses[index] === 'pending'
    ) {
      core.info(succeededEarlierLine(idOf(index)))
    }
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
