// `hash`, `plan --passed` and `simulate --passed` through the bundled CLI,
// as a user runs them: `node dist/cli/index.js …` in a git repository in a
// temp folder (build dist/ first: `npm run build`).
import { afterAll, beforeAll, expect, test } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import path from 'node:path'

import type { SimulationJson } from '../src/render/simulation.js'
import { planJson } from './cli-helpers.js'
import {
  commitAll,
  gitRepo,
  removeRepo,
  writeFiles
} from './support/git-repo.js'

const BUNDLE = path.resolve('dist/cli/index.js')

const PLAN = `global_inputs: [package-lock.json]
phases:
  - id: build
    inputs: [packages/core/**]
    run: npm run build
    estimate_minutes: 6
  - id: test
    deps: [build]
    inputs: [packages/core/**, test/**]
    run: npm test
    estimate_minutes: 9
  - id: docs
    inputs: [docs/**]
    run: npm run docs
    estimate_minutes: 3
  - id: lint
    run: npm run lint
    estimate_minutes: 1
`

function cli(
  cwd: string,
  argv: string[],
  env: Record<string, string> = {}
): {
  code: number | null
  out: string
  err: string
} {
  const run = spawnSync(process.execPath, [BUNDLE, ...argv], {
    cwd,
    env: { PATH: process.env.PATH ?? '', ...env },
    encoding: 'utf8'
  })
  return { code: run.status, out: run.stdout, err: run.stderr }
}

let repo: string
beforeAll(() => {
  repo = gitRepo({
    '.prd_runner/phase_plan.yaml': PLAN,
    'package-lock.json': '{}\n',
    'packages/core/index.ts': 'export {}\n',
    'test/core.test.ts': 'test()\n',
    'docs/index.md': '# docs\n',
    '.gitignore': 'passed.json\n'
  })
})
afterAll(() => {
  removeRepo(repo)
})

test('hash, then plan --passed and simulate --passed after a change', () => {
  const hashed = cli(repo, ['hash', '--format', 'json'])
  expect(hashed.err).toBe('')
  expect(hashed.code).toBe(0)
  const hashes = JSON.parse(hashed.out) as Record<string, string | null>
  expect(Object.keys(hashes)).toEqual(['build', 'test', 'docs', 'lint'])
  expect(hashes.lint).toBeNull()
  // The output of hash is a store as it is.
  writeFileSync(path.join(repo, 'passed.json'), hashed.out)

  writeFiles(repo, { 'test/core.test.ts': 'test(2)\n' })
  commitAll(repo, 'a test changes')

  const plan = cli(repo, [
    'plan',
    '--format',
    'json',
    '--passed',
    'passed.json'
  ])
  expect(plan.err).toBe('')
  expect(plan.code).toBe(0)
  expect(planJson(plan.out).unchanged).toEqual(['build', 'docs'])

  const text = cli(repo, ['plan', '--passed', 'passed.json'])
  expect(text.out).toContain('  • build (unchanged)\n')
  expect(text.out).toContain('  • test (depends on: build)\n')

  const simulated = cli(repo, [
    'simulate',
    '--format',
    'json',
    '--passed',
    'passed.json'
  ])
  expect(simulated.code).toBe(0)
  const json = JSON.parse(simulated.out) as SimulationJson
  expect(json.unchanged).toEqual(['build', 'docs'])
  expect(json.unchangedMinutes).toBe(9)
  expect(json.modes.sequential?.wallMinutes).toBe(10)
  expect(json.withoutPassed?.sequential?.wallMinutes).toBe(19)
})

test('help, and exit 2 with a reason where there is no git', () => {
  const help = cli(repo, ['hash', '--help'])
  expect(help.code).toBe(0)
  expect(help.out).toMatch(
    /^Usage: phase-matrix hash \[--plan FILE\] \[--format json\|text\]/
  )
  expect(cli(repo, ['--help']).out).toMatch(
    /\n {2}hash {6}each phase's input hash/
  )

  const noGit = cli(repo, ['hash'], { PATH: '/nonexistent' })
  expect(noGit.code).toBe(2)
  expect(noGit.err).toBe(
    'phase-matrix hash: git was not found: input hashes are read from git (install git, or put it on PATH)\n'
  )
})
