// Settle's rounds in this process: run(settings, ports) with the legs'
// records as the wave jobs hand them on through `needs` (built as GitHub
// builds them: test/support/wave-records.ts), and the plan step's state
// from the plan action's own run(), also in-process. @actions/core is
// replaced by a recorder (test/support/action-harness.ts), so each step's
// outputs, log, annotations, failure and summary are read directly. No
// token, no API: settle reads nothing else.
import { beforeEach, describe, expect, jest, test } from '@jest/globals'
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
import { SEED_FAILURE_OUTPUTS, workspaceWith } from '../support/run-action.js'
import {
  legOutput,
  legsOf,
  phasesOfLeg,
  waveJob,
  type HandedOutLeg,
  type LegOutcome
} from '../support/wave-records.js'

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

/** The wave jobs of the run so far, by round, as `needs` hands them on. */
let waves: Map<number, WaveJob>

/** Round `round`'s wave job ran `matrix`; `outcome` says how each leg ended. */
function ran(
  round: number,
  matrix: string | undefined,
  outcome: (leg: HandedOutLeg) => LegOutcome = () => ({}),
  attempt = 1
): void {
  waves.set(round, waveJob(round, attempt, legsOf(matrix), outcome))
}

/** A leg outcome failing the phases named. */
function failing(...failed: string[]): (leg: HandedOutLeg) => LegOutcome {
  return leg => ({
    statuses: Object.fromEntries(
      phasesOfLeg(leg)
        .filter(id => failed.includes(id))
        .map(id => [id, 'failed' as const])
    )
  })
}

let dir: string
let planPath: string

