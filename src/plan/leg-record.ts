// The channel from a leg to settle: its record. `exec` alone writes it, as
// one step output, once every phase of the leg has ended; the wave job maps
// it to the job output `leg-<n>`, with the job's own status in front:
//
//   leg-3: "success {"v":1,"r":2,"a":1,"l":3,"p":"…","t":…,"s":"sf","b":"0,a","e":"5,k"}"
//
// GitHub combines a matrix job's outputs from all its legs when each leg
// writes its own key, so `needs.<wave>.outputs` holds every leg's record
// (no jobs API, no logs). The record names its round, attempt and leg, and a
// digest of its phase ids: a record of another round, attempt, leg or leg
// content counts for nothing. Statuses one character per phase, in the
// order of the leg's ids; start offsets and durations in whole seconds,
// base 36, from the leg's start `t` (Unix seconds). About 8 bytes a phase.
// Pure string functions, O(length).
import { createHash } from 'node:crypto'
import { z } from 'zod'
import { Buffer } from 'node:buffer'
import { at } from './at.js'
import { MAX_ENV_VALUE_BYTES } from './env-limits.js'

export const LEG_RECORD_VERSION = 1

/**
 * The most legs of one round: the `leg-1` … `leg-64` job outputs each wave
 * job of phases.yml declares (a leg's record reaches settle through its own
 * output). A bigger round is packed into this many legs. GitHub allows 256.
 */
export const MATRIX_LEG_LIMIT = 64

/** How a phase of a leg ended, as exec saw it. */
export type RecordedStatus =
  | 'succeeded'
  | 'failed'
  | 'timed-out'
  /** A dependency inside the same leg did not succeed. */
  | 'skipped'
  /** The leg was cancelled before it ended. */
  | 'not-run'

const STATUS_CHARS: Record<RecordedStatus, string> = {
  succeeded: 's',
  failed: 'f',
  'timed-out': 't',
  skipped: 'k',
  'not-run': 'n'
}

const STATUS_OF_CHAR = new Map(
  Object.entries(STATUS_CHARS).map(([status, char]) => [char, status])
)

function isRecordedStatus(value: string): value is RecordedStatus {
  return Object.hasOwn(STATUS_CHARS, value)
}

export interface RecordedPhase {
  status: RecordedStatus
  /** Unix milliseconds the phase started (absent when it never started). */
  start?: number
  /** Unix milliseconds it ended (its last attempt). */
  end?: number
  /** Runs it took (retries: more than 1); absent: 1. */
  attempts?: number
  /** What it wrote to $PHASE_OUTPUT (a phase that succeeded). */
  outputs?: Outputs
}

export interface LegRecord {
  /** 1-based round (the wave job that ran it). */
  round: number
  /** Run attempt that ran the leg. */
  attempt: number
  /** 1-based leg of the round (its place in the matrix). */
  leg: number
  /** Digest of the leg's phase ids, in the order given (legDigest). */
  digest: string
  /** One per phase of the leg, in the order of its ids. */
  phases: RecordedPhase[]
  /** The outputs of its phases that wrote some, by id (field `o`). */
  outputs?: OutputsById
}

/** The digest a record carries of its leg's ids: 16 hex characters of sha256. */
export function legDigest(ids: readonly string[]): string {
  return createHash('sha256').update(ids.join('\n')).digest('hex').slice(0, 16)
}

function base36List(values: readonly (number | undefined)[]): string {
  return values
    .map(value => (value === undefined ? '' : value.toString(36)))
    .join(',')
}

/** The record as exec writes it (compact JSON). */
export function encodeLegRecord(record: LegRecord): string {
  const starts = record.phases.flatMap(phase =>
    phase.start === undefined ? [] : [phase.start]
  )
  const origin =
    starts.length === 0 ? 0 : Math.floor(Math.min(...starts) / 1000)
  const offset = (time: number | undefined): number | undefined =>
    time === undefined
      ? undefined
      : Math.max(0, Math.round(time / 1000) - origin)
  return JSON.stringify({
    v: LEG_RECORD_VERSION,
    r: record.round,
    a: record.attempt,
    l: record.leg,
    p: record.digest,
    t: origin,
    s: record.phases.map(phase => STATUS_CHARS[phase.status]).join(''),
    b: base36List(record.phases.map(phase => offset(phase.start))),
    e: base36List(
      record.phases.map(phase =>
        phase.start === undefined || phase.end === undefined
          ? undefined
          : Math.max(0, Math.round((phase.end - phase.start) / 1000))
      )
    ),
    // Attempts only where a phase was run again (retries).
    ...(record.phases.some(phase => (phase.attempts ?? 1) > 1)
      ? {
          n: base36List(
            record.phases.map(phase =>
              (phase.attempts ?? 1) > 1 ? phase.attempts : undefined
            )
          )
        }
      : {}),
    ...(record.outputs !== undefined && Object.keys(record.outputs).length > 0
      ? { o: encodeOutputs(record.outputs) }
      : {})
  })
}

