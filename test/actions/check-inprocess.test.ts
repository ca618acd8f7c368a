// The pull-request check in this process: run(settings, ports) with a fake
// comments-and-contents port (a plain object, no HTTP) over files in a temp
// workspace. @actions/core is replaced by a recorder.
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  jest,
  test
} from '@jest/globals'
import type { CheckSettings } from '../../src/actions/inputs.js'
import {
  GitHubApiError,
  type CheckGitHub,
  type IssueComment
} from '../../src/github/comments.js'
import { COMMENT_MARKER } from '../../src/render/check-report.js'
import { generatedWorkflow } from '../support/generated-workflow.js'
import { captureCore, testRunContext } from '../support/action-harness.js'
import { workspaceWith } from '../support/run-action.js'
import { FOUR_PHASE_PLAN } from '../support/plans.js'

const core = captureCore()
jest.unstable_mockModule('@actions/core', () => core.module)
const check = await import('../../src/actions/check.js')
const { realPlanFiles } = await import('../../src/actions/ports.js')

const PLAN_PATH = '.prd_runner/phase_plan.yaml'
const WORKFLOW_PATH = '.github/workflows/phases.yml'
const BASE_SHA = 'b4se0000000000000000000000000000000000ff'
const PR = 7
const BOT = 'github-actions[bot]'

const PLAN = FOUR_PHASE_PLAN

function generated(planText: string): string {
  return generatedWorkflow(planText, PLAN_PATH, WORKFLOW_PATH)
}

/** Comments and contents of one repository, as plain data. */
class FakeRepo implements CheckGitHub {
  comments: (IssueComment & { issue: number })[] = []
  files = new Map<string, string>()
  login = BOT
  /** A token that may not write (a fork's pull request). */
  readOnly = false
  writes: string[] = []
  private nextId = 100

  tokenLogin(): Promise<string> {
    return Promise.resolve(this.login)
  }

  commentPages(issue: number): AsyncIterable<readonly IssueComment[]> {
    const all = this.comments.filter(comment => comment.issue === issue)
    return (async function* () {
      // Two per page, so the search goes over page boundaries.
      for (let at = 0; at < all.length; at += 2) {
        await Promise.resolve()
        yield all.slice(at, at + 2)
      }
    })()
  }

  updateComment(
    id: number,
    body: string
  ): Promise<{ id: number; url: string }> {
    this.refuseIfReadOnly()
    this.writes.push(`update ${id}`)
    const comment = this.comments.find(c => c.id === id)!
    comment.body = body
    return Promise.resolve({ id, url: `https://github.test/c/${id}` })
  }

  createComment(
    issue: number,
    body: string
  ): Promise<{ id: number; url: string }> {
    this.refuseIfReadOnly()
    const id = this.nextId++
    this.writes.push(`create ${id}`)
    this.comments.push({ id, issue, body, user: { login: this.login } })
    return Promise.resolve({ id, url: `https://github.test/c/${id}` })
  }

  fileAtRef(path: string, ref: string): Promise<string | undefined> {
    return Promise.resolve(this.files.get(`${ref}:${path}`))
  }

  private refuseIfReadOnly(): void {
    if (this.readOnly)
      throw new GitHubApiError('Resource not accessible by integration', 403)
  }
}

let repo: FakeRepo
let previousCwd: string

beforeEach(() => {
  repo = new FakeRepo()
  core.reset()
  previousCwd = process.cwd()
})

afterEach(() => {
  process.chdir(previousCwd)
})

async function runCheck(
  files: Record<string, string>,
  options: { comment?: boolean; workflow?: string; pullRequest?: boolean } = {}
): Promise<typeof core.captured> {
  const dir = workspaceWith(files)
  // Relative inputs start at the step's working directory, as on a runner.
  process.chdir(dir)
  const settings: CheckSettings = {
    planPath: PLAN_PATH,
    configPath: '.prd_runner/config.yaml',
    configExplicit: false,
    workflowPath: options.workflow,
    comment: options.comment ?? false,
    githubToken: 'ghs_fake',
    run: testRunContext(dir, { eventName: 'pull_request' }),
    pullRequest:
      options.pullRequest === false
        ? undefined
        : { number: PR, baseSha: BASE_SHA }
  }
  await check.run(settings, { github: repo, files: realPlanFiles })
  const captured = core.captured
  core.reset()
  return captured
}

function bodies(): string[] {
  return repo.comments
    .filter(comment => comment.issue === PR)
    .map(comment => comment.body ?? '')
}

