// 5,000 phases within GitHub's limits: the plan bundle on a monorepo plan of
// 5,000 phases with typical ids (24 characters) and commands; every output
// measured as GitHub counts it (UTF-16) and the state as the one environment
// string it becomes; the informational outputs (not forwarded by the
// reusable workflow) only warn. A plan whose matrix cannot fit fails with the size
// error before any leg starts. Needs `npm run build` first.
import { describe, expect, test } from '@jest/globals'
import {
  OUTPUT_BUDGET_BYTES,
  jobOutputSize,
  outputSize
} from '../../src/actions/output-budget.js'
import { MAX_ENV_STRING_BYTES } from '../../src/plan/env-limits.js'
import { PLAN_BUNDLE, runAction, workspaceWith } from '../support/run-action.js'
import { bigPlanYaml } from '../support/big-plan.js'

describe('5,000 phases', () => {
  test('state and every matrix fit; sizes measured', async () => {
    const cwd = workspaceWith({
      'plan.yaml': bigPlanYaml({
        libs: 1000,
        packages: 3000,
        apps: 1000,
        idLength: 24
      })
    })
    const run = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: 'plan.yaml', 'max-workers': '100' }
    })
    expect(run.status).toBe(0)
    const { outputs } = run
    const sizes = Object.fromEntries(
      Object.entries(outputs).map(([name, value]) => [
        name,
        outputSize(name, value)
      ])
    )
    // Measured (UTF-16 bytes): the state holds one status per phase, and
    // the round of each phase handed out (here round 1's).
    expect(sizes['state']).toBeLessThan(16_000)
    expect(Buffer.byteLength(outputs['state'] ?? '')).toBeLessThan(
      MAX_ENV_STRING_BYTES / 16
    )
    // Round 1: 1,000 libraries packed into 64 legs (the most a round has,
    // whatever max-workers), ids only.
    const legs = (
      JSON.parse(outputs['matrix'] ?? '') as { include: { phases: string[] }[] }
    ).include
    expect(legs).toHaveLength(64)
    expect(legs.flatMap(leg => leg.phases)).toHaveLength(1000)
    expect(sizes['matrix']).toBeLessThan(120_000)
    // The graph outputs (for reading; phases.yml does not forward them)
    // would not fit as job outputs next to the rest: a warning says so.
    expect(run.stdout).toMatch(
      /^::warning title=phase-matrix%3A too-large,.*with waves, needs, mermaid \(\d+ KiB\): do not forward those as job outputs/m
    )
    expect(outputs['phase-count']).toBe('5000')
    const forwarded = Object.fromEntries(
      Object.entries(outputs).filter(
        ([name]) => !['waves', 'needs', 'mermaid'].includes(name)
      )
    )
    expect(jobOutputSize(forwarded)).toBeLessThanOrEqual(OUTPUT_BUDGET_BYTES)
  }, 120_000)

  test('a wave whose packed matrix cannot fit: the size error, naming the limit and the size, before any leg', async () => {
    // 5,000 ids of 130 characters in one wave: 650 K characters of ids.
    const phases = Array.from(
      { length: 5000 },
      (_, i) => `  - id: p${String(i).padStart(4, '0')}-${'x'.repeat(124)}\n`
    ).join('')
    const cwd = workspaceWith({ 'plan.yaml': `phases:\n${phases}` })
    const run = await runAction(PLAN_BUNDLE, {
      cwd,
      inputs: { plan: 'plan.yaml' }
    })
    expect(run.status).toBe(1)
    expect(run.stdout).toMatch(
      /^::error title=phase-matrix%3A too-large,file=plan\.yaml,line=1,col=1::The plan step's outputs take [\d,]+ bytes as GitHub counts them \(UTF-16, 2 bytes per character; matrix \d+ KiB/m
    )
    expect(run.stdout).toContain('1,048,576 bytes')
    expect(run.outputs['matrix']).toBeUndefined()
  }, 120_000)
})
