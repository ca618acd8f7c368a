// The committed waves workflows are exactly what the generator writes.
// `npm run workflows` (UPDATE_GOLDEN=1) rewrites them instead of comparing.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { readPlanFile } from '../../src/files.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import {
  renderExampleWorkflow,
  renderReusableWorkflow
} from '../../src/render/reusable-workflow.js'

const update = process.env.UPDATE_GOLDEN === '1'

/** The bundled plan example.yml runs; its wave count shapes the file. */
const EXAMPLE_PLAN = 'examples/full-stack.yaml'

function waveCountOf(path: string): number {
  const { plan, problems } = readPlanFile(path)
  if (plan === undefined) {
    throw new Error(`${path} did not load: ${JSON.stringify(problems)}`)
  }
  const { analysis } = analyzePlan(plan)
  if (analysis === undefined) throw new Error(`${path} is not a valid plan`)
  return analysis.waves.length
}

const targets = [
  {
    path: '.github/workflows/phases.yml',
    render: () => renderReusableWorkflow()
  },
  {
    path: '.github/workflows/example.yml',
    render: () =>
      renderExampleWorkflow({
        plan: EXAMPLE_PLAN,
        waves: waveCountOf(EXAMPLE_PLAN)
      })
  }
]

describe('generated workflows', () => {
  test.each(targets)('$path is current', ({ path, render }) => {
    const expected = render()
    if (update) writeFileSync(path, expected)
    expect(existsSync(path)).toBe(true)
    // A readable message instead of a 500-line diff when only one line moved.
    const committed = readFileSync(path, 'utf8')
    if (committed !== expected) {
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
