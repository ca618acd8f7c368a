import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { analyzePlan } from '../../src/plan/analyze.js'
import {
  handOutNext,
  initialStatuses,
  isFinished,
  outcomeLists,
  runningPhases,
  settleRound,
  type LegResult
} from '../../src/plan/schedule.js'
import { greenRounds } from '../../src/plan/rounds.js'
import { skipCauses } from '../../src/plan/skips.js'
import type { Ledger } from '../../src/plan/state.js'
import type { PlanAnalysis } from '../../src/plan/types.js'
import { reasonOf } from '../../src/render/report.js'
import type { Packing } from '../../src/plan/packing.js'
import { testLedger, testPacking } from '../support/ledger.js'
import {
  makePlan,
  specsFromEdges,
  type PhaseSpec
} from '../support/make-plan.js'

function analyse(specs: PhaseSpec[]): PlanAnalysis {
  const { analysis, problems } = analyzePlan(makePlan(specs))
  expect(problems.filter(p => p.severity === 'error')).toEqual([])
  return analysis!
}

interface Run {
  analysis: PlanAnalysis
  ledger: Ledger
  /** Ids handed out, round by round. */
  rounds: string[][]
  /** Ledger snapshots before each round was settled. */
  history: Ledger[]
}

interface SimulateOptions {
  failFast?: boolean
  /** How rounds fold (default: ready phases, one leg each). */
  packing?: Partial<Omit<Packing, 'minutes'>>
  /** The status each failing phase gets (default failed). */
  failAs?: LegResult['status']
  earlier?: Set<string>
}

/** Plays a whole run: phases in `fails` fail when they run, the rest succeed. */
function simulate(
  specs: PhaseSpec[],
  fails: ReadonlySet<string>,
  options: SimulateOptions = {}
): Run {
  const analysis = analyse(specs)
  const ids = analysis.plan.phases.map(p => p.id)
  const handOutOptions = {
    attempt: 1,
    packing: testPacking(analysis, options.packing),
    succeededEarlier: (index: number) =>
      options.earlier?.has(ids[index]!) === true ? { seconds: 5 } : undefined
  }
  let { ledger, round } = handOutNext(
    analysis,
    testLedger(analysis, {
      maxWorkers: 256,
      failFast: options.failFast ?? false
    }),
    handOutOptions
  )
  const rounds: string[][] = []
  const history: Ledger[] = []
  while (round.length > 0) {
    rounds.push(round.map(i => ids[i]!))
    history.push(ledger)
    expect(runningPhases(ledger)).toEqual(round)
    // As exec runs a leg: a phase whose dependency in the round (in its
    // leg) did not succeed is skipped.
    const ended = new Map<number, LegResult['status']>()
    const inRound = new Set(round)
    for (const index of analysis.waves.flat()) {
      if (!inRound.has(index)) continue
      const blocked = analysis.depsOf[index]!.some(
        dep => inRound.has(dep) && ended.get(dep) !== 'succeeded'
      )
      ended.set(
        index,
        blocked
          ? 'skipped'
          : fails.has(ids[index]!)
            ? (options.failAs ?? 'failed')
            : 'succeeded'
      )
    }
    const results: LegResult[] = round.map(index => ({
      index,
      status: ended.get(index)!,
      seconds: index + 1
    }))
    ledger = settleRound(analysis, ledger, results)
    ;({ ledger, round } = handOutNext(analysis, ledger, handOutOptions))
  }
  expect(isFinished(ledger)).toBe(true)
  return { analysis, ledger, rounds, history }
}

function reasons(run: Run): Record<string, string> {
  const causes = skipCauses(run.analysis, run.ledger)
  const out: Record<string, string> = {}
  run.analysis.plan.phases.forEach(phase => {
    out[phase.id] = reasonOf(run.analysis, run.ledger, phase.index, causes)
  })
  return out
}

// The seed's "Error Handling" example.
const SEED_FAILURE: PhaseSpec[] = [
  { id: 'database-schema' },
  { id: 'frontend-components' },
  { id: 'api-endpoints', deps: ['database-schema'] },
  { id: 'frontend-state', deps: ['frontend-components'] },
  { id: 'integration', deps: ['api-endpoints', 'frontend-state'] }
]

