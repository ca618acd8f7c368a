import { describe, expect, test } from '@jest/globals'
import fc from 'fast-check'

import { compileGlob, globMatches, globProblem } from '../../src/plan/globs.js'
import { globsTake } from '../support/globs-take.js'

const matches = (pattern: string, file: string): boolean =>
  globMatches(compileGlob(pattern), file)

describe('what a glob matches', () => {
  test.each([
    ['packages/db/**', 'packages/db/src/a.ts', true],
    ['packages/db/**', 'packages/db', true],
    ['packages/db/**', 'packages/dbx/a.ts', false],
    ['packages/db', 'packages/db/src/a.ts', true],
    ['packages/db/', 'packages/db/src/a.ts', true],
    ['packages/db', 'packages/db-old/a.ts', false],
    ['*.md', 'README.md', true],
    ['*.md', 'docs/README.md', false],
    ['**/*.md', 'docs/README.md', true],
    ['**/*.md', 'README.md', true],
    ['**/*.md', 'a/b/c/.hidden.md', true],
    ['src/*.ts', 'src/a.ts', true],
    ['src/*.ts', 'src/sub/a.ts', false],
    ['src/**/*.ts', 'src/a.ts', true],
    ['src/**/*.ts', 'src/x/y/a.ts', true],
    ['src/**/test/**', 'src/a/test/b.ts', true],
    ['src/**/test/**', 'src/a/tests/b.ts', false],
    ['a?c', 'abc', true],
    ['a?c', 'a/c', false],
    ['[ab]x', 'bx', true],
    ['[!ab]x', 'bx', false],
    ['[!ab]x', 'cx', true],
    ['[a-c]x', 'cx', true],
    ['[]]x', ']x', true],
    ['*', 'anything/at/all', true],
    ['**', 'a', true],
    ['a*b*c', 'aXbYbZc', true],
    ['a*b*c', 'aXbYbZ', false],
    ['**/**/**/x', 'x', true],
    ['ünï/*', 'ünï/cödé.ts', true]
  ])('%s on %s: %s', (pattern, file, expected) => {
    expect(matches(pattern, file)).toBe(expected)
  })

  test('the last pattern that matches decides; ! excludes', () => {
    const globs = ['packages/db/**', '!**/*.md', 'packages/db/README.md'].map(
      compileGlob
    )
    expect(globsTake(globs, 'packages/db/a.ts')).toBe(true)
    expect(globsTake(globs, 'packages/db/CHANGES.md')).toBe(false)
    expect(globsTake(globs, 'packages/db/README.md')).toBe(true)
    expect(globsTake(globs, 'packages/web/a.ts')).toBe(false)
    expect(globsTake([compileGlob('!x')], 'y')).toBe(false)
  })

  test('the literal folder a pattern starts with', () => {
    expect(compileGlob('packages/db/**').prefix).toBe('packages/db')
    expect(compileGlob('!packages/db/*.ts').prefix).toBe('packages/db')
    expect(compileGlob('package-lock.json').prefix).toBe('package-lock.json')
    expect(compileGlob('**/*.md').prefix).toBe('')
    expect(compileGlob('src/**/x').prefix).toBe('src')
  })

  test.each([
    ['', 'an empty pattern'],
    ['!', 'an empty pattern'],
    ['/abs', 'a leading `/`'],
    ['a\\b', 'a backslash'],
    ['*.{ts,js}', 'braces'],
    ['a//b', 'an empty, `.` or `..` folder'],
    ['../x', 'an empty, `.` or `..` folder'],
    ['a/./b', 'an empty, `.` or `..` folder'],
    ['[ab', 'an unclosed `[`'],
    ['a\nb', 'a control character']
  ])('%j is refused: %s', (pattern, problem) => {
    expect(globProblem(pattern)).toBe(problem)
  })

  test('no pattern makes matching slow: many stars on a long near-miss', () => {
    const pattern = Array.from({ length: 30 }, () => '**/a*a*a*a').join('/')
    const file = Array.from({ length: 200 }, () => 'aaaaaaaaaaaaaaaaaaab').join(
      '/'
    )
    // A count of steps, not a clock: the matcher is polynomial, so this ends.
    expect(matches(pattern, file)).toBe(false)
  })
})

/** An independent, exponential reference matcher for tiny inputs. */
function reference(pattern: string, file: string): boolean {
  const body = pattern.endsWith('/') ? pattern.slice(0, -1) : pattern
  const segments = body.split('/')
  const parts = file.split('/')
  const segment = (p: string, s: string): boolean => {
    if (p === '') return s === ''
    const [head, rest] = [p[0], p.slice(1)]
    if (head === '*') {
      for (let i = 0; i <= s.length; i++) {
        if (segment(rest, s.slice(i))) return true
      }
      return false
    }
    if (s === '') return false
    return (head === '?' || head === s[0]) && segment(rest, s.slice(1))
  }
  const walk = (i: number, j: number): boolean => {
    // Everything in a matched folder matches.
    if (i === segments.length) return j >= 1
    if (segments[i] === '**') {
      for (let k = j; k <= parts.length; k++) if (walk(i + 1, k)) return true
      return false
    }
    if (j === parts.length) return false
    return segment(segments[i] ?? '', parts[j] ?? '') && walk(i + 1, j + 1)
  }
  return walk(0, 0)
}

test('property: the matcher agrees with a reference on small inputs', () => {
  const segmentPattern = fc.oneof(
    fc.constant('**'),
    fc.stringMatching(/^[ab*?]{1,4}$/)
  )
  const pattern = fc
    .array(segmentPattern, { minLength: 1, maxLength: 4 })
    .map(s => s.join('/'))
  const file = fc
    .array(fc.stringMatching(/^[ab]{1,3}$/), { minLength: 1, maxLength: 5 })
    .map(s => s.join('/'))
  fc.assert(
    fc.property(pattern, file, (p, f) => {
      expect(matches(p, f)).toBe(reference(p, f))
    }),
    { numRuns: 2000 }
  )
})
