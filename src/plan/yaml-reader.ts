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

import { isAlias, isMap, isPair, isScalar, isSeq } from 'yaml'
import type { Alias, Node, Pair, Scalar } from 'yaml'

import type { LineIndex } from './positions.js'
import type { Problem, ProblemCode, Severity, SourcePosition } from './types.js'

/** Aliases may expand at least this many nodes, whatever the file size. */
const MIN_ALIAS_BUDGET = 10_000

/** Thrown (and turned into one problem) when aliases expand too far. */
export class AliasExpansionTooLarge extends Error {
  constructor(
    readonly offset: number,
    readonly budget: number
  ) {
    super(`aliases expand to more than ${budget} nodes`)
    this.name = 'AliasExpansionTooLarge'
  }
}

/** How the keys of one kind of mapping are read. */
export interface MappingSpec {
  /** Canonical keys whose values are read. */
  readonly fields: ReadonlySet<string>
  /** Keys accepted and ignored (their values are only skimmed). */
  readonly ignored: ReadonlySet<string>
  /** Alias → canonical key (`summary` → `description`). */
  readonly aliases: ReadonlyMap<string, string>
  /** Fields whose list items are read one by one. */
  readonly lists: ReadonlySet<string>
  /** Fields whose mapping values are read with their own spec. */
  readonly nested: ReadonlyMap<string, MappingSpec>
}

/** One mapping's values, and where each came from. */
export interface MappingRead {
  /** Where the mapping starts (or the alias that brought it). */
  offset: number
  /** Canonical key → value, for zod. `null` values are left out. */
  values: Record<string, unknown>
  /** Canonical key → the node its value was read from. */
  nodes: Record<string, Node | undefined>
  /** Canonical key → where its value is written. */
  offsets: Record<string, number>
  /** Canonical key → the key as written (`summary` for `description`). */
  keys: Record<string, string>
  /** List field → its item nodes and where each is written. */
  items: Record<string, { nodes: Node[]; offsets: number[] } | undefined>
  /** Nested mappings, read with their own spec. */
  nested: Record<string, MappingRead | undefined>
  /** Keys not in the spec, for "did you mean" warnings. */
  unknown: { key: string; offset: number }[]
  /** An alias given next to its canonical key: the alias is ignored. */
  clashes: { alias: string; canonical: string; offset: number }[]
}

/** A value that is a collection where a scalar was expected. */
const NOT_A_SCALAR: Readonly<Record<string, never>> = Object.freeze(
  Object.create(null) as Record<string, never>
)

/** Marks the end of an anchored collection on the skim stack. */
class End {
  constructor(readonly node: Node) {}
}

function nullRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>
}

