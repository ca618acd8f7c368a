import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { readPlanFile } from '../../src/repo/files.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { dagTimeline } from '../../src/plan/dag-timeline.js'
import { phaseDurations } from '../../src/plan/durations.js'
import { simulate, type Simulation } from '../../src/plan/simulate.js'
import type { PlanAnalysis } from '../../src/plan/types.js'
import { makePlan, type PhaseSpec } from '../support/make-plan.js'

function analysisOf(specs: PhaseSpec[]): PlanAnalysis {
  const { analysis, problems } = analyzePlan(makePlan(specs))
  // Warnings (a done phase before its dependencies) are fine here.
  expect(problems.filter(p => p.severity === 'error')).toEqual([])
  return analysis!
}

function example(name: string): PlanAnalysis {
  const loaded = readPlanFile(`examples/${name}.yaml`)
  const { analysis } = analyzePlan(loaded.plan!)
  return analysis!
}

function run(
  analysis: PlanAnalysis,
  options: {
    maxWorkers?: number
    jobStart?: number
    fail?: string[]
    estimates?: Record<string, number>
  } = {}
): Simulation {
  const ids = analysis.plan.phases.map(phase => phase.id)
  return simulate(analysis, {
    durations: phaseDurations(
      analysis.plan,
      new Map(Object.entries(options.estimates ?? {}))
    ),
    maxWorkers: options.maxWorkers ?? 0,
    jobStart: options.jobStart ?? 0,
    failed: (options.fail ?? []).map(id => ids.indexOf(id)),
    legLimit: 256
  })
}

const walls = (s: Simulation): Record<string, number> =>
  Object.fromEntries(
    Object.entries(s.modes).map(([name, mode]) => [name, mode.wallMinutes])
  )

describe("feature-prd-runner's examples, by hand", () => {
  it('microservices, no job start: sequential 150, graph 90; with 2 workers waves 120, lanes 120', () => {
    expect(walls(run(example('microservices')))).toEqual({
      sequential: 150,
      waves: 90,
      graph: 90
    })
    const s = run(example('microservices'), { maxWorkers: 2 })
    expect(walls(s)).toEqual({
      sequential: 150,
      waves: 120,
      graph: 90,
      lanes: 120
    })
    expect(s.criticalPathMinutes).toBe(90)
    expect(s.totalWorkMinutes).toBe(150)
    expect(s.lowerBoundMinutes).toBe(90) // max(90, 150 / 2)
    // Lanes: user + order at 0, payment on lane 1 at 30, then the gateway on
    // the lane its dependency order-service ended on (no extra wait).
    const lanes = s.modes.lanes!.schedule.lanes
    const ids = lanes.map(lane =>
      lane.map(i => example('microservices').plan.phases[i]!.id)
    )
    expect(lanes).toHaveLength(2)
    expect(ids).toEqual([
      ['user-service', 'payment-service'],
      ['order-service', 'api-gateway', 'integration-tests']
    ])
  })

  it('microservices with half a minute per job start', () => {
    const s = run(example('microservices'), { jobStart: 0.5 })
    // graph: 30.5 + 30.5 + 30.5 for the chain, + 0.5 for the gate.
    expect(s.modes.graph).toMatchObject({
      wallMinutes: 92,
      jobs: 6,
      runnerMinutes: 5 * 30.5 + 0.5
    })
    // waves: plan .5, 3 × (30.5 + settle .5), report .5.
    expect(s.modes.waves).toMatchObject({
      wallMinutes: 94,
      jobs: 10,
      runnerMinutes: 0.5 + 5 * 30.5 + 3 * 0.5 + 0.5,
      rounds: 3,
      settleJobs: 3
    })
    expect(s.modes.sequential).toMatchObject({ wallMinutes: 150, jobs: 1 })
  })

  it('waves honour max-parallel: a third service waits for a slot', () => {
    const s = run(example('microservices'), { jobStart: 0.5, maxWorkers: 2 })
    // plan .5; round 1: two legs 0.5→31, payment 31→61.5; settle 62;
    // gateway →92.5; settle 93; integration →123.5; settle 124; report 124.5.
    expect(s.modes.waves.wallMinutes).toBe(124.5)
  })

  it('full-stack: sequential 135, waves 110, graph 100 (no job start)', () => {
    const s = run(example('full-stack'))
    expect(walls(s)).toEqual({ sequential: 135, waves: 110, graph: 100 })
    expect(
      s.criticalPath.map(i => example('full-stack').plan.phases[i]!.id)
    ).toEqual([
      'database-migrations',
      'backend-models',
      'backend-api',
      'integration',
      'e2e-tests'
    ])
  })

  it('a failing service skips the gateway and the tests, never the other services', () => {
    const analysis = example('microservices')
    const s = run(analysis, { fail: ['user-service'] })
    const ids = (list: number[]): string[] =>
      list.map(i => analysis.plan.phases[i]!.id)
    expect(ids(s.failed)).toEqual(['user-service'])
    expect(ids(s.skipped)).toEqual(['api-gateway', 'integration-tests'])
    // The failed phase runs its whole estimate; the skipped ones take none.
    expect(walls(s)).toEqual({ sequential: 90, waves: 30, graph: 30 })
  })
})

