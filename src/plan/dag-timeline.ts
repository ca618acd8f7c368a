// When each job of a `needs` graph starts and ends: a job starts the moment
// its last predecessor ends (GitHub starts a job as soon as its needs are
// resolved) and ends `cost` minutes later. A skipped or done phase costs 0:
// it resolves as soon as its own predecessors do. Kahn's algorithm over the
// given predecessor lists, iterative, O(V + E).
import { at, floatAt, intAt, numberAt } from './at.js'
import { MinHeap } from './min-heap.js'

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

// Worker lanes: list scheduling of the phase jobs onto N lanes by
// critical-path priority. Whenever a lane is free and phases are ready (all
// dependencies ended), the ready phase with the longest remaining path to the
// end of the plan (its own minutes and job start included) starts on a free
// lane: the one a dependency of it just ended on, else the lowest; ties go to
// plan order. A done phase takes no lane and ends
// the moment its dependencies do. Each lane is a chain of jobs, so chaining
// every job to the previous job of its lane (in the generated workflow) keeps
// at most N jobs running for any real durations. Event-driven with binary
// heaps, O((V + E) log V).

interface LaneInput {
  depsOf: readonly (readonly number[])[]
  dependentsOf: readonly (readonly number[])[]
  /** Minutes of each phase's own work. */
  minutes: readonly number[]
  /** Done phases: no job, no lane. */
  done: readonly boolean[]
  /** How many lanes, at least 1. */
  lanes: number
  /** Minutes a job waits for its runner before its work starts. */
  jobStart: number
}

export interface LaneSchedule {
  /** Lane (0-based) of each phase; -1 for a done phase. */
  laneOf: number[]
  /** The job before each phase on its lane; -1 for the first (and done). */
  lanePrevious: number[]
  /** Phases of each lane in the order they run. */
  lanes: number[][]
  /** Planned start and end of each phase (done: when its deps end). */
  start: Float64Array
  finish: Float64Array
  /** Longest remaining path from each phase, its own cost included. */
  priority: Float64Array
}

export function listSchedule(input: LaneInput): LaneSchedule {
  const { depsOf, dependentsOf, minutes, done, jobStart } = input
  if (!Number.isInteger(input.lanes) || input.lanes < 1) {
    throw new RangeError(
      `Invalid lane count ${input.lanes}. Expected a whole number of 1 or more.`
    )
  }
  const count = depsOf.length
  const cost = (node: number): number =>
    done[node] === true ? 0 : jobStart + numberAt(minutes, node)

  // Bottom levels, dependents first.
  const priority = new Float64Array(count)
  const order = topologicalOrder(depsOf)
  for (let k = order.length - 1; k >= 0; k--) {
    const node = intAt(order, k)
    let below = 0
    for (const dependent of at(dependentsOf, node)) {
      below = Math.max(below, floatAt(priority, dependent))
    }
    priority[node] = cost(node) + below
  }

  // Typed arrays: the heaps read them in their hot comparisons.
  const laneOf = new Int32Array(count).fill(-1)
  const lanePrevious = new Array<number>(count).fill(-1)
  const start = new Float64Array(count)
  const finish = new Float64Array(count)
  const lanes: number[][] = Array.from({ length: input.lanes }, () => [])
  const waiting = new Int32Array(count)
  const ready = new MinHeap((a, b) => {
    const first = floatAt(priority, a)
    const second = floatAt(priority, b)
    return first > second || (first === second && a < b)
  })
  const running = new MinHeap((a, b) => {
    const first = floatAt(finish, a)
    const second = floatAt(finish, b)
    return first < second || (first === second && a < b)
  })
  // Free lanes: a heap with lazy deletion (a lane taken out of turn stays
  // in it until popped) and a flag per lane.
  const freeLanes = new MinHeap((a, b) => a < b)
  const laneFree = new Uint8Array(input.lanes).fill(1)
  let freeCount = input.lanes
  for (let lane = 0; lane < input.lanes; lane++) freeLanes.push(lane)
  // A free lane whose last job is a dependency of `node` costs no extra
  // wait in the workflow (that need is already there); else the lowest free
  // lane. O(deps + log lanes) amortised.
  const pickLane = (node: number): number => {
    for (const dep of at(depsOf, node)) {
      const lane = intAt(laneOf, dep)
      if (lane >= 0 && laneFree[lane] === 1 && lanes[lane]?.at(-1) === dep) {
        return lane
      }
    }
    for (;;) {
      const lane = freeLanes.take()
      if (laneFree[lane] === 1) return lane
    }
  }

  // A phase whose dependencies all ended at `now`: ready, or (done) ended.
  const stack: number[] = []
  const release = (node: number, now: number): void => {
    stack.push(node)
    for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
      if (done[next] !== true) {
        ready.push(next)
        continue
      }
      start[next] = now
      finish[next] = now
      for (const dependent of at(dependentsOf, next)) {
        const stillWaiting = intAt(waiting, dependent) - 1
        waiting[dependent] = stillWaiting
        if (stillWaiting === 0) stack.push(dependent)
      }
    }
  }
  for (let node = 0; node < count; node++) {
    waiting[node] = at(depsOf, node).length
  }
  // Roots first: releasing a done root may make later nodes ready.
  const roots: number[] = []
  for (let node = 0; node < count; node++) {
    if (waiting[node] === 0) roots.push(node)
  }
  for (const root of roots) release(root, 0)

  let now = 0
  for (;;) {
    while (ready.size > 0 && freeCount > 0) {
      const node = ready.take()
      const lane = pickLane(node)
      laneFree[lane] = 0
      freeCount--
      const jobs = at(lanes, lane)
      laneOf[node] = lane
      lanePrevious[node] = jobs.at(-1) ?? -1
      jobs.push(node)
      start[node] = now
      finish[node] = now + cost(node)
      running.push(node)
    }
    const first = running.pop()
    if (first === undefined) break
    now = floatAt(finish, first)
    const ended = [first]
    for (
      let next = running.peek();
      next !== undefined && finish[next] === now;
      next = running.peek()
    ) {
      ended.push(running.take())
    }
    for (const node of ended) {
      const lane = intAt(laneOf, node)
      laneFree[lane] = 1
      freeCount++
      freeLanes.push(lane)
      for (const dependent of at(dependentsOf, node)) {
        const stillWaiting = intAt(waiting, dependent) - 1
        waiting[dependent] = stillWaiting
        if (stillWaiting === 0) release(dependent, now)
      }
    }
  }
  return {
    laneOf: plainArray(laneOf),
    lanePrevious,
    lanes,
    start,
    finish,
    priority
  }
}

/** A plain copy (Array.from walks the iterator: several times slower). */
function plainArray(values: Int32Array): number[] {
  const copy: number[] = []
  for (let index = 0; index < values.length; index++) {
    copy.push(intAt(values, index))
  }
  return copy
}