/** Where a node starts in the text. */
export function startOf(node: Node | Pair | null | undefined): number {
  if (node === null || node === undefined) return 0
  if (isPair(node)) return startOf(node.key as Node | null)
  return node.range?.[0] ?? 0
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

export class YamlReader {
  readonly problems: Problem[]
  private readonly file: string
  private readonly index: LineIndex
  private readonly anchors = new Map<string, Node>()
  /** Each alias resolved once, at its own place in the document. */
  private readonly resolved = new Map<Alias, Node | null>()
  private readonly budget: number
  private expanded = 0

  constructor(
    file: string,
    index: LineIndex,
    problems: Problem[],
    textLength: number
  ) {
    this.file = file
    this.index = index
    this.problems = problems
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
    const anchor = (node as { anchor?: string }).anchor
    if (anchor !== undefined && anchor !== '') this.anchors.set(anchor, node)
  }

  /**
   * The node an alias names, or undefined (reported once) when there is
   * none. The first call for an alias must come at its place in the
   * document, which the single in-order pass guarantees; later calls (when
   * the alias is inside a node read again through another alias) reuse it.
   */
  follow(alias: Alias): Node | undefined {
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
    const key = pair.key as Node | null
    if (key === null) {
      this.report(
        'yaml',
        'error',
        'a mapping entry has no key: expected `key: value`',
        startOf(pair.value as Node | null)
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
    this.report(
      'yaml',
      'error',
      `a key must be a string, got ${describeNode(key)}`,
      startOf(key)
    )
    this.skim(key)
    return undefined
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
        const key = item.key as Node | null
        const keyIsScalar = key === null || isScalar(key) || isAlias(key)
        if (item.value !== null) stack.push(item.value)
        if (keyIsScalar) this.keyOf(item)
        else {
          this.report(
            'yaml',
            'error',
            `a key must be a string, got ${describeNode(key)}`,
            startOf(key)
          )
          stack.push(key)
        }
      } else if (isScalar(item)) {
        this.remember(item)
      } else if (isAlias(item)) {
        this.follow(item)
      } else if (isMap(item) || isSeq(item)) {
        if ((item as { anchor?: string }).anchor !== undefined) {
          stack.push(new End(item))
        }
        const items = item.items
        for (let i = items.length - 1; i >= 0; i--) stack.push(items[i])
      }
    }
  }

  /**
   * Reads a mapping's keys and values per `spec`. `via` is the alias that
   * led here, if any: its position stands for every value read through it,
   * and nothing read through it is checked or remembered twice.
   */
  readMapping(
    map: Node & { items: unknown[] },
    spec: MappingSpec,
    via: Alias | undefined
  ): MappingRead {
    const read: MappingRead = {
      offset: via === undefined ? startOf(map) : startOf(via),
      values: nullRecord<unknown>(),
      nodes: nullRecord<Node | undefined>(),
      offsets: nullRecord<number>(),
      keys: nullRecord<string>(),
      items: nullRecord<{ nodes: Node[]; offsets: number[] } | undefined>(),
      nested: nullRecord<MappingRead | undefined>(),
      unknown: [],
      clashes: []
    }
    for (const pair of map.items) {
      if (!isPair(pair)) continue
      if (via !== undefined) this.charge(read.offset)
      const value = pair.value as Node | null
      const key =
        via === undefined
          ? this.keyOf(pair)
          : isScalar(pair.key) && typeof pair.key.value === 'string'
            ? pair.key.value
            : undefined
      const keyOffset = via === undefined ? startOf(pair) : read.offset
      const canonical =
        key === undefined ? undefined : (spec.aliases.get(key) ?? key)
      if (
        key === undefined ||
        canonical === undefined ||
        spec.ignored.has(canonical) ||
        !spec.fields.has(canonical)
      ) {
        if (
          key !== undefined &&
          canonical !== undefined &&
          !spec.ignored.has(canonical)
        ) {
          read.unknown.push({ key, offset: keyOffset })
        }
        if (via === undefined) this.skim(value)
        continue
      }
      const previous = read.keys[canonical]
      if (previous !== undefined) {
        // Both the alias and its canonical key: the canonical key wins.
        // (The same key twice is a DUPLICATE_KEY error from yaml already.)
        if (key !== canonical) {
          read.clashes.push({ alias: key, canonical, offset: keyOffset })
          if (via === undefined) this.skim(value)
          continue
        }
        if (previous !== canonical) {
          read.clashes.push({
            alias: previous,
            canonical,
            offset: read.offsets[canonical] ?? keyOffset
          })
        }
        read.values[canonical] = undefined
        read.nodes[canonical] = undefined
        read.items[canonical] = undefined
        read.nested[canonical] = undefined
      }
      read.keys[canonical] = key
      this.readValue(read, canonical, value, via, spec)
    }
    if (via === undefined) this.remember(map)
    return read
  }

  /** Reads one field's value into `read`. */
  private readValue(
    read: MappingRead,
    field: string,
    written: Node | null,
    outerVia: Alias | undefined,
    spec: MappingSpec
  ): void {
    let node = written
    let via = outerVia
    if (node !== null && isAlias(node)) {
      const target = this.follow(node)
      if (target === undefined) return
      via = via ?? node
      node = target
    }
    const offset = via === undefined ? startOf(node) : startOf(via)
    if (via !== undefined) this.charge(offset)
    read.offsets[field] = offset
    if (node === null) return
    read.nodes[field] = node
    if (isScalar(node)) {
      if (via === undefined) this.remember(node)
      if (node.value !== null) read.values[field] = node.value
      return
    }
    const nestedSpec = spec.nested.get(field)
    if (isMap(node) && nestedSpec !== undefined) {
      const nested = this.readMapping(node, nestedSpec, via)
      read.nested[field] = nested
      read.values[field] = nested.values
      return
    }
    if (isSeq(node) && spec.lists.has(field)) {
      read.values[field] = this.readList(read, field, node, via)
      return
    }
    // A collection where a scalar is expected: zod reports the type.
    read.values[field] = isSeq(node) ? [] : NOT_A_SCALAR
    if (via === undefined) this.skim(node)
  }

  /** Reads a list field's items (scalars; anything else fails in zod). */
  private readList(
    read: MappingRead,
    field: string,
    list: Node & { items: unknown[] },
    via: Alias | undefined
  ): unknown[] {
    const values: unknown[] = []
    const nodes: Node[] = []
    const offsets: number[] = []
    for (const written of list.items) {
      let item = written as Node | Pair | null
      let itemVia = via
      if (item !== null && isAlias(item)) {
        const target = this.follow(item)
        if (target === undefined) continue
        itemVia = itemVia ?? item
        item = target
      }
      // A parsed list holds nodes (yaml wraps `[a: 1]` in a mapping).
      if (item === null || isPair(item)) continue
      const offset = itemVia === undefined ? startOf(item) : startOf(itemVia)
      if (itemVia !== undefined) this.charge(offset)
      nodes.push(item)
      offsets.push(offset)
      if (isScalar(item)) {
        if (itemVia === undefined) this.remember(item)
        values.push(item.value)
      } else {
        values.push(NOT_A_SCALAR)
        if (itemVia === undefined) this.skim(item)
      }
    }
    if (via === undefined) this.remember(list)
    read.items[field] = { nodes, offsets }
    return values
  }
}

/**
 * The node and position a zod issue path points at: a field, a list item
 * (`['deps', 2]`) or a field of a nested mapping.
 */
export function locate(
  read: MappingRead,
  path: readonly PropertyKey[]
): { node: Node | undefined; offset: number } {
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
    const items = current.items[key]
    if (items !== undefined && typeof next === 'number') {
      return {
        node: items.nodes[next],
        offset: items.offsets[next] ?? current.offsets[key] ?? current.offset
      }
    }
    return {
      node: current.nodes[key],
      offset: current.offsets[key] ?? current.offset
    }
  }
  return { node: undefined, offset: current.offset }
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