describe('durations', () => {
  it('counts a phase without an estimate as the median of the others, or 1', () => {
    const plan = makePlan([
      { id: 'a', estimateMinutes: 10 },
      { id: 'b', estimateMinutes: 40 },
      { id: 'c', estimateMinutes: 20 },
      { id: 'd' }
    ])
    expect(phaseDurations(plan).minutes).toEqual([10, 40, 20, 20])
    expect(phaseDurations(makePlan([{ id: 'x' }])).minutes).toEqual([1])
    expect(phaseDurations(plan, new Map([['d', 3]])).minutes).toEqual([
      10, 40, 20, 3
    ])
  })

  it('gives a done phase (any case) 0 minutes, and failure passes through it', () => {
    const analysis = analysisOf([
      { id: 'a', estimateMinutes: 5 },
      { id: 'b', deps: ['a'], estimateMinutes: 7, status: 'DONE' },
      { id: 'c', deps: ['b'], estimateMinutes: 3 }
    ])
    expect(phaseDurations(analysis.plan).minutes).toEqual([5, 0, 3])
    const green = run(analysis)
    expect(walls(green)).toEqual({ sequential: 8, waves: 8, graph: 8 })
    const red = run(analysis, { fail: ['a'] })
    expect(red.skipped).toEqual([2])
  })
})

describe('scale and settle jobs', () => {
  it('simulates a 100,000-phase chain without recursion', () => {
    const specs = Array.from({ length: 100_000 }, (_, i): PhaseSpec => ({
      id: `p${i}`,
      deps: i === 0 ? [] : [`p${i - 1}`],
      estimateMinutes: 1
    }))
    const s = run(analysisOf(specs), { maxWorkers: 3 })
    expect(s.modes.graph.wallMinutes).toBe(100_000)
    expect(s.modes.lanes!.wallMinutes).toBe(100_000)
  })

  it('waves without settle jobs on a green run save one job start per round; settle runs from the first failure on', () => {
    const analysis = example('full-stack')
    const options = {
      durations: phaseDurations(analysis.plan),
      maxWorkers: 0,
      jobStart: 0.5,
      legLimit: 256
    }
    const every = simulate(analysis, { ...options, failed: [] })
    const green = simulate(analysis, {
      ...options,
      failed: [],
      settle: 'after-failure'
    })
    expect(every.modes.waves.settleJobs).toBe(5)
    expect(green.modes.waves.settleJobs).toBe(0)
    expect(every.modes.waves.wallMinutes - green.modes.waves.wallMinutes).toBe(
      5 * 0.5
    )
    // frontend-components (wave 1) fails: settle after every round from 1 on.
    const red = simulate(analysis, {
      ...options,
      failed: [3],
      settle: 'after-failure'
    })
    expect(red.modes.waves.settleJobs).toBe(red.modes.waves.rounds)
  })

  it('hands out a wave of more than 256 phases as consecutive rounds', () => {
    const specs = Array.from({ length: 300 }, (_, i): PhaseSpec => ({
      id: `p${i}`,
      estimateMinutes: 10
    }))
    const s = run(analysisOf(specs))
    expect(s.modes.waves).toMatchObject({ rounds: 2, wallMinutes: 20 })
    expect(s.modes.graph.wallMinutes).toBe(10)
  })
})

