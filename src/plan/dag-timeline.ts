// When each job of a `needs` graph starts and ends: a job starts the moment
// its last predecessor ends (GitHub starts a job as soon as its needs are
// resolved) and ends `cost` minutes later. A skipped or done phase costs 0:
// it resolves as soon as its own predecessors do. Kahn's algorithm over the
// given predecessor lists, iterative, O(V + E).

export interface Timeline {
  /** Minute each node's job is queued (its predecessors all ended). */
  start: number[]
  /** Minute each node's job ends. */
  finish: number[]
  /** Latest finish, 0 for no nodes. */
  end: number
}

/** A topological order of the nodes (predecessors first); throws on a cycle. */
export function topologicalOrder(
  predsOf: readonly (readonly number[])[]
): number[] {
  const count = predsOf.length
  // Successors in one flat array (compressed rows): no array per node.
  const waiting = new Int32Array(count)
  const offsets = new Int32Array(count + 1)
  for (let node = 0; node < count; node++) {
    const preds = predsOf[node] ?? []
    waiting[node] = preds.length
    for (const pred of preds)
      offsets[pred + 1] = (offsets[pred + 1] as number) + 1
  }
  for (let node = 0; node < count; node++) {
    offsets[node + 1] =
      (offsets[node + 1] as number) + (offsets[node] as number)
  }
  const successors = new Int32Array(offsets[count] as number)
  const filled = offsets.slice(0, count)
  for (let node = 0; node < count; node++) {
    for (const pred of predsOf[node] ?? []) {
      successors[filled[pred] as number] = node
      filled[pred] = (filled[pred] as number) + 1
    }
  }
  const order: number[] = []
  for (let node = 0; node < count; node++) {
    if (waiting[node] === 0) order.push(node)
  }
  for (let head = 0; head < order.length; head++) {
    const node = order[head] as number
    const end = offsets[node + 1] as number
    for (let at = offsets[node] as number; at < end; at++) {
      const next = successors[at] as number
      waiting[next] = (waiting[next] as number) - 1
      if (waiting[next] === 0) order.push(next)
    }
  }
  if (order.length < count) {
    throw new Error('dag-timeline: the predecessor lists have a cycle')
  }
  return order
}

/**
 * @param predsOf each node's predecessors (dependencies, plus a lane's
 *   previous job for lanes)
 * @param cost minutes from a node's start to its end (job start included)
 */
export function dagTimeline(
  predsOf: readonly (readonly number[])[],
  cost: (node: number) => number
): Timeline {
  const count = predsOf.length
  const start = new Array<number>(count).fill(0)
  const finish = new Array<number>(count).fill(0)
  let end = 0
  for (const node of topologicalOrder(predsOf)) {
    let at = 0
    for (const pred of predsOf[node] ?? []) {
      at = Math.max(at, finish[pred] as number)
    }
    start[node] = at
    finish[node] = at + cost(node)
    end = Math.max(end, finish[node])
  }
  return { start, finish, end }
}
