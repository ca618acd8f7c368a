// The single reader of action inputs. Each action gets one typed settings
// object; nothing below this module reads the environment.
import { z } from 'zod'
import { UsageError } from '../plan/errors.js'
import { MAX_WORKERS } from '../plan/types.js'
import * as core from '@actions/core'
import {
  CheckInputs,
  DEFAULT_CONFIG_PATH,
  DEFAULT_PLAN_PATH,
  ExecInputs,
  PlanInputs,
  SettleInputs
} from './constants.js'

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
  pack: z.boolean()
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
    pack: readFlag(PlanInputs.pack) ?? true
  })
}

/** Input 'job-id': '' (an older runner without job.check_run_id) means "not given". */
function readJobId(): number | undefined {
  const raw = core.getInput(SettleInputs.jobId).trim()
  if (raw === '') return undefined
  if (!/^[1-9]\d{0,15}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new UsageError(
      `Invalid input '${SettleInputs.jobId}': '${raw}'. Expected the id of this job in the jobs API: \${{ job.check_run_id }}.`
    )
  }
  return Number(raw)
}

const settleSettingsSchema = z.object({
  state: z.string().min(1),
  githubToken: z.string(),
  allowFailure: z.boolean(),
  /** `job.check_run_id`: this job's id in the jobs API (absent: found by runner name). */
  jobId: z.number().int().positive().optional(),
  /** Where to write the `durations` JSON ('' → nowhere). */
  durationsFile: z.string(),
  /** Wave jobs run so far (settle-k: k); 0 when not given. */
  roundsRun: z.number().int().nonnegative()
})
export type SettleSettings = z.infer<typeof settleSettingsSchema>

export function readSettleSettings(): SettleSettings {
  const state = core.getInput(SettleInputs.state).trim()
  if (state === '') {
    throw new UsageError(
      `Input '${SettleInputs.state}' is empty. Pass the state output of the plan step or of the previous settle step.`
    )
  }
  const githubToken = core.getInput(SettleInputs.githubToken)
  if (githubToken !== '') core.setSecret(githubToken)
  return settleSettingsSchema.parse({
    state,
    githubToken,
    allowFailure: readFlag(SettleInputs.allowFailure) ?? false,
    jobId: readJobId(),
    durationsFile: core.getInput(SettleInputs.durationsFile).trim(),
    roundsRun: readCount(SettleInputs.roundsRun) ?? 0
  })
}

const checkSettingsSchema = z.object({
  planPath: z.string().min(1),
  configPath: z.string().min(1),
  configExplicit: z.boolean(),
  workflowPath: z.string().optional(),
  comment: z.boolean(),
  githubToken: z.string()
})
export type CheckSettings = z.infer<typeof checkSettingsSchema>

export function readCheckSettings(): CheckSettings {
  const config = core.getInput(CheckInputs.config).trim()
  const workflow = core.getInput(CheckInputs.workflow).trim()
  const githubToken = core.getInput(CheckInputs.githubToken)
  if (githubToken !== '') core.setSecret(githubToken)
  return checkSettingsSchema.parse({
    planPath: core.getInput(CheckInputs.plan).trim() || DEFAULT_PLAN_PATH,
    configPath: config || DEFAULT_CONFIG_PATH,
    configExplicit: config !== '',
    workflowPath: workflow === '' ? undefined : workflow,
    comment: readFlag(CheckInputs.comment) ?? false,
    githubToken
  })
}

const execSettingsSchema = z.object({
  planPath: z.string().min(1),
  /** The phase ids of the leg, as given (parsePhaseList reads them). */
  phases: z.string(),
  /** The leg's name for its marker ('' → the ids). */
  leg: z.string()
})
export type ExecSettings = z.infer<typeof execSettingsSchema>

export function readExecSettings(): ExecSettings {
  const phases = core.getInput(ExecInputs.phases).trim()
  if (phases === '') {
    throw new UsageError(
      `Input '${ExecInputs.phases}' is empty. Pass the leg's phases: \${{ toJSON(matrix.phases) }}.`
    )
  }
  return execSettingsSchema.parse({
    planPath: core.getInput(ExecInputs.plan).trim() || DEFAULT_PLAN_PATH,
    phases,
    leg: core.getInput(ExecInputs.leg).trim()
  })
}
