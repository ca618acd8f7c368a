// The root of a node in a union-find forest kept as an array of parents
// (a root is its own parent), with path halving: each step on the way up
// points a node at its grandparent. Amortised O(α(n)) with union by any
// rule. Iterative.
import { intAt } from './at.js'

export function findRoot(parent: Int32Array, from: number): number {
  let node = from
  while (intAt(parent, node) !== node) {
    const up = intAt(parent, intAt(parent, node))
    parent[node] = up
    node = up
  }
  return node
}
