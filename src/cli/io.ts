// What a CLI command may touch: its streams, its working folder, its
// environment. Tests pass their own; the entry passes the process's.

export interface CliIo {
  /** Write text to standard output (no newline added). */
  stdout: (text: string) => void
  /** Write text to standard error (no newline added). */
  stderr: (text: string) => void
  cwd: string
  env: Record<string, string | undefined>
  /** Colour on standard output (colourAllowed for that stream). */
  colour: boolean
  /** Colour on standard error, decided for that stream on its own. */
  colourErr: boolean
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM): `exec` stops its phase. */
  signal?: AbortSignal
}

/**
 * Whether one stream gets colour, decided per stream: FORCE_COLOR (any
 * value but '0' or 'false') forces it, as in Node; else never with NO_COLOR
 * (https://no-color.org) or TERM=dumb; else only on a terminal. `--no-color`
 * (main) wins over all of them.
 */
export function colourAllowed(
  isTerminal: boolean | undefined,
  env: Record<string, string | undefined>
): boolean {
  const force = env.FORCE_COLOR
  if (force !== undefined) {
    if (force === '0' || force === 'false') return false
    return true
  }
  const noColour = env.NO_COLOR !== undefined && env.NO_COLOR !== ''
  return isTerminal === true && !noColour && env.TERM !== 'dumb'
}

/** The flag that turns colour off on both streams, before any other. */
const NO_COLOR_FLAG = '--no-color'

/**
 * `argv` without `--no-color` (anywhere before `--`), and `io` without
 * colour when it was there.
 */
export function withoutNoColor(
  argv: readonly string[],
  io: CliIo
): [string[], CliIo] {
  const end = argv.indexOf('--')
  const flags = end === -1 ? argv : argv.slice(0, end)
  if (!flags.includes(NO_COLOR_FLAG)) return [[...argv], io]
  const rest = [
    ...flags.filter(arg => arg !== NO_COLOR_FLAG),
    ...(end === -1 ? [] : argv.slice(end))
  ]
  return [rest, { ...io, colour: false, colourErr: false }]
}

/** A subcommand: takes the arguments after its name, returns the exit code. */
export type Command = (argv: string[], io: CliIo) => Promise<number>

/** Exit codes of every command. */
export const ExitCode = {
  ok: 0,
  invalidPlan: 1,
  usage: 2
} as const
