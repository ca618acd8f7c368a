// A leg's record (src/plan/leg-record.ts): what exec writes is what settle
// reads back; text that is not a record (it comes from a job output) is a
// problem, never a throw; the wave job's `<job status> <record>` output
// splits back into its parts; the bound on what settle's env holds for a
// round is never below what GitHub's toJSON(needs.<wave job>) gives; and
// whether the legs' records fit where they travel: 64 legs a round, one
// round's records in one environment string, all rounds' in the report
// step's environment.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import {
  decodeLegRecord,
  encodeLegRecord,
  LEG_RECORD_VERSION,
  legDigest,
  legOutputName,
  MAX_RECORDS_ENV_BYTES,
  recordBudgetProblem,
  roundRecordsBytes,
  splitLegOutput,
  type LegRecord,
  type RecordedPhase,
  type RecordedStatus
} from '../../src/plan/leg-record.js'
import { MAX_ENV_VALUE_BYTES } from '../../src/plan/env-limits.js'
import { MATRIX_LEG_LIMIT } from '../../src/plan/leg-record.js'

const STATUSES: RecordedStatus[] = [
  'succeeded',
  'failed',
  'timed-out',
  'skipped',
  'not-run'
]

/** Most seconds a start offset or duration takes (4 digits in base 36, 19 days). */
const LONGEST = 36 ** 4 - 1

/** A phase as exec records it, its times in whole seconds. */
const recordedPhase = (origin: number): fc.Arbitrary<RecordedPhase> =>
  fc
    .record({
      status: fc.constantFrom(...STATUSES),
      times: fc.oneof(
        fc.constant(undefined),
        fc.record({
          offset: fc.integer({ min: 0, max: LONGEST }),
          duration: fc.option(fc.integer({ min: 0, max: LONGEST }), {
            nil: undefined
          })
        })
      )
    })
    .map(({ status, times }) => {
      const phase: RecordedPhase = { status }
      if (times !== undefined) {
        phase.start = (origin + times.offset) * 1000
        if (times.duration !== undefined)
          phase.end = phase.start + times.duration * 1000
      }
      return phase
    })

const legRecord: fc.Arbitrary<LegRecord> = fc
  .record({
    round: fc.integer({ min: 1, max: 1000 }),
    attempt: fc.integer({ min: 1, max: 100 }),
    leg: fc.integer({ min: 1, max: 64 }),
    ids: fc.array(fc.stringMatching(/^[a-z0-9_.-]{1,12}$/), {
      minLength: 1,
      maxLength: 40
    }),
    // Unix seconds: 2020 … 2030.
    origin: fc.integer({ min: 1_577_836_800, max: 1_893_456_000 })
  })
  .chain(({ round, attempt, leg, ids, origin }) =>
    fc
      .array(recordedPhase(origin), {
        minLength: ids.length,
        maxLength: ids.length
      })
      .map(phases => ({
        round,
        attempt,
        leg,
        digest: legDigest(ids),
        phases
      }))
  )

function problemOf(text: string): string | undefined {
  const decoded = decodeLegRecord(text)
  return 'problem' in decoded ? decoded.problem : undefined
}

/** A valid record's JSON with some fields replaced. */
function encodedWith(fields: Record<string, unknown>): string {
  const valid = JSON.parse(
    encodeLegRecord({
      round: 2,
      attempt: 1,
      leg: 3,
      digest: legDigest(['a', 'b']),
      phases: [
        {
          status: 'succeeded',
          start: 1_765_000_000_000,
          end: 1_765_000_042_000
        },
        { status: 'failed', start: 1_765_000_042_000, end: 1_765_000_050_000 }
      ]
    })
  ) as Record<string, unknown>
  return JSON.stringify({ ...valid, ...fields })
}

