import { describe, expect, it } from '@jest/globals'
import {
  renderPlanJson,
  renderProblemsJson,
  type PlanJson,
  type ProblemsJson
} from '../../src/render/json.js'
import type { Problem } from '../../src/plan/types.js'
import { analysed, SEED_PLAN } from './build-plan.js'

const asPlan = (text: string): PlanJson => JSON.parse(text) as PlanJson
const asProblems = (text: string): ProblemsJson =>
  JSON.parse(text) as ProblemsJson

describe('renderPlanJson', () => {
  it('gives counts, waves of ids and phases with 1-based waves', () => {
    const json = asPlan(renderPlanJson(analysed(SEED_PLAN)))
    expect(json).toMatchObject({
      phaseCount: 4,
      waveCount: 3,
      maxParallelism: 2,
      waves: [
        ['database-schema', 'frontend-components'],
        ['api-endpoints'],
        ['integration']
      ]
    })
    expect(json.phases[3]).toEqual({
      id: 'integration',
      description: 'Integrate frontend and backend',
      deps: ['api-endpoints', 'frontend-components'],
      wave: 3
    })
    expect(json).not.toHaveProperty('maxWorkers')
    expect(json).not.toHaveProperty('criticalPath')
  })

  it('uses the plan-file spelling of every optional field that is set', () => {
    const json = asPlan(
      renderPlanJson(
        analysed([
          [
            'a',
            [],
            {
              name: 'A',
              parallelGroup: 'g',
              run: 'make a',
              runsOn: ['self-hosted', 'linux'],
              timeoutMinutes: 9,
              estimateMinutes: 4,
              status: 'done',
              retries: 2
            }
          ]
        ])
      )
    )
    expect(json.phases[0]).toEqual({
      id: 'a',
      name: 'A',
      deps: [],
      wave: 1,
      parallel_group: 'g',
      run: 'make a',
      'runs-on': ['self-hosted', 'linux'],
      'timeout-minutes': 9,
      estimate_minutes: 4,
      status: 'done',
      retries: 2,
      // The one reading of status, for scripts.
      done: true
    })
  })

  it('adds the critical path and limits when known', () => {
    const json = asPlan(
      renderPlanJson(
        analysed([
          ['a', [], { estimateMinutes: 5 }],
          ['b', ['a'], { estimateMinutes: 7 }],
          ['c', [], { estimateMinutes: 30 }]
        ]),
        { enabled: true, maxWorkers: 2, failFast: true }
      )
    )
    expect(json.criticalPath).toEqual({ ids: ['c'], minutes: 30 })
    expect(json.totalMinutes).toBe(42)
    expect(json.maxWorkers).toBe(2)
    expect(json.failFast).toBe(true)
  })
})

describe('renderProblemsJson', () => {
  const cycle: Problem = {
    code: 'cycle',
    severity: 'error',
    message: 'Circular dependency detected: a -> b -> a',
    file: 'p.yaml',
    line: 3,
    column: 11,
    cycle: ['a', 'b', 'a']
  }
  const warning: Problem = {
    code: 'unknown-key',
    severity: 'warning',
    message: 'Unknown key `dep`; did you mean `deps`?',
    file: 'p.yaml',
    line: 8,
    column: 5
  }

  it('lists errors with code, message, position and cycle; warnings apart', () => {
    expect(asProblems(renderProblemsJson([warning, cycle]))).toEqual({
      errors: [
        {
          code: 'cycle',
          message: cycle.message,
          file: 'p.yaml',
          line: 3,
          column: 11,
          cycle: ['a', 'b', 'a']
        }
      ],
      warnings: [
        {
          code: 'unknown-key',
          message: warning.message,
          file: 'p.yaml',
          line: 8,
          column: 5
        }
      ]
    })
  })

  it('has no warnings key when there are none', () => {
    expect(asProblems(renderProblemsJson([cycle]))).not.toHaveProperty(
      'warnings'
    )
  })
})
