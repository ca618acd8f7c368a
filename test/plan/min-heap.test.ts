import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { MinHeap } from '../../src/plan/min-heap.js'

describe('MinHeap', () => {
  test('gives items back in the order of its comparison, ties broken by it too (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 200 }),
        fc.array(fc.boolean(), { maxLength: 200 }),
        (keys, pops) => {
          // Items are indices; the comparison reads their keys, index breaks ties.
          const heap = new MinHeap(
            (a, b) =>
              (keys[a] ?? 0) < (keys[b] ?? 0) || (keys[a] === keys[b] && a < b)
          )
          const reference: number[] = []
          const out: number[] = []
          const expected: number[] = []
          keys.forEach((_, item) => {
            heap.push(item)
            reference.push(item)
            if (pops[item] === true) {
              reference.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b)
              expected.push(reference.shift() ?? -1)
              out.push(heap.take())
            }
          })
          reference.sort((a, b) => (keys[a] ?? 0) - (keys[b] ?? 0) || a - b)
          expected.push(...reference)
          expect(heap.size).toBe(reference.length)
          for (let item = heap.pop(); item !== undefined; item = heap.pop())
            out.push(item)
          expect(out).toEqual(expected)
        }
      )
    )
  })

  test('pop on an empty heap is undefined; take throws (a bug in the caller)', () => {
    const heap = new MinHeap((a, b) => a < b)
    expect(heap.pop()).toBeUndefined()
    expect(heap.peek()).toBeUndefined()
    expect(() => heap.take()).toThrow(RangeError)
    heap.push(3)
    expect(heap.peek()).toBe(3)
    expect(heap.take()).toBe(3)
    expect(heap.size).toBe(0)
  })
})
