// One item of `phases:` → a Phase: read per the PHASE table (schema.ts),
// unknown keys and alias clashes warned about, checked by zod (field-
// check.ts), then renamed onto `Phase` per the table, with positions for
// its dependencies and its long values. O(fields + deps · log lines).

import { isMap, isScalar } from 'yaml'

import { at } from './at.js'
import { ENV_FIELDS, LONG_VALUE_UNITS } from './env-limits.js'
import { checkMapping, warnUnknown } from './field-check.js'
import { renamed } from './field-table.js'
import type { Naming } from './field-check.js'
import type { MappingRead, MappingReader } from './yaml-reader.js'
import { PHASE } from './schema.js'
import type { PhaseInput } from './schema.js'
import type { Phase, SourcePosition } from './types.js'
import type { Reached } from './yaml-reader.js'
import { describeNode, shorten } from './yaml-nodes.js'

/** The field that names a phase in messages (`phase api`). */
const NAME_FIELD = 'id'

/** One item of `phases:`; undefined when it cannot be a phase. */
export function readPhase(
  reader: MappingReader,
  written: unknown,
  list: Reached,
  ordinal: number,
  index: number
): Phase | undefined {
  const item = reader.reach(written, list)
  if (item === undefined) return undefined
  const node = item.node
  if (node === null || !isMap(node)) {
    const hint =
      node !== null && isScalar(node) && typeof node.value === 'string'
        ? `; write \`- ${NAME_FIELD}: ${node.value}\``
        : ''
    reader.report(
      'schema',
      'error',
      `phase #${ordinal} must be a mapping with an \`${NAME_FIELD}:\`, got ${describeNode(node)}${hint}`,
      item.offset
    )
    reader.pass(item)
    return undefined
  }
  const read = reader.readMapping(node, item, PHASE)
  const id = read.values[NAME_FIELD]
  const ref =
    typeof id === 'string' && /^\S+$/.test(id)
      ? `phase ${shorten(id, 80)}`
      : `phase #${ordinal}`
  warnUnknown(reader, PHASE, read, ref, 'a phase has')
  for (const clash of read.clashes) {
    reader.report(
      'schema',
      'warning',
      `${ref} gives both \`${clash.canonical}\` and its alias \`${clash.alias}\`; \`${clash.alias}\` is ignored`,
      clash.offset
    )
  }
  const naming: Naming = {
    ref,
    prefix: '',
    where: field => (field === NAME_FIELD ? '' : ` of ${ref}`)
  }
  const input = checkMapping(reader, PHASE, read, naming)
  if (input === undefined) return undefined
  return toPhase(reader, input, read, ref, index)
}

/**
 * The one reading of `status`: `done` in any case (`done`, `Done`, `DONE`)
 * marks a phase as already succeeded; anything else is informative only.
 */
export function isDoneStatus(status: string | undefined): boolean {
  return status !== undefined && status.trim().toLowerCase() === 'done'
}

/** The Phase for a valid input: aliases resolved, duplicate deps dropped. */
function toPhase(
  reader: MappingReader,
  input: PhaseInput,
  read: MappingRead,
  ref: string,
  index: number
): Phase {
  const deps: string[] = []
  const depPositions: SourcePosition[] = []
  const written = input.deps ?? []
  const items = read.items.deps ?? []
  const seen = new Set<string>()
  for (let i = 0; i < written.length; i++) {
    // The reader keeps each item's place in step with its value.
    const dep = at(written, i)
    const offset = at(items, i).offset
    if (seen.has(dep)) {
      reader.report(
        'duplicate-dependency',
        'warning',
        `${ref} lists dependency ${dep} more than once; the repeat is ignored`,
        offset
      )
      continue
    }
    seen.add(dep)
    deps.push(dep)
    depPositions.push(reader.position(offset))
  }
  // Every field under its `Phase` name (the table's `as`), then what the
  // loader works out: deps without repeats, positions, `done`.
  const phase: Phase = {
    ...renamed(PHASE, input),
    id: input.id,
    deps,
    index,
    position: reader.position(read.offset),
    depPositions,
    done: isDoneStatus(input.status)
  }
  // Never reused, like a phase without `inputs:`.
  if (phase.inputs?.length === 0) delete phase.inputs
  for (const field of ENV_FIELDS) {
    const value = input[field]
    if (value.length < LONG_VALUE_UNITS) continue
    phase.valueAt ??= {}
    phase.valueAt[field] = reader.position(
      read.fields[field]?.offset ?? read.offset
    )
  }
  return phase
}
