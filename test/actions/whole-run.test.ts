// A whole run, played as GitHub would: the bundled plan and settle actions
// run as processes; after each round the test adds the legs' jobs to a local
// stand-in of the jobs API with chosen conclusions and feeds the state to the
// next settle step, until the report. Needs `npm run build` first.
import {
  afterAll,
  beforeAll,
  beforeEach,
  describe,
  expect,
  test
} from '@jest/globals'
import { writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  LOOK_ALIKE_JOB_NAMES,
  makeJob,
  startFakeGitHub,
  type FakeGitHub
} from '../support/fake-github.js'
import {
  PLAN_BUNDLE,
  SETTLE_BUNDLE,
  runAction,
  SEED_FAILURE_OUTPUTS,
  workspaceWith,
  type ActionRun
} from '../support/run-action.js'
import { HOSTILE_PLAN, expectInertLog } from '../support/inert-log.js'

const TOKEN = 'ghs_wholeRunTokenNeverLogged'

// The seed's "Error Handling" example.
const SEED_PLAN = `phases:
  - id: database-schema
    description: Set up database schema
    run: npm run migrate
  - id: frontend-components
    description: Build UI components
  - id: api-endpoints
    description: Create API endpoints
    deps: [database-schema]
  - id: frontend-state
    description: Set up state management
    deps: [frontend-components]
  - id: integration
    description: Integrate frontend and backend
    deps: [api-endpoints, frontend-state]
`

let github: FakeGitHub

beforeAll(async () => {
  github = await startFakeGitHub()
})

afterAll(async () => {
  await github.close()
})

beforeEach(() => {
  settleJobs = 0
  github.jobs.length = 0
  github.requests.length = 0
  github.onList = undefined
})

interface Step {
  run: ActionRun
  /** Requests the step made to the jobs API. */
  requests: number
}

interface Played {
  plan: ActionRun
  /** Ids of each round's matrix. */
  rounds: string[][]
  settles: Step[]
  last: ActionRun
}

interface PlayOptions {
  /** Conclusion of a phase's leg (default success). */
  conclusions?: Record<string, string>
  /** Job name prefix, as inside a reusable workflow. */
  prefix?: string
  attempt?: number
  planInputs?: Record<string, string>
  allowFailure?: boolean
  findBy?: SettleOptions['findBy']
}

function env(attempt: number): Record<string, string> {
  return {
    GITHUB_API_URL: github.url,
    GITHUB_RUN_ATTEMPT: String(attempt)
  }
}

interface SettleOptions {
  allowFailure?: boolean
  /** Caller prefix of this settle job's name, as inside a reusable workflow. */
  prefix?: string
  /** How the step learns its own job: input job-id (default), RUNNER_NAME, or neither. */
  findBy?: 'job-id' | 'runner-name' | 'none'
  /** More inputs (rounds-run). */
  extra?: Record<string, string>
}

let settleJobs = 0

/**
 * One settle step as its own job of the run: listed in progress on its own
 * runner while it runs (as GitHub lists it), then completed.
 */
async function settle(
  cwd: string,
  state: string,
  attempt: number,
  options: SettleOptions = {}
): Promise<Step> {
  const before = github.jobRequests().length
  settleJobs++
  const runnerName = `GitHub Actions ${1000 + settleJobs}`
  const own = makeJob({
    name: `${options.prefix ?? ''}settle wave ${settleJobs}`,
    status: 'in_progress',
    attempt,
    runnerName
  })
  github.jobs.push(own)
  const findBy = options.findBy ?? 'job-id'
  const run = await runAction(SETTLE_BUNDLE, {
    cwd,
    inputs: {
      state,
      'github-token': TOKEN,
      'allow-failure': options.allowFailure === true ? 'true' : 'false',
      'job-id': findBy === 'job-id' ? String(own.id) : '',
      ...options.extra
    },
    env: {
      ...env(attempt),
      ...(findBy === 'runner-name' ? { RUNNER_NAME: runnerName } : {})
    }
  })
  Object.assign(own, {
    status: 'completed',
    conclusion: run.status === 0 ? 'success' : 'failure',
    completed_at: new Date().toISOString()
  })
  expect(run.stderr).toBe('')
  return { run, requests: github.jobRequests().length - before }
}

