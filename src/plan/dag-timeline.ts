// When each job of a `needs` graph starts and ends: a job starts the moment
// its last predecessor ends (GitHub starts a job as soon as its needs are
// resolved) and ends `cost` minutes later. A skipped or done phase costs 0:
// it resolves as soon as its own predecessors do. Kahn's algorithm over the
// given predecessor lists, iterative, O(V + E).
import { at, intAt, numberAt } from './at.js'

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
): Int32Array {
  const count = predsOf.length
  // Successors in one flat array (compressed rows): no array per node.
  const waiting = new Int32Array(count)
  const offsets = new Int32Array(count + 1)
  for (let node = 0; node < count; node++) {
    const preds = at(predsOf, node)
    waiting[node] = preds.length
    for (const pred of preds) offsets[pred + 1] = intAt(offsets, pred + 1) + 1
  }
  for (let node = 0; node < count; node++) {
    offsets[node + 1] = intAt(offsets, node + 1) + intAt(offsets, node)
  }
  const successors = new Int32Array(intAt(offsets, count))
  const filled = offsets.slice(0, count)
  for (let node = 0; node < count; node++) {
    for (const pred of at(predsOf, node)) {
      const slot = intAt(filled, pred)
      successors[slot] = node
      filled[pred] = slot + 1
    }
  }
  // `order` doubles as the queue: nodes before `head` are done.
  const order = new Int32Array(count)
  let tail = 0
  for (let node = 0; node < count; node++) {
    if (waiting[node] === 0) order[tail++] = node
  }
  for (let head = 0; head < tail; head++) {
    const node = intAt(order, head)
    const end = intAt(offsets, node + 1)
    for (let edge = intAt(offsets, node); edge < end; edge++) {
      const next = intAt(successors, edge)
      const stillWaiting = intAt(waiting, next) - 1
      waiting[next] = stillWaiting
      if (stillWaiting === 0) order[tail++] = next
    }
  }
  if (tail < count) {
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
    let queued = 0
    for (const pred of at(predsOf, node)) {
      queued = Math.max(queued, numberAt(finish, pred))
    }
    const ends = queued + cost(node)
    start[node] = queued
    finish[node] = ends
    end = Math.max(end, ends)
  }
  return { start, finish, end }
}
