// Hostile input: each case gets a clear problem with a code, or a correct
// plan — never a throw, a hang or a polluted prototype.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'

import { readPlanFile } from '../../src/repo/files.js'
import { parsePlan } from '../../src/plan/load.js'
import type { LoadResult, Problem } from '../../src/plan/types.js'
import { MAX_NESTING } from '../../src/plan/yaml-source.js'

const fixturePath = (name: string): string =>
  new URL(`../fixtures/hostile/${name}`, import.meta.url).pathname
const fixture = (name: string): string =>
  readFileSync(fixturePath(name), 'utf8')

const where = (p: Problem): string =>
  `${p.line}:${p.column} ${p.severity} ${p.code}`
const errors = (result: LoadResult): Problem[] =>
  result.problems.filter(p => p.severity === 'error')

/** Every own property name on Object.prototype, to prove it is untouched. */
const prototypeNames = (): string[] =>
  Object.getOwnPropertyNames(Object.prototype).sort()

describe('alias bombs', () => {
  test('the billion laughs under `phases:` is refused without expanding it', () => {
    const result = parsePlan(fixture('billion-laughs.yaml'), 'bomb.yaml')
    expect(result.plan).toBeUndefined()
    // Nine list items, each a list where a phase mapping belongs.
    expect(result.problems.map(where)).toEqual(
      Array.from({ length: 9 }, () => '11:9 error schema')
    )
    expect(result.problems[0]!.message).toBe(
      'phase #1 must be a mapping with an `id:`, got a list'
    )
  })

  test('a bomb under a key the plan ignores is never expanded', () => {
    const bomb = fixture('billion-laughs.yaml').replace(
      'phases: *i',
      'phases:\n  - id: a\n  - id: b\n    deps: [a]\n'
    )
    const result = parsePlan(bomb, 'bomb.yaml')
    expect(result.problems).toEqual([])
    expect(result.plan!.phases.map(p => [p.id, p.deps])).toEqual([
      ['a', []],
      ['b', ['a']]
    ])
  })

  test('a quadratic bomb through `deps:` aliases is refused with one clear error', () => {
    // 2,000 entries × 5,000 phases = 10 million deps from a 0.1 MB file.
    const entries = Array.from({ length: 2000 }, (_, i) => `d${i}`).join(', ')
    const phases = Array.from(
      { length: 5000 },
      (_, i) => `  - {id: p${i}, deps: *d}`
    ).join('\n')
    const text = `big: &d [${entries}]\nphases:\n${phases}\n`
    const result = parsePlan(text, 'bomb.yaml')
    expect(result.plan).toBeUndefined()
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatchObject({
      code: 'yaml',
      severity: 'error'
    })
    expect(result.problems[0]!.message).toMatch(
      /^aliases expand to more than \d+ values .*refusing to expand them/
    )
    // Positioned at the alias where the budget ran out.
    const { line, column } = result.problems[0]!
    expect(line).toBeGreaterThan(2)
    expect(text.split('\n')[line - 1]!.slice(column - 1)).toBe('*d}')
  })

  test('an alias inside its own anchor, or with no anchor, is an error, not a loop', () => {
    const result = parsePlan(fixture('self-alias.yaml'), 'self.yaml')
    expect(errors(result).map(p => [where(p), p.message])).toEqual([
      [
        '1:14 error yaml',
        'alias *loop has no anchor &loop before it (an alias must follow the whole node it names)'
      ],
      [
        '6:11 error yaml',
        'alias *nowhere has no anchor &nowhere before it (an alias must follow the whole node it names)'
      ]
    ])
    expect(result.plan!.phases.map(p => [p.id, p.deps])).toEqual([
      ['a', []],
      ['b', []]
    ])
  })
})

describe('many aliases', () => {
  // yaml's own toJS scans every earlier anchor and alias for each alias
  // (quadratic: 40,000 aliases take about 18 s), which is why the loader
  // follows aliases through its own table (yaml-reader.ts). The cost is
  // measured by \`npm run bench load\`, not here.
  test('20,000 aliases in `deps:` each stand for the dependency they name', () => {
    const phases = Array.from(
      { length: 20_000 },
      (_, i) => `  - {id: p${i + 1}, deps: [*root]}`
    ).join('\n')
    const text = `phases:\n  - id: &root p0\n${phases}\n`
    const result = parsePlan(text, 'aliases.yaml')
    expect(result.problems).toEqual([])
    expect(result.plan!.phases).toHaveLength(20_001)
    expect(result.plan!.phases[20_000]!.deps).toEqual(['p0'])
    // The alias's place stands for the dependency it names.
    expect(result.plan!.phases[1]!.depPositions).toEqual([
      { line: 3, column: 21 }
    ])
  })
})

