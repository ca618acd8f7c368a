import { describe, expect, it } from '@jest/globals'
import { analyzePlan } from '../../src/plan/analyze.js'
import type { Problem } from '../../src/plan/types.js'
import {
  formatCycle,
  formatProblemCount,
  formatProblems
} from '../../src/render/text.js'
import { buildPlan } from './build-plan.js'

// Copied from shared/seed/PARALLEL_EXECUTION.md ("Circular Dependencies").
const SEED_CYCLE = `ERROR: Circular dependency detected: phase-a -> phase-b -> phase-c -> phase-a

Phases involved in cycle:
  1. phase-a depends on phase-c
  2. phase-b depends on phase-a
  3. phase-c depends on phase-b

Fix: Remove one dependency to break the cycle.`

const problem = (over: Partial<Problem>): Problem => ({
  code: 'schema',
  severity: 'error',
  message: 'm',
  file: 'plan.yaml',
  line: 1,
  column: 1,
  ...over
})

describe('formatCycle', () => {
  it("reproduces the seed's cycle block", () => {
    expect(formatCycle(['phase-a', 'phase-b', 'phase-c', 'phase-a'])).toBe(
      SEED_CYCLE
    )
  })

  it('states only true dependencies for the cycle analyzePlan reports', () => {
    const plan = buildPlan([
      ['phase-a', ['phase-c']],
      ['phase-b', ['phase-a']],
      ['phase-c', ['phase-b']]
    ])
    const [cycle] = analyzePlan(plan).problems
    const block = formatCycle(cycle!.cycle!)
    expect(block).toBe(SEED_CYCLE)
    for (const [, id, dep] of block.matchAll(
      /^ {2}\d+\. (\S+) depends on (\S+)$/gm
    )) {
      expect(plan.phases.find(p => p.id === id)!.deps).toContain(dep)
    }
  })
})

describe('formatProblems', () => {
  it('prints file:line:column: severity: message [code] lines and a count', () => {
    const text = formatProblems([
      problem({
        line: 3,
        column: 7,
        message: 'Duplicate phase id `a`',
        code: 'duplicate-id'
      }),
      problem({
        severity: 'warning',
        line: 9,
        column: 5,
        message: 'Unknown key `dep`',
        code: 'unknown-key'
      }),
      problem({
        line: 12,
        column: 11,
        message: 'unknown phase `x`',
        code: 'unknown-dependency'
      })
    ])
    expect(text)
      .toBe(`plan.yaml:3:7: error: Duplicate phase id \`a\` [duplicate-id]
plan.yaml:9:5: warning: Unknown key \`dep\` [unknown-key]
plan.yaml:12:11: error: unknown phase \`x\` [unknown-dependency]

2 errors, 1 warning in plan.yaml
`)
  })

  it("prints the seed's block for each cycle, located at the closing dependency", () => {
    const plan = buildPlan(
      [
        ['phase-a', ['phase-c']],
        ['phase-b', ['phase-a']],
        ['phase-c', ['phase-b']],
        ['x', ['y']],
        ['y', ['x']]
      ],
      'cycle.yaml'
    )
    const text = formatProblems(analyzePlan(plan).problems)
    expect(text)
      .toBe(`cycle.yaml:4:12: error: phase-a depends on phase-c, closing the cycle below [cycle]

${SEED_CYCLE}

cycle.yaml:34:12: error: x depends on y, closing the cycle below [cycle]

ERROR: Circular dependency detected: x -> y -> x

Phases involved in cycle:
  1. x depends on y
  2. y depends on x

Fix: Remove one dependency to break the cycle.

2 errors in cycle.yaml
`)
  })

  it('counts in the singular and names every file', () => {
    expect(formatProblemCount([problem({})])).toBe('1 error in plan.yaml')
    expect(
      formatProblemCount([
        problem({ severity: 'warning', file: 'c.yaml' }),
        problem({ severity: 'warning' })
      ])
    ).toBe('2 warnings in c.yaml, plan.yaml')
    expect(formatProblems([])).toBe('')
  })

  it('colours severities only when asked', () => {
    const p = [problem({})]
    expect(formatProblems(p)).not.toContain('\u001b[')
    expect(formatProblems(p, { colour: true })).toContain('\u001b[31merror')
  })
})
