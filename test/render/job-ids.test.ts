import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import {
  jobIdsFor,
  MAX_JOB_ID_LENGTH,
  sanitizeJobId
} from '../../src/render/needs-document.js'

const VALID = /^[A-Za-z_][A-Za-z0-9_-]*$/

function expectLegal(ids: string[]): void {
  for (const id of ids) {
    expect(id).toMatch(VALID)
    expect(id.startsWith('__')).toBe(false)
    expect(id.length).toBeLessThan(100)
  }
  const folded = ids.map(id => id.toLowerCase())
  expect(new Set(folded).size).toBe(ids.length)
}

describe('sanitizeJobId', () => {
  test('legal ids stay as they are', () => {
    for (const id of ['api-endpoints', 'database_schema', 'e2e-tests', '_x']) {
      expect(sanitizeJobId(id)).toBe(id)
    }
  })

  test('other characters become _, and a bad start gets p_', () => {
    expect(sanitizeJobId('1.10')).toBe('p_1_10')
    expect(sanitizeJobId('a@b/c+d.e')).toBe('a_b_c_d_e')
    expect(sanitizeJobId('__init')).toBe('p___init')
    expect(sanitizeJobId('-x')).toBe('p_-x')
    expect(sanitizeJobId('ünï')).toBe('_n_')
  })

  test('long ids are cut below 100 characters', () => {
    const id = sanitizeJobId('x'.repeat(300))
    expect(id).toHaveLength(MAX_JOB_ID_LENGTH)
  })
})

describe('jobIdsFor', () => {
  test('readable ids are kept', () => {
    expect(jobIdsFor(['api-endpoints', 'integration'])).toEqual([
      'api-endpoints',
      'integration'
    ])
  })

  test('an unchanged id keeps its name; a changed one that meets it is suffixed', () => {
    const [plain, dotted] = jobIdsFor(['a_b', 'a.b'])
    expect(plain).toBe('a_b')
    expect(dotted).toMatch(/^a_b-[0-9a-f]{8}$/)
  })

  test('two changed ids that meet are both suffixed, whatever their order', () => {
    const forward = jobIdsFor(['a.b', 'a@b'])
    const backward = jobIdsFor(['a@b', 'a.b'])
    expect(forward[0]).toMatch(/^a_b-[0-9a-f]{8}$/)
    expect(forward[1]).toMatch(/^a_b-[0-9a-f]{8}$/)
    expect(backward).toEqual([forward[1], forward[0]])
    expectLegal(forward)
  })

  test('ids equal ignoring case after sanitising are told apart', () => {
    const ids = jobIdsFor(['A.B', 'a_b', 'a/b'])
    expect(ids[1]).toBe('a_b')
    expectLegal(ids)
  })

  test('long ids that share their first 99 characters stay distinct', () => {
    const prefix = 'p'.repeat(150)
    const ids = jobIdsFor([`${prefix}-one`, `${prefix}-two`])
    expectLegal(ids)
  })

  test('a reserved id is never given to a phase', () => {
    const [id] = jobIdsFor(['phase-matrix-gate'], ['phase-matrix-gate'])
    expect(id).toMatch(/^phase-matrix-gate-[0-9a-f]{8}$/)
    const [upper] = jobIdsFor(['Phase-Matrix-Gate'], ['phase-matrix-gate'])
    expect(upper?.toLowerCase()).not.toBe('phase-matrix-gate')
  })

  // Ids from a tiny alphabet, so that sanitising and case folding collide often.
  const phaseId = fc.string({
    unit: fc.constantFrom('a', 'A', 'b', '.', '@', '_', '1', '-', '/'),
    minLength: 1,
    maxLength: 4
  })
  const phaseIds = fc.uniqueArray(phaseId, {
    selector: id => id.toLowerCase(),
    maxLength: 30
  })

  test('always legal and unique ignoring case (property)', () => {
    fc.assert(
      fc.property(phaseIds, ids => {
        expectLegal([
          ...jobIdsFor(ids, ['phase-matrix-gate']),
          'phase-matrix-gate'
        ])
      })
    )
  })

  test('each phase keeps its job id when the plan is reordered (property)', () => {
    fc.assert(
      fc.property(
        phaseIds.chain(ids =>
          fc.tuple(
            fc.constant(ids),
            fc.shuffledSubarray(ids, { minLength: ids.length })
          )
        ),
        ([ids, shuffled]) => {
          const original = jobIdsFor(ids)
          const before = new Map(ids.map((id, i) => [id, original[i]]))
          const after = jobIdsFor(shuffled)
          shuffled.forEach((id, i) => {
            expect(after[i]).toBe(before.get(id))
          })
        }
      )
    )
  })
})