beforeEach(() => {
  dir = workspaceWith({ 'plan.yaml': SEED_PLAN })
  planPath = path.join(dir, 'plan.yaml')
  waves = new Map()
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
  allowFailure?: boolean
  roundsRun?: number
}

async function runSettle(
  state: string,
  options: SettleOptions = {}
): Promise<Captured> {
  const settings: SettleSettings = {
    state,
    allowFailure: options.allowFailure ?? false,
    waveJobs: new Map(waves),
    durationsFile: '',
    roundsRun: options.roundsRun ?? 0,
    run: testRunContext(dir, { runAttempt: options.attempt ?? 1 })
  }
  await settle.run(settings, { files: realPlanFiles })
  return copy()
}

function ids(matrix: string | undefined): string[] {
  const parsed = JSON.parse(matrix ?? '') as { include: { id: string }[] }
  return parsed.include.map(entry => entry.id)
}

describe('settle in-process', () => {
  test('first round, all green: reads the legs from the wave job, logs each phase, hands out the next batch', async () => {
    const planned = await runPlan()
    expect(ids(planned.outputs['matrix'])).toEqual([
      'database-schema',
      'frontend-components'
    ])
    expect(legsOf(planned.outputs['matrix']).map(leg => leg.leg)).toEqual([
      1, 2
    ])
    ran(1, planned.outputs['matrix'])
    const step = await runSettle(planned.outputs['state'] ?? '')
    expect(step.failed).toEqual([])
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
    expect(log).toContain('✓ Phase database-schema completed: success (42s)')
    expect(log).toContain('Round 1: 2 leg(s), read from its wave job (success)')
    expect(log).toContain(
      'Executing batch 2/3 with 2 phase(s): api-endpoints, frontend-state'
    )
    expect(step.summary).toEqual([])
    expect(JSON.parse(step.outputs['durations'] ?? '')).toEqual({
      'database-schema': 0.7,
      'frontend-components': 0.7
    })
  })

  test('a failure: its dependents are skipped with the reason, the rest runs, the report fails the step', async () => {
    const planned = await runPlan()
    ran(1, planned.outputs['matrix'], failing('frontend-components'))
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

    ran(2, first.outputs['matrix'])
    const last = await runSettle(first.outputs['state'] ?? '')
    expect(last.outputs).toMatchObject(SEED_FAILURE_OUTPUTS)
    expect(last.failed).toEqual([
      'Phases did not all succeed: 1 failed, 2 skipped, 2 succeeded. See the phase report in the job summary.'
    ])
    expect(last.summary.join('')).toContain(
      'dependency frontend-components failed'
    )
  })

  test('the report repeated on a finished state: the same verdict without reading a round; allow-failure turns it into a warning', async () => {
    const planned = await runPlan()
    ran(1, planned.outputs['matrix'], failing('frontend-components'))
    const first = await runSettle(planned.outputs['state'] ?? '')
    ran(2, first.outputs['matrix'])
    const last = await runSettle(first.outputs['state'] ?? '')
    const finished = last.outputs['state'] ?? ''

    // No wave job given: a finished state reads none.
    waves.clear()
    const red = await runSettle(finished)
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
    ran(1, planned.outputs['matrix'])
    const a = await runSettle(planned.outputs['state'] ?? '')
    ran(2, a.outputs['matrix'])
    const b = await runSettle(a.outputs['state'] ?? '')
    ran(3, b.outputs['matrix'])
    const c = await runSettle(b.outputs['state'] ?? '')
    expect(c.failed).toEqual([])
    expect(c.outputs['has-work']).toBe('false')
    expect(c.log).toContain('All 5 phase(s) succeeded.')
    expect(c.summary.join('')).toContain('✅ All 5 phase(s) succeeded')
    // Where the time went, from the records' times (no runner waits).
    const summary = c.summary.join('')
    expect(summary).toContain('### Where the time went')
    expect(summary).toMatch(/gantt/)
    expect(summary).not.toMatch(/ waits :active/)
    // Without the wave jobs (no records given) the report goes without it.
    waves.clear()
    const bare = await runSettle(c.outputs['state'] ?? '')
    expect(bare.summary.join('')).toContain('✅ All 5 phase(s) succeeded')
    expect(bare.summary.join('')).not.toContain('Where the time went')
  })

  test('the fast path: the plan hands out every round; one settle step catches up from a failure in round 2', async () => {
    const planned = await runPlan()
    expect(planned.outputs['fast-rounds']).toBe('3')
    const matrices = JSON.parse(planned.outputs['matrices'] ?? '') as unknown[]
    ran(1, JSON.stringify(matrices[0]))
    ran(2, JSON.stringify(matrices[1]), failing('frontend-state'))
    const step = await runSettle(planned.outputs['state'] ?? '', {
      roundsRun: 2
    })
    const log = step.log.join('\n')
    expect(log).toContain('Round 1: 2 leg(s)')
    expect(log).toContain('Round 2: 2 leg(s)')
    expect(log).toContain('Phase frontend-state completed: failed')
    expect(step.outputs).toMatchObject({
      'has-work': 'false',
      succeeded: '["database-schema","frontend-components","api-endpoints"]',
      failed: '["frontend-state"]',
      skipped: '["integration"]'
    })
    expect(step.failed).toHaveLength(1)
  })

  test('a re-run: records of attempt 1 of legs not re-run still count; the re-run leg counts by its attempt-2 record', async () => {
    const planned = await runPlan()
    const planState = planned.outputs['state'] ?? ''
    ran(1, planned.outputs['matrix'], failing('frontend-components'))
    const a1 = await runSettle(planState)
    ran(2, a1.outputs['matrix'])
    const a1end = await runSettle(a1.outputs['state'] ?? '')
    expect(a1end.failed).toHaveLength(1)

    // Attempt 2 re-runs the failed leg of wave 1: the other leg keeps its
    // attempt-1 output, as GitHub keeps the outputs of what it does not re-run.
    const round1 = legsOf(planned.outputs['matrix'])
    waves = new Map([
      [
        1,
        {
          result: 'success',
          outputs: {
            ...waveJob(1, 1, round1.slice(0, 1)).outputs,
            ...waveJob(1, 2, round1.slice(1)).outputs
          }
        }
      ]
    ])
    const a2 = await runSettle(planState, { attempt: 2 })
    expect(a2.failed).toEqual([])
    expect(a2.outputs['succeeded']).toBe(
      '["database-schema","frontend-components"]'
    )
    expect(ids(a2.outputs['matrix'])).toEqual([
      'api-endpoints',
      'frontend-state'
    ])
  })

  test('a record that cannot be believed counts for nothing: its phases fail with the reason, the others go on', async () => {
    const cases: [string, LegOutcome, string, RegExp][] = [
      [
        'no record at all (cancelled, crashed, output dropped)',
        { output: '' },
        'missing',
        /no record \(its wave job ended as failure: the leg was cancelled, crashed or never started, or the runner dropped its output because a phase masked a word in it\)/
      ],
      [
        'a job that ended before exec wrote a record',
        { output: 'failure ' },
        'missing',
        /no record \(its job ended as failure before exec wrote one\)/
      ],
      [
        'a record of another round',
        { record: { round: 2 } },
        'missing',
        /holds the record of round 2 leg 2, which counts for nothing/
      ],
      [
        'a record of another leg',
        { record: { leg: 1 } },
        'missing',
        /holds the record of round 1 leg 1, which counts for nothing/
      ],
      [
        'a record of the same leg number with other phases',
        { output: legOutput(1, 1, { id: 'database-schema', leg: 2 }) },
        'missing',
        /holds the record of round 1 leg 2 with other phases, which counts for nothing/
      ],
      [
        'a record of a later attempt',
        { record: { attempt: 3 } },
        'missing',
        /is of run attempt 3, not of attempts 1–1/
      ],
      [
        '"all succeeded" from a leg whose job failed',
        { jobStatus: 'failure' },
        'unknown',
        /says every phase succeeded, but its job ended as failure/
      ],
      [
        'not a record',
        { output: 'success phase-matrix-leg: look-alike' },
        'unknown',
        /its record is not JSON/
      ]
    ]
    for (const [label, outcome, status, warning] of cases) {
      core.reset()
      waves = new Map()
      const planned = await runPlan()
      ran(1, planned.outputs['matrix'], leg =>
        leg.id === 'frontend-components' ? outcome : {}
      )
      const step = await runSettle(planned.outputs['state'] ?? '')
      expect([label, step.outputs['failed']]).toEqual([
        label,
        '["frontend-components"]'
      ])
      expect([label, step.outputs['succeeded']]).toEqual([
        label,
        '["database-schema"]'
      ])
      const warnings = step.annotations
        .filter(a => a.kind === 'warning')
        .map(a => a.message)
      expect([label, warnings.join('\n')]).toEqual([
        label,
        expect.stringMatching(warning)
      ])
      expect([label, ids(step.outputs['matrix'])]).toEqual([
        label,
        ['api-endpoints']
      ])
      expect([label, step.log.join('\n')]).toEqual([
        label,
        expect.stringContaining(
          `Phase frontend-components completed: failed (${status === 'missing' ? 'its leg left no record' : 'the record of its leg was not believed'}`
        )
      ])
    }
  })

  test('continue-on-error: a record that says a phase failed is believed though its job succeeded', async () => {
    const planned = await runPlan()
    ran(1, planned.outputs['matrix'], leg =>
      leg.id === 'frontend-components'
        ? {
            statuses: { 'frontend-components': 'failed' },
            jobStatus: 'success'
          }
        : {}
    )
    const step = await runSettle(planned.outputs['state'] ?? '')
    expect(step.outputs['failed']).toBe('["frontend-components"]')
    expect(step.annotations.filter(a => a.kind === 'warning')).toEqual([])
  })

  test("a round without its wave job's needs, a changed plan: clear step failures", async () => {
    const planned = await runPlan()
    const state = planned.outputs['state'] ?? ''
    const missing = await runSettle(state)
    expect(missing.failed[0]).toMatch(
      /^Settle reads round 1 from its wave job's outputs: give the settle step env PHASE_MATRIX_ROUND_1: \$\{\{ toJSON\(needs\.<wave job of round 1>\) \}\}/
    )
    ran(1, planned.outputs['matrix'])
    await settle.run(
      {
        state,
        allowFailure: false,
        waveJobs: waves,
        durationsFile: '',
        roundsRun: 0,
        run: testRunContext(dir)
      },
      { files: { ...realPlanFiles, digest: () => 'feedfacefeedface' } }
    )
    expect(core.captured.failed[0]).toMatch(
      /^The plan changed since the plan step: .* now has digest feedfacefeedface/
    )
  })

  test("a packed round: each phase read from its leg's record; a leg with no record fails its phases only", async () => {
    // Four 10-minute phases fill the two legs of round 1; after (1 minute)
    // would join a leg only by doubling it, so it waits for round 2.
    const wide = `phases:
  - {id: p1, estimate_minutes: 10}
  - {id: p2, estimate_minutes: 10}
  - {id: p3, estimate_minutes: 10}
  - {id: p4, estimate_minutes: 10}
  - id: after
    deps: [p1, p2]
    estimate_minutes: 1
`
    dir = workspaceWith({ 'plan.yaml': wide })
    planPath = path.join(dir, 'plan.yaml')
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
    const planned = copy()
    const legs = legsOf(planned.outputs['matrix'])
    expect(legs).toHaveLength(2)
    expect(legs.flatMap(phasesOfLeg).sort()).toEqual(['p1', 'p2', 'p3', 'p4'])
    const [withRecord, withoutRecord] = legs as [HandedOutLeg, HandedOutLeg]
    const failedId = phasesOfLeg(withRecord)[0]!
    ran(1, planned.outputs['matrix'], leg =>
      leg.leg === withRecord.leg
        ? { statuses: { [failedId]: 'failed' } }
        : { output: '' }
    )
    const step = await runSettle(planned.outputs['state'] ?? '')
    expect(
      (JSON.parse(step.outputs['failed'] ?? '') as string[]).sort()
    ).toEqual([failedId, ...phasesOfLeg(withoutRecord)].sort())
    expect(
      (JSON.parse(step.outputs['succeeded'] ?? '') as string[]).sort()
    ).toEqual(
      phasesOfLeg(withRecord)
        .filter(id => id !== failedId)
        .sort()
    )
    expect(step.log.join('\n')).toContain(
      `Phase after skipped: dependency ${failedId} failed`
    )
  })
})