const encodedSchema = z.object({
  v: z.literal(LEG_RECORD_VERSION),
  r: z.number().int().positive(),
  a: z.number().int().positive(),
  l: z.number().int().positive(),
  p: z.string().regex(/^[0-9a-f]{16}$/),
  t: z.number().int().nonnegative(),
  s: z.string(),
  b: z.string(),
  e: z.string(),
  n: z.string().optional(),
  o: z.string().optional()
})

function parseBase36List(text: string, count: number): (number | undefined)[] {
  if (count === 0) {
    if (text !== '') throw new RangeError('list length')
    return []
  }
  const parts = text.split(',')
  if (parts.length !== count) throw new RangeError('list length')
  return parts.map(part => {
    if (part === '') return undefined
    if (!/^[0-9a-z]{1,8}$/.test(part)) throw new RangeError('not base 36')
    return parseInt(part, 36)
  })
}

/**
 * A record back from its text, or a reason it is not one (never throws:
 * the text comes from a job output).
 */
export function decodeLegRecord(
  text: string
): { record: LegRecord } | { problem: string } {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    return { problem: 'its record is not JSON' }
  }
  const parsed = encodedSchema.safeParse(raw)
  if (!parsed.success) {
    return { problem: 'its record is not a phase-matrix leg record' }
  }
  const { r, a, l, p, t, s, b, e, n, o } = parsed.data
  const phases: RecordedPhase[] = []
  let starts: (number | undefined)[]
  let durations: (number | undefined)[]
  let attempts: (number | undefined)[]
  try {
    starts = parseBase36List(b, s.length)
    durations = parseBase36List(e, s.length)
    attempts = n === undefined ? [] : parseBase36List(n, s.length)
  } catch {
    return { problem: 'its record has malformed times' }
  }
  for (let position = 0; position < s.length; position++) {
    const char = s.charAt(position)
    const status = STATUS_OF_CHAR.get(char)
    if (status === undefined || !isRecordedStatus(status)) {
      return { problem: `its record has an unknown status '${char}'` }
    }
    const phase: RecordedPhase = { status }
    const start = starts[position]
    if (start !== undefined) {
      phase.start = (t + start) * 1000
      const duration = durations[position]
      if (duration !== undefined) phase.end = phase.start + duration * 1000
    }
    const tries = attempts[position]
    if (tries !== undefined && tries > 1) phase.attempts = tries
    phases.push(phase)
  }
  const record: LegRecord = {
    round: r,
    attempt: a,
    leg: l,
    digest: p,
    phases
  }
  if (o !== undefined) {
    const outputs = decodeOutputs(o)
    if (outputs === undefined)
      return { problem: 'its record has malformed outputs' }
    record.outputs = outputs
  }
  return { record }
}

/** The job output of leg `leg`: `leg-3`. */
export function legOutputName(leg: number): string {
  return `leg-${leg}`
}

/**
 * A wave job's output for one leg, `<job status> <record>`, split; the
 * record is '' when exec wrote none (it crashed, or never ran).
 */
export function splitLegOutput(value: string): {
  jobStatus: string
  record: string
} {
  const space = value.indexOf(' ')
  return space === -1
    ? { jobStatus: value, record: '' }
    : { jobStatus: value.slice(0, space), record: value.slice(space + 1) }
}

/** Most bytes one leg's entry takes in `toJSON(needs.<wave job>)`, its phases aside. */
const LEG_ENTRY_BYTES = 220
/**
 * Most bytes one phase adds there: its status, start and duration (19 days
 * at most each), and its attempts (retries, at most 6: one digit and a comma).
 */
const PHASE_ENTRY_BYTES = 14

/**
 * At most the bytes of `toJSON(needs.<wave job>)` for a round of `legs`
 * legs and `phases` phases: what settle's env PHASE_MATRIX_ROUND_<k> holds,
 * one environment string (test/plan/leg-record.test.ts checks the bound).
 */
export function roundRecordsBytes(legs: number, phases: number): number {
  return 64 + legs * LEG_ENTRY_BYTES + phases * PHASE_ENTRY_BYTES
}

/**
 * Most bytes the records of all rounds may take together: the report step
 * gets every round's PHASE_MATRIX_ROUND_<k>, and Linux starts no process
 * whose arguments and environment pass ARG_MAX (2 MiB with the usual 8 MiB
 * stack); the rest is room for the runner's variables and the state.
 */
export const MAX_RECORDS_ENV_BYTES = 1024 * 1024

// Whether the legs' records of a plan fit where they travel: at most
// MATRIX_LEG_LIMIT legs a round (one `leg-<n>` output each), each round's
// records in one environment string of settle (PHASE_MATRIX_ROUND_<k>,
// 128 KiB on Linux), and all rounds' together in the report step's
// environment (MAX_RECORDS_ENV_BYTES, below Linux's ARG_MAX). O(rounds).

