// The store of passed phases: which phases are unchanged, the store after a
// run (hashes, the run each entry passed in, outputs), what it keeps of
// outputs, read back for the entries kept, carried from run to run, and
// handed on by unchanged phases to the phases that run, within a size the
// jobs that read them can take.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'

import {
  hashesDigest,
  mergedStore,
  OUTPUTS_KEY,
  outputsOf,
  parsePassedStore,
  passedInWords,
  sinceOf,
  storedPhaseCount,
  unchangedPhases,
  unchangedWithOutputs
} from '../../src/plan/passed-store.js'
import type { Outputs } from '../../src/plan/leg-record.js'

const h = (c: string): string => c.repeat(64)

describe('the outputs a store keeps', () => {
  test('are read for the entries kept; a phase whose outputs are broken runs again', () => {
    const text = JSON.stringify({
      a: h('1'),
      b: h('2'),
      c: h('3'),
      [OUTPUTS_KEY]: {
        a: { dist: 'build/a', '': 'empty name' },
        b: { size: 3 },
        ghost: { x: 'y' }
      }
    })
    const store = parsePassedStore(text, 'p.json', ['a', 'b', 'c'])
    expect([...store.hashes.keys()]).toEqual(['a', 'c'])
    expect([...store.outputs]).toEqual([
      ['a', { dist: 'build/a', '': 'empty name' }]
    ])
    expect(store.warnings).toEqual([
      'p.json: the outputs of 1 phase(s) in "phase outputs" are not an object of output name to text, so that phase runs again: "b"'
    ])
  })

  test('a "phase outputs" that is not an object makes the whole store ignored', () => {
    for (const value of [['a'], 'x', 7, null]) {
      const store = parsePassedStore(
        JSON.stringify({ a: h('1'), [OUTPUTS_KEY]: value }),
        'p.json',
        ['a']
      )
      expect(store.hashes.size).toBe(0)
      expect(store.outputs.size).toBe(0)
      expect(store.warnings).toHaveLength(1)
      expect(store.warnings[0]).toMatch(
        /^p\.json: "phase outputs" is not an object of phase id to outputs .*; the store is ignored, every phase runs$/
      )
    }
  })

  test('ids like __proto__ stay data, in the store and back', () => {
    const store = mergedStore({
      ids: ['__proto__', 'constructor'],
      statuses: ['succeeded', 'succeeded'],
      hashes: [h('1'), h('2')],
      stored: new Map(),
      outputs: [{ k: 'v' }, { toString: 'x' }]
    })
    const text = JSON.stringify(store)
    expect((JSON.parse(text) as Record<string, unknown>)[OUTPUTS_KEY]).toEqual(
      JSON.parse('{"__proto__":{"k":"v"},"constructor":{"toString":"x"}}')
    )
    const read = parsePassedStore(text, 'p.json', ['__proto__', 'constructor'])
    expect(read.outputs.get('__proto__')).toEqual({ k: 'v' })
    expect(Object.keys(outputsOf(store))).toEqual(['__proto__', 'constructor'])
    expect(storedPhaseCount(store)).toBe(2)
  })

  test("a pass records this run's outputs; unchanged and kept entries keep theirs; a failure loses them", () => {
    const store = mergedStore({
      ids: ['new', 'quiet', 'same', 'kept', 'bad'],
      statuses: ['succeeded', 'succeeded', 'unchanged', 'skipped', 'failed'],
      hashes: [h('1'), h('2'), h('3'), h('4'), h('5')],
      stored: new Map([
        ['new', h('a')],
        ['quiet', h('b')],
        ['same', h('3')],
        ['kept', h('c')],
        ['bad', h('d')]
      ]),
      outputs: [{ out: 'now' }, {}, undefined, undefined, undefined],
      storedOutputs: new Map<string, Outputs>([
        ['new', { out: 'before' }],
        ['quiet', { out: 'before' }],
        ['same', { url: 'https://x' }],
        ['kept', { n: '1' }],
        ['bad', { n: '2' }]
      ])
    })
    // A phase that passed and wrote nothing this time has no old outputs.
    expect(store[OUTPUTS_KEY]).toEqual({
      new: { out: 'now' },
      same: { url: 'https://x' },
      kept: { n: '1' }
    })
    expect(storedPhaseCount(store)).toBe(4)
    // Written and read back, the same.
    const read = parsePassedStore(JSON.stringify(store), 's.json', [
      'new',
      'quiet',
      'same',
      'kept',
      'bad'
    ])
    expect(read.warnings).toEqual([])
    expect(Object.fromEntries(read.outputs)).toEqual(store[OUTPUTS_KEY])
  })
})

