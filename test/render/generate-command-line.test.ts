import { describe, expect, test } from '@jest/globals'
import { execFileSync } from 'node:child_process'
import fc from 'fast-check'
import {
  formatGenerateCommand,
  parseGenerateCommand,
  quoteShellArg,
  splitShellWords,
  type GenerateInvocation
} from '../../src/render/generate-command-line.js'
import { isVisibleText } from '../../src/render/yaml.js'

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

  const path = fc.string({ unit: 'binary', minLength: 1, maxLength: 20 })
  const invocation: fc.Arbitrary<GenerateInvocation> = fc.record(
    {
      plan: path,
      config: path,
      template: path,
      maxWorkers: fc.nat({ max: 1000 }),
      failFast: fc.constant(true),
      cachePassed: fc.constant(true),
      out: path
    },
    { requiredKeys: ['plan'] }
  )

  test('reads back as the same invocation, on one visible line (property)', () => {
    fc.assert(
      fc.property(invocation, given => {
        const line = formatGenerateCommand(given)
        expect(line).not.toContain('\n')
        expect(isVisibleText(line)).toBe(true)
        expect(parseGenerateCommand(line)).toEqual(given)
      }),
      { numRuns: 500 }
    )
  })

  test('lines we did not write are not read', () => {
    expect(
      parseGenerateCommand('phase-matrix generate --out x')
    ).toBeUndefined()
    expect(
      parseGenerateCommand('phase-matrix generate --plan p --evil x')
    ).toBeUndefined()
    expect(
      parseGenerateCommand("phase-matrix generate --plan 'open")
    ).toBeUndefined()
    expect(
      parseGenerateCommand('phase-matrix generate --plan p --max-workers x')
    ).toBeUndefined()
    expect(parseGenerateCommand('something else --plan p')).toBeUndefined()
    expect(splitShellWords("a 'b c' $'d\\ne'")).toEqual(['a', 'b c', 'd\ne'])
  })
})
