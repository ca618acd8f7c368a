// Builds a Plan in memory, as the loader would, for tests of pure logic.
import { isDoneStatus } from '../../src/plan/load.js'
import type { Phase, Plan } from '../../src/plan/types.js'

export interface PhaseSpec {
  id: string
  deps?: string[]
  description?: string
  run?: string
  estimateMinutes?: number
  status?: string
  inputs?: string[]
}

export function makePlan(specs: PhaseSpec[], file = 'plan.yaml'): Plan {
  // The optional fields of a spec are Phase fields of the same name: only
  // those written are spread in, as the loader sets only what it read.
  const phases: Phase[] = specs.map(({ deps = [], ...written }, index) => ({
    ...written,
    deps,
    index,
    position: { line: index * 3 + 2, column: 5 },
    depPositions: deps.map((_, d) => ({
      line: index * 3 + 3,
      column: 12 + d * 4
    })),
    done: isDoneStatus(written.status)
  }))
  return { file, phases }
}

/** Random plans as fast-check values: node i may depend on any node (dag: only on j < i). */
export function specsFromEdges(
  count: number,
  edges: [number, number][]
): PhaseSpec[] {
  const deps: string[][] = Array.from({ length: count }, () => [])
  for (const [from, to] of edges) {
    const name = `p${from}`
    if (!(deps[to] as string[]).includes(name))
      (deps[to] as string[]).push(name)
  }
  return deps.map((d, i) => ({ id: `p${i}`, deps: d }))
}
