// `npm run bench simulate`: the simulated wall time of each mode as a ratio
// to the lower bound max(critical path, work / N), side by side, on seeded
// random plans (50 to 2,000 phases, log-normal estimates, job start 0.5 min)
// and feature-prd-runner's examples. graph ignores N, so its ratio is to the
// critical path. "waves, no settle" is the waves mode when settle jobs run
// only after a failure (issue 10, item 3): what a green run would save.
// Also times the simulation itself. Ends with a markdown table for README.md,
// and the reusable workflow as it runs now (rounds folded from the pending
// phases in 24 wave jobs, packed into max-workers legs, settle jobs from the
// first failure on) with each
// leg on 1, 2 or 4 cores (exec's leg-concurrency), against the needs graph;
// last, the packed needs graph (generate --max-jobs) against one job per
// phase: wall time and workflow bytes (bench/packed-graph.ts).
import { readFileSync } from 'node:fs'
import { analyzePlan } from '../src/plan/analyze.js'
import { phaseDurations } from '../src/plan/durations.js'
import { parsePlan } from '../src/plan/load.js'
import { simulate, type Simulation } from '../src/plan/simulate.js'
import type { Plan, PlanAnalysis } from '../src/plan/types.js'
import { REUSABLE_WORKFLOW_WAVES } from '../src/render/reusable-workflow.js'
import { docTable } from './doc-table.js'
import { packedNeedsGraphRows } from './packed-graph.js'
import { packageGraph, randomPlan } from './random-plan.js'

const SEED = 20261201
const SIZES = [50, 200, 500, 1_000, 2_000]
const WORKERS = [4, 20]
const JOB_START = 0.5
const LANES_TARGET = 1.1

function mustAnalyse(plan: Plan): PlanAnalysis {
  const { analysis, problems } = analyzePlan(plan)
  if (analysis === undefined) {
    throw new Error(`plan invalid: ${problems[0]?.message ?? '?'}`)
  }
  return analysis
}

function run(
  analysis: PlanAnalysis,
  workers: number,
  settle: 'every-round' | 'after-failure'
): { simulation: Simulation; ms: number } {
  const start = performance.now()
  const simulation = simulate(analysis, {
    durations: phaseDurations(analysis.plan),
    maxWorkers: workers,
    jobStart: JOB_START,
    failed: [],
    legLimit: 256,
    settle
  })
  return { simulation, ms: performance.now() - start }
}

interface Row {
  plan: string
  phases: number
  workers: number
  critical: number
  bound: number
  sequential: number
  waves: number
  wavesNoSettle: number
  graph: number
  lanes: number
  ms: number
}

function row(name: string, analysis: PlanAnalysis, workers: number): Row {
  const { simulation: s, ms } = run(analysis, workers, 'every-round')
  const fast = run(analysis, workers, 'after-failure').simulation
  const bound = s.lowerBoundMinutes
  return {
    plan: name,
    phases: analysis.plan.phases.length,
    workers,
    critical: s.criticalPathMinutes,
    bound,
    sequential: s.modes.sequential.wallMinutes / bound,
    waves: s.modes.waves.wallMinutes / bound,
    wavesNoSettle: fast.modes.waves.wallMinutes / bound,
    graph: s.modes.graph.wallMinutes / s.criticalPathMinutes,
    lanes: (s.modes.lanes?.wallMinutes ?? Number.NaN) / bound,
    ms
  }
}

const rows: Row[] = []
for (const name of ['microservices', 'full-stack']) {
  const file = `examples/${name}.yaml`
  const { plan } = parsePlan(readFileSync(file, 'utf8'), file)
  if (plan === undefined) throw new Error(`${file} did not load`)
  rows.push(row(name, mustAnalyse(plan), 2))
}
for (const n of SIZES) {
  const analysis = mustAnalyse(randomPlan(n, SEED + n))
  for (const workers of WORKERS) rows.push(row(`random`, analysis, workers))
}

