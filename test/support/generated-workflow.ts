// The workflow `phase-matrix generate --plan PLAN --out WORKFLOW` writes for
// a plan text, with default settings: what a committed, current file holds.
import { generateWorkflow } from '../../src/repo/workflow-files.js'
import { analyzePlan } from '../../src/plan/analyze.js'
import { parsePlan } from '../../src/plan/load.js'
import { DEFAULT_PARALLEL_SETTINGS } from '../../src/plan/types.js'
import { REPO_ROOT } from './run-action.js'

export function generatedWorkflow(
  planText: string,
  planPath: string,
  workflowPath: string
): string {
  const { plan } = parsePlan(planText, planPath)
  if (plan === undefined) throw new Error(`${planPath} does not load`)
  const { analysis } = analyzePlan(plan)
  if (analysis === undefined) throw new Error(`${planPath} is not valid`)
  return generateWorkflow(
    analysis,
    DEFAULT_PARALLEL_SETTINGS,
    { plan: planPath, out: workflowPath },
    REPO_ROOT
  ).text
}
