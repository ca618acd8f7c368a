// What a failure costs: the failed phases and every transitive dependent,
// which is skipped. Failure passes through a done phase (its dependents are
// still skipped) but a done phase itself stays succeeded. Iterative
// breadth-first search, O(V + E).
import { numberAt } from './at.js'

interface FailureClosure {
  /** Plan indices of the failed phases, ascending. */
  failed: number[]
  /** Plan indices of the skipped phases, ascending. */
  skipped: number[]
  /** Per phase: 'failed', 'skipped' or undefined (runs). */
  outcome: ('failed' | 'skipped' | undefined)[]
}

export function failureClosure(
  failedIndices: Iterable<number>,
  dependentsOf: readonly (readonly number[])[],
  done: readonly boolean[]
): FailureClosure {
  const count = dependentsOf.length
  const outcome: ('failed' | 'skipped' | undefined)[] = new Array<
    'failed' | 'skipped' | undefined
  >(count).fill(undefined)
  const reached = new Uint8Array(count)
  const queue: number[] = []
  for (const index of failedIndices) {
    if (reached[index] === 1) continue
    reached[index] = 1
    outcome[index] = 'failed'
    queue.push(index)
  }
  for (let head = 0; head < queue.length; head++) {
    for (const dependent of dependentsOf[numberAt(queue, head)] ?? []) {
      if (reached[dependent] === 1) continue
      reached[dependent] = 1
      if (done[dependent] !== true) outcome[dependent] = 'skipped'
      queue.push(dependent)
    }
  }
  const failed: number[] = []
  const skipped: number[] = []
  outcome.forEach((value, index) => {
    if (value === 'failed') failed.push(index)
    else if (value === 'skipped') skipped.push(index)
  })
  return { failed, skipped, outcome }
}
