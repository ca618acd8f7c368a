// The plan step in this process: run(settings, ports) over a plan in a temp
// workspace, @actions/core replaced by a recorder.
import { beforeEach, describe, expect, jest, test } from '@jest/globals'
import path from 'node:path'
import type { PlanSettings } from '../../src/actions/inputs.js'
import { captureCore, testRunContext } from '../support/action-harness.js'
import { workspaceWith } from '../support/run-action.js'

const core = captureCore()
jest.unstable_mockModule('@actions/core', () => core.module)
const plan = await import('../../src/actions/plan.js')
const { realPlanFiles } = await import('../../src/actions/ports.js')

const PLAN = `phases:
  - id: a
  - id: b
    deps: [a]
`

beforeEach(() => {
  core.reset()
})

function settings(
  files: Record<string, string>,
  overrides: Partial<PlanSettings> = {}
): PlanSettings {
  const dir = workspaceWith(files)
  return {
    planPath: path.join(dir, 'plan.yaml'),
    configPath: path.join(dir, 'config.yaml'),
    configExplicit: false,
    maxWaves: 0,
    pack: true,
    run: testRunContext(dir),
    ...overrides
  }
}

describe('plan in-process', () => {
  test('hands out the first round, every round up front, and the digest the files port gives', async () => {
    await plan.run(settings({ 'plan.yaml': PLAN }), {
      files: { ...realPlanFiles, digest: () => '0123456789abcdef' }
    })
    const { outputs, failed, log, summary } = core.captured
    expect(failed).toEqual([])
    expect(outputs).toMatchObject({
      'has-work': 'true',
      'wave-count': '2',
      'fast-rounds': '2'
    })
    const matrix = JSON.parse(outputs['matrix'] ?? '') as {
      include: { id: string }[]
    }
    expect(matrix.include.map(leg => leg.id)).toEqual(['a'])
    expect(JSON.parse(outputs['state'] ?? '')).toMatchObject({
      d: '0123456789abcdef'
    })
    expect(log).toContain('Executing batch 1/2 with 1 phase(s): a')
    expect(summary).toHaveLength(1)
  })

  test('a re-run (attempt 2): the fast path is off and says why', async () => {
    await plan.run(
      settings(
        { 'plan.yaml': PLAN },
        { run: { ...testRunContext('/'), runAttempt: 2 } }
      ),
      { files: realPlanFiles }
    )
    expect(core.captured.outputs['fast-rounds']).toBe('0')
    expect(core.captured.log.join('\n')).toContain(
      'Fast path off (output fast-rounds: 0): this is run attempt 2'
    )
  })

  test('an invalid plan: an annotation per problem, the problems in the summary, the step fails', async () => {
    const given = settings({
      'plan.yaml': 'phases:\n  - id: a\n    deps: [zz]\n'
    })
    await plan.run(given, { files: realPlanFiles })
    const { annotations, failed, summary, outputs } = core.captured
    expect(outputs).toEqual({})
    expect(annotations.map(a => [a.kind, a.properties['startLine']])).toEqual([
      ['error', 3]
    ])
    expect(failed).toHaveLength(1)
    expect(failed[0]).toMatch(/^Invalid phase plan: 1 error\(s\) in /)
    expect(summary.join('')).toContain('zz')
  })

  test('outside a runner (no job summary file): nothing written there, the step still passes', async () => {
    const given = settings({ 'plan.yaml': PLAN })
    await plan.run(
      { ...given, run: { ...given.run, stepSummary: false } },
      { files: realPlanFiles }
    )
    expect(core.captured.failed).toEqual([])
    expect(core.captured.summary).toEqual([])
  })
})
