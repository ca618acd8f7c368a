// The waves mode's timeline with packed legs running several phases at once
// on their runner's cores (exec's leg-concurrency).
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { wavesTimeline, type WavesInput } from '../../src/plan/simulate.js'

/** One wave of `minutes.length` independent phases packed into `legs` (phase i on leg i mod legs). */
function oneWave(
  minutes: number[],
  legs: number,
  legConcurrency: number
): WavesInput {
  const phases = minutes.map((_, index) => index)
  return {
    rounds: [
      Array.from({ length: legs }, (_, leg) =>
        phases.filter(index => index % legs === leg)
      )
    ],
    depsOf: minutes.map(() => []),
    minutes,
    done: minutes.map(() => false),
    outcome: minutes.map(() => undefined),
    maxParallel: legs,
    jobStart: 0.5,
    settle: 'after-failure',
    legConcurrency
  }
}

describe('wavesTimeline with leg-concurrency', () => {
  test('four 10-minute phases in one leg: 40 minutes on one core, 20 on two, 10 on four', () => {
    const ends = [1, 2, 4, 8].map(cores => {
      const timeline = wavesTimeline(oneWave([10, 10, 10, 10], 1, cores))
      // plan job, the leg's job start, the phases, the report job.
      return timeline.end - 0.5 - 0.5 - 0.5
    })
    expect(ends).toEqual([40, 20, 10, 10])
  })

  test('a chain in a leg: a phase starts once its dependencies in the leg have ended; a skipped one takes no time', () => {
    // a (10) → b (5); c (20) beside them on a second core; d (7) after c.
    const input: WavesInput = {
      ...oneWave([10, 5, 20, 7], 1, 2),
      depsOf: [[], [0], [], [2]]
    }
    const timeline = wavesTimeline(input)
    expect(timeline.finish.map(end => end - 1)).toEqual([10, 15, 20, 27])
    // a fails: b is skipped in its leg and takes no time.
    const failed = wavesTimeline({
      ...input,
      outcome: ['failed', 'skipped', undefined, undefined]
    })
    expect(failed.finish.map(end => (end === 0 ? 0 : end - 1))).toEqual([
      10, 0, 20, 27
    ])
  })

  test('a phase starts on the first free core, in the leg’s order', () => {
    const timeline = wavesTimeline(oneWave([30, 5, 5, 5], 1, 2))
    // Core 1: the 30-minute phase; core 2: the three 5-minute ones in turn.
    expect(timeline.finish.map(end => end - 1)).toEqual([30, 5, 10, 15])
  })

  test('more cores never make a leg slower, and a leg never beats its longest phase or its work / cores (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 60 }), {
          minLength: 1,
          maxLength: 40
        }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 8 }),
        (minutes, legs, cores) => {
          const slower = wavesTimeline(oneWave(minutes, legs, cores))
          const faster = wavesTimeline(oneWave(minutes, legs, cores + 1))
          expect(faster.end).toBeLessThanOrEqual(slower.end + 1e-9)
          const wall = slower.end - 1.5
          for (let leg = 0; leg < legs; leg++) {
            const own = minutes.filter((_, i) => i % legs === leg)
            if (own.length === 0) continue
            const work = own.reduce((a, b) => a + b, 0)
            expect(wall + 1e-9).toBeGreaterThanOrEqual(
              Math.max(Math.max(...own), work / cores)
            )
          }
        }
      )
    )
  })
})
