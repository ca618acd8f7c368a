// The packed needs graph (generate --max-jobs N, and the fallback over
// 500 KB): every phase in exactly one exec job, each job needing the jobs
// that hold its phases' dependencies, plan text still data, and 5,000
// phases within GitHub's 500 KB.
import { describe, expect, test } from '@jest/globals'
import { parse } from 'yaml'
import { randomPlan } from '../../bench/random-plan.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { needsThroughDone } from '../../src/plan/done.js'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type PlanAnalysis
} from '../../src/plan/types.js'
import { ESCAPED_OPEN } from '../../src/render/expression-escape.js'
import {
  GATE_JOB_ID,
  MAX_WORKFLOW_BYTES,
  renderNeedsWorkflow,
  type NeedsWorkflow
} from '../../src/render/needs-workflow.js'
import { EXEC_ACTION_REF } from '../../src/render/waves-flavour.js'
import {
  convertedJobs,
  evaluateExpression,
  workflowStringValue
} from '../support/github-expressions.js'
import { analysed, SEED_PLAN, type PhaseSpec } from './build-plan.js'
import { expectGitHubAccepts } from './needs-render.js'

interface Step {
  uses?: string
  with?: Record<string, string>
}
interface PackedJob {
  name: string
  needs?: string[]
  'runs-on': unknown
  'timeout-minutes'?: number
  steps: Step[]
}

function packed(
  analysis: PlanAnalysis,
  maxJobs?: number,
  plan = '.prd_runner/phase_plan.yaml'
): NeedsWorkflow {
  return renderNeedsWorkflow(analysis, {
    settings: DEFAULT_PARALLEL_SETTINGS,
    invocation: {
      plan,
      out: '.github/workflows/phases.yml',
      ...(maxJobs === undefined ? {} : { maxJobs })
    }
  })
}

/** Phase ids of each job, as exec gets them (YAML read as GitHub does, escapes undone). */
function phasesByJob(text: string): Map<string, string[]> {
  const workflow = parse(text, { version: '1.1' }) as {
    jobs: Record<string, PackedJob>
  }
  const result = new Map<string, string[]>()
  for (const [id, job] of Object.entries(workflow.jobs)) {
    if (id === GATE_JOB_ID) continue
    const exec = job.steps.find(step => step.uses === EXEC_ACTION_REF)
    expect(exec).toBeDefined()
    const raw = exec!.with!['phases']!.replaceAll(ESCAPED_OPEN, '${{')
    result.set(id, JSON.parse(raw) as string[])
  }
  return result
}

/**
 * Every phase that runs in exactly one job, and each dependency in the
 * same job or in a job this one waits for through its needs.
 */
function expectCovers(analysis: PlanAnalysis, text: string): void {
  const workflow = parse(text, { version: '1.1' }) as {
    jobs: Record<string, PackedJob>
  }
  const byJob = phasesByJob(text)
  const jobOf = new Map<string, string>()
  for (const [job, ids] of byJob) {
    for (const id of ids) {
      expect(jobOf.has(id)).toBe(false)
      jobOf.set(id, job)
    }
  }
  const { phases } = analysis.plan
  expect([...jobOf.keys()].sort()).toEqual(
    phases
      .filter(phase => !phase.done)
      .map(phase => phase.id)
      .sort()
  )
  const waitsFor = new Map<string, Set<string>>()
  const closure = (job: string): Set<string> => {
    const known = waitsFor.get(job)
    if (known !== undefined) return known
    const all = new Set<string>()
    const stack = [...(workflow.jobs[job]!.needs ?? [])]
    while (stack.length > 0) {
      const next = stack.pop()!
      if (all.has(next)) continue
      all.add(next)
      stack.push(...(workflow.jobs[next]!.needs ?? []))
    }
    waitsFor.set(job, all)
    return all
  }
  const through = needsThroughDone(analysis)
  for (const phase of phases) {
    if (phase.done) continue
    const job = jobOf.get(phase.id)!
    for (const dep of through[phase.index]!) {
      const depJob = jobOf.get(phases[dep]!.id)!
      expect(depJob === job || closure(job).has(depJob)).toBe(true)
    }
  }
  // The gate needs every job.
  expect([...(workflow.jobs[GATE_JOB_ID]!.needs ?? [])].sort()).toEqual(
    [...byJob.keys()].sort()
  )
}

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
      ).not.toContain('${{')
    }
    expect(evaluateExpression("'${{'")).toBe('${{')
    expect(result.text).toContain(`plan: "plans/${ESCAPED_OPEN} x }}.yaml"`)
  })
})
