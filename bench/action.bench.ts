// `npm run bench action`: the plan action's cold start and settle without the API.
// 1. `node dist/index.js` on a seeded 100-phase plan against `node -e 0`,
//    interleaved in one run, median of RUNS each: a reported ratio, not a
//    goal (a runner takes seconds to start a job).
// 2. `node dist/settle/index.js` after a round of 1,000 and 5,000 phases,
//    its legs' records in env PHASE_MATRIX_ROUND_1 as phases.yml passes
//    them: requests (0: GITHUB_API_URL points at a server that counts
//    them), the record's bytes per phase, the wave job's outputs against
//    GitHub's 1 MB a job and the env value against Linux's 128 KiB.
// Needs `npm run build` first (it measures the bundles users run).
import { spawn, spawnSync } from 'node:child_process'
import { createServer } from 'node:http'
import {
  existsSync,
  mkdtempSync,
  mkdirSync,
  readFileSync,
  writeFileSync
} from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { legsOf, roundEnv, waveJob } from '../test/support/wave-records.js'
import { docTable } from './doc-table.js'
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
    `Cold start, 100-phase plan, median of ${RUNS} interleaved runs each:\n`
  )
  docTable('cold-start', [
    '| runs | `node -e 0` | `node dist/index.js` | ratio | ratio of the fastest runs | bundle |',
    '|---:|---:|---:|---:|---:|---:|',
    `| ${RUNS} | ${base.toFixed(1)} ms | ${ours.toFixed(1)} ms | ${ratio.toFixed(2)}× | ${bestRatio.toFixed(2)}× | ${(size / 1024).toFixed(0)} KiB |`
  ])
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

/** A local HTTP server that counts every request it gets (answering 404). */
async function countingServer(): Promise<{
  url: string
  requests: () => number
  close: () => Promise<void>
}> {
  let count = 0
  const server = createServer((_request, response) => {
    count++
    response.writeHead(404, { 'content-type': 'application/json' })
    response.end('{"message":"Not Found"}')
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const address = server.address()
  const port =
    typeof address === 'object' && address !== null ? address.port : 0
  return {
    url: `http://127.0.0.1:${port}`,
    requests: () => count,
    close: () =>
      new Promise(resolve =>
        server.close(() => {
          resolve()
        })
      )
  }
}

/** UTF-16 code units of a job's outputs (names and values), as GitHub counts them: 2 bytes each. */
function outputBytes(outputs: Record<string, string>): number {
  let units = 0
  for (const [name, value] of Object.entries(outputs))
    units += name.length + value.length
  return 2 * units
}

async function settleWithoutApi(): Promise<void> {
  const server = await countingServer()
  console.log(
    '\nSettle after one round of N independent phases packed into 64 legs, records through needs (no token, GITHUB_API_URL at a counting server):\n'
  )
  const lines = [
    '| phases | requests | bytes/phase (UTF-16) | wave job outputs / 1 MB | env PHASE_MATRIX_ROUND_1 / 128 KiB | settle ms |',
    '|---:|---:|---:|---:|---:|---:|'
  ]
  try {
    for (const total of [1000, 5000]) {
      const text = planText(total, 7).replace(/ {4}deps: .*\n/g, '')
      const dir = workspace(text)
      const plan = await runStep(
        PLAN_BUNDLE,
        dir,
        stepEnv(dir, { 'INPUT_MAX-WORKERS': '64', INPUT_PACK: 'true' })
      )
      if (plan.status !== 0) throw new Error('plan step failed')
      const state = outputOf(plan.outputs, 'state')
      const legs = legsOf(outputOf(plan.outputs, 'matrix'))
      const job = waveJob(1, 1, legs)
      const env = roundEnv(new Map([[1, job]]))
      const envBytes = Buffer.byteLength(env['PHASE_MATRIX_ROUND_1'] ?? '')
      const jobBytes = outputBytes(job.outputs)
      const start = process.hrtime.bigint()
      const settled = await runStep(
        SETTLE_BUNDLE,
        dir,
        stepEnv(dir, {
          GITHUB_API_URL: server.url,
          INPUT_STATE: state,
          'INPUT_ROUNDS-RUN': '1',
          'INPUT_ALLOW-FAILURE': 'true',
          ...env
        })
      )
      const ms = Number(process.hrtime.bigint() - start) / 1e6
      if (settled.status !== 0)
        throw new Error(`settle exited ${String(settled.status)}`)
      const perPhase = jobBytes / total
      lines.push(
        `| ${total} | ${server.requests()} | ${perPhase.toFixed(1)} | ${(jobBytes / 1024).toFixed(0)} KiB (${((100 * jobBytes) / 1048576).toFixed(1)} %) | ${(envBytes / 1024).toFixed(0)} KiB (${((100 * envBytes) / 131072).toFixed(0)} %) | ${ms.toFixed(0)} |`
      )
    }
  } finally {
    await server.close()
  }
  docTable('settle', lines)
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
  await settleWithoutApi()
}

main().catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
