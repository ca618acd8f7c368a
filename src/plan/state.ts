// The state of a run. First where a phase stands and the questions every
// step asks of it (failed? succeeded? skipped? settled?), O(1) each. Then the
// ledger: one status per phase, carried from the plan step to each settle
// step as one compact string (the `state` output/input).
//
// Every action input reaches the process as one environment string and Linux
// refuses a string over 128 KiB (E2BIG), so the state holds no phase data:
// one status character per phase in plan order and the durations in base 36,
// with the plan's path and a digest of its text. Settle re-reads the plan from
// the checkout and refuses it when the digest differs. 5,000 phases in the
// worst case take about 30 KB (test/plan/state.test.ts).
// Encoding and decoding are O(phases).
import { UsageError } from './errors.js'

/** How a phase's job ended, as read from the jobs of the run. */
export type LegStatus =
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'timed-out'
  /** Its job never reached a conclusion we could read. */
  | 'unknown'
  /** No job of this run carries its name. */
  | 'missing'
  /** Its job concluded neither success nor failure (skipped, neutral, …). */
  | 'other'

/** Where a phase stands. One character each in the encoded state. */
export type PhaseStatus =
  | LegStatus
  /** Not handed out yet. */
  | 'pending'
  /** Handed out in the current round; its result is not read yet. */
  | 'running'
  /** `status: done` in the plan: counts as succeeded, never runs. */
  | 'done'
  /** Succeeded in an earlier attempt of this run: not run again. */
  | 'succeeded-earlier'
  /**
   * Its input hash is the one a store of passed phases holds, and so is
   * every dependency's (input-hash.ts): counts as succeeded, never runs.
   */
  | 'unchanged'
  /** A dependency failed or was skipped. */
  | 'skipped'
  /** fail-fast: a phase failed, so no new phase started. */
  | 'fail-fast'

const FAILED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'failed',
  'cancelled',
  'timed-out',
  'unknown',
  'missing',
  'other'
])

const SUCCEEDED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'succeeded',
  'done',
  'succeeded-earlier',
  'unchanged'
])

const SKIPPED: ReadonlySet<PhaseStatus> = new Set<PhaseStatus>([
  'skipped',
  'fail-fast'
])

/** Ran (or was meant to) and did not succeed. */
export function isFailed(status: PhaseStatus): boolean {
  return FAILED.has(status)
}

export function isSucceeded(status: PhaseStatus): boolean {
  return SUCCEEDED.has(status)
}

export function isSkipped(status: PhaseStatus): boolean {
  return SKIPPED.has(status)
}

/** Nothing more will happen to it in this run. */
export function isSettled(status: PhaseStatus): boolean {
  return status !== 'pending' && status !== 'running'
}

const STATE_VERSION = 1

const STATUS_CHARS: Record<PhaseStatus, string> = {
  pending: 'p',
  running: 'r',
  succeeded: 's',
  done: 'd',
  'succeeded-earlier': 'e',
  unchanged: 'n',
  failed: 'f',
  cancelled: 'c',
  'timed-out': 't',
  unknown: 'u',
  missing: 'm',
  other: 'o',
  skipped: 'k',
  'fail-fast': 'x'
}

function isPhaseStatus(key: string): key is PhaseStatus {
  return Object.hasOwn(STATUS_CHARS, key)
}

const STATUS_OF_CHAR = new Map(
  Object.keys(STATUS_CHARS)
    .filter(isPhaseStatus)
    .map(status => [STATUS_CHARS[status], status] as const)
)

export interface Ledger {
  /** Short sha256 of the plan file's text. */
  digest: string
  /** The plan file as the plan step read it (relative to the workspace). */
  planPath: string
  /** Legs of one round that may run at once (`strategy.max-parallel`), ≥ 1. */
  maxWorkers: number
  failFast: boolean
  /** Run attempt in which the current round was handed out. */
  attempt: number
  /** Rounds handed out so far: the current round's number (0 before the first). */
  round: number
  /** 0-based wave of the current round (-1 before the first). */
  wave: number
  /** One per phase, in plan order. */
  statuses: PhaseStatus[]
  /** Whole seconds each phase's job took, when known. */
  seconds: (number | undefined)[]
  /** Plan index of the failure that stopped new phases (fail-fast). */
  stoppedBy?: number
  /**
   * Rounds the plan step handed out up front (the fast path: `matrices`),
   * which wave jobs run while every earlier wave succeeded. Only a plan
   * step's state carries it; settle catches up on them (settleThrough, schedule.ts).
   */
  fastRounds?: number
  /**
   * Packed legs (packing.ts): a round of more phases than maxWorkers is
   * handed out whole, packed into maxWorkers legs. Off when absent.
   */
  pack?: boolean
  /**
   * Estimates from the plan step's `estimates` file, in minutes rounded to
   * tenths, by plan index (undefined: the plan's estimate_minutes): settle
   * packs with the same estimates as the plan step without the file.
   */
  estimates?: (number | undefined)[]
  /**
   * Most rounds of the run (the wave jobs there are, max-waves): rounds
   * fold several levels when the plan is deeper (rounds.ts). No limit when
   * absent.
   */
  maxRounds?: number
  /** Phases of a leg at once that rounds are planned for (leg-concurrency); 1 when absent. */
  legConcurrency?: number
  /**
   * The round in which each phase was last handed out (undefined: never),
   * by plan index: the report finds each round's legs from it.
   */
  roundOf?: (number | undefined)[]
  /** Runs each phase took when more than 1 (retries), by plan index: a pass after more is flaky. */
  attempts?: (number | undefined)[]
  /**
   * Digest of every phase's input hash as the plan step computed them
   * (hashesDigest), when it read a store of passed phases: the report
   * writes this run's passes only when its own hashes give the same.
   */
  hashes?: string
}

