// Settle's rounds in this process: run(settings, ports) with a fake jobs
// port (plain objects, no HTTP) and the plan step's state from the plan
// action's own run(), also in-process. @actions/core is replaced by a
// recorder (test/support/action-harness.ts), so each step's outputs, log,
// annotations, failure and summary are read directly.
import { beforeEach, describe, expect, jest, test } from '@jest/globals'
import path from 'node:path'
import type { PlanSettings, SettleSettings } from '../../src/actions/inputs.js'
import type { WorkflowJob } from '../../src/github/jobs.js'
import type { SettleGitHub } from '../../src/github/ports.js'
import {
  captureCore,
  testRunContext,
  type Captured
} from '../support/action-harness.js'
import { encodeLegMarker } from '../../src/plan/leg-marker.js'
import {
  jobLog,
  LOOK_ALIKE_JOB_NAMES,
  makeJob
} from '../support/fake-github.js'
import { SEED_FAILURE_OUTPUTS, workspaceWith } from '../support/run-action.js'

const core = captureCore()
jest.unstable_mockModule('@actions/core', () => core.module)
const plan = await import('../../src/actions/plan.js')
const settle = await import('../../src/actions/settle.js')
const { realPlanFiles } = await import('../../src/actions/ports.js')

// The seed's "Error Handling" example: waves [db, fc], [api, fs], [int].
const SEED_PLAN = `phases:
  - id: database-schema
    run: npm run migrate
  - id: frontend-components
  - id: api-endpoints
    deps: [database-schema]
  - id: frontend-state
    deps: [frontend-components]
  - id: integration
    deps: [api-endpoints, frontend-state]
`

/** A fake of the jobs of the run: a list the test fills, read by settle. */
class FakeRun {
  jobs: WorkflowJob[] = []
  /** Job logs by job id (packed legs' markers). */
  logs = new Map<number, string>()
  listings = 0
  private nextSettle = 0

  port(): SettleGitHub {
    return {
      runJobs: () => ({
        requestCount: 1,
        listJobs: () => {
          this.listings++
          return Promise.resolve(this.jobs.map(job => ({ ...job })))
        },
        jobLog: (id: number) =>
          Promise.resolve(
            this.logs.has(id)
              ? { log: this.logs.get(id) ?? '' }
              : { missing: `no log for job ${id}` }
          )
      })
    }
  }

  legs(
    ids: string[],
    options: {
      prefix?: string
      attempt?: number
      conclusions?: Record<string, string>
    } = {}
  ): void {
    for (const id of ids) {
      this.jobs.push(
        makeJob({
          name: `${options.prefix ?? ''}${id}`,
          conclusion: options.conclusions?.[id] ?? 'success',
          attempt: options.attempt ?? 1,
          seconds: 60 + id.length
        })
      )
    }
  }

  /** The settle job itself, in progress; its id is the job-id input. */
  ownJob(prefix: string, attempt: number): WorkflowJob {
    this.nextSettle++
    const own = makeJob({
      name: `${prefix}settle wave ${this.nextSettle}`,
      status: 'in_progress',
      attempt,
      runnerName: `runner ${this.nextSettle}`
    })
    this.jobs.push(own)
    return own
  }
}

let dir: string
let planPath: string
let fake: FakeRun

beforeEach(() => {
  dir = workspaceWith({ 'plan.yaml': SEED_PLAN })
  planPath = path.join(dir, 'plan.yaml')
  fake = new FakeRun()
  core.reset()
})

function copy(): Captured {
  const captured = core.captured
  core.reset()
  return captured
}

async function runPlan(attempt = 1): Promise<Captured> {
  const settings: PlanSettings = {
    planPath,
    configPath: path.join(dir, 'config.yaml'),
    configExplicit: false,
    maxWaves: 0,
    pack: true,
    run: testRunContext(dir, { runAttempt: attempt })
  }
  await plan.run(settings, { files: realPlanFiles })
  return copy()
}

interface SettleOptions {
  attempt?: number
  prefix?: string
  allowFailure?: boolean
  roundsRun?: number
  /** Find the own job by runner name instead of job-id. */
  byRunner?: boolean
}

