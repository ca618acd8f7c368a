import { describe, expect, it } from '@jest/globals'
import { estimateFacts } from '../../src/plan/simulate.js'
import { renderPlanSummary } from '../../src/render/plan-summary.js'
import { analysed } from './build-plan.js'

const facts = {
  rounds: 2,
  maxWorkers: 0,
  failFast: false,
  legLimit: Infinity,
  maxBytes: 1_000_000
}

describe('the estimate where people look', () => {
  it('a wave wider than the 64 legs of a round is one round, not several', () => {
    const wide = analysed(
      Array.from({ length: 100 }, (_, i) => [
        `p${i}`,
        [],
        { estimateMinutes: 10 }
      ])
    )
    const summary = renderPlanSummary(wide, facts)
    expect(summary).toContain('| 100 |')
    expect(summary).not.toContain('rounds)')
    // 100 ten-minute phases packed into 64 legs: two phases on some legs.
    expect(estimateFacts(wide, 0)?.wavesMinutes).toBe(20)
  })

  it('the plan job summary shows the critical path, the times and the saving', () => {
    const analysis = analysed([
      ['a', [], { estimateMinutes: 10 }],
      ['b', ['a'], { estimateMinutes: 20 }],
      ['c', [], { estimateMinutes: 30 }],
      ['d', ['c']]
    ])
    const summary = renderPlanSummary(analysis, facts)
    // d counts as the median of 10, 20, 30.
    expect(summary).toContain('- Critical path: `c` → `d` (50 min)')
    expect(summary).toContain(
      '- Estimated time: sequential 80 min · waves 50 min (38% less) · needs graph 50 min (38% less)'
    )
    expect(summary).toContain(
      '3 of 4 phases have estimate_minutes; the others count as 20 min (the median).'
    )
    expect(summary.indexOf('Critical path')).toBeLessThan(
      summary.indexOf('| Wave |')
    )
  })

  it('nothing without estimates', () => {
    const analysis = analysed([['a'], ['b', ['a']]])
    expect(estimateFacts(analysis, 0)).toBeUndefined()
    expect(renderPlanSummary(analysis, facts)).not.toContain('Critical path')
  })

  it('done phases take no time', () => {
    const analysis = analysed([
      ['a', [], { estimateMinutes: 10, status: 'done' }],
      ['b', ['a'], { estimateMinutes: 20 }]
    ])
    expect(estimateFacts(analysis, 0)).toMatchObject({
      criticalPathMinutes: 20,
      sequentialMinutes: 20
    })
  })
})
