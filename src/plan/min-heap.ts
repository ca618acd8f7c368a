// A binary min-heap of numbers ordered by a caller's comparison, for the
// event-driven schedules (lanes, matrix legs). push, pop and take
// O(log n), peek O(1).

/** Kept out of the methods, so that they stay small enough to inline. */
function emptySlot(index: number): RangeError {
  return new RangeError(`heap slot ${index} is empty: a bug in phase-matrix`)
}

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
      const above = items[parent]
      if (above === undefined) throw emptySlot(parent)
      if (!this.before(item, above)) break
      items[hole] = above
      hole = parent
    }
    items[hole] = item
  }

  /** The first item, taken out; undefined when the heap is empty. */
  pop(): number | undefined {
    return this.items.length === 0 ? undefined : this.take()
  }

  /** The first item, taken out, where the caller knows there is one; throws (a bug) on an empty heap. */
  take(): number {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined) throw emptySlot(0)
    const size = items.length
    if (size === 0) return top
    let hole = 0
    for (;;) {
      const left = 2 * hole + 1
      if (left >= size) break
      const right = left + 1
      let child = left
      let first = items[left]
      if (first === undefined) throw emptySlot(left)
      if (right < size) {
        const other = items[right]
        if (other === undefined) throw emptySlot(right)
        if (this.before(other, first)) {
          child = right
          first = other
        }
      }
      if (!this.before(first, last)) break
      items[hole] = first
      hole = child
    }
    items[hole] = last
    return top
  }
}
