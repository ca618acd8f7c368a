// `phase-matrix exec`: runs the phases of one leg, up to --leg-concurrency
// at once, each with its own log group, timing and timeout-minutes, past a failure with
// the phases that do not depend on it; writes the leg's record
// (src/plan/leg-record.ts) to --record FILE and exits 1 when a phase did
// not succeed. Like the exec action, it gives each phase $PHASE_INPUTS from
// its dependencies in the leg and from the outputs in its env: earlier
// rounds' wave jobs (PHASE_MATRIX_ROUND_<k>) and needed jobs
// (PHASE_MATRIX_NEEDS_<n>), src/plan/leg-inputs.ts.
import { writeFileSync } from 'node:fs'
import { availableParallelism } from 'node:os'
import path from 'node:path'
import {
  legRecordText,
  legSucceeded,
  runLeg,
  type LegRun
} from '../exec/run-leg.js'
import {
  earlierOutputs,
  readNeededOutputs,
  readWaveJobs,
  legOrder,
  parsePhaseList
} from '../plan/leg-inputs.js'
import { UsageError } from '../plan/errors.js'
import { MAX_LEG_CONCURRENCY } from '../plan/types.js'
import { formatProblems } from '../render/text.js'
import {
  COMMON_FLAGS,
  fileFlag,
  formatFlagHelp,
  parseArgs,
  ExitCode,
  type CliIo,
  type Command
} from './command.js'
import { loadPlanForCli } from './plan-command.js'

/** Round and leg numbers of a record: what the old flag check allowed. */
const MAX_RECORD_NUMBER = 999_999

const EXEC_FLAGS = {
  plan: COMMON_FLAGS.plan,
  config: COMMON_FLAGS.config,
  phases: {
    kind: 'string',
    value: 'IDS',
    description:
      'the phases to run: ids separated by commas, or a JSON array (also as arguments)'
  },
  leg: {
    kind: 'integer',
    value: 'N',
    min: 1,
    max: MAX_RECORD_NUMBER,
    description: "the leg's place in its round, for its record (default 1)"
  },
  round: {
    kind: 'integer',
    value: 'N',
    min: 1,
    max: MAX_RECORD_NUMBER,
    description: 'the round the leg belongs to, for its record (default 1)'
  },
  'leg-concurrency': {
    kind: 'integer',
    value: 'N',
    min: 1,
    max: MAX_LEG_CONCURRENCY,
    description: `phases at once, 1 to ${MAX_LEG_CONCURRENCY} (default: this machine's cores; 1 runs them one after another)`
  },
  record: fileFlag(
    "write the leg's record (JSON, what settle reads) to FILE once every phase has ended"
  ),
  help: COMMON_FLAGS.help
} as const

const EXEC_HELP = `Usage: phase-matrix exec [--plan FILE] [--round N --leg N --record FILE] [--leg-concurrency N] --phases ID,... | ID...

Runs phases of the plan in dependency order, up to --leg-concurrency at
once (default: this machine's cores): a phase starts once its
dependencies in the leg have ended. Each phase has its own log group and
timing; with more than one at once its output is kept and printed as one
group when it ends. A phase's run command goes to bash exactly as written
(bash --noprofile --norc -eo pipefail on a file holding it): nothing in it
is interpolated. Its timeout-minutes stops its whole process group. After
a failure the leg goes on with the phases that do not depend on it; its
dependents in the leg are skipped. Each phase gets its own GITHUB_OUTPUT,
GITHUB_ENV and GITHUB_PATH files and no runner runtime tokens
(ACTIONS_RUNTIME_TOKEN, ...) or INPUT_*; it sees PHASE_ID, PHASE_WAVE and
PHASE_LEG, and $PHASE_OUTPUT (a file for its key=value outputs) and
$PHASE_INPUTS (a JSON file of its direct dependencies' outputs): from the
leg, from env PHASE_MATRIX_ROUND_<k>: \${{ toJSON(needs.<wave job of round
k>) }} of the rounds before --round, and from env PHASE_MATRIX_NEEDS_<n>:
\${{ needs.<job>.outputs.phase-outputs }}. With --record, the leg's record
(each phase's status, start, duration and outputs) is written to FILE at
the end, by exec alone. In GitHub Actions (GITHUB_ACTIONS=true) the groups
are log groups.

Flags:
${formatFlagHelp(EXEC_FLAGS)}

Exit codes: 0 every phase succeeded, 1 a phase failed, timed out or was
skipped (or the plan is invalid), 2 usage error or unreadable file.
`

async function execCommand(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs(argv, EXEC_FLAGS)
  if (values.help === true) {
    io.stdout(EXEC_HELP)
    return ExitCode.ok
  }
  const ids = [
    ...parsePhaseList(values.phases ?? ''),
    ...positionals.flatMap(parsePhaseList)
  ]
  if (ids.length === 0) {
    throw new UsageError('no phases to run: give --phases ID,... or the ids')
  }
  const loaded = loadPlanForCli(
    { plan: values.plan, config: values.config },
    io
  )
  const { analysis } = loaded
  if (analysis === undefined) {
    io.stderr(formatProblems(loaded.problems, { colour: io.colour }))
    return loaded.exitCode
  }
  const round = values.round ?? 1
  const leg = values.leg ?? 1
  const order = legOrder(analysis, ids)
  const concurrency = values['leg-concurrency'] ?? availableParallelism()
  const place = {
    round,
    attempt: /^[1-9]\d{0,8}$/.test(io.env['GITHUB_RUN_ATTEMPT'] ?? '')
      ? Number(io.env['GITHUB_RUN_ATTEMPT'])
      : 1,
    leg
  }
  // The record so far after each phase, the whole record at the end: a
  // killed exec still leaves what finished.
  const recordFile =
    values.record === undefined
      ? undefined
      : path.resolve(io.cwd, values.record)
  const writeRecord = (ran: LegRun): void => {
    if (recordFile !== undefined)
      writeFileSync(recordFile, `${legRecordText(analysis, ids, ran, place)}\n`)
  }
  const ran = await runLeg({
    analysis,
    earlierOutputs: earlierOutputs(
      readWaveJobs(io.env),
      values.round,
      readNeededOutputs(io.env)
    ),
    leg: values.leg === undefined ? ids.join(',') : `round ${round} leg ${leg}`,
    order,
    cwd: io.cwd,
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    workflowCommands: io.env['GITHUB_ACTIONS'] === 'true',
    concurrency,
    onProgress: writeRecord,
    ...(io.signal === undefined ? {} : { signal: io.signal })
  })
  writeRecord(ran)
  return legSucceeded(ran) ? ExitCode.ok : ExitCode.invalidPlan
}

export const runExecCommand: Command = (argv, io) =>
  Promise.resolve().then(() => execCommand(argv, io))
