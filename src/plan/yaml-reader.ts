// Reading a `yaml` tree into plain values in one pass, in document order,
// without `toJS`: each node is visited once (or skimmed once when we do not
// need its value), so the cost is linear in the document and there is no
// second walk. Along the way:
// - every mapping key must be a string (`1:` is refused, `"1":` is fine);
// - anchors are recorded when their node is complete and aliases are
//   followed through our own table (yaml's `Alias.resolve` walks the whole
//   document per alias, which is quadratic), so an alias can never reach
//   its own enclosing node;
// - nodes read through an alias are charged to a budget the size of the
//   file, so an alias bomb is refused instead of expanded;
// - values land in null-prototype objects, so `__proto__` is just a name.
// Subtrees we ignore are skimmed with an explicit stack (no recursion).
// This file holds the reading state (line index, anchors, alias budget,
// problems), the steps every reader takes, and (MappingReader, last) one
// mapping read per its field table (field-table.ts) in the same pass:
// canonical keys for aliases, list items one by one, nested mappings with
// their own table, every value kept with the node and position it came
// from (a `Reached`), unknown keys and alias/canonical clashes collected
// for the caller's warnings. O(nodes).

import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Alias, Node, Pair, YAMLMap, YAMLSeq } from 'yaml'

import type { MappingSpec } from './field-table.js'

import type { LineIndex } from './yaml-nodes.js'
import type { Problem, ProblemCode, Severity, SourcePosition } from './types.js'
import {
  describeNode,
  nodeOf,
  shorten,
  sourceOf,
  startOf
} from './yaml-nodes.js'

/** Aliases may expand at least this many nodes, whatever the file size. */
const MIN_ALIAS_BUDGET = 10_000

/** Thrown (and turned into one problem) when aliases expand too far. */
class AliasExpansionTooLarge extends Error {
  constructor(
    readonly offset: number,
    readonly budget: number
  ) {
    super(`aliases expand to more than ${budget} nodes`)
    this.name = 'AliasExpansionTooLarge'
  }
}

/**
 * A node as the reader reached it, with the position that stands for it:
 * its own, or that of the alias that brought it. A node reached through an
 * alias was checked where it is written: it is not checked or remembered
 * again, and it counts against the alias budget.
 */
export interface Reached {
  readonly node: Node | null
  readonly offset: number
  readonly aliased: boolean
}

/** Marks the end of an anchored collection on the skim stack. */
class End {
  constructor(readonly node: Node) {}
}

/** A record without a prototype: `__proto__` is just a key in it. */
function nullRecord<T>(): Record<string, T> {
  const record: Record<string, T> = {}
  Object.setPrototypeOf(record, null)
  return record
}

class YamlReader {
  private readonly anchors = new Map<string, Node>()
  /** Each alias resolved once, at its own place in the document. */
  private readonly resolved = new Map<Alias, Node | null>()
  private readonly budget: number
  private expanded = 0

  constructor(
    private readonly file: string,
    private readonly index: LineIndex,
    readonly problems: Problem[],
    textLength: number
  ) {
    this.budget = Math.max(MIN_ALIAS_BUDGET, textLength)
  }

  /**
   * `read()`, or undefined after reporting an alias bomb at its alias:
   * aliases that expand to more values than the file has characters.
   */
  guarded<T>(read: () => T): T | undefined {
    try {
      return read()
    } catch (error) {
      if (!(error instanceof AliasExpansionTooLarge)) throw error
      this.report(
        'yaml',
        'error',
        `aliases expand to more than ${error.budget} values (as many as the file has characters): refusing to expand them (an alias bomb?); write the values out or use fewer aliases`,
        error.offset
      )
      return undefined
    }
  }

  report(
    code: ProblemCode,
    severity: Severity,
    message: string,
    offset: number
  ): void {
    const { line, column } = this.index.positionOf(offset)
    this.problems.push({
      code,
      severity,
      message,
      file: this.file,
      line,
      column
    })
  }

  /** The line and column of an offset. */
  position(offset: number): SourcePosition {
    return this.index.positionOf(offset)
  }

  /** Records a node's anchor; call when the node is complete. */
  remember(node: Node): void {
    const anchor = node.anchor
    if (anchor !== undefined && anchor !== '') this.anchors.set(anchor, node)
  }

