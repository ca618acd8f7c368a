import { describe, expect, test } from '@jest/globals'
import { at } from '../../src/plan/at.js'

describe('at', () => {
  test('reads an index in range, also from typed arrays', () => {
    expect(at(['a', 'b'], 1)).toBe('b')
    expect(at(new Int32Array([7, -1]), 1)).toBe(-1)
  })

  test('throws on an index out of range instead of yielding undefined', () => {
    expect(() => at([1, 2], 2)).toThrow(RangeError)
    expect(() => at(new Float64Array(1), -1)).toThrow(/outside 0\.\.0/)
  })
})
