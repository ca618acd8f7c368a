// The workflows this repository generates and commits: the reusable
// workflow .github/workflows/phases.yml and example.yml, which runs the
// bundled example plan (its wave count shapes the file). Written by
// `npm run workflows` (scripts/write-workflows.mjs), compared by
// test/workflows/generated.test.ts. Importing this module does nothing.
import { readPlanFile } from '../src/repo/files.js'
import { analyzePlan } from '../src/plan/analyze.js'
import {
  renderExampleWorkflow,
  renderReusableWorkflow
} from '../src/render/reusable-workflow.js'

/** The bundled plan example.yml runs. */
export const EXAMPLE_PLAN = 'examples/full-stack.yaml'

export interface GeneratedWorkflow {
  /** Relative to the repository root. */
  path: string
  /** What the file must hold. */
  text: string
}

/** The number of waves of a plan file of the repository. */
export function waveCountOf(path: string): number {
  const { plan, problems } = readPlanFile(path)
  if (plan === undefined) {
    throw new Error(`${path} did not load: ${JSON.stringify(problems)}`)
  }
  const { analysis } = analyzePlan(plan)
  if (analysis === undefined) throw new Error(`${path} is not a valid plan`)
  return analysis.waves.length
}

/** Every generated workflow, as the generator writes it now. */
export function generatedWorkflows(): GeneratedWorkflow[] {
  return [
    {
      path: '.github/workflows/phases.yml',
      text: renderReusableWorkflow()
    },
    {
      path: '.github/workflows/example.yml',
      text: renderExampleWorkflow({
        plan: EXAMPLE_PLAN,
        waves: waveCountOf(EXAMPLE_PLAN)
      })
    }
  ]
}