// ---- properties -----------------------------------------------------------

interface RandomPlan {
  specs: PhaseSpec[]
  jobStart: number
  workers: number
  fail: number[]
}

const randomPlan: fc.Arbitrary<RandomPlan> = fc
  .integer({ min: 1, max: 30 })
  .chain(count =>
    fc.record({
      specs: fc
        .tuple(
          fc.array(fc.tuple(fc.nat(count - 1), fc.nat(count - 1)), {
            maxLength: count * 2
          }),
          fc.array(fc.option(fc.integer({ min: 0, max: 40 })), {
            minLength: count,
            maxLength: count
          }),
          fc.array(fc.boolean(), { minLength: count, maxLength: count })
        )
        .map(([pairs, estimates, done]) => {
          const deps: string[][] = Array.from({ length: count }, () => [])
          for (const [x, y] of pairs) {
            if (x === y) continue
            const [from, to] = x < y ? [x, y] : [y, x]
            if (!deps[to]!.includes(`p${from}`)) deps[to]!.push(`p${from}`)
          }
          return deps.map((d, i): PhaseSpec => {
            const spec: PhaseSpec = { id: `p${i}`, deps: d }
            const e = estimates[i]
            if (e !== null && e !== undefined) spec.estimateMinutes = e
            // About one phase in eight is done.
            if (done[i] === true && i % 4 === 0) spec.status = 'done'
            return spec
          })
        }),
      jobStart: fc.constantFrom(0, 0.5, 1, 2.25),
      workers: fc.integer({ min: 1, max: 6 }),
      fail: fc.array(fc.nat(count - 1), { maxLength: 3 })
    })
  )

/** Longest path by repeated relaxation (Bellman-Ford style): not the DP under test. */
function longestByRelaxation(
  depsOf: number[][],
  weight: (node: number) => number
): number {
  const finish = depsOf.map((_, node) => weight(node))
  for (let round = 0; round < depsOf.length; round++) {
    depsOf.forEach((deps, node) => {
      for (const dep of deps) {
        finish[node] = Math.max(finish[node]!, finish[dep]! + weight(node))
      }
    })
  }
  return Math.max(0, ...finish)
}

/** Most intervals [start, finish) open at one moment. */
function mostAtOnce(intervals: [number, number][]): number {
  let most = 0
  for (const [at] of intervals) {
    const open = intervals.filter(([s, f]) => s <= at && at < f).length
    most = Math.max(most, open)
  }
  return most
}

const EPSILON = 1e-9