describe('the schedule', () => {
  test("the seed's failure example: dependents skipped, independent phases go on", () => {
    const run = simulate(SEED_FAILURE, new Set(['frontend-components']))
    expect(run.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints']
    ])
    expect(outcomeLists(run.analysis, run.ledger)).toEqual({
      succeeded: ['database-schema', 'api-endpoints'],
      unchanged: [],
      failed: ['frontend-components'],
      skipped: ['frontend-state', 'integration'],
      flaky: []
    })
    expect(reasons(run)).toEqual({
      'database-schema': '',
      'frontend-components': 'its command failed',
      'api-endpoints': '',
      'frontend-state': 'dependency frontend-components failed',
      integration:
        'dependency frontend-state skipped (frontend-components failed)'
    })
    expect(run.ledger.seconds).toEqual([1, 2, 3, undefined, undefined])
  })

  test('all green: one round per wave', () => {
    const run = simulate(SEED_FAILURE, new Set())
    expect(run.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state'],
      ['integration']
    ])
    expect(outcomeLists(run.analysis, run.ledger).succeeded).toHaveLength(5)
  })

  test('a cancelled or timed-out dependency is named as such', () => {
    const run = simulate(SEED_FAILURE, new Set(['database-schema']), {
      failAs: 'timed-out'
    })
    expect(reasons(run)['api-endpoints']).toBe(
      'dependency database-schema failed (timed out)'
    )
    expect(reasons(run)['database-schema']).toBe('job timed out')
  })

  test.each([
    [
      'missing',
      'its leg left no record (cancelled, crashed, or its output was dropped)',
      'no record'
    ],
    ['unknown', 'the record of its leg was not believed', 'record not believed']
  ] as const)(
    'a leg with no record, or a record not believed (%s), counts failed and says so',
    (failAs, reason, dependentReason) => {
      const run = simulate(SEED_FAILURE, new Set(['database-schema']), {
        failAs
      })
      expect(outcomeLists(run.analysis, run.ledger).failed).toEqual([
        'database-schema'
      ])
      expect(reasons(run)['database-schema']).toBe(reason)
      expect(reasons(run)['api-endpoints']).toBe(
        `dependency database-schema failed (${dependentReason})`
      )
    }
  )

  test('fail-fast: no new phase starts after a failure', () => {
    const specs: PhaseSpec[] = [
      { id: 'a' },
      { id: 'b' },
      { id: 'c', deps: ['a'] },
      { id: 'd', deps: ['b'] },
      { id: 'e', deps: ['d'] }
    ]
    const run = simulate(specs, new Set(['a']), { failFast: true })
    expect(run.rounds).toEqual([['a', 'b']])
    expect(reasons(run)).toEqual({
      a: 'its command failed',
      b: '',
      c: 'dependency a failed',
      d: 'fail-fast: a failed',
      e: 'fail-fast: a failed'
    })
    expect(run.ledger.stoppedBy).toBe(0)
  })

  test('phases marked done never run and count as succeeded', () => {
    const specs: PhaseSpec[] = [
      { id: 'a', status: 'done' },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['b'] }
    ]
    const run = simulate(specs, new Set())
    expect(run.rounds).toEqual([['b'], ['c']])
    expect(reasons(run).a).toBe('status: done in the plan')
    expect(
      greenRounds(
        run.analysis,
        initialStatuses(run.analysis),
        testPacking(run.analysis),
        1
      )
    ).toHaveLength(2)
  })

  test('order and failure pass through a done phase: build → package (done) → publish', () => {
    const specs: PhaseSpec[] = [
      { id: 'build' },
      { id: 'package', deps: ['build'], status: 'Done' },
      { id: 'sign', deps: ['package'], status: 'DONE' },
      { id: 'publish', deps: ['sign'] },
      { id: 'docs' }
    ]
    const green = simulate(specs, new Set())
    expect(green.rounds).toEqual([['build', 'docs'], ['publish']])
    const red = simulate(specs, new Set(['build']))
    expect(red.rounds).toEqual([['build', 'docs']])
    expect(outcomeLists(red.analysis, red.ledger)).toEqual({
      succeeded: ['package', 'sign', 'docs'],
      unchanged: [],
      failed: ['build'],
      skipped: ['publish'],
      flaky: []
    })
    expect(reasons(red).publish).toBe(
      'dependency build failed, via sign, package (status: done)'
    )
    expect(reasons(red).package).toBe('status: done in the plan')
    // A skip (not only a failure) passes through too, and names its root.
    const deeper = simulate(
      [
        { id: 'a' },
        { id: 'b', deps: ['a'] },
        { id: 'c', deps: ['b'], status: 'done' },
        { id: 'd', deps: ['c'] }
      ],
      new Set(['a'])
    )
    expect(reasons(deeper).d).toBe(
      'dependency b skipped (a failed), via c (status: done)'
    )
  })

  test('a 100,000-phase chain of done phases after a failure: reasons stay short, time linear', () => {
    const count = 100_000
    const specs: PhaseSpec[] = [{ id: 'root' }]
    for (let i = 1; i < count - 1; i++)
      specs.push({ id: `d${i}`, deps: [specs[i - 1]!.id], status: 'done' })
    specs.push({ id: 'last', deps: [specs[count - 2]!.id] })
    const run = simulate(specs, new Set(['root']))
    expect(run.rounds).toEqual([['root']])
    expect(reasons(run).last).toBe(
      `dependency root failed, via d${count - 2}, d${count - 3}, d${count - 4} and ${count - 5} more (status: done)`
    )
  })

  test('everything done: nothing to hand out at all', () => {
    const run = simulate([{ id: 'a', status: 'done' }], new Set())
    expect(run.rounds).toEqual([])
    expect(run.ledger.round).toBe(0)
  })

  test('phases that succeeded in an earlier attempt are not handed out again', () => {
    const run = simulate(SEED_FAILURE, new Set(), {
      earlier: new Set(['api-endpoints', 'frontend-state'])
    })
    // Wave 2 became empty: the next round is wave 3.
    expect(run.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['integration']
    ])
    expect(reasons(run)['api-endpoints']).toBe(
      'succeeded in an earlier attempt of this run'
    )
    expect(run.ledger.seconds[2]).toBe(5)
  })

  test('rounds that became empty are passed over', () => {
    const specs: PhaseSpec[] = [
      { id: 'a' },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['b'] },
      { id: 'x' },
      { id: 'y', deps: ['x'] },
      { id: 'z', deps: ['y'] },
      { id: 'w', deps: ['z'] }
    ]
    const run = simulate(specs, new Set(['a']))
    expect(run.rounds).toEqual([['a', 'x'], ['y'], ['z'], ['w']])
    const wavesOfRounds = run.history.map(l => l.wave)
    expect(wavesOfRounds).toEqual([0, 1, 2, 3])
  })

  test('a wave over the leg limit is one round, packed into legs', () => {
    const specs: PhaseSpec[] = Array.from({ length: 600 }, (_, i) => ({
      id: `p${i}`
    }))
    specs.push({ id: 'last', deps: ['p0', 'p599'] })
    const run = simulate(specs, new Set(['p300']))
    // One round however wide: its legs are packed into 64.
    expect(run.rounds.map(r => r.length)).toEqual([600, 1])
    expect(run.history.map(l => [l.round, l.wave])).toEqual([
      [1, 0],
      [2, 1]
    ])
    expect(
      greenRounds(
        run.analysis,
        initialStatuses(run.analysis),
        testPacking(run.analysis),
        1
      )
    ).toHaveLength(2)
  })

  test('settling a round needs a result for every leg, and only for legs', () => {
    const analysis = analyse(SEED_FAILURE)
    const { ledger } = handOutNext(
      analysis,
      testLedger(analysis, { maxWorkers: 1, failFast: false }),
      { attempt: 1, packing: testPacking(analysis) }
    )
    expect(() =>
      settleRound(analysis, ledger, [{ index: 0, status: 'succeeded' }])
    ).toThrow(/No result for phase #1/)
    expect(() =>
      settleRound(analysis, ledger, [{ index: 2, status: 'succeeded' }])
    ).toThrow(/not in the current round/)
    expect(() =>
      handOutNext(analysis, ledger, {
        attempt: 1,
        packing: testPacking(analysis)
      })
    ).toThrow(/not been settled/)
  })

  test('a 100,000-phase chain settles without recursion', () => {
    const specs: PhaseSpec[] = Array.from({ length: 100_000 }, (_, i) =>
      i === 0 ? { id: 'p0' } : { id: `p${i}`, deps: [`p${i - 1}`] }
    )
    const run = simulate(specs, new Set(['p0']))
    expect(run.rounds).toEqual([['p0']])
    const causes = skipCauses(run.analysis, run.ledger)
    expect(reasonOf(run.analysis, run.ledger, 99_999, causes)).toBe(
      'dependency p99998 skipped (p0 failed)'
    )
  })
})

