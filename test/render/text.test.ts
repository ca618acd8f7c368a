import { describe, expect, it } from '@jest/globals'
import { renderPlanText } from '../../src/render/text.js'
import { DEFAULT_PARALLEL_SETTINGS } from '../../src/plan/types.js'
import { SEED_TEXT } from '../support/seed-text.js'
import { analysed, SEED_PLAN } from './build-plan.js'

describe('renderPlanText', () => {
  it("reproduces the seed's plan-parallel output byte for byte", () => {
    expect(renderPlanText(analysed(SEED_PLAN))).toBe(SEED_TEXT)
  })

  it('is unchanged by default settings (no limit set)', () => {
    const text = renderPlanText(analysed(SEED_PLAN), {
      settings: DEFAULT_PARALLEL_SETTINGS
    })
    expect(text).toBe(SEED_TEXT)
  })

  it('lists deps in the order written and prints a description only when present', () => {
    const text = renderPlanText(
      analysed([
        ['z'],
        ['a'],
        ['m', ['z', 'a']],
        ['n', ['a', 'z'], { description: '' }]
      ])
    )
    expect(text).toContain(
      '  • m (depends on: z, a)\n  • n (depends on: a, z)\n'
    )
    expect(text).not.toMatch(/^ {4}\S/m)
  })

  it('shows Max workers and Fail fast only when set', () => {
    const text = renderPlanText(analysed(SEED_PLAN), {
      settings: { enabled: true, maxWorkers: 3, failFast: true }
    })
    expect(text.split('\n').slice(3, 6)).toEqual([
      'Max parallelism: 2',
      'Max workers: 3',
      'Fail fast: yes'
    ])
  })

  it('says why the limit is 1 when parallel execution is disabled', () => {
    const text = renderPlanText(analysed(SEED_PLAN), {
      settings: { enabled: false, maxWorkers: 1, failFast: false }
    })
    expect(text).toContain(
      'Max parallelism: 2\nMax workers: 1 (parallel disabled in config)\n'
    )
  })

  it('marks done phases after the id', () => {
    const text = renderPlanText(
      analysed([['a', [], { status: 'done' }], ['b', ['a']], ['c']])
    )
    expect(text).toContain('  • a (done)\n  • c\n')
    expect(text).toContain('  • b (depends on: a)\n')
  })

  it('indents every line of a multi-line description', () => {
    const text = renderPlanText(
      analysed([['a', [], { description: 'first line\nsecond line\n' }]])
    )
    expect(text).toContain('  • a\n    first line\n    second line\n')
  })

  it('uses ANSI colour only when asked and keeps the same text', () => {
    const plain = renderPlanText(analysed(SEED_PLAN))
    const coloured = renderPlanText(analysed(SEED_PLAN), { colour: true })
    expect(plain).not.toContain('\u001b[')
    expect(coloured).toContain('\u001b[')
    // eslint-disable-next-line no-control-regex
    expect(coloured.replaceAll(/\u001b\[\d+m/g, '')).toBe(plain)
  })
})