describe('properties on random plans', () => {
  it('graph, unlimited workers: wall = critical path + one job start per job on the longest chain, + the gate', () => {
    fc.assert(
      fc.property(randomPlan, ({ specs, jobStart }) => {
        const analysis = analysisOf(specs)
        const durations = phaseDurations(analysis.plan)
        const s = run(analysis, { jobStart })
        const withStarts = longestByRelaxation(analysis.depsOf, node =>
          durations.done[node] ? 0 : durations.minutes[node]! + jobStart
        )
        expect(s.modes.graph.wallMinutes).toBeCloseTo(withStarts + jobStart, 9)
        if (jobStart === 0) {
          expect(s.modes.graph.wallMinutes).toBeCloseTo(
            s.criticalPathMinutes,
            9
          )
        }
        expect(s.criticalPathMinutes).toBeCloseTo(
          longestByRelaxation(analysis.depsOf, n => durations.minutes[n]!),
          9
        )
      })
    )
  })

  it('no mode is below its lower bound (graph ignores N: its bound is the critical path)', () => {
    fc.assert(
      fc.property(randomPlan, ({ specs, jobStart, workers }) => {
        const analysis = analysisOf(specs)
        const s = run(analysis, { jobStart, maxWorkers: workers })
        const bound = s.lowerBoundMinutes - EPSILON
        expect(s.lowerBoundMinutes).toBeCloseTo(
          Math.max(s.criticalPathMinutes, s.totalWorkMinutes / workers),
          9
        )
        expect(s.modes.sequential.wallMinutes).toBeGreaterThanOrEqual(bound)
        expect(s.modes.waves.wallMinutes).toBeGreaterThanOrEqual(bound)
        expect(s.modes.lanes!.wallMinutes).toBeGreaterThanOrEqual(bound)
        expect(s.modes.graph.wallMinutes).toBeGreaterThanOrEqual(
          s.criticalPathMinutes - EPSILON
        )
        const unlimited = run(analysis, { jobStart })
        expect(unlimited.lowerBoundMinutes).toBe(unlimited.criticalPathMinutes)
        expect(unlimited.modes.waves.wallMinutes).toBeGreaterThanOrEqual(
          unlimited.lowerBoundMinutes - EPSILON
        )
      })
    )
  })

  it('lanes: N lanes, never more than N jobs running, even when real durations differ from the estimates', () => {
    fc.assert(
      fc.property(
        randomPlan,
        fc.array(fc.integer({ min: 0, max: 60 }), {
          minLength: 30,
          maxLength: 30
        }),
        ({ specs, jobStart, workers, fail }, actual) => {
          const analysis = analysisOf(specs)
          const ids = analysis.plan.phases.map(p => p.id)
          const s = run(analysis, {
            jobStart,
            maxWorkers: workers,
            fail: fail.map(i => ids[i]!)
          })
          const lanes = s.modes.lanes!
          expect(lanes.schedule.lanes).toHaveLength(workers)
          const running = (start: number[], finish: number[]) =>
            start
              .map((at, i): [number, number] => [at, finish[i]!])
              .filter(([a, b]) => b > a)
          expect(
            mostAtOnce(running(lanes.start, lanes.finish))
          ).toBeLessThanOrEqual(workers)
          // The generated workflow fixes the lanes; replay it with other
          // durations: each job waits for its deps and its lane predecessor.
          const predsOf = analysis.depsOf.map((deps, node) => {
            const previous = lanes.schedule.lanePrevious[node]!
            return previous === -1 ? deps : [...deps, previous]
          })
          const done = phaseDurations(analysis.plan).done
          const replay = dagTimeline(predsOf, node =>
            done[node] ? 0 : jobStart + actual[node]!
          )
          expect(
            mostAtOnce(
              running(replay.start, replay.finish).filter((_, k) => !done[k])
            )
          ).toBeLessThanOrEqual(workers)
          // In lane order every job's lane predecessor ends before it starts.
          for (const lane of lanes.schedule.lanes) {
            for (let k = 1; k < lane.length; k++) {
              expect(replay.finish[lane[k - 1]!]!).toBeLessThanOrEqual(
                replay.start[lane[k]!]! + EPSILON
              )
            }
          }
        }
      )
    )
  })

  it('skipped = exactly the transitive dependents of --fail (done phases pass failure on but stay done)', () => {
    fc.assert(
      fc.property(randomPlan, ({ specs, fail }) => {
        const analysis = analysisOf(specs)
        const done = phaseDurations(analysis.plan).done
        const failing = [...new Set(fail)].filter(i => !done[i])
        const ids = analysis.plan.phases.map(p => p.id)
        const s = run(analysis, { fail: failing.map(i => ids[i]!) })
        // Reachability from the failed phases, by depth-first search.
        const reached = new Set<number>()
        const stack = [...failing]
        while (stack.length > 0) {
          const node = stack.pop()!
          for (const next of analysis.dependentsOf[node]!) {
            if (!reached.has(next)) {
              reached.add(next)
              stack.push(next)
            }
          }
        }
        const expected = [...reached]
          .filter(i => !done[i] && !failing.includes(i))
          .sort((a, b) => a - b)
        expect(s.skipped).toEqual(expected)
        expect(s.failed).toEqual([...failing].sort((a, b) => a - b))
        for (const i of expected) {
          expect(s.modes.graph.finish[i]).toBe(s.modes.graph.start[i])
        }
      })
    )
  })
})
