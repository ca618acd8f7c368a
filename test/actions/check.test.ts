// The check action (dist/check/index.js) run as the runner runs it: real
// INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files, a
// pull_request event payload, and a local HTTP server answering GitHub's
// comment and contents API. `npm run build` first.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { CheckInputs, CheckOutputs } from '../../src/actions/constants.js'
import { COMMENT_MARKER } from '../../src/render/check-report.js'
import { generatedWorkflow } from '../support/generated-workflow.js'
import {
  startFakeCommentsApi,
  type FakeCommentsApi
} from '../support/fake-comments-api.js'
import {
  REPO_ROOT,
  runAction,
  workspaceWith,
  type ActionRun
} from '../support/run-action.js'
import { HOSTILE_PLAN, expectInertLog } from '../support/inert-log.js'

const BUNDLE = path.join(REPO_ROOT, 'dist/check/index.js')
const PLAN_PATH = '.prd_runner/phase_plan.yaml'
const WORKFLOW_PATH = '.github/workflows/phases.yml'
const TOKEN = 'ghs_secret_token'
const BASE_SHA = 'b4se0000000000000000000000000000000000ff'

const PLAN = `phases:
  - id: database-schema
    description: Set up database schema
    run: echo schema
    estimate_minutes: 10
  - id: frontend-components
    run: echo ui
    estimate_minutes: 20
  - id: api-endpoints
    deps: [database-schema]
    run: echo api
    estimate_minutes: 15
  - id: integration
    deps: [api-endpoints, frontend-components]
    run: echo integration
    estimate_minutes: 5
`

function generated(planText: string): string {
  return generatedWorkflow(planText, PLAN_PATH, WORKFLOW_PATH)
}

let api: FakeCommentsApi
beforeEach(async () => {
  api = await startFakeCommentsApi('octo', 'plans')
})
afterEach(async () => {
  await api.close()
})

interface CheckRun {
  inputs?: Partial<Record<keyof typeof CheckInputs, string>>
  files: Record<string, string>
  event?: unknown
  /** Runs on the workspace before the check (links, files beside it). */
  prepare?: (cwd: string) => void
}

async function check(options: CheckRun): Promise<ActionRun & { cwd: string }> {
  const cwd = workspaceWith({
    ...options.files,
    'event.json': JSON.stringify(
      options.event ?? {
        action: 'synchronize',
        number: 7,
        pull_request: { number: 7, base: { sha: BASE_SHA, ref: 'main' } }
      }
    )
  })
  options.prepare?.(cwd)
  const inputs: Record<string, string> = {
    [CheckInputs.plan]: PLAN_PATH,
    [CheckInputs.config]: '',
    [CheckInputs.workflow]: '',
    [CheckInputs.comment]: 'false',
    [CheckInputs.githubToken]: TOKEN
  }
  for (const [key, value] of Object.entries(options.inputs ?? {})) {
    inputs[CheckInputs[key as keyof typeof CheckInputs]] = value
  }
  const run = await runAction(BUNDLE, {
    cwd,
    inputs,
    env: {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: path.join(cwd, 'event.json'),
      GITHUB_REPOSITORY: 'octo/plans',
      GITHUB_API_URL: api.url
    }
  })
  return { ...run, cwd }
}

/** `::error file=…,line=…::` commands, as the runner would annotate. */
function annotations(
  stdout: string,
  kind: 'error' | 'warning' | 'notice'
): string[] {
  return stdout.split('\n').filter(line => line.startsWith(`::${kind} `))
}

