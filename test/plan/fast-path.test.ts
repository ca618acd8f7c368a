// The fast path's pure parts: the rounds of a green run, which rounds a
// settle step catches up on, and the catch-up itself.
import { describe, expect, test } from '@jest/globals'
import { roundsRunUpFront, settleThrough } from '../../src/plan/schedule.js'
import { greenRounds } from '../../src/plan/rounds.js'
import { handOutNext, type LegResult } from '../../src/plan/schedule.js'
import { decodeLedger, encodeLedger } from '../../src/plan/state.js'
import { analysed } from '../render/build-plan.js'
import { testLedger, testPacking } from '../support/ledger.js'

// a, b | c (a), d (b), e (b) | f (c, d)
const analysis = analysed([
  ['a'],
  ['b'],
  ['c', ['a']],
  ['d', ['b']],
  ['e', ['b']],
  ['f', ['c', 'd']]
])
const id = (index: number): string => analysis.plan.phases[index]!.id
const ids = (rounds: number[][]): string[][] => rounds.map(r => r.map(id))

const P = testPacking(analysis)

/** The plan step's state: round 1 handed out, `fastRounds` rounds up front. */
function planState(fastRounds?: number) {
  const { ledger } = handOutNext(analysis, testLedger(analysis), {
    attempt: 1,
    packing: P
  })
  return fastRounds === undefined ? ledger : { ...ledger, fastRounds }
}

const results =
  (failed: string[] = []) =>
  (index: number): LegResult => ({
    index,
    status: failed.includes(id(index)) ? 'failed' : 'succeeded'
  })

describe('greenRounds', () => {
  test('the ready phases round after round, in plan order', () => {
    const statuses = testLedger(analysis).statuses
    expect(ids(greenRounds(analysis, statuses, P, 1))).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e'],
      ['f']
    ])
  })

  test('what handOutNext hands out round after round when nothing fails', () => {
    for (const packing of [
      P,
      testPacking(analysis, { pack: true, maxLegs: 1 }),
      testPacking(analysis, { pack: true, maxLegs: 2, maxRounds: 2 })
    ]) {
      let ledger = testLedger(analysis)
      const handed: number[][] = []
      for (;;) {
        const next = handOutNext(analysis, ledger, { attempt: 1, packing })
        if (next.round.length === 0) break
        handed.push(next.round)
        ledger = settleThrough(
          analysis,
          next.ledger,
          0,
          results(),
          packing
        ).ledger
      }
      expect(
        greenRounds(analysis, testLedger(analysis).statuses, packing, 1)
      ).toEqual(handed)
    }
  })

  test('phases marked done are passed over; none left means no round', () => {
    const statuses = testLedger(analysis).statuses
    statuses[0] = 'done'
    statuses[2] = 'done'
    expect(ids(greenRounds(analysis, statuses, P, 1))).toEqual([
      ['b'],
      ['d', 'e'],
      ['f']
    ])
    expect(
      greenRounds(
        analysis,
        statuses.map(() => 'done'),
        P,
        1
      )
    ).toEqual([])
  })
})

describe('roundsRunUpFront', () => {
  test('the rounds after the state’s own, up to rounds-run and the plan’s fast rounds', () => {
    const state = planState(3)
    expect(ids(roundsRunUpFront(analysis, state, 0, P))).toEqual([])
    expect(ids(roundsRunUpFront(analysis, state, 1, P))).toEqual([])
    expect(ids(roundsRunUpFront(analysis, state, 2, P))).toEqual([
      ['c', 'd', 'e']
    ])
    expect(ids(roundsRunUpFront(analysis, state, 10, P))).toEqual([
      ['c', 'd', 'e'],
      ['f']
    ])
    expect(ids(roundsRunUpFront(analysis, planState(2), 10, P))).toEqual([
      ['c', 'd', 'e']
    ])
  })

  test('none for a state without fast rounds (the fallback, or a settle step’s)', () => {
    expect(roundsRunUpFront(analysis, planState(), 10, P)).toEqual([])
  })
})

describe('settleThrough', () => {
  test('green: every round run up front is settled, then the run is over', () => {
    const caught = settleThrough(analysis, planState(4), 3, results(), P)
    expect(ids(caught.rounds)).toEqual([['a', 'b'], ['c', 'd', 'e'], ['f']])
    expect(caught.ledger.statuses.every(s => s === 'succeeded')).toBe(true)
    expect(caught.ledger.round).toBe(3)
    expect(caught.ledger.fastRounds).toBeUndefined()
  })

  test('stops after the first round with a failure, skipping its dependents as settle does', () => {
    // b fails in round 1: wave 2 took its round from settle 1, not from the plan.
    const early = settleThrough(analysis, planState(3), 2, results(['b']), P)
    expect(ids(early.rounds)).toEqual([['a', 'b']])
    expect(early.ledger.statuses).toEqual([
      'succeeded',
      'failed',
      'pending',
      'skipped',
      'skipped',
      'skipped'
    ])
    // c fails in round 2 (read by settle 2 after a green round 1).
    const late = settleThrough(analysis, planState(3), 1, results(['c']), P)
    expect(ids(late.rounds)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e']
    ])
    expect(late.ledger.statuses.slice(2)).toEqual([
      'failed',
      'succeeded',
      'succeeded',
      'skipped'
    ])
    expect(late.ledger.round).toBe(2)
  })

  test('goes on after a failure when the next wave job still took the plan’s matrix: what ran counts', () => {
    // b's record was not believed, but wave 1's job was green: settle 1 was
    // skipped and wave 2 ran c, d, e from the plan (d and e depend on b).
    const caught = settleThrough(
      analysis,
      planState(3),
      2,
      results(['b']),
      P,
      offset => offset === 0
    )
    expect(ids(caught.rounds)).toEqual([
      ['a', 'b'],
      ['c', 'd', 'e']
    ])
    expect(caught.wentOnAfter).toEqual([0])
    expect(caught.ledger.round).toBe(2)
    expect(caught.ledger.wave).toBe(1)
    // f (needs d, which ran, and c) is still skipped: b failed below it.
    expect(caught.ledger.statuses).toEqual([
      'succeeded',
      'failed',
      'succeeded',
      'succeeded',
      'succeeded',
      'skipped'
    ])
    // Wave 2's job failed: wave 3 took settle 2's matrix; stop there.
    const stopped = settleThrough(
      analysis,
      planState(3),
      2,
      results(['b']),
      P,
      () => false
    )
    expect(stopped.wentOnAfter).toEqual([])
    expect(ids(stopped.rounds)).toEqual([['a', 'b']])
  })

  test('the same ledger as settling round by round', () => {
    let slow = planState()
    slow = settleThrough(analysis, slow, 0, results(['d']), P).ledger
    slow = handOutNext(analysis, slow, { attempt: 1, packing: P }).ledger
    slow = settleThrough(analysis, slow, 0, results(['d']), P).ledger
    const fast = settleThrough(analysis, planState(3), 1, results(['d']), P)
    expect(fast.ledger).toEqual(slow)
  })
})

test('the state carries the fast rounds; a bad value is refused', () => {
  const state = planState(3)
  expect(decodeLedger(encodeLedger(state)).fastRounds).toBe(3)
  expect(decodeLedger(encodeLedger(planState())).fastRounds).toBeUndefined()
  const bad = encodeLedger(state).replace('"g":3', '"g":0')
  expect(() => decodeLedger(bad)).toThrow(/fast rounds must be a whole number/)
})
