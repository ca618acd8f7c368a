// The edge of every action, in one place: the only module that reads action
// inputs and the run context the runner gives each step (repository, event,
// run id and attempt, runner name, API URL, workspace, job summary file).
// Each action gets one typed settings object (its inputs plus `run`);
// nothing below this module reads the environment or @actions/github's
// context.
import { readFileSync } from 'node:fs'
import { z } from 'zod'
import { UsageError } from '../plan/errors.js'
import { MAX_LEG_CONCURRENCY, MAX_WORKERS } from '../plan/types.js'
import {
  readNeededOutputs,
  readWaveJobs,
  waveJobSchema
} from '../plan/leg-inputs.js'
import * as core from '@actions/core'
import {
  CheckInputs,
  DEFAULT_CONFIG_PATH,
  DEFAULT_PLAN_PATH,
  ExecInputs,
  PlanInputs,
  SettleInputs
} from './constants.js'

type Env = Readonly<Record<string, string | undefined>>

const pullRequestEvent = z.object({
  pull_request: z.object({
    number: z.number().int().positive(),
    base: z.object({ sha: z.string().min(1) })
  })
})

const runContextSchema = z.object({
  /** GITHUB_REPOSITORY split; undefined outside a runner. */
  repository: z.object({ owner: z.string(), repo: z.string() }).optional(),
  /** GITHUB_EVENT_NAME ('' when not given). */
  eventName: z.string(),
  /** GITHUB_EVENT_PATH, the event payload file ('' when not given). */
  eventPath: z.string(),
  /** GITHUB_RUN_ID; undefined outside a runner. */
  runId: z.number().int().positive().optional(),
  /** GITHUB_RUN_ATTEMPT: 1 for the first run, +1 for each re-run. */
  runAttempt: z.number().int().positive(),
  /** RUNNER_NAME, the runner this job runs on (the jobs API's runner_name). */
  runnerName: z.string().optional(),
  /** GITHUB_API_URL, the API root. */
  apiUrl: z.string().min(1),
  /** GITHUB_WORKSPACE, where the repository is checked out. */
  workspace: z.string().optional(),
  /** The step's working directory (relative input paths start there). */
  cwd: z.string().min(1),
  /** Whether GITHUB_STEP_SUMMARY names a file (false outside a runner). */
  stepSummary: z.boolean()
})
export type RunContext = z.infer<typeof runContextSchema>

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value
}

/** What the runner tells every step about the run. */
export function readRunContext(
  env: Env = process.env,
  cwd: string = process.cwd()
): RunContext {
  const [owner, repo] = (env['GITHUB_REPOSITORY'] ?? '').split('/')
  const attempt = env['GITHUB_RUN_ATTEMPT'] ?? ''
  const runId = env['GITHUB_RUN_ID'] ?? ''
  return runContextSchema.parse({
    repository: owner && repo ? { owner, repo } : undefined,
    eventName: env['GITHUB_EVENT_NAME'] ?? '',
    eventPath: env['GITHUB_EVENT_PATH'] ?? '',
    runId: /^[1-9]\d{0,15}$/.test(runId) ? Number(runId) : undefined,
    runAttempt: /^[1-9]\d{0,8}$/.test(attempt) ? Number(attempt) : 1,
    runnerName: nonEmpty(env['RUNNER_NAME']),
    apiUrl: nonEmpty(env['GITHUB_API_URL']) ?? 'https://api.github.com',
    workspace: nonEmpty(env['GITHUB_WORKSPACE']),
    cwd,
    stepSummary: nonEmpty(env['GITHUB_STEP_SUMMARY']) !== undefined
  })
}

/** The pull request of the event payload (number, base commit), or undefined. */
export function pullRequestOfEvent(
  run: RunContext
): { number: number; baseSha: string } | undefined {
  if (run.eventPath === '') return undefined
  let payload: unknown
  try {
    payload = JSON.parse(readFileSync(run.eventPath, 'utf8'))
  } catch {
    return undefined
  }
  const parsed = pullRequestEvent.safeParse(payload)
  if (!parsed.success) return undefined
  return {
    number: parsed.data.pull_request.number,
    baseSha: parsed.data.pull_request.base.sha
  }
}

/** What to pass for each required input, said when it is empty. */
const REQUIRED = {
  [SettleInputs.state]:
    'Pass the state output of the plan step or of the previous settle step.',
  [ExecInputs.phases]: "Pass the leg's phases: ${{ toJSON(matrix.phases) }}."
} as const

/** A required input: '' is a UsageError that says what to pass. */
function readRequired(name: keyof typeof REQUIRED): string {
  const value = core.getInput(name).trim()
  if (value === '') {
    throw new UsageError(`Input '${name}' is empty. ${REQUIRED[name]}`)
  }
  return value
}

