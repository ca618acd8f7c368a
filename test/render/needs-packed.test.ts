// The packed needs graph (generate --max-jobs N, and the fallback over
// 500 KB): every phase in exactly one exec job, each job needing the jobs
// that hold its phases' dependencies, plan text still data. 5,000 phases
// within GitHub's 500 KB: needs-packed-5000.test.ts (a slow test).
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { ESCAPED_OPEN } from '../../src/render/needs-jobs.js'
import {
  convertedJobs,
  evaluateExpression,
  workflowStringValue
} from '../support/github-expressions.js'
import { analysed, SEED_PLAN, type PhaseSpec } from './build-plan.js'
import {
  expectCovers,
  packed,
  phasesByJob,
  type PackedJob
} from './needs-packed-check.js'
import { expectGitHubAccepts } from './needs-render.js'

describe('the packed needs graph', () => {
  test('--max-jobs N: at most N jobs, each running its phases through exec', async () => {
    const analysis = analysed(SEED_PLAN)
    for (const maxJobs of [1, 2, 3, 4, 10]) {
      const result = packed(analysis, maxJobs)
      expect(result.problems).toEqual([])
      expect(result.packed!.jobs).toBeLessThanOrEqual(maxJobs)
      expectCovers(analysis, result.text)
      await expectGitHubAccepts(result.text)
    }
    // Chains: database-schema → api-endpoints is one job, exact.
    const chains = packed(analysis, 10)
    expect(chains.packed).toEqual({ jobs: 3, exact: true })
    expect([...phasesByJob(chains.text).values()]).toEqual([
      ['database-schema', 'api-endpoints'],
      ['frontend-components'],
      ['integration']
    ])
    // The default plan path is exec's own default: not written.
    expect(chains.text).not.toContain('plan:')
    expect(packed(analysis, 10, 'plans/p.yaml').text).toContain(
      'plan: plans/p.yaml'
    )
  })

  test('done phases are in no job; their dependents wait for what they wait for', () => {
    const specs: PhaseSpec[] = [
      ['build', []],
      ['package', ['build'], { status: 'done' }],
      ['publish', ['package']],
      ['docs', []]
    ]
    const analysis = analysed(specs)
    const result = packed(analysis, 10)
    expect(result.problems).toEqual([])
    expectCovers(analysis, result.text)
    expect([...phasesByJob(result.text).values()].flat()).not.toContain(
      'package'
    )
  })

  test('phases with different runners never share a job; timeouts add up', () => {
    const specs: PhaseSpec[] = [
      ['a', [], { runsOn: 'macos-latest', timeoutMinutes: 5 }],
      ['b', ['a'], { runsOn: 'macos-latest', timeoutMinutes: 7 }],
      ['c', ['b'], { timeoutMinutes: 9 }],
      ['d', ['c']]
    ]
    const result = packed(analysed(specs), 1)
    expect(result.notes).toEqual([
      expect.stringContaining('--max-jobs 1 is not reached')
    ])
    const workflow = parse(result.text) as { jobs: Record<string, PackedJob> }
    expect(workflow.jobs['a']).toMatchObject({
      name: 'a +1',
      'runs-on': 'macos-latest',
      'timeout-minutes': 5 + 7 + 10
    })
    expect(workflow.jobs['c']).toMatchObject({
      name: 'c +1',
      needs: ['a'],
      'runs-on': 'ubuntu-latest'
    })
    // d has no timeout: the job keeps GitHub's default.
    expect(workflow.jobs['c']!['timeout-minutes']).toBeUndefined()
  })

  test('hostile ids and runners stay data: GitHub reads them back exactly', async () => {
    const specs: PhaseSpec[] = [
      ['${{secrets.X}}', [], { runsOn: '${{ secrets.RUNNER }}' }],
      ['a"b', ['${{secrets.X}}'], { runsOn: '${{ secrets.RUNNER }}' }],
      ["it's,[x]", []],
      ['c', ['a"b', "it's,[x]"], { run: 'echo ${{ github.token }}' }]
    ]
    const analysis = analysed(specs)
    const result = packed(analysis, 2, 'plans/${{ x }}.yaml')
    expect(result.problems).toEqual([])
    await expectGitHubAccepts(result.text)
    expectCovers(analysis, result.text)
    // Commands are not in the workflow at all: exec reads them from the plan.
    expect(result.text).not.toContain('github.token')
    const { jobs, errors } = await convertedJobs(result.text)
    expect(errors).toEqual([])
    // Names and runners as GitHub's converter reads them.
    const names = jobs.map(job => workflowStringValue(job.name))
    expect(names).toContain('${{secrets.X}} +1')
    const first = jobs.find(
      job => workflowStringValue(job.name) === '${{secrets.X}} +1'
    )!
    expect(workflowStringValue(first['runs-on'])).toBe('${{ secrets.RUNNER }}')
    // Every `${{` in a value is the escape, whose value is `${{`, or ours.
    const values: string[] = []
    const collect = (value: unknown): void => {
      if (typeof value === 'string') values.push(value)
      else if (value !== null && typeof value === 'object') {
        for (const item of Object.values(value)) collect(item)
      }
    }
    collect(parse(result.text, { version: '1.1' }))
    for (const value of values) {
      expect(
        value
          .replaceAll(ESCAPED_OPEN, '')
          .replace(/^\$\{\{ contains\(needs\.\*\.result, '[a-z]+'\) \}\}$/, '')
          // The outputs exec hands on, read from a job id (no plan text).
          .replace(/^\$\{\{ steps\.x\.outputs\.phase-outputs \}\}$/, '')
          .replace(
            /^\$\{\{ needs\.[A-Za-z_][A-Za-z0-9_-]*\.outputs\.phase-outputs \}\}$/,
            ''
          )
          .replace(
            /^\$\{\{ toJSON\(needs\.\*\.outputs\.phase-outputs\) \}\}$/,
            ''
          )
      ).not.toContain('${{')
    }
    expect(evaluateExpression("'${{'")).toBe('${{')
    expect(result.text).toContain(`plan: "plans/${ESCAPED_OPEN} x }}.yaml"`)
  })
})
