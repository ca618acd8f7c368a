// `phase-matrix simulate`: the timeline of a run from the phases' estimates
// in each mode (sequential, waves, graph, lanes), what a failure would skip,
// as text, JSON or a Mermaid Gantt chart.
import { describeFsError, resolveFrom } from '../repo/files.js'
import { errorCode } from '../plan/errors.js'
import { readFileSync } from 'node:fs'
import {
  DEFAULT_JOB_START_MINUTES,
  phaseDurations,
  withUnchanged
} from '../plan/durations.js'
import { UsageError } from '../plan/errors.js'
import { parseEstimatesFile } from '../plan/durations.js'
import { simulate, type SimulateOptions } from '../plan/simulate.js'
import { MAX_LEG_CONCURRENCY } from '../plan/types.js'
import { closestMatch } from '../plan/closest-id.js'
import { formatProblems } from '../render/text.js'
import { renderProblemsJson } from '../render/json.js'
import { REUSABLE_WORKFLOW_WAVES } from '../render/reusable-workflow.js'
import {
  renderSimulationGantt,
  renderSimulationJson,
  renderSimulationText
} from '../render/simulation.js'
import {
  COMMON_FLAGS,
  fileFlag,
  flagsCommand,
  type FlagValues,
  ExitCode,
  type CliIo
} from './command.js'
import { loadPlanForCli, unchangedForCli } from './plan-command.js'

/** Cores simulate gives a packed leg unless told: GitHub's standard Linux runner for private repositories. */
const DEFAULT_SIMULATED_CORES = 2

const SIMULATE_COMMAND = {
  name: 'simulate',
  where: 'the plan is --plan FILE',
  flags: {
    ...COMMON_FLAGS,
    fail: {
      kind: 'string',
      value: 'ID,...',
      description: 'these phases fail (after their whole estimate)'
    },
    'job-start': {
      kind: 'string',
      value: 'MIN',
      description: `minutes a job waits for its runner (default ${DEFAULT_JOB_START_MINUTES})`
    },
    estimates: fileFlag(
      'JSON {"<id>": minutes} overriding estimate_minutes (e.g. from past runs)'
    ),
    passed: fileFlag(
      'store {"<id>": "<input hash>"} of phases that passed: unchanged phases take no time and no job'
    ),
    'leg-concurrency': {
      kind: 'integer',
      value: 'N',
      min: 1,
      max: MAX_LEG_CONCURRENCY,
      description: `phases of a packed leg at once on its runner, 1 to ${MAX_LEG_CONCURRENCY} (default ${DEFAULT_SIMULATED_CORES}: the cores of GitHub's standard Linux runner for private repositories)`
    },
    'max-waves': {
      kind: 'integer',
      value: 'N',
      min: 1,
      max: 999,
      description: `wave jobs of the waves mode, which rounds fold levels to fit (default ${REUSABLE_WORKFLOW_WAVES}: the reusable workflow's)`
    },
    format: {
      kind: 'string',
      value: 'FORMAT',
      choices: ['text', 'json', 'mermaid'],
      description: 'text (default), json or mermaid (a Gantt chart)'
    }
  },
  about: `Usage: phase-matrix simulate [--max-workers N] [--fail ID,...] [--job-start MIN]
                            [--estimates FILE] [--passed FILE] [--leg-concurrency N]
                            [--max-waves N] [--format text|json|mermaid] [flags]

How long a run takes, from the phases' estimate_minutes (a phase without
one counts as the median of the others, or 1 minute), in each mode:
  sequential  one phase after another on one machine (no job starts)
  waves       the reusable workflow: plan job, one matrix per round, in at
              most --max-waves rounds (a round holds the ready phases and
              the chains that fit beside them, packed into max-workers
              legs, each running --leg-concurrency phases at once),
              settle jobs from the first failure on, report job
  graph       the generated needs graph: each phase job when its own deps
              end, then the gate job (ignores --max-workers)
  lanes       with --max-workers N: the needs graph on N worker lanes
              ('phase-matrix generate --max-workers N'), then the gate job
Every job waits --job-start minutes for its runner. Phases with status: done
take no time, and so do phases --passed FILE makes unchanged (their input
hash, 'phase-matrix hash', is the one stored): the saving is shown against
the same run with every phase running. With --fail, the failed phases run their whole estimate and
every transitive dependent is skipped. Also: the critical path, the total
work and the lower bound max(critical path, work / N). fail_fast is not
simulated.
`
} as const

/** The flag values `simulate` is given. */
type SimulateValues = FlagValues<typeof SIMULATE_COMMAND.flags>

