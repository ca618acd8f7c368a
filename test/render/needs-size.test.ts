// The needs workflow within GitHub's limits: 500 KB a file, 21,000
// characters an expression; the lower bound that refuses a huge plan early.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { type Phase } from '../../src/plan/types.js'
import {
  MAX_WORKFLOW_BYTES,
  workflowSizeLowerBound
} from '../../src/render/needs-workflow.js'
import { analysed, type PhaseSpec } from './build-plan.js'
import { render } from './needs-render.js'

/** Nothing written, one too-large error whose message matches. */
function expectTooLarge(result: ReturnType<typeof render>, message: RegExp) {
  expect(result.text).toBe('')
  expect(result.problems).toEqual([
    expect.objectContaining({
      code: 'too-large',
      severity: 'error',
      file: '.github/workflows/phases.yml',
      message: expect.stringMatching(message)
    })
  ])
}

describe('the size limits of a needs workflow', () => {
  test('a workflow over 500 KB is refused with too-large, pointing to waves', () => {
    const specs: PhaseSpec[] = Array.from({ length: 400 }, (_, i) => [
      `phase-${i}`,
      i === 0 ? [] : [`phase-${i - 1}`],
      // Descriptions (comments) are not in the estimate: this one is found by rendering.
      { description: 'x'.repeat(1300) }
    ])
    const analysis = analysed(specs)
    expect(workflowSizeLowerBound(analysis)).toBeLessThan(MAX_WORKFLOW_BYTES)
    const result = render(analysis)
    expect(result.bytes).toBeGreaterThan(MAX_WORKFLOW_BYTES)
    expectTooLarge(result, /500 KB.*waves/)
  })

  test('the size estimate is a lower bound of the real size, for random plans and templates', () => {
    const command = fc.oneof(
      fc.constant(undefined),
      fc.constant(''),
      fc.string({ unit: 'grapheme', maxLength: 60 }),
      fc
        .array(
          fc.constantFrom('echo ${{ x }}', 'a\n', ' ', "'", '"', '😀', 'é')
        )
        .map(parts => parts.join(''))
    )
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            run: command,
            status: fc.constantFrom(undefined, 'done', 'Done', 'todo'),
            // Ids YAML 1.1 reads as numbers (e0, 1e5, .inf) are quoted too.
            id: fc.stringMatching(/^[a-z0-9_.+-]{1,13}$/)
          }),
          { minLength: 1, maxLength: 15 }
        ),
        fc.array(fc.tuple(fc.nat(14), fc.nat(14))),
        fc.boolean(),
        (phases, edges, withTemplate) => {
          const ids = [...new Set(phases.map(p => p.id))]
          const specs: PhaseSpec[] = ids.map((id, i) => {
            const spec = phases[i]!
            const deps = [
              ...new Set(
                edges
                  .filter(
                    ([a, b]) => b % ids.length === i && a % ids.length < i
                  )
                  .map(([a]) => ids[a % ids.length]!)
              )
            ]
            const extra: Partial<Phase> = {}
            if (spec.run !== undefined) extra.run = spec.run
            if (spec.status !== undefined) extra.status = spec.status
            return [id, deps, extra]
          })
          const analysis = analysed(specs)
          const result = render(
            analysis,
            {},
            withTemplate
              ? 'on: push\njobs:\n  phase:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v5\n      - run: phase-matrix run\n'
              : undefined
          )
          expect(result.problems).toEqual([])
          expect(workflowSizeLowerBound(analysis)).toBeLessThanOrEqual(
            result.bytes
          )
        }
      ),
      { numRuns: 200 }
    )
  })

  test('a plan that cannot fit is refused from the estimate, before any rendering', () => {
    const specs: PhaseSpec[] = Array.from({ length: 20_000 }, (_, i) => [
      `phase-${i}`,
      i === 0 ? [] : [`phase-${i - 1}`]
    ])
    const analysis = analysed(specs)
    const floor = workflowSizeLowerBound(analysis)
    expect(floor).toBeGreaterThan(MAX_WORKFLOW_BYTES)
    const result = render(analysis)
    // The size reported is the estimate: no workflow text was built.
    expect(result.bytes).toBe(floor)
    expectTooLarge(
      result,
      new RegExp(`would be at least ${floor} bytes.*500 KB.*waves`)
    )
  })

  test('an escaped command too long for one GitHub expression is refused', () => {
    const result = render(
      analysed([['big', [], { run: `echo \${{ x }} ${'y'.repeat(21000)}` }]])
    )
    expect(result.problems).toEqual([
      expect.objectContaining({
        code: 'too-large',
        line: 2,
        message: expect.stringContaining('script file')
      })
    ])
  })
})
