// A binary min-heap of numbers ordered by a caller's comparison, for the
// event-driven schedules (lanes, matrix legs). push, pop and take
// O(log n), peek O(1).

export class MinHeap {
  private readonly items: number[] = []

  /** @param before true when `a` must come out before `b` */
  constructor(private readonly before: (a: number, b: number) => boolean) {}

  get size(): number {
    return this.items.length
  }

  peek(): number | undefined {
    return this.items[0]
  }

  push(item: number): void {
    const items = this.items
    let hole = items.length
    items.push(item)
    while (hole > 0) {
      const parent = (hole - 1) >> 1
      const above = this.itemAt(parent)
      if (!this.before(item, above)) break
      items[hole] = above
      hole = parent
    }
    items[hole] = item
  }

  /** The first item, taken out; undefined when the heap is empty. */
  pop(): number | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) {
      return top
    }
    const size = items.length
    let hole = 0
    for (;;) {
      const left = 2 * hole + 1
      if (left >= size) break
      let child = left
      let first = this.itemAt(left)
      if (left + 1 < size) {
        const right = this.itemAt(left + 1)
        if (this.before(right, first)) {
          child = left + 1
          first = right
        }
      }
      if (!this.before(first, last)) break
      items[hole] = first
      hole = child
    }
    items[hole] = last
    return top
  }

  /**
   * A checked read of its own (not at.ts's numberAt): one inline cache that
   * only ever sees the heap's arrays stays fast in the hot loops.
   */
  private itemAt(index: number): number {
    const item = this.items[index]
    if (item === undefined) {
      throw new RangeError(`heap slot ${index} is empty: a bug in phase-matrix`)
    }
    return item
  }

  /** pop() where the caller knows the heap is not empty; throws (a bug) when it is. */
  take(): number {
    const top = this.pop()
    if (top === undefined) {
      throw new RangeError('take() on an empty heap: a bug in phase-matrix')
    }
    return top
  }
}
