import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { stringify } from 'yaml'

import { NO_PHASES_MESSAGE, parsePlan } from '../../src/plan/load.js'
import type { LoadResult, Problem } from '../../src/plan/types.js'

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/plans/${name}`, import.meta.url), 'utf8')

/** `line:column severity code` — enough to pin a problem down. */
const where = (p: Problem): string =>
  `${p.line}:${p.column} ${p.severity} ${p.code}`

const errors = (result: LoadResult): Problem[] =>
  result.problems.filter(p => p.severity === 'error')

const ids = (result: LoadResult): string[] =>
  result.plan?.phases.map(p => p.id) ?? []

/** The text at a 1-based line and column. */
function textAt(text: string, line: number, column: number): string {
  const lines = text.split('\n')
  return (lines[line - 1] ?? '').slice(column - 1)
}

describe('plans that load', () => {
  test('the seed example: ids, deps, descriptions and positions', () => {
    const text = fixture('seed-basic.yaml')
    const result = parsePlan(text, 'seed-basic.yaml')
    expect(result.problems).toEqual([])
    const phases = result.plan!.phases
    expect(result.plan!.file).toBe('seed-basic.yaml')
    expect(phases.map(p => [p.id, p.deps, p.description])).toEqual([
      ['database-schema', [], 'Set up database schema'],
      ['frontend-components', [], 'Build UI components'],
      ['api-endpoints', ['database-schema'], 'Create API endpoints'],
      [
        'integration',
        ['api-endpoints', 'frontend-components'],
        'Integrate frontend and backend'
      ]
    ])
    expect(phases.map(p => p.index)).toEqual([0, 1, 2, 3])
    expect(phases.map(p => p.position)).toEqual([
      { line: 2, column: 5 },
      { line: 6, column: 5 },
      { line: 10, column: 5 },
      { line: 14, column: 5 }
    ])
    expect(phases[3]!.depPositions).toEqual([
      { line: 16, column: 12 },
      { line: 16, column: 29 }
    ])
    // Each dep position points at the dep as written (quoted here).
    phases[3]!.depPositions.forEach((position, k) => {
      expect(textAt(text, position.line, position.column)).toMatch(
        new RegExp(`^"${phases[3]!.deps[k]!}"`)
      )
    })
  })

  test('the seed microservices and parallel-group examples', () => {
    const micro = parsePlan(fixture('seed-microservices.yaml'), 'm.yaml')
    expect(micro.problems).toEqual([])
    expect(micro.plan!.phases.map(p => [p.id, p.deps])).toEqual([
      ['user-service', []],
      ['order-service', []],
      ['payment-service', []],
      ['api-gateway', ['user-service', 'order-service', 'payment-service']],
      ['integration-tests', ['api-gateway']]
    ])
    const groups = parsePlan(fixture('seed-parallel-groups.yaml'), 'g.yaml')
    expect(groups.problems).toEqual([])
    expect(groups.plan!.phases.map(p => [p.id, p.parallelGroup])).toEqual([
      ['backend-db', 'backend'],
      ['backend-api', 'backend'],
      ['frontend-ui', 'frontend']
    ])
  })

  test('the origin format: aliases resolve, bookkeeping keys are accepted silently', () => {
    const result = parsePlan(fixture('origin-format.yaml'), 'o.yaml')
    expect(result.problems).toEqual([])
    const [api, ui] = result.plan!.phases
    expect(api).toMatchObject({
      id: 'api',
      name: 'API layer',
      description: 'Build the API',
      run: 'npm test -- api',
      status: 'done',
      deps: []
    })
    expect(ui).toMatchObject({
      id: 'ui',
      name: 'UI',
      description: 'Build the UI',
      run: 'npm test -- ui',
      status: 'pending',
      deps: ['api']
    })
    expect(api).not.toHaveProperty('acceptance_criteria')
    expect(api).not.toHaveProperty('branch')
  })

  test('every field of the format', () => {
    const result = parsePlan(fixture('all-fields.yaml'), 'a.yaml')
    expect(result.problems).toEqual([])
    expect(result.plan!.phases).toEqual([
      {
        id: 'build',
        name: 'Build',
        description: 'Compile everything',
        deps: [],
        parallelGroup: 'core',
        run: 'make build',
        runsOn: 'ubuntu-latest',
        timeoutMinutes: 30,
        estimateMinutes: 12.5,
        status: 'pending',
        index: 0,
        position: { line: 2, column: 5 },
        depPositions: [],
        done: false
      },
      {
        id: 'test',
        deps: ['build'],
        runsOn: ['self-hosted', 'linux', 'x64'],
        timeoutMinutes: 0.5,
        estimateMinutes: 0,
        index: 1,
        position: { line: 12, column: 5 },
        depPositions: [{ line: 13, column: 12 }],
        done: false
      }
    ])
  })

  test('empty optional values count as absent; `deps:` with nothing is no deps', () => {
    const result = parsePlan(
      'phases:\n  - id: a\n    deps:\n    description:\n    run: ~\n',
      'p.yaml'
    )
    expect(result.problems).toEqual([])
    expect(result.plan!.phases[0]).toEqual({
      id: 'a',
      deps: [],
      index: 0,
      position: { line: 2, column: 5 },
      depPositions: [],
      done: false
    })
  })

  test('flow style, quoted ids and ids that look like other things', () => {
    const result = parsePlan(
      'phases: [{id: "1.10"}, {id: \'true\', deps: ["1.10"]}, {id: a:b, deps: [true]}]\n',
      'p.yaml'
    )
    expect(errors(result).map(where)).toEqual(['1:71 error schema'])
    expect(ids(result)).toEqual(['1.10', 'true', 'a:b'])
    expect(result.plan!.phases[1]!.deps).toEqual(['1.10'])
  })

  test('CRLF line endings give the same positions', () => {
    const text = fixture('seed-basic.yaml').replace(/\n/g, '\r\n')
    const result = parsePlan(text, 'crlf.yaml')
    expect(result.problems).toEqual([])
    expect(result.plan!.phases[3]!.position).toEqual({ line: 14, column: 5 })
    expect(result.plan!.phases[3]!.depPositions[1]).toEqual({
      line: 16,
      column: 29
    })
  })

  test('anchors and aliases that are not bombs load, positioned at the alias', () => {
    const text = [
      'common: &common [setup, lint]', // 1
      'phases:', // 2
      '  - id: setup', // 3
      '  - id: lint', // 4
      '  - id: api', // 5
      '    deps: *common', // 6
      '  - &web', // 7
      '    id: web', // 8
      '    deps: [api, *first]', // 9
      '  - *web' // 10
    ].join('\n')
    const withAnchor = text.replace('  - id: setup', '  - id: &first setup')
    const result = parsePlan(withAnchor, 'p.yaml')
    expect(errors(result)).toEqual([])
    const [, , api, web, again] = result.plan!.phases
    expect(api!.deps).toEqual(['setup', 'lint'])
    expect(api!.depPositions).toEqual([
      { line: 6, column: 11 },
      { line: 6, column: 11 }
    ])
    expect(web!.deps).toEqual(['api', 'setup'])
    expect(web!.depPositions).toEqual([
      { line: 9, column: 12 },
      { line: 9, column: 17 }
    ])
    expect(again!.id).toBe('web')
    expect(again!.position).toEqual({ line: 10, column: 5 })
  })
})

describe('problems, each with its position', () => {
  test('every problem of a broken plan is reported in one pass', () => {
    const text = fixture('many-problems.yaml')
    const result = parsePlan(text, 'many-problems.yaml')
    expect(result.problems.map(where)).toEqual([
      '2:9 error schema', // id 1.10
      '3:12 error schema', // dep 2.0
      '5:5 warning unknown-key', // dep
      '6:16 warning duplicate-dependency', // second db
      '7:22 error schema', // timeout -5
      '8:9 error schema', // id with a space
      '9:23 error schema', // estimate "soon"
      '10:5 error schema', // no id
      '11:5 error schema', // a string, not a mapping
      '13:14 warning schema', // summary next to description
      '15:14 error schema' // runs-on 42
    ])
    expect(result.problems.every(p => p.file === 'many-problems.yaml')).toBe(
      true
    )
    const messages = result.problems.map(p => p.message)
    expect(messages).toEqual([
      'id 1.10 is a number; write it in quotes: "1.10"',
      'dependency 2.0 of phase #1 is a number; write it in quotes: "2.0"',
      'unknown key `dep` in phase api: did you mean `deps`?',
      'phase api lists dependency db more than once; the repeat is ignored',
      'timeout-minutes of phase api must be a positive number of minutes, got -5 (a number)',
      'id "web app" contains whitespace: expected a non-empty string without whitespace',
      'estimate_minutes of phase #3 must be a number of minutes from 0 to 10080 (one week), got "soon"',
      'phase #4 has no `id`: every phase needs one (a non-empty string without whitespace)',
      'phase #5 must be a mapping with an `id:`, got "just-a-string"; write `- id: just-a-string`',
      'phase db gives both `description` and its alias `summary`; `summary` is ignored',
      'runs-on 42 of phase db is a number; write it in quotes: "42"'
    ])
    // Phases that can be kept are, so the graph can be checked in the same
    // run; a bare-number id is kept as written so its dependents resolve.
    expect(result.plan!.phases.map(p => [p.id, p.deps, p.index])).toEqual([
      ['1.10', ['2.0'], 0],
      ['api', ['db', '1.10'], 1],
      ['db', [], 2]
    ])
    expect(result.plan!.phases[1]!.timeoutMinutes).toBeUndefined()
    expect(result.plan!.phases[2]!.description).toBe('The database')
  })

  test('ids that YAML reads as numbers, booleans or null say how to quote them', () => {
    const cases: [string, string][] = [
      ['1.10', 'id 1.10 is a number; write it in quotes: "1.10"'],
      ['0x1F', 'id 0x1F is a number; write it in quotes: "0x1F"'],
      ['1e3', 'id 1e3 is a number; write it in quotes: "1e3"'],
      ['true', 'id true is a boolean; write it in quotes: "true"'],
      ['null', 'id null is null; write it in quotes: "null"'],
      ['~', 'id ~ is null; write it in quotes: "~"']
    ]
    for (const [written, message] of cases) {
      const result = parsePlan(`phases:\n  - id: ${written}\n`, 'p.yaml')
      expect(result.problems).toEqual([
        {
          code: 'schema',
          severity: 'error',
          message,
          file: 'p.yaml',
          line: 2,
          column: 9
        }
      ])
      expect(ids(result)).toEqual([written])
    }
  })

  test('an empty id, a missing id, an id that is a list', () => {
    const result = parsePlan(
      'phases:\n  - id:\n  - name: x\n  - id: [a]\n  - id: ok\n',
      'p.yaml'
    )
    expect(result.problems.map(where)).toEqual([
      '2:8 error schema',
      '3:5 error schema',
      '4:9 error schema'
    ])
    expect(result.problems.map(p => p.message)).toEqual([
      'id is empty: expected a non-empty string without whitespace',
      'phase #2 has no `id`: every phase needs one (a non-empty string without whitespace)',
      'id must be a non-empty string without whitespace, got a list'
    ])
    expect(ids(result)).toEqual(['ok'])
    expect(result.plan!.phases[0]!.index).toBe(0)
  })

  test('deps written as a single string say to make it a list', () => {
    const result = parsePlan(
      'phases:\n  - id: a\n  - id: b\n    deps: a\n',
      'p.yaml'
    )
    expect(result.problems.map(where)).toEqual(['4:11 error schema'])
    expect(result.problems[0]!.message).toBe(
      'deps of phase b must be a list of phase ids, like [database-schema], got "a"; write deps: [a]'
    )
  })

  test('duplicate deps are a warning at the repeat and are dropped', () => {
    const result = parsePlan(
      'phases:\n  - id: a\n  - id: b\n    deps:\n      - a\n      - a\n      - "a"\n',
      'p.yaml'
    )
    expect(result.problems.map(where)).toEqual([
      '6:9 warning duplicate-dependency',
      '7:9 warning duplicate-dependency'
    ])
    expect(result.plan!.phases[1]!.deps).toEqual(['a'])
    expect(result.plan!.phases[1]!.depPositions).toEqual([
      { line: 5, column: 9 }
    ])
  })

  test('an alias and its canonical key: a warning, and the canonical key wins either way round', () => {
    const canonicalFirst = parsePlan(
      'phases:\n  - id: a\n    run: make\n    test_command: npm test\n',
      'p.yaml'
    )
    expect(canonicalFirst.problems.map(where)).toEqual(['4:5 warning schema'])
    expect(canonicalFirst.problems[0]!.message).toBe(
      'phase a gives both `run` and its alias `test_command`; `test_command` is ignored'
    )
    expect(canonicalFirst.plan!.phases[0]!.run).toBe('make')

    const aliasFirst = parsePlan(
      'phases:\n  - id: a\n    title: Alias\n    name: Canonical\n',
      'p.yaml'
    )
    expect(aliasFirst.problems.map(p => [p.severity, p.code])).toEqual([
      ['warning', 'schema']
    ])
    expect(aliasFirst.plan!.phases[0]!.name).toBe('Canonical')
  })

  test('unknown keys are warnings with a suggestion when one is close', () => {
    const suggestions: [string, string][] = [
      ['dep', 'deps'],
      ['depends_on', 'deps'],
      ['dependencies', 'deps'],
      ['needs', 'deps'],
      ['descripton', 'description'],
      ['timeout_minutes', 'timeout-minutes'],
      ['Runs_On', 'runs-on'],
      ['estimate-minutes', 'estimate_minutes'],
      ['parallel-group', 'parallel_group'],
      ['summery', 'summary'],
      ['command', 'run']
    ]
    for (const [key, meant] of suggestions) {
      const result = parsePlan(
        `phases:\n  - id: api\n    ${key}: x\n`,
        'p.yaml'
      )
      expect(result.problems).toEqual([
        {
          code: 'unknown-key',
          severity: 'warning',
          message: `unknown key \`${key}\` in phase api: did you mean \`${meant}\`?`,
          file: 'p.yaml',
          line: 3,
          column: 5
        }
      ])
      expect(ids(result)).toEqual(['api'])
    }
    const far = parsePlan('phases:\n  - id: api\n    colour: red\n', 'p.yaml')
    expect(far.problems[0]!.message).toBe(
      'unknown key `colour` in phase api is ignored; a phase has id, description, name, deps, parallel_group, run, runs-on, timeout-minutes, estimate_minutes, status, retries, inputs'
    )
  })

  test('a plan without phases is `empty-plan` with the seed message', () => {
    const cases: [string, string][] = [
      ['', '1:1'],
      ['# nothing but a comment\n', '1:1'],
      ['phases:\n', '1:1'],
      ['phases: []\n', '1:1'],
      ['name: my plan\nphases: ~\n', '2:1'],
      ['name: my plan\n', '1:1']
    ]
    for (const [text, at] of cases) {
      const result = parsePlan(text, 'p.yaml')
      expect(result.plan).toBeUndefined()
      expect(
        result.problems.map(p => [p.code, p.message, `${p.line}:${p.column}`])
      ).toEqual([['empty-plan', NO_PHASES_MESSAGE, at]])
    }
    const typo = parsePlan('phase:\n  - id: a\n', 'p.yaml')
    expect(typo.problems.map(p => p.message)).toEqual([
      'No phases found in phase plan: there is no `phases:` key (did you mean `phases` instead of `phase`?)'
    ])
  })

  test('a top level or a `phases` that is not the right shape is a schema error', () => {
    const list = parsePlan('- id: a\n- id: b\n', 'p.yaml')
    expect(list.plan).toBeUndefined()
    expect(list.problems.map(p => [where(p), p.message])).toEqual([
      [
        '1:1 error schema',
        'a phase plan must be a mapping with a `phases:` list, got a list; put the list under `phases:`'
      ]
    ])
    const scalar = parsePlan('just text\n', 'p.yaml')
    expect(scalar.problems.map(where)).toEqual(['1:1 error schema'])
    const mapping = parsePlan('phases:\n  a: {deps: []}\n', 'p.yaml')
    expect(mapping.problems.map(p => [where(p), p.message])).toEqual([
      [
        '2:3 error schema',
        '`phases` must be a list of phases (each item starting with `- id:`), got a mapping'
      ]
    ])
  })

  test('wrong types for the other fields name the field, the phase and what was given', () => {
    const result = parsePlan(
      [
        'phases:',
        '  - id: a',
        '    description: [not, text]',
        '    timeout-minutes: "30"',
        '    estimate_minutes: -1',
        '    runs-on: []',
        '    status: {done: true}',
        '    run: 2024'
      ].join('\n'),
      'p.yaml'
    )
    expect(result.problems.map(p => [where(p), p.message])).toEqual([
      [
        '3:18 error schema',
        'description of phase a must be a string, got a list'
      ],
      [
        '4:22 error schema',
        'timeout-minutes of phase a must be a positive number of minutes, got "30"'
      ],
      [
        '5:23 error schema',
        'estimate_minutes of phase a must be a number of minutes from 0 to 10080 (one week), got -1 (a number)'
      ],
      [
        '6:14 error schema',
        'runs-on of phase a must be a runner label or a non-empty list of labels, got a list'
      ],
      [
        '7:13 error schema',
        'status of phase a must be a string, got a mapping'
      ],
      [
        '8:10 error schema',
        'run 2024 of phase a is a number; write it in quotes: "2024"'
      ]
    ])
    // The phase itself stays, without the broken fields.
    expect(result.plan!.phases[0]).toEqual({
      id: 'a',
      deps: [],
      index: 0,
      position: { line: 2, column: 5 },
      depPositions: [],
      done: false
    })
  })

  test('YAML syntax errors are `yaml` problems with positions, and no plan', () => {
    const result = parsePlan(
      'phases:\n  - id: a\n    deps: [b\n  - id: c\n',
      'p.yaml'
    )
    expect(result.plan).toBeUndefined()
    expect(result.problems.length).toBeGreaterThan(0)
    expect(result.problems.every(p => p.code === 'yaml')).toBe(true)
    expect(result.problems[0]!.line).toBeGreaterThanOrEqual(3)
    expect(result.problems[0]!.message).toMatch(/^invalid YAML: /)
  })

  test('problems come sorted by position', () => {
    const result = parsePlan(fixture('many-problems.yaml'), 'p.yaml')
    const order = result.problems.map(p => p.line * 1000 + p.column)
    expect(order).toEqual([...order].sort((a, b) => a - b))
  })
})