async function runSettle(
  state: string,
  options: SettleOptions = {}
): Promise<Captured> {
  const attempt = options.attempt ?? 1
  const own = fake.ownJob(options.prefix ?? '', attempt)
  const settings: SettleSettings = {
    state,
    githubToken: 'ghs_fake',
    allowFailure: options.allowFailure ?? false,
    durationsFile: '',
    jobId: options.byRunner === true ? undefined : own.id,
    roundsRun: options.roundsRun ?? 0,
    run: testRunContext(dir, {
      runAttempt: attempt,
      runnerName: own.runner_name ?? undefined
    })
  }
  await settle.run(settings, { github: fake.port(), files: realPlanFiles })
  Object.assign(own, { status: 'completed', conclusion: 'success' })
  return copy()
}

function ids(matrix: string | undefined): string[] {
  const parsed = JSON.parse(matrix ?? '') as { include: { id: string }[] }
  return parsed.include.map(entry => entry.id)
}

describe('settle in-process', () => {
  test('first round, all green: reads the legs once, logs each phase, hands out the next batch', async () => {
    const planned = await runPlan()
    expect(ids(planned.outputs['matrix'])).toEqual([
      'database-schema',
      'frontend-components'
    ])
    fake.legs(['database-schema', 'frontend-components'])
    const step = await runSettle(planned.outputs['state'] ?? '')
    expect(step.failed).toEqual([])
    expect(fake.listings).toBe(1)
    expect(step.outputs).toMatchObject({
      'has-work': 'true',
      succeeded: '["database-schema","frontend-components"]',
      failed: '[]',
      skipped: '[]'
    })
    expect(ids(step.outputs['matrix'])).toEqual([
      'api-endpoints',
      'frontend-state'
    ])
    const log = step.log.join('\n')
    expect(log).toContain('✓ Phase database-schema completed: success')
    expect(log).toContain(
      'Executing batch 2/3 with 2 phase(s): api-endpoints, frontend-state'
    )
    expect(log).toContain('This is job ')
    expect(log).toContain('(found by its job id)')
    expect(step.summary).toEqual([])
  })

  test('a failure: its dependents are skipped with the reason, the rest runs, the report fails the step', async () => {
    const planned = await runPlan()
    fake.legs(['database-schema', 'frontend-components'], {
      conclusions: { 'frontend-components': 'failure' }
    })
    const first = await runSettle(planned.outputs['state'] ?? '')
    expect(first.failed).toEqual([])
    expect(ids(first.outputs['matrix'])).toEqual(['api-endpoints'])
    const log = first.log.join('\n')
    expect(log).toContain('Phase frontend-components completed: failed')
    expect(log).toContain(
      'Phase frontend-state skipped: dependency frontend-components failed'
    )
    expect(log).toContain(
      'Phase integration skipped: dependency frontend-state skipped (frontend-components failed)'
    )

    fake.legs(['api-endpoints'])
    const last = await runSettle(first.outputs['state'] ?? '')
    expect(last.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)
    expect(last.failed).toEqual([
      'Phases did not all succeed: 1 failed, 2 skipped, 2 succeeded. See the phase report in the job summary.'
    ])
    expect(last.summary.join('')).toContain(
      'dependency frontend-components failed'
    )
  })

  test('the report repeated on a finished state: the same verdict, the jobs listed once only for the timing; allow-failure turns it into a warning', async () => {
    const planned = await runPlan()
    fake.legs(['database-schema', 'frontend-components'], {
      conclusions: { 'frontend-components': 'failure' }
    })
    const first = await runSettle(planned.outputs['state'] ?? '')
    fake.legs(['api-endpoints'])
    const last = await runSettle(first.outputs['state'] ?? '')
    const finished = last.outputs['state'] ?? ''
    const listings = fake.listings

    const red = await runSettle(finished)
    // One listing, only to show where the time went.
    expect(fake.listings).toBe(listings + 1)
    expect(red.failed).toHaveLength(1)
    expect(red.outputs['failed']).toBe('["frontend-components"]')
    expect(red.summary.join('')).toContain('frontend-components')

    const allowed = await runSettle(finished, { allowFailure: true })
    expect(allowed.failed).toEqual([])
    expect(
      allowed.annotations.filter(a => a.kind === 'warning').map(a => a.message)
    ).toEqual([
      'Phases did not all succeed: 1 failed, 2 skipped, 2 succeeded. Not failing the step: allow-failure is true.'
    ])
  })

  test('the report, green: every phase succeeded, no failure, the summary says so', async () => {
    const planned = await runPlan()
    fake.legs(['database-schema', 'frontend-components'])
    const a = await runSettle(planned.outputs['state'] ?? '')
    fake.legs(['api-endpoints', 'frontend-state'])
    const b = await runSettle(a.outputs['state'] ?? '')
    fake.legs(['integration'])
    const c = await runSettle(b.outputs['state'] ?? '')
    expect(c.failed).toEqual([])
    expect(c.outputs['has-work']).toBe('false')
    expect(c.log).toContain('All 5 phase(s) succeeded.')
    expect(c.summary.join('')).toContain('✅ All 5 phase(s) succeeded')
  })

  test('the fast path: the plan hands out every round; one settle step catches up from a failure in round 2', async () => {
    const planned = await runPlan()
    expect(planned.outputs['fast-rounds']).toBe('3')
    const conclusions = { 'frontend-state': 'failure' }
    fake.legs(['database-schema', 'frontend-components'], { conclusions })
    fake.legs(['api-endpoints', 'frontend-state'], { conclusions })
    const step = await runSettle(planned.outputs['state'] ?? '', {
      roundsRun: 2
    })
    expect(fake.listings).toBe(1)
    const log = step.log.join('\n')
    expect(step.log[0]).toBe(
      '## Batch 1/3 (rounds 1–2): reading 4 job(s) for 4 phase(s)'
    )
    expect(log).toContain(
      "took the plan step's matrices while every earlier wave succeeded"
    )
    expect(log).toContain('Phase frontend-state completed: failed')
    expect(step.outputs).toMatchObject({
      'has-work': 'false',
      succeeded: '["database-schema","frontend-components","api-endpoints"]',
      failed: '["frontend-state"]',
      skipped: '["integration"]'
    })
    expect(step.failed).toHaveLength(1)
  })

  test('resume after a re-run, among look-alikes: passed phases are not run again, look-alikes never stand for a phase', async () => {
    const prefix = 'phases / '
    for (const attempt of [1, 2]) {
      for (const name of LOOK_ALIKE_JOB_NAMES)
        fake.jobs.push(makeJob({ name, attempt }))
    }
    const planned = await runPlan()
    const planState = planned.outputs['state'] ?? ''
    fake.legs(['database-schema', 'frontend-components'], {
      prefix,
      conclusions: { 'frontend-components': 'failure' }
    })
    const a1 = await runSettle(planState, { prefix })
    fake.legs(['api-endpoints'], { prefix })
    const a1end = await runSettle(a1.outputs['state'] ?? '', { prefix })
    expect(a1end.failed).toHaveLength(1)

    // Attempt 2: the plan job keeps its attempt-1 state; the failed leg re-runs.
    fake.legs(['frontend-components'], { prefix, attempt: 2 })
    const a2 = await runSettle(planState, {
      prefix,
      attempt: 2,
      byRunner: true
    })
    expect(a2.failed).toEqual([])
    expect(a2.log.join('\n')).toContain(
      'Phase api-endpoints succeeded in an earlier attempt of this run: not run again'
    )
    expect(a2.log.join('\n')).toContain(
      "(found as the job in progress on runner 'runner 3')"
    )
    expect(ids(a2.outputs['matrix'])).toEqual(['frontend-state'])
    fake.legs(['frontend-state'], { prefix, attempt: 2 })
    const a2b = await runSettle(a2.outputs['state'] ?? '', {
      prefix,
      attempt: 2
    })
    expect(ids(a2b.outputs['matrix'])).toEqual(['integration'])
    expect(a2b.log.join('\n')).not.toContain(
      'Phase integration succeeded in an earlier attempt'
    )
    fake.legs(['integration'], { prefix, attempt: 2 })
    const a2end = await runSettle(a2b.outputs['state'] ?? '', {
      prefix,
      attempt: 2
    })
    expect(a2end.failed).toEqual([])
    expect(a2end.outputs['succeeded']).toBe(
      '["database-schema","frontend-components","api-endpoints","frontend-state","integration"]'
    )
  })

  test('a round without a token, a changed plan: clear step failures, no API call', async () => {
    const planned = await runPlan()
    const state = planned.outputs['state'] ?? ''
    const own = fake.ownJob('', 1)
    await settle.run(
      {
        state,
        githubToken: '',
        allowFailure: false,
        durationsFile: '',
        jobId: own.id,
        roundsRun: 0,
        run: testRunContext(dir)
      },
      { github: fake.port(), files: realPlanFiles }
    )
    expect(core.captured.failed[0]).toMatch(/^Input 'github-token' is empty/)
    core.reset()
    await settle.run(
      {
        state,
        githubToken: 'ghs_fake',
        allowFailure: false,
        durationsFile: '',
        jobId: own.id,
        roundsRun: 0,
        run: testRunContext(dir)
      },
      {
        github: fake.port(),
        files: { ...realPlanFiles, digest: () => 'feedfacefeedface' }
      }
    )
    expect(core.captured.failed[0]).toMatch(
      /^The plan changed since the plan step: .* now has digest feedfacefeedface/
    )
    expect(fake.listings).toBe(0)
  })

  test("a packed round: each phase read from the marker in its leg's log; a leg without a log counts as it concluded", async () => {
    const wide = `phases:
  - id: p1
  - id: p2
  - id: p3
  - id: p4
  - id: after
    deps: [p1, p2]
`
    dir = workspaceWith({ 'plan.yaml': wide })
    planPath = path.join(dir, 'plan.yaml')
    const planned = await (async () => {
      await plan.run(
        {
          planPath,
          configPath: path.join(dir, 'config.yaml'),
          configExplicit: false,
          maxWorkers: 2,
          maxWaves: 0,
          pack: true,
          run: testRunContext(dir)
        },
        { files: realPlanFiles }
      )
      return copy()
    })()
    const legs = (
      JSON.parse(planned.outputs['matrix'] ?? '') as {
        include: { id: string; phases: string[] }[]
      }
    ).include
    expect(legs).toHaveLength(2)
    expect(legs.flatMap(leg => leg.phases).sort()).toEqual([
      'p1',
      'p2',
      'p3',
      'p4'
    ])
    const [withLog, withoutLog] = legs as [
      { id: string; phases: string[] },
      { id: string; phases: string[] }
    ]
    // The first leg ran its phases and says which failed; the second's log expired.
    const first = makeJob({ name: withLog.id, conclusion: 'failure' })
    fake.jobs.push(first)
    const failedId = withLog.phases[0]!
    fake.logs.set(
      first.id,
      jobLog([
        encodeLegMarker({
          leg: withLog.id,
          final: true,
          phases: withLog.phases.map(id => ({
            id,
            status: id === failedId ? 'failed' : 'succeeded'
          }))
        })
      ])
    )
    fake.jobs.push(makeJob({ name: withoutLog.id, conclusion: 'success' }))

    const step = await runSettle(planned.outputs['state'] ?? '')
    expect(JSON.parse(step.outputs['failed'] ?? '')).toEqual([failedId])
    expect(
      (JSON.parse(step.outputs['succeeded'] ?? '') as string[]).sort()
    ).toEqual(['p1', 'p2', 'p3', 'p4'].filter(id => id !== failedId))
    expect(step.log.join('\n')).toContain(
      'packed into 2 leg(s): read the phase results of 1 from their logs'
    )
    expect(step.log.join('\n')).toContain(
      `Phase after skipped: dependency ${failedId} failed`
    )
  })
})
