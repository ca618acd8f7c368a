// `phase-matrix exec`: runs the phases of one leg of a packed round, one
// after another, each with its own log group, timing and timeout-minutes,
// past a failure with the phases that do not depend on it; prints the leg's
// marker line (src/plan/leg-marker.ts) and exits 1 when a phase did not
// succeed.
import { runLeg, legSucceeded } from '../exec/run-leg.js'
import { UsageError } from '../plan/errors.js'
import { legOrder, parsePhaseList } from '../plan/leg-order.js'
import { formatProblems } from '../render/problems.js'
import { COMMON_FLAGS, formatFlagHelp, parseArgs } from './args.js'
import { ExitCode, type CliIo, type Command } from './io.js'
import { loadPlanForCli } from './plan-command.js'

export const EXEC_FLAGS = {
  plan: COMMON_FLAGS.plan,
  phases: {
    kind: 'string',
    value: 'IDS',
    description:
      'the phases to run: ids separated by commas, or a JSON array (also as arguments)'
  },
  leg: {
    kind: 'string',
    value: 'NAME',
    description: 'the leg name its marker line carries (default: the ids)'
  },
  help: COMMON_FLAGS.help
} as const

export const EXEC_HELP = `Usage: phase-matrix exec [--plan FILE] [--leg NAME] --phases ID,... | ID...

Runs phases of the plan one after another, in dependency order (by wave,
then plan order), each in its own log group with its own timing. A phase's
run command goes to bash exactly as written (bash --noprofile --norc -eo
pipefail on a file holding it): nothing in it is interpolated. Its
timeout-minutes stops its whole process group. After a failure the leg goes
on with the phases that do not depend on it; its dependents in the leg are
skipped. After each phase and at the end a line
'phase-matrix-leg: <base64url JSON>' carries the leg's results so far (settle
reads it back from the job's log). Each phase sees PHASE_ID, PHASE_WAVE and
PHASE_LEG. In GitHub Actions (GITHUB_ACTIONS=true) the groups are log groups.

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
  const loaded = loadPlanForCli({ plan: values.plan }, io)
  const { analysis } = loaded
  if (analysis === undefined) {
    io.stderr(formatProblems(loaded.problems, { colour: io.colour }))
    return loaded.exitCode
  }
  const order = legOrder(analysis, ids)
  const marker = await runLeg({
    analysis,
    leg: values.leg ?? ids.join(','),
    order,
    cwd: io.cwd,
    env: io.env,
    stdout: io.stdout,
    stderr: io.stderr,
    workflowCommands: io.env['GITHUB_ACTIONS'] === 'true',
    ...(io.signal === undefined ? {} : { signal: io.signal })
  })
  return legSucceeded(marker) ? ExitCode.ok : ExitCode.invalidPlan
}

export const runExecCommand: Command = (argv, io) =>
  Promise.resolve().then(() => execCommand(argv, io))