describe('deep nesting', () => {
  const deep = 6000
  const cases: [string, string][] = [
    ['flow lists', `phases: ${'['.repeat(deep)}${']'.repeat(deep)}\n`],
    ['flow mappings', `phases: ${'{a: '.repeat(deep)}1${'}'.repeat(deep)}\n`],
    ['compact block lists', `phases:\n${'- '.repeat(deep)}x\n`],
    [
      'lists under deps',
      `phases:\n  - id: a\n    deps: ${'['.repeat(deep)}${']'.repeat(deep)}\n`
    ],
    ['an unclosed 8 MB run of [', `phases: ${'['.repeat(8 * 1024 * 1024 - 20)}`]
  ]
  test.each(cases)('%s: a clear `yaml` error, not a RangeError', (_, text) => {
    const result = parsePlan(text, 'deep.yaml')
    expect(result.plan).toBeUndefined()
    expect(result.problems).toHaveLength(1)
    expect(result.problems[0]).toMatchObject({
      code: 'yaml',
      severity: 'error'
    })
    expect(result.problems[0]!.message).toBe(
      `nesting deeper than ${MAX_NESTING} levels: a plan nests a few levels (phases → phase → deps); refusing to read further`
    )
    expect(result.problems[0]!.line).toBeGreaterThanOrEqual(1)
  })

  test('nested block mappings, one level per line, stop at the limit with the right line', () => {
    let text = 'phases:\n'
    for (let level = 1; level <= 300; level++) {
      text += `${'  '.repeat(level)}k${level}:\n`
    }
    const result = parsePlan(text, 'deep.yaml')
    expect(result.problems).toHaveLength(1)
    const [problem] = result.problems
    expect(problem!.code).toBe('yaml')
    // At the key of the level that went over, give or take the document
    // and top-level mapping.
    expect(problem!.line).toBeGreaterThanOrEqual(MAX_NESTING - 3)
    expect(problem!.line).toBeLessThanOrEqual(MAX_NESTING + 1)
    expect(problem!.column).toBe(2 * (problem!.line - 1) + 1)
  })

  test('nesting well within the limit loads', () => {
    const nested = `${'['.repeat(100)}${']'.repeat(100)}`
    const result = parsePlan(
      `phases:\n  - id: a\n    acceptance_criteria: ${nested}\n`,
      'ok.yaml'
    )
    expect(result.problems).toEqual([])
    expect(result.plan!.phases[0]!.id).toBe('a')
  })
})

describe('keys', () => {
  test('duplicate keys are errors at the repeat, wherever they are', () => {
    const result = parsePlan(fixture('duplicate-keys.yaml'), 'dup.yaml')
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '4:5 error yaml',
        'duplicate key `deps`: a key may appear only once in a mapping'
      ],
      [
        '6:1 error yaml',
        'duplicate key `phases`: a key may appear only once in a mapping'
      ]
    ])
  })

  test('`1:` is an error, `"1":` is a string key (here an unknown one)', () => {
    const result = parsePlan(fixture('int-keys.yaml'), 'keys.yaml')
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      ['3:5 error yaml', 'key 1 must be a string; write it in quotes: "1"'],
      [
        '4:5 warning unknown-key',
        'unknown key `1` in phase a is ignored; a phase has id, description, name, deps, parallel_group, run, runs-on, timeout-minutes, estimate_minutes, status, retries, inputs'
      ],
      ['5:7 error yaml', 'a key must be a string, got a list']
    ])
  })

  test('non-string keys are refused anywhere in the file, also in ignored parts', () => {
    const result = parsePlan(
      'meta:\n  true: yes\n  ~: null\nphases:\n  - id: a\n',
      'keys.yaml'
    )
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:3 error yaml',
        'key true must be a string; write it in quotes: "true"'
      ],
      ['3:3 error yaml', 'key ~ must be a string; write it in quotes: "~"']
    ])
  })

  test('huge keys and values are cut short in messages', () => {
    const huge = 'k'.repeat(100_000)
    const digits = '9'.repeat(100_000)
    const result = parsePlan(
      // (An implicit key is at most 1,024 characters: use an explicit one.)
      `phases:\n  - id: ${digits}\n    ? ${huge}\n    : 1\n    deps: [${digits}]\n`,
      'huge.yaml'
    )
    expect(result.problems.map(p => p.code)).toEqual([
      'schema',
      'unknown-key',
      'schema'
    ])
    for (const problem of result.problems) {
      expect(problem.message.length).toBeLessThan(300)
    }
    expect(result.problems[1]!.message).toMatch(/^unknown key `k{57}\.\.\.` in/)
  })

  describe('__proto__', () => {
    let before: string[]
    beforeEach(() => {
      before = prototypeNames()
    })
    afterEach(() => {
      expect(prototypeNames()).toEqual(before)
      expect(({} as Record<string, unknown>).polluted).toBeUndefined()
    })

    test('`__proto__` keys and ids load as plain names and pollute nothing', () => {
      const result = parsePlan(fixture('proto.yaml'), 'proto.yaml')
      expect(result.problems.map(p => [where(p), p.message])).toEqual([
        [
          '8:5 warning unknown-key',
          'unknown key `__proto__` in phase __proto__ is ignored; a phase has id, description, name, deps, parallel_group, run, runs-on, timeout-minutes, estimate_minutes, status, retries, inputs'
        ]
      ])
      const phases = result.plan!.phases
      expect(phases.map(p => [p.id, p.deps])).toEqual([
        ['__proto__', []],
        ['constructor', ['__proto__']],
        ['toString', ['__proto__', 'constructor']]
      ])
      for (const phase of phases) {
        expect(Object.getPrototypeOf(phase)).toBe(Object.prototype)
        expect(Object.keys(phase)).not.toContain('polluted')
      }
    })

    test('`__proto__` as every phase key, an alias and a canonical key', () => {
      const result = parsePlan(
        'phases:\n  - id: a\n    __proto__: {id: evil, polluted: 1}\n    constructor: {prototype: {polluted: 1}}\n    summary: s\n',
        'proto.yaml'
      )
      expect(result.plan!.phases[0]).toMatchObject({
        id: 'a',
        description: 's'
      })
      expect(result.problems.map(p => p.code)).toEqual([
        'unknown-key',
        'unknown-key'
      ])
    })
  })
})