describe('properties on random DAGs', () => {
  const dagWithFailures = fc.integer({ min: 1, max: 14 }).chain(count =>
    fc.record({
      count: fc.constant(count),
      edges: fc.array(
        fc
          .tuple(fc.nat(count - 1), fc.nat(count - 1))
          .map(([a, b]): [number, number] => (a < b ? [a, b] : [b, a])),
        { maxLength: count * 2 }
      ),
      fails: fc.uniqueArray(fc.nat(count - 1), { maxLength: count }),
      failFast: fc.boolean(),
      pack: fc.boolean(),
      maxLegs: fc.integer({ min: 1, max: 4 }),
      maxRounds: fc.oneof(fc.integer({ min: 1, max: 4 }), fc.constant(Infinity))
    })
  )

  test('skipped iff a transitive dependency failed; nothing runs before its deps succeeded', () => {
    fc.assert(
      fc.property(
        dagWithFailures,
        ({ count, edges, fails, failFast, pack, maxLegs, maxRounds }) => {
          const specs = specsFromEdges(
            count,
            edges.filter(([a, b]) => a !== b)
          )
          const failing = new Set(fails.map(i => `p${i}`))
          const packing = { pack, maxLegs, maxRounds }
          const run = simulate(specs, failing, { failFast, packing })
          const { analysis, ledger } = run
          const status = (i: number) => ledger.statuses[i]!

          // Transitive dependencies, by plan index (deps point to lower indices).
          const ancestors: Set<number>[] = []
          for (let i = 0; i < count; i++) {
            const set = new Set<number>()
            for (const d of analysis.depsOf[i]!) {
              set.add(d)
              for (const a of ancestors[d]!) set.add(a)
            }
            ancestors.push(set)
          }
          const failed = (i: number) => status(i) === 'failed'
          for (let i = 0; i < count; i++) {
            const ancestorFailed = [...ancestors[i]!].some(failed)
            if (!failFast) {
              expect(status(i) === 'skipped').toBe(ancestorFailed)
              expect(failed(i)).toBe(failing.has(`p${i}`) && !ancestorFailed)
              expect(['succeeded', 'failed', 'skipped']).toContain(status(i))
            } else if (ancestorFailed) {
              expect(['skipped', 'fail-fast']).toContain(status(i))
            }
          }

          // When each phase was handed out, every dependency had succeeded
          // or was in the same round (and leg, run first by exec).
          const roundOf = new Map<string, number>()
          run.rounds.forEach((ids, r) => {
            for (const id of ids) roundOf.set(id, r)
          })
          run.history.forEach((before, r) => {
            for (const id of run.rounds[r]!) {
              const index = Number(id.slice(1))
              for (const dep of analysis.depsOf[index]!) {
                if (roundOf.get(`p${dep}`) === r) {
                  expect(before.statuses[dep]).toBe('running')
                } else {
                  expect(before.statuses[dep]).toBe('succeeded')
                  expect(roundOf.get(`p${dep}`)!).toBeLessThan(r)
                }
              }
            }
            expect(run.rounds[r]!.length).toBeGreaterThan(0)
          })
          // A green run fits the rounds there are.
          if (fails.length === 0) {
            expect(run.rounds.length).toBeLessThanOrEqual(maxRounds)
          }

          // fail-fast: no phase is handed out after the round of the first failure.
          if (failFast) {
            const firstFailedRound = run.rounds.findIndex(ids =>
              ids.some(id => failing.has(id))
            )
            if (firstFailedRound !== -1) {
              expect(run.rounds).toHaveLength(firstFailedRound + 1)
            }
          }
        }
      ),
      { numRuns: 100 }
    )
  })
})
