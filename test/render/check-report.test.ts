import { describe, expect, test } from '@jest/globals'
import {
  COMMENT_MARKER,
  renderCheckComment,
  renderCheckReport,
  type CheckReport
} from '../../src/render/check-report.js'
import {
  codeBlock,
  inlineCode,
  markdownText,
  truncateMarkdown
} from '../../src/render/safe-text.js'
import { diffPlans } from '../../src/render/check-report.js'
import { analysed, buildPlan, SEED_PLAN } from './build-plan.js'

describe('markdown helpers', () => {
  test('plan text never becomes markup or a mention', () => {
    const text = markdownText('@octocat <img src=x> [a](b) **b** | c\nd')
    expect(text).toBe(
      '@\u2060octocat \\<img src=x\\> \\[a\\](b) \\*\\*b\\*\\* \\| c d'
    )
    expect(inlineCode('a`b|c')).toBe('``a`b\\|c``')
    expect(inlineCode('`x`')).toBe('`` `x` ``')
  })

  test('a code block cannot be closed by its content', () => {
    const block = codeBlock('before\n```\nafter', 'diff')
    expect(block).toBe('````diff\nbefore\n```\nafter\n````')
  })

  test('truncation stays under the limit and closes an open block', () => {
    const text = [
      '# title',
      '',
      '```diff',
      ...Array.from({ length: 500 }, (_, i) => `+line ${i}`),
      '```'
    ].join('\n')
    const cut = truncateMarkdown(text, 1000, '_cut_')
    expect(cut.length).toBeLessThanOrEqual(1000)
    expect(cut.endsWith('```\n\n_cut_')).toBe(true)
    expect(truncateMarkdown('short', 1000, '_cut_')).toBe('short')
  })
})

describe('diffPlans', () => {
  test('added, removed, and changed deps and fields', () => {
    const base = buildPlan([
      ['a', []],
      ['b', ['a'], { run: 'old' }],
      ['gone', []]
    ])
    const head = buildPlan([
      ['a', []],
      ['b', ['new'], { run: 'new' }],
      ['new', []]
    ])
    expect(diffPlans(base, head)).toEqual({
      added: ['new'],
      removed: ['gone'],
      changed: [
        { id: 'b', addedDeps: ['new'], removedDeps: ['a'], fields: ['run'] }
      ]
    })
    expect(diffPlans(undefined, head).added).toEqual(['a', 'b', 'new'])
  })
})

describe('renderCheckReport', () => {
  const estimated = analysed([
    ['a', [], { estimateMinutes: 10 }],
    ['b', ['a'], { estimateMinutes: 20 }],
    ['c', [], { estimateMinutes: 5 }]
  ])

  test('a valid plan: verdict, waves, graph, estimates', () => {
    const text = renderCheckReport({
      planFile: 'plan.yaml',
      analysis: estimated,
      problems: []
    })
    expect(text).toContain(
      '✅ `plan.yaml` is valid: 3 phases in 2 waves, at most 2 at once.'
    )
    expect(text).toContain('| 1 | `a`, `c` | 2 |')
    expect(text).toContain('| 2 | `b` | 1 |')
    expect(text).toContain('```mermaid\nflowchart')
    expect(text).toContain('- Critical path: `a` → `b` (30 min)')
    expect(text).toContain(
      '- Estimated time: sequential 35 min · waves 30 min (14% less) · needs graph 30 min (14% less)'
    )
  })

  test('no estimates, no estimates section', () => {
    const text = renderCheckReport({
      planFile: 'p',
      analysis: analysed(SEED_PLAN),
      problems: []
    })
    expect(text).not.toContain('Estimates')
  })

  test('every problem is listed, with plan text escaped', () => {
    const problems = Array.from({ length: 14 }, (_, i) => ({
      code: 'unknown-dependency' as const,
      severity: 'error' as const,
      message: `Phase \`x${i}\` depends on unknown phase \`@evil|${i}\``,
      file: 'plan.yaml',
      line: i + 1,
      column: 5
    }))
    const text = renderCheckReport({ planFile: 'plan.yaml', problems })
    expect(text).toContain('❌ `plan.yaml` is not a usable plan: 14 errors.')
    expect(text.match(/^\| ❌ error \|/gm)).toHaveLength(14)
    expect(text).toContain('`plan.yaml:14:5`')
    expect(text).not.toMatch(/@evil/)
  })

  test('a stale workflow shows the fix and the diff', () => {
    const report: CheckReport = {
      planFile: 'plan.yaml',
      analysis: analysed(SEED_PLAN),
      problems: [],
      drift: {
        file: 'w.yml',
        current: false,
        diff: '--- w.yml\n+++ w.yml\n@@ -1 +1 @@\n-a\n+b\n',
        fixCommand: 'phase-matrix generate --plan plan.yaml --out w.yml',
        firstDifferentLine: 1
      }
    }
    const text = renderCheckReport(report)
    expect(text).toContain('❌ `w.yml` is out of date.')
    expect(text).toContain(
      '```sh\nphase-matrix generate --plan plan.yaml --out w.yml\n```'
    )
    expect(text).toContain('```diff\n--- w.yml')
  })

  test('the changes against the base plan', () => {
    const head = analysed([
      ['a', []],
      ['b', ['a']]
    ])
    const base = buildPlan([
      ['a', []],
      ['old', []]
    ])
    const text = renderCheckReport({
      planFile: 'p',
      analysis: head,
      problems: [],
      base: {
        kind: 'changes',
        baseRef: '0123456789abcdef',
        changes: diffPlans(base, head.plan)
      }
    })
    expect(text).toContain('Against `0123456789ab`:')
    expect(text).toContain('- Added: `b`')
    expect(text).toContain('- Removed: `old`')
  })
})

describe('renderCheckComment', () => {
  test('starts with the marker and stays under the limit', () => {
    const specs = Array.from({ length: 3000 }, (_, i): [string, string[]] => [
      `phase-with-a-long-name-${i}`,
      i === 0 ? [] : [`phase-with-a-long-name-${i - 1}`]
    ])
    const body = renderCheckComment({
      planFile: 'p',
      analysis: analysed(specs),
      problems: []
    })
    expect(body.startsWith(`${COMMENT_MARKER}\n`)).toBe(true)
    expect(body.length).toBeLessThanOrEqual(65536)
    expect(body).toContain('cut short')
  })
})
