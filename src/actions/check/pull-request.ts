// The check on a pull request: what changed against the base branch's plan
// (read through the contents API at the base commit: nothing of the pull
// request is checked out or run), and the one sticky comment that says it.
// A token that may not comment (pull requests from forks) is only a notice.
import path from 'node:path'
import { errorMessage } from '../../plan/errors.js'
import { GitHubApiError, upsertSticky } from '../../github/comments.js'
import { parsePlan } from '../../plan/load.js'
import type { Plan } from '../../plan/types.js'
import {
  COMMENT_MARKER,
  renderCheckComment,
  type BaseComparison,
  type CheckReport
} from '../../render/check-report.js'
import { diffPlans } from '../../render/check-report.js'
import type { CheckSettings } from '../inputs.js'
import * as core from '../log.js'
import type { CheckPorts } from '../ports.js'

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
