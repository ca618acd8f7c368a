// The jobs of a packed needs graph: every phase in exactly one job, the
// jobs' graph acyclic, each job's needs covering its phases' dependencies,
// runners never mixed, at most N jobs when N can be reached, exact chains,
// and no slower than one job per phase while nothing is merged.
import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import { dagTimeline, topologicalOrder } from '../../src/plan/dag-timeline.js'
import {
  outputNeeds,
  partitionJobs,
  type JobPartition,
  type PartitionInput
} from '../../src/plan/job-partition.js'
import { transitiveReduction } from '../../src/plan/job-partition.js'

/** Each node's ancestors (transitively), as sets. */
function ancestors(predsOf: readonly (readonly number[])[]): Set<number>[] {
  const result = predsOf.map(() => new Set<number>())
  for (const node of topologicalOrder(predsOf)) {
    for (const pred of predsOf[node] ?? []) {
      result[node]!.add(pred)
      for (const a of result[pred]!) result[node]!.add(a)
    }
  }
  return result
}

/** A DAG over n phases (each depending on earlier ones), runners, done phases, minutes. */
const arbitraryInput = fc
  .integer({ min: 1, max: 40 })
  .chain(n =>
    fc.record({
      predsOf: fc.tuple(
        ...Array.from({ length: n }, (_, i) =>
          i === 0
            ? fc.constant<number[]>([])
            : fc.uniqueArray(fc.nat(i - 1), { maxLength: 4 })
        )
      ),
      runnerKey: fc.array(fc.constantFrom('', '', '', '"mac"', '"big"'), {
        minLength: n,
        maxLength: n
      }),
      skip: fc.array(
        fc.integer({ min: 0, max: 7 }).map(k => k === 0),
        {
          minLength: n,
          maxLength: n
        }
      ),
      minutes: fc.array(fc.integer({ min: 0, max: 60 }), {
        minLength: n,
        maxLength: n
      }),
      idBytes: fc.array(fc.integer({ min: 3, max: 12 }), {
        minLength: n,
        maxLength: n
      }),
      maxIdBytes: fc.constantFrom(32_768, 40),
      jobStart: fc.constantFrom(0, 0.5, 2),
      maxJobs: fc.oneof(
        fc.integer({ min: 1, max: n + 2 }),
        fc.constant(Infinity)
      )
    })
  )
  .map((input): PartitionInput => ({
    ...input,
    predsOf: input.predsOf,
    // A skipped (done) phase's dependents wait for what it waits for: as
    // needsThroughDone hands them over, no skipped phase is a predecessor.
    minutes: input.minutes.map((m, i) => (input.skip[i] ? 0 : m))
  }))
  .map(input => ({ ...input, predsOf: throughSkipped(input) }))

/** Predecessor lists with skipped phases replaced by their own predecessors. */
function throughSkipped(input: PartitionInput): number[][] {
  const result: number[][] = []
  input.predsOf.forEach((preds, node) => {
    const seen = new Set<number>()
    for (const pred of preds) {
      if (input.skip[pred]) for (const p of result[pred]!) seen.add(p)
      else seen.add(pred)
    }
    result[node] = [...seen]
  })
  return result
}

function checkPartition(input: PartitionInput, p: JobPartition): void {
  const count = input.predsOf.length
  // Every phase that runs in exactly one job; a skipped one in none.
  const seen = new Array<number>(count).fill(0)
  p.jobs.forEach((job, k) => {
    expect(job.length).toBeGreaterThan(0)
    expect([...job].sort((a, b) => a - b)).toEqual(job)
    for (const phase of job) {
      seen[phase]!++
      expect(p.jobOf[phase]).toBe(k)
    }
  })
  for (let phase = 0; phase < count; phase++) {
    expect(seen[phase]).toBe(input.skip[phase] ? 0 : 1)
    if (input.skip[phase]) expect(p.jobOf[phase]).toBe(-1)
  }
  // The jobs' graph is acyclic (topologicalOrder throws on a cycle).
  expect(() => topologicalOrder(p.needs)).not.toThrow()
  const jobAncestors = ancestors(p.needs)
  p.needs.forEach((needs, k) => {
    expect(needs).not.toContain(k)
    expect([...new Set(needs)].sort((a, b) => a - b)).toEqual(needs)
  })
  // Each phase's dependencies are in its job or in a job its job waits for.
  for (let phase = 0; phase < count; phase++) {
    const job = p.jobOf[phase]!
    if (job === -1) continue
    for (const pred of input.predsOf[phase]!) {
      const from = p.jobOf[pred]!
      expect(from === job || jobAncestors[job]!.has(from)).toBe(true)
    }
  }
  // One runner a job; ids within the budget unless a phase alone exceeds it.
  for (const job of p.jobs) {
    expect(new Set(job.map(phase => input.runnerKey[phase])).size).toBe(1)
    const bytes = job.reduce((sum, phase) => sum + input.idBytes[phase]!, 0)
    if (job.length > 1) expect(bytes).toBeLessThanOrEqual(input.maxIdBytes)
  }
}

