// From a loaded plan to its graph: ids resolved, every problem found (not
// just the first), waves, cycles and the critical path. O(V + E) apart from
// "did you mean" suggestions for unknown ids.
import { longestPath } from './critical-path.js'
import { findCycles } from './cycles.js'
import { closestMatch } from './closest-id.js'
import type {
  Phase,
  Plan,
  PlanAnalysis,
  Problem,
  ProblemCode,
  SourcePosition
} from './types.js'
import { computeWaves } from './waves.js'

export interface AnalyzeResult {
  /** Present only when the plan has no error. */
  analysis?: PlanAnalysis
  problems: Problem[]
}

/** Unknown ids get a suggestion only up to this many (suggesting is O(V)). */
const MAX_SUGGESTIONS = 50

export function analyzePlan(plan: Plan): AnalyzeResult {
  const { phases, file } = plan
  const problems: Problem[] = []
  const report = (
    code: ProblemCode,
    at: SourcePosition,
    message: string,
    cycle?: string[]
  ): void => {
    const problem: Problem = {
      code,
      severity: 'error',
      message,
      file,
      line: at.line,
      column: at.column
    }
    if (cycle) problem.cycle = cycle
    problems.push(problem)
  }

  const indexOf = indexIds(phases, report)
  const ids = [...indexOf.keys()]
  let suggestionsLeft = MAX_SUGGESTIONS

  const depsOf: number[][] = []
  const dependentsOf: number[][] = phases.map(() => [])
  for (const phase of phases) {
    const deps: number[] = []
    phase.deps.forEach((depId, position) => {
      const at = phase.depPositions[position] ?? phase.position
      const dep = indexOf.get(depId)
      if (depId === phase.id) {
        report('self-dependency', at, `Phase \`${phase.id}\` depends on itself`)
      } else if (dep === undefined) {
        let message = `Phase \`${phase.id}\` depends on unknown phase \`${depId}\``
        if (suggestionsLeft > 0) {
          suggestionsLeft--
          const guess = closestMatch(depId, ids)
          if (guess !== undefined) message += `; did you mean \`${guess}\`?`
        }
        report('unknown-dependency', at, message)
      } else if (!deps.includes(dep)) {
        deps.push(dep)
        ;(dependentsOf[dep] as number[]).push(phase.index)
      }
    })
    depsOf.push(deps)
  }

  const { waves, waveOf, order, releasedCount } = computeWaves(
    depsOf,
    dependentsOf
  )
  if (releasedCount < phases.length) {
    // Only phases Kahn could not release can be on a cycle.
    const onCycle = (node: number): boolean => waveOf[node] === -1
    for (const cycle of findCycles(dependentsOf, onCycle)) {
      const cycleIds = cycle.map(node => (phases[node] as Phase).id)
      const start = phases[cycle[0] as number] as Phase
      const closing = (phases[cycle[cycle.length - 2] as number] as Phase).id
      const at =
        start.depPositions[start.deps.indexOf(closing)] ?? start.position
      report(
        'cycle',
        at,
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
    node => (phases[node] as Phase).estimateMinutes ?? 0
  )
  return {
    problems,
    analysis: {
      plan,
      waves,
      waveOf: Array.from(waveOf),
      depsOf,
      dependentsOf,
      maxParallelism: waves.reduce(
        (max, wave) => Math.max(max, wave.length),
        0
      ),
      criticalPath: {
        ids:
          estimatedCount === 0
            ? []
            : critical.nodes.map(node => (phases[node] as Phase).id),
        minutes: critical.weight
      },
      totalMinutes,
      estimatedCount
    }
  }
}

/**
 * Id → first index. Reports exact duplicates and ids equal but for case
 * (GitHub job ids are case-insensitive).
 */
function indexIds(
  phases: readonly Phase[],
  report: (code: ProblemCode, at: SourcePosition, message: string) => void
): Map<string, number> {
  const indexOf = new Map<string, number>()
  const byFoldedId = new Map<string, Phase>()
  for (const phase of phases) {
    const first = indexOf.get(phase.id)
    if (first !== undefined) {
      const line = (phases[first] as Phase).position.line
      report(
        'duplicate-id',
        phase.position,
        `Duplicate phase id \`${phase.id}\`: already defined at line ${line}`
      )
      continue
    }
    indexOf.set(phase.id, phase.index)
    const folded = phase.id.toLowerCase()
    const sameButCase = byFoldedId.get(folded)
    if (sameButCase) {
      report(
        'duplicate-id',
        phase.position,
        `Phase id \`${phase.id}\` differs from \`${sameButCase.id}\` (line ${sameButCase.position.line}) only in case; GitHub job ids are case-insensitive`
      )
    } else {
      byFoldedId.set(folded, phase)
    }
  }
  return indexOf
}
