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
  test('a run command or a description of any length is fine: exec reads them from the plan', () => {
    const plan = load(
      `phases:\n  - id: ok\n    run: make\n  - id: huge\n    deps: [ok]\n    description: ${'d'.repeat(140_000)}\n    run: echo ${'x'.repeat(140_000)}\n`
    )
    expect(envLimitProblems(plan)).toEqual([])
  })

  test('an id too long for one environment string (exec’s input phases) is refused at its position', () => {
    const id = 'x'.repeat(140_000)
    const plan = load(`phases:\n  - id: ok\n  - id: ${id}\n`)
    const problems = envLimitProblems(plan)
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'too-large',
      severity: 'error',
      file: 'plan.yaml',
      line: 3,
      column: 9
    })
    expect(problems[0]!.message).toContain('input phases')
    expect(problems[0]!.message).toContain('E2BIG')
  })

  test('the limit is counted in UTF-8 bytes on Linux, exactly at the edge', () => {
    const at = (n: number) =>
      envLimitProblems(load(`phases:\n  - id: "${'é'.repeat(n)}"\n`))
    // é is 2 bytes.
    expect(at(Math.floor(MAX_ENV_VALUE_BYTES / 2))).toEqual([])
    const over = at(Math.floor(MAX_ENV_VALUE_BYTES / 2) + 1)
    expect(over).toHaveLength(1)
    expect(over[0]).toMatchObject({ line: 2, column: 9 })
  })

  test('a Windows runner allows far less', () => {
    const id = 'y'.repeat(30_000)
    expect(envLimitProblems(load(`phases:\n  - id: ${id}\n`))).toEqual([])
    const windows = envLimitProblems(
      load(`phases:\n  - id: ${id}\n    runs-on: [self-hosted, Windows]\n`)
    )
    expect(windows).toHaveLength(1)
    expect(windows[0]!.message).toContain('Windows')
  })

  test('as warnings for check, naming the waves mode', () => {
    const warnings = envLimitWarnings(
      load(`phases:\n  - id: ${'x'.repeat(140_000)}\n`)
    )
    expect(warnings[0]!.severity).toBe('warning')
    expect(warnings[0]!.message).toMatch(/^The waves mode .* refuses/)
  })
})
