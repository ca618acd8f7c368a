// One plan, one command, one verdict in every mode: a phase's command ends
// the same in the generated needs graph (its step, run as GitHub runs
// `shell: bash`) and in exec (every leg of the waves workflow and of your
// own jobs), for scripts made of pipes, `set -e`/`set +e` mid-script and
// exit codes. The oracle is GitHub's documented template for `shell: bash`:
// `bash --noprofile --norc -eo pipefail {0}`, the script in a file.
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { readFileSync, writeFileSync } from 'node:fs'
import path from 'node:path'
import fc from 'fast-check'
import { parse } from 'yaml'
import { main } from '../../src/cli/main.js'
import { decodeLegRecord } from '../../src/plan/leg-record.js'
import { recordingIo } from '../cli-helpers.js'
import { workspaceWith } from '../support/run-action.js'

/** GitHub's template for `shell: bash` (docs: workflow syntax, jobs.<id>.steps[*].shell). */
const GITHUB_BASH = ['--noprofile', '--norc', '-eo', 'pipefail']

const FRAGMENTS = [
  'true',
  'false',
  'false | cat',
  'true | false',
  'false | tee /dev/null',
  'echo hi | tee -a out.log',
  'cat no-such-file | wc -l',
  'exit 0',
  'exit 3',
  'set +e',
  'set -e',
  'set +o pipefail',
  'false || true',
  '(exit 4)',
  'if false; then true; fi'
] as const

const script = fc
  .array(fc.constantFrom(...FRAGMENTS), { minLength: 1, maxLength: 5 })
  .map(lines => `${lines.join('\n')}\n`)

function planWith(run: string): string {
  return `phases:\n  - id: only\n    run: ${JSON.stringify(run)}\n`
}

/** The exit status of `run` as GitHub runs a `shell: bash` step. */
function githubBash(cwd: string, run: string): number | null {
  const file = path.join(cwd, 'step.sh')
  writeFileSync(file, run)
  return spawnSync('bash', [...GITHUB_BASH, file], { cwd, stdio: 'ignore' })
    .status
}

interface Step {
  name?: string
  shell?: string
  run?: string
}

/** The needs graph's step for the phase, as generate writes it. */
async function needsStep(cwd: string): Promise<Step> {
  const io = recordingIo({ cwd })
  expect(await main(['generate', '--plan', 'plan.yaml'], io)).toBe(0)
  const workflow = parse(io.out) as {
    jobs: Record<string, { name?: string; steps?: Step[] }>
  }
  const job = Object.values(workflow.jobs).find(j => j.name === 'only')
  const step = job?.steps?.find(s => s.name === 'Run phase')
  if (step === undefined) throw new Error('no Run phase step')
  return step
}

/** exec's verdict on the phase: its exit code and the status it recorded. */
async function execVerdict(
  cwd: string
): Promise<{ code: number; status: string }> {
  const io = recordingIo({ cwd, env: { PATH: process.env['PATH'] ?? '' } })
  const code = await main(
    ['exec', '--plan', 'plan.yaml', '--phases', 'only', '--record', 'r.json'],
    io
  )
  const decoded = decodeLegRecord(
    readFileSync(path.join(cwd, 'r.json'), 'utf8').trim()
  )
  if ('problem' in decoded) throw new Error(decoded.problem)
  return { code, status: decoded.record.phases[0]?.status ?? 'none' }
}

describe('one verdict in every mode', () => {
  test('needs graph step and exec agree with GitHub’s shell: bash on every script', async () => {
    let failures = 0
    await fc.assert(
      fc.asyncProperty(script, async run => {
        const cwd = workspaceWith({ 'plan.yaml': planWith(run) })
        const expected = githubBash(cwd, run) === 0
        if (!expected) failures++

        const step = await needsStep(cwd)
        expect(step.shell).toBe('bash')
        expect(step.run).toBe(run)
        expect(githubBash(cwd, step.run ?? '') === 0).toBe(expected)

        const exec = await execVerdict(cwd)
        expect(exec.status).toBe(expected ? 'succeeded' : 'failed')
        expect(exec.code).toBe(expected ? 0 : 1)
      }),
      { numRuns: 40 }
    )
    // The scripts really exercise both verdicts.
    expect(failures).toBeGreaterThan(0)
  }, 300_000)

  test('the cases that split the modes before: a pipe into tee, set -e in the middle', async () => {
    for (const [run, green] of [
      ['false | tee /dev/null\n', false],
      ['set +e\nfalse\ntrue\n', true],
      ['set +o pipefail\nfalse | cat\n', true],
      ['true | false | cat\necho after\n', false]
    ] as const) {
      const cwd = workspaceWith({ 'plan.yaml': planWith(run) })
      expect(githubBash(cwd, run) === 0).toBe(green)
      expect((await execVerdict(cwd)).status).toBe(
        green ? 'succeeded' : 'failed'
      )
      const step = await needsStep(cwd)
      expect(step.shell).toBe('bash')
    }
  }, 120_000)
})
