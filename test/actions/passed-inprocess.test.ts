// The plan step's `passed` input and the report's `passed-file`, in this
// process over a git repository in a temp folder (a monorepo of packages):
// a run records its passes, the next run after a one-package change runs
// only that package's phase and its dependents, unchanged phases count as
// succeeded and are told from skipped ones, and a broken store or a changed
// checkout never makes a phase count as passed.
import {
  afterEach,
  beforeEach,
  describe,
  expect,
  jest,
  test
} from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import type {
  PlanSettings,
  SettleSettings,
  WaveJob
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
import {
  legsOf,
  phasesOfLeg,
  waveJob,
  type HandedOutLeg,
  type LegOutcome
} from '../support/wave-records.js'
import type { Outputs } from '../../src/plan/leg-record.js'

const core = captureCore()
jest.unstable_mockModule('@actions/core', () => core.module)
const plan = await import('../../src/actions/plan.js')
const settle = await import('../../src/actions/settle.js')
const { realPlanFiles } = await import('../../src/actions/ports.js')

const PLAN = `phases:
  - id: core
    run: make core
    inputs: [packages/core/**]
  - id: ui
    run: make ui
    deps: [core]
    inputs: [packages/ui/**]
  - id: docs
    run: make docs
    inputs: [packages/docs/**]
  - id: app
    run: make app
    deps: [ui, docs]
    inputs: [packages/app/**]
`

const STORE = '.phase-matrix/passed.json'

let dir: string

beforeEach(() => {
  dir = gitRepo({
    'plan.yaml': PLAN,
    'packages/core/index.ts': 'core 1',
    'packages/ui/index.ts': 'ui 1',
    'packages/docs/index.md': 'docs 1',
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

async function runPlan(passed: string | null = STORE): Promise<Captured> {
  const settings: PlanSettings = {
    planPath: path.join(dir, 'plan.yaml'),
    configPath: path.join(dir, 'config.yaml'),
    configExplicit: false,
    maxWaves: 24,
    pack: true,
    ...(passed === null ? {} : { passedPath: passed }),
    run: testRunContext(dir)
  }
  await plan.run(settings, { files: realPlanFiles })
  return copy()
}

/** Plays the green fast path (every round from `matrices`), then the report. */
async function runAll(
  planned: Captured,
  failed: readonly string[] = [],
  runId = 1,
  written: Record<string, Outputs> = {}
): Promise<Captured> {
  const waves = new Map<number, WaveJob>()
  const matrices = JSON.parse(planned.outputs['matrices'] ?? '[]') as unknown[]
  const outcome = (leg: HandedOutLeg): LegOutcome => ({
    statuses: Object.fromEntries(
      phasesOfLeg(leg)
        .filter(id => failed.includes(id))
        .map(id => [id, 'failed' as const])
    ),
    outputs: written
  })
  matrices.forEach((matrix, offset) => {
    waves.set(
      offset + 1,
      waveJob(offset + 1, 1, legsOf(JSON.stringify(matrix)), outcome)
    )
  })
  const settings: SettleSettings = {
    state: planned.outputs['state'] ?? '',
    allowFailure: false,
    waveJobs: waves,
    durationsFile: '',
    passedFile: STORE,
    roundsRun: 24,
    run: testRunContext(dir, { runId })
  }
  // A failure stops the fast path: settle hands out what is left, which
  // this test's plans never have (failures are in the last rounds).
  await settle.run(settings, { files: realPlanFiles })
  return copy()
}

function ran(planned: Captured): string[] {
  const matrices = JSON.parse(planned.outputs['matrices'] ?? '[]') as {
    include: { phases?: string[]; id: string }[]
  }[]
  return matrices.flatMap(matrix =>
    matrix.include.flatMap(leg => leg.phases ?? [leg.id])
  )
}

function storeFile(): Record<string, unknown> {
  return readStoreFile(dir, STORE)
}

function store(): Record<string, unknown> {
  return readStoreHashes(dir, STORE)
}

describe('passed: unchanged phases in the waves mode', () => {
  test('a first run runs everything and records every pass; a one-package change runs that phase and its dependents only', async () => {
    const first = await runPlan()
    expect(first.outputs['unchanged']).toBe('[]')
    expect(first.log.join('\n')).toContain('No store of passed phases')
    expect(ran(first).sort()).toEqual(['app', 'core', 'docs', 'ui'])
    const report = await runAll(first, [], 101)
    expect(report.failed).toEqual([])
    expect(Object.keys(store()).sort()).toEqual(['app', 'core', 'docs', 'ui'])
    expect(JSON.parse(report.outputs['passed'] ?? '')).toEqual(storeFile())
    expect(storeFile()['passed in run']).toEqual({
      core: '101',
      ui: '101',
      docs: '101',
      app: '101'
    })

    writeFiles(dir, { 'packages/ui/index.ts': 'ui 2' })
    commitAll(dir, 'change ui')
    const second = await runPlan()
    expect(JSON.parse(second.outputs['unchanged'] ?? '')).toEqual([
      'core',
      'docs'
    ])
    expect(ran(second)).toEqual(['ui', 'app'])
    expect(second.summary.join('\n')).toContain('core (unchanged)')
    expect(second.summary.join('\n')).toContain(
      '2 phase(s) unchanged since they passed (passed in run 101)'
    )
    expect(second.log.join('\n')).toContain(
      'unchanged since they passed (passed in run 101)'
    )
    const green = await runAll(second, [], 102)
    expect(green.failed).toEqual([])
    expect(JSON.parse(green.outputs['unchanged'] ?? '')).toEqual([
      'core',
      'docs'
    ])
    expect(JSON.parse(green.outputs['succeeded'] ?? '')).toEqual(['ui', 'app'])
    expect(green.log.join('\n')).toContain('Phase core unchanged')
    const report2 = green.summary.join('\n')
    expect(report2).toContain('2 unchanged')
    expect(report2).toMatch(
      /\| core \| 1 \| unchanged \| inputs unchanged since it passed in run 101: not run \|/
    )
    // Unchanged phases keep the run they passed in; this run's passes get its id.
    expect(storeFile()['passed in run']).toEqual({
      core: '101',
      ui: '102',
      docs: '101',
      app: '102'
    })

    // Nothing changed since: nothing runs, the verdict is green.
    const third = await runPlan()
    expect(third.outputs['has-work']).toBe('false')
    expect(JSON.parse(third.outputs['unchanged'] ?? '')).toHaveLength(4)
    expect((await runAll(third)).failed).toEqual([])
  })

  test('an unchanged phase hands on what it wrote: to the phases that run, in the report, into the next store', async () => {
    const first = await runPlan()
    expect(first.outputs['phase-outputs']).toBe('{}')
    await runAll(first, [], 101, {
      core: { dist: 'core-101' },
      docs: { site: 'docs-101' },
      ui: { bundle: 'ui-101' }
    })
    expect(storeFile()['phase outputs']).toEqual({
      core: { dist: 'core-101' },
      ui: { bundle: 'ui-101' },
      docs: { site: 'docs-101' }
    })

    writeFiles(dir, { 'packages/ui/index.ts': 'ui 2' })
    commitAll(dir, 'change ui')
    const second = await runPlan()
    expect(ran(second)).toEqual(['ui', 'app'])
    // ui reads core's, app reads docs' (and ui's, from its own record).
    expect(JSON.parse(second.outputs['phase-outputs'] ?? '')).toEqual({
      core: { dist: 'core-101' },
      docs: { site: 'docs-101' }
    })
    const report = await runAll(second, [], 102, { ui: { bundle: 'ui-102' } })
    expect(report.failed).toEqual([])
    expect(JSON.parse(report.outputs['phase-outputs'] ?? '')).toEqual({
      core: { dist: 'core-101' },
      ui: { bundle: 'ui-102' },
      docs: { site: 'docs-101' }
    })
    expect(storeFile()['phase outputs']).toEqual({
      core: { dist: 'core-101' },
      ui: { bundle: 'ui-102' },
      docs: { site: 'docs-101' }
    })

    // Outputs too large to hand on: that phase runs again, with its dependents.
    writeFiles(dir, {
      [STORE]: JSON.stringify({
        ...storeFile(),
        'phase outputs': {
          ...(storeFile()['phase outputs'] as object),
          core: { dist: 'x'.repeat(30_000) }
        }
      })
    })
    writeFiles(dir, { 'packages/ui/index.ts': 'ui 3' })
    commitAll(dir, 'change ui again')
    const third = await runPlan()
    expect(ran(third).sort()).toEqual(['app', 'core', 'ui'])
    expect(JSON.parse(third.outputs['phase-outputs'] ?? '')).toEqual({
      docs: { site: 'docs-101' }
    })
    expect(third.annotations.map(a => a.message).join('\n')).toContain(
      '1 unchanged phase(s) run again because what they wrote to $PHASE_OUTPUT'
    )
  })

  test('a changed phase that fails: red, its dependents skipped (never unchanged), its entry dropped', async () => {
    await runAll(await runPlan())
    const before = store()
    writeFiles(dir, { 'packages/ui/index.ts': 'ui 2' })
    commitAll(dir, 'change ui')
    const planned = await runPlan()
    const red = await runAll(planned, ['ui'])
    expect(red.failed).toHaveLength(1)
    expect(JSON.parse(red.outputs['failed'] ?? '')).toEqual(['ui'])
    expect(JSON.parse(red.outputs['unchanged'] ?? '')).toEqual(['core', 'docs'])
    expect(JSON.parse(red.outputs['skipped'] ?? '')).toEqual(['app'])
    const after = store()
    expect(after['ui']).toBeUndefined()
    expect(after['core']).toBe(before['core'])
    // app kept its old entry, which no longer matches (ui's hash is in it).
    expect(after['app']).toBe(before['app'])
    const next = await runPlan()
    expect(ran(next)).toEqual(['ui', 'app'])
  })

  test('a broken or hostile store is a warning and every phase runs', async () => {
    for (const text of [
      'not json',
      '[1]',
      '{"__proto__": {"core": "x"}, "core": 7}',
      JSON.stringify({ core: 'a'.repeat(64), ui: null, ghost: 'b'.repeat(64) })
    ]) {
      writeFiles(dir, { [STORE]: text })
      const planned = await runPlan()
      expect(planned.failed).toEqual([])
      expect(planned.outputs['unchanged']).toBe('[]')
      expect(ran(planned).sort()).toEqual(['app', 'core', 'docs', 'ui'])
      expect(planned.annotations.some(a => a.kind === 'warning')).toBe(true)
    }
  })

  test('a folder as the store: a warning, every phase runs', async () => {
    writeFiles(dir, { 'other/x': 'x' })
    const planned = await runPlan('other')
    expect(planned.failed).toEqual([])
    expect(planned.outputs['unchanged']).toBe('[]')
    expect(planned.annotations.map(a => a.message).join('\n')).toContain(
      "Input 'passed': other is a folder"
    )
  })

  test("a state without the plan step's hashes: a warning, no pass recorded", async () => {
    const planned = await runPlan()
    const state = JSON.parse(planned.outputs['state'] ?? '') as Record<
      string,
      unknown
    >
    delete state['h']
    const report = await runAll({
      ...planned,
      outputs: { ...planned.outputs, state: JSON.stringify(state) }
    })
    expect(report.failed).toEqual([])
    expect(store()).toEqual({})
    expect(report.annotations.map(a => a.message).join('\n')).toContain(
      'its input hashes are unknown'
    )
  })

  test("a checkout that differs from the plan step's records no pass", async () => {
    const planned = await runPlan()
    writeFileSync(path.join(dir, 'packages/core/index.ts'), 'core dirty')
    const report = await runAll(planned)
    expect(report.failed).toEqual([])
    expect(store()).toEqual({})
    expect(report.annotations.map(a => a.message).join('\n')).toContain(
      "are not the plan step's"
    )
  })

  test('without the passed input the state has no hashes and the report records none', async () => {
    const planned = await runPlan(null)
    expect(JSON.parse(planned.outputs['state'] ?? '')).not.toHaveProperty('h')
    await runAll(planned)
    expect(store()).toEqual({})
  })
})
