// `phase-matrix generate` and `check` through the bundle, as a user runs
// them: `node dist/cli/index.js …` in a child process (`npm run build` first).
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import {
  cpSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parse } from 'yaml'
import { REPO_ROOT, requireBundle } from '../support/run-action.js'

const BUNDLE = path.join(REPO_ROOT, 'dist/cli/index.js')
const OUT = '.github/workflows/phases.yml'
let dir: string

function cli(...argv: string[]): {
  code: number | null
  out: string
  err: string
} {
  const result = spawnSync(process.execPath, [BUNDLE, ...argv], {
    cwd: dir,
    env: { PATH: process.env['PATH'] ?? '' },
    encoding: 'utf8'
  })
  return { code: result.status, out: result.stdout, err: result.stderr }
}

beforeAll(() => {
  requireBundle(BUNDLE)
  dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-needs-bundle-'))
  cpSync(path.join(REPO_ROOT, 'examples'), path.join(dir, 'examples'), {
    recursive: true
  })
})
afterAll(() => {
  rmSync(dir, { recursive: true, force: true })
})

describe('the bundled CLI', () => {
  test('generate writes the golden workflow of an example', () => {
    const result = cli(
      'generate',
      '--plan',
      'examples/full-stack.yaml',
      '--out',
      OUT
    )
    expect(result.err).toBe('')
    expect(result.code).toBe(0)
    const text = readFileSync(path.join(dir, OUT), 'utf8')
    // Same bytes as the golden file, but for the --out path in the header.
    const golden = readFileSync(
      path.join(REPO_ROOT, 'test/fixtures/golden/needs/full-stack.yml'),
      'utf8'
    ).replaceAll('.github/workflows/full-stack.yml', OUT)
    expect(text).toBe(golden)
    expect(Object.keys((parse(text) as { jobs: object }).jobs)).toHaveLength(8)
  })

  test('check passes on it, then fails with a diff once the plan changes', () => {
    expect(cli('check', '--workflow', OUT).code).toBe(0)
    const plan = path.join(dir, 'examples/full-stack.yaml')
    writeFileSync(
      plan,
      readFileSync(plan, 'utf8').replace('deps: ["integration"]', 'deps: []')
    )
    const stale = cli('check', '--workflow', OUT)
    expect(stale.code).toBe(1)
    expect(stale.out).toMatch(/^--- \.github\/workflows\/phases\.yml\n\+\+\+ /)
    expect(stale.err).toContain(
      `phase-matrix generate --plan examples/full-stack.yaml --out ${OUT}`
    )
    expect(
      cli('generate', '--plan', 'examples/full-stack.yaml', '--out', OUT).code
    ).toBe(0)
    expect(cli('check', '--workflow', OUT).code).toBe(0)
  })

  test('generate refuses a plan with a cycle (exit 1) and a missing plan (exit 2)', () => {
    const cycle = cli('generate', '--plan', 'examples/cycle.yaml')
    expect(cycle.code).toBe(1)
    expect(cycle.err).toContain('ERROR: Circular dependency detected')
    expect(cycle.out).toBe('')
    expect(cli('generate', '--plan', 'missing.yaml').code).toBe(2)
    expect(cli('check', '--workflow', 'missing.yml').code).toBe(2)
  })
})
