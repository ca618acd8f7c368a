// The reusable workflow's cache-passed loop played with the built bundles
// as processes (test/support/play-run.ts), in a git repository in a temp
// folder: the report's store, kept between runs as actions/cache would keep
// the file, makes the next run after a one-package change run only that
// package's phase and its dependents; a changed phase that fails is red and
// its dependents are skipped, never unchanged.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { EXEC, playRun, type Played } from '../support/play-run.js'
import {
  commitAll,
  gitRepo,
  removeRepo,
  writeFiles
} from '../support/git-repo.js'

const STORE = '.phase-matrix/passed.json'

const plan = (uiRun: string): string => `phases:
  - id: core
    run: echo core
    inputs: [packages/core/**]
  - id: ui
    run: ${uiRun}
    deps: [core]
    inputs: [packages/ui/**]
  - id: docs
    run: echo docs
    inputs: [packages/docs/**]
  - id: app
    run: echo app
    deps: [ui, docs]
    inputs: [packages/app/**]
global_inputs: [plan.yaml]
`

let dir: string

beforeEach(() => {
  dir = gitRepo({
    'plan.yaml': plan('echo ui'),
    'packages/core/a.ts': '1',
    'packages/ui/a.ts': '1',
    'packages/docs/a.md': '1',
    'packages/app/a.ts': '1'
  })
})

afterEach(() => {
  removeRepo(dir)
})

function run(): Promise<Played> {
  return playRun({
    cwd: dir,
    plan: 'plan.yaml',
    planInputs: { passed: STORE },
    reportInputs: { 'passed-file': STORE },
    allowFailure: false,
    play: () => EXEC
  })
}

const list = (text: string | undefined): string[] =>
  JSON.parse(text ?? '[]') as string[]

describe('cache-passed through the bundles', () => {
  test('a one-package change runs only that phase and its dependents; green; the report tells unchanged from skipped', async () => {
    const first = await run()
    expect(first.report.status).toBe(0)
    expect(first.rounds.flat().sort()).toEqual(['app', 'core', 'docs', 'ui'])
    const stored = JSON.parse(first.report.outputs['passed'] ?? '{}') as Record<
      string,
      unknown
    >
    expect(Object.keys(stored).sort()).toEqual([
      'app',
      'core',
      'docs',
      'passed in run',
      'ui'
    ])
    // The bundles run as run 1 (GITHUB_RUN_ID).
    expect(stored['passed in run']).toEqual({
      core: '1',
      ui: '1',
      docs: '1',
      app: '1'
    })

    writeFiles(dir, { 'packages/ui/a.ts': '2' })
    commitAll(dir, 'ui')
    const second = await run()
    expect(list(second.plan.outputs['unchanged'])).toEqual(['core', 'docs'])
    expect(second.rounds.flat()).toEqual(['ui', 'app'])
    expect(second.report.status).toBe(0)
    expect(list(second.report.outputs['unchanged'])).toEqual(['core', 'docs'])
    expect(list(second.report.outputs['skipped'])).toEqual([])
    expect(second.report.summary).toMatch(
      /\| core \| 1 \| unchanged \| inputs unchanged since it passed in run 1: not run \|/
    )
  }, 120_000)

  test('a changed phase that fails: red, its dependent skipped (not unchanged), unchanged phases never run', async () => {
    await run()
    writeFiles(dir, {
      'plan.yaml': plan('exit 3'),
      'packages/ui/a.ts': '2'
    })
    commitAll(dir, 'ui fails')
    const red = await run()
    // global_inputs: a plan change changes every hash.
    expect(list(red.plan.outputs['unchanged'])).toEqual([])
    expect(red.report.status).not.toBe(0)
    await run() // core and docs passed again under the new plan
    writeFiles(dir, { 'packages/ui/a.ts': '3' })
    commitAll(dir, 'ui again')
    const third = await run()
    expect(list(third.plan.outputs['unchanged'])).toEqual(['core', 'docs'])
    expect(third.rounds.flat()).toEqual(['ui'])
    expect(third.report.status).not.toBe(0)
    expect(list(third.report.outputs['failed'])).toEqual(['ui'])
    expect(list(third.report.outputs['skipped'])).toEqual(['app'])
    expect(list(third.report.outputs['unchanged'])).toEqual(['core', 'docs'])
    const store = JSON.parse(third.report.outputs['passed'] ?? '{}') as Record<
      string,
      string
    >
    expect(store['ui']).toBeUndefined()
  }, 120_000)
})
