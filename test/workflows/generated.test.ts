// The committed waves workflows are exactly what the generator writes.
// `npm run workflows` (scripts/write-workflows.mjs) rewrites them; this test
// only compares.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import {
  EXAMPLE_PLAN,
  generatedWorkflows,
  waveCountOf
} from '../../scripts/generated-workflows.js'

describe('generated workflows', () => {
  test.each(generatedWorkflows())('$path is current', ({ path, text }) => {
    expect(existsSync(path)).toBe(true)
    // A readable message instead of a 500-line diff when only one line moved.
    if (readFileSync(path, 'utf8') !== text) {
      throw new Error(
        `${path} differs from the generator's output. Run \`npm run workflows\` and commit it.`
      )
    }
  })

  test('the example runs the bundled plan with one wave job per wave', () => {
    const waves = waveCountOf(EXAMPLE_PLAN)
    const text = readFileSync('.github/workflows/example.yml', 'utf8')
    expect(text).toContain(`plan: ${EXAMPLE_PLAN}`)
    expect(text).toContain(`max-waves: ${waves}`)
    expect(text).toContain(`  wave-${waves}:`)
    expect(text).not.toContain(`  wave-${waves + 1}:`)
  })
})
