import { markdownText } from '../../src/render/safe-text.js'
import { describe, expect, test } from '@jest/globals'
import { annotationFile } from '../../src/actions/step.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { handOutNext, settleRound } from '../../src/plan/schedule.js'
import type { Ledger } from '../../src/plan/state.js'
import type { PlanAnalysis } from '../../src/plan/types.js'
import { renderMatrix } from '../../src/render/matrix.js'
import { renderPlanSummary } from '../../src/render/plan-summary.js'
import { formatSeconds, renderReport } from '../../src/render/report.js'
import { testLedger, testPacking } from '../support/ledger.js'
import { makePlan, type PhaseSpec } from '../support/make-plan.js'

function analyse(specs: PhaseSpec[]): PlanAnalysis {
  return analyzePlan(makePlan(specs)).analysis!
}

/** Runs every round; phases whose id starts with "bad" fail. */
function finished(analysis: PlanAnalysis): Ledger {
  let { ledger, round } = handOutNext(
    analysis,
    testLedger(analysis, { maxWorkers: 1, failFast: false }),
    { attempt: 1, packing: testPacking(analysis) }
  )
  while (round.length > 0) {
    ledger = settleRound(
      analysis,
      ledger,
      round.map(index => ({
        index,
        status: analysis.plan.phases[index]!.id.startsWith('bad')
          ? 'failed'
          : 'succeeded',
        seconds: 3725
      }))
    )
    ;({ ledger, round } = handOutNext(analysis, ledger, {
      attempt: 1,
      packing: testPacking(analysis)
    }))
  }
  return ledger
}

describe('the report', () => {
  const specs: PhaseSpec[] = [
    ...Array.from({ length: 40 }, (_, i) => ({ id: `ok-${i}` })),
    { id: 'bad|pipe' },
    { id: 'after', deps: ['bad|pipe'] }
  ]
  const analysis = analyse(specs)
  const ledger = finished(analysis)

  test('in full when it fits', () => {
    const report = renderReport(analysis, ledger, { maxBytes: 1024 * 1024 })
    expect(report).toContain('❌ 1 failed, 1 skipped, 40 succeeded')
    expect(report).toContain(
      '| ✗ | bad\\|pipe | 1 | failed | its command failed | 1h 02m |'
    )
    expect(report).toContain(
      '| ⊘ | after | 2 | skipped | dependency bad\\|pipe failed |  |'
    )
    expect(report).toContain('```mermaid')
  })

  test('over the limit: the graph goes first, then the rows of succeeded phases', () => {
    const full = renderReport(analysis, ledger, { maxBytes: 1024 * 1024 })
    const withoutGraph = renderReport(analysis, ledger, {
      maxBytes: full.length - 10
    })
    expect(withoutGraph).not.toContain('```mermaid')
    expect(withoutGraph).toContain('| ✓ | ok-39 |')
    expect(withoutGraph).toContain('The graph is left out')

    const small = renderReport(analysis, ledger, { maxBytes: 1200 })
    expect(Buffer.byteLength(small)).toBeLessThanOrEqual(1200)
    expect(small).not.toContain('| ✓ |')
    expect(small).toContain('| ✗ | bad\\|pipe |')
    expect(small).toContain('| ⊘ | after |')
    expect(small).toContain(
      '40 more row(s) left out (40 succeeded phase(s) among them)'
    )
  })

  test('cells and durations', () => {
    expect(markdownText('a|b*c_d\ne<f>')).toBe('a\\|b\\*c\\_d e\\<f\\>')
    expect(formatSeconds(undefined)).toBe('')
    expect(formatSeconds(59)).toBe('59s')
    expect(formatSeconds(61)).toBe('1m 01s')
    expect(formatSeconds(3725)).toBe('1h 02m')
  })
})

describe('the plan summary', () => {
  test('waves as a table, rounds for a wave over the leg limit, the graph', () => {
    const analysis = analyse([
      { id: 'a', status: 'done' },
      { id: 'b' },
      { id: 'c', deps: ['a'] }
    ])
    const summary = renderPlanSummary(analysis, {
      rounds: 2,
      maxWorkers: 0,
      failFast: true,
      legLimit: 1,
      maxBytes: 1024 * 1024
    })
    expect(summary).toContain('| 1 | a (done), b | 2 (2 rounds) |')
    expect(summary).toContain('| 2 | c | 1 |')
    expect(summary).toContain('max workers unlimited · fail-fast on')
    expect(summary).toContain('```mermaid')
  })

  test('a huge plan drops the graph, then shortens the id lists', () => {
    const analysis = analyse(
      Array.from({ length: 3000 }, (_, i) => ({
        id: `phase-with-a-long-name-${i}`
      }))
    )
    const summary = renderPlanSummary(analysis, {
      rounds: 12,
      maxWorkers: 4,
      failFast: false,
      legLimit: 256,
      maxBytes: 20_000
    })
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(20_000)
    expect(summary).not.toContain('```mermaid')
    expect(summary).toMatch(/… \d+ more \| 3000 \(12 rounds\) \|/)
  })
})

test('matrix of an empty round', () => {
  expect(renderMatrix(analyse([{ id: 'a' }]), [])).toBe('{"include":[]}')
})

test('annotation files are relative to the workspace, with forward slashes', () => {
  expect(
    annotationFile(
      '/home/runner/work/r/r/plans/p.yaml',
      '/home/runner/work/r/r'
    )
  ).toBe('plans/p.yaml')
  expect(annotationFile('/elsewhere/p.yaml', '/home/runner/work/r/r')).toBe(
    '/elsewhere/p.yaml'
  )
  expect(annotationFile('.prd_runner/phase_plan.yaml', undefined)).toBe(
    '.prd_runner/phase_plan.yaml'
  )
})
