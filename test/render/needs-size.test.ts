// The needs workflow within GitHub's limits: 500 KB a file, 21,000
// characters an expression; the lower bound that refuses a huge plan early.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { type Phase } from '../../src/plan/types.js'
import {
  MAX_WORKFLOW_BYTES,
  workflowSizeLowerBound
} from '../../src/render/needs-workflow.js'
import { DEFAULT_PARALLEL_SETTINGS } from '../../src/plan/types.js'
import type { PlanAnalysis } from '../../src/plan/types.js'
import { renderNeedsWorkflow } from '../../src/render/needs-workflow.js'
import { analysed, type PhaseSpec } from './build-plan.js'
import { expectGitHubAccepts, render } from './needs-render.js'

/** The workflow with `lanes` worker lanes (generate --max-workers). */
function renderLanes(analysis: PlanAnalysis, lanes: number) {
  return renderNeedsWorkflow(analysis, {
    settings: { ...DEFAULT_PARALLEL_SETTINGS, maxWorkers: lanes },
    invocation: {
      plan: 'plan.yaml',
      out: '.github/workflows/phases.yml',
      maxWorkers: lanes
    }
  })
}

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
  test('a workflow over 500 KB is packed into jobs run by exec instead, with a note', async () => {
    const specs: PhaseSpec[] = Array.from({ length: 400 }, (_, i) => [
      `phase-${i}`,
      i === 0 ? [] : [`phase-${i - 1}`],
      // Descriptions (comments) are not in the estimate: this one is found by rendering.
      { description: 'x'.repeat(1300) }
    ])
    const analysis = analysed(specs)
    expect(workflowSizeLowerBound(analysis)).toBeLessThan(MAX_WORKFLOW_BYTES)
    const result = render(analysis)
    expect(result.problems).toEqual([])
    expect(result.bytes).toBeLessThan(MAX_WORKFLOW_BYTES)
    // One chain: one exact job.
    expect(result.packed).toEqual({ jobs: 1, exact: true })
    expect(result.notes).toEqual([
      expect.stringMatching(
        /^One job per phase would be \d+ bytes, over GitHub's 500000 \(500 KB\): the 400 phases are packed into 1 job run by exec/
      )
    ])
    expect(result.text).toContain('# One job per phase would be')
    await expectGitHubAccepts(result.text)
  })

  test('with worker lanes, a workflow over 500 KB is refused with too-large, pointing to packing and waves', () => {
    const specs: PhaseSpec[] = Array.from({ length: 400 }, (_, i) => [
      `phase-${i}`,
      i === 0 ? [] : [`phase-${i - 1}`],
      { description: 'x'.repeat(1300) }
    ])
    const result = renderLanes(analysed(specs), 2)
    expect(result.bytes).toBeGreaterThan(MAX_WORKFLOW_BYTES)
    expectTooLarge(result, /500 KB.*without --max-workers.*waves/)
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

  test('a plan that cannot fit is refused from the estimate, before any rendering (worker lanes)', () => {
    const specs: PhaseSpec[] = Array.from({ length: 20_000 }, (_, i) => [
      `phase-${i}`,
      i === 0 ? [] : [`phase-${i - 1}`]
    ])
    const analysis = analysed(specs)
    const floor = workflowSizeLowerBound(analysis)
    expect(floor).toBeGreaterThan(MAX_WORKFLOW_BYTES)
    const result = renderLanes(analysis, 4)
    // The size reported is the estimate: no workflow text was built.
    expect(result.bytes).toBe(floor)
    expectTooLarge(
      result,
      new RegExp(`would be at least ${floor} bytes.*500 KB.*waves`)
    )
    // Without lanes the same plan is packed: chains of at most 32 KiB of ids.
    const packed = render(analysis)
    expect(packed.problems).toEqual([])
    expect(packed.packed?.exact).toBe(true)
    expect(packed.bytes).toBeLessThan(MAX_WORKFLOW_BYTES)
  })

  test('jobs that cannot be packed further (a runner each) are refused with too-large', () => {
    const specs: PhaseSpec[] = Array.from({ length: 2_500 }, (_, i) => [
      `phase-${i}`,
      [],
      { runsOn: `runner-${i}` }
    ])
    const result = render(analysed(specs))
    expectTooLarge(result, /2500 packed jobs are still too many.*waves/)
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