describe('check in-process: the comment', () => {
  test('creates one comment with the changes against the base plan, then updates it in place', async () => {
    repo.files.set(`${BASE_SHA}:${PLAN_PATH}`, PLAN + '  - id: old-phase\n')
    const first = await runCheck({ [PLAN_PATH]: PLAN }, { comment: true })
    expect(first.failed).toEqual([])
    expect(first.outputs['valid']).toBe('true')
    expect(repo.writes).toEqual(['create 100'])
    expect(bodies()).toHaveLength(1)
    expect(bodies()[0]!.startsWith(`${COMMENT_MARKER}\n`)).toBe(true)
    expect(bodies()[0]).toContain('- Removed: `old-phase`')
    expect(first.log).toContain(
      'The pull request comment was created: https://github.test/c/100'
    )

    const again = await runCheck(
      { [PLAN_PATH]: PLAN.replace('echo ui', 'echo ui2') },
      { comment: true }
    )
    expect(again.failed).toEqual([])
    expect(repo.writes).toEqual(['create 100', 'update 100'])
    expect(bodies()).toHaveLength(1)
    expect(bodies()[0]).toContain('changed `run`')
  })

  test("never edits another user's comment, even one that carries the marker", async () => {
    repo.comments.push(
      { id: 1, issue: PR, body: 'LGTM', user: { login: 'alice' } },
      {
        id: 2,
        issue: PR,
        body: `${COMMENT_MARKER}\nlook-alike`,
        user: { login: 'mallory' }
      },
      {
        id: 3,
        issue: PR + 1,
        body: `${COMMENT_MARKER}\nother PR`,
        user: { login: BOT }
      }
    )
    const run = await runCheck({ [PLAN_PATH]: PLAN }, { comment: true })
    expect(run.failed).toEqual([])
    expect(repo.writes).toEqual(['create 100'])
    expect(repo.comments.find(c => c.id === 2)?.body).toBe(
      `${COMMENT_MARKER}\nlook-alike`
    )
    // Our own comment, found again on a later page, is the one updated.
    const next = await runCheck({ [PLAN_PATH]: PLAN }, { comment: true })
    expect(next.failed).toEqual([])
    expect(repo.writes).toEqual(['create 100', 'update 100'])
  })

  test('a token that may not comment: a notice, the summary, no failure', async () => {
    repo.readOnly = true
    const run = await runCheck({ [PLAN_PATH]: PLAN }, { comment: true })
    expect(run.failed).toEqual([])
    expect(run.outputs['valid']).toBe('true')
    expect(
      run.annotations.filter(a => a.kind === 'notice').map(a => a.message)
    ).toEqual([
      'This token may not comment on the pull request (pull requests from forks get a read-only token), so the plan is in the job summary only.'
    ])
    expect(run.summary.join('')).toContain('is valid')
    expect(repo.comments).toEqual([])
  })

  test('outside a pull request: a notice and no call', async () => {
    const run = await runCheck(
      { [PLAN_PATH]: PLAN },
      { comment: true, pullRequest: false }
    )
    expect(run.annotations.map(a => a.message)).toEqual([
      'comment: true, but this run is not for a pull request: no comment written.'
    ])
    expect(repo.writes).toEqual([])
  })
})

describe('check in-process: the drift', () => {
  test('a current generated workflow passes', async () => {
    const run = await runCheck(
      { [PLAN_PATH]: PLAN, [WORKFLOW_PATH]: generated(PLAN) },
      { workflow: WORKFLOW_PATH }
    )
    expect(run.failed).toEqual([])
    expect(run.outputs['valid']).toBe('true')
    expect(run.summary.join('')).toContain(
      'is what `phase-matrix generate` writes for this plan'
    )
  })

  test('a stale workflow fails with an annotation on its first different line, the diff and the fix', async () => {
    const edited = PLAN.replace('echo api', 'echo api2')
    const run = await runCheck(
      { [PLAN_PATH]: edited, [WORKFLOW_PATH]: generated(PLAN) },
      { workflow: WORKFLOW_PATH }
    )
    const fix = `phase-matrix generate --plan ${PLAN_PATH} --out ${WORKFLOW_PATH}`
    expect(run.outputs['valid']).toBe('false')
    expect(run.failed).toEqual([
      `${WORKFLOW_PATH} is out of date. Regenerate it and commit the result: ${fix}`
    ])
    const stale = run.annotations.find(
      a => a.properties['title'] === 'phase-matrix: stale-workflow'
    )
    expect(stale?.kind).toBe('error')
    expect(stale?.properties['file']).toBe(WORKFLOW_PATH)
    const line = stale?.properties['startLine'] as number
    expect(generated(PLAN).split('\n')[line - 1]).not.toBe(
      generated(edited).split('\n')[line - 1]
    )
    expect(run.log).toContain(
      `## ${WORKFLOW_PATH} is out of date: the diff to what generate writes`
    )
  })
})
