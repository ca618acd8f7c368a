// The pure half of the report's store: the digest the state carries, the
// merge of this run's passes into the old store, and the ledger's
// `unchanged` status through the state.
import { describe, expect, test } from '@jest/globals'
import {
  hashesDigest,
  mergedStore,
  parsePassedStore,
  passedInWords,
  sinceOf
} from '../../src/plan/passed-store.js'
import {
  isSucceeded,
  decodeLedger,
  encodeLedger
} from '../../src/plan/state.js'

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

describe('the run each entry passed in', () => {
  test('is read for the kept entries only; a broken one is a warning naming the file', () => {
    const text = JSON.stringify({
      a: h('1'),
      b: h('2'),
      'passed in run': { a: '101', b: 'x', ghost: '7', c: '9' }
    })
    const store = parsePassedStore(text, 'p.json', ['a', 'b', 'c'])
    expect([...store.hashes.keys()]).toEqual(['a', 'b'])
    expect([...store.since]).toEqual([['a', '101']])
    expect(store.warnings).toEqual([
      'p.json: 1 entry of "passed in run" is not a run id and is ignored'
    ])
    const list = parsePassedStore(
      JSON.stringify({ a: h('1'), 'passed in run': ['101'] }),
      'p.json',
      ['a']
    )
    expect([...list.hashes.keys()]).toEqual(['a'])
    expect(list.since.size).toBe(0)
    expect(list.warnings[0]).toContain('"passed in run" is not an object')
  })

  test('a pass of this run gets this run; unchanged and kept entries keep theirs; failures lose theirs', () => {
    const store = mergedStore({
      ids: ['new', 'same', 'kept', 'bad', 'rehash'],
      statuses: ['succeeded', 'unchanged', 'skipped', 'failed', 'unchanged'],
      hashes: [h('1'), h('2'), h('3'), h('4'), h('5')],
      stored: new Map([
        ['same', h('2')],
        ['kept', h('b')],
        ['bad', h('c')],
        ['rehash', h('d')]
      ]),
      storedSince: new Map([
        ['same', '90'],
        ['kept', '80'],
        ['bad', '70'],
        ['rehash', '60']
      ]),
      run: '100'
    })
    expect(sinceOf(store)).toEqual(
      new Map([
        ['new', '100'],
        ['same', '90'],
        ['kept', '80'],
        ['rehash', '60']
      ])
    )
    // Outside a runner no run is known: the key is left out.
    expect(
      mergedStore({
        ids: ['a'],
        statuses: ['succeeded'],
        hashes: [h('1')],
        stored: new Map()
      })
    ).toEqual({ a: h('1') })
  })

  test('is said once per run, newest first', () => {
    const since = new Map([
      ['a', '9'],
      ['b', '10'],
      ['c', '9']
    ])
    expect(passedInWords(['a', 'c'], since)).toBe(' (passed in run 9)')
    expect(passedInWords(['a', 'b', 'c'], since)).toBe(
      ' (passed in runs 10, 9)'
    )
    expect(passedInWords(['x'], since)).toBe('')
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
