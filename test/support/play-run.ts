// A whole run of the reusable workflow (.github/workflows/phases.yml),
// played with the bundles as processes, job by job as GitHub chains them:
// the plan step; for each round its wave job, one leg per matrix entry, each
// leg either the real exec bundle (its `record` output, the job status from
// its exit) or an output built with wave-records.ts for what exec cannot
// produce; the legs' outputs combined into `needs.wave-k`; settle-k with
// env PHASE_MATRIX_ROUND_1..k, `rounds-run: k` and `allow-failure: true`,
// run only where phases.yml runs it (the fast path skips it while every
// wave succeeds on attempt 1); then the report: settle once more on the
// last state with every round's `needs` and `rounds-run` the slot count.
// A re-run (attempt ≥ 2) keeps the plan job's outputs and the outputs of
// wave 1's legs that succeeded, as GitHub's "re-run failed jobs" does, and
// runs every later job again.
import { expect } from '@jest/globals'
import type { WaveJob } from '../../src/actions/inputs.js'
import { legOutputName } from '../../src/plan/leg-record.js'
import {
  EXEC_BUNDLE,
  PLAN_BUNDLE,
  SETTLE_BUNDLE,
  runAction,
  type ActionRun
} from './run-action.js'
import {
  legOutput,
  legsOf,
  phasesOfLeg,
  roundEnv,
  waveJob,
  type HandedOutLeg,
  type LegOutcome
} from './wave-records.js'

/** The wave slots of phases.yml (its `rounds-run` for the report). */
export const WAVE_SLOTS = 24

/** A leg run by the exec bundle; `jobStatus` overrides what its exit says (continue-on-error). */
export interface ExecLeg {
  exec: true
  jobStatus?: string
}

/** How a leg of a wave job is played: the exec bundle, or a built output. */
export type LegPlay = ExecLeg | LegOutcome

export const EXEC: ExecLeg = { exec: true }

function isExec(play: LegPlay): play is ExecLeg {
  return 'exec' in play
}

export interface WaveRun {
  round: number
  attempt: number
  legs: HandedOutLeg[]
  /** `needs.wave-<round>` as GitHub hands it on. */
  job: WaveJob
  /** The exec steps that ran, by leg number. */
  execs: Map<number, ActionRun>
}

export interface WaveOptions {
  cwd: string
  round: number
  attempt: number
  legs: HandedOutLeg[]
  /** The exec input `plan` ('' = the default path). */
  plan?: string
  play?: (leg: HandedOutLeg, round: number) => LegPlay
  /** Outputs kept from an earlier attempt for legs not run again. */
  kept?: ReadonlyMap<number, string>
  /** Exec steps at once (the legs of a matrix run side by side). */
  concurrency?: number
  env?: Record<string, string>
}

/** The exec step of one leg, with the wave job's inputs. */
export function execLeg(
  cwd: string,
  round: number,
  attempt: number,
  leg: HandedOutLeg,
  plan = '',
  env: Record<string, string> = {},
  legs?: number
): Promise<ActionRun> {
  return runAction(EXEC_BUNDLE, {
    cwd,
    inputs: {
      plan,
      // phases.yml: `matrix.phases && toJSON(matrix.phases) || matrix.id`
      phases: leg.phases === undefined ? leg.id : JSON.stringify(leg.phases),
      round: String(round),
      leg: String(leg.leg),
      // phases.yml: `strategy.job-total`
      legs: legs === undefined ? '' : String(legs)
    },
    env: { GITHUB_RUN_ATTEMPT: String(attempt), ...env }
  })
}

/** One wave job: its legs played, their outputs combined as `needs` has them. */
export async function runWave(options: WaveOptions): Promise<WaveRun> {
  const { cwd, round, attempt, legs } = options
  const values = new Map<number, { output: string; jobStatus: string }>()
  const execs = new Map<number, ActionRun>()
  const toExec: [HandedOutLeg, ExecLeg][] = []
  for (const leg of legs) {
    const kept = options.kept?.get(leg.leg)
    if (kept !== undefined) {
      values.set(leg.leg, {
        output: kept,
        jobStatus: kept.split(' ')[0] ?? ''
      })
      continue
    }
    const play = options.play?.(leg, round) ?? EXEC
    if (isExec(play)) {
      toExec.push([leg, play])
      continue
    }
    const output = legOutput(round, attempt, leg, play)
    values.set(leg.leg, {
      output,
      jobStatus:
        output === ''
          ? (play.jobStatus ?? 'failure')
          : (output.split(' ')[0] ?? '')
    })
  }
  let next = 0
  const worker = async (): Promise<void> => {
    for (let at = next++; at < toExec.length; at = next++) {
      const [leg, play] = toExec[at] ?? []
      if (leg === undefined || play === undefined) continue
      const run = await execLeg(
        cwd,
        round,
        attempt,
        leg,
        options.plan,
        options.env,
        legs.length
      )
      expect(run.stderr).not.toMatch(/Error: |TypeError|RangeError/)
      execs.set(leg.leg, run)
      const jobStatus =
        play.jobStatus ?? (run.status === 0 ? 'success' : 'failure')
      // format('{0} {1}', job.status, steps.exec.outputs.record)
      values.set(leg.leg, {
        output: `${jobStatus} ${run.outputs['record'] ?? ''}`,
        jobStatus
      })
    }
  }
  await Promise.all(
    Array.from({ length: options.concurrency ?? 4 }, () => worker())
  )
  const job = waveJob(round, attempt, legs, leg => {
    const value = values.get(leg.leg)
    return { output: value?.output ?? '', jobStatus: value?.jobStatus }
  })
  return { round, attempt, legs, job, execs }
}

