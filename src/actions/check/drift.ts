// The check's drift verdict on a generated needs workflow: the same check
// the CLI runs (readWorkflowToCheck, checkDrift), with the config the
// workflow's header names; what cannot be checked is said, not thrown.
import {
  readConfigFile,
  checkDrift,
  readWorkflowToCheck,
  type GivenInvocation
} from '../../repo/files.js'
import { resolveSettings } from '../../plan/config.js'
import { UsageError } from '../../plan/errors.js'
import type { PlanAnalysis, Problem } from '../../plan/types.js'
import type { WorkflowDrift } from '../../render/check-report.js'
import { DEFAULT_CONFIG_PATH } from '../constants.js'
import type { CheckSettings } from '../inputs.js'

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