/** The runs phase `index` took: `attempts` is sparse (only phases run more than once), so absent is 1. */
export function attemptsOf(ledger: Ledger, index: number): number {
  return ledger.attempts?.[index] ?? 1
}

/** The state as JSON: short keys, because it travels as an environment string. */
interface EncodedLedger {
  v: number
  d: string
  p: string
  w: number
  f: 0 | 1
  a: number
  r: number
  c: number
  s: string
  t: string
  x?: number
  g?: number
  k?: 1
  e?: string
  m?: number
  n?: number
  o?: string
  y?: string
  h?: string
}

/** Whole numbers in base 36 separated by commas, '' for undefined, without trailing blanks. */
function encodeBase36List(values: readonly (number | undefined)[]): string {
  const parts = values.map(value =>
    value === undefined ? '' : value.toString(36)
  )
  while (parts.length > 0 && parts[parts.length - 1] === '') parts.pop()
  return parts.join(',')
}

/**
 * The round of each phase: one base-36 digit a phase ('.' for none) while
 * every round is below 36 (the wave jobs there are: 24 in phases.yml),
 * else the comma list.
 */
function encodeRounds(rounds: readonly (number | undefined)[]): string {
  const list = encodeBase36List(rounds)
  if (!rounds.every(round => round === undefined || round < 36)) return list
  const digits = rounds
    .map(round => (round === undefined ? '.' : round.toString(36)))
    .join('')
  return digits.length < list.length ? digits : list
}

function decodeRounds(
  field: string,
  count: number,
  text: string
): (number | undefined)[] {
  if (field.includes(',') || field.length !== count)
    return decodeBase36List(field, count, 'round', text)
  // Checked to be ASCII below: one character a phase.
  return Array.from({ length: count }, (_, at) => field.charAt(at)).map(
    char => {
      if (char === '.') return undefined
      if (!/^[0-9a-z]$/.test(char))
        throw invalid(`round '${char}' is not base 36`, text)
      return parseInt(char, 36)
    }
  )
}

export function encodeLedger(ledger: Ledger): string {
  const encoded: EncodedLedger = {
    v: STATE_VERSION,
    d: ledger.digest,
    p: ledger.planPath,
    w: ledger.maxWorkers,
    f: ledger.failFast ? 1 : 0,
    a: ledger.attempt,
    r: ledger.round,
    c: ledger.wave,
    s: ledger.statuses.map(status => STATUS_CHARS[status]).join(''),
    t: encodeBase36List(ledger.seconds)
  }
  if (ledger.stoppedBy !== undefined) encoded.x = ledger.stoppedBy
  if (ledger.fastRounds !== undefined) encoded.g = ledger.fastRounds
  if (ledger.pack === true) encoded.k = 1
  if (ledger.estimates?.some(m => m !== undefined) === true) {
    encoded.e = encodeBase36List(
      ledger.estimates.map(m =>
        m === undefined ? undefined : Math.round(m * 10)
      )
    )
  }
  if (ledger.maxRounds !== undefined) encoded.m = ledger.maxRounds
  if (ledger.legConcurrency !== undefined) encoded.n = ledger.legConcurrency
  if (ledger.roundOf?.some(round => round !== undefined) === true)
    encoded.o = encodeRounds(ledger.roundOf)
  if (ledger.attempts?.some(tries => tries !== undefined) === true)
    encoded.y = encodeBase36List(ledger.attempts)
  if (ledger.hashes !== undefined) encoded.h = ledger.hashes
  return JSON.stringify(encoded)
}

const EXPECTED =
  "Expected the 'state' output of the phase-matrix plan step or of the previous settle step."