  /** `remember`, unless the node was reached through an alias. */
  done(reached: Reached): void {
    if (!reached.aliased && reached.node !== null) this.remember(reached.node)
  }

  /** `skim`, unless the node was reached through an alias. */
  pass(reached: Reached): void {
    if (!reached.aliased) this.skim(reached.node)
  }

  /**
   * A value as reached from `parent` (the mapping or list it is written
   * in): an alias is followed, and what it names stands at the alias's
   * place (or at the outermost alias's, when the parent came through one)
   * and is charged to the budget. Undefined, reported once, when the alias
   * has no anchor before it.
   */
  reach(written: unknown, parent: Reached | undefined): Reached | undefined {
    let node = nodeOf(written)
    let aliased = parent?.aliased ?? false
    let offset = aliased && parent !== undefined ? parent.offset : -1
    if (node !== null && isAlias(node)) {
      const target = this.follow(node)
      if (target === undefined) return undefined
      if (!aliased) offset = startOf(node)
      aliased = true
      node = target
    }
    if (aliased) this.charge(offset)
    else offset = startOf(node)
    return { node, offset, aliased }
  }

  /**
   * The node an alias names, or undefined (reported once) when there is
   * none. The first call for an alias must come at its place in the
   * document, which the single in-order pass guarantees; later calls (when
   * the alias is inside a node read again through another alias) reuse it.
   */
  private follow(alias: Alias): Node | undefined {
    const known = this.resolved.get(alias)
    if (known !== undefined) return known ?? undefined
    const target = this.anchors.get(alias.source)
    this.resolved.set(alias, target ?? null)
    if (target === undefined) {
      this.report(
        'yaml',
        'error',
        `alias *${alias.source} has no anchor &${alias.source} before it (an alias must follow the whole node it names)`,
        startOf(alias)
      )
    }
    return target
  }

  /** Counts one node read through an alias; refuses an alias bomb. */
  charge(offset: number): void {
    this.expanded += 1
    if (this.expanded > this.budget) {
      throw new AliasExpansionTooLarge(offset, this.budget)
    }
  }

  /**
   * The string a pair's key names, or undefined after reporting why it is
   * not one. A collection key is skimmed (it is still part of the file).
   */
  keyOf(pair: Pair): string | undefined {
    const key = nodeOf(pair.key)
    if (key === null) {
      this.report(
        'yaml',
        'error',
        'a mapping entry has no key: expected `key: value`',
        startOf(pair.value)
      )
      return undefined
    }
    if (isScalar(key)) {
      this.remember(key)
      if (typeof key.value === 'string') return key.value
      const source = shorten(sourceOf(key))
      this.report(
        'yaml',
        'error',
        source === ''
          ? 'a mapping entry has an empty key: expected a string key'
          : `key ${source} must be a string; write it in quotes: "${source}"`,
        startOf(key)
      )
      return undefined
    }
    if (isAlias(key)) {
      this.report(
        'yaml',
        'error',
        `key *${key.source} is an alias: keys must be written out as strings`,
        startOf(key)
      )
      return undefined
    }
    this.reportCollectionKey(key)
    this.skim(key)
    return undefined
  }

  private reportCollectionKey(key: Node): void {
    this.report(
      'yaml',
      'error',
      `a key must be a string, got ${describeNode(key)}`,
      startOf(key)
    )
  }

  /**
   * Visits a subtree whose value we do not need: keys are checked, anchors
   * recorded, aliases checked (never expanded). Iterative; O(nodes).
   */
  skim(root: unknown): void {
    if (root === null || root === undefined) return
    const stack: unknown[] = [root]
    while (stack.length > 0) {
      const item = stack.pop()
      if (item instanceof End) {
        this.remember(item.node)
      } else if (isPair(item)) {
        const key = nodeOf(item.key)
        if (item.value !== null) stack.push(item.value)
        if (key === null || isScalar(key) || isAlias(key)) this.keyOf(item)
        else {
          this.reportCollectionKey(key)
          stack.push(key)
        }
      } else if (isScalar(item)) {
        this.remember(item)
      } else if (isAlias(item)) {
        this.follow(item)
      } else if (isMap(item) || isSeq(item)) {
        if (item.anchor !== undefined) stack.push(new End(item))
        const items = item.items
        for (let i = items.length - 1; i >= 0; i--) stack.push(items[i])
      }
    }
  }
}

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