const ratio = (x: number): string => `${x.toFixed(2)}×`
console.log(
  `Simulated wall time ÷ lower bound max(critical path, work / N); job start ${JOB_START} min; graph ÷ critical path (it ignores N).\n`
)
const modesTable = [
  '| plan | phases | N | critical path | lower bound | sequential | waves | waves, no settle on green | graph | lanes | simulate ms |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|'
]
for (const r of rows) {
  modesTable.push(
    `| ${r.plan} | ${r.phases} | ${r.workers} | ${r.critical.toFixed(1)} min | ${r.bound.toFixed(1)} min | ${ratio(r.sequential)} | ${ratio(r.waves)} | ${ratio(r.wavesNoSettle)} | ${ratio(r.graph)} | ${ratio(r.lanes)} | ${r.ms.toFixed(1)} |`
  )
}
const random = rows.filter(r => r.plan === 'random')
const worst = Math.max(...random.map(r => r.lanes))
docTable('simulate-modes', [
  ...modesTable,
  '',
  `Lanes on the random plans: worst ${ratio(worst)} of the lower bound (target ≤ ${ratio(LANES_TARGET)}): ${worst <= LANES_TARGET ? 'met' : 'NOT met'}.`
])

/** phases.yml as it runs: packed legs, settle after a failure, `cores` phases of a leg at once. */
function reusable(
  analysis: PlanAnalysis,
  workers: number,
  cores: number
): Simulation['modes'] {
  return simulate(analysis, {
    durations: phaseDurations(analysis.plan),
    maxWorkers: workers,
    jobStart: JOB_START,
    failed: [],
    legLimit: Infinity,
    settle: 'after-failure',
    pack: true,
    legConcurrency: cores,
    maxRounds: REUSABLE_WORKFLOW_WAVES
  }).modes
}

console.log(
  "\nThe reusable workflow (packed legs, settle only after a failure) ÷ the needs graph, by leg-concurrency; runner minutes ÷ the graph's in brackets:\n"
)
const reusableTable = [
  '| plan | phases | N | waves, 1 core | waves, 2 cores | waves, 4 cores |',
  '|---|--:|--:|--:|--:|--:|'
]
for (const n of SIZES) {
  const analysis = mustAnalyse(randomPlan(n, SEED + n))
  for (const workers of WORKERS) {
    const cells = [1, 2, 4].map(cores => {
      const modes = reusable(analysis, workers, cores)
      return `${ratio(modes.waves.wallMinutes / modes.graph.wallMinutes)} (${ratio(modes.waves.runnerMinutes / modes.graph.runnerMinutes)})`
    })
    reusableTable.push(`| random | ${n} | ${workers} | ${cells.join(' | ')} |`)
  }
}
docTable('simulate-reusable', reusableTable)

/** Job start plus set-up (checkout, install) a job pays in both modes. */
const JOB_SETUP = 1
console.log(
  `\nMonorepo-shaped package graphs (helpers, core, plugins, presets, tests), 20 workers, 2 cores a leg, each job ${JOB_START} min start + ${JOB_SETUP} min set-up: the reusable workflow (${REUSABLE_WORKFLOW_WAVES} wave jobs) against the needs graph and the lower bound:\n`
)
const monorepoTable = [
  '| phases | levels | rounds | graph min | waves min | waves ÷ graph | waves ÷ lower bound | runner min ÷ graph |',
  '|--:|--:|--:|--:|--:|--:|--:|--:|'
]
// 155 packages in 12 levels: the size and depth of the real monorepo graph
// of issue 17 (89 packages in its widest level), then 100–2,000 in 10–40.
const shapes: [number, number][] = [[155, 12]]
for (const n of [100, 500, 1_000, 2_000])
  for (const levels of [10, 20, 40]) shapes.push([n, levels])
for (const [n, levels] of shapes) {
  {
    const analysis = mustAnalyse(packageGraph(n, levels, SEED + n + levels))
    const result = simulate(analysis, {
      durations: phaseDurations(analysis.plan),
      maxWorkers: 20,
      jobStart: JOB_START + JOB_SETUP,
      failed: [],
      legLimit: Infinity,
      settle: 'after-failure',
      pack: true,
      legConcurrency: 2,
      maxRounds: REUSABLE_WORKFLOW_WAVES
    })
    const { waves, graph } = result.modes
    monorepoTable.push(
      `| ${n} | ${analysis.waves.length} | ${waves.rounds} | ${graph.wallMinutes.toFixed(0)} | ${waves.wallMinutes.toFixed(0)} | ${ratio(waves.wallMinutes / graph.wallMinutes)} | ${ratio(waves.wallMinutes / result.lowerBoundMinutes)} | ${ratio(waves.runnerMinutes / graph.runnerMinutes)} |`
    )
  }
}

docTable('simulate-monorepo', monorepoTable)

packedNeedsGraphRows(plan => mustAnalyse(plan), JOB_START)
