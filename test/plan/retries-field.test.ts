import { describe, expect, test } from '@jest/globals'

import { parseConfig, resolveSettings } from '../../src/plan/config.js'
import { parsePlan } from '../../src/plan/load.js'
import type { Problem } from '../../src/plan/types.js'

const said = (p: Problem): string =>
  `${p.file}:${p.line}:${p.column} ${p.severity} ${p.message} [${p.code}]`

describe('retries as a plan field and a config default', () => {
  test('read as written; absent stays absent', () => {
    const result = parsePlan(
      ['phases:', '  - id: a', '    retries: 2', '  - id: b'].join('\n'),
      'plan.yaml'
    )
    expect(result.problems).toEqual([])
    expect(result.plan?.phases.map(p => p.retries)).toEqual([2, undefined])
  })

  test('50, a fraction, a string: each an error at its place with the range', () => {
    const result = parsePlan(
      [
        'phases:',
        '  - id: a',
        '    retries: 50',
        '  - id: b',
        '    retries: 1.5',
        '  - id: c',
        '    retries: twice',
        '  - id: d',
        '    retries: -1'
      ].join('\n'),
      'plan.yaml'
    )
    const lines = result.problems.map(said)
    expect(lines).toHaveLength(4)
    for (const [i, line] of lines.entries()) {
      expect(line).toContain(`plan.yaml:${3 + 2 * i}:14 error`)
      expect(line).toContain(
        'must be a whole number from 0 to 5 (more runs after a failure)'
      )
    }
    expect(lines[0]).toContain('retries of phase a')
    expect(lines[0]).toContain('50')
    expect(lines[1]).toContain('1.5')
  })

  test('parallel.retries: the default, checked the same way', () => {
    const good = parseConfig('parallel:\n  retries: 3\n', 'config.yaml')
    expect(good.problems).toEqual([])
    expect(resolveSettings(good.settings, {}).retries).toBe(3)
    const bad = parseConfig('parallel:\n  retries: 50\n', 'config.yaml')
    expect(bad.problems.map(said)).toEqual([
      expect.stringMatching(
        /^config\.yaml:2:12 error parallel\.retries must be a whole number from 0 to 5/
      )
    ])
  })
})
