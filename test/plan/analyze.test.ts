import { describe, expect, it } from '@jest/globals'
import fc from 'fast-check'
import { analyzePlan } from '../../src/plan/analyze.js'
import { parsePlan } from '../../src/plan/load.js'
import { makePlan, specsFromEdges } from '../support/make-plan.js'

/** Up to `max` edges between distinct nodes of a graph of `count` nodes. */
const distinctPairs = (
  count: number,
  max: number
): fc.Arbitrary<[number, number][]> =>
  count < 2
    ? fc.constant([])
    : fc.array(
        fc
          .tuple(fc.nat(count - 1), fc.integer({ min: 1, max: count - 1 }))
          .map(([a, step]): [number, number] => [a, (a + step) % count]),
        { maxLength: max }
      )

const wavesOf = (specs: Parameters<typeof makePlan>[0]): string[][] => {
  const { analysis, problems } = analyzePlan(makePlan(specs))
  expect(problems).toEqual([])
  const phases = analysis!.plan.phases
  return analysis!.waves.map(wave => wave.map(i => phases[i]!.id))
}

describe('waves', () => {
  it("gives the seed's batches for its plan-parallel example", () => {
    expect(
      wavesOf([
        { id: 'database-schema' },
        { id: 'frontend-components' },
        { id: 'api-endpoints', deps: ['database-schema'] },
        { id: 'integration', deps: ['api-endpoints', 'frontend-components'] }
      ])
    ).toEqual([
      ['database-schema', 'frontend-components'],
      ['api-endpoints'],
      ['integration']
    ])
  })

  it('keeps plan order inside a wave, whatever the order of discovery', () => {
    expect(
      wavesOf([
        { id: 'z', deps: ['b'] },
        { id: 'b' },
        { id: 'a', deps: ['b'] },
        { id: 'c' }
      ])
    ).toEqual([
      ['b', 'c'],
      ['z', 'a']
    ])
  })

  it('handles a 100,000-phase chain without recursion', () => {
    const specs = Array.from({ length: 100_000 }, (_, i) => ({
      id: `p${i}`,
      deps: i === 0 ? [] : [`p${i - 1}`]
    }))
    const { analysis } = analyzePlan(makePlan(specs))
    expect(analysis!.waves).toHaveLength(100_000)
    expect(analysis!.waveOf[99_999]).toBe(99_999)
  })

  it('puts every dependency in an earlier wave, each phase one wave after its deepest dependency (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }).chain(count =>
          fc.tuple(
            fc.constant(count),
            distinctPairs(count, count * 3).map(pairs =>
              pairs.map(([a, b]): [number, number] => (a < b ? [a, b] : [b, a]))
            )
          )
        ),
        ([count, edges]) => {
          const { analysis, problems } = analyzePlan(
            makePlan(specsFromEdges(count, edges))
          )
          expect(problems).toEqual([])
          const { waveOf, depsOf, waves } = analysis!
          for (let node = 0; node < count; node++) {
            const deps = depsOf[node]!
            const deepest = deps.reduce((m, d) => Math.max(m, waveOf[d]!), -1)
            expect(waveOf[node]).toBe(deepest + 1)
          }
          // Every phase in exactly one wave, waves in plan order.
          expect(waves.flat().sort((a, b) => a - b)).toEqual(
            Array.from({ length: count }, (_, i) => i)
          )
          for (const wave of waves) {
            expect([...wave].sort((a, b) => a - b)).toEqual(wave)
          }
        }
      )
    )
  })
})

