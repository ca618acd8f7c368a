// A whole run, played as phases.yml chains its jobs (test/support/play-run.ts):
// the bundled plan step; each round's legs run by the real exec bundle (its
// `record` output, the job status from its exit) or, where a test needs a
// shape exec cannot produce, an output built as a wave job would hand it on
// (test/support/wave-records.ts); the legs combined into `needs.wave-k`, given
// to settle-k as env PHASE_MATRIX_ROUND_<k>; then the report. No API, no
// token. Needs `npm run build` first.
import { describe, expect, test } from '@jest/globals'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import {
  EXEC,
  execLeg,
  playRun,
  runWave,
  settleStep,
  WAVE_SLOTS,
  type LegPlay
} from '../support/play-run.js'
import {
  PLAN_BUNDLE,
  SETTLE_BUNDLE,
  runAction,
  SEED_FAILURE_OUTPUTS,
  workspaceWith
} from '../support/run-action.js'
import { HOSTILE_PLAN, expectInertLog } from '../support/inert-log.js'
import {
  legsOf,
  phasesOfLeg,
  type HandedOutLeg,
  type LegOutcome
} from '../support/wave-records.js'

const PLAN_FILE = '.prd_runner/phase_plan.yaml'
const SEED_IDS = [
  'database-schema',
  'frontend-components',
  'api-endpoints',
  'frontend-state',
  'integration'
]

/**
 * The seed's "Error Handling" example, each phase appending its id to
 * ran.log. A phase in `failing` then really fails: frontend-components by
 * `ls components.ready | cat` (only pipefail makes that fail, and it passes
 * once components.ready exists), database-schema by timing out
 * (`timeout-minutes` of about a second), any other with `exit 1`.
 */
function seedPlan(failing: readonly string[] = []): string {
  const run = (id: string): string => {
    const log = `echo ${id} >> ran.log`
    if (!failing.includes(id)) return `    run: ${log}\n`
    if (id === 'frontend-components')
      return `    run: |\n      ${log}\n      ls components.ready | cat\n`
    if (id === 'database-schema')
      return `    timeout-minutes: 0.02\n    run: |\n      ${log}\n      sleep 30\n`
    return `    run: |\n      ${log}\n      exit 1\n`
  }
  return `phases:
  - id: database-schema
    description: Set up database schema
${run('database-schema')}  - id: frontend-components
    description: Build UI components
${run('frontend-components')}  - id: api-endpoints
    description: Create API endpoints
    deps: [database-schema]
${run('api-endpoints')}  - id: frontend-state
    description: Set up state management
    deps: [frontend-components]
${run('frontend-state')}  - id: integration
    description: Integrate frontend and backend
    deps: [api-endpoints, frontend-state]
${run('integration')}`
}

function ranLog(cwd: string): string[] {
  const file = path.join(cwd, 'ran.log')
  return existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n') : []
}

function idsOf(matrix: string | undefined): string[] {
  return legsOf(matrix).map(leg => leg.id)
}

/** Built outputs for the legs holding `ids`; exec for the others. */
function builtFor(
  ids: readonly string[],
  outcome: LegOutcome
): (leg: HandedOutLeg) => LegPlay {
  return leg => (phasesOfLeg(leg).some(id => ids.includes(id)) ? outcome : EXEC)
}

