// Phase outputs: what a phase appends to $PHASE_OUTPUT (GitHub's format:
// `key=value` lines and `key<<DELIMITER` … `DELIMITER` blocks), how they
// travel in its leg's record (base64url of their JSON: no character that
// JSON or an expression would escape, so a record's size in an environment
// string, in UTF-8 and in UTF-16 is one number), and the budgets that keep
// every place they pass through within GitHub's and Linux's limits:
//
// - a phase: 16 KiB of encoded outputs (PHASE_OUTPUTS_LIMIT);
// - a round: its records reach settle (and every later wave job's exec) as
//   one environment string PHASE_MATRIX_ROUND_<k>, at most 128 KiB on Linux
//   (E2BIG), shared by the round's legs;
// - a run: every round's records reach the report step together, below
//   ARG_MAX (RUN_OUTPUTS_LIMIT for the outputs, MAX_RECORDS_ENV_BYTES for
//   the rest of the records).
// Pure; parsing and encoding O(length).
import { Buffer } from 'node:buffer'
import { MAX_ENV_VALUE_BYTES } from './env-limits.js'
import { roundRecordsBytes } from './leg-record.js'

/** One phase's outputs: key → value. */
export type Outputs = Record<string, string>
/** Outputs by phase id (only phases that wrote some). */
export type OutputsById = Record<string, Outputs>

/** Most characters one phase's outputs take in its leg's record (16 KiB). */
export const PHASE_OUTPUTS_LIMIT = 16 * 1024
/** Most characters the outputs of all phases of a run take in the records (512 KiB). */
const RUN_OUTPUTS_LIMIT = 512 * 1024
/** Room kept in a round's environment string for the JSON around the records. */
const ROUND_SLACK_BYTES = 4 * 1024

/** The outputs as the record carries them: base64url of their UTF-8 JSON. */
export function encodeOutputs(outputs: OutputsById): string {
  return Buffer.from(JSON.stringify(outputs), 'utf8').toString('base64url')
}

function isOutputs(value: unknown): value is Outputs {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(item => typeof item === 'string')
  )
}

/** The outputs back from a record's field, or undefined when it is not outputs. */
export function decodeOutputs(text: string): OutputsById | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined
  return parseOutputsJson(Buffer.from(text, 'base64url').toString('utf8'))
}

/** `{"<id>": {"<key>": "<value>"}}` JSON back, or undefined when it is not that. */
export function parseOutputsJson(text: string): OutputsById | undefined {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return undefined
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return undefined
  // Object.fromEntries defines own keys: `__proto__` stays a key.
  const out: [string, Outputs][] = []
  for (const [id, outputs] of Object.entries(raw)) {
    if (!isOutputs(outputs)) return undefined
    out.push([id, Object.fromEntries(Object.entries(outputs))])
  }
  return Object.fromEntries(out)
}

/** Characters one phase's outputs take in its record (the encoded form). */
export function encodedSize(id: string, outputs: Outputs): number {
  return encodeOutputs({ [id]: outputs }).length
}

/**
 * What a $PHASE_OUTPUT file says, or the first line it cannot read (GitHub
 * fails the step on such a line too). Later values of a key win.
 */
export function parseOutputFile(
  text: string
): { outputs: Outputs } | { problem: string } {
  const outputs = new Map<string, string>()
  const lines = text.split('\n').map(line => line.replace(/\r$/, ''))
  for (let at = 0; at < lines.length; at++) {
    const line = lines[at] ?? ''
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    let key: string
    let value: string
    if (heredoc > 0 && (equals === -1 || heredoc < equals)) {
      key = line.slice(0, heredoc)
      const delimiter = line.slice(heredoc + 2)
      if (delimiter === '') {
        return { problem: `line ${at + 1}: \`${key}<<\` names no delimiter` }
      }
      const end = lines.indexOf(delimiter, at + 1)
      if (end === -1) {
        return {
          problem: `line ${at + 1}: \`${key}<<${delimiter}\` is never closed by a line \`${delimiter}\``
        }
      }
      value = lines.slice(at + 1, end).join('\n')
      at = end
    } else if (equals > 0) {
      key = line.slice(0, equals)
      value = line.slice(equals + 1)
    } else {
      return {
        problem: `line ${at + 1} is neither \`key=value\` nor \`key<<DELIMITER\``
      }
    }
    if (!/^[^\s=]+$/.test(key)) {
      return {
        problem: `line ${at + 1}: the key \`${key}\` must be a name without spaces or =`
      }
    }
    outputs.set(key, value)
  }
  return { outputs: Object.fromEntries(outputs) }
}