describe('encode and decode', () => {
  test('round trip: statuses, round, attempt, leg, digest and times in whole seconds (property)', () => {
    fc.assert(
      fc.property(legRecord, record => {
        const text = encodeLegRecord(record)
        expect(decodeLegRecord(text)).toEqual({ record })
      })
    )
  })

  test('the compact shape: one status character a phase, offsets and durations in base 36 from the first start', () => {
    const text = encodeLegRecord({
      round: 2,
      attempt: 1,
      leg: 3,
      digest: '0123456789abcdef',
      phases: [
        {
          status: 'succeeded',
          start: 1_765_000_000_000,
          end: 1_765_000_005_000
        },
        { status: 'failed', start: 1_765_000_010_000, end: 1_765_000_030_000 },
        { status: 'skipped' },
        { status: 'not-run' },
        { status: 'timed-out', start: 1_765_000_036_000 }
      ]
    })
    expect(JSON.parse(text)).toEqual({
      v: LEG_RECORD_VERSION,
      r: 2,
      a: 1,
      l: 3,
      p: '0123456789abcdef',
      t: 1_765_000_000,
      s: 'sfknt',
      b: '0,a,,,10',
      e: '5,k,,,'
    })
  })

  test('times between whole seconds come back within a second', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            start: fc.integer({
              min: 1_577_836_800_000,
              max: 1_893_456_000_000
            }),
            took: fc.integer({ min: 0, max: 86_400_000 })
          }),
          { minLength: 1, maxLength: 20 }
        ),
        times => {
          const phases: RecordedPhase[] = times.map(({ start, took }) => ({
            status: 'succeeded',
            start,
            end: start + took
          }))
          const decoded = decodeLegRecord(
            encodeLegRecord({
              round: 1,
              attempt: 1,
              leg: 1,
              digest: legDigest(['x']),
              phases
            })
          )
          if (!('record' in decoded)) throw new Error(decoded.problem)
          decoded.record.phases.forEach((phase, position) => {
            const sent = phases[position]!
            expect(Math.abs(phase.start! - sent.start!)).toBeLessThanOrEqual(
              1000
            )
            expect(
              Math.abs(phase.end! - phase.start! - (sent.end! - sent.start!))
            ).toBeLessThanOrEqual(1000)
          })
        }
      )
    )
  })
})

describe('decode of hostile text', () => {
  test('not JSON', () => {
    for (const text of ['', 'nope', '{', 'phase-matrix-leg: abc', '{"v":1,}']) {
      expect([text, problemOf(text)]).toEqual([text, 'its record is not JSON'])
    }
  })

  test('JSON that is not a record: another shape, another version, wrong types', () => {
    const notARecord = 'its record is not a phase-matrix leg record'
    const cases: [string, string][] = [
      ['null', 'null'],
      ['an array', '[]'],
      ['a string', '"success"'],
      ['a number', '42'],
      ['an empty object', '{}'],
      ['version 2', encodedWith({ v: 2 })],
      ['version "1"', encodedWith({ v: '1' })],
      ['no version', encodedWith({ v: undefined })],
      ['round as a string', encodedWith({ r: '2' })],
      ['round 0', encodedWith({ r: 0 })],
      ['round 1.5', encodedWith({ r: 1.5 })],
      ['attempt negative', encodedWith({ a: -1 })],
      ['leg null', encodedWith({ l: null })],
      ['digest not hex', encodedWith({ p: 'zzzzzzzzzzzzzzzz' })],
      ['digest too short', encodedWith({ p: '0123' })],
      ['origin negative', encodedWith({ t: -5 })],
      ['origin a string', encodedWith({ t: '1765000000' })],
      ['statuses a list', encodedWith({ s: ['s', 'f'] })],
      ['starts a number', encodedWith({ b: 0 })],
      ['durations missing', encodedWith({ e: undefined })]
    ]
    for (const [label, text] of cases) {
      expect([label, problemOf(text)]).toEqual([label, notARecord])
    }
  })

  test('an unknown status character', () => {
    expect(problemOf(encodedWith({ s: 'sx' }))).toBe(
      "its record has an unknown status 'x'"
    )
    expect(problemOf(encodedWith({ s: 'S,' }))).toMatch(
      /^its record has an unknown status 'S'$/
    )
    // Two UTF-16 units, one character: never a status.
    expect(problemOf(encodedWith({ s: '😀' }))).toMatch(
      /^its record has an unknown status/
    )
  })

  test('time lists whose length differs from the status count, or that are not base 36', () => {
    const malformed = 'its record has malformed times'
    const cases: [string, Record<string, unknown>][] = [
      ['one start too many', { b: '0,8,3' }],
      ['one start too few', { b: '0' }],
      ['no starts for two phases', { b: '' }],
      ['one duration too many', { e: '16,8,1' }],
      ['one duration too few', { e: '16' }],
      ['more statuses than times', { s: 'sfs' }],
      ['fewer statuses than times', { s: 's' }],
      ['upper case', { b: '0,A' }],
      ['a sign', { b: '0,-8' }],
      ['a fraction', { e: '16,8.5' }],
      ['a space', { e: '16, 8' }],
      ['more than 8 digits', { b: '0,123456789' }]
    ]
    for (const [label, fields] of cases) {
      expect([label, problemOf(encodedWith(fields))]).toEqual([
        label,
        malformed
      ])
    }
  })

  test('any text, any JSON, any mangled record: a record or a problem, never a throw (property)', () => {
    const answers = (text: string): void => {
      const decoded = decodeLegRecord(text)
      expect('record' in decoded !== 'problem' in decoded).toBe(true)
      if ('problem' in decoded) expect(decoded.problem).toMatch(/^its record /)
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), answers)
    )
    fc.assert(fc.property(fc.json(), answers))
    fc.assert(
      fc.property(
        legRecord,
        fc.constantFrom('v', 'r', 'a', 'l', 'p', 't', 's', 'b', 'e'),
        fc.jsonValue(),
        (record, key, value) => {
          const fields = JSON.parse(encodeLegRecord(record)) as Record<
            string,
            unknown
          >
          answers(JSON.stringify({ ...fields, [key]: value }))
        }
      )
    )
    fc.assert(
      fc.property(
        legRecord,
        fc.nat(),
        fc.string({ unit: 'binary', maxLength: 3 }),
        (record, at, insert) => {
          const text = encodeLegRecord(record)
          const cut = at % (text.length + 1)
          answers(text.slice(0, cut) + insert + text.slice(cut + 1))
        }
      )
    )
  })
})

