// The globs of `inputs:` and `global_inputs:`, matched against repository
// paths (`packages/db/src/a.ts`, `/` between folders). Pure, no I/O.
//
// - `*` is any run of characters but `/` (dotfiles included), `?` one such
//   character, `[abc]`, `[a-z]`, `[!a]` one character of (not of) a set;
//   `**` as a whole segment is any number of folders, none included.
// - A pattern is anchored at the repository root, and a pattern that
//   matches a folder matches everything in it (`packages/db` is
//   `packages/db/**`).
// - `!` first excludes; the last pattern that matches a path decides.
// - No braces, no backslashes, no `.`/`..`/empty segments, no leading `/`:
//   refused (isValidGlob) so that a pattern means one thing.
//
// Matching is the classic wildcard algorithm with one backtrack point,
// twice: over segments (`**`), then over characters in a segment (`*`).
// O(segments · path segments) segment tests, each O(pattern · segment)
// characters: no pattern can make it exponential.
import { at } from './at.js'

/** One character test of a segment pattern. */
type Token =
  | { kind: 'char'; char: string }
  | { kind: 'any' }
  | { kind: 'star' }
  | {
      kind: 'set'
      negated: boolean
      ranges: readonly (readonly [string, string])[]
    }

/** A segment: `**`, a literal name, or tokens. */
type Segment =
  | { kind: 'globstar' }
  | { kind: 'literal'; text: string }
  | { kind: 'tokens'; tokens: readonly Token[] }

export interface Glob {
  /** As written. */
  readonly source: string
  /** `!` patterns exclude. */
  readonly negated: boolean
  /**
   * The leading literal folders and name (`packages/db` of
   * `packages/db/**`): every path it matches is this or under it. '' when
   * the pattern starts with a wildcard.
   */
  readonly prefix: string
  readonly segments: readonly Segment[]
  /**
   * How it is matched: `under` (only literal folders, then `**`: the
   * prefix or anything under it), `suffix` (`**`, then `*<text>` as the last segment:
   * any segment ending in `text`), else segment by segment.
   */
  readonly kind: 'under' | 'suffix' | 'general'
  /** For `suffix`: the text a segment ends with (`.md`). */
  readonly suffix: string
}

