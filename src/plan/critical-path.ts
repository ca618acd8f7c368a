// The longest chain of dependent phases by estimated minutes: the least time
// any schedule needs, however many runners. Dynamic programming over a
// topological order, O(V + E).
import { at, floatAt, intAt } from './at.js'

interface WeightedPath {
  /** Node indices in execution order. */
  nodes: number[]
  weight: number
}

/**
 * @param order a topological order of all nodes (dependencies first)
 * @param depsOf for each node, the nodes it depends on
 * @param weightOf each node's own weight (0 when unknown)
 */
export function longestPath(
  order: Iterable<number>,
  depsOf: readonly (readonly number[])[],
  weightOf: (node: number) => number
): WeightedPath {
  const count = depsOf.length
  if (count === 0) return { nodes: [], weight: 0 }
  const finish = new Float64Array(count)
  const previous = new Int32Array(count).fill(-1)
  let last = -1
  for (const node of order) {
    let start = 0
    for (const dep of at(depsOf, node)) {
      // Ties go to the dependency written first.
      if (previous[node] === -1 || floatAt(finish, dep) > start) {
        start = floatAt(finish, dep)
        previous[node] = dep
      }
    }
    finish[node] = start + weightOf(node)
    if (last === -1 || floatAt(finish, node) > floatAt(finish, last)) {
      last = node
    }
  }
  const nodes: number[] = []
  for (let step = last; step !== -1; step = intAt(previous, step))
    nodes.push(step)
  nodes.reverse()
  return { nodes, weight: last === -1 ? 0 : floatAt(finish, last) }
}
