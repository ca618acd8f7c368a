// The bundled CLI as a user runs it: `node dist/cli/index.js …` in a child
// process (a slow test: `npm run test:slow` builds dist/ first; with
// `npm run jest`, run `npm run build` first).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { planJson, problemsJson } from './cli-helpers.js'

const BUNDLE = path.resolve('dist/cli/index.js')
let dir: string
let bigPlan: string

interface Run {
  code: number | null
  out: string
  err: string
}

/** Runs the bundle with pipes for stdout and stderr and collects them whole. */
function cli(argv: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BUNDLE, ...argv], {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe']
    })
    const out: Buffer[] = []
    const err: Buffer[] = []
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk))
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk))
    child.on('error', reject)
    child.on('close', code => {
      resolve({
        code,
        out: Buffer.concat(out).toString('utf8'),
        err: Buffer.concat(err).toString('utf8')
      })
    })
  })
}

/** n phases, each depending on up to 3 earlier ones, with long descriptions. */
function largePlan(n: number): string {
  const lines = ['phases:']
  for (let i = 0; i < n; i++) {
    const deps = [i - 1, i - 7, i - 100]
      .filter(d => d >= 0)
      .map(d => `phase-${d}`)
    lines.push(
      `  - id: phase-${i}`,
      `    description: "Phase ${i} of a generated plan, long enough to make megabytes of output ${'x'.repeat(80)}"`,
      `    deps: [${deps.join(', ')}]`,
      `    run: echo "phase ${i}"`
    )
  }
  return lines.join('\n') + '\n'
}

beforeAll(() => {
  if (!existsSync(BUNDLE)) {
    throw new Error(
      `${BUNDLE} is missing: run \`npm run build\` before these tests`
    )
  }
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-bundle-'))
  bigPlan = path.join(dir, 'big.yaml')
  writeFileSync(bigPlan, largePlan(10_000))
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('dist/cli/index.js', () => {
  it('starts with a shebang so npm can link it as a bin', () => {
    expect(
      readFileSync(BUNDLE, 'utf8').startsWith('#!/usr/bin/env node\n')
    ).toBe(true)
  })

  it('prints help and exits 0', async () => {
    const result = await cli(['--help'])
    expect(result.code).toBe(0)
    expect(result.out).toContain('Usage: phase-matrix <command>')
    expect(result.err).toBe('')
  })

  it('exits 0 with the seed text for examples/basic.yaml', async () => {
    const result = await cli(['plan', '--plan', 'examples/basic.yaml'])
    expect(result.code).toBe(0)
    expect(result.out).toBe(
      readFileSync('test/fixtures/golden/basic.text.txt', 'utf8')
    )
  })

  it('exits 1 with the cycle block for examples/cycle.yaml', async () => {
    const result = await cli(['plan', '--plan', 'examples/cycle.yaml'])
    expect(result.code).toBe(1)
    expect(result.err).toContain(
      'ERROR: Circular dependency detected: phase-a -> phase-b -> phase-c -> phase-a\n'
    )
  })

  it('exits 2 for a usage error, in two lines, without a stack trace', async () => {
    const result = await cli(['plan', '--format', 'yaml'])
    expect(result.code).toBe(2)
    expect(result.err.trimEnd().split('\n')).toHaveLength(2)
    expect(result.err).not.toMatch(/^\s+at /m)
  })

  it('exits 2 with JSON errors for a missing file', async () => {
    const result = await cli([
      'plan',
      '--plan',
      'does/not/exist.yaml',
      '--format',
      'json'
    ])
    expect(result.code).toBe(2)
    const json = problemsJson(result.out)
    expect(json.errors[0]).toMatchObject({
      code: 'file-not-found',
      file: 'does/not/exist.yaml'
    })
  })

  it('delivers megabytes of JSON for 10k phases whole through a pipe', async () => {
    const result = await cli(['plan', '--plan', bigPlan, '--format', 'json'])
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
    expect(result.out.length).toBeGreaterThan(1_500_000)
    const json = planJson(result.out)
    expect(json.phaseCount).toBe(10_000)
    expect(json.phases).toHaveLength(10_000)
    expect(json.phases[9_999]?.id).toBe('phase-9999')
  })

  it('stays quiet when the reader closes the pipe early', () => {
    const result = spawnSync(
      'sh',
      [
        '-c',
        `"${process.execPath}" "${BUNDLE}" plan --plan "${bigPlan}" --format json | head -c 100 >/dev/null`
      ],
      { encoding: 'utf8' }
    )
    expect(result.status).toBe(0)
    expect(result.stderr).toBe('')
  })

  // Colour needs a terminal: `script` gives the child a pseudo-terminal.
  const hasScript = spawnSync('script', ['--version']).status === 0
  const onTerminal = (env: string): string =>
    execFileSync(
      'script',
      [
        '-qec',
        `${env} "${process.execPath}" "${BUNDLE}" plan --plan examples/basic.yaml`,
        '/dev/null'
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', TERM: 'xterm' } }
    )
  ;(hasScript ? it : it.skip)(
    'colours a terminal, but not with NO_COLOR or through a pipe',
    async () => {
      expect(onTerminal('')).toContain('\u001b[1mParallel Execution Plan')
      const noColour = onTerminal('NO_COLOR=1')
      expect(noColour).toContain('Parallel Execution Plan')
      expect(noColour).not.toContain('\u001b[')
      expect(
        (
          await cli(['plan', '--plan', 'examples/basic.yaml'], {
            TERM: 'xterm'
          })
        ).out
      ).not.toContain('\u001b[')
    }
  )
})
