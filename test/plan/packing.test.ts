import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { analyzePlan } from '../../src/plan/analyze.js'
import { phaseDurations } from '../../src/plan/durations.js'
import { parsePlan } from '../../src/plan/load.js'
import {
  isPacked,
  LEG_ID_BYTES,
  packRound,
  packedLegName
} from '../../src/plan/packing.js'
import type { Phase, PlanAnalysis } from '../../src/plan/types.js'
import { bigPlanYaml } from '../support/big-plan.js'
import { makePlan } from '../support/make-plan.js'

function analysed(text: string): PlanAnalysis {
  const loaded = parsePlan(text, 'plan.yaml')
  const result = analyzePlan(loaded.plan!)
  return result.analysis!
}

describe('packRound', () => {
  test('a round within max-workers is not packed', () => {
    const analysis = analyzePlan(
      makePlan([{ id: 'a' }, { id: 'b' }, { id: 'c' }])
    ).analysis!
    expect(packRound(analysis, [0, 1, 2], [1, 1, 1], 3)).toBeUndefined()
    expect(isPacked(3, 3)).toBe(false)
    expect(isPacked(4, 3)).toBe(true)
    expect(isPacked(257, 0)).toBe(true)
  })

  test('longest first onto the least loaded leg, each leg in plan order', () => {
    const analysis = analyzePlan(
      makePlan(
        [8, 7, 6, 5, 4].map((m, i) => ({ id: `p${i}`, estimateMinutes: m }))
      )
    ).analysis!
    const minutes = phaseDurations(analysis.plan).minutes
    const legs = packRound(analysis, [0, 1, 2, 3, 4], minutes, 2)!
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
    const legs = packRound(analysis, [0, 1, 2, 3, 4], [1, 1, 1, 1, 1], 3)!
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
      const legs = packRound(analysis, wave, minutes, 40)!
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
    // With no limit: at most 256 legs.
    expect(packRound(analysis, analysis.waves[1]!, minutes, 0)).toHaveLength(
      256
    )
  })

  test('deterministic: the same round gives the same legs', () => {
    const analysis = analysed(bigPlanYaml({ libs: 10, packages: 90, apps: 5 }))
    const minutes = phaseDurations(analysis.plan).minutes
    const wave = analysis.waves[1]!
    expect(packRound(analysis, [...wave].reverse(), minutes, 7)).toEqual(
      packRound(analysis, wave, minutes, 7)
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
      round.map(() => 1),
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
    expect(packRound(short, short.waves[0]!, [], 1)).toHaveLength(1)
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
        fc.integer({ min: 0, max: 40 }),
        (specs, maxLegs) => {
          const phases: Phase[] = specs.map((spec, index) => {
            const phase: Phase = {
              id: `p${index}`,
              deps: [],
              done: false,
              index,
              position: { line: index + 1, column: 1 },
              depPositions: []
            }
            const runsOn = runners[spec.runner]
            if (runsOn !== undefined) phase.runsOn = runsOn
            if (spec.timeout !== null) phase.timeoutMinutes = spec.timeout
            return phase
          })
          const analysis = analyzePlan({ file: 'plan.yaml', phases }).analysis!
          const minutes = specs.map(spec => spec.minutes)
          const round = phases.map(phase => phase.index)
          const legs = packRound(analysis, round, minutes, maxLegs)
          const workers = maxLegs <= 0 ? 256 : Math.min(maxLegs, 256)
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