describe('the wave job output of a leg', () => {
  test('splitLegOutput: the job status, then the record as exec wrote it', () => {
    const record = encodeLegRecord({
      round: 1,
      attempt: 1,
      leg: 3,
      digest: legDigest(['a']),
      phases: [
        {
          status: 'succeeded',
          start: 1_765_000_000_000,
          end: 1_765_000_001_000
        }
      ]
    })
    expect(splitLegOutput(`success ${record}`)).toEqual({
      jobStatus: 'success',
      record
    })
    expect(splitLegOutput(`failure ${record}`)).toEqual({
      jobStatus: 'failure',
      record
    })
    // format('{0} {1}', job.status, '') when exec wrote no record.
    expect(splitLegOutput('cancelled ')).toEqual({
      jobStatus: 'cancelled',
      record: ''
    })
    expect(splitLegOutput('failure')).toEqual({
      jobStatus: 'failure',
      record: ''
    })
    expect(splitLegOutput('')).toEqual({ jobStatus: '', record: '' })
    // Only the first space splits: the rest is the record, spaces and all.
    expect(splitLegOutput('success a b  c')).toEqual({
      jobStatus: 'success',
      record: 'a b  c'
    })
  })

  test('splitLegOutput undoes `<status> <record>` for any status without a space (property)', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[a-z_]{0,12}$/),
        fc.string({ maxLength: 60 }),
        (jobStatus, record) => {
          expect(splitLegOutput(`${jobStatus} ${record}`)).toEqual({
            jobStatus,
            record
          })
        }
      )
    )
  })

  test('legOutputName and legDigest', () => {
    expect(legOutputName(1)).toBe('leg-1')
    expect(legOutputName(64)).toBe('leg-64')
    expect(legDigest(['a', 'b'])).toMatch(/^[0-9a-f]{16}$/)
    expect(legDigest(['a', 'b'])).toBe(legDigest(['a', 'b']))
    expect(legDigest(['a', 'b'])).not.toBe(legDigest(['b', 'a']))
    expect(legDigest(['a', 'b'])).not.toBe(legDigest(['a']))
    expect(legDigest(['ab'])).not.toBe(legDigest(['a', 'b']))
  })
})

