// Rounds, not levels: the fold of pending phases into rounds (rounds.ts) and
// their legs (packing.ts), as plan and settle hand them out.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { analyzePlan } from '../../src/plan/analyze.js'
import { roundLegs, type Packing } from '../../src/plan/packing.js'
import { MATRIX_LEG_LIMIT } from '../../src/plan/leg-record.js'
import {
  type PhaseStatus,
  decodeLedger,
  encodeLedger
} from '../../src/plan/state.js'
import { foldRound, greenRounds } from '../../src/plan/rounds.js'
import type { Phase, PlanAnalysis } from '../../src/plan/types.js'
import { testLedger } from '../support/ledger.js'
import { makePlan } from '../support/make-plan.js'

const RUNNERS = [undefined, 'windows-latest', 'macos-latest'] as const

interface Spec {
  deps: number[]
  minutes: number
  runner: number
}

function analysedFrom(specs: readonly Spec[]): PlanAnalysis {
  const plan = makePlan(
    specs.map((spec, index) => ({
      id: `p${index}`,
      deps: spec.deps.map(dep => `p${dep}`),
      estimateMinutes: spec.minutes
    }))
  )
  specs.forEach((spec, index) => {
    const runsOn = RUNNERS[spec.runner]
    const phase = plan.phases[index] as Phase
    if (runsOn !== undefined) phase.runsOn = runsOn
  })
  return analyzePlan(plan).analysis!
}

function packing(
  analysis: PlanAnalysis,
  options: Omit<Packing, 'minutes'>
): Packing {
  return {
    minutes: analysis.plan.phases.map(phase => phase.estimateMinutes ?? 10),
    ...options
  }
}

function pending(analysis: PlanAnalysis): PhaseStatus[] {
  return analysis.plan.phases.map(() => 'pending')
}

/** A chain p0 → p1 → … of `length` phases, each on `runner(i)`. */
function chain(length: number, runner: (i: number) => number = () => 0) {
  return analysedFrom(
    Array.from({ length }, (_, i) => ({
      deps: i === 0 ? [] : [i - 1],
      minutes: 5,
      runner: runner(i)
    }))
  )
}

/** Plans of up to 40 phases, dependencies on earlier phases, three runners. */
const plans = fc
  .array(
    fc.record({
      back: fc.array(fc.integer({ min: 1, max: 40 }), { maxLength: 3 }),
      minutes: fc.integer({ min: 0, max: 90 }),
      runner: fc.constantFrom(0, 0, 0, 1, 2)
    }),
    { minLength: 1, maxLength: 40 }
  )
  .map(raw =>
    raw.map((spec, index) => ({
      deps: [...new Set(spec.back.filter(b => b <= index).map(b => index - b))],
      minutes: spec.minutes,
      runner: spec.runner
    }))
  )