describe('a whole run', () => {
  test('plan text carrying workflow commands stays inert in every log line of plan, exec and settle', async () => {
    const cwd = workspaceWith({ [PLAN_FILE]: HOSTILE_PLAN })
    const played = await playRun({
      cwd,
      play: () => ({ statuses: { 'build##[error]x': 'failed' } })
    })
    expect(played.rounds).toEqual([['build##[error]x']])
    // The leg as exec runs it: its log is inert too.
    const [leg] = played.waves[0]!.legs
    const exec = await execLeg(cwd, 1, 1, leg!)
    expect(exec.status).toBe(0)
    expect(exec.outputs['record']).toMatch(/^\{"v":1,"r":1,"a":1,"l":1,/)
    const logs = [
      played.plan.stdout,
      exec.stdout,
      ...played.settles.map(s => s.run.stdout),
      played.report.stdout
    ]
    // The text is there, to be read, not obeyed.
    expect(played.plan.stdout).toContain('INJECTED')
    expect(played.plan.stdout).toContain('add-mask')
    expect(played.settles[0]!.run.stdout).toContain('skipped: dependency build')
    for (const log of logs) expectInertLog(log)
  })

  test("the seed's failure example, every leg run by exec: dependents skipped with the reason, the rest runs, the run is red", async () => {
    const cwd = workspaceWith({
      [PLAN_FILE]: seedPlan(['frontend-components'])
    })
    const played = await playRun({ cwd })
    expect(played.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints']
    ])
    // The verdict came from real processes: pipefail failed `ls … | cat`.
    const wave1 = played.waves[0]!
    expect(wave1.execs.size).toBe(2)
    expect(wave1.execs.get(2)!.status).toBe(1)
    expect(wave1.execs.get(2)!.stdout).toContain(
      '✗ Phase frontend-components failed with exit code 2'
    )
    expect(wave1.job.result).toBe('failure')
    expect(wave1.job.outputs['leg-2']).toMatch(
      /^failure \{"v":1,"r":1,"a":1,"l":2,.*"s":"f"/
    )
    expect(wave1.job.outputs['leg-1']).toMatch(/^success \{.*"s":"s"/)
    expect(ranLog(cwd).sort()).toEqual(
      ['api-endpoints', 'database-schema', 'frontend-components'].sort()
    )

    // The fast path ends at the failure: settle runs after waves 1 and 2.
    expect(played.settles.map(s => s.round)).toEqual([1, 2])
    const first = played.settles[0]!.run.stdout
    expect(first).toContain(
      'Round 1: 2 leg(s), read from its wave job (failure)'
    )
    expect(first).toContain('Phase database-schema completed: success')
    expect(first).toContain('Phase frontend-components completed: failed')
    expect(first).toContain(
      'Phase frontend-state skipped: dependency frontend-components failed'
    )
    expect(first).toContain(
      'Phase integration skipped: dependency frontend-state skipped (frontend-components failed)'
    )
    expect(first).toContain(
      'Executing batch 2/2 with 1 phase(s): api-endpoints'
    )
    // Not the last step: no report yet.
    expect(first).not.toContain('Phase report')
    expect(first).not.toMatch(/^::warning::/m)

    // settle-2 finishes with allow-failure (phases.yml): the report job gives the verdict.
    const settle2 = played.settles[1]!.run
    expect(settle2.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)
    const { report } = played
    expect(report.status).toBe(1)
    expect(report.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)
    expect(report.outputs).toEqual(settle2.outputs)
    expect(report.summary).toBe(settle2.summary)

    // The report: every phase, its outcome, the reason, the duration, the graph.
    const summary = report.summary
    expect(summary).toContain('❌ 1 failed, 2 skipped, 2 succeeded')
    expect(summary).toMatch(
      /\| ✓ \| database-schema \| 1 \| succeeded \| {2}\| \d+s \|/
    )
    expect(summary).toMatch(
      /\| ✗ \| frontend-components \| 1 \| failed \| its command failed \| \d+s \|/
    )
    expect(summary).toMatch(
      /\| ⊘ \| frontend-state \| 2 \| skipped \| dependency frontend-components failed \| {2}\|/
    )
    expect(summary).toMatch(
      /\| ⊘ \| integration \| 3 \| skipped \| dependency frontend-state skipped \(frontend-components failed\) \|/
    )
    expect(summary).toContain('```mermaid')
    expect(summary).toMatch(/classDef failed .*\n {2}class p1 failed/)
    expect(summary).toMatch(/class p3,p4 skipped/)
    expect(report.stdout).toMatch(
      /^::error::Phases did not all succeed: 1 failed, 2 skipped, 2 succeeded/m
    )

    // A report job calling settle once more: the same report and verdict.
    const again = await settleStep({
      cwd,
      state: report.outputs['state'] ?? '',
      roundsRun: WAVE_SLOTS,
      allowFailure: false,
      waves: new Map(played.waves.map(wave => [wave.round, wave.job]))
    })
    expect(again.status).toBe(1)
    expect(again.summary).toBe(summary)
    expect(again.outputs).toEqual(report.outputs)
  }, 120_000)

  test('allow-failure: the same report, a warning, and a green step', async () => {
    const cwd = workspaceWith({
      [PLAN_FILE]: seedPlan(['frontend-components'])
    })
    const played = await playRun({ cwd, allowFailure: true })
    expect(played.report.status).toBe(0)
    expect(played.report.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)
    expect(played.report.stdout).toMatch(
      /^::warning::Phases did not all succeed.*allow-failure is true/m
    )
    expect(played.report.summary).toContain(
      'dependency frontend-components failed'
    )
  }, 120_000)

  test('all green with a plan path and max-workers 2, every leg run by exec: no settle job, the report reads every round', async () => {
    const cwd = workspaceWith({ 'plans/seed.yaml': seedPlan() })
    const played = await playRun({
      cwd,
      plan: 'plans/seed.yaml',
      planInputs: { 'max-workers': '2' }
    })
    expect(played.plan.outputs['max-workers']).toBe('2')
    expect(played.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state'],
      ['integration']
    ])
    expect(played.settles).toEqual([])
    expect(played.waves.map(wave => wave.job.result)).toEqual([
      'success',
      'success',
      'success'
    ])
    expect(played.report.status).toBe(0)
    expect(played.report.summary).toContain('✅ All 5 phase(s) succeeded')
    expect(played.report.outputs['failed']).toBe('[]')
    expect(played.report.outputs['succeeded']).toBe(JSON.stringify(SEED_IDS))
    expect(ranLog(cwd).sort()).toEqual([...SEED_IDS].sort())
  }, 120_000)

  test('the fast path, green: the wave jobs take every round from the plan; one settle step (the report) reads them all', async () => {
    const cwd = workspaceWith({ [PLAN_FILE]: seedPlan() })
    // Built records (each phase 42 s), so the durations are known.
    const played = await playRun({ cwd, play: () => ({}) })
    expect(played.plan.outputs['fast-rounds']).toBe('3')
    const matrices = JSON.parse(
      played.plan.outputs['matrices'] ?? ''
    ) as unknown[]
    expect(matrices.map(matrix => idsOf(JSON.stringify(matrix)))).toEqual(
      played.rounds
    )
    expect(played.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state'],
      ['integration']
    ])
    expect(played.settles).toEqual([])
    const { report } = played
    expect(report.status).toBe(0)
    expect(report.outputs['has-work']).toBe('false')
    expect(report.stdout).toContain(
      "Fast path: the wave jobs of rounds 2–3 took the plan step's matrices"
    )
    expect(report.summary).toContain('✅ All 5 phase(s) succeeded')
    // Durations come from the records, as when settle runs after every wave.
    expect(report.summary).toMatch(
      /\| ✓ \| integration \| 3 \| succeeded \| +\| 42s \|/
    )
  })

  test('the fast path, a failure in round 2: the first settle step catches up and ends as settle after every wave does', async () => {
    const cwd = workspaceWith({ [PLAN_FILE]: seedPlan(['frontend-state']) })
    const played = await playRun({ cwd })
    expect(played.rounds).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints', 'frontend-state']
    ])
    // settle-1 was skipped (wave 1 green); settle-2 gets the plan's state.
    expect(played.settles.map(s => s.round)).toEqual([2])
    const settle2 = played.settles[0]!.run
    expect(settle2.stdout).toContain('Round 1: 2 leg(s)')
    expect(settle2.stdout).toContain('Round 2: 2 leg(s)')
    expect(settle2.stdout).toContain('Phase frontend-state completed: failed')
    expect(settle2.outputs).toMatchObject({
      'has-work': 'false',
      succeeded: '["database-schema","frontend-components","api-endpoints"]',
      failed: '["frontend-state"]',
      skipped: '["integration"]'
    })
    expect(JSON.parse(settle2.outputs['state'] ?? '')).not.toHaveProperty('g')
    expect(played.report.status).toBe(1)
    expect(played.report.summary).toContain('dependency frontend-state failed')

    // The same wave jobs settled after every wave: the same verdict.
    const jobs = new Map(played.waves.map(wave => [wave.round, wave.job]))
    const slow1 = await settleStep({
      cwd,
      state: played.plan.outputs['state'] ?? '',
      roundsRun: 0,
      allowFailure: true,
      waves: new Map([[1, jobs.get(1)!]])
    })
    expect(idsOf(slow1.outputs['matrix'])).toEqual(played.rounds[1])
    const slow2 = await settleStep({
      cwd,
      state: slow1.outputs['state'] ?? '',
      roundsRun: 0,
      allowFailure: false,
      waves: jobs
    })
    expect(slow2.status).toBe(1)
    for (const name of ['succeeded', 'failed', 'skipped', 'has-work'])
      expect([name, slow2.outputs[name]]).toEqual([
        name,
        played.report.outputs[name]
      ])
  }, 120_000)

  test('fail-fast: no new phase starts after a failure (a real timeout)', async () => {
    const cwd = workspaceWith({
      [PLAN_FILE]: seedPlan(['database-schema']),
      '.prd_runner/config.yaml':
        'parallel:\n  fail_fast: true\n  max_workers: 3\n'
    })
    const played = await playRun({ cwd })
    expect(played.plan.outputs['fail-fast']).toBe('true')
    expect(played.plan.outputs['max-workers']).toBe('3')
    expect(played.rounds).toEqual([['database-schema', 'frontend-components']])
    expect(played.waves[0]!.execs.get(1)!.stdout).toMatch(
      /✗ Phase database-schema timed out/
    )
    const { summary } = played.report
    expect(played.report.status).toBe(1)
    expect(summary).toMatch(
      /\| ✗ \| database-schema \| 1 \| timed out \| job timed out \|/
    )
    expect(summary).toContain('dependency database-schema failed (timed out)')
    expect(summary).toMatch(
      /\| ⊘ \| frontend-state \| 2 \| skipped \| fail-fast: database-schema failed \|/
    )
    expect(summary).toContain('1 failed (1 timed out), 3 skipped, 1 succeeded')
    expect(ranLog(cwd).sort()).toEqual(
      ['database-schema', 'frontend-components'].sort()
    )
  }, 120_000)

  test('re-run failed jobs (attempt 2): the green leg of attempt 1 still counts, the failed one runs again, the run ends green', async () => {
    const cwd = workspaceWith({
      [PLAN_FILE]: seedPlan(['frontend-components'])
    })
    const first = await playRun({ cwd })
    expect(first.report.status).toBe(1)

    // Fixed between the attempts; GitHub re-runs the failed leg of wave 1
    // and every job after it; the plan job keeps its attempt-1 outputs.
    writeFileSync(path.join(cwd, 'components.ready'), '')
    const second = await playRun({ cwd, attempt: 2, rerunOf: first })
    const wave1 = second.waves[0]!
    expect([...wave1.execs.keys()]).toEqual([2])
    expect(wave1.job.outputs['leg-1']).toMatch(/^success \{.*"a":1,/)
    expect(wave1.job.outputs['leg-2']).toMatch(/^success \{.*"a":2,/)
    // A re-run settles after every wave.
    expect(second.settles.map(s => s.round)).toEqual([1, 2, 3])
    expect(idsOf(second.settles[0]!.run.outputs['matrix'])).toEqual([
      'api-endpoints',
      'frontend-state'
    ])
    expect(second.settles[0]!.run.stdout).not.toMatch(/^::warning::/m)
    expect(second.report.status).toBe(0)
    expect(second.report.outputs['succeeded']).toBe(JSON.stringify(SEED_IDS))
    expect(second.report.summary).toContain('✅ All 5 phase(s) succeeded')
    // database-schema ran once (attempt 1); the rest as handed out.
    expect(ranLog(cwd).filter(id => id === 'database-schema')).toHaveLength(1)
    expect(ranLog(cwd).filter(id => id === 'frontend-components')).toHaveLength(
      2
    )
    expect(ranLog(cwd)).toContain('integration')
  }, 120_000)

  test('a re-run: a record of a later attempt, or of an attempt before its round was handed out, counts for nothing', async () => {
    const cwd = workspaceWith({
      [PLAN_FILE]: seedPlan(['frontend-components'])
    })
    const first = await playRun({ cwd })
    writeFileSync(path.join(cwd, 'components.ready'), '')
    // Attempt 2: round 2 is handed out in attempt 2; its api-endpoints leg
    // hands on a record of attempt 1 (an output kept from before).
    const second = await playRun({
      cwd,
      attempt: 2,
      rerunOf: first,
      play: (leg, round) =>
        round === 2 && leg.id === 'api-endpoints'
          ? { record: { attempt: 1 } }
          : EXEC
    })
    const settle2 = second.settles[1]!.run
    expect(settle2.stdout).toMatch(
      /^::warning::Round 2 leg 1 \(api-endpoints\): its record is of run attempt 1, not of attempts 2–2, and counts for nothing; its 1 phase\(s\) count as failed\.$/m
    )
    expect(second.report.outputs).toMatchObject({
      failed: '["api-endpoints"]',
      skipped: '["integration"]'
    })
    expect(second.report.summary).toMatch(
      /\| ✗ \| api-endpoints \| 2 \| failed \| its leg left no record/
    )

    // Attempt 1: a record claiming attempt 2 is from no attempt yet run.
    const cwd1 = workspaceWith({ [PLAN_FILE]: seedPlan() })
    const forged = await playRun({
      cwd: cwd1,
      play: builtFor(['frontend-components'], { record: { attempt: 2 } })
    })
    // Wave 1's job was green: the report is the first step to read it.
    expect(forged.report.stdout).toMatch(
      /^::warning::Round 1 leg 2 \(frontend-components\): its record is of run attempt 2, not of attempts 1–1, and counts for nothing/m
    )
    expect(forged.report.outputs['failed']).toBe('["frontend-components"]')
  }, 120_000)

  describe('a leg whose output cannot be believed counts its phases failed, with the reason; the other legs go on', () => {
    const cases: [string, LegPlay, RegExp | undefined, string][] = [
      [
        'no output at all (cancelled, crashed, setup failed)',
        { output: '', jobStatus: 'failure' },
        /Round 1 leg 2 \(frontend-components\): no record \(its wave job ended as failure: the leg was cancelled, crashed or never started, or the runner dropped its output because a phase masked a word in it\)/,
        'its leg left no record'
      ],
      [
        'a green exec whose output the runner dropped (a phase masked a word in it)',
        { output: '', jobStatus: 'success' },
        /no record \(its wave job ended as success: .*masked a word in it\)/,
        'its leg left no record'
      ],
      [
        'a job that ended before exec wrote a record',
        { output: 'failure ' },
        /no record \(its job ended as failure before exec wrote one\)/,
        'its leg left no record'
      ],
      [
        'a record of another round',
        { record: { round: 2 } },
        /holds the record of round 2 leg 2, which counts for nothing/,
        'its leg left no record'
      ],
      [
        'a record of another leg',
        { record: { leg: 1 } },
        /holds the record of round 1 leg 1, which counts for nothing/,
        'its leg left no record'
      ],
      [
        'a forged "all succeeded" record from a leg whose job failed',
        { jobStatus: 'failure' },
        /its record says every phase succeeded, but its job ended as failure/,
        'the record of its leg was not believed'
      ],
      [
        'continue-on-error: exec failed, the job succeeded; the record is believed',
        { exec: true, jobStatus: 'success' },
        undefined,
        'its command failed'
      ]
    ]
    test.each(cases)(
      '%s',
      async (_label, outcome, warning, reason) => {
        // frontend-components really fails when exec runs it.
        const cwd = workspaceWith({
          [PLAN_FILE]: seedPlan(
            'exec' in outcome ? ['frontend-components'] : []
          )
        })
        const played = await playRun({
          cwd,
          play: builtFor(['frontend-components'], outcome)
        })
        // A green wave job takes the fast path (phases.yml skips settle-1):
        // the report is then the first step to read round 1.
        const settle1 = played.settles[0]?.run ?? played.report
        const warnings = settle1.stdout
          .split('\n')
          .filter(line => line.startsWith('::warning::'))
        if (warning === undefined) expect(warnings).toEqual([])
        else {
          expect(warnings).toHaveLength(1)
          expect(warnings[0]).toMatch(warning)
        }
        if (played.settles.length > 0)
          expect(idsOf(settle1.outputs['matrix'])).toEqual(['api-endpoints'])
        expect(played.report.status).toBe(1)
        if (played.settles.length > 0)
          expect(played.report.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)
        else {
          // Wave 1's job was green: waves 2 and 3 ran the plan's matrices, and
          // what their phases did counts (frontend-state ran and succeeded).
          expect(played.waves).toHaveLength(3)
          expect(played.report.stdout).toContain(
            "Round 1 did not all succeed, but its wave job succeeded: the wave jobs of rounds 2–3 took the plan's matrices"
          )
          expect(played.report.outputs).toMatchObject({
            'has-work': 'false',
            failed: '["frontend-components"]',
            skipped: '[]'
          })
        }
        expect(played.report.summary).toContain(
          `| ✗ | frontend-components | 1 | failed | ${reason}`
        )
      },
      120_000
    )
  })

  test('plans of 12 and 40 levels run in the 24 wave slots: every phase once after its dependencies, a low failure skips exactly its dependents', async () => {
    // Two chains of `levels` levels, crossing at every level: l<k>-a needs
    // l<k-1>-a; l<k>-b needs both phases of level k-1. l2-a fails.
    const crossing = (levels: number): string => {
      const lines = ['phases:']
      for (let level = 0; level < levels; level++) {
        for (const side of ['a', 'b']) {
          const id = `l${level}-${side}`
          lines.push(`  - id: ${id}`)
          if (level > 0)
            lines.push(
              side === 'a'
                ? `    deps: [l${level - 1}-a]`
                : `    deps: [l${level - 1}-a, l${level - 1}-b]`
            )
          lines.push(
            `    run: echo ${id} >> ran.log${id === 'l2-a' ? '; exit 1' : ''}`
          )
        }
      }
      return `${lines.join('\n')}\n`
    }
    const level = (id: string): number => Number(/^l(\d+)/.exec(id)?.[1])
    /** Each phase in ran.log after the phases it depends on. */
    const inOrder = (ran: string[]): void => {
      ran.forEach((id, at) => {
        const below = ran.slice(0, at)
        if (level(id) === 0) return
        expect(below).toContain(`l${level(id) - 1}-a`)
        if (id.endsWith('-b')) expect(below).toContain(`l${level(id) - 1}-b`)
      })
    }
    for (const levels of [12, 40]) {
      const text = crossing(levels)
      // Green: every round from the plan step's matrices, no settle job.
      const green = workspaceWith({
        [PLAN_FILE]: text.replace('; exit 1', '')
      })
      const all = await playRun({ cwd: green })
      expect(all.waves.length).toBeLessThanOrEqual(WAVE_SLOTS)
      expect(all.settles).toEqual([])
      expect(all.report.status).toBe(0)
      const ranGreen = ranLog(green)
      expect([...ranGreen].sort()).toEqual(
        Array.from({ length: levels }, (_, i) => [`l${i}-a`, `l${i}-b`])
          .flat()
          .sort()
      )
      inOrder(ranGreen)

      const cwd = workspaceWith({ [PLAN_FILE]: text })
      const played = await playRun({ cwd })
      // Levels 0–2 ran; from level 3 on every phase depends on l2-a.
      const ran = ranLog(cwd)
      expect([...ran].sort()).toEqual(
        ['l0-a', 'l0-b', 'l1-a', 'l1-b', 'l2-a', 'l2-b'].sort()
      )
      inOrder(ran)
      const skipped = JSON.parse(
        played.report.outputs['skipped'] ?? ''
      ) as string[]
      expect(skipped.sort()).toEqual(
        Array.from({ length: levels - 3 }, (_, i) => [
          `l${i + 3}-a`,
          `l${i + 3}-b`
        ])
          .flat()
          .sort()
      )
      expect(played.report.outputs['failed']).toBe('["l2-a"]')
      expect(played.report.status).toBe(1)
    }
  }, 240_000)

  test('a phase that kills exec: the record written so far still counts the phases that ended before it', async () => {
    const cwd = workspaceWith({
      [PLAN_FILE]: [
        'phases:',
        '  - id: honest',
        '    run: echo honest >> ran.log',
        '    estimate_minutes: 10',
        '  - id: killer',
        '    run: kill -9 $PPID',
        '    estimate_minutes: 10',
        '  - id: later',
        '    run: echo later >> ran.log',
        '    estimate_minutes: 10',
        // The one leg is full with the three: after-honest waits for round 2.
        '  - id: after-honest',
        '    deps: [honest]',
        '    estimate_minutes: 1',
        '    run: echo after-honest >> ran.log',
        ''
      ].join('\n')
    })
    const plan = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { 'max-workers': '1' }
    })
    const legs = legsOf(plan.outputs['matrix'])
    expect(legs.map(phasesOfLeg)).toEqual([['honest', 'killer', 'later']])
    // One after another: honest ends, killer kills exec, later never starts.
    const exec = await execLeg(cwd, 1, 1, legs[0]!, '', {
      'INPUT_LEG-CONCURRENCY': '1'
    })
    expect(exec.status).not.toBe(0)
    expect(readFileSync(path.join(cwd, 'ran.log'), 'utf8')).toBe('honest\n')
    const output = `failure ${exec.outputs['record'] ?? ''}`
    const settled = await settleStep({
      cwd,
      state: plan.outputs['state'] ?? '',
      roundsRun: 1,
      allowFailure: true,
      waves: new Map([[1, { result: 'failure', outputs: { 'leg-1': output } }]])
    })
    expect(settled.outputs).toMatchObject({
      succeeded: '["honest"]',
      failed: '["killer","later"]'
    })
    // honest counted right: its dependent runs next.
    expect(idsOf(settled.outputs['matrix'])).toEqual(['after-honest'])
  }, 120_000)

  test("a settle step without a round's needs, a plan edited after the plan step, and a garbage state are clear errors", async () => {
    const cwd = workspaceWith({ [PLAN_FILE]: seedPlan() })
    const plan = await runAction(PLAN_BUNDLE, { cwd })
    const state = plan.outputs['state'] ?? ''
    const wave = await runWave({
      cwd,
      round: 1,
      attempt: 1,
      legs: legsOf(plan.outputs['matrix'])
    })
    const noNeeds = await settleStep({
      cwd,
      state,
      roundsRun: 1,
      allowFailure: true,
      waves: new Map()
    })
    expect(noNeeds.status).toBe(1)
    expect(noNeeds.stdout).toMatch(
      /^::error::Settle reads round 1 from its wave job's outputs: give the settle step env PHASE_MATRIX_ROUND_1: \$\{\{ toJSON\(needs\.<wave job of round 1>\) \}\}/m
    )

    const notJson = await runAction(SETTLE_BUNDLE, {
      cwd,
      inputs: { state },
      env: { PHASE_MATRIX_ROUND_1: 'not json' }
    })
    expect(notJson.status).toBe(1)
    expect(notJson.stdout).toMatch(
      /^::error::PHASE_MATRIX_ROUND_1 is not a wave job's needs context/m
    )

    writeFileSync(path.join(cwd, PLAN_FILE), `${seedPlan()}  - id: extra\n`)
    const changed = await settleStep({
      cwd,
      state,
      roundsRun: 1,
      allowFailure: true,
      waves: new Map([[1, wave.job]])
    })
    expect(changed.status).toBe(1)
    expect(changed.stdout).toMatch(
      /^::error::The plan changed since the plan step/m
    )
    expect(changed.outputs['state']).toBeUndefined()

    const garbage = await settleStep({
      cwd,
      state: 'not a state',
      roundsRun: 1,
      allowFailure: true,
      waves: new Map([[1, wave.job]])
    })
    expect(garbage.status).toBe(1)
    expect(garbage.stdout).toMatch(
      /^::error::Input 'state' is not a phase-matrix state \(not JSON\)/m
    )
  }, 120_000)

  test('a wave of 300 phases with pack: false is packed into 64 legs; a cancelled leg fails only what it did not run', async () => {
    const phases = Array.from(
      { length: 300 },
      (_, i) => `  - id: p${i}\n    run: echo p${i} >> ran.log\n`
    ).join('')
    const cwd = workspaceWith({
      [PLAN_FILE]: `phases:\n${phases}  - id: last\n    deps: [p0, p299]\n`
    })
    // p299's leg was cancelled after its other phases ran: exec recorded
    // what finished (p299 not run).
    const played = await playRun({
      cwd,
      planInputs: { pack: 'false' },
      play: builtFor(['p299'], {
        statuses: { p299: 'not-run' },
        jobStatus: 'cancelled'
      })
    })
    const round1 = played.waves[0]!.legs
    expect(round1).toHaveLength(64)
    expect(played.rounds.map(r => r.length)).toEqual([300])
    expect(round1.map(leg => leg.leg)).toEqual(
      Array.from({ length: 64 }, (_, i) => i + 1)
    )
    expect(played.waves[0]!.execs.size).toBe(63)
    expect(played.report.status).toBe(1)
    expect(played.report.summary).toContain(
      'dependency p299 failed (was cancelled)'
    )
    expect(played.report.summary).toContain(
      '1 failed (1 cancelled), 1 skipped, 299 succeeded'
    )
    const ran = ranLog(cwd)
    const cancelled = round1.find(leg => phasesOfLeg(leg).includes('p299'))!
    expect(ran).toHaveLength(300 - phasesOfLeg(cancelled).length)
  }, 120_000)
})
