// The stumbles of a first hour, as a user meets them: the bundled CLI run as
// a process (`npm run build` first).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

const BUNDLE = path.resolve('dist/cli/index.js')
const PLAN = 'phases:\n  - id: build\n  - id: test\n    deps: [build]\n'
let dir: string

interface Run {
  code: number | null
  out: string
  err: string
}

function cli(
  argv: string[],
  options: { input?: string; env?: Record<string, string> } = {}
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...argv], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? '', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe']
    })
    let out = ''
    let err = ''
    child.stdout?.setEncoding('utf8').on('data', (c: string) => (out += c))
    child.stderr?.setEncoding('utf8').on('data', (c: string) => (err += c))
    // The CLI may stop reading early (over the size limit): no EPIPE here.
    child.stdin?.on('error', () => undefined)
    if (options.input !== undefined) child.stdin?.end(options.input)
    // A guard against a hang, not a time limit: a CLI stuck on a FIFO is
    // killed after a minute and ends with no exit code.
    const timer = setTimeout(() => child.kill(), 60_000)
    child.on('error', reject)
    child.on('close', code => {
      clearTimeout(timer)
      resolve({ code, out, err })
    })
  })
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-first-hour-'))
  writeFileSync(path.join(dir, 'plan.yaml'), PLAN)
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('generate --out', () => {
  it('naming a folder is a clear error and leaves nothing behind', async () => {
    mkdirSync(path.join(dir, 'adir'))
    for (const out of ['adir', 'adir/', 'newdir/']) {
      const run = await cli(['generate', '--plan', 'plan.yaml', '--out', out])
      expect(run.code).toBe(2)
      expect(run.err).toContain(`--out '${out}' is a folder`)
      expect(run.err).not.toContain('EISDIR')
    }
    expect(readdirSync(dir).filter(f => f.endsWith('.tmp'))).toEqual([])
    expect(readdirSync(path.join(dir, 'adir'))).toEqual([])
  })

  it('equal to --plan (also through a link) never overwrites the plan', async () => {
    symlinkSync('plan.yaml', path.join(dir, 'alias.yaml'))
    for (const out of ['plan.yaml', './plan.yaml', 'alias.yaml']) {
      const run = await cli(['generate', '--plan', 'plan.yaml', '--out', out])
      expect(run.code).toBe(2)
      expect(run.err).toContain('is the plan file')
    }
    expect(readFileSync(path.join(dir, 'plan.yaml'), 'utf8')).toBe(PLAN)
  })
})

describe('plans that are not regular files', () => {
  it('a FIFO with no writer is a clear error, without waiting for a writer', async () => {
    execFileSync('mkfifo', [path.join(dir, 'fifo.yaml')])
    const run = await cli(['plan', '--plan', 'fifo.yaml'])
    expect(run.code).toBe(2)
    expect(run.err).toContain(
      'Phase plan is a named pipe (FIFO), not a regular file: fifo.yaml'
    )
    expect(run.err).toContain('--plan -')
  })

  it('a loop of symbolic links is a clear error, not a raw ELOOP', async () => {
    symlinkSync('loop2.yaml', path.join(dir, 'loop1.yaml'))
    symlinkSync('loop1.yaml', path.join(dir, 'loop2.yaml'))
    const run = await cli(['plan', '--plan', 'loop1.yaml'])
    expect(run.code).toBe(2)
    expect(run.err).toContain(
      'Phase plan is a loop of symbolic links, not a file: loop1.yaml'
    )
    expect(run.err).not.toContain('ELOOP')
  })

  it('--plan - reads standard input', async () => {
    const run = await cli(['plan', '--plan', '-', '--format', 'json'], {
      input: PLAN
    })
    expect(run.code).toBe(0)
    expect(JSON.parse(run.out)).toMatchObject({ waves: [['build'], ['test']] })
    const bad = await cli(['plan', '--plan', '-'], {
      input: 'phases:\n  - id: a\n    deps: [b]\n'
    })
    expect(bad.code).toBe(1)
    expect(bad.err).toContain('<stdin>:3:')
  })

  it('--plan - refuses standard input over 8 MiB, reading no further', async () => {
    const run = await cli(['plan', '--plan', '-'], {
      input: `# ${'x'.repeat(9 * 1024 * 1024)}\n`
    })
    expect(run.code).toBe(2)
    expect(run.err).toContain(
      'Phase plan is too large: more than 8.0 MiB, the limit (stopped reading there)'
    )
  })
})

