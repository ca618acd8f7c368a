// Whether the legs' records fit where they travel: 64 legs a round, one
// round's records in one environment string, all rounds' in the report
// step's environment.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { MAX_ENV_VALUE_BYTES } from '../../src/plan/env-limits.js'
import {
  MAX_RECORDS_ENV_BYTES,
  roundRecordsBytes
} from '../../src/plan/leg-record.js'
import { MATRIX_LEG_LIMIT } from '../../src/plan/packing.js'
import { recordBudgetProblem } from '../../src/plan/record-budget.js'

/** Phases of a 64-leg round whose records just fit one environment string. */
const FULL_ROUND = Math.floor(
  (MAX_ENV_VALUE_BYTES - roundRecordsBytes(MATRIX_LEG_LIMIT, 0)) /
    (roundRecordsBytes(1, 1) - roundRecordsBytes(1, 0))
)

describe('recordBudgetProblem', () => {
  test('a plan of usual rounds fits', () => {
    expect(
      recordBudgetProblem([
        { wave: 1, legs: 64, phases: 5000 },
        { wave: 2, legs: 3, phases: 3 }
      ])
    ).toBeUndefined()
  })

  test('more legs than a round may have: the runners are named as the cause', () => {
    expect(
      recordBudgetProblem([
        { wave: 1, legs: 2, phases: 2 },
        { wave: 2, legs: MATRIX_LEG_LIMIT + 1, phases: 70 }
      ])
    ).toMatch(/^Wave 2 needs 65 legs: its phases name more different runners/)
  })

  test('one round over one environment string', () => {
    expect(
      recordBudgetProblem([{ wave: 1, legs: 64, phases: FULL_ROUND }])
    ).toBeUndefined()
    expect(
      recordBudgetProblem([{ wave: 3, legs: 64, phases: FULL_ROUND + 1 }])
    ).toMatch(
      /^Wave 3 holds \d+ phases: .*PHASE_MATRIX_ROUND_3, one environment string.*E2BIG/
    )
  })

  test('every round fits, all of them together do not: the report step’s environment', () => {
    const rounds = Math.ceil(
      MAX_RECORDS_ENV_BYTES / roundRecordsBytes(64, FULL_ROUND)
    )
    const problem = recordBudgetProblem(
      Array.from({ length: rounds + 1 }, (_, i) => ({
        wave: i + 1,
        legs: 64,
        phases: FULL_ROUND
      }))
    )
    expect(problem).toMatch(
      /^The records of all \d+ waves \(\d+ phases\) can take up to [\d,]+ bytes together in the report step's environment .*ARG_MAX/
    )
  })

  test('a problem exactly when some bound is passed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            legs: fc.integer({ min: 1, max: 70 }),
            phases: fc.integer({ min: 1, max: 12_000 })
          }),
          { minLength: 1, maxLength: 24 }
        ),
        sizes => {
          const rounds = sizes.map((size, i) => ({ wave: i + 1, ...size }))
          const bytes = rounds.map(r => roundRecordsBytes(r.legs, r.phases))
          const over =
            rounds.some(r => r.legs > MATRIX_LEG_LIMIT) ||
            bytes.some(b => b > MAX_ENV_VALUE_BYTES) ||
            bytes.reduce((a, b) => a + b, 0) > MAX_RECORDS_ENV_BYTES
          expect(recordBudgetProblem(rounds) !== undefined).toBe(over)
        }
      )
    )
  })
})