/** The token appears only where it is registered as a secret (masked by the runner). */
function expectTokenOnlyMasked(stdout: string): void {
  const unmasked = stdout
    .split('\n')
    .filter(line => line !== `::add-mask::${TOKEN}`)
    .join('\n')
  expect(unmasked).not.toContain(TOKEN)
}

function idsOf(matrix: string | undefined): string[] {
  const parsed = JSON.parse(matrix ?? '') as { include: { id: string }[] }
  return parsed.include.map(entry => entry.id)
}

/** A job name as GitHub lists it: over 100 characters, the first 97 and `...`. */
function listed(name: string): string {
  return name.length > 100 ? `${name.slice(0, 97)}...` : name
}

/** Adds one job per leg of the round, named as GitHub lists the wave job's legs. */
function runLegs(ids: string[], options: PlayOptions): void {
  for (const id of ids) {
    github.jobs.push(
      makeJob({
        name: `${options.prefix ?? ''}${listed(id)}`,
        conclusion: options.conclusions?.[id] ?? 'success',
        attempt: options.attempt ?? 1,
        seconds: 60 + id.length
      })
    )
  }
}

async function play(cwd: string, options: PlayOptions = {}): Promise<Played> {
  const attempt = options.attempt ?? 1
  const plan = await runAction(PLAN_BUNDLE, {
    cwd,
    inputs: options.planInputs ?? {},
    env: env(attempt)
  })
  expect(plan.status).toBe(0)
  const rounds: string[][] = []
  const settles: Step[] = []
  let outputs = plan.outputs
  let last = plan
  for (let guard = 0; outputs['has-work'] === 'true'; guard++) {
    expect(guard).toBeLessThan(50)
    const ids = idsOf(outputs['matrix'])
    expect(ids.length).toBeGreaterThan(0)
    rounds.push(ids)
    runLegs(ids, options)
    const step = await settle(cwd, outputs['state'] ?? '', attempt, {
      allowFailure: options.allowFailure,
      prefix: options.prefix,
      findBy: options.findBy
    })
    settles.push(step)
    last = step.run
    outputs = step.run.outputs
    if (outputs['has-work'] === 'true') expect(step.run.status).toBe(0)
  }
  return { plan, rounds, settles, last }
}

