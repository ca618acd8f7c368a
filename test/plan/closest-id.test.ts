import { describe, expect, test } from '@jest/globals'
import { closestMatch, editDistance } from '../../src/plan/closest-id.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { parsePlan } from '../../src/plan/load.js'

function messages(text: string): string[] {
  const { plan, problems } = parsePlan(text, 'p.yaml')
  return [...problems, ...analyzePlan(plan!).problems].map(p => p.message)
}

describe('did you mean', () => {
  test('swapped neighbours are one edit', () => {
    expect(editDistance('biuld', 'build', 9)).toBe(1)
    expect(editDistance('tset', 'test', 9)).toBe(1)
    expect(editDistance('ca', 'abc', 9)).toBe(3)
    expect(closestMatch('biuld', ['lint', 'build'])).toBe('build')
    expect(closestMatch('tset', ['test', 'docs'])).toBe('test')
  })

  test('a swapped dependency id is found', () => {
    expect(
      messages('phases:\n  - id: build\n  - id: test\n    deps: [biuld]\n')
    ).toContain(
      'Phase `test` depends on unknown phase `biuld`; did you mean `build`?'
    )
  })

  test('a phase is never suggested to itself, nor an id that shares nothing', () => {
    expect(messages('phases:\n  - id: a\n    deps: [b]\n')).toEqual([
      'Phase `a` depends on unknown phase `b`'
    ])
    expect(closestMatch('b', ['a', 'c'])).toBeUndefined()
    expect(closestMatch('ab', ['ba'])).toBe('ba')
  })
})
