// The longest chain of dependent phases by estimated minutes: the least time
// any schedule needs, however many runners. Dynamic programming over a
// topological order, O(V + E).

export interface WeightedPath {
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
  order: ArrayLike<number>,
  depsOf: readonly (readonly number[])[],
  weightOf: (node: number) => number
): WeightedPath {
  const count = depsOf.length
  if (count === 0) return { nodes: [], weight: 0 }
  const finish = new Float64Array(count)
  const previous = new Int32Array(count).fill(-1)
  let last = -1
  for (let position = 0; position < order.length; position++) {
    const node = order[position] as number
    let start = 0
    for (const dep of depsOf[node] as readonly number[]) {
      // Ties go to the dependency written first.
      if (previous[node] === -1 || (finish[dep] as number) > start) {
        start = finish[dep] as number
        previous[node] = dep
      }
    }
    finish[node] = start + weightOf(node)
    if (last === -1 || finish[node] > (finish[last] as number)) {
      last = node
    }
  }
  const nodes: number[] = []
  for (let at = last; at !== -1; at = previous[at] as number) nodes.push(at)
  nodes.reverse()
  return { nodes, weight: last === -1 ? 0 : (finish[last] as number) }
}
