// `phase-matrix generate` and `phase-matrix check`, in process through the
// CLI's own dispatcher (exit codes and messages as a user sees them), in a
// temporary folder with real files.
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { execFileSync } from 'node:child_process'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { main } from '../../src/cli/main.js'
import { recordingIo, type RecordingIo } from '../cli-helpers.js'
import { FOUR_PHASE_PLAN } from '../support/plans.js'

const PLAN = FOUR_PHASE_PLAN

const TEMPLATE = `on:
  pull_request:
jobs:
  phase:
    runs-on: ubuntu-24.04
    steps:
      - run: npm ci
`

let dir: string

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-needs-'))
  writeFileSync(path.join(dir, 'plan.yaml'), PLAN)
})
afterEach(() => {
  rmSync(dir, { recursive: true, force: true })
})

async function run(...argv: string[]): Promise<RecordingIo & { code: number }> {
  const io = recordingIo({ cwd: dir })
  const code = await main(argv, io)
  return Object.assign(io, { code })
}

/** `generate --template t.yml` with `template` as t.yml. */
async function generateWithTemplate(
  template: string
): Promise<RecordingIo & { code: number }> {
  writeFileSync(path.join(dir, 't.yml'), template)
  return run('generate', '--plan', 'plan.yaml', '--template', 't.yml')
}

function read(file: string): string {
  return readFileSync(path.join(dir, file), 'utf8')
}

/** The command check prints as the fix, run as the user would. */
async function runFix(stderr: string): Promise<number> {
  const line = /\n {2}(phase-matrix generate .*)\n/.exec(stderr)?.[1]
  expect(line).toBeDefined()
  // Its words as bash reads them, pasted.
  const words = execFileSync(
    'bash',
    [
      '--noprofile',
      '--norc',
      '-c',
      `printf '%s\\0' ${line!.slice('phase-matrix '.length)}`
    ],
    { encoding: 'utf8' }
  )
    .split('\0')
    .slice(0, -1)
  return (await run(...words)).code
}

