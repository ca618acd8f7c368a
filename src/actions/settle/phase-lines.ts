// The log lines settle writes about phases: each phase's status with its
// reason, for the rounds it settles and in the final report.
import { at } from '../../plan/at.js'
import { skipCauses } from '../../plan/skips.js'
import type { Ledger } from '../../plan/state.js'
import type { PlanAnalysis } from '../../plan/types.js'
import { reasonOf } from '../../render/phase-reason.js'
import { phaseLine } from '../../render/progress.js'
import * as core from '../log.js'

/** One line per phase of `indices`: its status, why (`since`: the runs unchanged phases passed in), and how long it took. */
export function logPhaseStatuses(
  analysis: PlanAnalysis,
  ledger: Ledger,
  indices: Iterable<number>,
  since?: ReadonlyMap<string, string>
): void {
  const causes = skipCauses(analysis, ledger)
  for (const index of indices) {
    core.info(
      phaseLine(
        at(analysis.plan.phases, index).id,
        at(ledger.statuses, index),
        reasonOf(analysis, ledger, index, causes, since),
        ledger.seconds[index]
      )
    )
  }
}