describe('a whole run', () => {
  test('plan text carrying workflow commands stays inert in every log line of plan and settle', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': HOSTILE_PLAN })
    const played = await play(cwd, {
      conclusions: { 'build##[error]x': 'failure' }
    })
    expect(played.rounds).toEqual([['build##[error]x']])
    const logs = [played.plan.stdout, ...played.settles.map(s => s.run.stdout)]
    // The text is there, to be read, not obeyed.
    expect(played.plan.stdout).toContain('INJECTED')
    expect(played.plan.stdout).toContain('add-mask')
    expect(played.settles[0]!.run.stdout).toContain('skipped: dependency build')
    for (const log of logs) expectInertLog(log, TOKEN)
  })

  test("the seed's failure example: dependents skipped with the reason, the rest runs, the run is red", async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const played = await play(cwd, {
      conclusions: { 'frontend-components': 'failure' }
    })
    expect(played.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints']
    ])
    const { last } = played
    expect(last.status).toBe(1)
    expect(last.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)

    // The log of the first settle: the round's results, the skips, the next batch.
    const first = played.settles[0]!.run.stdout
    expect(first).toContain('Phase database-schema completed: success')
    expect(first).toContain('Phase frontend-components completed: failed')
    expect(first).toContain(
      'Phase frontend-state skipped: dependency frontend-components failed'
    )
    expect(first).toContain(
      'Phase integration skipped: dependency frontend-state skipped (frontend-components failed)'
    )
    expect(first).toContain(
      'Executing batch 2/3 with 1 phase(s): api-endpoints'
    )
    expect(first).toMatch(/^::group::/m)

    // The report: every phase, its outcome, the reason, the duration, the graph.
    const report = last.summary
    expect(report).toContain('❌ 1 failed, 2 skipped, 2 succeeded')
    expect(report).toMatch(
      /\| ✓ \| database-schema \| 1 \| succeeded \| {2}\| 1m 15s \|/
    )
    expect(report).toMatch(
      /\| ✗ \| frontend-components \| 1 \| failed \| job concluded failure \| 1m 19s \|/
    )
    expect(report).toMatch(
      /\| ⊘ \| frontend-state \| 2 \| skipped \| dependency frontend-components failed \| {2}\|/
    )
    expect(report).toMatch(
      /\| ⊘ \| integration \| 3 \| skipped \| dependency frontend-state skipped \(frontend-components failed\) \|/
    )
    expect(report).toContain('```mermaid')
    // Where the time went, from the jobs' created_at/started_at/completed_at.
    expect(report).toContain('### Where the time went')
    expect(report).toMatch(/^ {4}database-schema waits :active, \d+, \d+$/m)
    expect(report).toMatch(/^ {4}frontend-components :crit, \d+, \d+$/m)
    expect(report).toContain('Critical path as it happened: ')
    expect(report).toMatch(/classDef failed .*\n {2}class p1 failed/)
    expect(report).toMatch(/class p3,p4 skipped/)
    expect(last.stdout).toMatch(
      /^::error::Phases did not all succeed: 1 failed, 2 skipped, 2 succeeded/m
    )

    // A final report job calling settle again: same report and verdict; one
    // listing of the jobs, only to show where the time went.
    const again = await settle(cwd, last.outputs['state'] ?? '', 1)
    expect(again.requests).toBe(1)
    expect(again.run.status).toBe(1)
    expect(again.run.summary).toBe(report)
    expect(again.run.outputs).toEqual(last.outputs)

    for (const step of [
      played.plan,
      ...played.settles.map(s => s.run),
      again.run
    ]) {
      expectTokenOnlyMasked(step.stdout)
    }
  })

  test('allow-failure: the same report, a warning, and a green step', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const played = await play(cwd, {
      conclusions: { 'frontend-components': 'failure' },
      allowFailure: true
    })
    expect(played.last.status).toBe(0)
    expect(played.last.stdout).toMatch(
      /^::warning::Phases did not all succeed.*allow-failure is true/m
    )
    expect(played.last.summary).toContain(
      'dependency frontend-components failed'
    )
  })

  test('all green inside a reusable workflow: one round per wave, exit 0, request count ceil(jobs/100)', async () => {
    const cwd = workspaceWith({ 'plans/seed.yaml': SEED_PLAN })
    // Unrelated jobs of the same run, some with look-alike names.
    for (let i = 0; i < 230; i++)
      github.jobs.push(makeJob({ name: `lint ${i}` }))
    github.jobs.push(
      makeJob({ name: 'api-endpoints-docs', conclusion: 'failure' }),
      makeJob({ name: 'x / api-endpoints-v2', conclusion: 'failure' })
    )
    const played = await play(cwd, {
      prefix: 'phases / ',
      planInputs: { plan: 'plans/seed.yaml', 'max-workers': '2' }
    })
    expect(played.plan.outputs['max-workers']).toBe('2')
    expect(played.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state'],
      ['integration']
    ])
    expect(played.last.status).toBe(0)
    expect(played.last.summary).toContain('✅ All 5 phase(s) succeeded')
    expect(played.last.outputs['failed']).toBe('[]')
    // Nothing pending: every settle lists the run once, ceil(jobs / 100) requests.
    const jobsAt = [235, 238, 240]
    played.settles.forEach((step, i) => {
      expect(step.requests).toBe(Math.ceil(jobsAt[i]! / 100))
    })
  })

  test('the fast path, green: the wave jobs take every round from the plan; one settle step (the report) reads them all', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const plan = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    expect(plan.outputs['fast-rounds']).toBe('3')
    const rounds = (
      JSON.parse(plan.outputs['matrices'] ?? '') as unknown[]
    ).map(matrix => idsOf(JSON.stringify(matrix)))
    expect(rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state'],
      ['integration']
    ])
    for (const round of rounds) runLegs(round, {})
    const report = await settle(cwd, plan.outputs['state'] ?? '', 1, {
      extra: {
        'rounds-run': '10'
      }
    })
    expect(report.run.status).toBe(0)
    expect(report.requests).toBe(1)
    expect(report.run.outputs['has-work']).toBe('false')
    expect(report.run.stdout).toContain(
      "Fast path: the wave jobs of rounds 2–3 took the plan step's matrices"
    )
    expect(report.run.summary).toContain('✅ All 5 phase(s) succeeded')
    // Durations come from the jobs, as when settle runs after every wave.
    expect(report.run.summary).toMatch(
      /\| ✓ \| integration \| 3 \| succeeded \| +\| 1m 11s \|/
    )
  })

  test('the fast path, a failure in round 2: the first settle step catches up and ends as settle after every wave does', async () => {
    const conclusions = { 'frontend-state': 'failure' }
    const slowCwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const slow = await play(slowCwd, { conclusions })
    github.jobs.length = 0

    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const plan = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    runLegs(['database-schema', 'frontend-components'], { conclusions })
    runLegs(['api-endpoints', 'frontend-state'], { conclusions })
    // settle-1 was skipped (wave 1 green); settle-2 gets the plan's state.
    const settle2 = await settle(cwd, plan.outputs['state'] ?? '', 1, {
      extra: {
        'rounds-run': '2'
      }
    })
    expect(settle2.run.status).toBe(1)
    for (const name of ['succeeded', 'failed', 'skipped', 'has-work'])
      expect(settle2.run.outputs[name]).toBe(slow.last.outputs[name])
    expect(settle2.run.summary).toContain('dependency frontend-state failed')
    expect(JSON.parse(settle2.run.outputs['state'] ?? '')).not.toHaveProperty(
      'g'
    )
  })

  test('fail-fast: no new phase starts after a failure', async () => {
    const cwd = workspaceWith({
      '.prd_runner/phase_plan.yaml': SEED_PLAN,
      '.prd_runner/config.yaml':
        'parallel:\n  fail_fast: true\n  max_workers: 3\n'
    })
    const played = await play(cwd, {
      conclusions: { 'database-schema': 'timed_out' }
    })
    expect(played.plan.outputs['fail-fast']).toBe('true')
    expect(played.plan.outputs['max-workers']).toBe('3')
    expect(played.rounds).toEqual([['database-schema', 'frontend-components']])
    expect(played.last.status).toBe(1)
    expect(played.last.summary).toMatch(
      /\| ✗ \| database-schema \| 1 \| timed out \| job timed out \|/
    )
    expect(played.last.summary).toContain(
      'dependency database-schema failed (timed out)'
    )
    expect(played.last.summary).toMatch(
      /\| ⊘ \| frontend-state \| 2 \| skipped \| fail-fast: database-schema failed \|/
    )
    expect(played.last.summary).toContain(
      '1 failed (1 timed out), 3 skipped, 1 succeeded'
    )
  })

  test('re-run failed jobs (attempt 2): resumes from the failure, succeeded phases are not run again', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    const planState = planRun.outputs['state'] ?? ''

    // Attempt 1: frontend-components fails; api-endpoints runs in round 2.
    runLegs(['database-schema', 'frontend-components'], {
      conclusions: { 'frontend-components': 'failure' }
    })
    const settle1 = await settle(cwd, planState, 1)
    expect(idsOf(settle1.run.outputs['matrix'])).toEqual(['api-endpoints'])
    runLegs(['api-endpoints'], {})
    const settle2 = await settle(cwd, settle1.run.outputs['state'] ?? '', 1)
    expect(settle2.run.status).toBe(1)

    // Attempt 2: GitHub re-runs the failed leg and everything after the plan
    // job, which keeps its attempt-1 outputs.
    runLegs(['frontend-components'], { attempt: 2 })
    const rerun1 = await settle(cwd, planState, 2)
    expect(rerun1.run.status).toBe(0)
    expect(idsOf(rerun1.run.outputs['matrix'])).toEqual(['frontend-state'])
    expect(rerun1.run.stdout).toContain(
      'Phase api-endpoints succeeded in an earlier attempt of this run: not run again'
    )
    runLegs(['frontend-state'], { attempt: 2 })
    const rerun2 = await settle(cwd, rerun1.run.outputs['state'] ?? '', 2)
    expect(idsOf(rerun2.run.outputs['matrix'])).toEqual(['integration'])
    runLegs(['integration'], { attempt: 2 })
    const rerun3 = await settle(cwd, rerun2.run.outputs['state'] ?? '', 2)
    expect(rerun3.run.status).toBe(0)
    expect(rerun3.run.outputs['succeeded']).toBe(
      '["database-schema","frontend-components","api-endpoints","frontend-state","integration"]'
    )
    expect(rerun3.run.summary).toMatch(
      /\| ✓ \| api-endpoints \| 2 \| succeeded \| succeeded in an earlier attempt of this run \|/
    )
  })

  test('a leg with no job is failed, naming the names close to it', async () => {
    const cwd = workspaceWith({
      '.prd_runner/phase_plan.yaml': 'phases:\n  - id: api\n  - id: web\n'
    })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    github.jobs.push(
      makeJob({ name: 'web' }),
      makeJob({ name: 'api-gateway' }),
      makeJob({ name: 'x / api-gateway' })
    )
    const step = await settle(cwd, planRun.outputs['state'] ?? '', 1)
    expect(step.run.status).toBe(1)
    expect(step.run.stdout).toMatch(
      /^::warning::No job named 'api' in this run.*Jobs of this call with similar names: api-gateway\.$/m
    )
    expect(step.run.summary).toContain(
      '| ✗ | api | 1 | failed | no job named api in this run |'
    )
    expect(step.run.outputs['failed']).toBe('["api"]')
  })

  test('a 403 fails the step with a message naming permissions: actions: read', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    github.fail({
      status: 403,
      body: { message: 'Resource not accessible by integration' }
    })
    const step = await settle(cwd, planRun.outputs['state'] ?? '', 1)
    expect(step.run.status).toBe(1)
    expect(step.run.stdout).toMatch(/^::error::.*permissions: actions: read/m)
    expectTokenOnlyMasked(step.run.stdout)
  })

  test('a plan edited after the plan step, and a garbage state, are clear errors', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    writeFileSync(
      path.join(cwd, '.prd_runner/phase_plan.yaml'),
      `${SEED_PLAN}  - id: extra\n`
    )
    const changed = await settle(cwd, planRun.outputs['state'] ?? '', 1)
    expect(changed.run.status).toBe(1)
    expect(changed.run.stdout).toMatch(
      /^::error::The plan changed since the plan step/m
    )
    expect(changed.requests).toBe(0)

    const garbage = await settle(cwd, 'not a state', 1)
    expect(garbage.run.status).toBe(1)
    expect(garbage.run.stdout).toMatch(
      /^::error::Input 'state' is not a phase-matrix state \(not JSON\)/m
    )
  })

  test('a wave over 256 phases is handed out in consecutive rounds of at most 256 legs', async () => {
    const phases = Array.from(
      { length: 300 },
      (_, i) => `  - id: p${i}\n`
    ).join('')
    const cwd = workspaceWith({
      '.prd_runner/phase_plan.yaml': `phases:\n${phases}  - id: last\n    deps: [p0, p299]\n`
    })
    const played = await play(cwd, {
      conclusions: { p299: 'cancelled' },
      planInputs: { pack: 'false' }
    })
    expect(played.rounds.map(r => r.length)).toEqual([256, 44])
    expect(played.rounds[1]![0]).toBe('p256')
    expect(played.last.status).toBe(1)
    expect(played.last.summary).toContain(
      'dependency p299 failed (was cancelled)'
    )
    expect(played.last.summary).toContain(
      '1 failed (1 cancelled), 1 skipped, 299 succeeded'
    )
  })
})

