// The reusable workflow's job conditions, run with GitHub's evaluator on
// scripted outcomes of plan and settle: a failed leg does not stop the
// independent phases handed out after it, a skipped or failed job's empty
// outputs never reach fromJSON, the report settles the newest state, and it
// is red for every kind of failure.
import { describe, expect, test } from '@jest/globals'
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