describe('outputNeeds', () => {
  test('each job reads from its needs and from every job holding a direct dependency of its phases, nothing else (property)', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const p = partitionJobs(input)
        const reads = outputNeeds(p, input.predsOf)
        p.jobs.forEach((phases, job) => {
          const expected = new Set(p.needs[job])
          for (const phase of phases)
            for (const dep of input.predsOf[phase] ?? []) {
              const from = p.jobOf[dep] ?? -1
              if (from !== -1 && from !== job) expected.add(from)
            }
          expect(reads[job]).toEqual([...expected].sort((a, b) => a - b))
        })
      }),
      { numRuns: 100 }
    )
  })

  test('a need the reduction left out is read again: c needs a directly though b needs a', () => {
    // a ← b ← c and a ← c, one job each: the needs keep c → b only.
    const p = partitionJobs({
      predsOf: [[], [0], [0, 1]],
      runnerKey: ['', '', ''],
      skip: [false, false, false],
      minutes: [1, 1, 1],
      idBytes: [3, 3, 3],
      maxIdBytes: 32_768,
      jobStart: 0.5,
      maxJobs: Infinity
    })
    expect(p.jobs).toEqual([[0], [1], [2]])
    expect(p.needs[2]).toEqual([1])
    expect(outputNeeds(p, [[], [0], [0, 1]])[2]).toEqual([0, 1])
  })
})

describe('partitionJobs', () => {
  test('every phase in one job, acyclic, needs cover the deps, runners unmixed, deterministic', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const p = partitionJobs(input)
        checkPartition(input, p)
        expect(partitionJobs(input)).toEqual(p)
      }),
      { numRuns: 100 }
    )
  })

  test('at most N jobs whenever N is at least the fewest the plan packs into', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const fewest = partitionJobs({ ...input, maxJobs: 1 }).jobs.length
        const p = partitionJobs(input)
        if (input.maxJobs >= fewest) {
          expect(p.jobs.length).toBeLessThanOrEqual(input.maxJobs)
        }
      }),
      { numRuns: 100 }
    )
  })

  test('one runner and room for every id: one job is always reached', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const one = {
          ...input,
          runnerKey: input.runnerKey.map(() => ''),
          maxIdBytes: 32_768,
          maxJobs: 1
        }
        const p = partitionJobs(one)
        checkPartition(one, p)
        const running = input.skip.filter(skip => !skip).length
        expect(p.jobs.length).toBe(Math.min(1, running))
      }),
      { numRuns: 100 }
    )
  })

  test('exact jobs are chains: every phase of a job depends on every phase of each job it needs', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const p = partitionJobs({ ...input, maxJobs: Infinity })
        expect(p.exact).toBe(true)
        const phaseAncestors = ancestors(input.predsOf)
        p.needs.forEach((needs, k) => {
          for (const need of needs) {
            for (const phase of p.jobs[k]!) {
              for (const before of p.jobs[need]!) {
                expect(phaseAncestors[phase]!.has(before)).toBe(true)
              }
            }
          }
        })
      }),
      { numRuns: 100 }
    )
  })

  test('chains and the packing without merges are no slower than one job per phase', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const cost = (phases: readonly number[]): number =>
          input.jobStart +
          phases.reduce((sum, phase) => sum + input.minutes[phase]!, 0)
        const unpacked = dagTimeline(input.predsOf, phase =>
          input.skip[phase] ? 0 : cost([phase])
        ).end
        const p = partitionJobs(input)
        const packed = dagTimeline(p.needs, job => cost(p.jobs[job]!)).end
        if (!p.merged) expect(packed).toBeLessThanOrEqual(unpacked + 1e-9)
        expect(p.exact && p.merged).toBe(false)
      }),
      { numRuns: 100 }
    )
  })

  test('a chain is one job; a fan-out and a fan-in are not contracted', () => {
    // 0 → 1 → 2, 2 → 3, 2 → 4, 3 → 5, 4 → 5
    const input: PartitionInput = {
      predsOf: [[], [0], [1], [2], [2], [3, 4]],
      skip: [false, false, false, false, false, false],
      runnerKey: ['', '', '', '', '', ''],
      idBytes: [4, 4, 4, 4, 4, 4],
      maxIdBytes: 32_768,
      minutes: [1, 1, 1, 1, 1, 1],
      jobStart: 0.5,
      maxJobs: Infinity
    }
    const p = partitionJobs(input)
    expect(p.jobs).toEqual([[0, 1, 2], [3], [4], [5]])
    expect(p.needs).toEqual([[], [0], [0], [1, 2]])
    expect(p.exact).toBe(true)
  })

  test('a runner change cuts a chain', () => {
    const p = partitionJobs({
      predsOf: [[], [0], [1]],
      skip: [false, false, false],
      runnerKey: ['', '"mac"', '"mac"'],
      idBytes: [4, 4, 4],
      maxIdBytes: 32_768,
      minutes: [1, 1, 1],
      jobStart: 0.5,
      maxJobs: 1
    })
    expect(p.jobs).toEqual([[0], [1, 2]])
    expect(p.needs).toEqual([[], [0]])
  })
})

describe('transitiveReduction', () => {
  test('keeps reachability and drops every need implied by another', () => {
    fc.assert(
      fc.property(arbitraryInput, input => {
        const reduced = transitiveReduction(input.predsOf)
        const before = ancestors(input.predsOf)
        const after = ancestors(reduced)
        expect(after).toEqual(before)
        reduced.forEach((preds, node) => {
          for (const pred of preds) {
            expect(input.predsOf[node]).toContain(pred)
            const others = preds.filter(other => other !== pred)
            expect(others.some(other => after[other]!.has(pred))).toBe(false)
          }
        })
      }),
      { numRuns: 100 }
    )
  })
})
