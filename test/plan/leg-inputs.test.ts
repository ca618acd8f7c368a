// The needed jobs' outputs exec finds in its env: the one list a packed or
// retried needs-graph job gets (`toJSON(needs.*.outputs.phase-outputs)`),
// and the per-job variables.
import { describe, expect, test } from '@jest/globals'
import { earlierOutputs, readNeededOutputs } from '../../src/plan/leg-inputs.js'

describe('readNeededOutputs', () => {
  test('takes each string of the PHASE_MATRIX_NEEDS list, skipping null and empty ones', () => {
    const env = {
      PHASE_MATRIX_NEEDS: JSON.stringify([
        '{"build":{"version":"1.2.3"}}',
        null,
        '',
        '{"lint":{"ok":"yes"}}'
      ]),
      PHASE_MATRIX_NEEDS_1: '{"docs":{"url":"x"}}',
      PHASE_MATRIX_NEEDS_2: ''
    }
    const needed = readNeededOutputs(env)
    expect(needed).toEqual([
      '{"build":{"version":"1.2.3"}}',
      '{"lint":{"ok":"yes"}}',
      '{"docs":{"url":"x"}}'
    ])
    expect(earlierOutputs(new Map(), undefined, needed)).toEqual({
      build: { version: '1.2.3' },
      lint: { ok: 'yes' },
      docs: { url: 'x' }
    })
  })

  test('a list that is not JSON, or not a list, holds nothing', () => {
    for (const value of ['not json', '{"a":1}', '"x"', '[1, {"b": 2}]']) {
      expect(readNeededOutputs({ PHASE_MATRIX_NEEDS: value })).toEqual([])
    }
  })
})
