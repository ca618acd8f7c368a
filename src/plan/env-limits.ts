// A plan value that reaches a process's environment must fit one
// environment string: Linux refuses to start a process holding one over
// 128 KiB (MAX_ARG_STRLEN, 131,072 bytes including `NAME=` and the final
// NUL: E2BIG), Windows over 32,767 UTF-16 units for the whole environment.
// Since every leg runs through exec, which reads commands from the plan in
// the checkout, the one such value is a phase's id: the exec step's input
// `phases` (INPUT_PHASES) carries it. A run command or a description of any
// length never reaches an environment. The waves mode refuses an id too
// long for one, with its position, instead of handing out a leg that can
// never start. Pure. O(phases) plus the length of the long values.
import type { Phase, Plan, Problem, SourcePosition } from './types.js'

/** Linux: one environment string, `NAME=value` and its NUL, in bytes. */
export const MAX_ENV_STRING_BYTES = 128 * 1024
/** Room kept for the variable's name (`INPUT_PHASES=`) and the NUL. */
const NAME_ROOM = 64
/** Longest value, in UTF-8 bytes, one variable may carry on Linux. */
export const MAX_ENV_VALUE_BYTES = MAX_ENV_STRING_BYTES - NAME_ROOM
/** Windows: the whole environment block, in UTF-16 units. */
const MAX_WINDOWS_ENV_UNITS = 32_767
/** Longest value one variable may carry on a Windows runner (the rest of the environment needs room too). */
export const MAX_WINDOWS_ENV_VALUE_UNITS = 24 * 1024

/** Plan fields whose value reaches a process's environment (exec's INPUT_PHASES). */
export const ENV_FIELDS = ['id'] as const

/** Values shorter than this (UTF-16 units) need no position: they fit everywhere. */
export const LONG_VALUE_UNITS = 8 * 1024

function runsOnWindows(phase: Phase): boolean {
  const labels =
    phase.runsOn === undefined
      ? []
      : Array.isArray(phase.runsOn)
        ? phase.runsOn
        : [phase.runsOn]
  return labels.some(label => /windows/i.test(label))
}

function kib(bytes: number): string {
  return `${Math.ceil(bytes / 1024)} KiB`
}

/**
 * An error for each id of `plan` too long for one environment string on
 * the runner the phase names (Linux unless a `runs-on` label says
 * Windows), at the id's position.
 */
export function envLimitProblems(plan: Plan): Problem[] {
  const problems: Problem[] = []
  for (const phase of plan.phases) {
    for (const field of ENV_FIELDS) {
      const value = phase[field]
      if (value.length < LONG_VALUE_UNITS) continue
      const windows = runsOnWindows(phase)
      const size = windows ? value.length : Buffer.byteLength(value, 'utf8')
      const limit = windows ? MAX_WINDOWS_ENV_VALUE_UNITS : MAX_ENV_VALUE_BYTES
      if (size <= limit) continue
      const at: SourcePosition = phase.valueAt?.[field] ?? phase.position
      const where = windows
        ? `${size.toLocaleString('en-US')} characters; a Windows runner starts no process whose environment holds more than ${MAX_WINDOWS_ENV_UNITS.toLocaleString('en-US')} characters in all (we allow ${limit.toLocaleString('en-US')} for one value)`
        : `${kib(size)} (${size.toLocaleString('en-US')} bytes); Linux starts no process holding an environment string over ${kib(MAX_ENV_STRING_BYTES)} (E2BIG), so its leg could never start`
      problems.push({
        code: 'too-large',
        severity: 'error',
        message:
          `The id of phase \`${phase.id.slice(0, 40)}…\` reaches its leg's exec step as one environment value (input phases) and is ${where}. ` +
          'Shorten it.',
        file: plan.file,
        line: at.line,
        column: at.column
      })
    }
  }
  return problems
}

/** The same problems as warnings, for modes that hand no value through env (check, the needs graph). */
export function envLimitWarnings(plan: Plan): Problem[] {
  return envLimitProblems(plan).map(problem => ({
    ...problem,
    severity: 'warning',
    message: `The waves mode (the plan action, phases.yml) refuses this plan: ${problem.message}`
  }))
}
