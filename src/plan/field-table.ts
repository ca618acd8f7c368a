// How a field table becomes everything the loader needs. A mapping kind
// (a phase, `parallel`, …) is written once, in schema.ts, as a zod object
// whose every field carries its FieldInfo: the canonical name is the key,
// the zod type is the value, and the info says how the field is written
// (aliases), what people write instead (synonyms), what it must be (for
// messages), whether it is a list read item by item, a nested mapping, or
// accepted and ignored, and which property it becomes in the loaded object.
// `mappingOf` derives the rest: the zod schema, what the reader reads, the
// key lists for "did you mean" and for messages; `renamed` turns checked
// values into the loaded object. O(fields) once, at import.

import { z } from 'zod'

/** How one field is written and explained. */
export interface FieldInfo {
  /** What the value must be, for "… must be <expected>". */
  readonly expected: string
  /** Other names for the field (`summary` for `description`). */
  readonly aliases?: readonly string[]
  /** Words people write for it, folded (lower case, no `-`/`_`/space). */
  readonly synonyms?: readonly string[]
  /** A list whose items are read one by one (and located one by one). */
  readonly item?: {
    /** What an item is called in messages (`dependency`). */
    readonly label: string
    /** What an item must be. */
    readonly expected: string
  }
  /** A mapping read with its own table. */
  readonly nested?: MappingSpec
  /** Accepted and ignored: the value is only skimmed. */
  readonly ignored?: boolean
  /** A bad bare scalar (`1.10`) is kept as written, not dropped. */
  readonly asWritten?: boolean
  /**
   * The property the value becomes in the loaded object (`timeoutMinutes`
   * for `timeout-minutes`); the key itself when absent. The one place a
   * plan key and the code's name for it are paired.
   */
  readonly as?: string
  /** A change of it changes how a phase runs (check-report.ts reports it). */
  readonly changesRun?: boolean
}

/** What the reader needs to know about one kind of mapping. */
export interface MappingSpec {
  /** What one such mapping is called (`phase`). */
  readonly noun: string
  /** Canonical keys whose values are read, in table order. */
  readonly fields: readonly string[]
  /** Keys accepted and ignored (their values are only skimmed). */
  readonly ignored: ReadonlySet<string>
  /** Alias → canonical key (`summary` → `description`). */
  readonly aliases: ReadonlyMap<string, string>
  /** Every key a user may mean, for "did you mean": keys, then aliases. */
  readonly known: readonly string[]
  /** Folded synonym → canonical key. */
  readonly synonyms: Readonly<Record<string, string>>
  /** A read or ignored field's info. */
  info(key: string): FieldInfo | undefined
  /** Whether the field is present but optional in the schema. */
  optional(key: string): boolean
}

/** A table: canonical key → zod type (described with `field`). */
export type Shape = Record<string, z.ZodType>

/** One mapping kind: its zod schema and what is derived from its table. */
export interface Mapping<S extends Shape> extends MappingSpec {
  readonly schema: z.ZodObject<S>
}

/** Each table entry's info, by its zod type. */
const FIELD_INFO = new WeakMap<z.ZodType, FieldInfo>()

/** A table entry: `type` described by `info`. Each type serves one field. */
export function field<T extends z.ZodType>(type: T, info: FieldInfo): T {
  if (FIELD_INFO.has(type)) {
    throw new Error('a zod type already describes another field')
  }
  FIELD_INFO.set(type, info)
  return type
}

/** A key that is accepted and whose value is never read. */
export function ignoredField(): z.ZodOptional<z.ZodUnknown> {
  return field(z.unknown().optional(), { expected: 'anything', ignored: true })
}

/** The mapping kind a table describes. */
export function mappingOf<S extends Shape>(noun: string, shape: S): Mapping<S> {
  const schema = z.object(shape)
  const infos = new Map<string, FieldInfo>()
  const optionals = new Set<string>()
  for (const [key, type] of Object.entries(shape)) {
    const info = FIELD_INFO.get(type)
    if (info === undefined) {
      throw new Error(`field ${key} of a ${noun} has no FieldInfo`)
    }
    infos.set(key, info)
    if (type.safeParse(undefined).success) optionals.add(key)
  }
  const aliases = new Map<string, string>()
  const synonyms = new Map<string, string>()
  for (const [key, info] of infos) {
    for (const alias of info.aliases ?? []) aliases.set(alias, key)
    for (const word of info.synonyms ?? []) synonyms.set(word, key)
  }
  const keys = [...infos.keys()]
  return {
    noun,
    schema,
    fields: keys.filter(key => infos.get(key)?.ignored !== true),
    ignored: new Set(keys.filter(key => infos.get(key)?.ignored === true)),
    aliases,
    known: [...keys, ...aliases.keys()],
    synonyms: Object.fromEntries(synonyms),
    info: key => infos.get(key),
    optional: key => optionals.has(key)
  }
}

/**
 * Checked values (keys as written in the file) as the loaded object: each
 * read field under its `as` name, nested mappings likewise (an empty one
 * left out), unset and ignored fields left out. O(fields). The values are
 * zod's; that each `as` names a property of the loaded type (Phase,
 * ParallelSettings) is what test/plan/field-table.test.ts checks.
 */
export function renamed(
  spec: MappingSpec,
  values: Readonly<Record<string, unknown>>
): Record<string, unknown> {
  const out: Record<string, unknown> = {}
  for (const key of spec.fields) {
    const value = values[key]
    const info = spec.info(key)
    const name = info?.as ?? key
    if (info?.nested !== undefined && isRecord(value)) {
      const inner = renamed(info.nested, value)
      if (Object.keys(inner).length > 0) out[name] = inner
    } else if (value !== undefined) out[name] = value
  }
  return out
}

/** A loaded object's value of a field, read by the field's `as` name. */
export function valueOf(
  spec: MappingSpec,
  key: string,
  loaded: object
): unknown {
  const value: unknown = Reflect.get(loaded, spec.info(key)?.as ?? key)
  return value
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}
