// Reads one mapping per its field table (field-table.ts) in the same single
// pass as yaml-reader.ts: canonical keys for aliases, list items one by
// one, nested mappings with their own table, every value kept with the
// node and position it came from (a `Reached`), unknown keys and
// alias/canonical clashes collected for the caller's warnings. O(nodes).

import { isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Node, Pair, YAMLMap, YAMLSeq } from 'yaml'

import type { MappingSpec } from './field-table.js'
import { YamlReader, nullRecord } from './yaml-reader.js'
import type { Reached } from './yaml-reader.js'
import { startOf } from './yaml-nodes.js'

/** One mapping's values, and where each came from. */
export interface MappingRead {
  /** Where the mapping starts (or the alias that brought it). */
  offset: number
  /** Canonical key → value, for zod. `null` values are left out. */
  values: Record<string, unknown>
  /** Canonical key → its value's node and position. */
  fields: Record<string, Reached | undefined>
  /** Canonical key → the key as written (`summary` for `description`). */
  keys: Record<string, string>
  /** List field → its items' nodes and positions. */
  items: Record<string, Reached[] | undefined>
  /** Nested mappings, read with their own table. */
  nested: Record<string, MappingRead | undefined>
  /** Keys not in the table, for "did you mean" warnings. */
  unknown: { key: string; offset: number }[]
  /** An alias given next to its canonical key: the alias is ignored. */
  clashes: { alias: string; canonical: string; offset: number }[]
}

/** Where a zod issue path points: the node (if any) and its position. */
interface Located {
  node: Node | undefined
  offset: number
}

/** A value that is a collection where a scalar was expected. */
const NOT_A_SCALAR: Readonly<Record<string, never>> =
  Object.freeze(nullRecord<never>())

export class MappingReader extends YamlReader {
  /**
   * Reads a mapping's keys and values per `spec`. Read through an alias,
   * the alias's position stands for every value, and keys are not checked
   * or anchors remembered twice. `own` may take a pair (a key with a
   * reader of its own, as `phases:` of a plan): it returns true when it did.
   */
  readMapping(
    map: YAMLMap,
    at: Reached,
    spec: MappingSpec,
    own?: (canonical: string, pair: Pair) => boolean
  ): MappingRead {
    const read: MappingRead = {
      offset: at.offset,
      values: nullRecord<unknown>(),
      fields: nullRecord<Reached | undefined>(),
      keys: nullRecord<string>(),
      items: nullRecord<Reached[] | undefined>(),
      nested: nullRecord<MappingRead | undefined>(),
      unknown: [],
      clashes: []
    }
    for (const pair of map.items) {
      if (!isPair(pair)) continue
      if (at.aliased) this.charge(read.offset)
      const key = at.aliased ? writtenKey(pair.key) : this.keyOf(pair)
      const keyOffset = at.aliased ? read.offset : startOf(pair)
      const canonical =
        key === undefined ? undefined : (spec.aliases.get(key) ?? key)
      if (key === undefined || canonical === undefined) {
        if (!at.aliased) this.skim(pair.value)
        continue
      }
      if (own?.(canonical, pair) === true) continue
      if (!spec.fields.includes(canonical)) {
        if (!spec.ignored.has(canonical)) {
          read.unknown.push({ key, offset: keyOffset })
        }
        if (!at.aliased) this.skim(pair.value)
        continue
      }
      if (!this.claim(read, key, canonical, keyOffset)) {
        if (!at.aliased) this.skim(pair.value)
        continue
      }
      const value = this.reach(pair.value, at)
      if (value !== undefined) this.readValue(read, canonical, value, spec)
    }
    this.done({ node: map, offset: at.offset, aliased: at.aliased })
    return read
  }

  /**
   * Whether `key` (canonical or alias) may set its field. Both the alias
   * and its canonical key: the canonical key wins. (The same key twice is
   * a DUPLICATE_KEY error from yaml already.)
   */
  private claim(
    read: MappingRead,
    key: string,
    canonical: string,
    keyOffset: number
  ): boolean {
    const previous = read.keys[canonical]
    if (previous !== undefined) {
      if (key !== canonical) {
        read.clashes.push({ alias: key, canonical, offset: keyOffset })
        return false
      }
      if (previous !== canonical) {
        read.clashes.push({
          alias: previous,
          canonical,
          offset: read.fields[canonical]?.offset ?? keyOffset
        })
      }
      // The first value is forgotten; its place stands until the second
      // one is read (an alias without an anchor leaves it standing).
      const first = read.fields[canonical]
      read.values[canonical] = undefined
      read.fields[canonical] =
        first === undefined ? undefined : { ...first, node: null }
      read.items[canonical] = undefined
      read.nested[canonical] = undefined
    }
    read.keys[canonical] = key
    return true
  }

  /** Reads one field's value into `read`. */
  private readValue(
    read: MappingRead,
    field: string,
    value: Reached,
    spec: MappingSpec
  ): void {
    const node = value.node
    read.fields[field] = value
    if (node === null) return
    if (isScalar(node)) {
      this.done(value)
      if (node.value !== null) read.values[field] = node.value
      return
    }
    const info = spec.info(field)
    if (isMap(node) && info?.nested !== undefined) {
      const nested = this.readMapping(node, value, info.nested)
      read.nested[field] = nested
      read.values[field] = nested.values
      return
    }
    if (isSeq(node) && info?.item !== undefined) {
      read.values[field] = this.readList(read, field, node, value)
      return
    }
    // A collection where a scalar is expected: zod reports the type.
    read.values[field] = isSeq(node) ? [] : NOT_A_SCALAR
    this.pass(value)
  }

  /** Reads a list field's items (scalars; anything else fails in zod). */
  private readList(
    read: MappingRead,
    field: string,
    list: YAMLSeq,
    at: Reached
  ): unknown[] {
    const values: unknown[] = []
    const items: Reached[] = []
    for (const written of list.items) {
      // A parsed list holds nodes (yaml wraps `[a: 1]` in a mapping).
      if (isPair(written)) continue
      const item = this.reach(written, at)
      if (item === undefined || item.node === null) continue
      items.push(item)
      if (isScalar(item.node)) {
        this.done(item)
        values.push(item.node.value)
      } else {
        values.push(NOT_A_SCALAR)
        this.pass(item)
      }
    }
    this.done(at)
    read.items[field] = items
    return values
  }
}

/** A key read again through an alias: already checked where written. */
function writtenKey(key: unknown): string | undefined {
  return isScalar(key) && typeof key.value === 'string' ? key.value : undefined
}

/**
 * The node and position a zod issue path points at: a field, a list item
 * (`['deps', 2]`) or a field of a nested mapping.
 */
export function locate(
  read: MappingRead,
  path: readonly PropertyKey[]
): Located {
  let current = read
  for (let i = 0; i < path.length; i++) {
    const key = path[i]
    if (typeof key !== 'string') break
    const next = path[i + 1]
    const nested = current.nested[key]
    if (nested !== undefined && next !== undefined) {
      current = nested
      continue
    }
    const field = current.fields[key]
    const items = current.items[key]
    if (items !== undefined && typeof next === 'number') {
      const item = items[next]
      return {
        node: item?.node ?? undefined,
        offset: item?.offset ?? field?.offset ?? current.offset
      }
    }
    return {
      node: field?.node ?? undefined,
      offset: field?.offset ?? current.offset
    }
  }
  return { node: undefined, offset: current.offset }
}
