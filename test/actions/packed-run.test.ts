// A whole run with packed legs, played as GitHub would: the bundled plan,
// exec and settle actions run as processes against the local API server.
// A 1,000-phase plan with 600 phases in one wave and max-workers 40: every
// matrix has at most 40 legs; each leg runs its phases with the exec action,
// its job's log (GitHub's shape: one timestamp per line) is served through
// the job-logs endpoint; three phases fail inside packed legs. The run ends
// with exactly their transitive dependents skipped and every other phase run
// once. Needs `npm run build` first.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  jobLog,
  makeJob,
  startFakeGitHub,
  type FakeGitHub
} from '../support/fake-github.js'
import {
  PLAN_BUNDLE,
  REPO_ROOT,
  SETTLE_BUNDLE,
  runAction,
  workspaceWith,
  type ActionRun
} from '../support/run-action.js'
import {
  bigPlanIds,
  bigPlanYaml,
  type BigPlanOptions
} from '../support/big-plan.js'
import { expectInertLog } from '../support/inert-log.js'

const EXEC_BUNDLE = path.join(REPO_ROOT, 'dist/exec/index.js')
const TOKEN = 'ghs_packedRunTokenNeverLogged'
const PLAN = 'plans/monorepo.yaml'

let github: FakeGitHub

beforeAll(async () => {
  github = await startFakeGitHub()
})

afterAll(async () => {
  await github.close()
})

interface Leg {
  id: string
  wave: number
  phases?: string[]
}

function legsOf(matrix: string | undefined): Leg[] {
  return (JSON.parse(matrix ?? '') as { include: Leg[] }).include
}

/** Runs the legs of a round with the exec action, a few at a time; each becomes a job with its log. */
async function runRound(
  cwd: string,
  legs: Leg[],
  options: { unreadable?: (leg: Leg) => boolean } = {}
): Promise<ActionRun[]> {
  const runs = new Array<ActionRun>(legs.length)
  let next = 0
  const worker = async (): Promise<void> => {
    for (let at = next++; at < legs.length; at = next++) {
      const leg = legs[at]!
      const run = await runAction(EXEC_BUNDLE, {
        cwd,
        inputs: {
          phases: JSON.stringify(leg.phases),
          leg: leg.id,
          plan: PLAN
        },
        env: { GITHUB_API_URL: github.url }
      })
      const job = makeJob({
        name: leg.id,
        conclusion: run.status === 0 ? 'success' : 'failure'
      })
      github.jobs.push(job)
      github.logs.set(
        job.id,
        jobLog((run.stdout + run.stderr).split('\n').filter(l => l !== ''))
      )
      if (options.unreadable?.(leg) === true) github.expiredLogs.add(job.id)
      runs[at] = run
    }
  }
  await Promise.all([worker(), worker(), worker(), worker()])
  return runs
}

let settleJobs = 0

async function settle(
  cwd: string,
  state: string,
  more: Record<string, string> = {}
): Promise<ActionRun> {
  settleJobs++
  const own = makeJob({
    name: `settle wave ${settleJobs}`,
    status: 'in_progress'
  })
  github.jobs.push(own)
  const run = await runAction(SETTLE_BUNDLE, {
    cwd,
    inputs: {
      state,
      'github-token': TOKEN,
      'allow-failure': 'false',
      'job-id': String(own.id),
      ...more
    },
    env: { GITHUB_API_URL: github.url }
  })
  Object.assign(own, { status: 'completed', conclusion: 'success' })
  expect(run.stderr).toBe('')
  return run
}

/** Ids that depend, directly or not, on any of `failed`. */
function dependentsOf(options: BigPlanOptions, failed: string[]): string[] {
  const { libs, packages, apps } = bigPlanIds(options)
  const deps = new Map<string, string[]>()
  packages.forEach((id, i) => deps.set(id, [libs[i % libs.length]!]))
  apps.forEach((id, i) =>
    deps.set(id, [
      packages[(2 * i) % packages.length]!,
      packages[(2 * i + 1) % packages.length]!
    ])
  )
  const bad = new Set(failed)
  const out: string[] = []
  for (const id of [...libs, ...packages, ...apps]) {
    if ((deps.get(id) ?? []).some(dep => bad.has(dep))) {
      bad.add(id)
      out.push(id)
    }
  }
  return out
}

