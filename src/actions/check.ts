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
import type { Problem } from '../plan/types.js'
import { renderCheckReport, type CheckReport } from '../render/check-report.js'
import { truncateMarkdown } from '../render/safe-text.js'
import { annotateProblems, actionStep } from './step.js'
import { callersWithoutContentsRead, checkWorkflow } from './check/workflows.js'
import { compareWithBase, postComment } from './check/pull-request.js'
import { CheckOutputs, MAX_SUMMARY_CHARS } from './constants.js'
import type { CheckSettings } from './inputs.js'
import * as core from './log.js'
import type { CheckPorts } from './ports.js'

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
