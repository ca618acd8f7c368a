import { describe, expect, test } from '@jest/globals'
import { at, floatAt, intAt, numberAt } from '../../src/plan/at.js'

describe('checked reads', () => {
  test('read an index in range, from each kind of array', () => {
    expect(at(['a', 'b'], 1)).toBe('b')
    expect(at([[1], [2, 3]], 1)).toEqual([2, 3])
    expect(numberAt([4, 0.5], 1)).toBe(0.5)
    expect(intAt(new Int32Array([7, -1]), 1)).toBe(-1)
    expect(floatAt(new Float64Array([0, 2.5]), 1)).toBe(2.5)
  })

  test('throw on an index out of range instead of yielding undefined', () => {
    expect(() => at(['a'], 1)).toThrow(RangeError)
    expect(() => numberAt([1, 2], 2)).toThrow(RangeError)
    expect(() => intAt(new Int32Array(2), 2)).toThrow(/outside 0\.\.1/)
    expect(() => floatAt(new Float64Array(1), -1)).toThrow(/outside 0\.\.0/)
  })
})
