// The pure half of the report's store: the digest the state carries, the
// merge of this run's passes into the old store, and the ledger's
// `unchanged` status through the state.
import { describe, expect, test } from '@jest/globals'
import { hashesDigest, mergedStore } from '../../src/plan/passed-store.js'
import { isSucceeded } from '../../src/plan/phase-status.js'
import { decodeLedger, encodeLedger } from '../../src/plan/state.js'

const h = (c: string): string => c.repeat(64)

describe('the store after a run', () => {
  test("passes get this run's hash, failures lose their entry, the rest keep theirs, unknown phases go", () => {
    const store = mergedStore({
      ids: ['ok', 'same', 'bad', 'skip', 'done', 'none', 'early'],
      statuses: [
        'succeeded',
        'unchanged',
        'failed',
        'skipped',
        'done',
        'succeeded',
        'succeeded-earlier'
      ],
      hashes: [h('1'), h('2'), h('3'), h('4'), h('5'), null, h('7')],
      stored: new Map([
        ['same', h('2')],
        ['bad', h('a')],
        ['skip', h('b')],
        ['done', h('c')],
        ['none', h('d')]
      ])
    })
    expect(store).toEqual({
      ok: h('1'),
      same: h('2'),
      skip: h('b'),
      done: h('c'),
      none: h('d'),
      early: h('7')
    })
  })

  test("without this run's hashes (nulls) no pass is recorded", () => {
    expect(
      mergedStore({
        ids: ['a', 'b'],
        statuses: ['succeeded', 'timed-out'],
        hashes: [null, null],
        stored: new Map([['b', h('e')]])
      })
    ).toEqual({})
  })

  test('the digest is 16 hex digits and tells hash lists apart', () => {
    const one = hashesDigest([h('1'), null])
    expect(one).toMatch(/^[0-9a-f]{16}$/)
    expect(hashesDigest([h('1'), null])).toBe(one)
    expect(hashesDigest([null, h('1')])).not.toBe(one)
    expect(hashesDigest([h('1')])).not.toBe(one)
  })
})

describe('unchanged in the state', () => {
  test('round-trips as one character, with the digest; counts as succeeded', () => {
    const ledger = {
      digest: '0123456789abcdef',
      planPath: 'plan.yaml',
      maxWorkers: 2,
      failFast: false,
      attempt: 1,
      round: 0,
      wave: -1,
      statuses: ['unchanged', 'pending'] as const,
      seconds: [undefined, undefined],
      hashes: 'fedcba9876543210'
    }
    const text = encodeLedger({ ...ledger, statuses: [...ledger.statuses] })
    expect(JSON.parse(text)).toMatchObject({ s: 'np', h: 'fedcba9876543210' })
    expect(decodeLedger(text)).toMatchObject({
      statuses: ['unchanged', 'pending'],
      hashes: 'fedcba9876543210'
    })
    expect(isSucceeded('unchanged')).toBe(true)
    expect(() =>
      decodeLedger(text.replace('fedcba9876543210', 'not-hex'))
    ).toThrow('input hashes digest must be 16 hex digits')
  })
})
