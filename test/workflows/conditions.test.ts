// The reusable workflow's job conditions, run with GitHub's evaluator on
// scripted outcomes of plan and settle: a failed leg does not stop the
// independent phases handed out after it, a skipped or failed job's empty
// outputs never reach fromJSON, the report settles the newest state, and it
// is red for every kind of failure.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { greenRounds } from '../../src/plan/rounds.js'
import type { PlanAnalysis } from '../../src/plan/types.js'
import { analysed, type PhaseSpec } from '../render/build-plan.js'
import { testPacking } from '../support/ledger.js'
import { specsFromEdges } from '../support/make-plan.js'
import { Engine, type EngineOptions } from './engine.js'
import {
  REUSABLE_WORKFLOW_WAVES,
  renderReusableWorkflow
} from '../../src/render/reusable-workflow.js'
import { parseWorkflowYaml } from './rules.js'
import { simulate, type Outcome, type Simulation } from './simulate.js'

const workflow = parseWorkflowYaml(renderReusableWorkflow())

/** A plan or settle step that handed out round `next` (or nothing). */
function handedOut(state: string, hasWork: boolean): Outcome {
  return {
    result: 'success',
    outputs: {
      state,
      'has-work': String(hasWork),
      matrix: hasWork ? '{"include":[{"id":"a"}]}' : '',
      'max-workers': '3'
    }
  }
}

const finished =
  (result: 'success' | 'failure', hasWork = false) =>
  (): Outcome => ({
    result,
    outputs: { 'has-work': String(hasWork), failed: '[]' }
  })

function ran(simulation: Simulation): string[] {
  return Object.entries(simulation.jobs)
    .filter(([, job]) => job.result !== 'skipped')
    .map(([id]) => id)
}

describe('the reusable workflow on GitHub', () => {
  test('an invalid plan: nothing runs but the report, which is red and says why', () => {
    const run = simulate(workflow, { plan: { result: 'failure' } })
    expect(ran(run)).toEqual(['plan', 'report'])
    expect(run.reportState).toBeUndefined()
    expect(run.jobs.report!.result).toBe('failure')
    expect(run.verdict).toMatch(
      /::error::The 'phase plan' job ended with 'failure'/
    )
  })

  test('a failed leg in wave 1 does not skip wave 2; the report settles the newest state and is red', () => {
    const run = simulate(workflow, {
      plan: handedOut('s0', true),
      failedWaves: [1],
      settles: { 1: handedOut('s1', true), 2: handedOut('s2', false) },
      reportSettle: finished('failure')
    })
    expect(ran(run)).toEqual([
      'plan',
      'wave-1',
      'settle-1',
      'wave-2',
      'settle-2',
      'report'
    ])
    expect(run.reportState).toBe('s2')
    expect(run.jobs.report!.result).toBe('failure')
  })

  test('all green: the report is green', () => {
    const run = simulate(workflow, {
      plan: handedOut('s0', true),
      settles: { 1: handedOut('s1', true), 2: handedOut('s2', false) },
      reportSettle: finished('success')
    })
    expect(run.reportState).toBe('s2')
    expect(run.jobs.report!.result).toBe('success')
    expect(run.verdict).toMatch(/every settle job succeeded/)
  })

  test('a plan with nothing to run (every phase done): no wave, the report settles the plan state', () => {
    const run = simulate(workflow, {
      plan: handedOut('s0', false),
      reportSettle: finished('success')
    })
    expect(ran(run)).toEqual(['plan', 'report'])
    expect(run.reportState).toBe('s0')
    expect(run.jobs.report!.result).toBe('success')
  })

  test('a settle job that fails stops the rounds; the report re-settles from the state before it and is red', () => {
    const run = simulate(workflow, {
      plan: handedOut('s0', true),
      settles: { 1: handedOut('s1', true), 2: { result: 'failure' } },
      reportSettle: finished('success')
    })
    expect(ran(run)).toEqual([
      'plan',
      'wave-1',
      'settle-1',
      'wave-2',
      'settle-2',
      'report'
    ])
    expect(run.reportState).toBe('s1')
    expect(run.jobs.report!.result).toBe('failure')
    expect(run.verdict).toMatch(/::error::A 'settle wave' job failed/)
  })

  test(`work left after ${REUSABLE_WORKFLOW_WAVES} rounds is red`, () => {
    const settles: Record<number, Outcome> = {}
    for (let k = 1; k <= REUSABLE_WORKFLOW_WAVES; k++) {
      settles[k] = handedOut(`s${k}`, true)
    }
    const run = simulate(workflow, {
      plan: handedOut('s0', true),
      settles,
      reportSettle: finished('success', true)
    })
    expect(ran(run)).toContain(`wave-${REUSABLE_WORKFLOW_WAVES}`)
    expect(run.reportState).toBe(`s${REUSABLE_WORKFLOW_WAVES}`)
    expect(run.jobs.report!.result).toBe('failure')
    expect(run.verdict).toMatch(/Phases are left that never ran/)
  })

  test('the check can fail: without !cancelled() a failed wave skips the rest', () => {
    const broken = parseWorkflowYaml(
      renderReusableWorkflow().replaceAll('!cancelled() && needs.', 'needs.')
    )
    const run = simulate(broken, {
      plan: handedOut('s0', true),
      failedWaves: [1],
      settles: { 1: handedOut('s1', true) },
      reportSettle: finished('failure')
    })
    expect(ran(run)).not.toContain('wave-2')
  })
})

