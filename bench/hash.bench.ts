// `npm run bench hash`: what `phase-matrix hash` costs on top of git itself.
// A seeded repository of F tracked files in P packages (10k and 50k files),
// one phase a package (`inputs: [packages/pNNN/**, '!**/*.md']`, a few
// dependencies on earlier ones, a global lockfile) plus phases whose
// patterns start with a wildcard. Measured side by side, alternating in the
// same process, wall time (git runs in its own processes):
//   git ls-files -s -z   the index alone, spawned the same way;
//   ls-files ∥ diff-files  what seeing the working tree costs git alone
//                        (diff-files stats every tracked file);
//   hash                 the whole hash: ls-files and diff-files (every
//                        file's stat) side by side, selection of
//                        every phase's files and the sha256s.
// The plan is loaded once, outside the timing. Target: hash ≤ 1.5 × ls-files.
import { execFile, execFileSync } from 'node:child_process'
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'

import { analyzePlan } from '../src/plan/analyze.js'
import { parsePlan } from '../src/plan/load.js'
import type { PlanAnalysis } from '../src/plan/types.js'
import { readTrackedFiles, hashPlan } from '../src/repo/passed.js'
import { inputHashes, sortedEntries } from '../src/plan/input-hash.js'
import { docTable } from './doc-table.js'
import { prng } from './prng.js'

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'bench',
  GIT_AUTHOR_EMAIL: 'bench@example.com',
  GIT_COMMITTER_NAME: 'bench',
  GIT_COMMITTER_EMAIL: 'bench@example.com',
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null'
}

function gitSync(dir: string, ...args: string[]): void {
  execFileSync('git', args, { cwd: dir, env: GIT_ENV, stdio: 'ignore' })
}

function gitRun(dir: string, args: string[]): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile(
      'git',
      args,
      { cwd: dir, maxBuffer: 1024 * 1024 * 1024, encoding: 'utf8' },
      (error, stdout) => {
        if (error === null) resolve(stdout.length)
        else reject(new Error(error.message))
      }
    )
  })
}

const pkg = (i: number): string => `p${String(i).padStart(3, '0')}`

/** A repository of `files` files in `packages` packages, and its plan. */
function seedRepository(files: number, packages: number): string {
  const random = prng(files)
  const dir = mkdtempSync(path.join(tmpdir(), 'pm-hash-bench-'))
  gitSync(dir, 'init', '-q', '-b', 'main')
  writeFileSync(path.join(dir, 'package-lock.json'), '{}\n')
  for (let f = 0; f < files - 1; f++) {
    const p = pkg(Math.floor(random() * packages))
    const depth = Math.floor(random() * 3)
    const folders = Array.from(
      { length: depth },
      () => `d${Math.floor(random() * 8)}`
    )
    const name = `f${f}.${random() < 0.1 ? 'md' : 'ts'}`
    const folder = path.join(dir, 'packages', p, 'src', ...folders)
    mkdirSync(folder, { recursive: true })
    writeFileSync(path.join(folder, name), `export const v${f} = ${f}\n`)
  }
  const lines = ['global_inputs: [package-lock.json]', 'phases:']
  for (let i = 0; i < packages; i++) {
    const deps = [i - 1, i - 7].filter(d => d >= 0).map(pkg)
    lines.push(
      `  - id: ${pkg(i)}`,
      `    deps: [${deps.join(', ')}]`,
      `    inputs: [packages/${pkg(i)}/**, '!**/*.md']`,
      `    run: npm test -w ${pkg(i)}`
    )
  }
  // Patterns without a literal folder look at every file.
  lines.push(
    '  - id: docs',
    "    inputs: ['**/*.md']",
    '  - id: types',
    "    inputs: ['packages/*/src/d1/**', '!**/f1*']"
  )
  writeFileSync(path.join(dir, 'plan.yaml'), lines.join('\n') + '\n')
  gitSync(dir, 'add', '-A')
  gitSync(dir, 'commit', '-q', '-m', 'seed')
  return dir
}

function loadAnalysis(dir: string): PlanAnalysis {
  const loaded = parsePlan(
    readFileSync(path.join(dir, 'plan.yaml'), 'utf8'),
    'plan.yaml'
  )
  if (loaded.plan === undefined) throw new Error('bench plan did not load')
  const { analysis } = analyzePlan(loaded.plan)
  if (analysis === undefined) throw new Error('bench plan did not analyse')
  return analysis
}

function median(samples: number[]): number {
  const sorted = [...samples].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

async function measure(
  files: number,
  packages: number,
  runs: number
): Promise<string> {
  const dir = seedRepository(files, packages)
  try {
    const analysis = loadAnalysis(dir)
    const ls: number[] = []
    const hash: number[] = []
    const gitPart: number[] = []
    const floor: number[] = []
    const pure: number[] = []
    // One warm-up round of each, then alternate.
    for (let r = 0; r < runs + 1; r++) {
      let start = performance.now()
      await gitRun(dir, ['ls-files', '-s', '-z'])
      const l = performance.now() - start
      start = performance.now()
      const hashes = await hashPlan(analysis, dir)
      const h = performance.now() - start
      if (hashes.hashes.some(value => value === null)) {
        throw new Error('a phase of the bench plan has no hash')
      }
      start = performance.now()
      await Promise.all([
        gitRun(dir, ['ls-files', '-s', '-z']),
        gitRun(dir, [
          'diff-files',
          '-z',
          '--no-relative',
          '--ignore-submodules=all'
        ])
      ])
      const f = performance.now() - start
      start = performance.now()
      const tracked = await readTrackedFiles(dir)
      const g = performance.now() - start
      start = performance.now()
      inputHashes(analysis, sortedEntries(tracked.files))
      const c = performance.now() - start
      if (r > 0) {
        ls.push(l)
        hash.push(h)
        gitPart.push(g)
        floor.push(f)
        pure.push(c)
      }
    }
    const l = median(ls)
    const h = median(hash)
    return `| ${files.toLocaleString('en-US')} | ${analysis.plan.phases.length} | ${l.toFixed(1)} ms | ${h.toFixed(1)} ms | ${(h / l).toFixed(2)}× | ${median(floor).toFixed(1)} ms | ${(h / median(floor)).toFixed(2)}× | ${median(gitPart).toFixed(1)} ms | ${median(pure).toFixed(1)} ms |`
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

docTable('hash', [
  '| tracked files | phases | git ls-files -s | hash | hash / ls-files | ls-files ∥ diff-files | hash / that | git part of hash | selection + sha256 |',
  '|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  await measure(10_000, 100, 21),
  await measure(50_000, 200, 11)
])