export interface PlayOptions {
  cwd: string
  /** The plan input of every step ('' = the default path). */
  plan?: string
  planInputs?: Record<string, string>
  attempt?: number
  /** The report's allow-failure (settle-k always has true, as in phases.yml). */
  allowFailure?: boolean
  play?: (leg: HandedOutLeg, round: number, attempt: number) => LegPlay
  /** The run this one re-runs (attempt ≥ 2): its plan outputs and green wave-1 legs stay. */
  rerunOf?: Played
  /** More inputs of the report step (durations-file). */
  reportInputs?: Record<string, string>
  concurrency?: number
}

export interface Played {
  attempt: number
  plan: ActionRun
  waves: WaveRun[]
  /** The settle-k steps that ran, with k. */
  settles: { round: number; run: ActionRun }[]
  report: ActionRun
  /** Phase ids of each round's legs, one list per round. */
  rounds: string[][]
}

function envOf(attempt: number): Record<string, string> {
  return { GITHUB_RUN_ATTEMPT: String(attempt) }
}

/** A settle step with the wave jobs of `waves` in its env. */
export async function settleStep(options: {
  cwd: string
  state: string
  attempt?: number
  roundsRun: number
  allowFailure: boolean
  waves: ReadonlyMap<number, WaveJob>
  inputs?: Record<string, string>
}): Promise<ActionRun> {
  const run = await runAction(SETTLE_BUNDLE, {
    cwd: options.cwd,
    inputs: {
      state: options.state,
      'rounds-run': String(options.roundsRun),
      'allow-failure': options.allowFailure ? 'true' : 'false',
      ...options.inputs
    },
    env: { ...envOf(options.attempt ?? 1), ...roundEnv(options.waves) }
  })
  expect(run.stderr).toBe('')
  return run
}

/** `needs.wave-k` of a wave job GitHub skipped. */
const SKIPPED: WaveJob = { result: 'skipped', outputs: {} }

/** Plays a whole run of phases.yml; see the head of this file. */
export async function playRun(options: PlayOptions): Promise<Played> {
  const attempt = options.attempt ?? 1
  const { cwd } = options
  const planInput = options.plan ?? ''
  const plan =
    options.rerunOf?.plan ??
    (await runAction(PLAN_BUNDLE, {
      cwd,
      // phases.yml gives the plan step its wave slots.
      inputs: {
        plan: planInput,
        'max-waves': String(WAVE_SLOTS),
        ...options.planInputs
      },
      env: envOf(attempt)
    }))
  expect(plan.status).toBe(0)
  const fastRounds = Number(plan.outputs['fast-rounds'] ?? '0')
  const matrices = JSON.parse(plan.outputs['matrices'] || '[]') as unknown[]
  const waves: WaveRun[] = []
  const jobs = new Map<number, WaveJob>()
  const settles: { round: number; run: ActionRun }[] = []
  let state = plan.outputs['state'] ?? ''
  let matrix = plan.outputs['matrix']
  let hasWork = plan.outputs['has-work'] === 'true'
  // Once a settle job has run, every later wave takes its matrix from the
  // settle before it, and every later settle job runs.
  let settledYet = false
  for (let round = 1; hasWork; round++) {
    expect(round).toBeLessThanOrEqual(WAVE_SLOTS)
    const legs = legsOf(matrix)
    // A wave job never receives an empty matrix.
    expect(legs.length).toBeGreaterThan(0)
    const earlier = round === 1 ? options.rerunOf?.waves[0] : undefined
    const kept = new Map<number, string>()
    for (const [name, value] of Object.entries(earlier?.job.outputs ?? {})) {
      if (value.startsWith('success ')) kept.set(Number(name.slice(4)), value)
    }
    const wave = await runWave({
      cwd,
      round,
      attempt,
      legs,
      plan: planInput,
      play: (leg, r) => options.play?.(leg, r, attempt) ?? EXEC,
      kept,
      concurrency: options.concurrency,
      // phases.yml: each earlier wave job's `needs` in exec's env.
      env: roundEnv(jobs)
    })
    waves.push(wave)
    jobs.set(round, wave.job)
    const settleRuns =
      settledYet ||
      fastRounds < round ||
      wave.job.result !== 'success' ||
      attempt !== 1
    if (!settleRuns) {
      // The next wave takes the plan's matrix, if there is one.
      hasWork = round < fastRounds
      matrix = JSON.stringify(matrices[round])
      continue
    }
    const settled = await settleStep({
      cwd,
      state,
      attempt,
      roundsRun: round,
      allowFailure: true,
      waves: jobs
    })
    settledYet = true
    settles.push({ round, run: settled })
    expect(settled.status).toBe(0)
    state = settled.outputs['state'] ?? ''
    matrix = settled.outputs['matrix']
    hasWork = settled.outputs['has-work'] === 'true'
  }
  const all = new Map(jobs)
  for (let round = 1; round <= WAVE_SLOTS; round++)
    if (!all.has(round)) all.set(round, SKIPPED)
  const report = await settleStep({
    cwd,
    state,
    attempt,
    roundsRun: WAVE_SLOTS,
    allowFailure: options.allowFailure ?? false,
    waves: all,
    inputs: options.reportInputs
  })
  const rounds = waves.map(wave => wave.legs.flatMap(phasesOfLeg))
  return { attempt, plan, waves, settles, report, rounds }
}

/** The output name of leg `leg` (re-exported for tests that pick one). */
export { legOutputName }
