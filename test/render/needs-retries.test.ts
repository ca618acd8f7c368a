// Retries in the needs graph: a phase with retries runs by exec in its own
// job (exec runs it again after a failure), its job's timeout allows every
// attempt; a phase without retries keeps its plain `shell: bash` step.
import { describe, expect, test } from '@jest/globals'
import { EXEC_ACTION_REF } from '../../src/render/waves-jobs.js'
import { analysed } from './build-plan.js'
import { jobsByPhase, render, workflowOf } from './needs-render.js'

describe('needs graph with retries', () => {
  test('exec step for a phase with retries, timeout × attempts', () => {
    const analysis = analysed([
      ['flaky', [], { run: 'npm test', retries: 2, timeoutMinutes: 10 }],
      ['plain', ['flaky'], { run: 'echo ok', timeoutMinutes: 5 }]
    ])
    const jobs = jobsByPhase(workflowOf(render(analysis)))
    const [, flaky] = jobs.get('flaky') ?? []
    const [, plain] = jobs.get('plain') ?? []
    expect(flaky?.['timeout-minutes']).toBe(30)
    expect(flaky?.steps.at(-1)).toEqual({
      id: 'x',
      name: 'Run phase (with retries)',
      uses: EXEC_ACTION_REF,
      with: { plan: 'plan.yaml', phases: '["flaky"]' }
    })
    expect(plain?.['timeout-minutes']).toBe(5)
    expect(plain?.steps.at(-1)).toMatchObject({ shell: 'bash', run: 'echo ok' })
  })
})