describe('what unchanged phases hand on', () => {
  // a ← b ← c, a ← d: a and b unchanged with outputs, c and d run.
  const chain = {
    ids: ['a', 'b', 'c', 'd'],
    done: [false, false, false, false],
    depsOf: [[], [0], [1], [0]],
    dependentsOf: [[1, 3], [2], [], []],
    order: [0, 1, 2, 3],
    hashes: [h('1'), h('2'), h('3'), h('4')],
    stored: new Map([
      ['a', h('1')],
      ['b', h('2')]
    ])
  }

  test('only the outputs a phase that runs reads, when they fit', () => {
    const handed = unchangedWithOutputs({
      ...chain,
      storedOutputs: new Map<string, Outputs>([
        ['a', { x: '1' }],
        ['b', { y: '2' }]
      ]),
      limit: 1000
    })
    expect(handed.unchanged).toEqual([true, true, false, false])
    expect(handed.outputs).toEqual({ a: { x: '1' }, b: { y: '2' } })
    expect(handed.dropped).toEqual([])
  })

  test('an unchanged phase whose dependents are all unchanged hands on nothing', () => {
    const handed = unchangedWithOutputs({
      ...chain,
      depsOf: [[], [0], [1], [1]],
      dependentsOf: [[1], [2, 3], [], []],
      storedOutputs: new Map([['a', { x: '1' }]]),
      limit: 1000
    })
    expect(handed.unchanged).toEqual([true, true, false, false])
    expect(handed.outputs).toEqual({})
  })

  test('over the limit, the largest runs again, and its dependents with it', () => {
    const handed = unchangedWithOutputs({
      ...chain,
      storedOutputs: new Map<string, Outputs>([
        ['a', { x: 'a'.repeat(100) }],
        ['b', { y: '2' }]
      ]),
      limit: 60
    })
    // a runs: b (its dependent) is no longer unchanged, so nothing is handed on.
    expect(handed.unchanged).toEqual([false, false, false, false])
    expect(handed.outputs).toEqual({})
    expect(handed.dropped).toEqual(['a'])
  })

  test('property: every phase that runs gets what each unchanged dependency stored, within the limit', () => {
    const count = 7
    fc.assert(
      fc.property(
        fc.array(
          fc.array(fc.boolean(), { minLength: count, maxLength: count }),
          {
            minLength: count,
            maxLength: count
          }
        ),
        fc.array(fc.constantFrom('same', 'other', 'none', 'done'), {
          minLength: count,
          maxLength: count
        }),
        fc.array(fc.option(fc.string({ maxLength: 40 }), { nil: undefined }), {
          minLength: count,
          maxLength: count
        }),
        fc.integer({ min: 2, max: 200 }),
        (edges, kinds, written, limit) => {
          const ids = kinds.map((_, i) => `p${i}`)
          const depsOf = ids.map((_, i) =>
            Array.from({ length: i }, (_, j) => j).filter(
              j => edges[i]?.[j] === true
            )
          )
          const dependentsOf = ids.map((_, j) =>
            ids.flatMap((_, i) => (depsOf[i]?.includes(j) === true ? [i] : []))
          )
          const hashes = kinds.map((kind, i) =>
            kind === 'none' ? null : String(i).repeat(64)
          )
          const stored = new Map<string, string>()
          const storedOutputs = new Map<string, Outputs>()
          kinds.forEach((kind, i) => {
            if (kind === 'same') stored.set(`p${i}`, String(i).repeat(64))
            if (kind === 'other') stored.set(`p${i}`, 'f'.repeat(64))
            const value = written[i]
            if (value !== undefined) storedOutputs.set(`p${i}`, { v: value })
          })
          const done = kinds.map(kind => kind === 'done')
          const input = {
            ids,
            done,
            depsOf,
            dependentsOf,
            order: ids.map((_, i) => i),
            hashes,
            stored,
            storedOutputs
          }
          const handed = unchangedWithOutputs({ ...input, limit })
          const unlimited = unchangedWithOutputs({ ...input, limit: Infinity })
          expect(unlimited.dropped).toEqual([])
          expect(unlimited.unchanged).toEqual(unchangedPhases(input))
          // Never more unchanged than without a limit; within the limit.
          handed.unchanged.forEach((isUnchanged, i) => {
            if (isUnchanged) expect(unlimited.unchanged[i]).toBe(true)
          })
          expect(
            Buffer.byteLength(JSON.stringify(handed.outputs))
          ).toBeLessThanOrEqual(limit)
          // A dropped phase is not unchanged.
          for (const id of handed.dropped)
            expect(handed.unchanged[ids.indexOf(id)]).toBe(false)
          // Each phase that runs has its unchanged dependencies' outputs.
          ids.forEach((_, i) => {
            if (handed.unchanged[i] === true || done[i] === true) return
            for (const dep of depsOf[i] ?? []) {
              const outputs = storedOutputs.get(`p${dep}`)
              if (handed.unchanged[dep] === true && outputs !== undefined)
                expect(handed.outputs[`p${dep}`]).toEqual(outputs)
            }
          })
        }
      ),
      { numRuns: 400 }
    )
  })
})

