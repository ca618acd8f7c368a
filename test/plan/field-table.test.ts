import { describe, expect, test } from '@jest/globals'
import { isMap } from 'yaml'
import { z } from 'zod'

import { checkMapping, warnUnknown } from '../../src/plan/field-check.js'
import type { Naming } from '../../src/plan/field-check.js'
import { parseConfig } from '../../src/plan/config.js'
import {
  field,
  ignoredField,
  mappingOf,
  valueOf
} from '../../src/plan/field-table.js'
import type { Mapping, Shape } from '../../src/plan/field-table.js'
import { MappingReader } from '../../src/plan/yaml-reader.js'
import {
  PARALLEL,
  PHASE,
  PLAN_ROOT,
  RESOURCE_LIMITS
} from '../../src/plan/schema.js'
import { parsePlan } from '../../src/plan/load.js'
import type { ParallelSettings, Phase, Problem } from '../../src/plan/types.js'
import { parseYamlSource } from '../../src/plan/yaml-source.js'

const TABLES = { PHASE, PLAN_ROOT, PARALLEL, RESOURCE_LIMITS }

/** `line:column severity message`. */
const said = (p: Problem): string =>
  `${p.line}:${p.column} ${p.severity} ${p.message}`

describe('every structure derived from a table agrees with it', () => {
  for (const [name, table] of Object.entries(TABLES)) {
    describe(name, () => {
      const keys = Object.keys(table.schema.shape)

      test('every key has its wording; read and ignored keys split the keys', () => {
        for (const key of keys) {
          expect(table.info(key)?.expected).toMatch(/\S/)
        }
        expect([...table.fields, ...table.ignored].sort()).toEqual(
          [...keys].sort()
        )
        for (const key of table.fields)
          expect(table.ignored.has(key)).toBe(false)
      })

      test('every alias names a key and is not one; known keys are keys then aliases', () => {
        for (const [alias, canonical] of table.aliases) {
          expect(keys).toContain(canonical)
          expect(keys).not.toContain(alias)
          expect(table.info(canonical)?.aliases).toContain(alias)
        }
        expect(table.known).toEqual([...keys, ...table.aliases.keys()])
      })

      test('every synonym is folded, names a key, and is neither a key nor an alias', () => {
        const written = keys.flatMap(key => table.info(key)?.synonyms ?? [])
        expect(Object.keys(table.synonyms).sort()).toEqual([...written].sort())
        for (const [word, canonical] of Object.entries(table.synonyms)) {
          expect(word).toMatch(/^[a-z0-9]+$/)
          expect(keys).toContain(canonical)
          expect(table.known).not.toContain(word)
        }
      })

      test('list fields take lists, nested fields take their own mapping', () => {
        const shape: Readonly<Record<string, z.ZodType>> = table.schema.shape
        for (const key of keys) {
          const info = table.info(key)
          const type = shape[key]
          if (info?.item !== undefined) {
            expect(type?.safeParse(['x']).success).toBe(true)
          }
          if (info?.nested !== undefined) {
            expect(type?.safeParse({}).success).toBe(true)
            expect(
              type?.safeParse({ [info.nested.fields[0] ?? '']: [] }).success
            ).toBe(false)
          }
        }
      })
    })
  }

  test('a zod type describes one field; a key without info is refused', () => {
    const type = field(z.string(), { expected: 'a string' })
    expect(() => field(type, { expected: 'another' })).toThrow(/another field/)
    expect(() => mappingOf('thing', { bare: z.string() })).toThrow(
      /field bare of a thing has no FieldInfo/
    )
  })
})

/** Reads `text` (one mapping) per `mapping` as the loader does. */
function readWith<S extends Shape>(
  mapping: Mapping<S>,
  text: string
): { input: z.infer<z.ZodObject<S>> | undefined; problems: string[] } {
  const source = parseYamlSource(text, 'x.yaml')
  const reader = new MappingReader(
    'x.yaml',
    source.index,
    source.problems,
    text.length
  )
  const root = source.document?.contents
  if (!isMap(root)) throw new Error('not a mapping')
  const at = reader.reach(root, undefined)!
  const read = reader.readMapping(root, at, mapping)
  warnUnknown(reader, mapping, read, 'phase x', 'a phase has')
  const naming: Naming = {
    ref: 'phase x',
    prefix: '',
    where: () => ' of phase x'
  }
  const input = checkMapping(reader, mapping, read, naming)
  return { input, problems: source.problems.map(said) }
}

