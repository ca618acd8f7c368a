// `phase-matrix plan --rounds`: the rounds a green run of the reusable
// workflow hands out (rounds.ts), which levels each covers and the phases of
// each leg in the order exec runs them. Pure. O(rounds × (V + E) α(V)).
import { at } from '../plan/at.js'
import { roundLegs, type Packing } from '../plan/packing.js'
import { initialStatuses } from '../plan/schedule.js'
import { greenRounds } from '../plan/rounds.js'
import type { PlanAnalysis } from '../plan/types.js'

/** `levels 2–4` or `level 3` (1-based) for the phases of a round. */
function levelsOf(analysis: PlanAnalysis, phases: readonly number[]): string {
  const levels = phases.map(index => (analysis.waveOf[index] ?? 0) + 1)
  const low = Math.min(...levels)
  const high = Math.max(...levels)
  return low === high ? `level ${low}` : `levels ${low}–${high}`
}

/** `unchanged` (plan --passed): phases that run in no round, as if done. */
export function renderRoundsText(
  analysis: PlanAnalysis,
  unchanged: readonly boolean[] | undefined,
  packing: Packing
): string {
  const phases = analysis.plan.phases
  const statuses = initialStatuses(analysis).map((status, index) =>
    unchanged?.[index] === true ? 'done' : status
  )
  const rounds = greenRounds(analysis, statuses, packing, 1)
  const limit = Number.isFinite(packing.maxRounds)
    ? `${packing.maxRounds} wave jobs`
    : 'no limit on wave jobs'
  const lines = [
    `Rounds of a green run (${limit}, at most ${packing.maxLegs} legs a round, ${packing.cores} core(s) a leg): ${rounds.length}`,
    ''
  ]
  rounds.forEach((round, offset) => {
    const legs = roundLegs(analysis, round, packing, offset + 1)
    lines.push(
      `Round ${offset + 1} (${levelsOf(analysis, round)}): ${round.length} phase(s) in ${legs.length} leg(s)`
    )
    for (const leg of legs) {
      // exec's order: by level, then plan order.
      const order = [...leg.phases].sort(
        (a, b) => (analysis.waveOf[a] ?? 0) - (analysis.waveOf[b] ?? 0) || a - b
      )
      lines.push(
        `  leg ${leg.leg}: ${order.map(index => at(phases, index).id).join(', ')}`
      )
    }
    lines.push('')
  })
  if (rounds.length === 0)
    lines.push('Nothing to run: every phase is done or unchanged.', '')
  return lines.join('\n')
}
