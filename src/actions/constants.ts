// One name table for inputs, outputs and defaults, used by code and tests.

export const DEFAULT_PLAN_PATH = '.prd_runner/phase_plan.yaml'
export const DEFAULT_CONFIG_PATH = '.prd_runner/config.yaml'

/** GitHub shows at most this many annotations of one kind per step. */
export const MAX_SHOWN_ANNOTATIONS = 10
/** GitHub's limit on the outputs of one job (all outputs together). */
export const MAX_JOB_OUTPUT_BYTES = 1024 * 1024
/** GitHub's limit on the job summary one step writes. */
export const MAX_SUMMARY_BYTES = 1024 * 1024
/** UTF-16 units of Markdown that surely fit that: one unit is at most 3 bytes of UTF-8. */
export const MAX_SUMMARY_CHARS = Math.floor(MAX_SUMMARY_BYTES / 3)

export const PlanInputs = {
  plan: 'plan',
  config: 'config',
  maxWorkers: 'max-workers',
  failFast: 'fail-fast',
  maxWaves: 'max-waves',
  estimates: 'estimates',
  pack: 'pack',
  legConcurrency: 'leg-concurrency',
  passed: 'passed'
} as const

export const PlanOutputs = {
  matrix: 'matrix',
  state: 'state',
  hasWork: 'has-work',
  waves: 'waves',
  waveCount: 'wave-count',
  phaseCount: 'phase-count',
  maxParallelism: 'max-parallelism',
  maxWorkers: 'max-workers',
  failFast: 'fail-fast',
  maxMemoryMb: 'max-memory-mb',
  maxCpuPercent: 'max-cpu-percent',
  needs: 'needs',
  mermaid: 'mermaid',
  matrices: 'matrices',
  fastRounds: 'fast-rounds',
  unchanged: 'unchanged',
  phaseOutputs: 'phase-outputs'
} as const

/** Plan outputs for reading, which the reusable workflow does not forward. */
export const INFORMATIONAL_PLAN_OUTPUTS: readonly string[] = [
  PlanOutputs.waves,
  PlanOutputs.needs,
  PlanOutputs.mermaid
]

export const SettleInputs = {
  state: 'state',
  allowFailure: 'allow-failure',
  durationsFile: 'durations-file',
  passedFile: 'passed-file',
  roundsRun: 'rounds-run',
  graphPassed: 'graph-passed',
  graphOutputsFile: 'graph-outputs-file'
} as const

export const SettleOutputs = {
  matrix: 'matrix',
  state: 'state',
  hasWork: 'has-work',
  succeeded: 'succeeded',
  failed: 'failed',
  skipped: 'skipped',
  flaky: 'flaky',
  phaseOutputs: 'phase-outputs',
  unchanged: 'unchanged',
  durations: 'durations',
  passed: 'passed'
} as const

export const ExecInputs = {
  phases: 'phases',
  plan: 'plan',
  config: 'config',
  round: 'round',
  leg: 'leg',
  legs: 'legs',
  legConcurrency: 'leg-concurrency',
  unchanged: 'unchanged'
} as const

export const ExecOutputs = {
  record: 'record',
  phaseOutputs: 'phase-outputs',
  succeeded: 'succeeded'
} as const

export const CheckInputs = {
  plan: 'plan',
  config: 'config',
  workflow: 'workflow',
  comment: 'comment',
  githubToken: 'github-token'
} as const

export const CheckOutputs = {
  valid: 'valid'
} as const