function parseJobStart(raw: string | undefined): number {
  if (raw === undefined) return DEFAULT_JOB_START_MINUTES
  const value = /^\d+(\.\d+)?$/.test(raw) ? Number(raw) : Number.NaN
  if (!Number.isFinite(value) || value < 0) {
    throw new UsageError(
      `--job-start expects minutes as a number of at least 0 (like 0.5), got '${raw}'`
    )
  }
  return value
}

function readEstimates(file: string, io: CliIo): string {
  try {
    return readFileSync(resolveFrom(io.cwd, file), 'utf8')
  } catch (error) {
    const reason = describeFsError(errorCode(error)) ?? 'cannot be read'
    throw new UsageError(`--estimates ${file}: ${reason}`)
  }
}

async function simulateCommand(
  values: SimulateValues,
  io: CliIo
): Promise<number> {
  const jobStart = parseJobStart(values['job-start'])
  const legConcurrency = values['leg-concurrency'] ?? DEFAULT_SIMULATED_CORES
  const format = values.format ?? 'text'
  const loaded = loadPlanForCli(values, io)
  const { analysis } = loaded
  if (analysis === undefined) {
    if (format === 'json') io.stdout(renderProblemsJson(loaded.problems))
    else io.stderr(formatProblems(loaded.problems, { colour: io.colour }))
    return loaded.exitCode
  }
  const warnings = loaded.problems.filter(p => p.severity === 'warning')
  if (warnings.length > 0) {
    io.stderr(formatProblems(warnings, { colour: io.colour }))
  }
  const { phases } = analysis.plan
  const ids = phases.map(phase => phase.id)

  let overrides = new Map<string, number>()
  if (values.estimates !== undefined) {
    const file = values.estimates
    const parsed = parseEstimatesFile(readEstimates(file, io), file, ids)
    for (const warning of parsed.warnings) {
      io.stderr(`phase-matrix simulate: warning: ${warning}\n`)
    }
    if (parsed.errors.length > 0) {
      io.stderr(
        parsed.errors.map(e => `phase-matrix simulate: ${e}\n`).join('')
      )
      return ExitCode.usage
    }
    overrides = parsed.estimates
  }

  const indexOf = new Map(ids.map((id, index) => [id, index]))
  const failed: number[] = []
  for (const id of (values.fail ?? '').split(',').map(s => s.trim())) {
    if (id === '') continue
    const index = indexOf.get(id)
    if (index === undefined) {
      const near = closestMatch(id, ids)
      throw new UsageError(
        `--fail names '${id}', which is not a phase of the plan${near === undefined ? '' : ` (did you mean '${near}'?)`}`
      )
    }
    if (phases[index]?.done === true) {
      throw new UsageError(
        `--fail names '${id}', which has status: done: it does not run, so it cannot fail`
      )
    }
    failed.push(index)
  }
  const unchanged = await unchangedForCli(
    analysis,
    values.passed,
    'simulate',
    io
  )
  for (const index of failed) {
    if (unchanged?.[index] === true) {
      throw new UsageError(
        `--fail names '${ids[index] ?? ''}', which is unchanged since it passed (--passed): it does not run, so it cannot fail`
      )
    }
  }
  if (loaded.settings.failFast) {
    io.stderr(
      'phase-matrix simulate: note: fail_fast is not simulated: every phase that does not depend on a failure still runs.\n'
    )
  }

  const durations = phaseDurations(analysis.plan, overrides)
  const options: Omit<SimulateOptions, 'durations'> = {
    maxWorkers: loaded.settings.maxWorkers,
    jobStart,
    failed,
    legLimit: Infinity,
    // As the reusable workflow runs: rounds folded and packed into
    // max-workers legs, settle jobs only from the first failure on.
    settle: 'after-failure',
    pack: true,
    legConcurrency,
    maxRounds: values['max-waves'] ?? REUSABLE_WORKFLOW_WAVES
  }
  const simulation = simulate(analysis, {
    ...options,
    durations:
      unchanged === undefined ? durations : withUnchanged(durations, unchanged)
  })
  // The same run with every phase running: what the store saves.
  const reuse =
    unchanged === undefined
      ? undefined
      : {
          unchanged,
          workMinutes: durations.minutes.reduce(
            (sum, m, i) => sum + (unchanged[i] === true ? m : 0),
            0
          ),
          without: simulate(analysis, { ...options, durations })
        }
  switch (format) {
    case 'json':
      io.stdout(renderSimulationJson(simulation, analysis.plan, reuse))
      break
    case 'mermaid':
      io.stdout(renderSimulationGantt(simulation, analysis.plan))
      break
    case 'text':
      io.stdout(
        renderSimulationText(simulation, analysis.plan, {
          colour: io.colour,
          ...(reuse === undefined ? {} : { reuse })
        })
      )
  }
  return ExitCode.ok
}

export const runSimulateCommand = flagsCommand(
  SIMULATE_COMMAND,
  simulateCommand
)
