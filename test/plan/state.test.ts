import { describe, expect, test } from '@jest/globals'
import { UsageError } from '../../src/plan/errors.js'
import {
  type PhaseStatus,
  decodeLedger,
  isSucceeded,
  encodeLedger,
  type Ledger
} from '../../src/plan/state.js'

const ALL_STATUSES: PhaseStatus[] = [
  'pending',
  'running',
  'succeeded',
  'done',
  'succeeded-earlier',
  'failed',
  'cancelled',
  'timed-out',
  'unknown',
  'missing',
  'other',
  'skipped',
  'fail-fast'
]

function ledger(overrides: Partial<Ledger> = {}): Ledger {
  return {
    digest: '0123456789abcdef',
    planPath: '.prd_runner/phase_plan.yaml',
    maxWorkers: 3,
    failFast: false,
    attempt: 1,
    round: 2,
    wave: 1,
    statuses: ALL_STATUSES,
    seconds: ALL_STATUSES.map((_, i) => (i % 3 === 0 ? undefined : i * 97)),
    ...overrides
  }
}

function decodeError(text: string): string {
  try {
    decodeLedger(text)
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError)
    return (error as Error).message
  }
  throw new Error(`decoded: ${text}`)
}

describe('the run state', () => {
  test('every status and duration survives a round trip', () => {
    const original = ledger({ failFast: true, stoppedBy: 5 })
    expect(decodeLedger(encodeLedger(original))).toEqual(original)
  })

  test('trailing unknown durations are not written', () => {
    const original = ledger({
      statuses: ['succeeded', 'pending', 'pending'],
      seconds: [61, undefined, undefined]
    })
    const text = encodeLedger(original)
    expect(JSON.parse(text)).toMatchObject({ s: 'spp', t: '1p' })
    expect(decodeLedger(text)).toEqual(original)
  })

  test('5,000 phases in the worst case stay far below the 128 KiB of an env string', () => {
    const count = 5000
    const worst = ledger({
      planPath: `${'deeply/nested/folder/'.repeat(10)}phase_plan.yaml`,
      digest: 'f'.repeat(16),
      maxWorkers: 256,
      failFast: true,
      attempt: 99,
      round: 4999,
      wave: 4998,
      statuses: Array.from(
        { length: count },
        (_, i) => ALL_STATUSES[i % ALL_STATUSES.length] as PhaseStatus
      ),
      // 72 hours, the longest a self-hosted job may take, on every phase.
      seconds: Array.from({ length: count }, () => 72 * 3600),
      stoppedBy: count - 1
    })
    const text = encodeLedger(worst)
    expect(Buffer.byteLength(text)).toBeLessThan(64 * 1024)
    expect(decodeLedger(text)).toEqual(worst)
  })

  test.each([
    ['', /not JSON/],
    ['hello', /not JSON/],
    ['[1,2]', /not a JSON object/],
    ['{"v":2}', /version 2, this action reads version 1/],
    ['{}', /version missing/],
    ['{"v":1,"d":"xyz"}', /plan digest missing or malformed/],
    ['{"v":1,"d":"0123456789abcdef","p":"p.yaml","w":0}', /max-workers/],
    [
      '{"v":1,"d":"0123456789abcdef","p":"p.yaml","w":1,"f":0,"a":1,"r":0,"c":-1,"s":"pq","t":""}',
      /unknown phase status 'q'/
    ],
    [
      '{"v":1,"d":"0123456789abcdef","p":"p.yaml","w":1,"f":0,"a":1,"r":0,"c":-1,"s":"p","t":"1,2"}',
      /more durations than phases/
    ],
    [
      '{"v":1,"d":"0123456789abcdef","p":"p.yaml","w":1,"f":0,"a":1,"r":0,"c":-1,"s":"p","t":"-1"}',
      /duration '-1' is not base 36/
    ],
    [
      '{"v":1,"d":"0123456789abcdef","p":"p.yaml","w":1,"f":1,"a":1,"r":0,"c":-1,"s":"p","t":"","x":4}',
      /fail-fast phase out of range/
    ]
  ])('garbage %j is a clear error', (text, expected) => {
    const message = decodeError(text)
    expect(message).toMatch(expected)
    expect(message).toContain("Input 'state' is not a phase-matrix state")
    expect(message).toContain('plan step')
  })

  test('a long garbage value is shown shortened', () => {
    const message = decodeError('x'.repeat(10_000))
    expect(message.length).toBeLessThan(400)
  })
})

// The ledger's `unchanged` status through the state.
describe('unchanged in the state', () => {
  test('round-trips as one character, with the digest; counts as succeeded', () => {
    const ledger = {
      digest: '0123456789abcdef',
      planPath: 'plan.yaml',
      maxWorkers: 2,
      failFast: false,
      attempt: 1,
      round: 0,
      wave: -1,
      statuses: ['unchanged', 'pending'] as const,
      seconds: [undefined, undefined],
      hashes: 'fedcba9876543210'
    }
    const text = encodeLedger({ ...ledger, statuses: [...ledger.statuses] })
    expect(JSON.parse(text)).toMatchObject({ s: 'np', h: 'fedcba9876543210' })
    expect(decodeLedger(text)).toMatchObject({
      statuses: ['unchanged', 'pending'],
      hashes: 'fedcba9876543210'
    })
    expect(isSucceeded('unchanged')).toBe(true)
    expect(() =>
      decodeLedger(text.replace('fedcba9876543210', 'not-hex'))
    ).toThrow('input hashes digest must be 16 hex digits')
  })
})
