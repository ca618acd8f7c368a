// The packed needs graph against one job per phase, on the seeded random
// plans of 1,000 and 5,000 phases: the simulated wall time of each (a job
// starts when every job it needs has ended, waits `jobStart` for its
// runner, then runs its phases one after another — exec's leg-concurrency
// only makes it end earlier; the gate is one more job start), the jobs and
// the workflow's bytes. Packings: what `generate` writes on its own (one
// job per phase when it fits, else packed to fit 500 KB), chains only, and
// --max-jobs at a quarter and a tenth of the phases. Targets: 5,000 phases
// under 500 KB, and the packed graph within 1.05× of the unpacked one's
// wall time where both fit.
import { dagTimeline } from '../src/plan/dag-timeline.js'
import { needsThroughDone } from '../src/plan/skips.js'
import { phaseDurations } from '../src/plan/durations.js'
import type { Plan, PlanAnalysis } from '../src/plan/types.js'
import {
  MAX_WORKFLOW_BYTES,
  renderNeedsWorkflow,
  workflowSizeLowerBound,
  type NeedsWorkflow
} from '../src/render/needs-workflow.js'
import { DEFAULT_PARALLEL_SETTINGS } from '../src/plan/types.js'
import { docTable } from './doc-table.js'
import { randomPlan } from './random-plan.js'

const SEED = 20261201
const SIZES = [1_000, 5_000]
const WALL_TARGET = 1.05

function generate(analysis: PlanAnalysis, maxJobs?: number): NeedsWorkflow {
  return renderNeedsWorkflow(analysis, {
    settings: DEFAULT_PARALLEL_SETTINGS,
    invocation: {
      plan: '.prd_runner/phase_plan.yaml',
      out: '.github/workflows/phases-graph.yml',
      ...(maxJobs === undefined ? {} : { maxJobs })
    }
  })
}

/** Wall minutes of a generated workflow: its jobs from jobIds, their needs from the plan. */
function wallMinutes(
  analysis: PlanAnalysis,
  workflow: NeedsWorkflow,
  jobStart: number
): number {
  const minutes = phaseDurations(analysis.plan).minutes
  const jobs = new Map<string, number>()
  workflow.jobIds.forEach(id => {
    if (id !== undefined && !jobs.has(id)) jobs.set(id, jobs.size)
  })
  const jobOf = workflow.jobIds.map(id =>
    id === undefined ? -1 : (jobs.get(id) ?? -1)
  )
  const preds: Set<number>[] = [...jobs.keys()].map(() => new Set<number>())
  const work = new Array<number>(jobs.size).fill(0)
  const through = needsThroughDone(analysis)
  jobOf.forEach((job, phase) => {
    if (job === -1) return
    work[job] = (work[job] ?? 0) + (minutes[phase] ?? 0)
    for (const dep of through[phase] ?? []) {
      const from = jobOf[dep] ?? -1
      if (from !== -1 && from !== job) preds[job]?.add(from)
    }
  })
  const timeline = dagTimeline(
    preds.map(set => [...set]),
    job => jobStart + (work[job] ?? 0)
  )
  return timeline.end + jobStart
}

/** One job per phase, whatever its size (the wall time GitHub would need if it started the file). */
function unpackedWall(analysis: PlanAnalysis, jobStart: number): number {
  const minutes = phaseDurations(analysis.plan).minutes
  return (
    dagTimeline(needsThroughDone(analysis), phase =>
      analysis.plan.phases[phase]?.done === true
        ? 0
        : jobStart + (minutes[phase] ?? 0)
    ).end + jobStart
  )
}

export function packedNeedsGraphRows(
  analyse: (plan: Plan) => PlanAnalysis,
  jobStart: number
): void {
  console.log(
    `\nThe packed needs graph (generate --max-jobs N; generate alone packs only over ${MAX_WORKFLOW_BYTES} bytes) ÷ one job per phase, wall time; job start ${jobStart} min, phases of a job one after another:\n`
  )
  const lines = [
    '| phases | workflow | jobs | bytes | wall ÷ one job per phase | ms |',
    '|--:|---|--:|--:|--:|--:|'
  ]
  let sizeMet = true
  let wallMet = true
  let wallMeasured = false
  for (const n of SIZES) {
    const analysis = analyse(randomPlan(n, SEED + n))
    const unpacked = unpackedWall(analysis, jobStart)
    const floor = workflowSizeLowerBound(analysis)
    const cases: [string, number | undefined][] = [
      ['generate (as it chooses)', undefined],
      ['--max-jobs N (chains only)', n],
      [`--max-jobs ${n / 4}`, n / 4],
      [`--max-jobs ${n / 10}`, n / 10]
    ]
    for (const [label, maxJobs] of cases) {
      const start = performance.now()
      const workflow = generate(analysis, maxJobs)
      const ms = performance.now() - start
      const ok = workflow.problems.length === 0
      const jobs =
        workflow.packed?.jobs ??
        workflow.jobIds.filter(id => id !== undefined).length
      const ratio = wallMinutes(analysis, workflow, jobStart) / unpacked
      const bytes = ok
        ? String(workflow.bytes)
        : `${workflow.bytes} (over ${MAX_WORKFLOW_BYTES})`
      const shown =
        workflow.packed === undefined
          ? `${label}: one job per phase`
          : `${label}: packed${workflow.packed.exact ? ', exact' : ''}`
      lines.push(
        `| ${n} | ${shown} | ${jobs} | ${bytes} | ${ratio.toFixed(3)}× | ${ms.toFixed(0)} |`
      )
      if (
        maxJobs === undefined &&
        (!ok || workflow.bytes > MAX_WORKFLOW_BYTES)
      ) {
        sizeMet = false
      }
      // Where one job per phase fits too, what generate writes (and chains) must keep its pace.
      const bothFit = floor <= MAX_WORKFLOW_BYTES && ok
      if (bothFit && workflow.packed !== undefined && maxJobs === n) {
        wallMet &&= ratio <= WALL_TARGET
        wallMeasured = true
      }
    }
    if (floor > MAX_WORKFLOW_BYTES) {
      lines.push(
        `| ${n} | one job per phase | ${n} | ≥ ${floor} (over ${MAX_WORKFLOW_BYTES}) | 1.000× | |`
      )
    }
  }
  docTable('packed-graph', [
    ...lines,
    '',
    `${SIZES.at(-1)} phases within ${MAX_WORKFLOW_BYTES} bytes: ${sizeMet ? 'met' : 'NOT met'}; the packed graph within ${WALL_TARGET}× of one job per phase where both fit: ${wallMeasured ? (wallMet ? 'met' : 'NOT met') : 'not measured (no plan where both fit)'}.`
  ])
}
