// The plan as a graph, one algorithm a section, each with its cost: the
// waves (Kahn), every cycle (Tarjan) and the critical path (what a failure
// costs is skips.ts).
import { at, intAt, numberAt, floatAt } from './at.js'

// Kahn's algorithm, by levels: wave 1 holds the phases with no dependencies,
// wave k+1 the phases whose dependencies all sit in waves 1..k. Iterative,
// O(V + E) time and O(V) extra space, so a 100,000-phase chain is fine.

interface WaveResult {
  /** Waves of node indices, each in ascending index (plan) order. */
  waves: number[][]
  /** 0-based wave of each node; -1 for nodes on or behind a cycle. */
  waveOf: Int32Array
  /** Nodes in the order Kahn's algorithm released them (a topological order). */
  order: Int32Array
  /** How many nodes were released; fewer than the node count means a cycle. */
  releasedCount: number
}

/**
 * @param depsOf for each node, the nodes it depends on (no duplicates)
 * @param dependentsOf for each node, the nodes that depend on it
 */
export function computeWaves(
  depsOf: readonly (readonly number[])[],
  dependentsOf: readonly (readonly number[])[]
): WaveResult {
  const count = depsOf.length
  const waiting = new Int32Array(count)
  // Deepest wave seen so far among a node's released dependencies, + 1.
  const earliestWave = new Int32Array(count)
  const waveOf = new Int32Array(count).fill(-1)
  const order = new Int32Array(count)
  let tail = 0
  for (let node = 0; node < count; node++) {
    const depCount = at(depsOf, node).length
    waiting[node] = depCount
    if (depCount === 0) order[tail++] = node
  }
  // `order` doubles as the queue: nodes before `head` are done.
  for (let head = 0; head < tail; head++) {
    const node = intAt(order, head)
    const wave = intAt(earliestWave, node)
    waveOf[node] = wave
    for (const dependent of at(dependentsOf, node)) {
      if (wave + 1 > intAt(earliestWave, dependent)) {
        earliestWave[dependent] = wave + 1
      }
      const stillWaiting = intAt(waiting, dependent) - 1
      waiting[dependent] = stillWaiting
      if (stillWaiting === 0) order[tail++] = dependent
    }
  }
  // Counting pass, then fill in index order: each wave comes out in plan order
  // without sorting.
  let waveCount = 0
  for (let node = 0; node < count; node++) {
    const wave = intAt(waveOf, node)
    if (wave + 1 > waveCount) waveCount = wave + 1
  }
  const waves: number[][] = []
  for (let wave = 0; wave < waveCount; wave++) waves.push([])
  for (let node = 0; node < count; node++) {
    const wave = intAt(waveOf, node)
    if (wave >= 0) at(waves, wave).push(node)
  }
  return { waves, waveOf, order, releasedCount: tail }
}

// Every cycle, one concrete path per strongly connected component.
// Tarjan's algorithm with an explicit stack (no recursion), then a
// breadth-first search inside each component from its first node in plan
// order. O(V + E) time, O(V) extra space.

/**
 * Cycles as node paths along `edges`: `[a, b, c, a]` means edges a→b, b→c,
 * c→a. Each starts at the lowest index of its component; the list is sorted
 * by that index. Self-loops are not reported (callers report them apart).
 *
 * @param edges for each node, the nodes it points to
 * @param include optional filter: only these nodes take part
 */
export function findCycles(
  edges: readonly (readonly number[])[],
  include?: (node: number) => boolean
): number[][] {
  const components = stronglyConnectedComponents(edges, include)
  const cycles: number[][] = []
  for (const members of components) {
    if (members.length < 2) continue
    cycles.push(shortestCycleThrough(edges, members))
  }
  cycles.sort((a, b) => numberAt(a, 0) - numberAt(b, 0))
  return cycles
}

/** Tarjan's strongly connected components, iterative. */
function stronglyConnectedComponents(
  edges: readonly (readonly number[])[],
  include?: (node: number) => boolean
): number[][] {
  const count = edges.length
  const visitIndex = new Int32Array(count).fill(-1)
  const lowLink = new Int32Array(count)
  const onStack = new Uint8Array(count)
  const componentStack = new Int32Array(count)
  let componentTop = 0
  // The simulated call stack: a node and the next edge to look at.
  const frameNode = new Int32Array(count)
  const frameEdge = new Int32Array(count)
  let frameTop = 0
  let counter = 0
  const components: number[][] = []

  const enter = (node: number): void => {
    visitIndex[node] = counter
    lowLink[node] = counter
    counter++
    componentStack[componentTop++] = node
    onStack[node] = 1
    frameNode[frameTop] = node
    frameEdge[frameTop] = 0
    frameTop++
  }

  for (let start = 0; start < count; start++) {
    if (visitIndex[start] !== -1 || (include && !include(start))) continue
    enter(start)
    while (frameTop > 0) {
      const node = intAt(frameNode, frameTop - 1)
      const out = at(edges, node)
      const edge = intAt(frameEdge, frameTop - 1)
      if (edge < out.length) {
        frameEdge[frameTop - 1] = edge + 1
        const next = numberAt(out, edge)
        if (include && !include(next)) continue
        if (visitIndex[next] === -1) enter(next)
        else if (onStack[next] === 1) {
          lowLink[node] = Math.min(
            intAt(lowLink, node),
            intAt(visitIndex, next)
          )
        }
        continue
      }
      frameTop--
      if (frameTop > 0) {
        const parent = intAt(frameNode, frameTop - 1)
        lowLink[parent] = Math.min(intAt(lowLink, parent), intAt(lowLink, node))
      }
      if (lowLink[node] === visitIndex[node]) {
        const members: number[] = []
        let member: number
        do {
          member = intAt(componentStack, --componentTop)
          onStack[member] = 0
          members.push(member)
        } while (member !== node)
        components.push(members)
      }
    }
  }
  return components
}

/** The shortest cycle through the component's lowest-index node (BFS). */
function shortestCycleThrough(
  edges: readonly (readonly number[])[],
  members: readonly number[]
): number[] {
  const inComponent = new Set(members)
  let start = numberAt(members, 0)
  for (const member of members) if (member < start) start = member
  const parent = new Map<number, number>([[start, -1]])
  const queue = [start]
  for (let head = 0; head < queue.length; head++) {
    const node = numberAt(queue, head)
    for (const next of at(edges, node)) {
      if (next === start) {
        const path = [start]
        for (
          let step = node;
          step !== start;
          step = parent.get(step) ?? start
        ) {
          path.push(step)
        }
        path.push(start)
        // Built backwards from the closing edge: put it in edge order.
        return [start, ...path.slice(1, -1).reverse(), start]
      }
      if (!inComponent.has(next) || parent.has(next)) continue
      parent.set(next, node)
      queue.push(next)
    }
  }
  // A component of two or more nodes always has a cycle through each node.
  throw new Error(`no cycle through node ${start} in its component`)
}

// The longest chain of dependent phases by estimated minutes: the least time
// any schedule needs, however many runners. Dynamic programming over a
// topological order, O(V + E).

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