describe('settle reads only the legs of its own call of the workflow', () => {
  test('two calls in one run (one green, one red, one still running) and another workflow: each call gets its own verdict', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const ids = [
      'database-schema',
      'frontend-components',
      'api-endpoints',
      'frontend-state',
      'integration'
    ]
    for (const id of ids) {
      // A third call still running, and another workflow's same-named jobs.
      github.jobs.push(
        makeJob({ name: `docs / ${id}`, status: 'in_progress' }),
        makeJob({ name: `ci / ${id}`, conclusion: 'failure' }),
        makeJob({ name: id, conclusion: 'failure' })
      )
    }
    github.jobs.push(
      makeJob({ name: 'docs / settle wave 1', status: 'in_progress' })
    )

    const green = await play(cwd, { prefix: 'backend / ' })
    expect(green.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state'],
      ['integration']
    ])
    expect(green.last.status).toBe(0)
    expect(green.last.outputs['failed']).toBe('[]')
    // Never waits for the other call's running legs: one listing per settle.
    for (const step of green.settles) {
      expect(step.run.stdout).not.toContain('without a conclusion yet')
      expect(step.run.stdout).not.toContain('Several jobs')
    }
    expect(green.settles[0]!.run.stdout).toContain(
      "(found by its job id): the legs of this call are named 'backend / <phase id>'"
    )

    const red = await play(cwd, {
      prefix: 'frontend / ',
      conclusions: { 'frontend-components': 'failure' }
    })
    expect(red.last.status).toBe(1)
    expect(red.last.outputs).toMatchObject({
      succeeded: '["database-schema","api-endpoints"]',
      failed: '["frontend-components"]',
      skipped: '["frontend-state","integration"]'
    })
  })

  test('two calls under one calling job name cannot be told apart: an error, not a verdict', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    github.jobs.push(
      makeJob({ name: 'phases / settle wave 1', status: 'in_progress' })
    )
    runLegs(['database-schema', 'frontend-components'], {
      prefix: 'phases / '
    })
    const step = await settle(cwd, planRun.outputs['state'] ?? '', 1, {
      prefix: 'phases / '
    })
    expect(step.run.status).toBe(1)
    expect(step.run.stdout).toMatch(
      /^::error::This settle job \('phases \/ settle wave 1', \d+\) has a twin of the same name in attempt 1/m
    )
    expect(step.run.outputs['state']).toBeUndefined()
  })

  test('re-runs in attempts 2 and 3: look-alike successes of earlier attempts never stand for a phase', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    const planState = planRun.outputs['state'] ?? ''
    const prefix = 'phases / '
    // Successes under names that look like our phases, in attempts 1 and 2.
    for (const attempt of [1, 2]) {
      for (const name of LOOK_ALIKE_JOB_NAMES) {
        github.jobs.push(makeJob({ name, attempt }))
      }
    }

    // Attempt 1: frontend-components fails.
    runLegs(['database-schema', 'frontend-components'], {
      prefix,
      conclusions: { 'frontend-components': 'failure' }
    })
    const a1 = await settle(cwd, planState, 1, { prefix })
    expect(idsOf(a1.run.outputs['matrix'])).toEqual(['api-endpoints'])
    runLegs(['api-endpoints'], { prefix })
    const a1end = await settle(cwd, a1.run.outputs['state'] ?? '', 1, {
      prefix
    })
    expect(a1end.run.status).toBe(1)

    // Attempt 2: frontend-components passes, frontend-state fails.
    runLegs(['frontend-components'], { prefix, attempt: 2 })
    const a2 = await settle(cwd, planState, 2, { prefix })
    expect(idsOf(a2.run.outputs['matrix'])).toEqual(['frontend-state'])
    expect(a2.run.stdout).toContain(
      'Phase api-endpoints succeeded in an earlier attempt of this run: not run again'
    )
    runLegs(['frontend-state'], {
      prefix,
      attempt: 2,
      conclusions: { 'frontend-state': 'failure' }
    })
    const a2end = await settle(cwd, a2.run.outputs['state'] ?? '', 2, {
      prefix
    })
    expect(a2end.run.status).toBe(1)
    expect(a2end.run.outputs['skipped']).toBe('["integration"]')

    // Attempt 3: frontend-state passes; integration must really run.
    runLegs(['frontend-state'], { prefix, attempt: 3 })
    const a3 = await settle(cwd, planState, 3, {
      prefix,
      findBy: 'runner-name'
    })
    expect(idsOf(a3.run.outputs['matrix'])).toEqual(['frontend-state'])
    const a3b = await settle(cwd, a3.run.outputs['state'] ?? '', 3, {
      prefix
    })
    expect(idsOf(a3b.run.outputs['matrix'])).toEqual(['integration'])
    expect(a3b.run.stdout).not.toContain(
      'Phase integration succeeded in an earlier attempt'
    )
    runLegs(['integration'], { prefix, attempt: 3 })
    const a3end = await settle(cwd, a3b.run.outputs['state'] ?? '', 3, {
      prefix
    })
    expect(a3end.run.status).toBe(0)
    expect(a3end.run.summary).toMatch(
      /\| ✓ \| integration \| 3 \| succeeded \| {2}\|/
    )
  })

  test('a phase id of 120 characters that passed is read as passed under its cut name', async () => {
    const long = `deploy-${'x'.repeat(113)}`
    const cwd = workspaceWith({
      '.prd_runner/phase_plan.yaml': `phases:\n  - id: ${long}\n  - id: after\n    deps: [${long}]\n`
    })
    const played = await play(cwd, { prefix: 'phases / ' })
    expect(played.rounds).toEqual([[long], ['after']])
    expect(played.last.status).toBe(0)
    expect(played.last.outputs['succeeded']).toBe(
      JSON.stringify([long, 'after'])
    )
  })

  test('own job found by RUNNER_NAME when job-id is empty; neither: a clear error', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': SEED_PLAN })
    const played = await play(cwd, {
      prefix: 'phases / ',
      findBy: 'runner-name'
    })
    expect(played.last.status).toBe(0)
    expect(played.settles[0]!.run.stdout).toMatch(
      /This is job \d+ 'phases \/ settle wave 1' \(found as the job in progress on runner 'GitHub Actions 1001'\)/
    )

    github.jobs.length = 0
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    runLegs(['database-schema', 'frontend-components'], {})
    const lost = await settle(cwd, planRun.outputs['state'] ?? '', 1, {
      findBy: 'none'
    })
    expect(lost.run.status).toBe(1)
    expect(lost.run.stdout).toMatch(
      /^::error::Settle cannot find its own job: no job id was given and RUNNER_NAME is not set\. Pass `job-id: \$\{\{ job\.check_run_id \}\}`/m
    )

    const garbled = await runAction(SETTLE_BUNDLE, {
      cwd,
      inputs: {
        state: planRun.outputs['state'] ?? '',
        'github-token': TOKEN,
        'job-id': '12ab'
      },
      env: env(1)
    })
    expect(garbled.status).toBe(1)
    expect(garbled.stdout).toMatch(
      /^::error::Invalid input 'job-id': '12ab'\. Expected the id of this job in the jobs API: \$\{\{ job\.check_run_id \}\}\./m
    )
  })

  test('ids that are one job name once cut to 100 characters are refused at plan time, with position', async () => {
    const stem = 'p'.repeat(97)
    const cwd = workspaceWith({
      '.prd_runner/phase_plan.yaml': `phases:\n  - id: ${stem}-first-of-two\n  - id: ${stem}-second-of-two\n`
    })
    const planRun = await runAction(PLAN_BUNDLE, { cwd, env: env(1) })
    expect(planRun.status).toBe(1)
    expect(planRun.stdout).toMatch(
      /^::error title=phase-matrix%3A job-name-clash,file=\.prd_runner\/phase_plan\.yaml,line=3,col=5::Phase id `p+-second-of-two` \(111 characters\) and `p+-first-of-two` \(line 2\)/m
    )
    expect(planRun.outputs['matrix']).toBeUndefined()
  })
})
