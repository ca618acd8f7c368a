// The actions' side of `generate --cache-passed`, in this process over a
// git repository in a temp folder: the plan job's plan step finds the
// unchanged phases, a packed job's exec skips them (input `unchanged`) and
// says which of its phases passed (output `succeeded`), and the save job's
// settle (input `graph-passed`) writes exactly what this run proved — the
// phases that passed and the unchanged ones — never a phase that failed or
// was skipped, never on a checkout that hashes differently.
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  jest,
  test
} from '@jest/globals'
import {
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import path from 'node:path'
import type {
  ExecSettings,
  PlanSettings,
  SettleSettings
} from '../../src/actions/inputs.js'
import {
  captureCore,
  testRunContext,
  type Captured
} from '../support/action-harness.js'
import {
  commitAll,
  gitRepo,
  removeRepo,
  writeFiles
} from '../support/git-repo.js'
import { readStoreFile, readStoreHashes } from '../support/passed-store-file.js'

const core = captureCore()
jest.unstable_mockModule('@actions/core', () => core.module)
const plan = await import('../../src/actions/plan.js')
const settle = await import('../../src/actions/settle.js')
const exec = await import('../../src/actions/exec.js')
const { realPlanFiles } = await import('../../src/actions/ports.js')

// `lint` has no inputs: it always runs, and it has no hash to store.
const PLAN = `phases:
  - id: core
    run: echo core >> ran.txt
    inputs: [packages/core/**]
  - id: ui
    run: echo ui >> ran.txt; test ! -f fail-ui
    deps: [core]
    inputs: [packages/ui/**]
  - id: app
    run: echo app >> ran.txt
    deps: [ui]
    inputs: [packages/app/**]
  - id: lint
    run: echo lint >> ran.txt
`

const STORE = '.phase-matrix/passed.json'
const OUTPUTS_FILE = '.phase-matrix/graph-outputs.json'

let dir: string

beforeEach(() => {
  dir = gitRepo({
    'plan.yaml': PLAN,
    '.gitignore': 'ran.txt\nfail-ui\n.phase-matrix/\n',
    'packages/core/index.ts': 'core 1',
    'packages/ui/index.ts': 'ui 1',
    'packages/app/index.ts': 'app 1'
  })
  core.reset()
})

afterEach(() => {
  removeRepo(dir)
})

function copy(): Captured {
  const captured = core.captured
  core.reset()
  return captured
}

/** The plan job's plan step: `passed: .phase-matrix/passed.json`. */
async function runPlan(): Promise<Captured> {
  const settings: PlanSettings = {
    planPath: path.join(dir, 'plan.yaml'),
    configPath: path.join(dir, 'config.yaml'),
    configExplicit: false,
    maxWaves: 0,
    pack: true,
    passedPath: STORE,
    run: testRunContext(dir)
  }
  await plan.run(settings, { files: realPlanFiles })
  return copy()
}

/** A packed job's exec step running `phases` with the plan job's `unchanged`. */
async function runExec(
  phases: string[],
  unchanged?: string
): Promise<Captured> {
  const settings: ExecSettings = {
    planPath: path.join(dir, 'plan.yaml'),
    configPath: '',
    phases: JSON.stringify(phases),
    waveJobs: new Map(),
    neededOutputs: [],
    legConcurrency: 1,
    ...(unchanged === undefined ? {} : { unchanged }),
    run: testRunContext(dir)
  }
  await exec.run(settings, {
    files: realPlanFiles,
    process: {
      env: { PATH: process.env['PATH'] ?? '' },
      stdout: () => undefined,
      stderr: () => undefined,
      signal: new AbortController().signal
    }
  })
  return copy()
}

/** The save job's settle step, given the jobs' `passed` outputs as GitHub's toJSON lists them. */
async function runSave(
  state: string,
  passed: (string | null)[] | string,
  passedFile: string | null = STORE,
  /**
   * What the collecting step wrote to graph-outputs-file (the jobs'
   * phase-outputs as toJSON lists them; a string as it is); null: the
   * input names a file that is not there; undefined: no such input.
   */
  handedOn?: (string | null)[] | string | null
): Promise<Captured> {
  const graphOutputsFile = handedOn === undefined ? undefined : OUTPUTS_FILE
  rmSync(path.join(dir, OUTPUTS_FILE), { force: true })
  if (handedOn !== undefined && handedOn !== null) {
    mkdirSync(path.join(dir, '.phase-matrix'), { recursive: true })
    writeFileSync(
      path.join(dir, OUTPUTS_FILE),
      typeof handedOn === 'string'
        ? handedOn
        : JSON.stringify(handedOn, null, 2)
    )
  }
  const settings: SettleSettings = {
    state,
    allowFailure: false,
    waveJobs: new Map(),
    durationsFile: '',
    ...(passedFile === null ? {} : { passedFile }),
    roundsRun: 0,
    graphPassed:
      typeof passed === 'string' ? passed : JSON.stringify(passed, null, 2),
    ...(graphOutputsFile === undefined ? {} : { graphOutputsFile }),
    run: testRunContext(dir)
  }
  await settle.run(settings, { files: realPlanFiles })
  return copy()
}

function storeFile(): Record<string, unknown> {
  return readStoreFile(dir, STORE)
}

function store(): Record<string, unknown> {
  return readStoreHashes(dir, STORE)
}

function ran(): string[] {
  const file = path.join(dir, 'ran.txt')
  if (!existsSync(file)) return []
  const lines = readFileSync(file, 'utf8').trim().split('\n')
  writeFileSync(file, '')
  return lines.filter(line => line !== '')
}

describe('exec: input unchanged, output succeeded', () => {
  test('the unchanged phases of the leg are not run; their dependents run; succeeded lists what passed', async () => {
    const result = await runExec(['core', 'ui', 'app'], '["core","lint"]')
    expect(result.failed).toEqual([])
    expect(ran()).toEqual(['ui', 'app'])
    expect(JSON.parse(result.outputs['succeeded'] ?? '')).toEqual(['ui', 'app'])
    expect(result.log.join('\n')).toContain(
      '1 phase(s) of the leg unchanged since they passed, not run (they count as succeeded): core'
    )
  })

  test('a failure is not in succeeded, nor its dependents in the leg', async () => {
    writeFileSync(path.join(dir, 'fail-ui'), '')
    const result = await runExec(['core', 'ui', 'app'])
    expect(result.failed).toHaveLength(1)
    expect(JSON.parse(result.outputs['succeeded'] ?? '')).toEqual(['core'])
  })

  test('an unchanged list that is not JSON ids is a warning, and every phase runs', async () => {
    for (const bad of ['core', '{"core": 1}', '[1]']) {
      const result = await runExec(['core', 'ui'], bad)
      expect(result.failed).toEqual([])
      expect(ran()).toEqual(['core', 'ui'])
      expect(result.annotations.map(a => a.message).join('\n')).toContain(
        "Input 'unchanged' is not a JSON array of phase ids"
      )
    }
  })
})

describe('settle graph-passed: the save job of a needs graph', () => {
  test('stores what passed and what was unchanged; a one-package change runs that phase and its dependents only', async () => {
    const first = await runPlan()
    expect(first.outputs['unchanged']).toBe('[]')
    // Every job ran and passed (lint has no hash: it is not stored).
    const saved = await runSave(first.outputs['state'] ?? '', [
      '["core"]',
      '["ui"]',
      '["app"]',
      '["lint"]'
    ])
    expect(saved.failed).toEqual([])
    expect(Object.keys(store())).toEqual(['core', 'ui', 'app'])
    expect(JSON.parse(saved.outputs['passed'] ?? '')).toEqual(storeFile())
    // This run (GITHUB_RUN_ID 1) is the one each pass passed in.
    expect(storeFile()['passed in run']).toEqual({
      core: '1',
      ui: '1',
      app: '1'
    })
    expect(saved.log.join('\n')).toContain(
      `Wrote the store of passed phases to ${STORE}: 3 phase(s), 4 passed in this run and 0 unchanged since they passed.`
    )

    writeFiles(dir, { 'packages/ui/index.ts': 'ui 2' })
    commitAll(dir, 'change ui')
    const second = await runPlan()
    expect(JSON.parse(second.outputs['unchanged'] ?? '')).toEqual(['core'])
    // ui and app ran and passed; core's job was skipped (no output).
    const before = store()
    await runSave(second.outputs['state'] ?? '', [
      null,
      '["ui"]',
      '["app"]',
      '["lint"]'
    ])
    const after = store()
    expect(after['core']).toBe(before['core'])
    expect(after['ui']).not.toBe(before['ui'])
    expect(Object.keys(after)).toEqual(['core', 'ui', 'app'])
    const third = await runPlan()
    expect(JSON.parse(third.outputs['unchanged'] ?? '')).toEqual([
      'core',
      'ui',
      'app'
    ])
  })

  test('a failed phase and the phases skipped after it get no entry, old or new', async () => {
    const first = await runPlan()
    await runSave(first.outputs['state'] ?? '', [
      '["core"]',
      '["ui"]',
      '["app"]'
    ])
    writeFiles(dir, { 'packages/core/index.ts': 'core 2' })
    commitAll(dir, 'change core')
    const second = await runPlan()
    expect(second.outputs['unchanged']).toBe('[]')
    // core passed, ui failed (no output), app was skipped (none).
    await runSave(second.outputs['state'] ?? '', [
      '["core"]',
      '',
      null,
      '["lint"]'
    ])
    expect(Object.keys(store())).toEqual(['core'])
    const third = await runPlan()
    expect(JSON.parse(third.outputs['unchanged'] ?? '')).toEqual(['core'])
  })

  test("a checkout that hashes differently from the plan step's writes no store", async () => {
    const first = await runPlan()
    writeFileSync(path.join(dir, 'packages/core/index.ts'), 'core dirty')
    const saved = await runSave(first.outputs['state'] ?? '', ['["core"]'])
    expect(saved.failed).toEqual([])
    expect(existsSync(path.join(dir, STORE))).toBe(false)
    expect(saved.annotations.map(a => a.message).join('\n')).toContain(
      'no store is written, the last one stays in the cache'
    )
  })

  test('graph-passed that is not what the jobs write records no pass, with a warning', async () => {
    const first = await runPlan()
    for (const bad of ['oops', '{"core": 1}']) {
      const saved = await runSave(first.outputs['state'] ?? '', bad)
      expect(saved.failed).toEqual([])
      expect(store()).toEqual({})
      expect(saved.annotations.map(a => a.message).join('\n')).toContain(
        "Input 'graph-passed' is not a JSON array"
      )
    }
    const mixed = await runSave(first.outputs['state'] ?? '', [
      '["core"]',
      'not json',
      '["ghost"]',
      '[7]'
    ])
    expect(Object.keys(store())).toEqual(['core'])
    const warnings = mixed.annotations.map(a => a.message).join('\n')
    expect(warnings).toContain(
      '2 job output(s) are not a JSON array of phase ids'
    )
    expect(warnings).toContain('names 1 phase(s) that')
  })

  test('graph-outputs-file: each pass is stored with what its job handed on, an unchanged phase keeps its own, and the next plan hands them on', async () => {
    const first = await runPlan()
    // core and ui hand on (they have dependents); the plan job's own
    // phase-outputs ({}) is in the list too, and a job that wrote none.
    const saved = await runSave(
      first.outputs['state'] ?? '',
      ['["core"]', '["ui"]', '["app"]', '["lint"]'],
      STORE,
      ['{}', '{"core":{"dist":"core-1"}}', '{"ui":{"url":"u\\n1"}}', '', null]
    )
    expect(saved.annotations).toEqual([])
    expect(storeFile()['phase outputs']).toEqual({
      core: { dist: 'core-1' },
      ui: { url: 'u\n1' }
    })
    // ui changes: core is unchanged, and ui gets its stored outputs.
    writeFiles(dir, { 'packages/ui/index.ts': 'ui 2' })
    commitAll(dir, 'change ui')
    const second = await runPlan()
    expect(JSON.parse(second.outputs['unchanged'] ?? '')).toEqual(['core'])
    expect(JSON.parse(second.outputs['phase-outputs'] ?? '')).toEqual({
      core: { dist: 'core-1' }
    })
    // ui passes with new outputs; core's job was skipped and handed on none.
    await runSave(
      second.outputs['state'] ?? '',
      [null, '["ui"]', '["app"]'],
      STORE,
      [second.outputs['phase-outputs'] ?? '', '', '{"ui":{"url":"u2"}}']
    )
    expect(storeFile()['phase outputs']).toEqual({
      core: { dist: 'core-1' },
      ui: { url: 'u2' }
    })
  })

  test("a graph-outputs-file that is missing or not the jobs' outputs records no pass of this run, with a warning", async () => {
    const first = await runPlan()
    await runSave(first.outputs['state'] ?? '', ['["core"]'], STORE, [
      '{"core":{"dist":"core-1"}}'
    ])
    writeFiles(dir, { 'packages/ui/index.ts': 'ui 2' })
    commitAll(dir, 'change ui')
    const second = await runPlan()
    expect(JSON.parse(second.outputs['unchanged'] ?? '')).toEqual(['core'])
    const cases: [string | (string | null)[] | null, string][] = [
      [null, 'does not exist'],
      ['not json', 'is not a JSON array'],
      ['{"ui": {}}', 'is not a JSON array'],
      [['{"ui":{"url":1}}'], 'is not a JSON array'],
      [[7 as unknown as string], 'is not a JSON array']
    ]
    for (const [handedOn, message] of cases) {
      const saved = await runSave(
        second.outputs['state'] ?? '',
        [null, '["ui"]'],
        STORE,
        handedOn
      )
      expect(saved.failed).toEqual([])
      expect(saved.annotations.map(a => a.message).join('\n')).toContain(
        message
      )
      // ui's pass is not recorded; unchanged core keeps its entry and outputs.
      expect(Object.keys(store())).toEqual(['core'])
      expect(storeFile()['phase outputs']).toEqual({
        core: { dist: 'core-1' }
      })
    }
  })

  test('graph-passed needs passed-file', async () => {
    const first = await runPlan()
    const saved = await runSave(
      first.outputs['state'] ?? '',
      ['["core"]'],
      null
    )
    expect(saved.failed.join('\n')).toContain(
      "Input 'graph-passed' is given without 'passed-file'"
    )
  })
})