const GLOB_CHARS = /[*?[]/
const SURROGATE = /[\uD800-\uDFFF]/

/**
 * Why a pattern is refused, or undefined when it is a valid glob: what
 * `inputs:` items and `global_inputs:` items must be.
 */
export function globProblem(pattern: string): string | undefined {
  const body = pattern.startsWith('!') ? pattern.slice(1) : pattern
  if (body === '') return 'an empty pattern'
  if (body.startsWith('/')) return 'a leading `/`'
  if (body.includes('\\')) return 'a backslash'
  if (/[{}]/.test(body)) return 'braces'
  if (/\p{Cc}/u.test(body)) return 'a control character'
  const segments = (body.endsWith('/') ? body.slice(0, -1) : body).split('/')
  if (segments.some(s => s === '' || s === '.' || s === '..')) {
    return 'an empty, `.` or `..` folder'
  }
  for (const segment of segments) {
    if (parseTokens(segment) === undefined) return 'an unclosed `[`'
  }
  return undefined
}

export function isValidGlob(pattern: string): boolean {
  return globProblem(pattern) === undefined
}

/** A valid pattern (see globProblem) compiled for matching. */
export function compileGlob(source: string): Glob {
  const negated = source.startsWith('!')
  const body = negated ? source.slice(1) : source
  const parts = (body.endsWith('/') ? body.slice(0, -1) : body).split('/')
  const segments: Segment[] = []
  const literal: string[] = []
  let open = true
  for (const part of parts) {
    if (part === '**') {
      open = false
      // `**/**` is `**`.
      if (segments.at(-1)?.kind !== 'globstar') {
        segments.push({ kind: 'globstar' })
      }
      continue
    }
    if (!GLOB_CHARS.test(part)) {
      if (open) literal.push(part)
      segments.push({ kind: 'literal', text: part })
      continue
    }
    open = false
    segments.push({ kind: 'tokens', tokens: parseTokens(part) ?? [] })
  }
  // What matches a folder matches everything in it.
  if (segments.at(-1)?.kind !== 'globstar') {
    segments.push({ kind: 'globstar' })
  }
  const prefix = literal.join('/')
  // Two shapes cover most patterns and need no segment walk.
  const under = segments.every((segment, i) =>
    i < literal.length
      ? segment.kind === 'literal'
      : segment.kind === 'globstar'
  )
  const middle = segments[1]
  const tokens = middle?.kind === 'tokens' ? middle.tokens : []
  const suffix =
    segments.length === 3 &&
    segments[0]?.kind === 'globstar' &&
    tokens[0]?.kind === 'star' &&
    tokens.length > 1 &&
    tokens.slice(1).every(token => token.kind === 'char')
      ? tokens
          .slice(1)
          .map(token => (token.kind === 'char' ? token.char : ''))
          .join('')
      : ''
  const kind = under ? 'under' : suffix === '' ? 'general' : 'suffix'
  return { source, negated, prefix, segments, kind, suffix }
}

/** A segment's tokens; undefined for an unclosed `[`. */
function parseTokens(segment: string): Token[] | undefined {
  const tokens: Token[] = []
  const chars = Array.from(segment)
  for (let i = 0; i < chars.length; i++) {
    const char = at(chars, i)
    if (char === '*') {
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' })
    } else if (char === '?') {
      tokens.push({ kind: 'any' })
    } else if (char === '[') {
      const set = parseSet(chars, i + 1)
      if (set === undefined) return undefined
      tokens.push(set.token)
      i = set.end
    } else {
      tokens.push({ kind: 'char', char })
    }
  }
  return tokens
}

/** `[…]` from just after the `[`: the token and the index of its `]`. */
function parseSet(
  chars: readonly string[],
  from: number
): { token: Token; end: number } | undefined {
  let i = from
  const negated = chars[i] === '!' || chars[i] === '^'
  if (negated) i++
  const ranges: [string, string][] = []
  // A `]` first is a member, as in shells.
  let first = true
  for (; i < chars.length; i++) {
    const char = at(chars, i)
    if (char === ']' && !first) {
      return { token: { kind: 'set', negated, ranges }, end: i }
    }
    first = false
    const to = chars[i + 2]
    if (chars[i + 1] === '-' && to !== undefined && to !== ']') {
      ranges.push([char, to])
      i += 2
    } else ranges.push([char, char])
  }
  return undefined
}

function tokenMatches(token: Token, char: string): boolean {
  switch (token.kind) {
    case 'char':
      return token.char === char
    case 'any':
      return true
    case 'star':
      return false
    case 'set': {
      const inside = token.ranges.some(([lo, hi]) => char >= lo && char <= hi)
      return inside !== token.negated
    }
  }
}

/** Whether one path segment matches a segment's tokens. */
function tokensMatch(tokens: readonly Token[], text: string): boolean {
  // Code points: `?` is one character, whatever its UTF-16 length.
  const chars = SURROGATE.test(text) ? Array.from(text) : text
  let t = 0
  let c = 0
  let starT = -1
  let starC = 0
  while (c < chars.length) {
    const token = tokens[t]
    if (token?.kind === 'star') {
      starT = t++
      starC = c
    } else if (token !== undefined && tokenMatches(token, at(chars, c))) {
      t++
      c++
    } else if (starT >= 0) {
      t = starT + 1
      c = ++starC
    } else return false
  }
  while (tokens[t]?.kind === 'star') t++
  return t === tokens.length
}

function segmentMatches(segment: Segment, text: string): boolean {
  switch (segment.kind) {
    case 'literal':
      return segment.text === text
    case 'tokens':
      return tokensMatch(segment.tokens, text)
    case 'globstar':
      return false
  }
}

/** Whether some segment of `file` ends with `suffix`. O(length). */
function someSegmentEndsWith(file: string, suffix: string): boolean {
  for (let at = file.indexOf(suffix); at !== -1;) {
    const end = at + suffix.length
    if (end === file.length || file[end] === '/') return true
    at = file.indexOf(suffix, at + 1)
  }
  return false
}

/** Whether the glob matches `file` (a path, `/` between folders). */
export function globMatches(glob: Glob, file: string): boolean {
  switch (glob.kind) {
    case 'under':
      return (
        glob.prefix === '' ||
        file === glob.prefix ||
        (file.startsWith(glob.prefix) && file[glob.prefix.length] === '/')
      )
    case 'suffix':
      return someSegmentEndsWith(file, glob.suffix)
    case 'general':
      return walkSegments(glob.segments, file)
  }
}

/** The segment walk: `**` with one backtrack point. */
function walkSegments(segments: readonly Segment[], file: string): boolean {
  const parts = file.split('/')
  let s = 0
  let p = 0
  let starS = -1
  let starP = 0
  while (p < parts.length) {
    const segment = segments[s]
    if (segment?.kind === 'globstar') {
      starS = s++
      starP = p
    } else if (segment !== undefined && segmentMatches(segment, at(parts, p))) {
      s++
      p++
    } else if (starS >= 0) {
      s = starS + 1
      p = ++starP
    } else return false
  }
  while (segments[s]?.kind === 'globstar') s++
  return s === segments.length
}
