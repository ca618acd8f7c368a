// `phase-matrix`: parse the command name, dispatch, and turn every failure
// into a one-line message and an exit code. No stack trace reaches a user.
import { runExecCommand } from './exec-command.js'
import { runCheckCommand } from './check-command.js'
import { runGenerateCommand } from './generate-command.js'
import { runHashCommand } from './hash-command.js'
import {
  COMMON_FLAGS,
  EXIT_CODES,
  formatFlagHelp,
  ExitCode,
  withoutNoColor,
  type CliIo,
  type Command,
  runnerSafeIo
} from './command.js'
import { runPlanCommand } from './plan-command.js'
import { runSimulateCommand } from './simulate-command.js'
import { errorMessage } from '../plan/errors.js'
import { PlanError, UsageError } from '../plan/errors.js'
import { formatProblems } from '../render/text.js'
import { terminalSafe } from '../render/safe-text.js'

/** Same as package.json "version" (a test keeps them equal). */
export const VERSION = '1.0.0'

/** Exit code for a bug in phase-matrix itself (EX_SOFTWARE). */
export const INTERNAL_ERROR_EXIT = 70

interface CommandEntry {
  summary: string
  run: Command
}

const COMMANDS: Readonly<Record<string, CommandEntry>> = {
  plan: {
    summary: 'the waves ("batches"), the dependency tree, JSON or Mermaid',
    run: runPlanCommand
  },
  generate: {
    summary: 'write the needs-graph workflow (one job per phase)',
    run: runGenerateCommand
  },
  check: {
    summary: 'validate the plan; verify a generated workflow is current',
    run: runCheckCommand
  },
  simulate: {
    summary:
      'how long a run takes in each mode (sequential, waves, graph, lanes), what a failure skips',
    run: runSimulateCommand
  },
  exec: {
    summary:
      "run one leg's phases in dependency order, up to the cores at once (a leg of the waves workflow)",
    run: runExecCommand
  },
  hash: {
    summary:
      "each phase's input hash (its files in git, its definition, its dependencies); null without inputs",
    run: runHashCommand
  }
}

export const HELP = `phase-matrix ${VERSION} — run a plan of phases with dependencies as waves of parallel jobs

Usage: phase-matrix <command> [flags]

Commands:
${Object.entries(COMMANDS)
  .map(([name, entry]) => `  ${name.padEnd(10)}${entry.summary}`)
  .join('\n')}

Flags for every command:
${formatFlagHelp({
  ...COMMON_FLAGS,
  help: {
    kind: 'boolean',
    short: 'h',
    description: 'help for the program or a command'
  },
  version: { kind: 'boolean', description: 'print the version' },
  'no-color': {
    kind: 'boolean',
    description:
      'no colours on either stream (colour is decided per stream: a terminal, NO_COLOR, FORCE_COLOR)'
  }
})}

${EXIT_CODES}
Run 'phase-matrix <command> --help' for a command's flags.
`

export { colourAllowed } from './command.js'

/** Node's errors from the operating system carry `code` and `syscall`. */
function isSystemError(error: unknown): boolean {
  return (
    error instanceof Error &&
    'code' in error &&
    typeof error.code === 'string' &&
    'syscall' in error &&
    typeof error.syscall === 'string'
  )
}

function usageFailure(io: CliIo, command: string, message: string): number {
  const help =
    command === '' ? 'phase-matrix --help' : `phase-matrix ${command} --help`
  const prefix = command === '' ? 'phase-matrix' : `phase-matrix ${command}`
  io.stderr(`${prefix}: ${terminalSafe(message)}\nRun '${help}' for usage.\n`)
  return ExitCode.usage
}

/** Runs the CLI with the arguments after the program name; returns the exit code. */
export async function main(
  givenArgv: string[],
  givenIo: CliIo
): Promise<number> {
  const [argv, io] = withoutNoColor(givenArgv, givenIo)
  const [first, ...rest] = argv
  if (first === undefined) {
    io.stderr(HELP)
    return ExitCode.usage
  }
  if (first === '--help' || first === '-h') {
    io.stdout(HELP)
    return ExitCode.ok
  }
  if (first === '--version' || first === '-V') {
    io.stdout(`${VERSION}\n`)
    return ExitCode.ok
  }
  // `phase-matrix help plan` is `phase-matrix plan --help`.
  const [name, args] =
    first === 'help' ? [rest[0] ?? '', ['--help']] : [first, rest]
  if (name === '') {
    io.stdout(HELP)
    return ExitCode.ok
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined
  if (entry === undefined) {
    const known = Object.keys(COMMANDS).join(', ')
    const what = name.startsWith('-') ? 'flag before a command' : 'command'
    return usageFailure(
      runnerSafeIo('', io),
      '',
      `unknown ${what} '${name}' (expected one of ${known})`
    )
  }
  const commandIo = runnerSafeIo(name, io)
  try {
    return await entry.run(args, commandIo)
  } catch (error: unknown) {
    if (error instanceof UsageError) {
      return usageFailure(commandIo, name, error.message)
    }
    if (error instanceof PlanError) {
      commandIo.stderr(
        formatProblems(error.problems, { colour: commandIo.colourErr })
      )
      return ExitCode.invalidPlan
    }
    const message = errorMessage(error)
    if (isSystemError(error)) {
      // An unreadable file or folder (EACCES, EISDIR, …) is the user's to fix.
      commandIo.stderr(`phase-matrix ${name}: ${message}\n`)
      return ExitCode.usage
    }
    commandIo.stderr(
      `phase-matrix ${name}: internal error: ${message}, please report it with the command you ran\n`
    )
    return INTERNAL_ERROR_EXIT
  }
}