function invalid(detail: string, text: string): UsageError {
  const shown = text.length > 60 ? `${text.slice(0, 60)}…` : text
  return new UsageError(
    `Input 'state' is not a phase-matrix state (${detail}): '${shown}'. ${EXPECTED}`
  )
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * A base-36 list back, one entry per phase (`count`); `what` names an entry
 * in the error ('duration', 'estimate').
 */
function decodeBase36List(
  field: string,
  count: number,
  what: string,
  text: string
): (number | undefined)[] {
  const values = new Array<number | undefined>(count).fill(undefined)
  const parts = field === '' ? [] : field.split(',')
  if (parts.length > count) throw invalid(`more ${what}s than phases`, text)
  parts.forEach((part, index) => {
    if (part === '') return
    if (!/^[0-9a-z]{1,8}$/.test(part)) {
      throw invalid(`${what} '${part}' is not base 36`, text)
    }
    values[index] = parseInt(part, 36)
  })
  return values
}

function wholeNumber(value: unknown, min: number): value is number {
  return (
    typeof value === 'number' && Number.isSafeInteger(value) && value >= min
  )
}

/** Reads a state string back; anything else is a UsageError saying what is wrong. */
export function decodeLedger(text: string): Ledger {
  let raw: unknown
  try {
    raw = JSON.parse(text)
  } catch {
    throw invalid('not JSON', text)
  }
  if (!isJsonObject(raw)) throw invalid('not a JSON object', text)
  if (raw['v'] !== STATE_VERSION) {
    throw invalid(
      `version ${raw['v'] === undefined ? 'missing' : JSON.stringify(raw['v'])}, this action reads version ${STATE_VERSION}; plan and settle must come from the same phase-matrix release`,
      text
    )
  }
  const { d, p, w, f, a, r, c, s, t, x, g, k, e, m, n, o, y, h } = raw
  if (typeof d !== 'string' || !/^[0-9a-f]{8,64}$/.test(d)) {
    throw invalid('plan digest missing or malformed', text)
  }
  if (typeof p !== 'string' || p === '')
    throw invalid('plan path missing', text)
  if (!wholeNumber(w, 1))
    throw invalid('max-workers must be a whole number ≥ 1', text)
  if (f !== 0 && f !== 1) throw invalid('fail-fast must be 0 or 1', text)
  if (!wholeNumber(a, 1))
    throw invalid('run attempt must be a whole number ≥ 1', text)
  if (!wholeNumber(r, 0))
    throw invalid('round must be a whole number ≥ 0', text)
  if (!wholeNumber(c, -1))
    throw invalid('wave must be a whole number ≥ -1', text)
  if (typeof s !== 'string') throw invalid('phase statuses missing', text)
  if (typeof t !== 'string') throw invalid('durations missing', text)
  if (x !== undefined && !(wholeNumber(x, 0) && x < s.length)) {
    throw invalid('fail-fast phase out of range', text)
  }
  if (g !== undefined && !wholeNumber(g, 1)) {
    throw invalid('fast rounds must be a whole number ≥ 1', text)
  }

  if (k !== undefined && k !== 1) throw invalid('pack must be 1', text)
  if (e !== undefined && typeof e !== 'string')
    throw invalid('estimates must be a string', text)
  if (m !== undefined && !wholeNumber(m, 1))
    throw invalid('max rounds must be a whole number ≥ 1', text)
  if (n !== undefined && !(wholeNumber(n, 1) && n <= 256))
    throw invalid('leg concurrency must be a whole number 1..256', text)
  if (o !== undefined && typeof o !== 'string')
    throw invalid('rounds of the phases must be a string', text)
  if (y !== undefined && typeof y !== 'string')
    throw invalid('attempts must be a string', text)
  if (h !== undefined && !(typeof h === 'string' && /^[0-9a-f]{16}$/.test(h)))
    throw invalid('input hashes digest must be 16 hex digits', text)

  const statuses: PhaseStatus[] = []
  for (const char of s) {
    const status = STATUS_OF_CHAR.get(char)
    if (status === undefined) {
      throw invalid(`unknown phase status '${char}'`, text)
    }
    statuses.push(status)
  }
  const seconds = decodeBase36List(t, statuses.length, 'duration', text)

  const ledger: Ledger = {
    digest: d,
    planPath: p,
    maxWorkers: w,
    failFast: f === 1,
    attempt: a,
    round: r,
    wave: c,
    statuses,
    seconds
  }
  if (x !== undefined) ledger.stoppedBy = x
  if (g !== undefined) ledger.fastRounds = g
  if (k === 1) ledger.pack = true
  if (e !== undefined) {
    ledger.estimates = decodeBase36List(
      e,
      statuses.length,
      'estimate',
      text
    ).map(tenths => (tenths === undefined ? undefined : tenths / 10))
  }
  if (m !== undefined) ledger.maxRounds = m
  if (n !== undefined) ledger.legConcurrency = n
  if (o !== undefined) ledger.roundOf = decodeRounds(o, statuses.length, text)
  if (y !== undefined)
    ledger.attempts = decodeBase36List(y, statuses.length, 'attempt', text)
  if (typeof h === 'string') ledger.hashes = h
  return ledger
}
