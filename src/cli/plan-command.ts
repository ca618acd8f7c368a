// `phase-matrix plan`: load the config and the plan, analyse the graph, and
// print the waves as feature-prd-runner's text, a dependency tree, JSON or Mermaid.
// Also exports the load step the other plan-reading commands share.
import { loadPlan } from '../repo/files.js'
import path from 'node:path'
import { DEFAULT_CONFIG_PATH, DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { UsageError } from '../plan/errors.js'
import {
  type ParallelSettings,
  type PlanAnalysis,
  type Problem,
  MAX_LEG_CONCURRENCY
} from '../plan/types.js'
import { renderPlanJson, renderProblemsJson } from '../render/json.js'
import { envLimitWarnings } from '../plan/env-limits.js'
import { renderMermaid } from '../render/mermaid.js'
import {
  formatProblems,
  renderPlanText,
  renderTree,
  renderRoundsText
} from '../render/text.js'
import { packingOf } from '../plan/packing.js'
import { MATRIX_LEG_LIMIT } from '../plan/leg-record.js'
import { REUSABLE_WORKFLOW_WAVES } from '../render/reusable-workflow.js'
import { terminalSafe } from '../render/safe-text.js'
import { GitIndexError, readUnchanged } from '../repo/passed.js'
import { resolveFrom } from '../repo/files.js'
import {
  COMMON_FLAGS,
  fileFlag,
  flagsCommand,
  type FlagValues,
  ExitCode,
  type CliIo
} from './command.js'

const PLAN_COMMAND = {
  name: 'plan',
  where: 'the plan file goes after --plan',
  flags: {
    tree: {
      kind: 'boolean',
      description:
        "feature-prd-runner's Phase Dependency Tree instead of batches"
    },
    rounds: {
      kind: 'boolean',
      description:
        'the rounds the reusable workflow hands out (levels folded into legs) instead of batches'
    },
    'max-waves': {
      kind: 'integer',
      value: 'N',
      min: 1,
      max: 999,
      description: `with --rounds: the wave jobs there are (default ${REUSABLE_WORKFLOW_WAVES}, the reusable workflow's)`
    },
    'leg-concurrency': {
      kind: 'integer',
      value: 'N',
      min: 1,
      max: MAX_LEG_CONCURRENCY,
      description:
        "with --rounds: cores a leg's rounds are planned for (default 1, as the plan action)"
    },
    format: {
      kind: 'string',
      value: 'FORMAT',
      choices: ['text', 'json', 'mermaid'],
      description: 'text (default), json or mermaid'
    },
    passed: fileFlag(
      'store {"<id>": "<input hash>"} of phases that passed: a phase whose hash is the same is unchanged (runs in no job)'
    ),
    ...COMMON_FLAGS
  },
  about: `Usage: phase-matrix plan [--tree | --rounds [--max-waves N] [--leg-concurrency N]]
                        [--format text|json|mermaid] [--passed FILE] [flags]

Show which phases run together (waves, feature-prd-runner's "batches"),
which wait, and every problem in the plan with its line and column.
With --rounds: the rounds of a green run of the reusable workflow, which
levels each covers and the phases each leg carries, in the order exec
runs them (max-workers legs a round).
With --passed FILE, which phases are unchanged: their input hash
('phase-matrix hash') is the one stored, and so is every dependency's
(or it is done); they run in no leg and no job and count as succeeded.
`
} as const

/** The flag values `plan` is given. */
type PlanValues = FlagValues<typeof PLAN_COMMAND.flags>

/** A plan read and analysed for a command, with every problem found. */
export interface LoadedPlan {
  settings: ParallelSettings
  /** Present only when there is no error. */
  analysis?: PlanAnalysis
  /** Config, load and graph problems (errors and warnings), in that order. */
  problems: Problem[]
  /** 0, 1 (invalid plan) or 2 (unreadable file). */
  exitCode: number
}

/** Codes that mean a file could not be read at all (exit 2, not 1). */
const UNREADABLE = new Set<string>(['file-not-found', 'too-large'])

/** The exit code for a set of problems: warnings never change it. */
function exitCodeFor(problems: readonly Problem[]): number {
  const errors = problems.filter(p => p.severity === 'error')
  if (errors.some(p => UNREADABLE.has(p.code))) return ExitCode.usage
  return errors.length > 0 ? ExitCode.invalidPlan : ExitCode.ok
}

/**
 * Reads config and plan relative to `io.cwd` (file names in problems stay as
 * the user wrote them when `io.cwd` is the process's folder), applies the
 * flags over the config and analyses the plan.
 */
export function loadPlanForCli(
  values: FlagValues<typeof COMMON_FLAGS>,
  io: CliIo
): LoadedPlan {
  const where = (file: string): string =>
    file === '-' ||
    path.isAbsolute(file) ||
    path.resolve(io.cwd) === process.cwd()
      ? file
      : path.join(io.cwd, file)
  const overrides: { maxWorkers?: number; failFast?: boolean } = {}
  if (values['max-workers'] !== undefined) {
    overrides.maxWorkers = values['max-workers']
  }
  if (values['fail-fast'] === true) overrides.failFast = true
  const { analysis, settings, problems } = loadPlan({
    planPath: where(values.plan ?? DEFAULT_PLAN_PATH),
    config: {
      path: where(values.config ?? DEFAULT_CONFIG_PATH),
      explicit: values.config !== undefined
    },
    overrides
  })
  const exitCode = exitCodeFor(problems)
  return exitCode === ExitCode.ok
    ? { settings, analysis, problems, exitCode }
    : { settings, problems, exitCode }
}

/**
 * By plan index, the phases `--passed FILE` makes unchanged (undefined
 * without the flag), its warnings on standard error; a repository that
 * cannot be hashed is a UsageError.
 */
export async function unchangedForCli(
  analysis: PlanAnalysis,
  file: string | undefined,
  command: string,
  io: CliIo
): Promise<boolean[] | undefined> {
  if (file === undefined) return undefined
  if (file === '-') {
    throw new UsageError(
      '--passed takes a file (standard input may hold the plan): name the store, like --passed passed.json'
    )
  }
  try {
    const found = await readUnchanged(
      analysis,
      resolveFrom(io.cwd, file),
      file,
      io.cwd
    )
    for (const warning of found.warnings) {
      io.stderr(`phase-matrix ${command}: warning: ${terminalSafe(warning)}\n`)
    }
    return found.unchanged
  } catch (error) {
    if (error instanceof GitIndexError) {
      throw new UsageError(`--passed ${file}: ${error.message}`)
    }
    throw error
  }
}

async function plan(values: PlanValues, io: CliIo): Promise<number> {
  const format = values.format ?? 'text'
  for (const view of ['tree', 'rounds'] as const) {
    if (values[view] === true && format !== 'text') {
      throw new UsageError(
        `--${view} is a text view and cannot be combined with --format ${format}`
      )
    }
  }
  if (values.tree === true && values.rounds === true) {
    throw new UsageError('--tree and --rounds are two views: give one')
  }

  const loaded = loadPlanForCli(values, io)
  const { analysis } = loaded
  // What the waves mode would refuse (values too long for an env string) is a warning here.
  if (analysis !== undefined)
    loaded.problems.push(...envLimitWarnings(analysis.plan))
  const warnings = loaded.problems.filter(p => p.severity === 'warning')
  if (analysis === undefined) {
    if (format === 'json') io.stdout(renderProblemsJson(loaded.problems))
    else io.stderr(formatProblems(loaded.problems, { colour: io.colourErr }))
    return loaded.exitCode
  }
  if (warnings.length > 0) {
    io.stderr(formatProblems(warnings, { colour: io.colourErr }))
  }
  const unchanged = await unchangedForCli(analysis, values.passed, 'plan', io)
  if (values.rounds === true) {
    const workers = loaded.settings.maxWorkers
    io.stdout(
      renderRoundsText(analysis, unchanged, {
        ...packingOf(analysis, {
          pack: true,
          maxWorkers: workers > 0 ? workers : MATRIX_LEG_LIMIT
        }),
        maxRounds: values['max-waves'] ?? REUSABLE_WORKFLOW_WAVES,
        cores: values['leg-concurrency'] ?? 1
      })
    )
    return ExitCode.ok
  }
  io.stdout(
    render(analysis, format, values.tree === true, loaded, io, unchanged)
  )
  return ExitCode.ok
}

function render(
  analysis: PlanAnalysis,
  format: 'text' | 'json' | 'mermaid',
  tree: boolean,
  loaded: LoadedPlan,
  io: CliIo,
  unchanged: boolean[] | undefined
): string {
  const { phases } = analysis.plan
  const settled = (index: number): boolean =>
    phases[index]?.done === true || unchanged?.[index] === true
  switch (format) {
    case 'json':
      return renderPlanJson(
        analysis,
        loaded.settings,
        loaded.problems.filter(p => p.severity === 'warning'),
        unchanged
      )
    case 'mermaid':
      return renderMermaid(analysis, {
        outcomeOf: index => (settled(index) ? 'succeeded' : undefined)
      })
    case 'text':
      return tree
        ? renderTree(analysis, {
            colour: io.colour,
            ...(unchanged === undefined ? {} : { unchanged })
          })
        : renderPlanText(analysis, {
            settings: loaded.settings,
            colour: io.colour,
            ...(unchanged === undefined ? {} : { unchanged })
          })
  }
}

/** `phase-matrix plan`; throws UsageError for bad flags (see cli.ts). */
export const runPlanCommand = flagsCommand(PLAN_COMMAND, plan)
