// Whole runs with packed legs, played as phases.yml chains them
// (support/play-run.ts): the bundled plan, exec and settle actions as
// processes, each leg's record carried to settle through its wave job's
// outputs. A 1,000-phase plan with 600 phases in one wave and max-workers
// 40: every matrix has at most 40 legs, three phases fail inside packed
// legs, and the run ends with exactly their transitive dependents skipped
// and every other phase run once. Needs `npm run build` first.
import { describe, expect, test } from '@jest/globals'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import { PLAN_BUNDLE, runAction, workspaceWith } from '../support/run-action.js'
import {
  bigPlanIds,
  bigPlanYaml,
  type BigPlanOptions
} from '../support/big-plan.js'
import { expectInertLog } from '../support/inert-log.js'
import { playRun } from '../support/play-run.js'
import { legsOf, phasesOfLeg } from '../support/wave-records.js'

const PLAN = 'plans/monorepo.yaml'

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

function ranLog(cwd: string): string[] {
  return readFileSync(path.join(cwd, 'ran.log'), 'utf8').trim().split('\n')
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
    const played = await playRun({
      cwd,
      plan: PLAN,
      planInputs: { 'max-workers': '40' }
    })
    expect(played.plan.stdout).toContain(
      'Executing batch 1/3 with 200 phase(s) packed into 40 leg(s)'
    )
    const rounds = played.waves.map(wave => wave.legs)
    expect(rounds.map(r => r.length)).toEqual([40, 40, 40])
    for (const [at, legs] of rounds.entries()) {
      expect(legs.map(leg => leg.leg)).toEqual(
        Array.from({ length: 40 }, (_, i) => i + 1)
      )
      for (const leg of legs) expect(leg.id).toMatch(`wave ${at + 1} leg `)
    }
    // Every leg ran through the exec bundle; lib-7 fails wave 1's job.
    expect(played.waves.map(wave => wave.execs.size)).toEqual([40, 40, 40])
    expect(played.waves[0]!.job.result).toBe('failure')
    expect(played.settles.map(s => s.round)).toEqual([1, 2, 3])

    const { report } = played
    expect(report.status).toBe(1)
    expect(report.summary).toContain('### Where the time went')
    expect(report.summary).toContain('```mermaid\ngantt')

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
    const outputs = report.outputs
    expect((JSON.parse(outputs['failed'] ?? '') as string[]).sort()).toEqual(
      [...failing].sort()
    )
    expect((JSON.parse(outputs['skipped'] ?? '') as string[]).sort()).toEqual(
      skipped.sort()
    )
    const succeeded = JSON.parse(outputs['succeeded'] ?? '') as string[]
    expect(succeeded).toHaveLength(1000 - failing.length - skipped.length)

    // Every phase that was not skipped ran exactly once.
    const ran = ranLog(cwd)
    expect(ran).toHaveLength(1000 - skipped.length)
    expect(new Set(ran).size).toBe(ran.length)
    for (const id of skipped) expect(ran).not.toContain(id)

    // Durations learned for every phase that ran to an end, from the records.
    const durations = JSON.parse(outputs['durations'] ?? '') as Record<
      string,
      number
    >
    expect(Object.keys(durations)).toHaveLength(1000 - skipped.length)
    for (const minutes of Object.values(durations))
      expect(minutes).toBeGreaterThanOrEqual(0)

    // Each wave job's outputs stay far below GitHub's 1 MB a job.
    for (const wave of played.waves) {
      expect(JSON.stringify(wave.job.outputs).length).toBeLessThan(64 * 1024)
    }
    const logs = [
      played.plan.stdout,
      ...played.waves
        .flatMap(wave => [...wave.execs.values()])
        .map(run => run.stdout),
      ...played.settles.map(s => s.run.stdout),
      report.stdout
    ]
    for (const log of logs) expectInertLog(log)
  }, 600_000)

  test('the durations loop: the report writes durations-file, the next plan step reads it as estimates', async () => {
    const options: BigPlanOptions = { libs: 5, packages: 0, apps: 0 }
    const cwd = workspaceWith({ [PLAN]: bigPlanYaml(options) })
    const file = '.phase-matrix/durations.json'
    const first = await playRun({
      cwd,
      plan: PLAN,
      planInputs: { 'max-workers': '2', estimates: file },
      reportInputs: { 'durations-file': file }
    })
    expect(first.plan.stdout).toMatch(
      /^::notice::No estimates file at \.phase-matrix\/durations\.json yet \(a first run, or a cache miss\)/m
    )
    expect(first.report.status).toBe(0)
    const written = JSON.parse(
      readFileSync(path.join(cwd, file), 'utf8')
    ) as Record<string, number>
    expect(written).toEqual(JSON.parse(first.report.outputs['durations'] ?? ''))
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
      JSON.stringify({ ...written, 'lib-0': 30, 'lib-1': 1e12, gone: 1 })
    )
    const next = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: PLAN, 'max-workers': '2', estimates: file }
    })
    expect(next.status).toBe(0)
    expect(next.stdout).toContain(
      'Estimates of 4 phase(s) from .phase-matrix/durations.json override estimate_minutes.'
    )
    // Out of range (a week at most): a warning with the key, the plan's estimate kept.
    expect(next.stdout).toMatch(
      /^::warning::\.phase-matrix\/durations\.json: the estimate of 'lib-1' must be a number of minutes from 0 to 10080 \(one week\), got 1000000000000$/m
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
  }, 120_000)

  test('the fast path with packed legs: waves take the plan step’s packed matrices until a failure, settle then catches up', async () => {
    const options: BigPlanOptions = {
      libs: 20,
      packages: 30,
      apps: 10,
      failing: ['pkg-3']
    }
    const cwd = workspaceWith({ [PLAN]: bigPlanYaml(options) })
    const played = await playRun({
      cwd,
      plan: PLAN,
      planInputs: { 'max-workers': '4' }
    })
    const { plan } = played
    expect(plan.outputs['fast-rounds']).toBe('3')
    const matrices = JSON.parse(plan.outputs['matrices'] ?? '') as unknown[]
    expect(matrices.map(m => legsOf(JSON.stringify(m)).length)).toEqual([
      4, 4, 4
    ])
    expect(matrices[0]).toEqual(JSON.parse(plan.outputs['matrix'] ?? ''))
    // Wave 1 green: no settle-1, wave 2 took the plan's matrix.
    expect(played.waves.map(wave => wave.job.result)).toEqual([
      'success',
      'failure',
      'success'
    ])
    expect(played.waves[1]!.legs).toEqual(legsOf(JSON.stringify(matrices[1])))
    // Wave 2 failed: settle-2 reads rounds 1 and 2 from the plan's state.
    expect(played.settles.map(s => s.round)).toEqual([2, 3])
    const settle2 = played.settles[0]!.run
    expect(settle2.stdout).toContain(
      "Fast path: the wave jobs of round 2 took the plan step's matrices"
    )
    const round3 = played.waves[2]!.legs.flatMap(phasesOfLeg)
    expect(round3).not.toContain('app-1') // on pkg-2 and pkg-3
    // The three rounds hand out every phase once, but app-1.
    const handedOut = played.waves.flatMap(wave =>
      wave.legs.flatMap(phasesOfLeg)
    )
    expect(handedOut).toHaveLength(59)
    expect(new Set(handedOut).size).toBe(59)
    expect(played.report.status).toBe(1)
    expect(played.report.outputs['failed']).toBe('["pkg-3"]')
    expect(played.report.outputs['skipped']).toBe('["app-1"]')
    const ran = ranLog(cwd)
    expect(ran).toHaveLength(59)
    expect(new Set(ran).size).toBe(59)
  }, 120_000)
})
