import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import {
  formatFlagsLine,
  formatGenerateCommand,
  parseFlagsLine,
  quoteShellArg,
  type GenerateInvocation
} from '../../src/render/generate-command-line.js'
import { isVisibleText } from '../../src/render/yaml.js'

/** Any invocation generate records: paths of any text, every flag. */
const path = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })
const invocation: fc.Arbitrary<GenerateInvocation> = fc.record(
  {
    plan: path,
    config: path,
    template: path,
    maxWorkers: fc.nat({ max: 1000 }),
    maxJobs: fc.integer({ min: 1, max: 100_000 }),
    failFast: fc.constant(true),
    cachePassed: fc.constant(true),
    out: path
  },
  { requiredKeys: ['plan'] }
)

describe('the regenerate command', () => {
  test('is written with only the flags that were given', () => {
    expect(formatGenerateCommand({ plan: 'plan.yaml' })).toBe(
      'phase-matrix generate --plan plan.yaml'
    )
    expect(
      formatGenerateCommand({
        plan: 'my plans/p.yaml',
        config: 'c.yaml',
        template: "it's.yml",
        maxWorkers: 3,
        failFast: true,
        out: '.github/workflows/phases.yml'
      })
    ).toBe(
      "phase-matrix generate --plan 'my plans/p.yaml' --config c.yaml --template 'it'\\''s.yml' --max-workers 3 --fail-fast --out .github/workflows/phases.yml"
    )
  })

  test('quoting is what bash reads back', () => {
    for (const arg of [
      "a'b",
      'a b',
      '$(id)',
      '`x`',
      'line\nbreak',
      'tab\t',
      'é\u2028',
      ''
    ]) {
      const echoed = execFileSync(
        'bash',
        ['--noprofile', '--norc', '-c', `printf '%s' ${quoteShellArg(arg)}`],
        {
          encoding: 'utf8'
        }
      )
      expect(echoed).toBe(arg)
    }
  })

  test('is one visible line that bash reads back as the flags given (property)', () => {
    fc.assert(
      fc.property(invocation, given => {
        const line = formatGenerateCommand(given)
        expect(line).not.toContain('\n')
        expect(isVisibleText(line)).toBe(true)
        expect(line.startsWith('phase-matrix generate --plan ')).toBe(true)
      }),
      { numRuns: 500 }
    )
    // What a user pastes: bash reads the words back exactly.
    const given: GenerateInvocation = {
      plan: "a b'c\u2028.yaml",
      template: '$(id)\n`x`',
      maxWorkers: 2,
      cachePassed: true,
      out: 'w.yml'
    }
    const words = execFileSync(
      'bash',
      [
        '--noprofile',
        '--norc',
        '-c',
        `printf '%s\\0' ${formatGenerateCommand(given)}`
      ],
      { encoding: 'utf8' }
    ).split('\0')
    expect(words.slice(0, -1)).toEqual([
      'phase-matrix',
      'generate',
      '--plan',
      given.plan,
      '--template',
      given.template,
      '--max-workers',
      '2',
      '--cache-passed',
      '--out',
      'w.yml'
    ])
  })
})

describe('the flags line', () => {
  test('reads back as the same invocation, on one visible line (property)', () => {
    fc.assert(
      fc.property(invocation, given => {
        const line = formatFlagsLine(given)
        expect(line).not.toContain('\n')
        expect(isVisibleText(line)).toBe(true)
        expect(parseFlagsLine(line)).toEqual(given)
      }),
      { numRuns: 500 }
    )
    expect(formatFlagsLine({ plan: 'p.yaml', cachePassed: true })).toBe(
      'phase-matrix flags: {"plan":"p.yaml","cachePassed":true}'
    )
  })

  test('lines we did not write are not read', () => {
    for (const line of [
      'phase-matrix flags: {"out":"x"}',
      'phase-matrix flags: {"plan":"p","evil":"x"}',
      'phase-matrix flags: {"plan":"p"',
      'phase-matrix flags: {"plan":"p","maxWorkers":"x"}',
      'phase-matrix flags: {"plan":"p","maxJobs":0}',
      'phase-matrix flags: {"plan":"p","failFast":false}',
      'phase-matrix flags: ["p"]',
      'something else {"plan":"p"}'
    ]) {
      expect([line, parseFlagsLine(line)]).toEqual([line, undefined])
    }
  })
})