describe('phase-matrix generate', () => {
  test('writes the workflow to stdout', async () => {
    const result = await run('generate', '--plan', 'plan.yaml')
    expect(result.code).toBe(0)
    expect(result.err).toBe('')
    const workflow = parse(result.out) as {
      jobs: Record<string, { needs?: string[] }>
    }
    expect(Object.keys(workflow.jobs)).toEqual([
      'database-schema',
      'frontend-components',
      'api-endpoints',
      'integration',
      'phase-matrix-gate'
    ])
    expect(workflow.jobs['integration']!.needs).toEqual([
      'api-endpoints',
      'frontend-components'
    ])
    expect(result.out).toContain('#   phase-matrix generate --plan plan.yaml\n')
  })

  test('--out creates the folders and writes the file', async () => {
    const result = await run(
      'generate',
      '--plan',
      './plan.yaml',
      '--out',
      '.github/workflows/phases.yml'
    )
    expect(result.code).toBe(0)
    expect(result.out).toMatch(
      /^Wrote \.github\/workflows\/phases\.yml: 4 phase job\(s\) and the gate, \d+ bytes\.\n$/
    )
    const text = read('.github/workflows/phases.yml')
    expect(text).toContain(
      '#   phase-matrix generate --plan plan.yaml --out .github/workflows/phases.yml\n'
    )
    expect(readdirSync(path.join(dir, '.github/workflows'))).toEqual([
      'phases.yml'
    ])
  })

  test('an invalid plan: every problem, exit 1, nothing written', async () => {
    writeFileSync(
      path.join(dir, 'plan.yaml'),
      'phases:\n  - id: a\n    deps: [b]\n  - id: b\n    deps: [a]\n  - id: c\n    deps: [nope]\n'
    )
    const result = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--out',
      'out.yml'
    )
    expect(result.code).toBe(1)
    expect(result.err).toContain(
      'ERROR: Circular dependency detected: a -> b -> a'
    )
    expect(result.err).toContain('nope')
    expect(existsSync(path.join(dir, 'out.yml'))).toBe(false)
  })

  test('a missing plan or template is exit 2', async () => {
    expect((await run('generate', '--plan', 'missing.yaml')).code).toBe(2)
    const template = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--template',
      'nope.yml'
    )
    expect(template.code).toBe(2)
    expect(template.err).toContain('Template not found: ')
  })

  test('a template with an unknown key is a usage error naming it', async () => {
    const result = await generateWithTemplate('on: push\njobz: {}\n')
    expect(result.code).toBe(2)
    expect(result.err).toContain(
      "template t.yml has 1 problem:\n  t.yml:2:1: unknown key 'jobz' at the top level"
    )
  })

  test('a template: every problem with its line and column', async () => {
    const result = await generateWithTemplate(
      'on: push\njobz: {}\njobs:\n  phase:\n    runs-on: x\n    stepz: []\n  other: {}\n'
    )
    expect(result.code).toBe(2)
    expect(result.err).toContain('template t.yml has 3 problems:')
    expect(result.err).toContain(
      "  t.yml:2:1: unknown key 'jobz' at the top level"
    )
    expect(result.err).toContain(
      "  t.yml:6:5: unknown key 'stepz' under jobs.phase"
    )
    expect(result.err).toContain("  t.yml:7:3: unknown key 'other' under jobs")
  })

  test('a template that is not YAML: each error at its line and column, nothing dangling', async () => {
    const result = await generateWithTemplate(
      'on: push\njobs:\n  phase:\n    steps:\n      - run: a\nbad line: [\n'
    )
    expect(result.code).toBe(2)
    expect(result.err).toMatch(/\n {2}t\.yml:\d+:\d+: not valid YAML: /)
    expect(result.err).not.toMatch(/at line \d+, column \d+:?\n/)
  })

  test('max_workers from the config is reported as not applied', async () => {
    mkdirSync(path.join(dir, '.prd_runner'))
    writeFileSync(
      path.join(dir, '.prd_runner/config.yaml'),
      'parallel:\n  max_workers: 2\n'
    )
    const result = await run('generate', '--plan', 'plan.yaml')
    expect(result.code).toBe(0)
    expect(result.err).toContain('note: max_workers: 2 is not applied')
    expect(result.out).toContain('# max_workers: 2 is not applied')
  })

  test('a plan too big for one job per phase is packed into jobs run by exec, with a note; with lanes it is refused', async () => {
    const phases = Array.from(
      { length: 300 },
      (_, i) =>
        `  - id: p${i}\n    run: echo ${'x'.repeat(2000)}\n${i % 3 === 0 ? '' : `    deps: [p${i - 1}]\n`}`
    ).join('')
    writeFileSync(path.join(dir, 'plan.yaml'), `phases:\n${phases}`)
    const result = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--out',
      'big.yml'
    )
    expect(result.code).toBe(0)
    expect(result.err).toMatch(
      /^phase-matrix generate: note: One job per phase would be at least \d+ bytes, over GitHub's 500000 \(500 KB\): the 300 phases are packed into 100 jobs run by exec/
    )
    expect(result.out).toMatch(
      /^Wrote big\.yml: 300 phase\(s\) in 100 packed job\(s\) and the gate, \d+ bytes\.\n$/
    )
    const written = readFileSync(path.join(dir, 'big.yml'), 'utf8')
    // Commands stay in the plan: exec reads them there.
    expect(written).not.toContain('xxxxxxxx')
    expect(written).toContain('phases: \'["p0","p1","p2"]\'')
    const checked = await run('check', '--workflow', 'big.yml')
    expect(checked.code).toBe(0)

    const lanes = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--max-workers',
      '2',
      '--out',
      'lanes.yml'
    )
    expect(lanes.code).toBe(1)
    expect(lanes.err).toContain('[too-large]')
    expect(lanes.err).toContain('without --max-workers')
    expect(existsSync(path.join(dir, 'lanes.yml'))).toBe(false)
  })

  test('--max-jobs N: recorded in the header, checked, and refused with lanes or an absolute plan path', async () => {
    const result = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--max-jobs',
      '2',
      '--out',
      'packed.yml'
    )
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
    const text = readFileSync(path.join(dir, 'packed.yml'), 'utf8')
    expect(text).toContain(
      '#   phase-matrix generate --plan plan.yaml --max-jobs 2 --out packed.yml'
    )
    const workflow = parse(text) as {
      jobs: Record<string, { needs?: string[] }>
    }
    expect(Object.keys(workflow.jobs)).toHaveLength(3)
    const checked = await run('check', '--workflow', 'packed.yml')
    expect(checked.err).toBe('')
    expect(checked.code).toBe(0)
    // Regenerated with the recorded --max-jobs: one more job is drift.
    writeFileSync(
      path.join(dir, 'packed.yml'),
      text.replace('--max-jobs 2', '--max-jobs 3')
    )
    const stale = await run('check', '--workflow', 'packed.yml')
    expect(stale.code).toBe(1)

    const both = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--max-jobs',
      '2',
      '--max-workers',
      '2'
    )
    expect(both.code).toBe(2)
    expect(both.err).toContain('cannot be combined with --max-workers')
    const zero = await run('generate', '--plan', 'plan.yaml', '--max-jobs', '0')
    expect(zero.code).toBe(2)
    const absolute = path.join(dir, 'plan.yaml')
    const outside = await run('generate', '--plan', absolute, '--max-jobs', '2')
    expect(outside.code).toBe(1)
    expect(outside.err).toContain(
      `reads the plan from the repository: give the plan as a path inside it (--plan .prd_runner/phase_plan.yaml), not the absolute path ${absolute}`
    )
  })

  test('--cache-passed: recorded in the header, checked, and refused for a plan not in the repository', async () => {
    writeFileSync(
      path.join(dir, 'plan.yaml'),
      `phases:
  - id: a
    inputs: [a/**]
    run: make a
  - id: b
    deps: [a]
    inputs: [b/**]
    run: make b
`
    )
    const result = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--cache-passed',
      '--out',
      'cached.yml'
    )
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
    expect(result.out).toContain(
      'Wrote cached.yml: 2 phase job(s) and the plan job, the gate and the save job'
    )
    const text = read('cached.yml')
    expect(text).toContain(
      '#   phase-matrix generate --plan plan.yaml --cache-passed --out cached.yml'
    )
    const workflow = parse(text) as { jobs: Record<string, unknown> }
    expect(Object.keys(workflow.jobs)).toEqual([
      'phase-matrix-plan',
      'a',
      'b',
      'phase-matrix-gate',
      'phase-matrix-save'
    ])
    const checked = await run('check', '--workflow', 'cached.yml')
    expect(checked.err).toBe('')
    expect(checked.code).toBe(0)
    // Without the flag in the header it regenerates without the cache: drift.
    writeFileSync(
      path.join(dir, 'cached.yml'),
      text.replace(' --cache-passed', '')
    )
    expect((await run('check', '--workflow', 'cached.yml')).code).toBe(1)

    const packed = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--cache-passed',
      '--max-jobs',
      '1'
    )
    expect(packed.code).toBe(0)
    expect(packed.out).toContain(
      "unchanged: '${{ needs.phase-matrix-plan.outputs.unchanged }}'"
    )

    const stdin = await run('generate', '--plan', '-', '--cache-passed')
    expect(stdin.code).toBe(2)
    expect(stdin.err).toContain(
      '--cache-passed: the job phase-matrix-plan runs the plan action, which reads the plan from the repository'
    )
    const absolute = path.join(dir, 'plan.yaml')
    const outside = await run('generate', '--plan', absolute, '--cache-passed')
    expect(outside.code).toBe(2)
    expect(outside.err).toContain(`not the absolute path ${absolute}`)
  })

  test('--cache-passed on a plan without inputs says it skips nothing', async () => {
    const result = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--cache-passed'
    )
    expect(result.code).toBe(0)
    expect(result.err).toContain(
      'phase-matrix generate: note: --cache-passed skips nothing: no phase that runs has a hash'
    )
  })

  test('--help and unknown flags', async () => {
    const help = await run('generate', '--help')
    expect(help.code).toBe(0)
    expect(help.out).toContain('Usage: phase-matrix generate')
    expect(help.out).toContain('--cache-passed')
    expect(help.out).toContain(
      'With --cache-passed, a first job "phase-matrix plan"'
    )
    const bad = await run('generate', '--outt', 'x')
    expect(bad.code).toBe(2)
    expect(bad.err).toContain("unknown flag '--outt'")
  })
})