describe('round trip', () => {
  // Ids as people write them and as YAML may misread them.
  const trickyIds = fc.constantFrom(
    '1.10',
    '1e3',
    '0x1F',
    'true',
    'no',
    'null',
    '~',
    '__proto__',
    'constructor',
    'a:b',
    '#x',
    '-x',
    '*x',
    '&x',
    '"q"',
    "it's",
    '[x]',
    'phase-1'
  )
  const anyId = fc
    .string({ unit: 'grapheme', minLength: 1, maxLength: 12 })
    .filter(s => /^\S+$/.test(s))
  const plans = fc
    .uniqueArray(fc.oneof(trickyIds, anyId), { minLength: 1, maxLength: 8 })
    .chain(idList =>
      fc.tuple(
        fc.constant(idList),
        fc.tuple(...idList.map((_, i) => fc.subarray(idList.slice(0, i)))),
        fc.array(fc.option(fc.string({ unit: 'grapheme', maxLength: 30 })), {
          minLength: idList.length,
          maxLength: idList.length
        }),
        fc.boolean()
      )
    )

  test('for random plans written by yaml.stringify, parsePlan gives back the same ids and deps', () => {
    fc.assert(
      fc.property(plans, ([idList, depLists, descriptions, flow]) => {
        const phases = idList.map((id, i) => {
          const phase: Record<string, unknown> = { id, deps: depLists[i] }
          const description = descriptions[i]
          if (description !== null && description !== undefined) {
            phase.description = description
          }
          return phase
        })
        const text = stringify(
          { phases },
          flow ? { collectionStyle: 'flow' } : undefined
        )
        const result = parsePlan(text, 'p.yaml')
        expect(errors(result)).toEqual([])
        expect(result.plan!.phases.map(p => p.id)).toEqual(idList)
        expect(result.plan!.phases.map(p => p.deps)).toEqual(depLists)
        result.plan!.phases.forEach((phase, i) => {
          const description = descriptions[i]
          expect(phase.description).toBe(description ?? undefined)
          // Each dep position points at the dep, as written or quoted.
          phase.depPositions.forEach((position, k) => {
            const at = textAt(text, position.line, position.column)
            const dep = phase.deps[k]!
            expect(
              at.startsWith(dep) || at.startsWith('"') || at.startsWith("'")
            ).toBe(true)
          })
        })
      }),
      { numRuns: 300 }
    )
  })
})