/** One round as the plan hands it out: its wave (1-based), legs and phases. */
interface RoundSize {
  wave: number
  legs: number
  phases: number
}

/** Why the records do not fit, or undefined when they do. */
export function recordBudgetProblem(
  rounds: readonly RoundSize[]
): string | undefined {
  let total = 0
  for (const { wave, legs, phases } of rounds) {
    if (legs > MATRIX_LEG_LIMIT) {
      return (
        `Wave ${wave} needs ${legs} legs: its phases name more different runners (runs-on) than the ${MATRIX_LEG_LIMIT} legs a round may have ` +
        '(each wave job hands on one leg-<n> output a leg, and phases on different runners never share a leg). ' +
        'Name fewer kinds of runner in one wave, or use the generated needs graph (`phase-matrix generate`).'
      )
    }
    const bytes = roundRecordsBytes(legs, phases)
    if (bytes > MAX_ENV_VALUE_BYTES) {
      return (
        `Wave ${wave} holds ${phases} phases: the records of its ${legs} legs can take up to ${bytes.toLocaleString('en-US')} bytes ` +
        `in settle's env PHASE_MATRIX_ROUND_${wave}, one environment string, and Linux starts no process holding one over ${MAX_ENV_VALUE_BYTES.toLocaleString('en-US')} bytes (E2BIG). ` +
        'Split the wave, or use the generated needs graph (`phase-matrix generate`).'
      )
    }
    total += bytes
  }
  if (total > MAX_RECORDS_ENV_BYTES) {
    const phases = rounds.reduce((sum, round) => sum + round.phases, 0)
    return (
      `The records of all ${rounds.length} waves (${phases} phases) can take up to ${total.toLocaleString('en-US')} bytes together ` +
      `in the report step's environment (PHASE_MATRIX_ROUND_1…${rounds.length}), over the ${MAX_RECORDS_ENV_BYTES.toLocaleString('en-US')} bytes kept below Linux's limit for a process's environment (ARG_MAX). ` +
      'Split the plan, or use the generated needs graph (`phase-matrix generate`).'
    )
  }
  return undefined
}

/**
 * The outputs of every phase in the records of the wave jobs given (each
 * job's outputs, `leg-<n>` → `<job status> <record>`), rounds in order, a
 * later record winning: what exec hands its phases as $PHASE_INPUTS and
 * settle as `phase-outputs`. A record that is not one is passed over.
 * O(length of the records).
 */
export function recordedOutputs(
  jobs: Iterable<Readonly<Record<string, string>>>
): OutputsById {
  const lists: OutputsById[] = []
  for (const outputs of jobs) {
    for (const [name, value] of Object.entries(outputs)) {
      if (!/^leg-\d+$/.test(name)) continue
      const { record } = splitLegOutput(value)
      if (record === '') continue
      const decoded = decodeLegRecord(record)
      if ('problem' in decoded) continue
      if (decoded.record.outputs !== undefined)
        lists.push(decoded.record.outputs)
    }
  }
  return mergeOutputs(lists)
}

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
function encodeOutputs(outputs: OutputsById): string {
  return Buffer.from(JSON.stringify(outputs), 'utf8').toString('base64url')
}

/** An object of output name to text, as a phase writes them. */
export function isOutputs(value: unknown): value is Outputs {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.values(value).every(item => typeof item === 'string')
  )
}

/** The outputs back from a record's field, or undefined when it is not outputs. */
function decodeOutputs(text: string): OutputsById | undefined {
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
  for (let row = 0; row < lines.length; row++) {
    const line = at(lines, row)
    if (line === '') continue
    const equals = line.indexOf('=')
    const heredoc = line.indexOf('<<')
    let key: string
    let value: string
    if (heredoc > 0 && (equals === -1 || heredoc < equals)) {
      key = line.slice(0, heredoc)
      const delimiter = line.slice(heredoc + 2)
      if (delimiter === '') {
        return { problem: `line ${row + 1}: \`${key}<<\` names no delimiter` }
      }
      const end = lines.indexOf(delimiter, row + 1)
      if (end === -1) {
        return {
          problem: `line ${row + 1}: \`${key}<<${delimiter}\` is never closed by a line \`${delimiter}\``
        }
      }
      value = lines.slice(row + 1, end).join('\n')
      row = end
    } else if (equals > 0) {
      key = line.slice(0, equals)
      value = line.slice(equals + 1)
    } else {
      return {
        problem: `line ${row + 1} is neither \`key=value\` nor \`key<<DELIMITER\``
      }
    }
    if (!/^[^\s=]+$/.test(key)) {
      return {
        problem: `line ${row + 1}: the key \`${key}\` must be a name without spaces or =`
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
