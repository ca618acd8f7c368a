// Small questions about `yaml` nodes, for the reader and its messages:
// where a node starts, what it is in words, how a scalar was written, and
// the "must be <expected>" sentence built from those. Pure, O(1) each
// (texts in messages are cut to a few dozen characters).

import { isAlias, isMap, isNode, isPair, isScalar, isSeq } from 'yaml'
import type { Node, Scalar } from 'yaml'

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
