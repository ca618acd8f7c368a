// The one sequence every entry point runs: read the config and the plan,
// analyse the plan even when loading found errors (so one run reports every
// problem), and resolve the settings. CLI, plan, settle and check all use it.
import { readConfigFile, readPlanFile } from './repo/files.js'
import { analyzePlan } from './plan/analyze.js'
import { resolveSettings } from './plan/config.js'
import { applyDefaultRetries } from './plan/retries.js'
import { sortProblems } from './plan/problem-order.js'
import type {
  ParallelSettings,
  Plan,
  PlanAnalysis,
  Problem
} from './plan/types.js'

export interface LoadPlanOptions {
  planPath: string
  /** No config at all when omitted (settle reads only the plan). */
  config?: { path: string; explicit: boolean }
  overrides?: { maxWorkers?: number; failFast?: boolean }
}

export interface LoadedPlan {
  /** The plan as read, when the file could be read and parsed at all. */
  plan?: Plan
  /** Present only when no problem is an error. */
  analysis?: PlanAnalysis
  settings: ParallelSettings
  /** Config, load and graph problems (errors and warnings), sorted by file, line and column. */
  problems: Problem[]
}

export function loadPlan(options: LoadPlanOptions): LoadedPlan {
  const config =
    options.config === undefined
      ? { settings: {}, problems: [] }
      : readConfigFile(options.config.path, options.config.explicit)
  const loaded = readPlanFile(options.planPath)
  const problems = [...config.problems, ...loaded.problems]
  const settings = resolveSettings(config.settings, options.overrides ?? {})
  if (loaded.plan === undefined) {
    return { settings, problems: sortProblems(problems) }
  }
  if (options.config !== undefined)
    applyDefaultRetries(loaded.plan.phases, settings)
  const analysed = analyzePlan(loaded.plan)
  const sorted = sortProblems([...problems, ...analysed.problems])
  const valid = !sorted.some(problem => problem.severity === 'error')
  return valid && analysed.analysis !== undefined
    ? {
        plan: loaded.plan,
        analysis: analysed.analysis,
        settings,
        problems: sorted
      }
    : { plan: loaded.plan, settings, problems: sorted }
}