describe('phase-matrix check', () => {
  test('a valid plan passes; an invalid one lists every problem', async () => {
    const ok = await run('check', '--plan', 'plan.yaml')
    expect(ok.code).toBe(0)
    expect(ok.out).toContain('is valid: 4 phase(s) in 3 wave(s)')
    writeFileSync(
      path.join(dir, 'bad.yaml'),
      'phases:\n  - id: a\n    deps: [a]\n  - id: a\n'
    )
    const bad = await run('check', '--plan', 'bad.yaml')
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('[self-dependency]')
    expect(bad.err).toContain('[duplicate-id]')
  })

  test('a current workflow passes; an edited plan makes it stale with a diff and the fix', async () => {
    const out = '.github/workflows/phases.yml'
    expect(
      (await run('generate', '--plan', 'plan.yaml', '--out', out)).code
    ).toBe(0)
    const current = await run('check', '--workflow', out)
    expect(current.code).toBe(0)
    expect(current.out).toContain(`${out} is up to date.`)

    writeFileSync(
      path.join(dir, 'plan.yaml'),
      PLAN.replace('deps: [database-schema]', 'deps: []')
    )
    const stale = await run('check', '--workflow', out)
    expect(stale.code).toBe(1)
    expect(stale.out).toContain(`--- ${out}\n+++ ${out}\n@@ `)
    expect(stale.out).toContain('-    needs:\n-      - database-schema\n')
    expect(stale.err).toContain(`${out} is out of date`)
    expect(stale.err).toContain(
      `  phase-matrix generate --plan plan.yaml --out ${out}\n`
    )

    expect(await runFix(stale.err)).toBe(0)
    expect((await run('check', '--workflow', out)).code).toBe(0)
  })

  test('a hand edit, even a lost final newline, is stale', async () => {
    await run('generate', '--plan', 'plan.yaml', '--out', 'w.yml')
    writeFileSync(path.join(dir, 'w.yml'), read('w.yml').replace(/\n$/, ''))
    const stale = await run('check', '--workflow', 'w.yml')
    expect(stale.code).toBe(1)
    expect(stale.out).toContain('\\ No newline at end of file')
  })

  test('the template and flags recorded in the header are used again', async () => {
    writeFileSync(path.join(dir, 'template.yml'), TEMPLATE)
    await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--template',
      'template.yml',
      '--fail-fast',
      '--max-workers',
      '3',
      '--out',
      'w.yml'
    )
    expect(read('w.yml')).toContain('actions: write')
    const current = await run('check', '--workflow', 'w.yml')
    expect(current.code).toBe(0)

    writeFileSync(
      path.join(dir, 'template.yml'),
      TEMPLATE.replace('npm ci', 'npm install')
    )
    const stale = await run('check', '--workflow', 'w.yml')
    expect(stale.code).toBe(1)
    expect(stale.out).toContain('+      - run: npm install')
    expect(stale.err).toContain(
      'phase-matrix generate --plan plan.yaml --template template.yml --max-workers 3 --fail-fast --out w.yml'
    )
    expect(await runFix(stale.err)).toBe(0)
    expect((await run('check', '--workflow', 'w.yml')).code).toBe(0)
  })

  test('generate --max-workers 1 chains every job on one lane; check reproduces it and sees a changed estimate', async () => {
    const generated = await run(
      'generate',
      '--plan',
      'plan.yaml',
      '--max-workers',
      '1',
      '--out',
      'w.yml'
    )
    expect(generated.code).toBe(0)
    expect(generated.err).toBe('')
    const jobs = (
      parse(read('w.yml')) as {
        jobs: Record<string, { needs?: string[]; if?: string }>
      }
    ).jobs
    // frontend-components, independent of database-schema, waits for it on the lane.
    expect(jobs['frontend-components']).toMatchObject({
      if: '!cancelled()'
    })
    expect((await run('check', '--workflow', 'w.yml')).code).toBe(0)
    // Lanes follow the estimates: a new estimate reorders them.
    writeFileSync(
      path.join(dir, 'plan.yaml'),
      PLAN.replace(
        'run: echo ui',
        'run: echo ui\n    estimate_minutes: 90'
      ).replace('run: echo schema', 'run: echo schema\n    estimate_minutes: 1')
    )
    expect((await run('check', '--workflow', 'w.yml')).code).toBe(1)
  })

  test('a header without the flags line (an earlier phase-matrix) is refused, with the command to regenerate it', async () => {
    await run('generate', '--plan', 'plan.yaml', '--out', 'w.yml')
    const text = read('w.yml').replace(/^# phase-matrix flags: .*\n/m, '')
    expect(text).not.toContain('phase-matrix flags:')
    writeFileSync(path.join(dir, 'w.yml'), text)
    const result = await run('check', '--workflow', 'w.yml')
    expect(result.code).toBe(2)
    expect(result.err).toContain(
      "w.yml has a phase-matrix header without a readable '# phase-matrix flags: {…}' line"
    )
    expect(result.err).toContain(
      'Regenerate it with the command its header shows: phase-matrix generate --plan plan.yaml --out w.yml'
    )
  })

  test('a header naming a template outside the folder is refused', async () => {
    await run('generate', '--plan', 'plan.yaml', '--out', 'w.yml')
    const text = read('w.yml').replace(
      '{"plan":"plan.yaml"',
      '{"plan":"plan.yaml","template":"/etc/passwd"'
    )
    writeFileSync(path.join(dir, 'w.yml'), text)
    const result = await run('check', '--workflow', 'w.yml')
    expect(result.code).toBe(2)
    expect(result.err).toContain(
      "names the template '/etc/passwd', outside the repository"
    )
  })

  test('an unreadable workflow is exit 2', async () => {
    const result = await run('check', '--workflow', 'nope.yml')
    expect(result.code).toBe(2)
    expect(result.err).toContain('Workflow not found: ')
  })
})
