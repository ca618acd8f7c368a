// A binary min-heap of numbers ordered by a caller's comparison, for the
// event-driven schedules (lanes, matrix legs). push and pop O(log n), peek O(1).

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
    items.push(item)
    let at = items.length - 1
    while (at > 0) {
      const parent = (at - 1) >> 1
      if (!this.before(item, items[parent] as number)) break
      items[at] = items[parent] as number
      at = parent
    }
    items[at] = item
  }

  pop(): number | undefined {
    const items = this.items
    const top = items[0]
    const last = items.pop()
    if (top === undefined || last === undefined || items.length === 0) {
      return top
    }
    let at = 0
    for (;;) {
      const left = 2 * at + 1
      if (left >= items.length) break
      const right = left + 1
      const child =
        right < items.length &&
        this.before(items[right] as number, items[left] as number)
          ? right
          : left
      if (!this.before(items[child] as number, last)) break
      items[at] = items[child] as number
      at = child
    }
    items[at] = last
    return top
  }
}
