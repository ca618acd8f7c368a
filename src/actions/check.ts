// The pull-request check (check/action.yml): validates the plan with an
// annotation on the plan's own line and column for every problem, verifies
// a generated needs workflow is current, writes the job summary (verdict,
// problems, drift diff, waves, graph, estimates) and, with `comment: true`,
// keeps one sticky comment on the pull request that also says what changed
// against the base branch's plan. The base plan is read through the
// contents API at the base commit: nothing of the pull request is checked
// out or run here. Fails on an invalid plan or a stale workflow; a token
// that may not comment (pull requests from forks) is only a notice.
import { envLimitWarnings } from '../plan/env-limits.js'
import { resolveSettings } from '../plan/config.js'
import { errorMessage, UsageError } from '../plan/errors.js'
import { parsePlan } from '../plan/load.js'
import type { PlanAnalysis, Plan, Problem } from '../plan/types.js'
import {
  COMMENT_MARKER,
  diffPlans,
  renderCheckComment,
  renderCheckReport,
  type BaseComparison,
  type CheckReport
} from '../render/check-report.js'
import { callerPermissionProblems } from '../render/caller-permissions.js'
import type { WorkflowDrift } from '../render/generate-command-line.js'
import { truncateMarkdown } from '../render/safe-text.js'
import { GitHubApiError, upsertSticky } from '../github/comments.js'
import { readConfigFile } from '../repo/files.js'
import {
  checkDrift,
  readWorkflowToCheck,
  type GivenInvocation
} from '../repo/workflow-files.js'
import { annotateProblems, actionStep } from './step.js'
import {
  CheckOutputs,
  DEFAULT_CONFIG_PATH,
  MAX_SUMMARY_CHARS
} from './constants.js'
import type { CheckSettings } from './inputs.js'
import * as core from './log.js'
import type { CheckPorts } from './ports.js'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'

async function check(
  settings: CheckSettings,
  ports: CheckPorts
): Promise<void> {
  const root = settings.run.workspace
  const loaded = ports.files.loadPlan({
    planPath: settings.planPath,
    config: { path: settings.configPath, explicit: settings.configExplicit }
  })
  const problems = [...loaded.problems]
  if (loaded.analysis !== undefined)
    problems.push(...envLimitWarnings(loaded.analysis.plan))
  problems.push(...callersWithoutContentsRead(root ?? settings.run.cwd))
  const report: CheckReport = { planFile: settings.planPath, problems }
  if (loaded.analysis !== undefined) report.analysis = loaded.analysis
  report.maxWorkers = loaded.settings.maxWorkers

  let stale: Problem | undefined
  if (settings.workflowPath !== undefined && loaded.analysis !== undefined) {
    const result = checkWorkflow(
      settings,
      settings.workflowPath,
      loaded.analysis
    )
    problems.push(...result.problems)
    if (result.error !== undefined) report.driftError = result.error
    if (result.drift !== undefined) {
      report.drift = result.drift
      if (!result.drift.current) {
        stale = {
          code: 'stale-workflow',
          severity: 'error',
          message: `${result.drift.file} is not what phase-matrix generate writes for ${settings.planPath}. Regenerate it: ${result.drift.fixCommand}`,
          file: settings.workflowPath,
          line: result.drift.firstDifferentLine,
          column: 1
        }
      }
    }
  }
  annotateProblems(
    stale === undefined ? report.problems : [...report.problems, stale],
    root
  )
  if (report.drift !== undefined && !report.drift.current) {
    const diff = report.drift.diff
    await core.group(
      `${report.drift.file} is out of date: the diff to what generate writes`,
      () => {
        core.info(diff)
        return Promise.resolve()
      }
    )
  }

  const pr =
    settings.comment && settings.run.repository !== undefined
      ? settings.pullRequest
      : undefined
  if (settings.comment && pr === undefined) {
    core.notice(
      'comment: true, but this run is not for a pull request: no comment written.',
      {
        title: 'phase-matrix: no comment'
      }
    )
  }
  if (pr !== undefined && loaded.plan !== undefined) {
    report.base = await compareWithBase(settings, ports, pr, loaded.plan)
  }

  const markdown = renderCheckReport(report)
  await core.appendSummary(
    settings.run,
    truncateMarkdown(
      markdown,
      MAX_SUMMARY_CHARS,
      '_The summary is cut short to fit GitHub’s limit; the log has every problem._'
    )
  )
  if (pr !== undefined) await postComment(ports, pr, report)

  const errors = report.problems.filter(p => p.severity === 'error').length
  const planValid = loaded.analysis !== undefined && errors === 0
  const current = report.drift === undefined || report.drift.current
  const valid = planValid && current && report.driftError === undefined
  core.setOutput(CheckOutputs.valid, valid ? 'true' : 'false')
  if (!planValid) {
    core.setFailed(
      `${settings.planPath}: ${errors} error(s); each is annotated on its line and listed in the job summary.`
    )
  } else if (report.driftError !== undefined) {
    core.setFailed(report.driftError)
  } else if (!current && report.drift !== undefined) {
    core.setFailed(
      `${report.drift.file} is out of date. Regenerate it and commit the result: ${report.drift.fixCommand}`
    )
  }
}