describe('unchangedPhases', () => {
  test('property: an unchanged phase never has a dependency that runs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), {
          minLength: 6,
          maxLength: 6
        }),
        fc.array(fc.constantFrom('same', 'other', 'none', 'done'), {
          minLength: 6,
          maxLength: 6
        }),
        (edges, kinds) => {
          const ids = kinds.map((_, i) => `p${i}`)
          const depsOf = kinds.map((_, i) =>
            Array.from({ length: i }, (_, j) => j).filter(
              j => edges[i]?.[j] === true
            )
          )
          const hashes = kinds.map((kind, i) =>
            kind === 'none' ? null : String(i).repeat(64)
          )
          const stored = new Map<string, string>()
          kinds.forEach((kind, i) => {
            if (kind === 'same') stored.set(`p${i}`, String(i).repeat(64))
            if (kind === 'other') stored.set(`p${i}`, 'f'.repeat(64))
          })
          const done = kinds.map(kind => kind === 'done')
          const unchanged = unchangedPhases({
            ids,
            done,
            depsOf,
            order: ids.map((_, i) => i),
            hashes,
            stored
          })
          // What runs: neither done nor unchanged; a done phase "runs
          // through" when one of its dependencies does.
          const runs = new Array<boolean>(6).fill(false)
          const upstreamRuns = new Array<boolean>(6).fill(false)
          for (let i = 0; i < 6; i++) {
            upstreamRuns[i] = (depsOf[i] ?? []).some(
              d => runs[d] === true || upstreamRuns[d] === true
            )
            runs[i] = !done[i] && !unchanged[i]
            if (unchanged[i]) {
              expect(kinds[i]).toBe('same')
              expect(upstreamRuns[i]).toBe(false)
            } else if (kinds[i] === 'same' && !upstreamRuns[i]) {
              throw new Error(`p${i} could have been unchanged`)
            }
          }
        }
      ),
      { numRuns: 500 }
    )
  })
})

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
