// Phase outputs in the needs graph, every kind of job: where the steps of
// $PHASE_INPUTS and $PHASE_OUTPUT go (only where a dependency or dependent
// needs them), and what their fixed scripts do, run in bash as the runner
// runs a `shell: bash` step.
import { describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { PHASE_OUTPUTS_LIMIT } from '../../src/plan/leg-record.js'
import {
  HAND_ON_SCRIPT,
  IO_SETUP_SCRIPT,
  READ_OUTPUTS_SCRIPT
} from '../../src/render/needs-jobs.js'
import { DEFAULT_PARALLEL_SETTINGS } from '../../src/plan/types.js'
import { renderNeedsWorkflow } from '../../src/render/needs-workflow.js'
import { analysed } from './build-plan.js'
import {
  expectGitHubAccepts,
  jobsByPhase,
  render,
  workflowOf,
  type Job
} from './needs-render.js'

const NEEDS_1 = '${{ needs.build.outputs.phase-outputs }}'

function stepNames(job: Job | undefined): unknown[] {
  return (job?.steps ?? []).map(step => step['name'])
}

describe('which jobs read and hand on outputs', () => {
  const analysis = analysed([
    ['build', [], { run: 'echo "version=1" >> "$PHASE_OUTPUT"' }],
    ['flaky', [], { run: 'echo "image=x" >> "$PHASE_OUTPUT"', retries: 2 }],
    ['deploy', ['build', 'flaky'], { run: 'cat "$PHASE_INPUTS"' }],
    ['verify', ['deploy'], { run: 'cat "$PHASE_INPUTS"', retries: 1 }],
    ['alone', [], { run: 'echo "x=1" >> "$PHASE_OUTPUT"' }],
    ['docs', ['build'], {}],
    ['marked', ['build'], { run: 'echo', status: 'done' }],
    ['after-marked', ['marked'], { run: 'cat "$PHASE_INPUTS"' }]
  ])
  const result = render(analysis)
  const jobs = jobsByPhase(workflowOf(result))
  const job = (id: string): Job | undefined => jobs.get(id)?.[1]

  test('a plain phase with a dependent hands on its outputs, from step x', () => {
    const build = job('build')
    expect(stepNames(build)).toEqual([
      'Check out the repository',
      'Set up $PHASE_INPUTS and $PHASE_OUTPUT',
      'Run phase',
      'Read $PHASE_OUTPUT',
      "Hand on the phase's outputs"
    ])
    // No dependencies: no env for its inputs ($PHASE_INPUTS is {}).
    expect(build?.steps[1]?.['env']).toBeUndefined()
    expect(build?.outputs).toEqual({
      'phase-outputs': '${{ steps.x.outputs.phase-outputs }}'
    })
    expect(build?.steps[4]).toMatchObject({
      id: 'x',
      env: {
        PHASE_MATRIX_ID: '"build"',
        PHASE_MATRIX_OUTPUTS: '${{ toJSON(steps.o.outputs) }}'
      }
    })
    // The command itself stays as the plan wrote it.
    expect(build?.steps[2]).toEqual({
      name: 'Run phase',
      shell: 'bash',
      run: 'echo "version=1" >> "$PHASE_OUTPUT"'
    })
  })

  test('a plain dependent reads each direct dependency’s outputs, whatever runs it', () => {
    const deploy = job('deploy')
    expect(deploy?.steps[1]).toMatchObject({
      name: 'Set up $PHASE_INPUTS and $PHASE_OUTPUT',
      env: {
        PHASE_MATRIX_NEEDS_1: NEEDS_1,
        PHASE_MATRIX_NEEDS_2: '${{ needs.flaky.outputs.phase-outputs }}'
      }
    })
    // Its dependent runs by exec (retries): deploy hands on too.
    expect(stepNames(deploy).at(-1)).toBe("Hand on the phase's outputs")
  })

  test('a dependent run by exec reads a plain job’s outputs; a job run by exec always hands on', () => {
    expect(job('verify')?.steps.at(-1)).toMatchObject({
      id: 'x',
      env: {
        PHASE_MATRIX_NEEDS: '${{ toJSON(needs.*.outputs.phase-outputs) }}'
      }
    })
    expect(job('flaky')?.outputs).toEqual({
      'phase-outputs': '${{ steps.x.outputs.phase-outputs }}'
    })
  })

  test('a phase alone, or without a command, gets no extra steps; its outputs go to /dev/null', () => {
    expect(job('alone')?.steps.at(-1)).toEqual({
      name: 'Run phase',
      shell: 'bash',
      env: { PHASE_OUTPUT: '/dev/null' },
      run: 'echo "x=1" >> "$PHASE_OUTPUT"'
    })
    expect(stepNames(job('alone'))).toHaveLength(2)
    expect(job('alone')?.outputs).toBeUndefined()
    expect(stepNames(job('docs'))).toEqual([
      'Check out the repository',
      'Run phase'
    ])
  })

  test('a dependency done in the plan hands on nothing: no inputs through it', () => {
    // after-marked waits for build through `marked`, but reads only its
    // direct dependencies, as exec does.
    const after = job('after-marked')
    expect(after?.needs).toEqual(['build'])
    expect(after?.steps[1]?.['env']).toBeUndefined()
    expect(after?.steps[1]?.['name']).toBe(
      'Set up $PHASE_INPUTS and $PHASE_OUTPUT'
    )
  })

  test('GitHub accepts it, with fail_fast and worker lanes too', async () => {
    await expectGitHubAccepts(result.text)
    await expectGitHubAccepts(
      render(analysis, { failFast: true, maxWorkers: 2 }).text
    )
  })
})

describe('packed jobs', () => {
  test('a job needs every job holding a direct dependency, even one the job it needs needs too', async () => {
    // c depends on a and b, b on a: the partition's needs keep c → b only,
    // but c reads a's outputs from a's job.
    const analysis = analysed([
      ['a', [], { run: 'echo "v=a" >> "$PHASE_OUTPUT"' }],
      ['b', ['a'], { run: 'true' }],
      ['c', ['a', 'b'], { run: 'cat "$PHASE_INPUTS"' }]
    ])
    const result = renderNeedsWorkflow(analysis, {
      settings: DEFAULT_PARALLEL_SETTINGS,
      invocation: { plan: 'plan.yaml', maxJobs: 3 }
    })
    const jobs = jobsByPhase(workflowOf(result))
    const [aId, a] = jobs.get('a')!
    const [bId] = jobs.get('b')!
    const [, c] = jobs.get('c')!
    expect([...(c.needs ?? [])].sort()).toEqual([aId, bId].sort())
    expect(a.outputs?.['phase-outputs']).toBe(
      '${{ steps.x.outputs.phase-outputs }}'
    )
    await expectGitHubAccepts(result.text)
  })
})

/** Runs one of our scripts as a `shell: bash` step, with the runner's files. */
function step(
  script: string,
  env: Record<string, string>,
  temp = mkdtempSync(path.join(tmpdir(), 'pm-step-'))
) {
  const files = {
    RUNNER_TEMP: temp,
    GITHUB_ENV: path.join(temp, 'env'),
    GITHUB_OUTPUT: path.join(temp, 'output')
  }
  writeFileSync(files.GITHUB_ENV, '')
  writeFileSync(files.GITHUB_OUTPUT, '')
  const file = path.join(temp, 'step.sh')
  writeFileSync(file, script)
  const run = spawnSync(
    'bash',
    ['--noprofile', '--norc', '-eo', 'pipefail', file],
    {
      env: { PATH: process.env['PATH'] ?? '', ...files, ...env },
      encoding: 'utf8'
    }
  )
  return {
    status: run.status,
    stdout: run.stdout,
    env: readFileSync(files.GITHUB_ENV, 'utf8'),
    output: readFileSync(files.GITHUB_OUTPUT, 'utf8'),
    temp
  }
}

/** `NAME=value` lines of a GITHUB_ENV file. */
function exported(text: string): Record<string, string> {
  return Object.fromEntries(
    text
      .trim()
      .split('\n')
      .map(line => [
        line.slice(0, line.indexOf('=')),
        line.slice(line.indexOf('=') + 1)
      ])
  )
}

describe('the fixed scripts', () => {
  test('setup joins the dependencies’ outputs into $PHASE_INPUTS, skipping those that wrote none', () => {
    const ran = step(IO_SETUP_SCRIPT, {
      // toJSON's pretty text (a plain job), exec's compact text, none.
      PHASE_MATRIX_NEEDS_1: '{"build":{\n  "notes": "a \\"b\\"\\nc}"\n}}',
      PHASE_MATRIX_NEEDS_2: '{"flaky\\"x":{"image":"app:1"}}',
      PHASE_MATRIX_NEEDS_3: '',
      PHASE_MATRIX_NEEDS_4: '{}',
      PHASE_MATRIX_NEEDS_10: '{"pack-a":{"k":"v"},"pack-b":{"k":"w"}}'
    })
    expect(ran.status).toBe(0)
    const { PHASE_INPUTS, PHASE_OUTPUT } = exported(ran.env)
    expect(JSON.parse(readFileSync(PHASE_INPUTS ?? '', 'utf8'))).toEqual({
      build: { notes: 'a "b"\nc}' },
      'flaky"x': { image: 'app:1' },
      'pack-a': { k: 'v' },
      'pack-b': { k: 'w' }
    })
    expect(readFileSync(PHASE_OUTPUT ?? '', 'utf8')).toBe('')
    expect(path.dirname(PHASE_OUTPUT ?? '')).toBe(ran.temp)
  })

  test('setup without dependencies: $PHASE_INPUTS is {}', () => {
    const ran = step(IO_SETUP_SCRIPT, {})
    expect(ran.status).toBe(0)
    expect(readFileSync(exported(ran.env)['PHASE_INPUTS'] ?? '', 'utf8')).toBe(
      '{}'
    )
  })

  test('reading $PHASE_OUTPUT copies it to the step’s outputs', () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'pm-step-'))
    const output = path.join(temp, 'phase-output')
    writeFileSync(output, 'version=1.2.3\nnotes<<END\na\nb\nEND\n')
    const ran = step(READ_OUTPUTS_SCRIPT, { PHASE_OUTPUT: output }, temp)
    expect(ran.status).toBe(0)
    expect(ran.output).toBe('version=1.2.3\nnotes<<END\na\nb\nEND\n')
  })

  test('outputs over the budget fail the step, naming the limit and the size', () => {
    const temp = mkdtempSync(path.join(tmpdir(), 'pm-step-'))
    const output = path.join(temp, 'phase-output')
    writeFileSync(output, `big=${'x'.repeat(PHASE_OUTPUTS_LIMIT)}\n`)
    const ran = step(READ_OUTPUTS_SCRIPT, { PHASE_OUTPUT: output }, temp)
    expect(ran.status).toBe(1)
    expect(ran.stdout).toContain(
      `::error title=phase-matrix::This phase's outputs are over the 16,384 characters (16 KiB) a phase may write: ${PHASE_OUTPUTS_LIMIT + 5} bytes written to $PHASE_OUTPUT.`
    )
    expect(ran.output).toBe('')
    // Exactly at the limit is fine.
    writeFileSync(output, `k=${'x'.repeat(PHASE_OUTPUTS_LIMIT - 3)}\n`)
    expect(
      step(READ_OUTPUTS_SCRIPT, { PHASE_OUTPUT: output }, temp).status
    ).toBe(0)
  })

  test('hand-on keys the outputs by the id, as one heredoc output; nothing when none', () => {
    const ran = step(HAND_ON_SCRIPT, {
      PHASE_MATRIX_ID: '"a\\"b"',
      PHASE_MATRIX_OUTPUTS: '{\n  "version": "1.2.3"\n}'
    })
    expect(ran.status).toBe(0)
    expect(ran.output).toBe(
      'phase-outputs<<PHASE_MATRIX_EOF\n{"a\\"b":{\n  "version": "1.2.3"\n}}\nPHASE_MATRIX_EOF\n'
    )
    const value = ran.output.split('\n').slice(1, -2).join('\n')
    expect(JSON.parse(value)).toEqual({ 'a"b': { version: '1.2.3' } })
    const none = step(HAND_ON_SCRIPT, {
      PHASE_MATRIX_ID: '"a"',
      PHASE_MATRIX_OUTPUTS: '{}'
    })
    expect(none.output).toBe('')
  })
})
