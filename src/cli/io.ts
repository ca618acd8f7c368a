// What a CLI command may touch: its streams, its working folder, its
// environment. Tests pass their own; the entry passes the process's.

export interface CliIo {
  /** Write text to standard output (no newline added). */
  stdout: (text: string) => void
  /** Write text to standard error (no newline added). */
  stderr: (text: string) => void
  cwd: string
  env: Record<string, string | undefined>
  /** True when standard output is a terminal and colour is allowed. */
  colour: boolean
  /** Aborted when the process is asked to stop (SIGINT, SIGTERM): `exec` stops its phase. */
  signal?: AbortSignal
}

/** A subcommand: takes the arguments after its name, returns the exit code. */
export type Command = (argv: string[], io: CliIo) => Promise<number>

/** Exit codes of every command. */
export const ExitCode = {
  ok: 0,
  invalidPlan: 1,
  usage: 2
} as const