/** A token input, masked in the log from here on. */
function readToken(name: string): string {
  const token = core.getInput(name)
  if (token !== '') core.setSecret(token)
  return token
}

/** An optional whole number input: '' means "not given". */
function readCount(name: string, max?: number): number | undefined {
  const raw = core.getInput(name).trim()
  if (raw === '') return undefined
  const n = /^\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isSafeInteger(n) || (max !== undefined && n > max)) {
    throw new UsageError(
      max === undefined
        ? `Invalid input '${name}': '${raw}'. Expected a whole number (0 or more).`
        : `Invalid input '${name}': '${raw}'. Expected a whole number from 0 (no limit) to ${max}.`
    )
  }
  return n
}

/** An optional whole number ≥ 1 ('' means "not given"). */
function readPositive(name: string): number | undefined {
  const n = readCount(name)
  if (n === 0) {
    throw new UsageError(
      `Invalid input '${name}': '0'. Expected a whole number from 1.`
    )
  }
  return n
}

/** An optional boolean input: '' means "not given". */
function readFlag(name: string): boolean | undefined {
  const raw = core.getInput(name).trim()
  if (raw === '') return undefined
  if (/^(true|True|TRUE)$/.test(raw)) return true
  if (/^(false|False|FALSE)$/.test(raw)) return false
  throw new UsageError(
    `Invalid input '${name}': '${raw}'. Expected true or false.`
  )
}

const planSettingsSchema = z.object({
  planPath: z.string().min(1),
  configPath: z.string().min(1),
  /** True when the config path was given (a missing file is then an error). */
  configExplicit: z.boolean(),
  maxWorkers: z.number().int().nonnegative().optional(),
  failFast: z.boolean().optional(),
  maxWaves: z.number().int().nonnegative(),
  /** An estimates file (phase id → minutes); undefined when not given. */
  estimatesPath: z.string().min(1).optional(),
  /** Packed legs for rounds over max-workers (default true). */
  pack: z.boolean(),
  /** Phases of a leg at once that rounds are planned for; undefined: 1. */
  legConcurrency: z.number().int().positive().optional(),
  /** A store of passed phases (phase id → input hash); undefined when not given. */
  passedPath: z.string().min(1).optional(),
  run: runContextSchema
})
export type PlanSettings = z.infer<typeof planSettingsSchema>

export function readPlanSettings(): PlanSettings {
  const config = core.getInput(PlanInputs.config).trim()
  return planSettingsSchema.parse({
    planPath: core.getInput(PlanInputs.plan).trim() || DEFAULT_PLAN_PATH,
    configPath: config || DEFAULT_CONFIG_PATH,
    configExplicit: config !== '',
    maxWorkers: readCount(PlanInputs.maxWorkers, MAX_WORKERS),
    failFast: readFlag(PlanInputs.failFast),
    maxWaves: readCount(PlanInputs.maxWaves) ?? 0,
    estimatesPath: core.getInput(PlanInputs.estimates).trim() || undefined,
    pack: readFlag(PlanInputs.pack) ?? true,
    legConcurrency: readLegConcurrency(PlanInputs.legConcurrency, 'one core'),
    passedPath: core.getInput(PlanInputs.passed).trim() || undefined,
    run: readRunContext()
  })
}

export {
  readWaveJobs,
  ROUND_ENV_PREFIX,
  type WaveJob
} from '../plan/leg-inputs.js'

const settleSettingsSchema = z.object({
  state: z.string().min(1),
  allowFailure: z.boolean(),
  /** How the wave job of each round ended, with its legs' records. */
  waveJobs: z.map(z.number(), waveJobSchema),
  /** Where to write the `durations` JSON ('' → nowhere). */
  durationsFile: z.string(),
  /**
   * The store of passed phases: read as the old store when it exists, and
   * written with this run's passes merged in (undefined → neither).
   */
  passedFile: z.string().min(1).optional(),
  /** Wave jobs run so far (settle-k: k); 0 when not given. */
  roundsRun: z.number().int().nonnegative(),
  /**
   * A generated needs graph's `toJSON(needs.*.outputs.passed)`, as given:
   * with it settle only writes the store (undefined → the waves report).
   */
  graphPassed: z.string().min(1).optional(),
  /**
   * With graphPassed: the file the save job wrote its needed jobs'
   * `toJSON(needs.*.outputs.phase-outputs)` to (undefined → no outputs
   * are stored).
   */
  graphOutputsFile: z.string().min(1).optional(),
  run: runContextSchema
})
export type SettleSettings = z.infer<typeof settleSettingsSchema>

