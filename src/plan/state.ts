// The ledger of a run: where each phase stands, carried from the plan step to
// each settle step as one compact string (the `state` output/input).
//
// Every action input reaches the process as one environment string and Linux
// refuses a string over 128 KiB (E2BIG), so the state holds no phase data:
// one status character per phase in plan order and the durations in base 36,
// with the plan's path and a digest of its text. Settle re-reads the plan from
// the checkout and refuses it when the digest differs. 5,000 phases in the
// worst case take about 30 KB (test/plan/state.test.ts).
// Encoding and decoding are O(phases).
import { UsageError } from './errors.js'

export const STATE_VERSION = 1

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
  /** A dependency failed or was skipped. */
  | 'skipped'
  /** fail-fast: a phase failed, so no new phase started. */
  | 'fail-fast'

const STATUS_CHARS: Record<PhaseStatus, string> = {
  pending: 'p',
  running: 'r',
  succeeded: 's',
  done: 'd',
  'succeeded-earlier': 'e',
  failed: 'f',
  cancelled: 'c',
  'timed-out': 't',
  unknown: 'u',
  missing: 'm',
  other: 'o',
  skipped: 'k',
  'fail-fast': 'x'
}

const STATUS_OF_CHAR = new Map<string, PhaseStatus>(
  Object.entries(STATUS_CHARS).map(([status, char]) => [
    char,
    status as PhaseStatus
  ])
)

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
  'succeeded-earlier'
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
   * step's state carries it; settle catches up on them (fast-path.ts).
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
}

export function encodeLedger(ledger: Ledger): string {
  const seconds = ledger.seconds.map(s =>
    s === undefined ? '' : s.toString(36)
  )
  while (seconds.length > 0 && seconds[seconds.length - 1] === '') seconds.pop()
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
    t: seconds.join(',')
  }
  if (ledger.stoppedBy !== undefined) encoded.x = ledger.stoppedBy
  if (ledger.fastRounds !== undefined) encoded.g = ledger.fastRounds
  if (ledger.pack === true) encoded.k = 1
  if (ledger.estimates?.some(m => m !== undefined) === true) {
    const tenths = ledger.estimates.map(m =>
      m === undefined ? '' : Math.round(m * 10).toString(36)
    )
    while (tenths.length > 0 && tenths[tenths.length - 1] === '') tenths.pop()
    encoded.e = tenths.join(',')
  }
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
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw invalid('not a JSON object', text)
  }
  const data = raw as Partial<Record<keyof EncodedLedger, unknown>>
  if (data.v !== STATE_VERSION) {
    throw invalid(
      `version ${data.v === undefined ? 'missing' : JSON.stringify(data.v)}, this action reads version ${STATE_VERSION}; plan and settle must come from the same phase-matrix release`,
      text
    )
  }
  const { d, p, w, f, a, r, c, s, t, x, g, k, e } = data
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

  const statuses: PhaseStatus[] = []
  for (const char of s) {
    const status = STATUS_OF_CHAR.get(char)
    if (status === undefined) {
      throw invalid(`unknown phase status '${char}'`, text)
    }
    statuses.push(status)
  }
  const seconds: (number | undefined)[] = new Array<number | undefined>(
    statuses.length
  ).fill(undefined)
  const parts = t === '' ? [] : t.split(',')
  if (parts.length > statuses.length) {
    throw invalid('more durations than phases', text)
  }
  parts.forEach((part, index) => {
    if (part === '') return
    if (!/^[0-9a-z]{1,8}$/.test(part)) {
      throw invalid(`duration '${part}' is not base 36`, text)
    }
    seconds[index] = parseInt(part, 36)
  })

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
    const parts = e === '' ? [] : e.split(',')
    if (parts.length > statuses.length)
      throw invalid('more estimates than phases', text)
    const estimates = new Array<number | undefined>(statuses.length).fill(
      undefined
    )
    parts.forEach((part, index) => {
      if (part === '') return
      if (!/^[0-9a-z]{1,8}$/.test(part))
        throw invalid(`estimate '${part}' is not base 36`, text)
      estimates[index] = parseInt(part, 36) / 10
    })
    ledger.estimates = estimates
  }
  return ledger
}
