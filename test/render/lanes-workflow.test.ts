// Worker lanes in the generated needs graph: whatever the durations, at most
// N phase jobs can run at once (the width of the needs order is at most N),
// and a failure skips exactly its transitive dependents, never a job that
// only follows it on a lane (GitHub's own evaluator reads each `if:`).
import { describe, expect, test } from '@jest/globals'
import { data } from '@actions/expressions'
import type { FunctionDefinition } from '@actions/expressions/funcs/info'
import fc from 'fast-check'
import { parse } from 'yaml'
import { analyzePlan } from '../../src/plan/analyze.js'
import { needsThroughDone } from '../../src/plan/skips.js'
import {
  DEFAULT_PARALLEL_SETTINGS,
  type PlanAnalysis
} from '../../src/plan/types.js'
import { laneNeeds } from '../../src/render/needs-jobs.js'
import {
  GATE_JOB_ID,
  renderNeedsWorkflow
} from '../../src/render/needs-workflow.js'
import { evaluateExpression } from '../support/github-expressions.js'
import { makePlan, type PhaseSpec } from '../support/make-plan.js'
import { actionlint, githubParserErrors } from '../workflows/github.js'

interface Job {
  name: string
  needs?: string[]
  if?: string
}

function render(analysis: PlanAnalysis, lanes: number): Record<string, Job> {
  const result = renderNeedsWorkflow(analysis, {
    settings: { ...DEFAULT_PARALLEL_SETTINGS, maxWorkers: lanes },
    invocation: { plan: 'plan.yaml', maxWorkers: lanes }
  })
  expect(result.problems).toEqual([])
  const jobs = (parse(result.text) as { jobs: Record<string, Job> }).jobs
  return Object.fromEntries(
    Object.entries(jobs).filter(([id]) => id !== GATE_JOB_ID)
  )
}

/** Largest set of jobs no two of which are ordered by needs (Dilworth: n − max matching). */
function width(jobs: Record<string, Job>): number {
  const ids = Object.keys(jobs)
  const index = new Map(ids.map((id, i) => [id, i]))
  const n = ids.length
  // Transitive closure: reach[a][b] when b (transitively) needs a.
  const reach = ids.map(() => new Array<boolean>(n).fill(false))
  const order: number[] = []
  const seen = new Set<number>()
  const visit = (i: number): void => {
    if (seen.has(i)) return
    seen.add(i)
    for (const need of jobs[ids[i]!]!.needs ?? []) visit(index.get(need)!)
    order.push(i)
  }
  ids.forEach((_, i) => {
    visit(i)
  })
  for (const i of order) {
    for (const need of jobs[ids[i]!]!.needs ?? []) {
      const j = index.get(need)!
      reach[j]![i] = true
      reach.forEach(row => {
        if (row[j] === true) row[i] = true
      })
    }
  }
  // Kuhn's bipartite matching on the closure.
  const matchOf = new Array<number>(n).fill(-1)
  const augment = (a: number, used: boolean[]): boolean => {
    for (let b = 0; b < n; b++) {
      if (reach[a]![b] !== true || used[b] === true) continue
      used[b] = true
      if (matchOf[b] === -1 || augment(matchOf[b]!, used)) {
        matchOf[b] = a
        return true
      }
    }
    return false
  }
  let matching = 0
  for (let a = 0; a < n; a++) {
    if (augment(a, new Array<boolean>(n).fill(false))) matching++
  }
  return n - matching
}

type Result = 'success' | 'failure' | 'skipped'

/** Runs the jobs as GitHub would (no cancellation), the failing ones failing. */
function runJobs(
  jobs: Record<string, Job>,
  failing: Set<string>
): Map<string, Result> {
  const results = new Map<string, Result>()
  const statusFunction = (
    name: string,
    value: boolean
  ): FunctionDefinition => ({
    name,
    minArgs: 0,
    maxArgs: 0,
    call: () => new data.BooleanData(value)
  })
  const visit = (id: string): Result => {
    const known = results.get(id)
    if (known !== undefined) return known
    const job = jobs[id]!
    const needs: Record<string, { result: Result }> = {}
    for (const need of job.needs ?? []) needs[need] = { result: visit(need) }
    const all = Object.values(needs).map(n => n.result)
    const expression = job.if ?? 'success()'
    const runs = Boolean(
      evaluateExpression(expression, { needs }, [
        // Direct needs suffice here: a skipped need is itself not success.
        statusFunction(
          'success',
          all.every(r => r === 'success')
        ),
        statusFunction('failure', all.includes('failure')),
        statusFunction('cancelled', false),
        statusFunction('always', true)
      ])
    )
    const result: Result = !runs
      ? 'skipped'
      : failing.has(job.name)
        ? 'failure'
        : 'success'
    results.set(id, result)
    return result
  }
  Object.keys(jobs).forEach(visit)
  return results
}

const randomPlan = fc.integer({ min: 2, max: 14 }).chain(count =>
  fc.record({
    specs: fc
      .tuple(
        fc.array(fc.tuple(fc.nat(count - 1), fc.nat(count - 1)), {
          maxLength: count * 2
        }),
        fc.array(fc.integer({ min: 1, max: 60 }), {
          minLength: count,
          maxLength: count
        }),
        fc.array(fc.nat(9), { minLength: count, maxLength: count })
      )
      .map(([pairs, minutes, luck]) =>
        minutes.map((m, i): PhaseSpec => {
          const deps = new Set<string>()
          for (const [x, y] of pairs) {
            if (x !== y && Math.max(x, y) === i) deps.add(`p${Math.min(x, y)}`)
          }
          const spec: PhaseSpec = {
            id: `p${i}`,
            deps: [...deps],
            estimateMinutes: m
          }
          if (luck[i] === 0) spec.status = 'done'
          return spec
        })
      ),
    lanes: fc.integer({ min: 1, max: 4 }),
    failing: fc.array(fc.nat(count - 1), { maxLength: 3 })
  })
)

