import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { analyzePlan } from '../../src/plan/analyze.js'
import { phaseDurations } from '../../src/plan/durations.js'
import { parsePlan } from '../../src/plan/load.js'
import {
  isPacked,
  LEG_ID_BYTES,
  packingOf,
  packRound,
  packedLegName,
  roundLegs,
  type Packing
} from '../../src/plan/packing.js'
import { MATRIX_LEG_LIMIT } from '../../src/plan/leg-record.js'
import type { Phase, PlanAnalysis } from '../../src/plan/types.js'
import { renderRoundMatrix } from '../../src/render/matrix.js'
import { bigPlanYaml } from '../support/big-plan.js'
import { makePlan } from '../support/make-plan.js'

function analysed(text: string): PlanAnalysis {
  const loaded = parsePlan(text, 'plan.yaml')
  const result = analyzePlan(loaded.plan!)
  return result.analysis!
}

/** A packing with pack on, one core, no limit on rounds. */
function pk(minutes: readonly number[], maxLegs: number): Packing {
  return { minutes, maxLegs, pack: true, cores: 1, maxRounds: Infinity }
}

/** Phase `p<index>` with no dependencies, at line index + 1. */
function independentPhase(index: number): Phase {
  return {
    id: `p${index}`,
    deps: [],
    done: false,
    index,
    position: { line: index + 1, column: 1 },
    depPositions: []
  }
}