describe('check --workflow', () => {
  it('on a file generate did not write says it has no phase-matrix header', async () => {
    writeFileSync(path.join(dir, 'ci.yml'), 'on: push\njobs: {}\n')
    const run = await cli(['check', '--workflow', 'ci.yml'])
    expect(run.code).toBe(2)
    expect(run.err).toContain('ci.yml has no phase-matrix header')
    expect(run.err).not.toContain('Phase plan not found')
  })
})

describe('colour, decided per stream', () => {
  const BAD = 'phases:\n  - id: a\n    deps: [b]\n'
  it('FORCE_COLOR colours both streams, --no-color neither, NO_COLOR on pipes neither', async () => {
    writeFileSync(path.join(dir, 'bad.yaml'), BAD)
    const forced = await cli(['plan', '--plan', 'plan.yaml'], {
      env: { FORCE_COLOR: '1' }
    })
    expect(forced.out).toContain('\u001b[1mParallel Execution Plan')
    const forcedErr = await cli(['check', '--plan', 'bad.yaml'], {
      env: { FORCE_COLOR: '1' }
    })
    expect(forcedErr.err).toContain('\u001b[31merror')
    for (const run of [
      await cli(['plan', '--no-color', '--plan', 'plan.yaml'], {
        env: { FORCE_COLOR: '1' }
      }),
      await cli(['check', '--plan', 'bad.yaml', '--no-color'], {
        env: { FORCE_COLOR: '1' }
      }),
      await cli(['check', '--plan', 'bad.yaml'], { env: { NO_COLOR: '1' } }),
      await cli(['plan', '--plan', 'plan.yaml'], { env: { FORCE_COLOR: '0' } })
    ]) {
      expect(run.out + run.err).not.toContain('\u001b[')
    }
  })
})

describe('numbers out of range are clear errors with the value and the range', () => {
  it('max-workers: flag and config', async () => {
    for (const value of ['4294967296', '99999999999999999999', '257']) {
      const run = await cli([
        'plan',
        '--plan',
        'plan.yaml',
        '--max-workers',
        value
      ])
      expect(run.code).toBe(2)
      expect(run.err).toContain(
        `--max-workers expects a whole number from 0 to 256, got '${value}'`
      )
    }
    writeFileSync(
      path.join(dir, 'huge.yaml'),
      'parallel:\n  max_workers: 99999999999999999999\n'
    )
    const config = await cli([
      'plan',
      '--plan',
      'plan.yaml',
      '--config',
      'huge.yaml'
    ])
    expect(config.code).toBe(1)
    expect(config.err).toContain(
      'parallel.max_workers must be a whole number from 1 to 256, got 99999999999999999999 (a number)'
    )
    expect(config.err).not.toMatch(/too_big|"code"|origin/)
  })

  it('estimate_minutes: 1e308 is refused, totals stay numbers', async () => {
    writeFileSync(
      path.join(dir, 'est.yaml'),
      'phases:\n  - id: a\n    estimate_minutes: 1e308\n  - id: b\n    estimate_minutes: 1e308\n'
    )
    const run = await cli(['plan', '--plan', 'est.yaml', '--format', 'json'])
    expect(run.code).toBe(1)
    expect(run.out).toContain(
      'estimate_minutes of phase a must be a number of minutes from 0 to 10080 (one week), got 1e308 (a number)'
    )
    writeFileSync(
      path.join(dir, 'week.yaml'),
      'phases:\n  - id: a\n    estimate_minutes: 10080\n  - id: b\n    estimate_minutes: 10080\n'
    )
    const ok = await cli(['plan', '--plan', 'week.yaml', '--format', 'json'])
    expect(ok.code).toBe(0)
    expect(ok.out).not.toContain('null')
  })
})

describe('problems', () => {
  it('are sorted by position: graph problems among load problems', async () => {
    writeFileSync(
      path.join(dir, 'mixed.yaml'),
      'phases:\n  - id: a\n    deps: [zzz]\n  - id: b\n    timeout-minutes: -1\n    dep: [a]\n'
    )
    const run = await cli(['check', '--plan', 'mixed.yaml'])
    expect(run.code).toBe(1)
    const located = run.err
      .split('\n')
      .filter(line => line.startsWith('mixed.yaml:'))
      .map(line => line.split(': ')[0])
    expect(located).toEqual([
      'mixed.yaml:3:12',
      'mixed.yaml:5:22',
      'mixed.yaml:6:5'
    ])
  })
})

describe('help', () => {
  it('lists simulate now that it exists, and never says "seed"', async () => {
    const run = await cli(['--help'])
    expect(run.code).toBe(0)
    expect(run.out).toMatch(/^ {2}simulate /m)
    expect(run.out).not.toContain('planned')
    expect(run.out).not.toContain('seed')
  })
})
