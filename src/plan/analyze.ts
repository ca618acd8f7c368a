// From a loaded plan to its graph: ids resolved, every problem found (not
// just the first), waves, cycles and the critical path. O(V + E) apart from
// "did you mean" suggestions for unknown ids.
import { at, numberAt } from './at.js'
import { longestPath } from './graph.js'
import { findCycles } from './graph.js'
import { doneWarnings } from './skips.js'
import {
  problemReporter,
  resolveDependencies,
  type ResolvedGraph
} from './resolve.js'
import type { Plan, PlanAnalysis, Problem } from './types.js'
import { computeWaves } from './graph.js'

interface AnalyzeResult {
  /** Present only when the plan has no error. */
  analysis?: PlanAnalysis
  problems: Problem[]
}

export function analyzePlan(plan: Plan): AnalyzeResult {
  const resolved = resolveDependencies(plan)
  return analyzeGraph(plan, resolved)
}

/**
 * The graph half: waves, every cycle and the critical path of a plan whose
 * ids are already resolved. Keeps the problems `resolved` brings.
 */
export function analyzeGraph(
  plan: Plan,
  resolved: ResolvedGraph
): AnalyzeResult {
  const { phases } = plan
  const { depsOf, dependentsOf } = resolved
  const problems = [...resolved.problems]
  const report = problemReporter(plan.file, problems)

  const { waves, waveOf, order, releasedCount } = computeWaves(
    depsOf,
    dependentsOf
  )
  if (releasedCount < phases.length) {
    // Only phases Kahn could not release can be on a cycle.
    const onCycle = (node: number): boolean => waveOf[node] === -1
    for (const cycle of findCycles(dependentsOf, onCycle)) {
      const cycleIds = cycle.map(node => at(phases, node).id)
      const start = at(phases, numberAt(cycle, 0))
      const closing = at(phases, numberAt(cycle, cycle.length - 2)).id
      const where = at(start.depPositions, start.deps.indexOf(closing))
      report(
        'cycle',
        where,
        `Circular dependency detected: ${cycleIds.join(' -> ')}`,
        cycleIds
      )
    }
  }
  if (problems.length > 0) return { problems }

  let estimatedCount = 0
  let totalMinutes = 0
  for (const phase of phases) {
    if (phase.estimateMinutes !== undefined) {
      estimatedCount++
      totalMinutes += phase.estimateMinutes
    }
  }
  const critical = longestPath(
    order,
    depsOf,
    node => at(phases, node).estimateMinutes ?? 0
  )
  const analysis: PlanAnalysis = {
    plan,
    waves,
    waveOf: Array.from(waveOf),
    depsOf,
    dependentsOf,
    maxParallelism: waves.reduce((max, wave) => Math.max(max, wave.length), 0),
    criticalPath: {
      ids:
        estimatedCount === 0
          ? []
          : critical.nodes.map(node => at(phases, node).id),
      minutes: critical.weight
    },
    totalMinutes,
    estimatedCount
  }
  // Warnings only: a plan with them is still valid.
  problems.push(...doneWarnings(analysis))
  return { problems, analysis }
}