describe('packRound', () => {
  test('a round within max-workers is not packed', () => {
    const analysis = analyzePlan(
      makePlan([{ id: 'a' }, { id: 'b' }, { id: 'c' }])
    ).analysis!
    expect(packRound(analysis, [0, 1, 2], pk([1, 1, 1], 3), 1)).toBeUndefined()
    expect(isPacked(3, 3)).toBe(false)
    expect(isPacked(4, 3)).toBe(true)
    // Never more than MATRIX_LEG_LIMIT (64) legs: the leg-1 … leg-64 outputs.
    expect(MATRIX_LEG_LIMIT).toBe(64)
    expect(isPacked(64, 64)).toBe(false)
    expect(isPacked(64, 100)).toBe(false)
    expect(isPacked(65, 64)).toBe(true)
    expect(isPacked(65, 100)).toBe(true)
    expect(isPacked(257, 0)).toBe(true)
  })

  test('longest first onto the least loaded leg, each leg in plan order', () => {
    const analysis = analyzePlan(
      makePlan(
        [8, 7, 6, 5, 4].map((m, i) => ({ id: `p${i}`, estimateMinutes: m }))
      )
    ).analysis!
    const minutes = phaseDurations(analysis.plan).minutes
    const legs = packRound(analysis, [0, 1, 2, 3, 4], pk(minutes, 2), 1)!
    // LPT: 8→1, 7→2, 6→2 (7 < 8), 5→1 (8 < 13), 4→1 (13 = 13: the lower leg).
    expect(legs.map(leg => leg.phases)).toEqual([
      [0, 3, 4],
      [1, 2]
    ])
    expect(legs.map(leg => leg.minutes)).toEqual([17, 13])
    expect(legs.map(leg => leg.name)).toEqual([
      packedLegName(1, 1, 2),
      'wave 1 leg 2/2'
    ])
  })

  test('phases on different runners never share a leg; timeouts add up', () => {
    const text = `phases:
  - {id: a, runs-on: macos-latest, timeout-minutes: 5}
  - {id: b, runs-on: macos-latest, timeout-minutes: 7}
  - {id: c}
  - {id: d}
  - {id: e}
`
    const analysis = analysed(text)
    const legs = packRound(
      analysis,
      [0, 1, 2, 3, 4],
      pk([1, 1, 1, 1, 1], 3),
      1
    )!
    expect(legs).toHaveLength(3)
    const mac = legs.filter(leg => leg.runsOn === 'macos-latest')
    expect(mac).toHaveLength(1)
    expect(mac[0]!.phases).toEqual([0, 1])
    expect(mac[0]!.timeoutMinutes).toBe(5 + 7 + 10)
    for (const leg of legs.filter(l => l.runsOn === undefined)) {
      expect(leg.timeoutMinutes).toBeUndefined()
    }
  })

  test('1,000 phases, 600 in one wave, max-workers 40: no round over 40 legs, every phase once, balanced', () => {
    const analysis = analysed(
      bigPlanYaml({ libs: 200, packages: 600, apps: 200 })
    )
    expect(analysis.waves.map(w => w.length)).toEqual([200, 600, 200])
    const minutes = phaseDurations(analysis.plan).minutes
    for (const wave of analysis.waves) {
      const legs = packRound(analysis, wave, pk(minutes, 40), 1)!
      expect(legs.length).toBe(40)
      const all = legs.flatMap(leg => leg.phases).sort((a, b) => a - b)
      expect(all).toEqual([...wave].sort((a, b) => a - b))
      // LPT is within 4/3 of the optimum; the optimum is at least the mean.
      const loads = legs.map(leg => leg.minutes)
      const mean = loads.reduce((s, m) => s + m, 0) / loads.length
      const longest = Math.max(...wave.map(i => minutes[i]!))
      expect(Math.max(...loads)).toBeLessThanOrEqual(
        (4 / 3) * Math.max(mean, longest) + 1e-9
      )
    }
    // With no limit, or a limit above it: MATRIX_LEG_LIMIT (64) legs.
    expect(
      packRound(analysis, analysis.waves[1]!, pk(minutes, 0), 1)
    ).toHaveLength(MATRIX_LEG_LIMIT)
    expect(
      packRound(analysis, analysis.waves[1]!, pk(minutes, 256), 1)
    ).toHaveLength(MATRIX_LEG_LIMIT)
  })

  test('deterministic: the same round gives the same legs', () => {
    const analysis = analysed(bigPlanYaml({ libs: 10, packages: 90, apps: 5 }))
    const minutes = phaseDurations(analysis.plan).minutes
    const wave = analysis.waves[1]!
    expect(packRound(analysis, [...wave].reverse(), pk(minutes, 7), 1)).toEqual(
      packRound(analysis, wave, pk(minutes, 7), 1)
    )
  })

  test('one worker, thousands of long ids: more legs than workers, so no leg’s ids exceed LEG_ID_BYTES', () => {
    const analysis = analyzePlan(
      makePlan(
        Array.from({ length: 3000 }, (_, i) => ({
          id: `package-${String(i).padStart(4, '0')}-${'x'.repeat(40)}`
        }))
      )
    ).analysis!
    const round = analysis.waves[0]!
    const legs = packRound(
      analysis,
      round,
      pk(
        round.map(() => 1),
        1
      ),
      1
    )!
    expect(legs.length).toBeGreaterThan(1)
    for (const leg of legs) {
      const ids = JSON.stringify(
        leg.phases.map(index => analysis.plan.phases[index]!.id)
      )
      expect(Buffer.byteLength(ids)).toBeLessThanOrEqual(LEG_ID_BYTES + 60)
    }
    // Short ids: exactly max-workers legs.
    const short = analyzePlan(
      makePlan(Array.from({ length: 3000 }, (_, i) => ({ id: `p${i}` })))
    ).analysis!
    expect(packRound(short, short.waves[0]!, pk([], 1), 1)).toHaveLength(1)
  })

  test('every phase once, legs = max(runner kinds, max-workers), one runner a leg, LPT within one phase of the mean (property)', () => {
    const runners = [undefined, 'macos-latest', ['self-hosted', 'gpu']]
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            minutes: fc.integer({ min: 0, max: 600 }).map(m => m / 10),
            runner: fc.integer({ min: 0, max: 2 }),
            timeout: fc.option(fc.integer({ min: 1, max: 90 }))
          }),
          { minLength: 1, maxLength: 120 }
        ),
        // Above 64 too: the limit caps max-workers.
        fc.integer({ min: 0, max: 80 }),
        (specs, maxLegs) => {
          const phases: Phase[] = specs.map((spec, index) => {
            const phase = independentPhase(index)
            const runsOn = runners[spec.runner]
            if (runsOn !== undefined) phase.runsOn = runsOn
            if (spec.timeout !== null) phase.timeoutMinutes = spec.timeout
            return phase
          })
          const analysis = analyzePlan({ file: 'plan.yaml', phases }).analysis!
          const minutes = specs.map(spec => spec.minutes)
          const round = phases.map(phase => phase.index)
          const legs = packRound(analysis, round, pk(minutes, maxLegs), 1)
          const workers =
            maxLegs <= 0
              ? MATRIX_LEG_LIMIT
              : Math.min(maxLegs, MATRIX_LEG_LIMIT)
          if (round.length <= workers) {
            expect(legs).toBeUndefined()
            return
          }
          const kinds = new Set(specs.map(spec => spec.runner)).size
          expect(legs).toHaveLength(Math.max(kinds, workers))
          const seen = legs!.flatMap(leg => leg.phases).sort((a, b) => a - b)
          expect(seen).toEqual(round)
          for (const leg of legs!) {
            expect(leg.phases).toEqual([...leg.phases].sort((a, b) => a - b))
            const own = leg.phases.map(index => phases[index]!)
            for (const phase of own) expect(phase.runsOn).toEqual(leg.runsOn)
            const sum = leg.phases.reduce((s, i) => s + minutes[i]!, 0)
            expect(leg.minutes).toBeCloseTo(sum, 9)
            const timeouts = own.map(phase => phase.timeoutMinutes)
            expect(leg.timeoutMinutes).toEqual(
              timeouts.every(t => t !== undefined)
                ? Math.ceil(timeouts.reduce((s, t) => s + t, 0) + 10)
                : undefined
            )
          }
          // LPT: within one phase of its runner kind's mean leg.
          for (const kind of new Set(
            legs!.map(leg => JSON.stringify(leg.runsOn))
          )) {
            const ofKind = legs!.filter(
              leg => JSON.stringify(leg.runsOn) === kind
            )
            const loads = ofKind.map(leg => leg.minutes)
            const mean = loads.reduce((s, m) => s + m, 0) / loads.length
            const longest = Math.max(
              ...ofKind.flatMap(leg => leg.phases.map(i => minutes[i]!))
            )
            expect(Math.max(...loads)).toBeLessThanOrEqual(
              mean + longest + 1e-9
            )
          }
        }
      )
    )
  })
})

