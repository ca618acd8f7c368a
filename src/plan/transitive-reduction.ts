// The transitive reduction of a DAG's predecessor lists: a predecessor is
// dropped when another predecessor of the node already depends on it,
// directly or not. For `needs:` this changes nothing GitHub does: a job
// still waits for every job it needed (through the one kept) and is still
// skipped when any of them fails (a failure skips the kept one first).
// Ancestor sets as bit sets, nodes in topological order, each node's
// predecessors from the latest in that order down. Iterative.
// O(V · (V + E) / 32) time, O(V² / 32) memory.
import { at, intAt } from './at.js'
import { topologicalOrder } from './dag-timeline.js'

/** Each node's predecessors without the redundant ones, in the given order. */
export function transitiveReduction(
  predsOf: readonly (readonly number[])[]
): number[][] {
  const count = predsOf.length
  const words = (count + 31) >>> 5
  const ancestors = new Int32Array(count * words)
  const order = topologicalOrder(predsOf)
  const rank = new Int32Array(count)
  order.forEach((node, k) => {
    rank[node] = k
  })
  const has = (node: number, bit: number): boolean =>
    ((intAt(ancestors, node * words + (bit >>> 5)) >>> (bit & 31)) & 1) === 1
  const reduced: number[][] = predsOf.map(() => [])
  for (const node of order) {
    const row = node * words
    const preds = [...new Set(at(predsOf, node))].sort(
      (a, b) => intAt(rank, b) - intAt(rank, a)
    )
    const kept = new Set<number>()
    for (const pred of preds) {
      // Latest first: a redundant one is an ancestor of one seen already.
      if (has(node, pred)) continue
      kept.add(pred)
      const from = pred * words
      for (let w = 0; w < words; w++) {
        ancestors[row + w] =
          intAt(ancestors, row + w) | intAt(ancestors, from + w)
      }
      ancestors[row + (pred >>> 5)] =
        intAt(ancestors, row + (pred >>> 5)) | (1 << (pred & 31))
    }
    // In the given order, each once.
    reduced[node] = at(predsOf, node).filter(pred => kept.delete(pred))
  }
  return reduced
}