describe('packed legs, end to end', () => {
  test('1,000 phases, 600 in one wave, max-workers 40, three failures inside packed legs', async () => {
    const failing = ['lib-7', 'pkg-77', 'pkg-300']
    const options: BigPlanOptions = {
      libs: 200,
      packages: 600,
      apps: 200,
      failing
    }
    const cwd = workspaceWith({ [PLAN]: bigPlanYaml(options) })
    const plan = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: PLAN, 'max-workers': '40' },
      env: { GITHUB_API_URL: github.url }
    })
    expect(plan.status).toBe(0)
    expect(plan.stdout).toContain(
      'Executing batch 1/3 with 200 phase(s) packed into 40 leg(s)'
    )
    let outputs = plan.outputs
    const rounds: Leg[][] = []
    const logs = [plan.stdout]
    while (outputs['has-work'] === 'true') {
      expect(rounds.length).toBeLessThan(5)
      const legs = legsOf(outputs['matrix'])
      expect(legs.length).toBeLessThanOrEqual(40)
      rounds.push(legs)
      const runs = await runRound(cwd, legs)
      for (const run of runs) logs.push(run.stdout)
      const settled = await settle(cwd, outputs['state'] ?? '')
      logs.push(settled.stdout)
      outputs = settled.outputs
      if (outputs['has-work'] === 'true') expect(settled.status).toBe(0)
      else {
        expect(settled.status).toBe(1)
        expect(settled.summary).toContain('### Where the time went')
        expect(settled.summary).toContain('```mermaid\ngantt')
      }
    }
    expect(rounds.map(r => r.length)).toEqual([40, 40, 40])
    expect(
      rounds.flat().every(leg => leg.id.startsWith(`wave ${leg.wave} leg `))
    ).toBe(true)

    const skipped = dependentsOf(options, failing)
    // lib-7 → pkg-7, pkg-207, pkg-407 → app-3, app-103; pkg-77 → app-38; pkg-300 → app-150.
    expect(skipped.sort()).toEqual(
      [
        'pkg-7',
        'pkg-207',
        'pkg-407',
        'app-3',
        'app-103',
        'app-38',
        'app-150'
      ].sort()
    )
    expect((JSON.parse(outputs['failed'] ?? '') as string[]).sort()).toEqual(
      [...failing].sort()
    )
    expect((JSON.parse(outputs['skipped'] ?? '') as string[]).sort()).toEqual(
      skipped.sort()
    )
    const succeeded = JSON.parse(outputs['succeeded'] ?? '') as string[]
    expect(succeeded).toHaveLength(1000 - failing.length - skipped.length)

    // Every phase that was not skipped ran exactly once.
    const ran = readFileSync(path.join(cwd, 'ran.log'), 'utf8')
      .trim()
      .split('\n')
    expect(ran).toHaveLength(1000 - skipped.length)
    expect(new Set(ran).size).toBe(ran.length)
    for (const id of skipped) expect(ran).not.toContain(id)

    // Durations learned for every phase that ran to an end, from the markers.
    const durations = JSON.parse(outputs['durations'] ?? '') as Record<
      string,
      number
    >
    expect(Object.keys(durations)).toHaveLength(1000 - skipped.length)
    for (const minutes of Object.values(durations))
      expect(minutes).toBeGreaterThanOrEqual(0)
    for (const log of logs) expectInertLog(log, TOKEN)
  }, 300_000)

  test('a leg whose log cannot be read: its phases count failed, with a warning; a green leg stays green', async () => {
    github.jobs.length = 0
    const options: BigPlanOptions = {
      libs: 6,
      packages: 0,
      apps: 0,
      failing: ['lib-1']
    }
    const cwd = workspaceWith({ [PLAN]: bigPlanYaml(options) })
    const plan = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: PLAN, 'max-workers': '2' },
      env: { GITHUB_API_URL: github.url }
    })
    const legs = legsOf(plan.outputs['matrix'])
    expect(legs).toHaveLength(2)
    await runRound(cwd, legs, { unreadable: () => true })
    const settled = await settle(cwd, plan.outputs['state'] ?? '')
    const red = legs.find(leg => leg.phases?.includes('lib-1'))!
    const green = legs.find(leg => leg !== red)!
    expect(settled.stdout).toMatch(
      new RegExp(
        `^::warning::Leg ${red.id.replace('/', '\\/')} concluded failed and its log could not be read \\(GitHub answered 404 for the log of job \\d+\\): its phase\\(s\\) ${red.phases!.join(', ')} count failed\\.$`,
        'm'
      )
    )
    expect(
      (JSON.parse(settled.outputs['failed'] ?? '') as string[]).sort()
    ).toEqual([...red.phases!].sort())
    expect(
      (JSON.parse(settled.outputs['succeeded'] ?? '') as string[]).sort()
    ).toEqual([...green.phases!].sort())
  }, 60_000)

  test('the durations loop: settle writes durations-file, the next plan step reads it as estimates', async () => {
    github.jobs.length = 0
    const options: BigPlanOptions = { libs: 5, packages: 0, apps: 0 }
    const cwd = workspaceWith({ [PLAN]: bigPlanYaml(options) })
    const file = '.phase-matrix/durations.json'
    const first = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: PLAN, 'max-workers': '2', estimates: file },
      env: { GITHUB_API_URL: github.url }
    })
    expect(first.status).toBe(0)
    expect(first.stdout).toMatch(
      /^::notice::No estimates file at \.phase-matrix\/durations\.json yet \(a first run, or a cache miss\)/m
    )
    await runRound(cwd, legsOf(first.outputs['matrix']))
    const settled = await settle(cwd, first.outputs['state'] ?? '', {
      'durations-file': file
    })
    expect(settled.status).toBe(0)
    const written = JSON.parse(
      readFileSync(path.join(cwd, file), 'utf8')
    ) as Record<string, number>
    expect(written).toEqual(JSON.parse(settled.outputs['durations'] ?? ''))
    expect(Object.keys(written).sort()).toEqual([
      'lib-0',
      'lib-1',
      'lib-2',
      'lib-3',
      'lib-4'
    ])
    // Next run: the learned minutes override estimate_minutes, in the state too.
    writeFileSync(
      path.join(cwd, file),
      JSON.stringify({ ...written, 'lib-0': 30, gone: 1 })
    )
    const next = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: PLAN, 'max-workers': '2', estimates: file },
      env: { GITHUB_API_URL: github.url }
    })
    expect(next.status).toBe(0)
    expect(next.stdout).toContain(
      'Estimates of 5 phase(s) from .phase-matrix/durations.json override estimate_minutes.'
    )
    expect(next.stdout).toMatch(
      /^::warning::.*'gone' is not a phase of the plan/m
    )
    expect(
      (JSON.parse(next.outputs['state'] ?? '') as { e?: string }).e
    ).toBeDefined()
    // lib-0 (30 min) gets a leg of its own.
    const legs = legsOf(next.outputs['matrix'])
    expect(legs.find(leg => leg.phases?.includes('lib-0'))?.phases).toEqual([
      'lib-0'
    ])
  }, 60_000)

  test('the fast path with packed legs: waves take the plan step’s packed matrices until a failure, settle then catches up', async () => {
    github.jobs.length = 0
    const options: BigPlanOptions = {
      libs: 20,
      packages: 30,
      apps: 10,
      failing: ['pkg-3']
    }
    const cwd = workspaceWith({ [PLAN]: bigPlanYaml(options) })
    const plan = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: PLAN, 'max-workers': '4' },
      env: { GITHUB_API_URL: github.url }
    })
    expect(plan.status).toBe(0)
    expect(plan.outputs['fast-rounds']).toBe('3')
    const matrices = JSON.parse(plan.outputs['matrices'] ?? '') as {
      include: Leg[]
    }[]
    expect(matrices.map(m => m.include.length)).toEqual([4, 4, 4])
    expect(matrices[0]).toEqual(JSON.parse(plan.outputs['matrix'] ?? ''))
    // Wave 1 green: wave 2 takes its matrix from the plan, no settle job.
    await runRound(cwd, matrices[0]!.include)
    const wave2 = await runRound(cwd, matrices[1]!.include)
    expect(wave2.some(run => run.status !== 0)).toBe(true)
    // Wave 2 failed: settle-2 reads rounds 1 and 2 from the plan's state.
    const settle2 = await settle(cwd, plan.outputs['state'] ?? '', {
      'rounds-run': '2'
    })
    expect(settle2.status).toBe(0)
    expect(settle2.stdout).toContain('Fast path: the wave jobs of rounds 2–2')
    const round3 = legsOf(settle2.outputs['matrix'])
    const app1 = 'app-1' // on pkg-2 and pkg-3
    expect(round3.flatMap(leg => leg.phases ?? [leg.id])).not.toContain(app1)
    expect(round3.flatMap(leg => leg.phases ?? [leg.id])).toHaveLength(9)
    await runRound(cwd, round3)
    const settle3 = await settle(cwd, settle2.outputs['state'] ?? '', {
      'rounds-run': '3'
    })
    expect(settle3.status).toBe(1)
    expect(settle3.outputs['failed']).toBe('["pkg-3"]')
    expect(settle3.outputs['skipped']).toBe('["app-1"]')
    const ran = readFileSync(path.join(cwd, 'ran.log'), 'utf8')
      .trim()
      .split('\n')
    expect(ran).toHaveLength(59)
    expect(new Set(ran).size).toBe(59)
  }, 120_000)
})