describe('one table entry is all a new field needs', () => {
  // The phase table with one more entry, as a contributor would add it.
  const EXTENDED = mappingOf('phase', {
    ...PHASE.schema.shape,
    owners: field(z.array(z.string().min(1)).optional(), {
      expected: 'a list of team names',
      aliases: ['maintainers'],
      synonyms: ['assignees', 'team'],
      item: { label: 'owner', expected: 'a team name (a non-empty string)' }
    }),
    legacy_owner: ignoredField()
  })

  test('it is read under its name and its alias, item by item', () => {
    expect(readWith(EXTENDED, 'id: a\nowners: [web, api]\n')).toEqual({
      input: { id: 'a', owners: ['web', 'api'] },
      problems: []
    })
    expect(readWith(EXTENDED, 'id: a\nmaintainers:\n  - web\n').input).toEqual({
      id: 'a',
      owners: ['web']
    })
  })

  test('"did you mean" comes from its name and synonyms; an ignored key is silent', () => {
    const text =
      'id: a\nOwners: [web]\nassignees: [api]\nlegacy_owner: {x: 1}\n'
    expect(readWith(EXTENDED, text).problems).toEqual([
      '2:1 warning unknown key `Owners` in phase x: did you mean `owners`?',
      '3:1 warning unknown key `assignees` in phase x: did you mean `owners`?'
    ])
    // Without the entry, the same keys are unknown to the phase table.
    expect(readWith(PHASE, 'id: a\nassignees: [api]\n').problems).toEqual([
      expect.stringMatching(
        /^2:1 warning unknown key `assignees` in phase x is ignored; a phase has id, /
      )
    ])
  })

  test('a wrong value is explained in its words at its line and column', () => {
    expect(readWith(EXTENDED, 'id: a\nowners: web\n')).toEqual({
      input: { id: 'a' },
      problems: [
        '2:9 error owners of phase x must be a list of team names, got "web"; write owners: [web]'
      ]
    })
  })

  test('a bad item is reported at the item, and only it is dropped', () => {
    const text = 'id: a\nowners:\n  - web\n  - {team: x}\n  - ""\n  - api\n'
    expect(readWith(EXTENDED, text)).toEqual({
      input: { id: 'a', owners: ['web', 'api'] },
      problems: [
        '4:5 error owner of phase x must be a team name (a non-empty string), got a mapping',
        '5:5 error owner of phase x is empty: expected a team name (a non-empty string)'
      ]
    })
  })

  test('an item reached through an alias is placed at the alias', () => {
    const text = 'x: &bad {team: x}\nid: a\nowners: [web, *bad]\n'
    expect(readWith(EXTENDED, text).problems).toEqual([
      '1:1 warning unknown key `x` in phase x is ignored; a phase has id, description, name, deps, parallel_group, run, runs-on, timeout-minutes, estimate_minutes, status, retries, inputs, owners',
      '3:15 error owner of phase x must be a team name (a non-empty string), got a mapping'
    ])
  })
})

describe('the table names the property each field becomes', () => {
  test('every phase field lands on Phase under its `as` name', () => {
    const text = [
      'phases:',
      '  - id: a',
      '    name: A',
      '    description: the a',
      '    deps: []',
      '    parallel_group: g',
      '    run: make a',
      '    runs-on: [self-hosted, big]',
      '    timeout-minutes: 30',
      '    estimate_minutes: 12',
      '    status: Done',
      '    retries: 2',
      '    inputs: [src/**]',
      '    branch: main',
      ''
    ].join('\n')
    const { plan, problems } = parsePlan(text, 'plan.yaml')
    expect(problems).toEqual([])
    // Typed: a property the Phase type does not have fails to compile.
    const expected: Phase = {
      id: 'a',
      name: 'A',
      description: 'the a',
      deps: [],
      parallelGroup: 'g',
      run: 'make a',
      runsOn: ['self-hosted', 'big'],
      timeoutMinutes: 30,
      estimateMinutes: 12,
      status: 'Done',
      retries: 2,
      inputs: ['src/**'],
      done: true,
      index: 0,
      position: { line: 2, column: 5 },
      depPositions: []
    }
    expect(plan?.phases[0]).toEqual(expected)
    // Every field read is in the text above: a new one must be added too.
    for (const key of PHASE.fields) {
      expect(text).toMatch(new RegExp(`^ {2}(- | {2})${key}:`, 'm'))
      expect(valueOf(PHASE, key, expected)).toBeDefined()
    }
  })

  test('every setting lands on ParallelSettings under its `as` name', () => {
    const text =
      'parallel:\n  enabled: false\n  max_workers: 3\n  fail_fast: true\n  retries: 1\n  resource_limits: {max_memory_mb: 512, max_cpu_percent: 50}\n'
    const expected: Partial<ParallelSettings> = {
      enabled: false,
      maxWorkers: 3,
      failFast: true,
      retries: 1,
      resourceLimits: { maxMemoryMb: 512, maxCpuPercent: 50 }
    }
    expect(parseConfig(text, 'config.yaml')).toEqual({
      settings: expected,
      problems: []
    })
    for (const key of PARALLEL.fields) {
      expect(valueOf(PARALLEL, key, expected)).toBeDefined()
    }
  })
})