describe('problems', () => {
  it("reports the seed's cycle as a path whose every step is true", () => {
    const { analysis, problems } = analyzePlan(
      makePlan([
        { id: 'phase-a', deps: ['phase-c'] },
        { id: 'phase-b', deps: ['phase-a'] },
        { id: 'phase-c', deps: ['phase-b'] }
      ])
    )
    expect(analysis).toBeUndefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'cycle',
      severity: 'error',
      message:
        'Circular dependency detected: phase-a -> phase-b -> phase-c -> phase-a',
      cycle: ['phase-a', 'phase-b', 'phase-c', 'phase-a'],
      // phase-a's dep entry `phase-c`: the edge that closes the cycle
      line: 3,
      column: 12
    })
  })

  it('reports one cycle per strongly connected component, and every other problem too', () => {
    const { problems } = analyzePlan(
      makePlan([
        { id: 'a', deps: ['b'] },
        { id: 'b', deps: ['a'] },
        { id: 'ok' },
        { id: 'x', deps: ['z'] },
        { id: 'y', deps: ['x'] },
        { id: 'z', deps: ['y', 'ok'] },
        { id: 'self', deps: ['self'] },
        { id: 'typo', deps: ['databse'] },
        { id: 'database' },
        { id: 'ok' },
        { id: 'Database' }
      ])
    )
    expect(problems.map(p => [p.code, p.cycle ?? p.message])).toEqual([
      ['duplicate-id', 'Duplicate phase id `ok`: already defined at line 8'],
      [
        'duplicate-id',
        'Phase id `Database` differs from `database` (line 26) only in case; GitHub job ids are case-insensitive'
      ],
      ['self-dependency', 'Phase `self` depends on itself'],
      [
        'unknown-dependency',
        'Phase `typo` depends on unknown phase `databse`; did you mean `database`?'
      ],
      ['cycle', ['a', 'b', 'a']],
      ['cycle', ['x', 'y', 'z', 'x']]
    ])
  })

  it('reports a cycle iff one exists, each a real path in its own component (property)', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 12 })
          .chain(count =>
            fc.tuple(fc.constant(count), distinctPairs(count, count * 2))
          ),
        ([count, edges]) => {
          const specs = specsFromEdges(count, edges)
          const { problems } = analyzePlan(makePlan(specs))
          const cycles = problems.filter(p => p.code === 'cycle')
          expect(problems.length).toBe(cycles.length)
          // Reference: reachability by repeated relaxation (small graphs only).
          const reach = Array.from({ length: count }, () =>
            new Array<boolean>(count).fill(false)
          )
          for (const [from, to] of edges) reach[from]![to] = true
          for (let k = 0; k < count; k++)
            for (let i = 0; i < count; i++)
              for (let j = 0; j < count; j++)
                if (reach[i]![k] && reach[k]![j]) reach[i]![j] = true
          const onSomeCycle = (i: number): boolean => reach[i]![i]!
          const hasCycle = Array.from({ length: count }, (_, i) => i).some(
            onSomeCycle
          )
          expect(cycles.length > 0).toBe(hasCycle)
          // Components with a cycle: one report each.
          const componentOf = (i: number): number => {
            for (let j = 0; j < count; j++)
              if (j === i || (reach[i]![j] && reach[j]![i])) return j
            return i
          }
          const components = new Set(
            Array.from({ length: count }, (_, i) => i)
              .filter(onSomeCycle)
              .map(componentOf)
          )
          expect(cycles.length).toBe(components.size)
          const seen = new Set<number>()
          for (const { cycle } of cycles) {
            const nodes = cycle!.map(id => Number(id.slice(1)))
            expect(nodes[0]).toBe(nodes[nodes.length - 1])
            expect(new Set(nodes.slice(1)).size).toBe(nodes.length - 1)
            for (let i = 0; i + 1 < nodes.length; i++) {
              // each id is depended on by the next
              expect(specs[nodes[i + 1]!]!.deps).toContain(`p${nodes[i]}`)
            }
            // starts at its component's first phase in plan order
            const members = nodes.filter(
              n => componentOf(n) === componentOf(nodes[0]!)
            )
            expect(members).toEqual(nodes)
            expect(Math.min(...nodes)).toBe(nodes[0])
            const component = componentOf(nodes[0]!)
            expect(seen.has(component)).toBe(false)
            seen.add(component)
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})

describe('critical path', () => {
  it('follows the longest chain by estimate and sums the total', () => {
    const { analysis } = analyzePlan(
      makePlan([
        { id: 'a', estimateMinutes: 10 },
        { id: 'b', estimateMinutes: 30 },
        { id: 'c', deps: ['a', 'b'], estimateMinutes: 5 },
        { id: 'd', deps: ['a'], estimateMinutes: 20 }
      ])
    )
    expect(analysis!.criticalPath).toEqual({ ids: ['b', 'c'], minutes: 35 })
    expect(analysis!.totalMinutes).toBe(65)
    expect(analysis!.estimatedCount).toBe(4)
    expect(analysis!.maxParallelism).toBe(2)
  })

  it('is empty without estimates', () => {
    const { analysis } = analyzePlan(
      makePlan([{ id: 'a' }, { id: 'b', deps: ['a'] }])
    )
    expect(analysis!.criticalPath).toEqual({ ids: [], minutes: 0 })
  })
})

describe('long ids (settle no longer finds legs by job name)', () => {
  it('accepts ids that are one name once GitHub cuts job names to 100 characters', () => {
    const stem = 'x'.repeat(97)
    const loaded = parsePlan(
      [
        'phases:',
        `  - id: ${stem}-unit-tests-of-the-frontend`,
        `  - id: ${stem}-unit-tests-of-the-backend`,
        `    deps: [${stem}-unit-tests-of-the-frontend]`,
        `  - id: ${stem}...`,
        ''
      ].join('\n'),
      'long.yaml'
    )
    expect(loaded.problems).toEqual([])
    const { problems, analysis } = analyzePlan(loaded.plan!)
    expect(problems).toEqual([])
    expect(analysis!.waves).toHaveLength(2)
  })
})

describe('done phases', () => {
  it('a done phase whose dependencies are not all done is a warning at the first such dependency', () => {
    const { analysis, problems } = analyzePlan(
      makePlan([
        { id: 'build' },
        { id: 'lint', status: 'DONE' },
        { id: 'package', deps: ['lint', 'build'], status: 'Done' },
        { id: 'publish', deps: ['package'] },
        { id: 'docs', deps: ['lint'], status: 'done' }
      ])
    )
    expect(analysis).toBeDefined()
    expect(problems).toHaveLength(1)
    expect(problems[0]).toMatchObject({
      code: 'done-before-deps',
      severity: 'warning',
      file: 'plan.yaml',
      // makePlan: deps of phase 2 are on line 9, the second at column 16.
      line: 9,
      column: 16
    })
    expect(problems[0]!.message).toContain(
      'Phase `package` has status: done but depends on `build`, not done'
    )
    expect(analysis!.plan.phases.map(p => p.done)).toEqual([
      false,
      true,
      true,
      false,
      true
    ])
  })
})
