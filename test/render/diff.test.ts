import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'
import {
  firstDifferentLine,
  unifiedDiff
} from '../../src/render/generate-command-line.js'

const files = { fromFile: 'a.yml', toFile: 'a.yml' }

/** Applies a unified diff to `before`, checking every context and removed line. */
function applyPatch(before: string, patch: string): string {
  if (patch === '') return before
  const source = before === '' ? [] : before.split(/(?<=\n)/)
  const out: string[] = []
  const lines = patch.split('\n')
  let at = 0
  let i = 2
  const strip = (line: string, next: string | undefined): string =>
    next === '\\ No newline at end of file' ? line : line + '\n'
  while (i < lines.length) {
    const header = /^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@$/.exec(
      lines[i] ?? ''
    )
    if (header === null) break
    const start = Number(header[1])
    const length = header[2] === undefined ? 1 : Number(header[2])
    const first = length === 0 ? start : start - 1
    while (at < first) out.push(source[at++] ?? '')
    i++
    while (
      i < lines.length &&
      !/^@@ /.test(lines[i] ?? '') &&
      lines[i] !== ''
    ) {
      const line = lines[i] ?? ''
      const next = lines[i + 1]
      const text = strip(line.slice(1), next)
      if (line.startsWith(' ') || line.startsWith('-')) {
        expect(source[at]).toBe(text)
        at++
        if (line.startsWith(' ')) out.push(text)
      } else if (line.startsWith('+')) {
        out.push(text)
      }
      i += next === '\\ No newline at end of file' ? 2 : 1
    }
  }
  while (at < source.length) out.push(source[at++] ?? '')
  return out.join('')
}

describe('unifiedDiff', () => {
  test('equal texts have no diff', () => {
    expect(unifiedDiff('a\nb\n', 'a\nb\n', files)).toBe('')
  })

  test('a change in the middle, with three lines of context', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\nh\n'
    const after = 'a\nb\nc\nd\nE\nf\ng\nh\n'
    expect(unifiedDiff(before, after, files)).toBe(
      '--- a.yml\n+++ a.yml\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n'
    )
  })

  test('a missing final line break is marked', () => {
    expect(unifiedDiff('a\nb', 'a\nb\n', files)).toBe(
      '--- a.yml\n+++ a.yml\n@@ -1,2 +1,2 @@\n a\n-b\n\\ No newline at end of file\n+b\n'
    )
  })

  test('from and to an empty file', () => {
    expect(unifiedDiff('', 'x\n', files)).toBe(
      '--- a.yml\n+++ a.yml\n@@ -0,0 +1 @@\n+x\n'
    )
    expect(unifiedDiff('x\ny\n', '', files)).toBe(
      '--- a.yml\n+++ a.yml\n@@ -1,2 +0,0 @@\n-x\n-y\n'
    )
  })

  test('applying the diff turns the old text into the new one (property)', () => {
    const text = fc
      .array(fc.constantFrom('a', 'b', 'c', 'd', ''), { maxLength: 40 })
      .chain(lines =>
        fc
          .boolean()
          .map(
            final => lines.join('\n') + (final && lines.length > 0 ? '\n' : '')
          )
      )
    fc.assert(
      fc.property(text, text, (before, after) => {
        expect(applyPatch(before, unifiedDiff(before, after, files))).toBe(
          after
        )
      }),
      { numRuns: 1000 }
    )
  })

  test('the edit script is a shortest one for small edits', () => {
    const before =
      Array.from({ length: 200 }, (_, i) => `line ${i}`).join('\n') + '\n'
    const after = before
      .replace('line 50\n', 'line fifty\n')
      .replace('line 150\n', '')
    const diff = unifiedDiff(before, after, files)
    expect(diff.split('\n').filter(l => /^[-+][^-+]/.test(l))).toEqual([
      '-line 50',
      '+line fifty',
      '-line 150'
    ])
  })

  // No clock is read: a diff quadratic in the lines would run into the
  // test timeout.
  test('two unrelated large files are diffed correctly', () => {
    const before =
      Array.from({ length: 20000 }, (_, i) => `old ${i}`).join('\n') + '\n'
    const after =
      Array.from({ length: 20000 }, (_, i) => `new ${i}`).join('\n') + '\n'
    const diff = unifiedDiff(before, after, files)
    expect(applyPatch(before, diff)).toBe(after)
  })
})

describe('firstDifferentLine', () => {
  test('is the first line that differs', () => {
    expect(firstDifferentLine('a\nb\nc\n', 'a\nB\nc\n')).toBe(2)
    expect(firstDifferentLine('a\n', 'a\nb\n')).toBe(2)
    expect(firstDifferentLine('', 'x')).toBe(1)
  })
})
