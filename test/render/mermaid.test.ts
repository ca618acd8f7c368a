import { describe, expect, it } from '@jest/globals'
import {
  escapeMermaidLabel,
  renderMermaid,
  type PhaseOutcome
} from '../../src/render/mermaid.js'
import { analysed, SEED_PLAN } from './build-plan.js'

describe('renderMermaid', () => {
  it('draws one subgraph per wave and an edge from each dependency', () => {
    expect(renderMermaid(analysed(SEED_PLAN))).toBe(`flowchart LR
  subgraph wave1["Wave 1"]
    p0["database-schema"]
    p1["frontend-components"]
  end
  subgraph wave2["Wave 2"]
    p2["api-endpoints"]
  end
  subgraph wave3["Wave 3"]
    p3["integration"]
  end
  p0 --> p2
  p2 --> p3
  p1 --> p3
`)
  })

  it('draws top down when asked', () => {
    expect(renderMermaid(analysed(SEED_PLAN), { direction: 'TD' })).toMatch(
      /^flowchart TD\n/
    )
  })

  it('never uses a phase id as a node id (keywords and punctuation)', () => {
    const ids = [
      'end',
      'graph',
      'a"b',
      '<script>',
      'x&y',
      'C#;',
      'a`b`',
      'o--o'
    ]
    const text = renderMermaid(analysed(ids.map(id => [id])))
    const nodeLines = text.split('\n').filter(l => l.startsWith('    '))
    expect(nodeLines).toEqual(
      ids.map((id, i) => `    p${i}["${escapeMermaidLabel(id)}"]`)
    )
    for (const line of nodeLines) {
      const label = line.slice(line.indexOf('"') + 1, -2)
      expect(label).not.toMatch(/["<>&`]/)
    }
  })

  it('escapes the characters Mermaid interprets inside labels', () => {
    expect(escapeMermaidLabel('a"b<c>&d#e`f')).toBe(
      'a#quot;b#lt;c#gt;#amp;d#35;e#96;f'
    )
  })

  it('colours phases by outcome with one classDef per outcome used', () => {
    const outcomes: (PhaseOutcome | undefined)[] = [
      'succeeded',
      'failed',
      'skipped',
      undefined
    ]
    const text = renderMermaid(analysed(SEED_PLAN), {
      outcomeOf: i => outcomes[i]
    })
    expect(text).toMatch(
      / {2}classDef succeeded [^\n]+\n {2}class p0 succeeded\n/
    )
    expect(text).toMatch(/ {2}classDef failed [^\n]+\n {2}class p1 failed\n/)
    expect(text).toMatch(/ {2}classDef skipped [^\n]+\n {2}class p2 skipped\n/)
    expect(text).not.toContain('p3 ')
    expect(text.match(/classDef/g)).toHaveLength(3)
  })

  it('uses a class name Mermaid accepts for timed-out', () => {
    const text = renderMermaid(analysed([['a'], ['b']]), {
      outcomeOf: () => 'timed-out'
    })
    expect(text).toContain('  class p0,p1 timedOut\n')
  })
})
