// The data every part of phase-matrix shares: a loaded plan, its problems,
// and the result of analysing its graph. Types, and at the end the retries
// a phase gets (the one rule derived from its fields that every mode uses).

/** 1-based line and column in a source file. */
export interface SourcePosition {
  line: number
  column: number
}

export type ProblemCode =
  | 'yaml'
  | 'schema'
  | 'empty-plan'
  | 'duplicate-id'
  | 'unknown-dependency'
  | 'self-dependency'
  | 'cycle'
  | 'file-not-found'
  | 'too-many-waves'
  | 'too-large'
  | 'stale-workflow'
  // warnings
  | 'unknown-key'
  | 'duplicate-dependency'
  | 'done-before-deps'
  | 'permissions'

export type Severity = 'error' | 'warning'

/** One thing wrong with a plan, where it is, and (for cycles) the cycle. */
export interface Problem {
  code: ProblemCode
  severity: Severity
  message: string
  file: string
  line: number
  column: number
  /** For `cycle`: each id is depended on by the next; the last equals the first. */
  cycle?: string[]
}

/** One phase as written in the plan, aliases resolved. */
export interface Phase {
  id: string
  /** Display name (`name`, alias `title`). */
  name?: string
  /** `description`, alias `summary`. */
  description?: string
  /** Ids this phase depends on, in the order written, without duplicates. */
  deps: string[]
  parallelGroup?: string
  /** Shell command (`run`, alias `test_command`). */
  run?: string
  runsOn?: string | string[]
  timeoutMinutes?: number
  estimateMinutes?: number
  /**
   * Globs of the files the phase reads (`inputs:`, in order, `!` excludes);
   * absent (or empty) when the phase is never reused and always runs.
   */
  inputs?: string[]
  /** `retries:`: runs after a failure or timeout, 0..MAX_RETRIES (absent: the config's). */
  retries?: number
  /** Origin format, as written (`done` means already succeeded). */
  status?: string
  /**
   * `status: done`, read once when the plan is loaded, case-insensitively
   * (isDoneStatus). Every mode and output asks this, never `status`.
   */
  done: boolean
  /**
   * Where long text values (`run`, `description`, `name`, `id`) are written;
   * only for values long enough to matter for env-limits.ts.
   */
  valueAt?: Partial<
    Record<'run' | 'description' | 'name' | 'id', SourcePosition>
  >
  /** Position of the phase in the plan (0-based). */
  index: number
  /** Where the phase's mapping starts. */
  position: SourcePosition
  /** Where each entry of `deps` is written (same order as `deps`). */
  depPositions: SourcePosition[]
}

interface ResourceLimits {
  maxMemoryMb?: number
  maxCpuPercent?: number
}

/** `.prd_runner/config.yaml` → `parallel:`, after CLI flags and inputs are applied. */
export interface ParallelSettings {
  enabled: boolean
  /** 0 means no limit. */
  maxWorkers: number
  failFast: boolean
  /** `parallel.retries`: the retries of a phase without its own. */
  retries?: number
  resourceLimits?: ResourceLimits
}

/**
 * The most workers a limit may name: GitHub runs at most 256 jobs of a
 * matrix (strategy.max-parallel above that means nothing).
 */
export const MAX_WORKERS = 256
/** Most phases one leg runs at once (`leg-concurrency`). */
export const MAX_LEG_CONCURRENCY = 256

/** Most `retries` of a phase: six runs at most. */
export const MAX_RETRIES = 5

/** The largest estimate_minutes (one week): totals stay finite. */
export const MAX_ESTIMATE_MINUTES = 10_080

export const DEFAULT_PARALLEL_SETTINGS: ParallelSettings = {
  enabled: true,
  maxWorkers: 0,
  failFast: false
}

export interface Plan {
  /** The file the plan was read from, as the user named it. */
  file: string
  phases: Phase[]
  /** `global_inputs:`: globs every phase with `inputs` also reads. */
  globalInputs?: string[]
}

/** The result of loading a plan file: a plan when it could be read at all. */
export interface LoadResult {
  plan?: Plan
  problems: Problem[]
}

interface CriticalPath {
  /** Ids along the longest chain by `estimate_minutes`, in execution order. */
  ids: string[]
  minutes: number
}

/** A valid plan and its graph. Phase indices refer to `plan.phases`. */
export interface PlanAnalysis {
  plan: Plan
  /** Waves of phase indices, each in plan order. Wave 1 is `waves[0]`. */
  waves: number[][]
  /** 0-based wave of each phase. */
  waveOf: number[]
  /** Indices of each phase's dependencies. */
  depsOf: number[][]
  /** Indices of the phases that depend on each phase, in plan order. */
  dependentsOf: number[][]
  /** Size of the largest wave. */
  maxParallelism: number
  criticalPath: CriticalPath
  /** Sum of all estimates (sequential time). */
  totalMinutes: number
  /** How many phases have an `estimate_minutes`. */
  estimatedCount: number
}

// Retries of a phase (`retries:`, default `parallel.retries`): how many
// times it may run, and the time its job must allow for them. Pure, O(1).

/** Runs a phase may get: 1 + its retries. */
export function maxAttempts(phase: Phase): number {
  return 1 + (phase.retries ?? 0)
}

/**
 * The minutes a job running the phase must allow (each attempt gets the
 * phase's timeout-minutes); undefined without a timeout.
 */
export function timeoutWithRetries(phase: Phase): number | undefined {
  return phase.timeoutMinutes === undefined
    ? undefined
    : phase.timeoutMinutes * maxAttempts(phase)
}

/**
 * The config's `parallel.retries` given to every phase without its own:
 * the plan step and exec read the config; settle, which needs no retries,
 * does not. Mutates the phases, once, when the plan is loaded.
 */
export function applyDefaultRetries(
  phases: Phase[],
  settings: Pick<ParallelSettings, 'retries'>
): void {
  if (settings.retries === undefined || settings.retries === 0) return
  for (const phase of phases) phase.retries ??= settings.retries
}
