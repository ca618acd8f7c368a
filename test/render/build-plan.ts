// Builds small plans in memory for renderer tests and analyses them with the
// real analyzePlan (positions are synthetic: phase k on line 10k).
import { analyzePlan } from '../../src/plan/analyze.js'
import { isDoneStatus } from '../../src/plan/load.js'
import type { Phase, Plan, PlanAnalysis } from '../../src/plan/types.js'

export type PhaseSpec = [id: string, deps?: string[], extra?: Partial<Phase>]

export function buildPlan(specs: PhaseSpec[], file = 'plan.yaml'): Plan {
  const phases = specs.map(([id, deps = [], extra = {}], index): Phase => ({
    id,
    deps,
    index,
    position: { line: 10 * index + 2, column: 5 },
    depPositions: deps.map((_, k) => ({
      line: 10 * index + 4,
      column: 12 + k
    })),
    ...extra,
    done: isDoneStatus(extra.status)
  }))
  return { file, phases }
}

export function analysed(specs: PhaseSpec[]): PlanAnalysis {
  const result = analyzePlan(buildPlan(specs))
  if (result.analysis === undefined) {
    throw new Error(
      'test plan is invalid: ' + result.problems.map(p => p.message).join('; ')
    )
  }
  return result.analysis
}

/** The seed's plan-parallel example. */
export const SEED_PLAN: PhaseSpec[] = [
  ['database-schema', [], { description: 'Set up database schema' }],
  ['frontend-components', [], { description: 'Build UI components' }],
  [
    'api-endpoints',
    ['database-schema'],
    { description: 'Create API endpoints' }
  ],
  [
    'integration',
    ['api-endpoints', 'frontend-components'],
    { description: 'Integrate frontend and backend' }
  ]
]