/** Independent phases (one wave), each on runner kind `runners[i]` (index into RUNNERS). */
const RUNNERS = [undefined, 'macos-latest', ['self-hosted', 'gpu']] as const

function independent(runners: readonly number[]): PlanAnalysis {
  const phases: Phase[] = runners.map((runner, index) => {
    const phase = independentPhase(index)
    const runsOn = RUNNERS[runner]
    if (runsOn !== undefined)
      phase.runsOn = typeof runsOn === 'string' ? runsOn : [...runsOn]
    return phase
  })
  return analyzePlan({ file: 'plan.yaml', phases }).analysis!
}

describe('packingOf', () => {
  const analysis = analyzePlan(
    makePlan([
      { id: 'a', estimateMinutes: 4 },
      { id: 'b' },
      { id: 'c', estimateMinutes: 2 }
    ])
  ).analysis!

  test('always a packing: max-workers legs with pack, else MATRIX_LEG_LIMIT', () => {
    expect(packingOf(analysis, { pack: true, maxWorkers: 7 }).maxLegs).toBe(7)
    expect(packingOf(analysis, { maxWorkers: 7 }).maxLegs).toBe(
      MATRIX_LEG_LIMIT
    )
    expect(packingOf(analysis, { pack: false, maxWorkers: 7 }).maxLegs).toBe(
      MATRIX_LEG_LIMIT
    )
  })

  test("the plan's estimates, with the ledger's overrides", () => {
    const plain = packingOf(analysis, { maxWorkers: 2 })
    expect(plain.minutes).toEqual(phaseDurations(analysis.plan).minutes)
    const overridden = packingOf(analysis, {
      maxWorkers: 2,
      estimates: [undefined, 9]
    })
    expect(overridden.minutes[0]).toBe(4)
    expect(overridden.minutes[1]).toBe(9)
    expect(overridden.minutes[2]).toBe(2)
  })
})

