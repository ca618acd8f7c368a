// The one output guard of the plan and settle steps, measured as GitHub
// measures job outputs (2 bytes per UTF-16 unit of names and values).
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { MATRIX_LEG_LIMIT } from '../../src/plan/leg-record.js'
import {
  OUTPUT_BUDGET_BYTES,
  fitsOutputBudget,
  jobOutputSize,
  outputsProblem
} from '../../src/actions/output-budget.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { largestRoundMatrix, renderMatrix } from '../../src/render/matrix.js'
import { makePlan, type PhaseSpec } from '../support/make-plan.js'

describe('the output guard', () => {
  test('counts 2 bytes per UTF-16 unit of name and value, nothing for an empty value', () => {
    expect(jobOutputSize({ a: 'xyz' })).toBe(8)
    expect(jobOutputSize({ a: '' })).toBe(0)
    // é is 2 UTF-8 bytes but one UTF-16 unit; 😀 is 4 UTF-8 bytes, two units.
    expect(jobOutputSize({ é: 'é😀' })).toBe(2 * (1 + 3))
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.string()), outputs => {
        const expected = Object.entries(outputs)
          .filter(([, v]) => v !== '')
          .reduce((n, [k, v]) => n + 2 * (k.length + v.length), 0)
        expect(jobOutputSize(outputs)).toBe(expected)
      })
    )
  })

  test('a 64-phase wave of 9.6 KB commands fits 1 MiB in UTF-8 but is our too-large error', () => {
    const specs: PhaseSpec[] = []
    for (let i = 0; i < MATRIX_LEG_LIMIT; i++)
      specs.push({ id: `phase-${i}`, run: `echo ${'x'.repeat(9600)}` })
    const analysis = analyzePlan(makePlan(specs, 'big.yaml')).analysis!
    const matrix = renderMatrix(
      analysis,
      analysis.plan.phases.map(p => p.index)
    )
    expect(Buffer.byteLength(matrix)).toBeLessThan(1024 * 1024 - 64 * 1024)
    const problem = outputsProblem({
      step: 'plan',
      file: 'big.yaml',
      outputs: { matrix }
    })
    expect(problem).toMatchObject({
      code: 'too-large',
      severity: 'error',
      file: 'big.yaml',
      line: 1,
      column: 1
    })
    const size = jobOutputSize({ matrix })
    expect(problem!.message).toContain(
      `outputs take ${size.toLocaleString('en-US')} bytes as GitHub counts them`
    )
    expect(problem!.message).toContain('1,048,576 bytes')
    expect(problem!.message).toContain(
      `${OUTPUT_BUDGET_BYTES.toLocaleString('en-US')} bytes`
    )
    // Half the commands fit.
    const half = renderMatrix(
      analysis,
      analysis.waves[0]!.slice(0, MATRIX_LEG_LIMIT / 2)
    )
    expect(
      outputsProblem({
        step: 'plan',
        file: 'big.yaml',
        outputs: { matrix: half }
      })
    ).toBe(undefined)
  })

  test('outputs a waves workflow does not forward only warn when they tip the total over', () => {
    const big = 'm'.repeat(300_000)
    const outputs = { matrix: 'x'.repeat(300_000), mermaid: big, needs: big }
    expect(
      outputsProblem({ step: 'plan', file: 'p.yaml', outputs })?.severity
    ).toBe('error')
    const warning = outputsProblem({
      step: 'plan',
      file: 'p.yaml',
      outputs,
      informational: ['mermaid', 'needs']
    })
    expect(warning).toMatchObject({ code: 'too-large', severity: 'warning' })
    expect(warning!.message).toContain('do not forward')
    expect(
      outputsProblem({
        step: 'plan',
        file: 'p.yaml',
        outputs: { matrix: 'x' },
        informational: ['mermaid']
      })
    ).toBe(undefined)
    // The forwarded ones alone still must fit.
    expect(
      outputsProblem({
        step: 'plan',
        file: 'p.yaml',
        outputs: { matrix: 'x'.repeat(500_000), mermaid: 'm' },
        informational: ['mermaid']
      })?.severity
    ).toBe('error')
  })

  test('a state over half of the 128 KiB an env string may take is refused', () => {
    expect(
      outputsProblem({
        step: 'settle',
        file: 'p.yaml',
        outputs: { state: 'x'.repeat(65 * 1024) }
      })?.message
    ).toMatch(/run state takes 65 KiB.*128 KiB.*E2BIG/)
  })
})

describe('the largest round', () => {
  test('is at least as long as any round the schedule can form', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat(300), { minLength: 1, maxLength: 40 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.nat(39)),
        (lengths, legLimit, pick) => {
          const specs = lengths.map((n, i) => ({
            id: `p${i}`,
            run: 'y'.repeat(n),
            ...(i % 7 === 3 ? { status: 'Done' } : {})
          }))
          const analysis = analyzePlan(makePlan(specs)).analysis!
          const bound = largestRoundMatrix(analysis, legLimit).length
          const runnable = analysis.waves[0]!.filter(
            i => !analysis.plan.phases[i]!.done
          )
          if (runnable.length === 0) return
          const round = [
            ...new Set(pick.map(k => runnable[k % runnable.length]!))
          ].slice(0, legLimit)
          expect(renderMatrix(analysis, round).length).toBeLessThanOrEqual(
            bound
          )
        }
      )
    )
  })
})

describe('fitsOutputBudget', () => {
  test('counts what is forwarded, as GitHub does, up to the budget exactly', () => {
    // 2 bytes per UTF-16 unit of name and value: 'm' + value.
    const exact = 'x'.repeat(OUTPUT_BUDGET_BYTES / 2 - 1)
    expect(fitsOutputBudget({ m: exact })).toBe(true)
    expect(fitsOutputBudget({ m: `${exact}x` })).toBe(false)
    expect(fitsOutputBudget({ m: exact, waves: 'y' })).toBe(false)
    expect(fitsOutputBudget({ m: exact, waves: 'y' }, ['waves'])).toBe(true)
  })
})
