import { describe, expect, test } from '@jest/globals'
import { parsePlan } from '../../src/plan/load.js'
import {
  MAX_ENV_VALUE_BYTES,
  envLimitProblems,
  envLimitWarnings
} from '../../src/plan/env-limits.js'

function load(text: string) {
  const result = parsePlan(text, 'plan.yaml')
  expect(result.problems).toEqual([])
  return result.plan!
}

describe('values too long for one environment string', () => {
  test('a 140 KB run command is refused at its position, with advice', () => {
    const plan = load(
      `phases:\n  - id: ok\n    run: make\n  - id: huge\n    deps: [ok]\n    run: echo ${'x'.repeat(140_000)}\n`
    )
    const problems = envLimitProblems(plan)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'too-large',
      severity: 'error',
      file: 'plan.yaml',
      line: 6,
      column: 10
    })
    expect(problems[0]!.message).toContain('phase `huge`')
    expect(problems[0]!.message).toContain('E2BIG')
    expect(problems[0]!.message).toContain('script file')
  })

  test('the limit is counted in UTF-8 bytes on Linux, exactly at the edge', () => {
    const at = (n: number) =>
      envLimitProblems(
        load(`phases:\n  - id: a\n    test_command: "${'é'.repeat(n)}"\n`)
      )
    // é is 2 bytes.
    expect(at(Math.floor(MAX_ENV_VALUE_BYTES / 2))).toEqual([])
    const over = at(Math.floor(MAX_ENV_VALUE_BYTES / 2) + 1)
    expect(over).toHaveLength(1)
    expect(over[0]).toMatchObject({ line: 3, column: 19 })
  })

  test('a Windows runner allows far less; descriptions count too', () => {
    const text = 'y'.repeat(30_000)
    expect(
      envLimitProblems(load(`phases:\n  - id: a\n    run: ${text}\n`))
    ).toEqual([])
    const windows = envLimitProblems(
      load(
        `phases:\n  - id: a\n    runs-on: [self-hosted, Windows]\n    run: ${text}\n`
      )
    )
    expect(windows).toHaveLength(1)
    expect(windows[0]!.message).toContain('Windows')
    const description = envLimitProblems(
      load(`phases:\n  - id: a\n    description: ${'d'.repeat(140_000)}\n`)
    )
    expect(description).toHaveLength(1)
    expect(description[0]!.message).toContain('description of phase `a`')
  })

  test('as warnings for check, naming the waves mode', () => {
    const warnings = envLimitWarnings(
      load(`phases:\n  - id: a\n    run: ${'x'.repeat(140_000)}\n`)
    )
    expect(warnings[0]!.severity).toBe('warning')
    expect(warnings[0]!.message).toMatch(/^The waves mode .* refuses/)
  })
})