describe('roundRecordsBytes', () => {
  test("at least the bytes of toJSON(needs.<wave job>) for the round's legs, at their longest (property)", () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), {
          minLength: 1,
          maxLength: 64
        }),
        fc.constantFrom('success', 'failure', 'cancelled'),
        (sizes, jobStatus) => {
          const outputs: Record<string, string> = {}
          sizes.forEach((size, position) => {
            const leg = position + 1
            const record = encodeLegRecord({
              round: 999,
              attempt: 99,
              leg,
              digest: legDigest([`leg-${leg}`]),
              // Every phase at the longest offset and duration; the first
              // starts at the origin so that the others' offsets are long.
              phases: Array.from({ length: size }, (_, index) => ({
                status: 'not-run',
                start: (1_765_000_000 + (index === 0 ? 0 : LONGEST)) * 1000,
                end:
                  (1_765_000_000 + (index === 0 ? 0 : LONGEST) + LONGEST) * 1000
              }))
            })
            outputs[legOutputName(leg)] = `${jobStatus} ${record}`
          })
          // GitHub's toJSON: two-space indents, `"` escaped in the values.
          const needs = JSON.stringify({ result: jobStatus, outputs }, null, 2)
          const phases = sizes.reduce((sum, size) => sum + size, 0)
          expect(Buffer.byteLength(needs)).toBeLessThanOrEqual(
            roundRecordsBytes(sizes.length, phases)
          )
        }
      ),
      { numRuns: 60 }
    )
  })

  test('grows with the legs and the phases', () => {
    expect(roundRecordsBytes(2, 10)).toBeGreaterThan(roundRecordsBytes(1, 10))
    expect(roundRecordsBytes(1, 11)).toBeGreaterThan(roundRecordsBytes(1, 10))
  })
})

/** Phases of a 64-leg round whose records just fit one environment string. */
const FULL_ROUND = Math.floor(
  (MAX_ENV_VALUE_BYTES - roundRecordsBytes(MATRIX_LEG_LIMIT, 0)) /
    (roundRecordsBytes(1, 1) - roundRecordsBytes(1, 0))
)

describe('recordBudgetProblem', () => {
  test('a plan of usual rounds fits', () => {
    expect(
      recordBudgetProblem([
        { wave: 1, legs: 64, phases: 5000 },
        { wave: 2, legs: 3, phases: 3 }
      ])
    ).toBeUndefined()
  })

  test('more legs than a round may have: the runners are named as the cause', () => {
    expect(
      recordBudgetProblem([
        { wave: 1, legs: 2, phases: 2 },
        { wave: 2, legs: MATRIX_LEG_LIMIT + 1, phases: 70 }
      ])
    ).toMatch(/^Wave 2 needs 65 legs: its phases name more different runners/)
  })

  test('one round over one environment string', () => {
    expect(
      recordBudgetProblem([{ wave: 1, legs: 64, phases: FULL_ROUND }])
    ).toBeUndefined()
    expect(
      recordBudgetProblem([{ wave: 3, legs: 64, phases: FULL_ROUND + 1 }])
    ).toMatch(
      /^Wave 3 holds \d+ phases: .*PHASE_MATRIX_ROUND_3, one environment string.*E2BIG/
    )
  })

  test('every round fits, all of them together do not: the report step’s environment', () => {
    const rounds = Math.ceil(
      MAX_RECORDS_ENV_BYTES / roundRecordsBytes(64, FULL_ROUND)
    )
    const problem = recordBudgetProblem(
      Array.from({ length: rounds + 1 }, (_, i) => ({
        wave: i + 1,
        legs: 64,
        phases: FULL_ROUND
      }))
    )
    expect(problem).toMatch(
      /^The records of all \d+ waves \(\d+ phases\) can take up to [\d,]+ bytes together in the report step's environment .*ARG_MAX/
    )
  })

  test('a problem exactly when some bound is passed (property)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            legs: fc.integer({ min: 1, max: 70 }),
            phases: fc.integer({ min: 1, max: 12_000 })
          }),
          { minLength: 1, maxLength: 24 }
        ),
        sizes => {
          const rounds = sizes.map((size, i) => ({ wave: i + 1, ...size }))
          const bytes = rounds.map(r => roundRecordsBytes(r.legs, r.phases))
          const over =
            rounds.some(r => r.legs > MATRIX_LEG_LIMIT) ||
            bytes.some(b => b > MAX_ENV_VALUE_BYTES) ||
            bytes.reduce((a, b) => a + b, 0) > MAX_RECORDS_ENV_BYTES
          expect(recordBudgetProblem(rounds) !== undefined).toBe(over)
        }
      )
    )
  })
})