describe('documents, versions and tags', () => {
  test('a second document is an error at its start; the first is still checked', () => {
    const result = parsePlan(fixture('multi-doc.yaml'), 'multi.yaml')
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '3:1 error yaml',
        'a second YAML document starts here; a plan file holds exactly one document (remove the extra `---` or split the file)'
      ]
    ])
    expect(result.plan!.phases.map(p => p.id)).toEqual(['first'])
  })

  test('`%YAML 1.1` cannot bring back 1.1 booleans, sexagesimals, merge keys or !!binary', () => {
    const result = parsePlan(fixture('yaml11.yaml'), 'v11.yaml')
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '1:1 warning yaml',
        '`%YAML 1.1` is read as YAML 1.2 (core schema): yes/no/on/off stay strings, `<<` is an ordinary key, 1:20 is a string'
      ],
      [
        '8:5 warning unknown-key',
        'merge key `<<` in phase a is ignored: YAML 1.2 has no merge keys; write the keys out'
      ],
      [
        '12:11 error yaml',
        'tag !!binary is not allowed: a plan holds only strings, numbers, booleans, null, lists and mappings'
      ]
    ])
    const phase = result.plan!.phases[0]!
    expect(phase.description).toBe('on')
    expect(phase.status).toBe('yes')
    expect(phase.parallelGroup).toBe('1:20')
    // Not merged from `defaults`:
    expect(phase.run).toBeUndefined()
  })

  test('tags outside the core schema are refused, each at its position', () => {
    const result = parsePlan(fixture('tags.yaml'), 'tags.yaml')
    const tagErrors = result.problems.filter(p => p.message.startsWith('tag '))
    expect(tagErrors.map(p => [where(p), p.message.split(' is ')[0]])).toEqual([
      ['2:9 error yaml', 'tag !foo'],
      ['3:11 error yaml', 'tag !!set'],
      ['4:18 error yaml', 'tag !!binary'],
      ['6:9 error yaml', 'tag !!omap'],
      ['8:23 error yaml', 'tag !!float']
    ])
    // `!!str 1.10` is core YAML and fine.
    expect(result.problems.some(p => p.line === 5)).toBe(false)
  })
})

describe('binary data', () => {
  test('a NUL character in the text is a `yaml` error at its position', () => {
    const result = parsePlan('phases:\n  - id: a\u0000b\n', 'bin.yaml')
    expect(result.plan).toBeUndefined()
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:10 error yaml',
        'binary data (a NUL character): expected a UTF-8 text file (a UTF-16 file must be saved as UTF-8)'
      ]
    ])
  })

  test('a UTF-16 file and a Latin-1 file are refused as files, with positions', () => {
    const utf16 = readPlanFile(fixturePath('utf16.yaml'))
    expect(utf16.problems.map(p => [p.code, p.line, p.column])).toEqual([
      ['yaml', 1, 4]
    ])
    expect(utf16.problems[0]!.message).toMatch(
      /UTF-16 file must be saved as UTF-8/
    )
    const latin1 = readPlanFile(fixturePath('latin1.yaml'))
    expect(latin1.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:12 error yaml',
        'not UTF-8 text (an invalid byte sequence here): expected a UTF-8 text file'
      ]
    ])
  })

  test('random bytes never throw', () => {
    let seed = 7
    const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31)
    for (let round = 0; round < 200; round++) {
      const length = next() % 200
      const text = Array.from({ length }, () =>
        String.fromCharCode(1 + (next() % 126))
      ).join('')
      const result = parsePlan(text, 'random.yaml')
      for (const problem of result.problems) {
        expect(problem.line).toBeGreaterThanOrEqual(1)
        expect(problem.column).toBeGreaterThanOrEqual(1)
        expect(problem.message.length).toBeGreaterThan(0)
      }
    }
  })
})
