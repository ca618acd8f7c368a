// Every cycle, one concrete path per strongly connected component.
// Tarjan's algorithm with an explicit stack (no recursion), then a
// breadth-first search inside each component from its first node in plan
// order. O(V + E) time, O(V) extra space.
import { at, intAt, numberAt } from './at.js'

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
