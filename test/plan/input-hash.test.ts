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
