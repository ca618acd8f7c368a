import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'

import { analyzePlan } from '../../src/plan/analyze.js'
import { compileGlob } from '../../src/plan/globs.js'
import { globsTake } from '../support/globs-take.js'
import {
  hashablePhases,
  inputHashes,
  selectFiles,
  sortedEntries,
  type IndexEntry
} from '../../src/plan/input-hash.js'
import {
  unchangedPhases,
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
import type { Plan, PlanAnalysis } from '../../src/plan/types.js'
import { makePlan } from '../support/make-plan.js'
import type { PhaseSpec } from '../support/make-plan.js'

function analysed(specs: PhaseSpec[], globalInputs?: string[]): PlanAnalysis {
  const plan: Plan = makePlan(specs)
  if (globalInputs !== undefined) plan.globalInputs = globalInputs
  const { analysis } = analyzePlan(plan)
  if (analysis === undefined) throw new Error('plan does not analyse')
  return analysis
}

const entry = (path: string, id = 'a'.repeat(40)): IndexEntry => ({
  path,
  mode: '100644',
  id
})

describe('selectFiles', () => {
  const files = sortedEntries(
    ['a', 'a-b/x', 'a.x', 'a/b', 'a/c/d.md', 'a0', 'b/a/x.ts', 'zz/a/y.ts'].map(
      p => entry(p)
    )
  )

  test('a literal folder takes its files, not its look-alikes', () => {
    const pick = (...patterns: string[]): string[] =>
      selectFiles(files, patterns.map(compileGlob)).taken.map(
        i => files[i]?.path ?? ''
      )
    expect(pick('a')).toEqual(['a', 'a/b', 'a/c/d.md'])
    // `a/**` is `a` and what is in it (`a` is a file here).
    expect(pick('a/**', '!**/*.md')).toEqual(['a', 'a/b'])
    expect(pick('**/a/*.ts')).toEqual(['b/a/x.ts', 'zz/a/y.ts'])
    expect(pick('a*')).toEqual(['a', 'a-b/x', 'a.x', 'a/b', 'a/c/d.md', 'a0'])
  })

  test('a positive pattern that takes no file is reported', () => {
    const { unmatched } = selectFiles(
      files,
      ['a/**', 'nothing/**', '!a/b', '**/*.none'].map(compileGlob)
    )
    expect(unmatched.map(g => g.source)).toEqual(['nothing/**', '**/*.none'])
  })

  test('property: the same files as testing every file', () => {
    const segment = fc.constantFrom('a', 'b', 'a.md', 'b-c', 'a0')
    const filePath = fc
      .array(segment, { minLength: 1, maxLength: 4 })
      .map(s => s.join('/'))
    const patternSegment = fc.constantFrom('a', 'b', '*', '**', '*.md', 'a?')
    const pattern = fc
      .tuple(
        fc.boolean(),
        fc.array(patternSegment, { minLength: 1, maxLength: 3 })
      )
      .map(([negated, s]) => (negated ? '!' : '') + s.join('/'))
    fc.assert(
      fc.property(
        fc.uniqueArray(filePath, { maxLength: 30 }),
        fc.array(pattern, { minLength: 1, maxLength: 4 }),
        (paths, patterns) => {
          const sorted = sortedEntries(paths.map(p => entry(p)))
          const globs = patterns.map(compileGlob)
          const expected = sorted
            .map((file, i) => (globsTake(globs, file.path) ? i : -1))
            .filter(i => i >= 0)
          expect(selectFiles(sorted, globs).taken).toEqual(expected)
        }
      ),
      { numRuns: 500 }
    )
  })
})

describe('inputHashes', () => {
  const specs: PhaseSpec[] = [
    { id: 'db', inputs: ['db/**'], run: 'test db' },
    { id: 'api', deps: ['db'], inputs: ['api/**'] },
    { id: 'lint' },
    { id: 'docs', deps: ['lint'], inputs: ['docs/**'] }
  ]
  const files = sortedEntries([
    entry('api/a', '1'.repeat(40)),
    entry('db/a', '2'.repeat(40)),
    entry('docs/a', '3'.repeat(40)),
    entry('lock', '4'.repeat(40))
  ])

  test('null without inputs, and for a phase with a dependency without a hash', () => {
    const { hashes } = inputHashes(analysed(specs), files)
    expect(hashes.map(h => (h === null ? null : h.length))).toEqual([
      64,
      64,
      null,
      null
    ])
  })

  test('the context (a setup command) and the global inputs are in every hash', () => {
    const plain = inputHashes(analysed(specs), files).hashes
    const setup = inputHashes(analysed(specs), files, {
      context: 'npm ci'
    }).hashes
    expect(setup[0]).not.toBe(plain[0])
    expect(setup[1]).not.toBe(plain[1])
    const global = inputHashes(analysed(specs, ['lock']), files).hashes
    expect(global[0]).not.toBe(plain[0])
    const changedLock = sortedEntries([
      ...files.filter(f => f.path !== 'lock'),
      entry('lock', '5'.repeat(40))
    ])
    expect(
      inputHashes(analysed(specs, ['lock']), changedLock).hashes[0]
    ).not.toBe(global[0])
    // Without the lock as a global input, its change changes nothing.
    expect(inputHashes(analysed(specs), changedLock).hashes).toEqual(plain)
  })

  test('a mode change changes the hash', () => {
    const plain = inputHashes(analysed(specs), files).hashes
    const executable = files.map(f =>
      f.path === 'db/a' ? { ...f, mode: '100755' } : f
    )
    expect(inputHashes(analysed(specs), executable).hashes[0]).not.toBe(
      plain[0]
    )
  })

  test('property: a changed file changes exactly the phases that take it and their dependents', () => {
    const count = 6
    fc.assert(
      fc.property(
        // deps of phase i among j < i, and which of 4 packages each reads
        fc.array(
          fc.array(fc.boolean(), { minLength: count, maxLength: count }),
          {
            minLength: count,
            maxLength: count
          }
        ),
        fc.array(fc.integer({ min: 0, max: 3 }), {
          minLength: count,
          maxLength: count
        }),
        fc.integer({ min: 0, max: 3 }),
        (edges, reads, changedPackage) => {
          const phaseSpecs: PhaseSpec[] = Array.from(
            { length: count },
            (_, i) => ({
              id: `p${i}`,
              deps: Array.from({ length: i }, (_, j) => j)
                .filter(j => edges[i]?.[j] === true)
                .map(j => `p${j}`),
              inputs: [`pkg${reads[i] ?? 0}/**`]
            })
          )
          const analysis = analysed(phaseSpecs)
          const before = sortedEntries(
            [0, 1, 2, 3].map(k => entry(`pkg${k}/f`, String(k).repeat(40)))
          )
          const after = before.map(f =>
            f.path === `pkg${changedPackage}/f`
              ? { ...f, id: 'e'.repeat(40) }
              : f
          )
          const a = inputHashes(analysis, before).hashes
          const b = inputHashes(analysis, after).hashes
          // Expected: takes the package, or depends (transitively) on one that does.
          const affected = new Array<boolean>(count).fill(false)
          for (let i = 0; i < count; i++) {
            affected[i] =
              reads[i] === changedPackage ||
              (analysis.depsOf[i] ?? []).some(d => affected[d] === true)
          }
          expect(a.map((h, i) => h !== b[i])).toEqual(affected)
        }
      ),
      { numRuns: 300 }
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

describe('hashablePhases', () => {
  test('is exactly where inputHashes gives a hash, from the plan alone (property)', () => {
    const plans = fc.integer({ min: 1, max: 12 }).chain(count =>
      fc.tuple(
        fc.array(fc.tuple(fc.nat(count - 1), fc.nat(count - 1)), {
          maxLength: count * 2
        }),
        fc.array(fc.nat(3), { minLength: count, maxLength: count })
      )
    )
    fc.assert(
      fc.property(plans, ([pairs, kinds]) => {
        const specs = kinds.map((kind, i): PhaseSpec => {
          const deps = new Set<string>()
          for (const [x, y] of pairs) {
            if (x !== y && Math.max(x, y) === i) deps.add(`p${Math.min(x, y)}`)
          }
          const spec: PhaseSpec = { id: `p${i}`, deps: [...deps] }
          // 0: no inputs, 1: inputs: [], 2: done with inputs, 3: inputs.
          if (kind === 1) spec.inputs = []
          if (kind >= 2) spec.inputs = [`p${i}/**`]
          if (kind === 2) spec.status = 'done'
          return spec
        })
        const analysis = analysed(specs)
        const files = sortedEntries(specs.map(s => entry(`${s.id}/a`)))
        const { hashes } = inputHashes(analysis, files)
        expect(hashablePhases(analysis)).toEqual(hashes.map(h => h !== null))
      }),
      { numRuns: 300 }
    )
  })
})

// The pure half of the report's store: the digest the state carries, the
// merge of this run's passes into the old store, and the ledger's
// `unchanged` status through the state.
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
