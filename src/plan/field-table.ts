// How a field table becomes everything the loader needs. A mapping kind
// (a phase, `parallel`, …) is written once, in schema.ts, as a zod object
// whose every field carries its FieldInfo: the canonical name is the key,
// the zod type is the value, and the info says how the field is written
// (aliases), what people write instead (synonyms), what it must be (for
// messages), whether it is a list read item by item, a nested mapping, or
// accepted and ignored. `mappingOf` derives the rest: the zod schema, what
// the reader reads, the key lists for "did you mean" and for messages.
// O(fields) once, at import.

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