/** The check step: never throws; a failure is the step's (core.setFailed). */
export const run = actionStep(check)

// The check on the repository's workflows: the drift of a generated needs
// workflow, and the callers of phases.yml that GitHub would refuse.

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

// The check on a pull request: what changed against the base branch's plan
// (read through the contents API at the base commit: nothing of the pull
// request is checked out or run), and the one sticky comment that says it.
// A token that may not comment (pull requests from forks) is only a notice.

/** The pull request to comment on: its repository, number and base commit. */
interface PullRequest {
  number: number
  baseSha: string
}

/** The plan file's path from the repository root, for the contents API. */
function repositoryPath(file: string, root: string): string | undefined {
  const relative = path.relative(root, path.resolve(file))
  if (
    relative === '' ||
    relative.startsWith('..') ||
    path.isAbsolute(relative)
  ) {
    return undefined
  }
  return relative.split(path.sep).join('/')
}

export async function compareWithBase(
  settings: CheckSettings,
  ports: CheckPorts,
  pr: PullRequest,
  head: Plan
): Promise<BaseComparison> {
  const file = repositoryPath(
    settings.planPath,
    settings.run.workspace ?? settings.run.cwd
  )
  if (file === undefined) {
    return {
      kind: 'unavailable',
      reason: `${settings.planPath} is outside the repository`
    }
  }
  try {
    const text = await ports.github.fileAtRef(file, pr.baseSha)
    if (text === undefined) return { kind: 'no-base-plan', baseRef: pr.baseSha }
    const base = parsePlan(text, file)
    if (base.plan === undefined) {
      const first = base.problems[0]
      return {
        kind: 'unavailable',
        reason: `the base branch's plan does not load (${first?.message ?? 'unknown problem'})`
      }
    }
    return {
      kind: 'changes',
      baseRef: pr.baseSha,
      changes: diffPlans(base.plan, head)
    }
  } catch (error) {
    return {
      kind: 'unavailable',
      reason: errorMessage(error)
    }
  }
}

export async function postComment(
  ports: CheckPorts,
  pr: PullRequest,
  report: CheckReport
): Promise<void> {
  try {
    const result = await upsertSticky(
      ports.github,
      pr.number,
      COMMENT_MARKER,
      renderCheckComment(report)
    )
    core.info(`The pull request comment was ${result.action}: ${result.url}`)
  } catch (error) {
    if (error instanceof GitHubApiError && error.status === 403) {
      core.notice(
        'This token may not comment on the pull request (pull requests from forks get a read-only token), so the plan is in the job summary only.',
        { title: 'phase-matrix: no comment' }
      )
      return
    }
    core.warning(
      `The pull request comment could not be written: ${errorMessage(error)}. The plan is in the job summary.`,
      { title: 'phase-matrix: no comment' }
    )
  }
}
