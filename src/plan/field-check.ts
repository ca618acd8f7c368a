// What the reader found, judged by the table's zod schema and explained in
// the table's words: every zod issue becomes one problem at the node it is
// about ("deps of phase api must be a list of phase ids, like
// [database-schema], got 5"), bad values are dropped (or kept as written,
// when the table says so) and the mapping is checked again, so one bad field
// does not sink the rest. Unknown keys become "did you mean" warnings.
// O(fields + issues).

import type { Node } from 'yaml'
import type { core, z } from 'zod'

import { at } from './at.js'
import type { FieldInfo, Mapping, MappingSpec, Shape } from './field-table.js'
import { locate } from './yaml-reader.js'
import type { MappingRead, MappingReader } from './yaml-reader.js'
import { suggestKey } from './closest-id.js'
import {
  describeNode,
  isBareNonString,
  isTextScalar,
  mustBe,
  shorten,
  sourceOf
} from './yaml-nodes.js'

/** How the fields of one mapping are named in messages. */
export interface Naming {
  /** Names the mapping: `phase api`, `` `parallel` ``. */
  readonly ref: string
  /** Put before a field's dotted path: `parallel.` for config settings. */
  readonly prefix: string
  /** Put after a field's name: ` of phase api`. */
  where(field: string): string
}

/** The info of the field a path names, walking nested tables. */
function infoAt(
  spec: MappingSpec,
  path: readonly string[]
): FieldInfo | undefined {
  let current: MappingSpec | undefined = spec
  let info: FieldInfo | undefined
  for (const key of path) {
    info = current?.info(key)
    current = info?.nested
  }
  return info
}

/** A zod issue as a sentence about what was written. */
function explainIssue(
  spec: MappingSpec,
  issue: core.$ZodIssue,
  node: Node | undefined,
  naming: Naming
): string {
  const path = issue.path.filter(
    (part): part is string => typeof part === 'string'
  )
  // checkMapping passes only issues whose path starts with a key.
  const field = at(path, 0)
  const info = infoAt(spec, path)
  const item = typeof issue.path[path.length] === 'number'
  const wantsString =
    (issue.code === 'invalid_type' && issue.expected === 'string') ||
    issue.code === 'invalid_union'
  const where = naming.where(field)
  const label = item
    ? (info?.item?.label ?? `${field} item`)
    : naming.prefix + path.join('.')
  const expected = (item ? info?.item?.expected : info?.expected) ?? 'valid'
  if (node === undefined && path.length === 1 && !spec.optional(field)) {
    return `${naming.ref} has no \`${field}\`: every ${spec.noun} needs one (${expected})`
  }
  if (issue.code === 'invalid_format') {
    return `${label} ${describeNode(node)}${where} contains whitespace: expected ${expected}`
  }
  const message = mustBe(label, where, node, expected, wantsString)
  if (issue.code !== 'invalid_type' || item) return message
  // `deps: a` where `deps: [a]` was meant.
  if (info?.item !== undefined && isTextScalar(node)) {
    return `${message}; write ${field}: [${String(node.value)}]`
  }
  if (
    issue.expected === 'boolean' &&
    isTextScalar(node) &&
    /^(yes|no|on|off|y|n)$/i.test(String(node.value))
  ) {
    return `${message} (YAML 1.2 reads yes/no/on/off as strings)`
  }
  return message
}

/**
 * Checks a mapping with its schema. On failure reports every issue once,
 * drops the bad values (keeps a bare scalar as written where the table
 * says so, and in lists) and checks again.
 */
export function checkMapping<S extends Shape>(
  reader: MappingReader,
  mapping: Mapping<S>,
  read: MappingRead,
  naming: Naming
): z.infer<z.ZodObject<S>> | undefined {
  const first = mapping.schema.safeParse(read.values)
  if (first.success) return first.data
  const dropped = new Map<string, Set<number>>()
  // zod may report a failed type and then a failed check of the same
  // value (`[]` is not a string, and too short): one problem per value.
  const seen = new Set<string>()
  for (const issue of first.error.issues) {
    const key = issue.path.join('\0')
    if (typeof issue.path[0] !== 'string' || seen.has(key)) continue
    seen.add(key)
    const { node, offset } = locate(read, issue.path)
    const message = explainIssue(mapping, issue, node, naming)
    reader.report('schema', 'error', message, offset)
    dropValue(mapping, read, issue.path, node, dropped)
  }
  for (const [field, items] of dropped) dropItems(read, field, items)
  const second = mapping.schema.safeParse(read.values)
  return second.success ? second.data : undefined
}

/** Drops (or keeps as written) the value at `path`; list items later. */
function dropValue(
  spec: MappingSpec,
  read: MappingRead,
  path: readonly PropertyKey[],
  node: Node | undefined,
  dropped: Map<string, Set<number>>
): void {
  const [field, index] = path
  if (typeof field !== 'string') return
  if (path.length === 2 && typeof index === 'number') {
    const list = read.values[field]
    // Keep `deps: [1.10]` as written, like ids.
    if (Array.isArray(list) && isBareNonString(node)) {
      list[index] = sourceOf(node)
    } else dropped.set(field, (dropped.get(field) ?? new Set()).add(index))
    return
  }
  let values = read.values
  for (const key of path.slice(0, -1)) {
    const next = typeof key === 'string' ? values[key] : undefined
    if (!isRecord(next)) break
    values = next
  }
  const last = path[path.length - 1]
  if (typeof last !== 'string') return
  const keep = path.length === 1 && spec.info(last)?.asWritten === true
  values[last] = keep && isBareNonString(node) ? sourceOf(node) : undefined
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** Removes list items that failed, keeping their positions in step. */
function dropItems(read: MappingRead, field: string, bad: Set<number>): void {
  const values = read.values[field]
  const items = read.items[field]
  if (!Array.isArray(values) || items === undefined) return
  const keep = (_: unknown, i: number): boolean => !bad.has(i)
  read.values[field] = values.filter(keep)
  read.items[field] = items.filter(keep)
}

/**
 * A warning for each key the table does not know: "did you mean" from
 * the table's keys, aliases and synonyms, else the keys it has.
 */
export function warnUnknown(
  reader: MappingReader,
  spec: MappingSpec,
  read: MappingRead,
  where: string,
  has: string
): void {
  for (const { key, offset } of read.unknown) {
    const suggestion = suggestKey(key, spec.known, spec.synonyms)
    reader.report(
      'unknown-key',
      'warning',
      key === '<<'
        ? `merge key \`<<\` in ${where} is ignored: YAML 1.2 has no merge keys; write the keys out`
        : suggestion === undefined
          ? `unknown key \`${shorten(key)}\` in ${where} is ignored; ${has} ${spec.fields.join(', ')}`
          : `unknown key \`${shorten(key)}\` in ${where}: did you mean \`${suggestion}\`?`,
      offset
    )
  }
}
