// The real run from jobs with GitHub's timestamp fields: phase times (packed
// legs one phase after another), the critical path as it happened, the time
// between waves, durations learned, and the Gantt section (render/report.ts; the
// report no longer shows it). Then a leg's per-phase truth from its record.
import { describe, expect, test } from '@jest/globals'
import { legResults } from '../../src/actions/settle/read-round.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import {
  encodeLegRecord,
  legDigest,
  legOutputName,
  type RecordedPhase
} from '../../src/plan/leg-record.js'
import { packingOf, roundLegs } from '../../src/plan/packing.js'
import {
  learnedDurations,
  lowerBoundMinutes,
  runTimeline
} from '../../src/plan/run-timeline.js'
import { startLedger } from '../../src/plan/schedule.js'
import { isFailed, type PhaseStatus } from '../../src/plan/state.js'
import type { Ledger } from '../../src/plan/state.js'
import { renderRunGantt } from '../../src/render/report.js'
import { makeJob } from '../support/fake-github.js'
import { makePlan } from '../support/make-plan.js'

const analysis = analyzePlan(
  makePlan([
    { id: 'a', estimateMinutes: 2 },
    { id: 'b', estimateMinutes: 1 },
    { id: 'c', estimateMinutes: 1 },
    { id: 'd', deps: ['a', 'b'], estimateMinutes: 3 },
    { id: 'e', deps: ['c'], estimateMinutes: 1 }
  ])
).analysis!

function ledgerWith(
  statuses: PhaseStatus[],
  seconds: (number | undefined)[]
): Ledger {
  return {
    ...startLedger(analysis, {
      digest: '0123456789abcdef',
      planPath: 'plan.yaml',
      maxWorkers: 2,
      failFast: false,
      attempt: 1
    }),
    statuses,
    seconds
  }
}

/** A job as the API lists it: queued at q, started at s, completed at e (seconds after 09:00). */
function job(q: number, s: number, e: number) {
  const base = Date.UTC(2026, 0, 15, 9, 0, 0)
  return {
    ...makeJob({ name: 'x' }),
    created_at: new Date(base + q * 1000).toISOString(),
    started_at: new Date(base + s * 1000).toISOString(),
    completed_at: new Date(base + e * 1000).toISOString()
  }
}

describe('runTimeline', () => {
  const ledger = ledgerWith(
    ['succeeded', 'succeeded', 'succeeded', 'failed', 'succeeded'],
    [120, 50, 60, 170, 55]
  )
  // Wave 1 packed into two legs: [a] and [b, c]; wave 2 one job per phase.
  const timeline = runTimeline(analysis, ledger, [
    { job: job(0, 20, 140), phases: [0] },
    { job: job(0, 30, 145), phases: [1, 2] },
    { job: job(200, 230, 400), phases: [3] },
    { job: job(200, 215, 270), phases: [4] }
  ])

  test('phase times: a packed leg runs its phases one after another from its start', () => {
    const base = Date.UTC(2026, 0, 15, 9, 0, 0)
    const rel = (i: number) => {
      const t = timeline.times[i]!
      return [
        (t.queued - base) / 1000,
        (t.start - base) / 1000,
        (t.end - base) / 1000
      ]
    }
    expect(rel(0)).toEqual([0, 20, 140])
    expect(rel(1)).toEqual([0, 30, 80])
    expect(rel(2)).toEqual([0, 80, 140])
    expect(rel(3)).toEqual([200, 230, 400])
    expect(timeline.end - timeline.begin).toBe(400_000)
  })

  test('critical path as it happened, and the time between waves', () => {
    // d ended last; of its deps, a ended at 140, b at 80: a gated it.
    expect(timeline.criticalPath).toEqual([0, 3])
    expect(timeline.betweenWaves).toEqual([(200 - 140) * 1000])
  })

  test('durations learned: succeeded and failed phases, in minutes', () => {
    const timedOut = ledgerWith(
      ['succeeded', 'timed-out', 'skipped', 'failed', 'succeeded'],
      [120, 600, undefined, 170, 55]
    )
    expect(learnedDurations(analysis, timedOut)).toEqual({
      a: 2,
      d: 2.83,
      e: 0.92
    })
    expect(lowerBoundMinutes(analysis, [2, 1, 1, 3, 1], 2)).toBe(5)
    expect(lowerBoundMinutes(analysis, [2, 1, 1, 3, 1], 1)).toBe(8)
  })

  test('the Gantt section: waits and runs per phase by outcome, path, gaps, wall against the lower bound', () => {
    const text = renderRunGantt(analysis, timeline, {
      statuses: ledger.statuses,
      lowerBoundMinutes: 5
    })
    expect(text).toContain('Wall time **6m 40s**')
    expect(text).toContain('lower bound for this plan is **5 min**')
    expect(text).toContain('1.33× of it')
    expect(text).toContain(
      'Critical path as it happened: a (2m 00s) → d (2m 50s).'
    )
    expect(text).toContain('1 → 2: 1m 00s')
    expect(text).toContain(
      '  section wave 1\n    a waits :active, 0, 20\n    a :done, 20, 140'
    )
    expect(text).toContain(
      '    d waits :active, 200, 230\n    d :crit, 230, 400'
    )
    // b and c share their leg's wait.
    expect(text).toContain('    c waits :active, 0, 80\n    c :done, 80, 140')
    const capped = renderRunGantt(analysis, timeline, {
      statuses: ledger.statuses,
      lowerBoundMinutes: 5,
      maxRows: 3
    })
    expect(capped).toContain('The chart shows 3 of the 5 phases that ran')
    expect(capped).toMatch(/ a :done/)
    expect(capped).toMatch(/ d :crit/)
  })
})

