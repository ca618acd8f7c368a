// `npm run bench action`: the plan action's cold start and settle's API use.
// 1. `node dist/index.js` on a seeded 100-phase plan against `node -e 0`,
//    interleaved in one run, median of RUNS each: a reported ratio, not a
//    goal (a runner takes seconds to start a job).
// 2. `node dist/settle/index.js` after a round, against a local stand-in
//    of the jobs API holding N jobs: list requests per settle call, which
//    must be ceil(N / 100) when nothing is pending.
// Needs `npm run build` first (it measures the bundles users run).
import { spawn, spawnSync } from 'node:child_process'
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { makeJob, startFakeGitHub } from '../test/support/fake-github.js'
import { prng } from './prng.js'

const RUNS = 21
const PLAN_BUNDLE = path.resolve('dist/index.js')
const SETTLE_BUNDLE = path.resolve('dist/settle/index.js')

/** A plan of `count` phases, each depending on up to 3 earlier ones. */
function planText(count: number, seed: number): string {
  const random = prng(seed)
  const lines = ['phases:']
  for (let i = 0; i < count; i++) {
    lines.push(`  - id: phase-${i}`, `    description: Phase number ${i}`)
    lines.push(`    run: npm run step -- ${i}`)
    const deps = new Set<number>()
    if (i > 0)
      for (let d = Math.floor(random() * 4); d > 0; d--)
        deps.add(Math.floor(random() * i))
    if (deps.size > 0)
      lines.push(`    deps: [${[...deps].map(d => `phase-${d}`).join(', ')}]`)
  }
  return lines.join('\n') + '\n'
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2
}

function workspace(plan: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'phase-matrix-bench-'))
  mkdirSync(path.join(dir, '.prd_runner'))
  writeFileSync(path.join(dir, '.prd_runner/phase_plan.yaml'), plan)
  return dir
}

function stepEnv(
  dir: string,
  extra: Record<string, string>
): Record<string, string> {
  const output = path.join(dir, 'output')
  const summary = path.join(dir, 'summary')
  writeFileSync(output, '')
  writeFileSync(summary, '')
  return {
    PATH: process.env['PATH'] ?? '',
    GITHUB_OUTPUT: output,
    GITHUB_STEP_SUMMARY: summary,
    GITHUB_REPOSITORY: 'octo/shop',
    GITHUB_RUN_ID: '1',
    GITHUB_RUN_ATTEMPT: '1',
    ...extra
  }
}

function timed(
  args: string[],
  cwd: string,
  env: Record<string, string>
): number {
  const start = process.hrtime.bigint()
  const result = spawnSync(process.execPath, args, {
    cwd,
    env,
    stdio: 'ignore'
  })
  const ms = Number(process.hrtime.bigint() - start) / 1e6
  if (result.status !== 0)
    throw new Error(`node ${args.join(' ')} exited ${String(result.status)}`)
  return ms
}

function coldStart(): void {
  const dir = workspace(planText(100, 100))
  const baseline: number[] = []
  const plan: number[] = []
  // One warm-up each, then interleaved so both see the same machine load.
  timed(['-e', '0'], dir, stepEnv(dir, {}))
  timed([PLAN_BUNDLE], dir, stepEnv(dir, {}))
  for (let i = 0; i < RUNS; i++) {
    baseline.push(timed(['-e', '0'], dir, stepEnv(dir, {})))
    plan.push(timed([PLAN_BUNDLE], dir, stepEnv(dir, {})))
  }
  const base = median(baseline)
  const ours = median(plan)
  const ratio = ours / base
  // The fastest run of each is the least disturbed by other load.
  const bestRatio = Math.min(...plan) / Math.min(...baseline)
  const size = readFileSync(PLAN_BUNDLE).length
  console.log(
    `Cold start, 100-phase plan, median of ${RUNS} interleaved runs each:`
  )
  console.log(`  node -e 0             ${base.toFixed(1)} ms`)
  console.log(
    `  node dist/index.js    ${ours.toFixed(1)} ms   (bundle ${(size / 1024).toFixed(0)} KiB)`
  )
  console.log(
    `  ratio                 ${ratio.toFixed(2)}×   (fastest runs: ${bestRatio.toFixed(2)}×)`
  )
}

function runStep(
  bundle: string,
  cwd: string,
  env: Record<string, string>
): Promise<{ status: number | null; outputs: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bundle], {
      cwd,
      env,
      stdio: 'ignore'
    })
    child.on('error', reject)
    child.on('close', status => {
      resolve({
        status,
        outputs: readFileSync(env['GITHUB_OUTPUT'] ?? '', 'utf8')
      })
    })
  })
}

function outputOf(file: string, name: string): string {
  const match = new RegExp(`^${name}<<(.+)\\n([\\s\\S]*?)\\n\\1$`, 'm').exec(
    file
  )
  return match?.[2] ?? ''
}

async function requestCounts(): Promise<void> {
  const github = await startFakeGitHub()
  console.log(
    '\nSettle: list requests per settle call, nothing pending (10 legs + other jobs):'
  )
  console.log('  jobs in run   requests   ceil(jobs/100)')
  try {
    for (const total of [10, 100, 101, 250, 1000, 5000]) {
      github.jobs.length = 0
      const dir = workspace(planText(10, 7).replace(/ {4}deps: .*\n/g, ''))
      const plan = await runStep(PLAN_BUNDLE, dir, stepEnv(dir, {}))
      const state = outputOf(plan.outputs, 'state')
      for (let i = 0; i < 10; i++)
        github.jobs.push(makeJob({ name: `phases / phase-${i}` }))
      // The settle step's own job, found by its job id (job.check_run_id).
      const own = makeJob({
        name: 'phases / settle wave 1',
        status: 'in_progress'
      })
      github.jobs.push(own)
      for (let i = 11; i < total; i++)
        github.jobs.push(makeJob({ name: `other job ${i}` }))
      const before = github.jobRequests().length
      const settled = await runStep(
        SETTLE_BUNDLE,
        dir,
        stepEnv(dir, {
          GITHUB_API_URL: github.url,
          INPUT_STATE: state,
          'INPUT_GITHUB-TOKEN': 'ghs_bench',
          'INPUT_JOB-ID': String(own.id)
        })
      )
      if (settled.status !== 0)
        throw new Error(`settle exited ${String(settled.status)}`)
      const requests = github.jobRequests().length - before
      const expected = Math.ceil(total / 100)
      console.log(
        `  ${String(total).padStart(11)}   ${String(requests).padStart(8)}   ${String(expected).padStart(14)}${requests === expected ? '' : '   MISMATCH'}`
      )
    }
  } finally {
    await github.close()
  }
}

async function main(): Promise<void> {
  if (!existsSync(PLAN_BUNDLE) || !existsSync(SETTLE_BUNDLE)) {
    console.log(
      'dist/index.js or dist/settle/index.js is missing: run `npm run build` first.'
    )
    process.exitCode = 1
    return
  }
  coldStart()
  await requestCounts()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
