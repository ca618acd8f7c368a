// What every `phase-matrix` command is made of: what it may touch (its io),
// its flags and exit codes, and streams made inert for a runner's log.
import { parseArgs as parseArgv } from 'node:util'
import { DEFAULT_CONFIG_PATH, DEFAULT_PLAN_PATH } from '../actions/constants.js'
import { UsageError } from '../plan/errors.js'
import { MAX_WORKERS } from '../plan/types.js'
import { logSafe } from '../render/safe-text.js'

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

// The flag parser every command shares, on node:util's parseArgs: `--name
// value`, `--name=value`, boolean `--name`, `-h`, `--` to end flags. Wrong
// input is a UsageError naming the flag, the value given and what was
// expected. O(argv).

interface FlagSpec {
  kind: 'boolean' | 'string' | 'integer'
  /** One-letter alias without the dash, e.g. `h`. */
  short?: string
  /** Placeholder shown in help, e.g. `FILE`. */
  value?: string
  description: string
  /** For `string`: the only values accepted. */
  choices?: readonly string[]
  /** For `integer`: the smallest value accepted. */
  min?: number
  /** For `integer`: the largest value accepted. */
  max?: number
}

type FlagSpecs = Readonly<Record<string, FlagSpec>>

/** The type a flag's value has once parsed. */
type FlagValue<F extends FlagSpec> = F['kind'] extends 'boolean'
  ? boolean
  : F['kind'] extends 'integer'
    ? number
    : F extends { choices: readonly (infer C)[] }
      ? C
      : string

export type FlagValues<S extends FlagSpecs> = {
  -readonly [K in keyof S]?: FlagValue<S[K]>
}

interface ParsedArgs<S extends FlagSpecs> {
  values: FlagValues<S>
  positionals: string[]
}

/** A flag that names a file: `--name FILE`. */
export function fileFlag(description: string): {
  kind: 'string'
  value: 'FILE'
  description: string
} {
  return { kind: 'string', value: 'FILE', description }
}

/** Flags every command that reads a plan accepts. */
export const COMMON_FLAGS = {
  plan: fileFlag(
    `plan file (default ${DEFAULT_PLAN_PATH}); - reads standard input`
  ),
  config: fileFlag(
    `config file (default ${DEFAULT_CONFIG_PATH}, may be absent)`
  ),
  'max-workers': {
    kind: 'integer',
    value: 'N',
    min: 0,
    max: MAX_WORKERS,
    description: `at most N phases at once, 1 to ${MAX_WORKERS}; 0: no limit (overrides config)`
  },
  'fail-fast': {
    kind: 'boolean',
    description: 'start no new phase after a failure (overrides config)'
  },
  help: { kind: 'boolean', short: 'h', description: 'show this help' }
} as const satisfies FlagSpecs

function flagName(spec: FlagSpec, name: string): string {
  return spec.value === undefined ? `--${name}` : `--${name} ${spec.value}`
}

function parseValue(name: string, spec: FlagSpec, raw: string): unknown {
  if (spec.kind === 'integer') {
    const min = spec.min ?? 0
    const n = /^-?\d{1,15}$/.test(raw) ? Number(raw) : Number.NaN
    const max = spec.max
    if (!Number.isSafeInteger(n) || n < min || (max !== undefined && n > max)) {
      throw new UsageError(
        max === undefined
          ? `--${name} expects a whole number of at least ${min}, got '${raw}'`
          : `--${name} expects a whole number from ${min} to ${max}, got '${raw}'`
      )
    }
    return n
  }
  if (spec.choices !== undefined && !spec.choices.includes(raw)) {
    throw new UsageError(
      `--${name} expects one of ${spec.choices.join(', ')}, got '${raw}'`
    )
  }
  if (raw === '') {
    throw new UsageError(`--${name} expects ${spec.value ?? 'a value'}, got ''`)
  }
  return raw
}

function unknownFlag(arg: string, specs: FlagSpecs): UsageError {
  const known = Object.keys(specs).map(name => `--${name}`)
  return new UsageError(
    `unknown flag '${arg}' (expected one of ${known.join(', ')})`
  )
}

/**
 * Parses argv against the specs with node:util's parseArgs (its tokens:
 * `--name value`, `--name=value`, `-h`, `--`), then checks each flag here,
 * so a mistake is a UsageError in our words. When `--help`/`-h` appears
 * anywhere before `--` and the specs have `help`, returns only
 * `{ help: true }` so help works even next to a mistake.
 */
export function parseArgs<S extends FlagSpecs>(
  argv: readonly string[],
  specs: S
): ParsedArgs<S> {
  const end = argv.indexOf('--')
  const flags = end === -1 ? argv : argv.slice(0, end)
  if ('help' in specs && (flags.includes('--help') || flags.includes('-h'))) {
    return { values: checkedValues({ help: true }, specs), positionals: [] }
  }
  const options = Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      {
        type:
          spec.kind === 'boolean' ? ('boolean' as const) : ('string' as const),
        ...(spec.short === undefined ? {} : { short: spec.short })
      }
    ])
  )
  // Not strict: unknown flags and odd values come back as tokens, for the
  // messages below (a string flag takes the next argument, whatever it is).
  const { tokens } = parseArgv({
    args: [...argv],
    options,
    strict: false,
    allowPositionals: true,
    tokens: true
  })
  const values: Record<string, unknown> = {}
  const positionals: string[] = []
  for (const token of tokens) {
    if (token.kind === 'positional') positionals.push(token.value)
    if (token.kind !== 'option') continue
    const { name, rawName } = token
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined
    // One flag an argument: `-hx` is not `-h -x`.
    const whole = argv[token.index] ?? rawName
    if (!rawName.startsWith('--') && whole !== rawName) {
      throw unknownFlag(whole, specs)
    }
    if (spec === undefined) {
      throw unknownFlag(
        token.inlineValue === true ? `${rawName}=${token.value}` : rawName,
        specs
      )
    }
    if (spec.kind === 'boolean') {
      if (token.inlineValue === true) {
        throw new UsageError(
          `--${name} takes no value, got '${rawName}=${token.value}'`
        )
      }
      values[name] = true
      continue
    }
    // A following flag is not a value, but a negative number is (and is
    // then refused with the range it should be in).
    const raw = token.value
    if (raw === undefined || (!token.inlineValue && /^-[^\d]/.test(raw))) {
      throw new UsageError(`${flagName(spec, name)} is missing its value`)
    }
    values[name] = parseValue(name, spec, raw)
  }
  return { values: checkedValues(values, specs), positionals }
}

