// The check on the repository's workflows: the drift of a generated needs
// workflow, and the callers of phases.yml that GitHub would refuse.
import { readConfigFile } from '../../repo/files.js'
import {
  checkDrift,
  readWorkflowToCheck,
  type GivenInvocation
} from '../../repo/workflow-files.js'
import { resolveSettings } from '../../plan/config.js'
import { UsageError } from '../../plan/errors.js'
import type { PlanAnalysis, Problem } from '../../plan/types.js'
import type { WorkflowDrift } from '../../render/generate-command-line.js'
import { DEFAULT_CONFIG_PATH } from '../constants.js'
import type { CheckSettings } from '../inputs.js'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import { callerPermissionProblems } from '../../render/caller-permissions.js'

// The check's drift verdict on a generated needs workflow: the same check
// the CLI runs (readWorkflowToCheck, checkDrift), with the config the
// workflow's header names; what cannot be checked is said, not thrown.

interface DriftResult {
  drift?: WorkflowDrift
  error?: string
  /** Problems of the recorded config (shown like the plan's). */
  problems: Problem[]
}

/**
 * The drift check the CLI runs too (readWorkflowToCheck, checkDrift): the
 * plan and config inputs win over the header when given; the header's
 * paths must stay inside the repository.
 */
export function checkWorkflow(
  settings: CheckSettings,
  workflowFile: string,
  analysis: PlanAnalysis
): DriftResult {
  const root = settings.run.cwd
  try {
    const given: GivenInvocation = { plan: settings.planPath }
    if (settings.configExplicit) given.config = settings.configPath
    const workflow = readWorkflowToCheck(workflowFile, given, root)
    const { config, maxWorkers, failFast } = workflow.invocation
    const read = readConfigFile(
      config ?? DEFAULT_CONFIG_PATH,
      config !== undefined
    )
    if (read.problems.some(problem => problem.severity === 'error')) {
      return {
        problems: read.problems,
        error: `The config ${config ?? ''} named in ${workflowFile} cannot be used.`
      }
    }
    const overrides: { maxWorkers?: number; failFast?: boolean } = {}
    if (maxWorkers !== undefined) overrides.maxWorkers = maxWorkers
    if (failFast === true) overrides.failFast = true
    const parallel = resolveSettings(read.settings, overrides)
    const result = checkDrift(workflow, analysis, parallel, root)
    if ('problems' in result) {
      return {
        problems: result.problems,
        error: `${workflowFile} cannot be generated for this plan.`
      }
    }
    return { drift: result.drift, problems: [] }
  } catch (error) {
    if (error instanceof UsageError)
      return { error: error.message, problems: [] }
    throw error
  }
}

// Advice of the check: the repository's workflows that call phases.yml
// without allowing `contents: read`, which GitHub would refuse at start-up.

/**
 * Workflows of the repository that call phases.yml without allowing
 * `contents: read` (GitHub would refuse their runs at start-up). A file that
 * cannot be read is passed over: this is advice, not the check's verdict.
 */
export function callersWithoutContentsRead(root: string): Problem[] {
  const dir = path.join(root, '.github', 'workflows')
  let names: string[]
  try {
    names = readdirSync(dir)
  } catch {
    return []
  }
  const problems: Problem[] = []
  for (const name of names.sort()) {
    if (!/\.ya?ml$/.test(name)) continue
    let text: string
    try {
      text = readFileSync(path.join(dir, name), 'utf8')
    } catch {
      continue
    }
    problems.push(
      ...callerPermissionProblems(text, `.github/workflows/${name}`)
    )
  }
  return problems
}