// The fast path, played with the real schedule: the plan hands out every
// round up front, and settle jobs run only from the first failure on.
const fullStack = analysed([
  ['database-migrations'],
  ['backend-models', ['database-migrations']],
  ['backend-api', ['backend-models']],
  ['frontend-components'],
  ['frontend-state', ['frontend-components']],
  ['integration', ['backend-api', 'frontend-state']],
  ['e2e-tests', ['integration']]
])

interface Played {
  run: Simulation
  engine: Engine
  /** The report's settle outputs. */
  report: Record<string, string>
}

function play(
  analysis: PlanAnalysis,
  options: EngineOptions,
  target = workflow
): Played {
  const engine = new Engine(analysis, options)
  const run = simulate(target, {
    plan: engine.plan(),
    wave: (wave, matrix) => engine.wave(wave, matrix),
    settles: (_wave, inputs) => engine.settle(inputs),
    reportSettle: (_state, inputs) => engine.settle(inputs)
  })
  return { run, engine, report: run.jobs.report!.outputs }
}

const settleJobs = (run: Simulation): string[] =>
  ran(run).filter(id => id.startsWith('settle-'))

describe('the fast path on GitHub', () => {
  test('a green plan: every settle job skipped, every phase ran once, the report is green', () => {
    const { run, engine, report } = play(fullStack, {})
    expect(ran(run)).toEqual([
      'plan',
      'wave-1',
      'wave-2',
      'wave-3',
      'wave-4',
      'wave-5',
      'report'
    ])
    expect(settleJobs(run)).toEqual([])
    const ids = engine.legs.map(leg => leg.id)
    expect(ids.sort()).toEqual(fullStack.plan.phases.map(p => p.id).sort())
    expect(
      engine.legs.filter(leg => leg.wave === 2).map(leg => leg.id)
    ).toEqual(['backend-models', 'frontend-state'])
    expect(run.jobs.report!.result).toBe('success')
    expect(JSON.parse(report['succeeded'] ?? '')).toHaveLength(7)
    expect(report['has-work']).toBe('false')
  })

  test('fallback (fast-rounds 0): a settle job after every wave, the same legs, green', () => {
    const fast = play(fullStack, {})
    const slow = play(fullStack, { fast: false })
    expect(settleJobs(slow.run)).toEqual([
      'settle-1',
      'settle-2',
      'settle-3',
      'settle-4',
      'settle-5'
    ])
    expect(slow.engine.legs).toEqual(fast.engine.legs)
    expect(slow.report).toEqual(fast.report)
  })

  test.each([
    [
      'wave 1',
      'frontend-components',
      // Its dependents are skipped: the run ends after round 3.
      ['settle-1', 'settle-2', 'settle-3']
    ],
    ['wave 3', 'backend-api', ['settle-3']]
  ])(
    'a failure in %s: the same legs run and are skipped as with settle on every wave; settle jobs from the failure on',
    (_wave, failing, settles) => {
      const fast = play(fullStack, { failing: [failing] })
      const slow = play(fullStack, { failing: [failing], fast: false })
      expect(fast.engine.legs).toEqual(slow.engine.legs)
      expect(fast.report).toEqual(slow.report)
      expect(fast.run.jobs.report!.result).toBe('failure')
      expect(slow.run.jobs.report!.result).toBe('failure')
      expect(settleJobs(fast.run)).toEqual(settles)
      expect(JSON.parse(fast.report['failed'] ?? '')).toEqual([failing])
      expect(JSON.parse(fast.report['skipped'] ?? '')).toContain('e2e-tests')
    }
  )

  test("the check can fail: a wave that takes the plan's round after a failed wave runs skipped phases", () => {
    const broken = parseWorkflowYaml(
      renderReusableWorkflow().replaceAll(
        "needs.settle-3.result == 'skipped' && needs.wave-3.result == 'success'",
        "needs.wave-3.result != 'cancelled'"
      )
    )
    expect(() => play(fullStack, { failing: ['backend-api'] }, broken)).toThrow(
      /wave-4 got no legs/
    )
  })

  test('random plans and failures: the same legs, outcomes and verdict with and without the fast path', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 9 }).chain(count =>
          fc.record({
            count: fc.constant(count),
            edges: fc.array(
              fc.tuple(
                fc.integer({ min: 0, max: count - 1 }),
                fc.integer({ min: 0, max: count - 1 })
              ),
              { maxLength: 14 }
            ),
            failing: fc.subarray(
              Array.from({ length: count }, (_, i) => `p${i}`),
              { maxLength: Math.min(3, count) }
            )
          })
        ),
        ({ count, edges, failing }) => {
          // Edges point forward (a dag); a self-edge is dropped.
          const forward = edges
            .filter(([a, b]) => a !== b)
            .map(([a, b]): [number, number] => (a < b ? [a, b] : [b, a]))
          const analysis = analysed(
            specsFromEdges(count, forward).map(
              ({ id, deps }) => [id, deps] as PhaseSpec
            )
          )
          const rounds = greenRounds(
            analysis,
            analysis.plan.phases.map(() => 'pending'),
            testPacking(analysis),
            1
          ).length
          fc.pre(rounds <= REUSABLE_WORKFLOW_WAVES)
          const fast = play(analysis, { failing })
          const slow = play(analysis, { failing, fast: false })
          expect(fast.engine.legs).toEqual(slow.engine.legs)
          expect(fast.report).toEqual(slow.report)
          expect(fast.run.jobs.report!.result).toBe(
            slow.run.jobs.report!.result
          )
          if (failing.length === 0) expect(settleJobs(fast.run)).toEqual([])
        }
      ),
      { numRuns: 15 }
    )
  })

  test('a re-run (attempt 2) settles after every wave, so phases that succeeded earlier are passed over', () => {
    const engine = new Engine(fullStack, {})
    const run = simulate(workflow, {
      attempt: 2,
      plan: engine.plan(),
      wave: (wave, matrix) => engine.wave(wave, matrix),
      settles: (_wave, inputs) => engine.settle(inputs),
      reportSettle: (_state, inputs) => engine.settle(inputs)
    })
    expect(settleJobs(run)).toEqual([
      'settle-1',
      'settle-2',
      'settle-3',
      'settle-4',
      'settle-5'
    ])
    expect(run.jobs.report!.result).toBe('success')
  })
})