/** Whether `value` is what a flag of this spec holds once parsed. */
function fitsSpec(spec: FlagSpec, value: unknown): boolean {
  switch (spec.kind) {
    case 'boolean':
      return typeof value === 'boolean'
    case 'integer':
      return Number.isSafeInteger(value)
    case 'string':
      return (
        typeof value === 'string' &&
        (spec.choices === undefined || spec.choices.includes(value))
      )
  }
}

function isFlagValues<S extends FlagSpecs>(
  values: Record<string, unknown>,
  specs: S
): values is FlagValues<S> {
  return Object.entries(values).every(([name, value]) => {
    const spec = Object.hasOwn(specs, name) ? specs[name] : undefined
    return spec !== undefined && fitsSpec(spec, value)
  })
}

/** The parsed values, checked against their specs (a bug here throws). */
function checkedValues<S extends FlagSpecs>(
  values: Record<string, unknown>,
  specs: S
): FlagValues<S> {
  if (!isFlagValues(values, specs)) {
    throw new Error('internal error: a parsed flag does not fit its spec')
  }
  return values
}

/** What most commands exit with. */
export const EXIT_CODES =
  'Exit codes: 0 ok, 1 invalid plan, 2 usage error or unreadable file.'

/** A command's flags and what it says about them. */
interface CommandFlags<S extends FlagSpecs> {
  name: string
  flags: S
  /** The `--help` text above the flags: its usage line and what it does. */
  about: string
  /** The `--help` text below the flags (default EXIT_CODES). */
  exitCodes?: string
  /** Where values go instead of positional arguments, e.g. "the plan is --plan FILE". */
  where: string
}

/** A command's whole `--help` text. */
function commandHelp<S extends FlagSpecs>(command: CommandFlags<S>): string {
  return `${command.about}
Flags:
${formatFlagHelp(command.flags)}

${command.exitCodes ?? EXIT_CODES}
`
}

/**
 * A command that takes flags only: `--help` prints its help; a positional
 * argument or a bad flag is a UsageError (main reports it); else `body`
 * runs with the values. Settled as a promise, so a synchronous throw
 * reaches main's catch.
 */
export function flagsCommand<S extends FlagSpecs>(
  command: CommandFlags<S>,
  body: (values: FlagValues<S>, io: CliIo) => number | Promise<number>
): Command {
  return (argv, io) =>
    Promise.resolve().then(() => {
      const { values, positionals } = parseArgs(argv, command.flags)
      if (values.help === true) {
        io.stdout(commandHelp(command))
        return ExitCode.ok
      }
      if (positionals.length > 0) {
        throw new UsageError(
          `unexpected argument '${positionals[0] ?? ''}' (${command.name} takes only flags; ${command.where})`
        )
      }
      return body(values, io)
    })
}

/** Aligned help lines for the specs, e.g. `  --plan FILE   plan file …`. */
export function formatFlagHelp(specs: FlagSpecs): string {
  const rows = Object.entries(specs).map(([name, spec]) => {
    const short = spec.short === undefined ? '' : `-${spec.short}, `
    return [short + flagName(spec, name), spec.description] as const
  })
  const width = Math.max(...rows.map(([left]) => left.length))
  return rows
    .map(([left, right]) => `  ${left.padEnd(width)}  ${right}`)
    .join('\n')
}

// Inside a GitHub Actions job the runner reads every line a step prints as a
// possible workflow command (render/safe-text.ts), so `phase-matrix plan` in a `run:`
// step would obey a description `::warning ...` or an id `::error::x`. There
// (GITHUB_ACTIONS=true) the CLI's streams make plan text inert. JSON stays
// the same data: a JSON line never starts with `::` (strings hold no raw line
// break), and `##[` becomes `#\u0023[`, the same string once parsed. Linear
// in the text.

/** Commands whose standard output is a report for a reader, not a file (generate writes a workflow; exec makes its own log safe). */
const REPORTS = new Set(['plan', 'simulate', 'check', 'hash'])

function isJson(text: string): boolean {
  const start = text.trimStart()[0]
  if (start !== '{' && start !== '[') return false
  try {
    JSON.parse(text)
    return true
  } catch {
    return false
  }
}

/** `text` as the runner may read it: inert, JSON left the same data. */
export function inertForRunner(text: string): string {
  return isJson(text) ? text.replaceAll('##[', '#\\u0023[') : logSafe(text)
}

/**
 * `io` for command `name`: inside a GitHub Actions job, standard error of
 * every command but exec, and standard output of the reports, made inert.
 */
export function runnerSafeIo(name: string, io: CliIo): CliIo {
  if (io.env.GITHUB_ACTIONS !== 'true' || name === 'exec') return io
  const stdout = REPORTS.has(name)
    ? (text: string) => {
        io.stdout(inertForRunner(text))
      }
    : io.stdout
  return {
    ...io,
    stdout,
    stderr: text => {
      io.stderr(logSafe(text))
    }
  }
}
