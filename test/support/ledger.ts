// A run's ledger before round 1, as the plan step would record it, for tests
// of the schedule and the report.
import { packingOf, type Packing } from '../../src/plan/packing.js'
import { startLedger } from '../../src/plan/schedule.js'
import type { Ledger } from '../../src/plan/state.js'
import type { PlanAnalysis } from '../../src/plan/types.js'

export function testLedger(
  analysis: PlanAnalysis,
  options: { maxWorkers?: number; failFast?: boolean } = {}
): Ledger {
  return startLedger(analysis, {
    digest: '0123456789abcdef',
    planPath: 'plan.yaml',
    maxWorkers: options.maxWorkers ?? 1,
    failFast: options.failFast ?? false,
    attempt: 1
  })
}

/**
 * How rounds are folded and packed in tests: the plan's estimates, one leg
 * a phase up to 64 (no packing), rounds of ready phases, no limit on rounds.
 */
export function testPacking(
  analysis: PlanAnalysis,
  options: Partial<Omit<Packing, 'minutes'>> = {}
): Packing {
  return {
    ...packingOf(analysis, { maxWorkers: 64 }),
    ...options
  }
}
