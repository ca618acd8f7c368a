// Outputs and retries through a whole run of the bundles, played as
// phases.yml chains its jobs (test/support/play-run.ts): a phase of round 2
// reads its round-1 dependency's outputs from $PHASE_INPUTS (exec finds
// them in the earlier wave job's records, env PHASE_MATRIX_ROUND_1), a
// flaky phase passes on its retry, and the report hands on `phase-outputs`
// and `flaky`. Needs `npm run build` first.
import { describe, expect, test } from '@jest/globals'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import { playRun } from '../support/play-run.js'
import { workspaceWith } from '../support/run-action.js'

const PLAN = `phases:
  - id: build
    run: |
      echo "version=1.2.3" >> "$PHASE_OUTPUT"
      echo "image<<END" >> "$PHASE_OUTPUT"
      echo "registry/app:1.2.3" >> "$PHASE_OUTPUT"
      echo "END" >> "$PHASE_OUTPUT"
  - id: shaky
    retries: 2
    run: |
      echo try >> shaky.log
      [ "$(wc -l < shaky.log)" -ge 2 ]
  - id: test
    deps: [build, shaky]
    run: cp "$PHASE_INPUTS" test-inputs.json
  - id: deploy
    deps: [test]
    run: |
      cp "$PHASE_INPUTS" deploy-inputs.json
`

describe('a whole run with outputs and retries', () => {
  test('round 2 reads round 1’s outputs; the flaky phase is listed; the report hands on phase-outputs', async () => {
    const cwd = workspaceWith({ '.prd_runner/phase_plan.yaml': PLAN })
    const played = await playRun({ cwd, planInputs: { 'max-workers': '2' } })
    // build and shaky in round 1; test (and deploy) after them.
    expect(played.rounds[0]?.sort()).toEqual(['build', 'shaky'])
    expect(played.rounds.length).toBeGreaterThanOrEqual(2)
    expect(
      JSON.parse(readFileSync(path.join(cwd, 'test-inputs.json'), 'utf8'))
    ).toEqual({ build: { version: '1.2.3', image: 'registry/app:1.2.3' } })
    // Only direct dependencies that wrote outputs.
    expect(
      JSON.parse(readFileSync(path.join(cwd, 'deploy-inputs.json'), 'utf8'))
    ).toEqual({})
    expect(played.report.status).toBe(0)
    expect(played.report.outputs['flaky']).toBe('["shaky"]')
    expect(JSON.parse(played.report.outputs['phase-outputs'] ?? '')).toEqual({
      build: { version: '1.2.3', image: 'registry/app:1.2.3' }
    })
    expect(played.report.summary).toContain(
      '⚠️ 1 flaky phase(s), passed only after a retry: shaky.'
    )
    expect(played.report.stdout).toContain(
      'flaky: failed 1 time(s), passed on attempt 2 (retries)'
    )
  }, 120_000)
})
