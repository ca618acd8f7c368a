// Small questions about `yaml` nodes, for the reader and its messages:
// where a node starts, what it is in words, how a scalar was written, and
// the "must be <expected>" sentence built from those. Pure, O(1) each
// (texts in messages are cut to a few dozen characters).
import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml'
import type { Node, Scalar } from 'yaml'
import { at } from './at.js'
import type { SourcePosition } from './types.js'

/** A tree value as a node: `yaml` types keys, items and values `unknown`. */
export function nodeOf(value: unknown): Node | null {
  return isNode(value) ? value : null
}

/** Where a node (or a pair's key) starts in the text. */
export function startOf(node: unknown): number {
  if (isPair(node)) return startOf(node.key)
  return isNode(node) ? (node.range?.[0] ?? 0) : 0
}

/** Text for a message, cut to `max` characters: a file may hold huge keys. */
export function shorten(text: string, max = 60): string {
  return text.length > max ? `${text.slice(0, max - 3)}...` : text
}

/** What a node is, for messages: `"text"`, `1.10 (a number)`, `a list`. */
export function describeNode(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing'
  if (isSeq(node)) return 'a list'
  if (isMap(node)) return 'a mapping'
  if (isAlias(node)) return `the alias *${node.source}`
  const value = node.value
  if (typeof value === 'string') {
    return JSON.stringify(shorten(value))
  }
  const source = shorten(sourceOf(node))
  if (value === null) return source === '' ? 'nothing' : `${source} (null)`
  return `${source} (a ${typeof value})`
}

/** The text a scalar was written as (`1.10`, not `1.1`). */
export function sourceOf(node: Scalar): string {
  return node.source ?? String(node.value)
}

/** True for an unquoted scalar that YAML read as a number, boolean or null. */
export function isBareNonString(node: Node | null | undefined): node is Scalar {
  return (
    node !== null &&
    node !== undefined &&
    isScalar(node) &&
    typeof node.value !== 'string' &&
    node.type === 'PLAIN' &&
    sourceOf(node) !== ''
  )
}

/** The kind of value a bare scalar became: `number`, `boolean`, `null`. */
export function kindOf(node: Scalar): string {
  return node.value === null ? 'null' : typeof node.value
}

/** A string scalar with some text in it. */
export function isTextScalar(node: Node | null | undefined): node is Scalar {
  return (
    node !== null &&
    node !== undefined &&
    isScalar(node) &&
    typeof node.value === 'string' &&
    node.value !== ''
  )
}

/**
 * The message for a value that failed its schema: `<label> <value><where>
 * is a number; write it in quotes` for a bare scalar where a string belongs
 * (YAML reads `1.10` as the number 1.1), `… is empty`, or `… must be
 * <expected>, got <what was written>`.
 */
export function mustBe(
  label: string,
  where: string,
  node: Node | undefined,
  expected: string,
  wantsString: boolean
): string {
  if (wantsString && isBareNonString(node)) {
    const source = shorten(sourceOf(node))
    const kind = kindOf(node)
    const is = kind === 'null' ? 'is null' : `is a ${kind}`
    return `${label} ${source}${where} ${is}; write it in quotes: "${source}"`
  }
  if (
    node === undefined ||
    (isScalar(node) && node.value === null && sourceOf(node) === '') ||
    (isScalar(node) && node.value === '')
  ) {
    return `${label}${where} is empty: expected ${expected}`
  }
  return `${label}${where} must be ${expected}, got ${describeNode(node)}`
}

// Offsets into a source text → 1-based line and column. A table of line
// starts (built once, O(n), or taken from the YAML parser, which records it
// while lexing) answers each lookup by binary search in O(log lines).
// Columns count UTF-16 code units, as editors and GitHub annotations do.

export class LineIndex {
  /** Offset of the first character of each line; `starts[0]` is 0. */
  private readonly starts: readonly number[]

  constructor(starts: readonly number[]) {
    this.starts = starts.length > 0 ? starts : [0]
  }

  /** The index of a text, found by scanning it for `\n` once. */
  static of(text: string): LineIndex {
    const starts = [0]
    let at = text.indexOf('\n')
    while (at !== -1) {
      starts.push(at + 1)
      at = text.indexOf('\n', at + 1)
    }
    return new LineIndex(starts)
  }

  /** The line and column of `offset` (clamped to the text). */
  positionOf(offset: number): SourcePosition {
    const starts = this.starts
    const clamped = offset > 0 ? offset : 0
    // The last line start that is <= clamped.
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if (at(starts, middle) <= clamped) low = middle
      else high = middle - 1
    }
    return { line: low + 1, column: clamped - at(starts, low) + 1 }
  }
}