function analysisOf(specs: PhaseSpec[]): PlanAnalysis {
  const { analysis, problems } = analyzePlan(makePlan(specs))
  // Warnings (a done phase before its dependencies) are fine here.
  expect(problems.filter(p => p.severity === 'error')).toEqual([])
  return analysis!
}

describe('generate --max-workers N: worker lanes', () => {
  test('at most N phase jobs can ever run at once: the needs order has width ≤ N (property)', () => {
    fc.assert(
      fc.property(randomPlan, ({ specs, lanes }) => {
        const analysis = analysisOf(specs)
        const jobs = render(analysis, lanes)
        expect(width(jobs)).toBeLessThanOrEqual(lanes)
        // Each job adds at most one need (its lane predecessor) to what it
        // waits for without lanes (its deps, reaching through done phases).
        const waitsFor = needsThroughDone(analysis)
        for (const job of Object.values(jobs)) {
          const index = specs.findIndex(s => s.id === job.name)
          const real = (waitsFor[index] ?? []).map(dep => specs[dep]!.id)
          const extra = (job.needs ?? []).filter(
            n => !real.includes(jobs[n]!.name)
          )
          expect(extra.length).toBeLessThanOrEqual(1)
        }
      }),
      { numRuns: 150 }
    )
  })

  test('a failure skips exactly its transitive dependents, never a lane successor (GitHub evaluator, property)', () => {
    fc.assert(
      fc.property(randomPlan, ({ specs, lanes, failing }) => {
        // Done phases anywhere: their dependents wait, through them, for
        // what they wait for, and a failure passes through them.
        const analysis = analysisOf(specs)
        const jobs = render(analysis, lanes)
        const failingIds = new Set(failing.map(i => `p${i}`))
        const results = runJobs(jobs, failingIds)
        // Expected: skipped when a (transitive, through done phases)
        // dependency failed.
        const blocked = new Map<string, boolean>()
        const isBlocked = (id: string): boolean => {
          const known = blocked.get(id)
          if (known !== undefined) return known
          const spec = specs.find(s => s.id === id)!
          const value = (spec.deps ?? []).some(dep => {
            const depSpec = specs.find(s => s.id === dep)!
            const depFails = depSpec.status !== 'done' && failingIds.has(dep)
            return depFails || isBlocked(dep)
          })
          blocked.set(id, value)
          return value
        }
        for (const [jobId, job] of Object.entries(jobs)) {
          const expected = isBlocked(job.name)
            ? 'skipped'
            : failingIds.has(job.name)
              ? 'failure'
              : 'success'
          expect([job.name, results.get(jobId)]).toEqual([job.name, expected])
        }
      }),
      { numRuns: 150 }
    )
  })

  test('a lane need comes with an if: on the real needs only', () => {
    expect(laneNeeds(['a', 'b'], 'c')).toEqual({
      needs: ['a', 'b', 'c'],
      if: "!cancelled() && needs.a.result == 'success' && needs.b.result == 'success'"
    })
    expect(laneNeeds([], 'c')).toEqual({ needs: ['c'], if: '!cancelled()' })
    // A lane predecessor that is a real dependency adds nothing.
    expect(laneNeeds(['a', 'c'], 'c')).toEqual({ needs: ['a', 'c'] })
    expect(laneNeeds(['a'], undefined)).toEqual({ needs: ['a'] })
  })

  test('no lanes when there are no more phase jobs than lanes', () => {
    const analysis = analysisOf([
      { id: 'a', estimateMinutes: 5 },
      { id: 'b', estimateMinutes: 5 },
      { id: 'c', estimateMinutes: 5, status: 'done' }
    ])
    const jobs = render(analysis, 2)
    expect(Object.values(jobs).every(job => job.if === undefined)).toBe(true)
  })

  test('a lanes workflow is accepted by actionlint and GitHub’s parser, and says so in its header', async () => {
    const analysis = analysisOf(
      Array.from({ length: 8 }, (_, i): PhaseSpec => ({
        id: `build-step-${i}`,
        deps: i >= 4 ? [`build-step-${i - 4}`] : [],
        estimateMinutes: i >= 4 ? 1 : 10 + i
      }))
    )
    const result = renderNeedsWorkflow(analysis, {
      settings: { ...DEFAULT_PARALLEL_SETTINGS, maxWorkers: 3 },
      invocation: { plan: 'plan.yaml', maxWorkers: 3 }
    })
    expect(result.notes).toEqual([])
    expect(result.text).toContain(
      '# Worker lanes: at most 3 phase job(s) run at once.'
    )
    expect(result.text).toContain(
      '#   phase-matrix generate --plan plan.yaml --max-workers 3'
    )
    expect(result.text).toContain(`if: "!cancelled() && needs.build-step-`)
    const file = { path: '.github/workflows/phases.yml', text: result.text }
    expect(await actionlint(file)).toEqual([])
    expect(await githubParserErrors(file)).toEqual([])
  })
})
