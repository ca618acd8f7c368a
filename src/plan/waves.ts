// Kahn's algorithm, by levels: wave 1 holds the phases with no dependencies,
// wave k+1 the phases whose dependencies all sit in waves 1..k. Iterative,
// O(V + E) time and O(V) extra space, so a 100,000-phase chain is fine.
import { at, intAt } from './at.js'

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
