import { describe, expect, it } from '@jest/globals'
import { MAX_TREE_DEPTH, renderTree } from '../../src/render/text.js'
import { analysed, SEED_PLAN, type PhaseSpec } from './build-plan.js'

// Copied from shared/seed/PARALLEL_EXECUTION.md (`plan-parallel --tree`).
const SEED_TREE = `Phase Dependency Tree
├─ database-schema
│  └─ api-endpoints
│     └─ integration
└─ frontend-components
   └─ integration
`

/** Lines naming `id` (with its connector), without the tree glyphs. */
function occurrences(text: string, id: string): string[] {
  return text
    .split('\n')
    .map(line => line.replace(/^[│├└─ ]*/, ''))
    .filter(line => line === id || line.startsWith(`${id} `))
}

describe('renderTree', () => {
  it("reproduces the seed's dependency tree", () => {
    expect(renderTree(analysed(SEED_PLAN))).toBe(SEED_TREE)
  })

  it('shows a phase under each parent and expands it only once', () => {
    // d has two parents (b, c) and a dependent e.
    const text = renderTree(
      analysed([
        ['a'],
        ['b', ['a']],
        ['c', ['a']],
        ['d', ['b', 'c']],
        ['e', ['d']]
      ])
    )
    expect(text).toBe(`Phase Dependency Tree
└─ a
   ├─ b
   │  └─ d
   │     └─ e
   └─ c
      └─ d (see above)
`)
  })

  it('does not mark a repeated phase that has no dependents', () => {
    const text = renderTree(analysed([['a'], ['b'], ['c', ['a', 'b']]]))
    expect(occurrences(text, 'c')).toEqual(['c', 'c'])
  })

  it('lists roots first in plan order and every phase at least once', () => {
    const specs: PhaseSpec[] = [
      ['x', ['r2']],
      ['r1'],
      ['r2'],
      ['y', ['x', 'r1']]
    ]
    const text = renderTree(analysed(specs))
    const lines = text.split('\n')
    expect(lines[1]).toBe('├─ r1')
    expect(lines.filter(l => /^[├└]/.test(l))).toEqual(['├─ r1', '└─ r2'])
    for (const [id] of specs)
      expect(occurrences(text, id).length).toBeGreaterThan(0)
  })

  it('marks done phases', () => {
    const text = renderTree(
      analysed([
        ['a', [], { status: 'done' }],
        ['b', ['a']]
      ])
    )
    expect(text).toContain('└─ a (done)\n   └─ b\n')
  })

  it('stays linear in size for a dense lattice (see above instead of re-expanding)', () => {
    // 30 layers of 10 phases, each depending on all 10 of the layer before:
    // expanding every occurrence would print 10^30 lines.
    const specs: PhaseSpec[] = []
    for (let layer = 0; layer < 30; layer++) {
      for (let k = 0; k < 10; k++) {
        const deps =
          layer === 0
            ? []
            : Array.from({ length: 10 }, (_, j) => `l${layer - 1}-${j}`)
        specs.push([`l${layer}-${k}`, deps])
      }
    }
    const lines = renderTree(analysed(specs)).split('\n')
    // One line per edge plus one per root, the title and the final newline.
    expect(lines.length).toBe(29 * 100 + 10 + 2)
    // Layers 1-28 have dependents: 10 parents each, 9 later occurrences.
    expect(lines.filter(l => l.endsWith('(see above)')).length).toBe(
      28 * 10 * 9
    )
  })

  it('points forward to a branch that continues below the tree', () => {
    // c39 sits at the depth limit under the chain c0…c39, and also directly
    // under the root s, which the walk reaches after the chain.
    const chain: PhaseSpec[] = Array.from(
      { length: MAX_TREE_DEPTH + 1 },
      (_, i) => (i === 0 ? ['c0'] : [`c${i}`, [`c${i - 1}`]])
    )
    const deep = `c${MAX_TREE_DEPTH - 1}`
    const specs: PhaseSpec[] = [...chain, ['s']]
    specs[MAX_TREE_DEPTH - 1] = [deep, [`c${MAX_TREE_DEPTH - 2}`, 's']]
    const text = renderTree(analysed(specs))
    expect(occurrences(text, deep)).toEqual([
      `${deep} (continued below)`,
      `${deep} (see below)`,
      `${deep} (continued)`
    ])
    expect(
      text.endsWith(`\n\n${deep} (continued)\n└─ c${MAX_TREE_DEPTH}\n`)
    ).toBe(true)
  })

  it('prints a 100,000-phase chain without overflow, in short lines', () => {
    const n = 100_000
    const specs: PhaseSpec[] = Array.from({ length: n }, (_, i) =>
      i === 0 ? ['p0'] : [`p${i}`, [`p${i - 1}`]]
    )
    const text = renderTree(analysed(specs))
    const lines = text.split('\n')
    const longest = Math.max(...lines.map(l => l.length))
    expect(longest).toBeLessThan(3 * MAX_TREE_DEPTH + 40)
    // Every phase appears; the deep ones in continuation sections.
    const named = new Set(
      lines.map(l => l.replace(/^[│├└─ ]*/, '').split(' ')[0])
    )
    expect(named.size).toBe(n + 2) // + title word 'Phase' and ''
    expect(text).toContain(`p${MAX_TREE_DEPTH - 1} (continued below)`)
    expect(text).toContain(
      `\n\np${MAX_TREE_DEPTH - 1} (continued)\n└─ p${MAX_TREE_DEPTH}\n`
    )
    expect(lines.length).toBeLessThan(n + (3 * n) / MAX_TREE_DEPTH)
  })
})