describe('foldRound and the legs of its rounds (property)', () => {
  test('every phase once; dependencies in an earlier round or the same leg; runners never mixed; at most max-workers legs; a runner-free plan in at most R rounds', () => {
    fc.assert(
      fc.property(
        plans,
        fc.integer({ min: 1, max: 8 }),
        fc.oneof(fc.integer({ min: 1, max: 6 }), fc.constant(Infinity)),
        fc.integer({ min: 1, max: 4 }),
        fc.boolean(),
        (specs, maxLegs, maxRounds, cores, pack) => {
          const analysis = analysedFrom(specs)
          const shape = packing(analysis, {
            maxLegs,
            pack,
            cores,
            maxRounds
          })
          const rounds = greenRounds(analysis, pending(analysis), shape, 1)
          const roundOf = new Map<number, number>()
          const legOf = new Map<number, number>()
          rounds.forEach((round, r) => {
            const legs = roundLegs(analysis, round, shape, r + 1)
            const kinds = new Set(round.map(i => specs[i]!.runner)).size
            // Each leg one job: max-workers of them with packing (a kind
            // of runner at least one), 64 at most.
            expect(legs.length).toBeLessThanOrEqual(
              pack
                ? Math.max(kinds, Math.min(maxLegs, MATRIX_LEG_LIMIT))
                : MATRIX_LEG_LIMIT
            )
            legs.forEach((leg, l) => {
              const runners = new Set(leg.phases.map(i => specs[i]!.runner))
              expect(runners.size).toBe(1)
              for (const index of leg.phases) {
                expect(roundOf.has(index)).toBe(false)
                roundOf.set(index, r)
                legOf.set(index, l)
              }
            })
            expect(
              legs.flatMap(leg => leg.phases).sort((a, b) => a - b)
            ).toEqual(round)
          })
          expect(roundOf.size).toBe(specs.length)
          specs.forEach((spec, index) => {
            for (const dep of spec.deps) {
              const [mine, theirs] = [roundOf.get(index)!, roundOf.get(dep)!]
              expect(theirs).toBeLessThanOrEqual(mine)
              if (theirs === mine) {
                expect(legOf.get(dep)).toBe(legOf.get(index))
                expect(specs[dep]!.runner).toBe(spec.runner)
              }
            }
          })
          if (specs.every(spec => spec.runner === 0)) {
            expect(rounds.length).toBeLessThanOrEqual(maxRounds)
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe('foldRound', () => {
  const fold = (analysis: PlanAnalysis, options: Partial<Packing> = {}) =>
    greenRounds(
      analysis,
      pending(analysis),
      packing(analysis, {
        maxLegs: 4,
        pack: true,
        cores: 1,
        maxRounds: Infinity,
        ...options
      }),
      1
    )

  test('a 40-level chain fits 24 rounds, and one round when only one is left', () => {
    const deep = chain(40)
    expect(fold(deep, { maxRounds: 24 }).length).toBeLessThanOrEqual(24)
    expect(fold(deep, { maxRounds: 1 })).toEqual([
      Array.from({ length: 40 }, (_, i) => i)
    ])
    // Without packing too: the rounds left require it.
    expect(fold(deep, { maxRounds: 24, pack: false }).length).toBe(24)
  })

  test('a chain that changes runner at every step needs a round a phase', () => {
    const hopping = chain(6, i => i % 2)
    expect(fold(hopping, { maxRounds: 2 })).toHaveLength(6)
    expect(fold(hopping, { maxRounds: 2 })).toEqual(
      Array.from({ length: 6 }, (_, i) => [i])
    )
  })

  test('without packing, the ready phases, one leg each', () => {
    // p0, p1 ready; p2 needs p0.
    const analysis = analysedFrom([
      { deps: [], minutes: 5, runner: 0 },
      { deps: [], minutes: 5, runner: 0 },
      { deps: [0], minutes: 5, runner: 0 }
    ])
    expect(fold(analysis, { pack: false })).toEqual([[0, 1], [2]])
  })

  test('a chain fills the time the longest leg takes anyway', () => {
    // long (60) beside short (10) → after-short (10) → again (10): the chain
    // ends before long does, so it shares round 1, in one leg.
    const analysis = analysedFrom([
      { deps: [], minutes: 60, runner: 0 },
      { deps: [], minutes: 10, runner: 0 },
      { deps: [1], minutes: 10, runner: 0 },
      { deps: [2], minutes: 10, runner: 0 }
    ])
    const shape = packing(analysis, {
      maxLegs: 2,
      pack: true,
      cores: 1,
      maxRounds: Infinity
    })
    const [round] = greenRounds(analysis, pending(analysis), shape, 1)
    expect(round).toEqual([0, 1, 2, 3])
    expect(
      roundLegs(analysis, round!, shape, 1).map(leg => leg.phases)
    ).toEqual([[0], [1, 2, 3]])
  })

  test('order passes through done phases: build → package (done) → publish waits for build', () => {
    const plan = makePlan([
      { id: 'build' },
      { id: 'package', deps: ['build'], status: 'done' },
      { id: 'publish', deps: ['package'] }
    ])
    const analysis = analyzePlan(plan).analysis!
    const statuses: PhaseStatus[] = ['pending', 'done', 'pending']
    const shape = packing(analysis, {
      maxLegs: 4,
      pack: false,
      cores: 1,
      maxRounds: Infinity
    })
    expect(foldRound(analysis, statuses, Infinity, shape)).toEqual([0])
    expect(
      foldRound(analysis, ['succeeded', 'done', 'pending'], Infinity, shape)
    ).toEqual([2])
  })

  test('nothing pending, no round', () => {
    const analysis = chain(3)
    const shape = packing(analysis, {
      maxLegs: 4,
      pack: true,
      cores: 1,
      maxRounds: 3
    })
    expect(
      foldRound(analysis, ['succeeded', 'failed', 'skipped'], 1, shape)
    ).toEqual([])
  })
})

describe('the state keeps the round of each phase', () => {
  test('as one digit a phase, or a list past round 35; a bad one is refused', () => {
    const analysis = chain(4)
    const ledger = testLedger(analysis)
    for (const roundOf of [
      [1, 1, 2, undefined],
      [undefined, undefined, undefined, 3],
      [1, 40, 41, undefined]
    ]) {
      expect(
        decodeLedger(encodeLedger({ ...ledger, roundOf })).roundOf
      ).toEqual(roundOf)
    }
    const bad = encodeLedger({ ...ledger, roundOf: [1, 1, 2, 2] }).replace(
      '"o":"1122"',
      '"o":"11!2"'
    )
    expect(() => decodeLedger(bad)).toThrow(/round '!' is not base 36/)
  })
})