export function readSettleSettings(): SettleSettings {
  return settleSettingsSchema.parse({
    state: readRequired(SettleInputs.state),
    allowFailure: readFlag(SettleInputs.allowFailure) ?? false,
    waveJobs: readWaveJobs(process.env),
    durationsFile: core.getInput(SettleInputs.durationsFile).trim(),
    passedFile: core.getInput(SettleInputs.passedFile).trim() || undefined,
    roundsRun: readCount(SettleInputs.roundsRun) ?? 0,
    graphPassed: core.getInput(SettleInputs.graphPassed).trim() || undefined,
    graphOutputsFile:
      core.getInput(SettleInputs.graphOutputsFile).trim() || undefined,
    run: readRunContext()
  })
}

const checkSettingsSchema = z.object({
  planPath: z.string().min(1),
  configPath: z.string().min(1),
  configExplicit: z.boolean(),
  workflowPath: z.string().optional(),
  comment: z.boolean(),
  githubToken: z.string(),
  run: runContextSchema,
  /** The pull request this run is for (with comment: true), from the event payload. */
  pullRequest: z
    .object({
      number: z.number().int().positive(),
      baseSha: z.string().min(1)
    })
    .optional()
})
export type CheckSettings = z.infer<typeof checkSettingsSchema>

export function readCheckSettings(): CheckSettings {
  const config = core.getInput(CheckInputs.config).trim()
  const workflow = core.getInput(CheckInputs.workflow).trim()
  const githubToken = readToken(CheckInputs.githubToken)
  const comment = readFlag(CheckInputs.comment) ?? false
  const run = readRunContext()
  return checkSettingsSchema.parse({
    planPath: core.getInput(CheckInputs.plan).trim() || DEFAULT_PLAN_PATH,
    configPath: config || DEFAULT_CONFIG_PATH,
    configExplicit: config !== '',
    workflowPath: workflow === '' ? undefined : workflow,
    comment,
    githubToken,
    run,
    pullRequest: comment ? pullRequestOfEvent(run) : undefined
  })
}

const execSettingsSchema = z.object({
  planPath: z.string().min(1),
  /** The config file (`parallel.retries`); '' for the default path, read when present. */
  configPath: z.string(),
  /** The phase ids of the leg, as given (parsePhaseList reads them). */
  phases: z.string(),
  /** The round the leg belongs to (its wave job); with `leg`, exec writes the record. */
  round: z.number().int().positive().optional(),
  /** The leg's place in its round's matrix, `matrix.leg`. */
  leg: z.number().int().positive().optional(),
  /** Legs of its round (`strategy.job-total`): the leg's share of the round's outputs. */
  legs: z.number().int().positive().optional(),
  /** Earlier rounds' wave jobs (env PHASE_MATRIX_ROUND_<k>): their phases' outputs. */
  waveJobs: z.map(z.number(), waveJobSchema),
  /** Outputs of needed jobs of a needs graph (env PHASE_MATRIX_NEEDS_<n>), each `{"<id>": {…}}` JSON. */
  neededOutputs: z.array(z.string()),
  /** Phases of the leg at once; undefined: the runner's cores. */
  legConcurrency: z.number().int().positive().optional(),
  /** The plan step's `unchanged` (JSON ids), as given: phases not run; undefined for none. */
  unchanged: z.string().min(1).optional(),
  run: runContextSchema
})
export type ExecSettings = z.infer<typeof execSettingsSchema>

export function readExecSettings(): ExecSettings {
  return execSettingsSchema.parse({
    phases: readRequired(ExecInputs.phases),
    planPath: core.getInput(ExecInputs.plan).trim() || DEFAULT_PLAN_PATH,
    configPath: core.getInput(ExecInputs.config).trim(),
    round: readPositive(ExecInputs.round),
    leg: readPositive(ExecInputs.leg),
    legs: readPositive(ExecInputs.legs),
    waveJobs: readWaveJobs(process.env),
    neededOutputs: readNeededOutputs(process.env),
    legConcurrency: readLegConcurrency(
      ExecInputs.legConcurrency,
      "the runner's cores"
    ),
    unchanged: core.getInput(ExecInputs.unchanged).trim() || undefined,
    run: readRunContext()
  })
}

/** `leg-concurrency`: 1 to MAX_LEG_CONCURRENCY, '' for the default (`fallback` says which). */
function readLegConcurrency(
  name: string,
  fallback: string
): number | undefined {
  const n = readPositive(name)
  if (n !== undefined && n > MAX_LEG_CONCURRENCY) {
    throw new UsageError(
      `Invalid input '${name}': '${n}'. Expected a whole number from 1 to ${MAX_LEG_CONCURRENCY}, or nothing for ${fallback}.`
    )
  }
  return n
}
