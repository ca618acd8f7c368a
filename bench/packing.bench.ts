// `npm run bench packing`: packed legs against one leg per phase, on seeded
// monorepo-shaped plans of 1,000 and 5,000 phases (libraries, packages on
// them, apps on packages: a few wide waves) with log-normal estimates, a
// runner start of 0.5 min per job, max-workers 40, every phase green, settle
// only after a failure (the fast path). Per plan: legs (phase jobs) started,
// runner minutes (and as GitHub bills them: each job rounded up to a whole
// minute), and the simulated wall time, side by side. Two estimate scales:
// short phases (median 2 min) and long ones (median 8 min), so the numbers
// say where packing pays. Also times packRound on the biggest wave.
import { analyzePlan } from '../src/plan/analyze.js'
import { phaseDurations } from '../src/plan/durations.js'
import { packRound, roundLegs } from '../src/plan/packing.js'
import { greenRounds } from '../src/plan/rounds.js'
import type { Phase, Plan, PlanAnalysis } from '../src/plan/types.js'
import { wavesTimeline } from '../src/plan/simulate.js'
import { docTable } from './doc-table.js'
import { prng } from './prng.js'
import { benchPhase, logNormalMinutes } from './random-plan.js'

const SEED = 20261201
const JOB_START = 0.5
const WORKERS = 40
const TARGET = { legs: 5, runner: 0.2, wall: 1.1 }

/**
 * n phases in four layers (10% libraries, 60% packages, 25% apps, 5%
 * deploys); each depends on 1-3 phases of the layer below. Estimates
 * log-normal around `median` minutes, sigma 0.8.
 */
function monorepo(n: number, seed: number, median: number): Plan {
  const random = prng(seed)
  const shares = [0.1, 0.6, 0.25, 0.05]
  const layers: string[][] = []
  const phases: Phase[] = []
  let index = 0
  for (const [layer, share] of shares.entries()) {
    const ids: string[] = []
    const size = Math.round(n * share)
    for (let k = 0; k < size && index < n; k++, index++) {
      const id = `${['lib', 'pkg', 'app', 'deploy'][layer] ?? 'x'}-${k}`
      const below = layers[layer - 1] ?? []
      const deps = new Set<string>()
      const count = below.length === 0 ? 0 : 1 + Math.floor(random() * 3)
      for (let d = 0; d < count; d++)
        deps.add(below[Math.floor(random() * below.length)] as string)
      phases.push(
        benchPhase(id, [...deps], logNormalMinutes(random, median, 0.8), index)
      )
      ids.push(id)
    }
    layers.push(ids)
  }
  return { file: `monorepo-${n}.yaml`, phases }
}

function mustAnalyse(plan: Plan): PlanAnalysis {
  const { analysis, problems } = analyzePlan(plan)
  if (analysis === undefined)
    throw new Error(`plan invalid: ${problems[0]?.message ?? '?'}`)
  return analysis
}

interface Side {
  legs: number
  runner: number
  billed: number
  wall: number
}

function side(analysis: PlanAnalysis, packed: boolean): Side {
  const minutes = phaseDurations(analysis.plan).minutes
  const count = minutes.length
  const packing = {
    minutes,
    maxLegs: WORKERS,
    pack: true,
    cores: 1,
    maxRounds: Infinity
  }
  const statuses = minutes.map(() => 'pending' as const)
  const rounds = packed
    ? greenRounds(analysis, statuses, packing, 1).map((round, offset) =>
        roundLegs(analysis, round, packing, offset + 1).map(leg => leg.phases)
      )
    : analysis.waves.map(wave => wave.map(index => [index]))
  const timeline = wavesTimeline({
    rounds,
    depsOf: analysis.depsOf,
    minutes,
    done: new Array<boolean>(count).fill(false),
    outcome: new Array<undefined>(count).fill(undefined),
    maxParallel: WORKERS,
    jobStart: JOB_START,
    settle: 'after-failure'
  })
  // Our own jobs: plan and report (no settle on a green run).
  const own = 2
  return {
    legs: timeline.jobs - own,
    runner: timeline.runnerMinutes,
    billed: timeline.billedMinutes,
    wall: timeline.end
  }
}

console.log(
  `max-workers ${WORKERS}, runner start ${JOB_START} min per job, all green, settle only after a failure. Runner minutes include the plan and report jobs; "billed" rounds each job up to a whole minute.\n`
)
const lines: string[] = [
  '| plan | phases | waves (largest) | median estimate | legs: per phase → packed | runner min: per phase → packed | billed min: per phase → packed | wall min: per phase → packed | pack ms |',
  '|---|--:|--:|--:|--:|--:|--:|--:|--:|'
]
const verdicts: string[] = []
for (const n of [1_000, 5_000]) {
  for (const median of [2, 8]) {
    const analysis = mustAnalyse(monorepo(n, SEED + n + median, median))
    const one = side(analysis, false)
    const packedSide = side(analysis, true)
    const biggest = analysis.waves.reduce((a, b) =>
      b.length > a.length ? b : a
    )
    const minutes = phaseDurations(analysis.plan).minutes
    const t0 = performance.now()
    packRound(
      analysis,
      biggest,
      { minutes, maxLegs: WORKERS, pack: true, cores: 1, maxRounds: Infinity },
      1
    )
    const packMs = performance.now() - t0
    const pct = (a: number, b: number): string =>
      `${Math.round((1 - b / a) * 100)}% less`
    lines.push(
      `| monorepo | ${n} | ${analysis.waves.length} (${biggest.length}) | ${median} min | ${one.legs} → ${packedSide.legs} (${(one.legs / packedSide.legs).toFixed(1)}× fewer) | ${one.runner.toFixed(0)} → ${packedSide.runner.toFixed(0)} (${pct(one.runner, packedSide.runner)}) | ${one.billed} → ${packedSide.billed} (${pct(one.billed, packedSide.billed)}) | ${one.wall.toFixed(1)} → ${packedSide.wall.toFixed(1)} (${(packedSide.wall / one.wall).toFixed(2)}×) | ${packMs.toFixed(1)} |`
    )
    if (n === 1_000) {
      const legsOk = one.legs / packedSide.legs >= TARGET.legs
      const runnerOk = 1 - packedSide.runner / one.runner >= TARGET.runner
      const billedOk = 1 - packedSide.billed / one.billed >= TARGET.runner
      const wallOk = packedSide.wall / one.wall <= TARGET.wall
      verdicts.push(
        `1k phases, median ${median} min: legs ≥${TARGET.legs}× fewer ${legsOk ? 'met' : 'NOT met'}; ` +
          `runner minutes ≥${TARGET.runner * 100}% fewer ${runnerOk ? 'met' : 'NOT met'} (billed: ${billedOk ? 'met' : 'NOT met'}); ` +
          `wall ≤${TARGET.wall}× ${wallOk ? 'met' : 'NOT met'}.`
      )
    }
  }
}
docTable('packing', [...lines, '', ...verdicts])