describe('check action', () => {
  test('warns about a workflow that calls phases.yml without contents: read, and still passes', async () => {
    const run = await check({
      files: {
        [PLAN_PATH]: PLAN,
        '.github/workflows/ci.yml':
          'on: push\npermissions:\n  actions: read\njobs:\n  phases:\n    uses: phase-matrix/phase-matrix/.github/workflows/phases.yml@v1\n',
        '.github/workflows/ok.yaml':
          'on: push\njobs:\n  phases:\n    permissions:\n      contents: read\n    uses: ./.github/workflows/phases.yml\n'
      }
    })
    expect(run.status).toBe(0)
    const warnings = annotations(run.stdout, 'warning')
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toMatch(
      /^::warning title=phase-matrix%3A permissions,file=\.github\/workflows\/ci\.yml,line=6,col=5::Job `phases` calls .*The nested job 'plan' is requesting 'contents: read'/
    )
  })

  test('a good plan: valid, a summary with waves, graph and estimates', async () => {
    const run = await check({ files: { [PLAN_PATH]: PLAN } })
    expect(run.stderr).toBe('')
    expect(run.status).toBe(0)
    expect(run.outputs[CheckOutputs.valid]).toBe('true')
    expect(annotations(run.stdout, 'error')).toEqual([])
    expect(run.summary).toContain(
      'is valid: 4 phases in 3 waves, at most 2 at once.'
    )
    expect(run.summary).toContain('| 2 | `api-endpoints` | 1 |')
    expect(run.summary).toContain('```mermaid')
    expect(run.summary).toContain(
      'Critical path: `database-schema` → `api-endpoints` → `integration` (30 min)'
    )
    expect(run.summary).toContain(
      'Estimated time: sequential 50 min · waves 35 min (30% less) · needs graph 30 min (40% less)'
    )
    expect(api.requests).toEqual([])
  })

  test('an invalid plan: an annotation on the line of every problem, then it fails', async () => {
    const phases = Array.from(
      { length: 12 },
      (_, i) => `  - id: p${i}\n    deps: [missing-${i}]\n`
    ).join('')
    const plan = `phases:\n${phases}  - id: a\n    deps: [b]\n  - id: b\n    deps: [a]\n`
    const run = await check({ files: { [PLAN_PATH]: plan } })
    expect(run.status).toBe(1)
    expect(run.outputs[CheckOutputs.valid]).toBe('false')
    const errors = annotations(run.stdout, 'error')
    // 12 unknown dependencies and one cycle: all annotated, not only 10.
    expect(
      errors.filter(e => e.includes('title=phase-matrix%3A unknown-dependency'))
    ).toHaveLength(12)
    expect(
      errors.filter(e => e.includes('title=phase-matrix%3A cycle'))
    ).toHaveLength(1)
    expect(errors).toContainEqual(
      expect.stringMatching(
        /^::error title=phase-matrix%3A unknown-dependency,file=\.prd_runner\/phase_plan\.yaml,line=3,col=12::/
      )
    )
    expect(run.stdout).toContain('GitHub shows the first 10 annotations')
    expect(run.summary).toContain('is not a usable plan: 13 errors.')
    expect(run.summary.match(/^\| ❌ error \|/gm)).toHaveLength(13)
    expect(run.stdout).toMatch(/::error::.*13 error\(s\)/)
  })

  test('plan text carrying workflow commands stays inert: problems, annotations, the drift diff', async () => {
    const stale = await check({
      inputs: { workflow: WORKFLOW_PATH },
      files: {
        [PLAN_PATH]: HOSTILE_PLAN,
        [WORKFLOW_PATH]: generated(PLAN).replace(/^name: .*$/m, 'name: old')
      }
    })
    expect(stale.status).toBe(1)
    expect(stale.stdout).toContain('FAKE')
    expect(stale.stdout).toContain('INJECTED')
    expectInertLog(stale.stdout, TOKEN)

    const invalid = await check({
      files: {
        [PLAN_PATH]:
          HOSTILE_PLAN +
          '  - id: "::error::dep"\n    deps: ["::warning::gone", "##[group]g"]\n'
      }
    })
    expect(invalid.status).toBe(1)
    expect(invalid.stdout).toContain('gone')
    expectInertLog(invalid.stdout, TOKEN)
  })

  test('a current generated workflow passes', async () => {
    const run = await check({
      inputs: { workflow: WORKFLOW_PATH },
      files: { [PLAN_PATH]: PLAN, [WORKFLOW_PATH]: generated(PLAN) }
    })
    expect(run.status).toBe(0)
    expect(run.outputs[CheckOutputs.valid]).toBe('true')
    expect(run.summary).toContain(
      'is what `phase-matrix generate` writes for this plan'
    )
  })

  test('a stale workflow fails with an annotation, the diff and the fix', async () => {
    const edited = PLAN.replace('deps: [database-schema]', 'deps: []')
    const run = await check({
      inputs: { workflow: WORKFLOW_PATH },
      files: { [PLAN_PATH]: edited, [WORKFLOW_PATH]: generated(PLAN) }
    })
    expect(run.status).toBe(1)
    expect(run.outputs[CheckOutputs.valid]).toBe('false')
    const fix = `phase-matrix generate --plan ${PLAN_PATH} --out ${WORKFLOW_PATH}`
    const stale = annotations(run.stdout, 'error').find(e =>
      e.includes('stale-workflow')
    )
    expect(stale).toMatch(
      /file=\.github\/workflows\/phases\.yml,line=\d+,col=1::/
    )
    const line = Number(/line=(\d+)/.exec(stale!)![1])
    expect(generated(PLAN).split('\n')[line - 1]).not.toBe(
      generated(edited).split('\n')[line - 1]
    )
    expect(run.stdout).toContain(
      '::group::.github/workflows/phases.yml is out of date'
    )
    expect(run.stdout).toContain('-    needs:')
    expect(run.summary).toContain(fix)
    expect(run.summary).toContain('```diff')
  })

  test.each([
    ['--config', 'an absolute path', '<outside>'],
    ['--config', 'a path with ..', '../<name>'],
    ['--config', 'a link out', 'link.yaml'],
    ['--template', 'a path with ..', 'a/../../<name>'],
    ['--template', 'a link out', 'link.yaml']
  ])(
    'a header %s naming %s is refused, nothing of the file read or quoted',
    async (flag, _what, value) => {
      const name = `secret-${process.pid}-${Math.random().toString(36).slice(2)}.yaml`
      const secretFile = path.join(tmpdir(), name)
      writeFileSync(secretFile, 'parallel:\n  max_workers: SECRET-CONTENT-42\n')
      const named = value
        .replace('<outside>', secretFile)
        .replace('<name>', name)
      // Into the flags line, which check reads (a later key wins in JSON).
      const workflow = generated(PLAN).replace(
        `{"plan":${JSON.stringify(PLAN_PATH)}`,
        `{"plan":${JSON.stringify(PLAN_PATH)},${JSON.stringify(flag.slice(2))}:${JSON.stringify(named)}`
      )
      expect(workflow).toContain(JSON.stringify(named))
      const run = await check({
        inputs: { workflow: WORKFLOW_PATH },
        files: { [PLAN_PATH]: PLAN, [WORKFLOW_PATH]: workflow },
        prepare: cwd => {
          symlinkSync(secretFile, path.join(cwd, 'link.yaml'))
        }
      })
      rmSync(secretFile)
      expect(run.status).toBe(1)
      expect(run.outputs[CheckOutputs.valid]).toBe('false')
      expect(run.stdout).toContain(
        `names the ${flag.slice(2)} '${named}', outside the repository`
      )
      expect(run.stdout + run.summary).not.toContain('SECRET-CONTENT')
    }
  )

  test('a workflow without a phase-matrix header says so', async () => {
    const run = await check({
      inputs: { workflow: WORKFLOW_PATH },
      files: { [PLAN_PATH]: PLAN, [WORKFLOW_PATH]: 'on: push\njobs: {}\n' }
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(`${WORKFLOW_PATH} has no phase-matrix header`)
  })

  test('a missing workflow file fails the check', async () => {
    const run = await check({
      inputs: { workflow: 'nope.yml' },
      files: { [PLAN_PATH]: PLAN }
    })
    expect(run.status).toBe(1)
    expect(run.outputs[CheckOutputs.valid]).toBe('false')
    expect(run.stdout).toContain('::error::Workflow not found: nope.yml')
  })

  test('comment: creates one sticky comment with the changes against the base plan', async () => {
    api.files.set(
      `${BASE_SHA}:${PLAN_PATH}`,
      PLAN.replace(
        'deps: [api-endpoints, frontend-components]',
        'deps: [api-endpoints]'
      ) + '  - id: old-phase\n'
    )
    const run = await check({
      inputs: { comment: 'true' },
      files: { [PLAN_PATH]: PLAN }
    })
    expect(run.status).toBe(0)
    const comments = api.comments.get(7) ?? []
    expect(comments).toHaveLength(1)
    const body = comments[0]!.body
    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true)
    expect(body).toContain('- Removed: `old-phase`')
    expect(body).toContain(
      '- `integration`: now depends on `frontend-components`'
    )
    expect(body).toContain(
      '| 1 | `database-schema`, `frontend-components` | 2 |'
    )
    const fetched = api.requests.find(r => r.path.includes('/contents/'))
    expect(fetched?.path).toContain(`ref=${BASE_SHA}`)
    expect(fetched?.authorization).toBe('token ghs_secret_token')
    // The token is masked (the runner's add-mask) and never printed.
    const leaks = run.stdout.split('\n').filter(line => line.includes(TOKEN))
    expect(leaks).toEqual(['::add-mask::ghs_secret_token'])

    // The next push updates the same comment in place.
    const again = await check({
      inputs: { comment: 'true' },
      files: { [PLAN_PATH]: PLAN.replace('echo ui', 'echo ui2') }
    })
    expect(again.status).toBe(0)
    expect(api.comments.get(7)).toHaveLength(1)
    expect(api.comments.get(7)![0]!.body).toContain('changed `run`')
    expect(api.requests.filter(r => r.method === 'PATCH')).toHaveLength(1)
  })

  test('comment: a base branch without the plan says every phase is new', async () => {
    const run = await check({
      inputs: { comment: 'true' },
      files: { [PLAN_PATH]: PLAN }
    })
    expect(run.status).toBe(0)
    expect(api.comments.get(7)![0]!.body).toContain('has no plan at this path')
  })

  test('comment on a fork: a notice, the summary, and no failure', async () => {
    api.readOnly = true
    const run = await check({
      inputs: { comment: 'true' },
      files: { [PLAN_PATH]: PLAN }
    })
    expect(run.status).toBe(0)
    expect(run.outputs[CheckOutputs.valid]).toBe('true')
    const notices = annotations(run.stdout, 'notice')
    expect(notices).toHaveLength(1)
    expect(notices[0]).toContain('may not comment on the pull request')
    expect(annotations(run.stdout, 'warning')).toEqual([])
    expect(run.summary).toContain('is valid')
    expect(api.comments.get(7)).toBeUndefined()
  })

  test('comment outside a pull request: a notice, no request', async () => {
    const run = await check({
      inputs: { comment: 'true' },
      files: { [PLAN_PATH]: PLAN },
      event: { ref: 'refs/heads/main' }
    })
    expect(run.status).toBe(0)
    expect(annotations(run.stdout, 'notice')[0]).toContain(
      'not for a pull request'
    )
    expect(api.requests).toEqual([])
  })

  test('a broken comment input is a clear failure', async () => {
    const run = await check({
      inputs: { comment: 'yes please' },
      files: { [PLAN_PATH]: PLAN }
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toContain(
      "::error::Invalid input 'comment': 'yes please'"
    )
  })
})

describe('check/action.yml', () => {
  interface ActionFile {
    inputs: Record<string, { description: string; default?: string }>
    outputs: Record<string, { description: string }>
    runs: { using: string; main: string }
  }
  const action = parse(
    readFileSync(path.join(REPO_ROOT, 'check/action.yml'), 'utf8')
  ) as ActionFile

  test('declares exactly the inputs and outputs the code reads and writes', () => {
    expect(Object.keys(action.inputs).sort()).toEqual(
      Object.values(CheckInputs).sort()
    )
    expect(Object.keys(action.outputs)).toEqual(Object.values(CheckOutputs))
    expect(action.inputs['comment']!.default).toBe('false')
    expect(action.inputs['github-token']!.default).toBe('${{ github.token }}')
  })

  test('runs the shared bundle on node24', () => {
    expect(action.runs).toEqual({
      using: 'node24',
      main: '../dist/check/index.js'
    })
  })
})
