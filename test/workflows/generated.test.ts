// The committed waves workflows are exactly what the generator writes.
// `npm run workflows` (scripts/write-workflows.mjs) rewrites them; this test
// only compares.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync } from 'node:fs'
import { parse } from 'yaml'
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

  // With the plan step's `passed` input, an unchanged phase's stored
  // outputs reach its dependents only through the plan job's output.
  test.each(generatedWorkflows())(
    '$path gives every exec step what unchanged phases stored',
    ({ text }) => {
      const { jobs } = parse(text) as {
        jobs: Record<
          string,
          {
            outputs?: Record<string, string>
            steps?: { uses?: string; env?: Record<string, string> }[]
          }
        >
      }
      expect(jobs['plan']?.outputs?.['phase-outputs']).toBe(
        '${{ steps.plan.outputs.phase-outputs }}'
      )
      const execSteps = Object.values(jobs).flatMap(job =>
        (job.steps ?? []).filter(step =>
          /(^\.\/exec$|\/exec@)/.test(step.uses ?? '')
        )
      )
      expect(execSteps.length).toBeGreaterThan(0)
      for (const step of execSteps) {
        expect(step.env?.['PHASE_MATRIX_NEEDS_PLAN']).toBe(
          '${{ needs.plan.outputs.phase-outputs }}'
        )
      }
    }
  )
})