/**
 * Characters the outputs of one leg may take in its record: its share of
 * its round's environment string (after the rest of the round's records,
 * bounded by the plan's phase count), and of the run's outputs (a run has
 * at most as many rounds as the plan has levels). O(1).
 */
export function legOutputsLimit(options: {
  /** Legs of the round (the matrix's `strategy.job-total`), ≥ 1. */
  legs: number
  /** Phases of the plan: at most what the round holds. */
  planPhases: number
  /** Levels of the plan: at most its rounds. */
  levels: number
}): number {
  const legs = Math.max(1, options.legs)
  const round =
    MAX_ENV_VALUE_BYTES -
    ROUND_SLACK_BYTES -
    roundRecordsBytes(legs, options.planPhases)
  const run = Math.floor(RUN_OUTPUTS_LIMIT / Math.max(1, options.levels))
  return Math.max(0, Math.floor(Math.min(round, run) / legs))
}

/**
 * The inputs of a phase: the outputs of its direct dependencies that wrote
 * some, by id, in the order of its `deps`.
 */
export function inputsOf(
  deps: readonly string[],
  outputsOf: (id: string) => Outputs | undefined
): OutputsById {
  const inputs: [string, Outputs][] = []
  for (const dep of deps) {
    const outputs = outputsOf(dep)
    if (outputs !== undefined && Object.keys(outputs).length > 0)
      inputs.push([dep, outputs])
  }
  return Object.fromEntries(inputs)
}

/** Outputs by id merged in order, a later one winning (keys kept as keys). */
export function mergeOutputs(lists: Iterable<OutputsById>): OutputsById {
  const all = new Map<string, Outputs>()
  for (const list of lists)
    for (const [id, outputs] of Object.entries(list)) all.set(id, outputs)
  return Object.fromEntries(all)
}

/**
 * The outputs a phase whose command exited 0 wrote, or why it fails: the
 * file cannot be read, or the outputs are over the phase's or the leg's
 * budget (the message names the limit and the size).
 */
export function checkedOutputs(
  id: string,
  text: string,
  leg: { used: number; limit: number | undefined }
): { outputs: Outputs } | { problem: string } {
  const parsed = parseOutputFile(text)
  if ('problem' in parsed)
    return { problem: `its $PHASE_OUTPUT cannot be read: ${parsed.problem}` }
  const size = encodedSize(id, parsed.outputs)
  const n = (value: number): string => value.toLocaleString('en-US')
  const written = `${n(text.length)} characters written to $PHASE_OUTPUT, ${n(size)} in its leg's record`
  if (size > PHASE_OUTPUTS_LIMIT) {
    return {
      problem: `its outputs are over the ${n(PHASE_OUTPUTS_LIMIT)} characters (16 KiB, UTF-16 as GitHub counts job outputs) a phase may write: ${written}`
    }
  }
  if (leg.limit !== undefined && leg.used + size > leg.limit) {
    return {
      problem: `its outputs would bring its leg's to ${n(leg.used + size)} characters, over the ${n(leg.limit)} a leg of this round may write (its share of settle's env PHASE_MATRIX_ROUND_<k>, one environment string of at most 128 KiB, and of 512 KiB for a run): ${written}`
    }
  }
  return parsed
}