// What packedLegResults (deleted with the job logs) made of a packed leg
// now comes from the leg's record, read by settle's legResults: the same
// per-phase truth, kept here against it.
describe('legResults: per-phase truth of a leg from its record', () => {
  const packing = packingOf(analysis, { pack: true, maxWorkers: 2 })
  const legs = roundLegs(analysis, [0, 1, 2], packing, 1)
  const leg = legs.find(l => l.phases.length === 2)!
  const ids = leg.phases.map(index => analysis.plan.phases[index]!.id)
  const attempts = { from: 1, to: 1 }
  const at = (iso: string) => Date.parse(iso)
  /** The wave job as `needs` gives it, holding this leg's output only. */
  const wave = (
    result: string,
    jobStatus: string,
    phases: RecordedPhase[] | undefined
  ) => ({
    result,
    outputs: {
      [legOutputName(leg.leg)]:
        phases === undefined
          ? ''
          : `${jobStatus} ${encodeLegRecord({
              round: 1,
              attempt: 1,
              leg: leg.leg,
              digest: legDigest(ids),
              phases
            })}`
    }
  })

  test('a leg whose job succeeded: every phase succeeded, seconds from the record', () => {
    expect(ids).toEqual(['b', 'c'])
    const read = legResults(
      analysis,
      1,
      leg,
      wave('success', 'success', [
        {
          status: 'succeeded',
          start: at('2026-01-15T09:00:00Z'),
          end: at('2026-01-15T09:01:00Z')
        },
        {
          status: 'succeeded',
          start: at('2026-01-15T09:01:00Z'),
          end: at('2026-01-15T09:01:30Z')
        }
      ]),
      attempts
    )
    expect(read.results).toEqual([
      { index: 1, status: 'succeeded', seconds: 60 },
      { index: 2, status: 'succeeded', seconds: 30 }
    ])
    expect(read.problem).toBeUndefined()
  })

  test('a failed leg: the record says who failed; a cancelled one: what never ran counts cancelled; without a record, every phase counts failed', () => {
    const read = legResults(
      analysis,
      1,
      leg,
      wave('failure', 'failure', [
        { status: 'failed' },
        { status: 'succeeded' }
      ]),
      attempts
    )
    expect(read.results.map(r => r.status)).toEqual(['failed', 'succeeded'])
    const cancelled = legResults(
      analysis,
      1,
      leg,
      wave('cancelled', 'cancelled', [
        { status: 'succeeded' },
        { status: 'not-run' }
      ]),
      attempts
    )
    expect(cancelled.results.map(r => r.status)).toEqual([
      'succeeded',
      'cancelled'
    ])
    expect(isFailed('cancelled')).toBe(true)
    const blind = legResults(
      analysis,
      1,
      leg,
      wave('failure', 'failure', undefined),
      attempts
    )
    expect(blind.results.map(r => r.status)).toEqual(['missing', 'missing'])
    expect(blind.results.every(r => isFailed(r.status))).toBe(true)
    expect(blind.problem).toMatch(/no record/)
    const cancelledBlind = legResults(
      analysis,
      1,
      leg,
      wave('cancelled', 'cancelled', undefined),
      attempts
    )
    expect(cancelledBlind.results.map(r => r.status)).toEqual([
      'cancelled',
      'cancelled'
    ])
  })
})