describe('roundLegs', () => {
  test('an unpacked round: one leg per phase, in plan order, numbered from 1', () => {
    const analysis = independent([0, 1, 0, 2])
    const packing = packingOf(analysis, { maxWorkers: 2 })
    expect(roundLegs(analysis, [3, 0, 2], packing, 1)).toEqual([
      { leg: 1, phases: [0] },
      { leg: 2, phases: [2] },
      { leg: 3, phases: [3] }
    ])
  })

  test('without pack, a round over MATRIX_LEG_LIMIT is packed into that many legs', () => {
    const analysis = independent(
      new Array<number>(MATRIX_LEG_LIMIT + 1).fill(0)
    )
    const round = analysis.waves[0]!
    const packing = packingOf(analysis, { maxWorkers: 3 })
    const legs = roundLegs(analysis, round, packing, 1)
    expect(legs).toHaveLength(MATRIX_LEG_LIMIT)
    expect(legs.every(leg => leg.packed !== undefined)).toBe(true)
    expect(
      roundLegs(analysis, round.slice(0, MATRIX_LEG_LIMIT), packing, 1)
    ).toHaveLength(MATRIX_LEG_LIMIT)
    expect(
      roundLegs(analysis, round.slice(0, MATRIX_LEG_LIMIT), packing, 1).every(
        leg => leg.packed === undefined && leg.phases.length === 1
      )
    ).toBe(true)
  })

  test('every phase in one leg, legs 1..n, at most MATRIX_LEG_LIMIT (max-workers with pack), one runner a leg, as the matrix lists them (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: RUNNERS.length - 1 }), {
          minLength: 1,
          maxLength: 150
        }),
        fc.func(fc.boolean()),
        fc.boolean(),
        fc.integer({ min: 0, max: 80 }),
        (runners, inRound, pack, maxWorkers) => {
          const analysis = independent(runners)
          const phases = analysis.plan.phases
          // Any part of the wave may be a round (the rest done, skipped or
          // succeeded earlier); in any order.
          const round = phases
            .map(phase => phase.index)
            .filter(index => inRound(index))
            .reverse()
          if (round.length === 0) return
          const packing = packingOf(analysis, {
            ...(pack ? { pack: true } : {}),
            maxWorkers
          })
          const legs = roundLegs(analysis, round, packing, 1)
          // Every phase of the round in exactly one leg.
          expect(legs.flatMap(leg => leg.phases).sort((a, b) => a - b)).toEqual(
            [...round].sort((a, b) => a - b)
          )
          // Numbered 1..n in matrix order.
          expect(legs.map(leg => leg.leg)).toEqual(
            legs.map((_, position) => position + 1)
          )
          // Never more legs than wave jobs have outputs for.
          expect(legs.length).toBeLessThanOrEqual(MATRIX_LEG_LIMIT)
          // Phases on different runners never share a leg.
          for (const leg of legs) {
            const kinds = new Set(
              leg.phases.map(index => JSON.stringify(phases[index]!.runsOn))
            )
            expect(kinds.size).toBe(1)
            if (leg.packed !== undefined) {
              expect(leg.packed.phases).toEqual(leg.phases)
              expect(JSON.stringify(leg.packed.runsOn)).toBe([...kinds][0])
            }
          }
          const kinds = new Set(round.map(index => runners[index])).size
          const workers =
            pack && maxWorkers > 0
              ? Math.min(maxWorkers, MATRIX_LEG_LIMIT)
              : MATRIX_LEG_LIMIT
          if (round.length > workers) {
            // Packed into the workers, but each runner kind gets a leg of
            // its own (max-parallel still runs at most max-workers at once).
            expect(legs.length).toBe(Math.max(workers, kinds))
            if (kinds === 1) expect(legs.length).toBe(workers)
          } else {
            // One leg per phase, in plan order.
            expect(legs.map(leg => leg.phases)).toEqual(
              [...round].sort((a, b) => a - b).map(index => [index])
            )
          }
          // Plan, settle and the report agree: the matrix lists these legs.
          const matrix = JSON.parse(
            renderRoundMatrix(analysis, round, packing, 1)
          ) as { include: { leg: number; id: string; phases?: string[] }[] }
          expect(
            matrix.include.map(entry => [entry.leg, entry.phases ?? [entry.id]])
          ).toEqual(
            legs.map(leg => [
              leg.leg,
              leg.phases.map(index => phases[index]!.id)
            ])
          )
        }
      )
    )
  })
})
