// The packed needs graph at 5,000 phases (a slow test, test/slow-tests.json:
// rendering and GitHub's parser on a workflow near 500 KB): packed under
// 500 KB, every phase in exactly one job, every dependency waited for.
import { describe, expect, test } from '@jest/globals'
import { randomPlan } from '../../bench/random-plan.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { MAX_WORKFLOW_BYTES } from '../../src/render/needs-workflow.js'
import { expectCovers, packed } from './needs-packed-check.js'
import { expectGitHubAccepts } from './needs-render.js'

describe('the packed needs graph', () => {
  test('a 5,000-phase plan is packed under 500 KB, every phase in one job, every dependency waited for', async () => {
    const analysis = analyzePlan(randomPlan(5_000, 20261201 + 5_000)).analysis!
    const result = packed(analysis)
    expect(result.problems).toEqual([])
    expect(result.bytes).toBeLessThanOrEqual(MAX_WORKFLOW_BYTES)
    expect(result.packed?.jobs).toBeLessThan(5_000)
    expect(result.notes.join('\n')).toContain('packed into')
    expectCovers(analysis, result.text)
    await expectGitHubAccepts(result.text)
  }, 120_000)
})
