// Plan text → Plan and every problem in it, with positions. Pure.
// One pass: yaml parses (with the guards in yaml-source.ts), the reader
// walks the tree once in document order into plain values, zod judges each
// phase, and failures become messages that point at the offending node.
// O(text) plus O(phases · log lines) for positions.
//
// A plan comes back whenever the file holds a list of phases, even with
// errors, so the graph can be analysed in the same run (all problems at
// once). Broken values are left out of it (an id written as a bare number
// is kept as written, `1.10`, so its dependents still resolve); phases
// without a usable id are dropped.

import { isAlias, isMap, isScalar, isSeq } from 'yaml'
import type { Alias, Node, Pair } from 'yaml'
import type { core } from 'zod'

import {
  IGNORED_PHASE_KEYS,
  PHASE_EXPECTED,
  PHASE_KEY_ALIASES,
  PHASE_KEY_SYNONYMS,
  phaseSchema
} from './schema.js'
import type { PhaseInput } from './schema.js'
import { suggestKey } from './suggest.js'
import type { LoadResult, Phase, Problem, SourcePosition } from './types.js'
import {
  YamlReader,
  describeNode,
  isBareNonString,
  locate,
  mustBe,
  shorten,
  sourceOf,
  startOf
} from './yaml-reader.js'
import type { MappingRead, MappingSpec } from './yaml-reader.js'
import { parseYamlSource } from './yaml-source.js'
import { ENV_FIELDS, LONG_VALUE_UNITS } from './env-limits.js'

/** feature-prd-runner's message for a plan without phases. */
export const NO_PHASES_MESSAGE = 'No phases found in phase plan'

const LIST_FIELDS: ReadonlySet<string> = new Set(['deps', 'runs-on'])

const PHASE_SPEC: MappingSpec = {
  fields: new Set(
    Object.keys(phaseSchema.shape).filter(key => !IGNORED_PHASE_KEYS.has(key))
  ),
  ignored: IGNORED_PHASE_KEYS,
  aliases: PHASE_KEY_ALIASES,
  lists: LIST_FIELDS,
  nested: new Map()
}

/** The keys a phase is described with, for messages. */
const MAIN_PHASE_KEYS = [...PHASE_SPEC.fields].join(', ')

/** Every key a phase may have, for suggestions. */
const KNOWN_PHASE_KEYS: readonly string[] = [
  ...Object.keys(phaseSchema.shape),
  ...PHASE_KEY_ALIASES.keys()
]

/** Parses a phase plan. Never throws on bad input: problems say what is wrong. */
export function parsePlan(text: string, file: string): LoadResult {
  const source = parseYamlSource(text, file)
  const problems = source.problems
  if (source.document === undefined) return { problems }
  const reader = new YamlReader(file, source.index, problems, text.length)
  const document = source.document
  const phases = reader.guarded(() => readRoot(reader, document.contents))
  sortByPosition(problems)
  return phases === undefined || phases.length === 0
    ? { problems }
    : { plan: { file, phases }, problems }
}

/** Stable sort by line, then column. */
function sortByPosition(problems: Problem[]): void {
  problems.sort((a, b) => a.line - b.line || a.column - b.column)
}

/** The top-level mapping: `phases:` is read, other keys are skimmed. */
function readRoot(reader: YamlReader, root: Node | null): Phase[] | undefined {
  if (root === null) {
    reader.report('empty-plan', 'error', NO_PHASES_MESSAGE, 0)
    return undefined
  }
  if (!isMap(root)) {
    reader.report(
      'schema',
      'error',
      `a phase plan must be a mapping with a \`phases:\` list, got ${describeNode(root)}` +
        (isSeq(root) ? '; put the list under `phases:`' : ''),
      startOf(root)
    )
    reader.skim(root)
    return undefined
  }
  let phases: Phase[] | undefined
  let found = false
  let lookalike: string | undefined
  for (const pair of root.items) {
    const key = reader.keyOf(pair)
    if (key === 'phases' && !found) {
      found = true
      phases = readPhases(reader, pair)
      continue
    }
    if (
      key !== undefined &&
      lookalike === undefined &&
      suggestKey(key, ['phases'], { phase: 'phases', steps: 'phases' }) !==
        undefined
    ) {
      lookalike = key
    }
    reader.skim(pair.value)
  }
  reader.remember(root)
  if (!found) {
    reader.report(
      'empty-plan',
      'error',
      lookalike === undefined
        ? NO_PHASES_MESSAGE
        : `${NO_PHASES_MESSAGE}: there is no \`phases:\` key (did you mean \`phases\` instead of \`${lookalike}\`?)`,
      startOf(root)
    )
  }
  return phases
}

/** The `phases:` list. */
function readPhases(reader: YamlReader, pair: Pair): Phase[] | undefined {
  let node = pair.value as Node | null
  let via: Alias | undefined
  if (node !== null && isAlias(node)) {
    const target = reader.follow(node)
    if (target === undefined) return undefined
    via = node
    node = target
  }
  if (
    node === null ||
    (isScalar(node) && node.value === null) ||
    (isSeq(node) && node.items.length === 0)
  ) {
    reader.report('empty-plan', 'error', NO_PHASES_MESSAGE, startOf(pair))
    if (node !== null && via === undefined) reader.remember(node)
    return undefined
  }
  if (!isSeq(node)) {
    reader.report(
      'schema',
      'error',
      `\`phases\` must be a list of phases (each item starting with \`- id:\`), got ${describeNode(node)}`,
      via === undefined ? startOf(node) : startOf(via)
    )
    if (via === undefined) reader.skim(node)
    return undefined
  }
  const phases: Phase[] = []
  const items = node.items as (Node | null)[]
  for (let i = 0; i < items.length; i++) {
    const phase = readPhase(reader, items[i] ?? null, via, i + 1, phases.length)
    if (phase !== undefined) phases.push(phase)
  }
  if (via === undefined) reader.remember(node)
  return phases
}

/** One item of `phases:`; undefined when it cannot be a phase. */
function readPhase(
  reader: YamlReader,
  item: Node | null,
  outerVia: Alias | undefined,
  ordinal: number,
  index: number
): Phase | undefined {
  let node = item
  let via = outerVia
  if (node !== null && isAlias(node)) {
    const target = reader.follow(node)
    if (target === undefined) return undefined
    via = via ?? node
    node = target
  }
  const offset = via === undefined ? startOf(node) : startOf(via)
  if (via !== undefined) reader.charge(offset)
  if (node === null || !isMap(node)) {
    const hint =
      node !== null && isScalar(node) && typeof node.value === 'string'
        ? `; write \`- id: ${node.value}\``
        : ''
    reader.report(
      'schema',
      'error',
      `phase #${ordinal} must be a mapping with an \`id:\`, got ${describeNode(node)}${hint}`,
      offset
    )
    if (via === undefined) reader.skim(node)
    return undefined
  }
  const read = reader.readMapping(node, PHASE_SPEC, via)
  const id = read.values.id
  const ref =
    typeof id === 'string' && /^\S+$/.test(id)
      ? `phase ${shorten(id, 80)}`
      : `phase #${ordinal}`
  for (const { key, offset: at } of read.unknown) {
    const suggestion = suggestKey(key, KNOWN_PHASE_KEYS, PHASE_KEY_SYNONYMS)
    reader.report(
      'unknown-key',
      'warning',
      key === '<<'
        ? `merge key \`<<\` in ${ref} is ignored: YAML 1.2 has no merge keys; write the keys out`
        : suggestion === undefined
          ? `unknown key \`${shorten(key)}\` in ${ref} is ignored; a phase has ${MAIN_PHASE_KEYS}`
          : `unknown key \`${shorten(key)}\` in ${ref}: did you mean \`${suggestion}\`?`,
      at
    )
  }
  for (const clash of read.clashes) {
    reader.report(
      'schema',
      'warning',
      `${ref} gives both \`${clash.canonical}\` and its alias \`${clash.alias}\`; \`${clash.alias}\` is ignored`,
      clash.offset
    )
  }
  const input = validatePhase(reader, read, ref, ordinal)
  if (input === undefined) return undefined
  return toPhase(reader, input, read, ref, index)
}

/**
 * Checks a phase with zod. On failure reports every issue, drops the bad
 * values and checks again, so a phase with a bad field still takes part.
 */
function validatePhase(
  reader: YamlReader,
  read: MappingRead,
  ref: string,
  ordinal: number
): PhaseInput | undefined {
  const first = phaseSchema.safeParse(read.values)
  if (first.success) return first.data
  const dropped = new Map<string, Set<number>>()
  // zod may report a failed type and then a failed check of the same
  // value (`[]` is not a string, and too short): one problem per value.
  const seen = new Set<string>()
  for (const issue of first.error.issues) {
    const field = issue.path[0]
    if (typeof field !== 'string') continue
    const path = issue.path.join('\0')
    if (seen.has(path)) continue
    seen.add(path)
    const item = issue.path[1]
    const { node, offset } = locate(read, issue.path)
    reader.report(
      'schema',
      'error',
      explainIssue(issue, field, item, node, ref, ordinal),
      offset
    )
    const list = read.values[field]
    if (
      typeof item === 'number' &&
      isBareNonString(node) &&
      Array.isArray(list)
    ) {
      // Keep `deps: [1.10]` as written, like ids.
      list[item] = sourceOf(node)
    } else if (typeof item === 'number' && LIST_FIELDS.has(field)) {
      let items = dropped.get(field)
      if (items === undefined) dropped.set(field, (items = new Set()))
      items.add(item)
    } else if (field === 'id' && isBareNonString(node)) {
      // Keep the id as written so the graph still finds this phase.
      read.values.id = sourceOf(node)
    } else {
      read.values[field] = undefined
    }
  }
  for (const [field, items] of dropped) dropItems(read, field, items)
  const second = phaseSchema.safeParse(read.values)
  return second.success ? second.data : undefined
}

/** Removes list items that failed, keeping their nodes in step. */
function dropItems(read: MappingRead, field: string, bad: Set<number>): void {
  const values = read.values[field]
  const items = read.items[field]
  if (!Array.isArray(values) || items === undefined) return
  const keep = (_: unknown, i: number): boolean => !bad.has(i)
  read.values[field] = values.filter(keep)
  items.nodes = items.nodes.filter(keep)
  items.offsets = items.offsets.filter(keep)
}

/** A zod issue as a sentence about what was written. */
function explainIssue(
  issue: core.$ZodIssue,
  field: string,
  item: PropertyKey | undefined,
  node: Node | undefined,
  ref: string,
  ordinal: number
): string {
  const wantsString =
    (issue.code === 'invalid_type' && issue.expected === 'string') ||
    issue.code === 'invalid_union'
  if (field === 'id') {
    if (node === undefined) {
      return `phase #${ordinal} has no \`id\`: every phase needs one (${PHASE_EXPECTED.id ?? ''})`
    }
    if (issue.code === 'invalid_format') {
      return `id ${describeNode(node)} contains whitespace: expected ${PHASE_EXPECTED.id ?? ''}`
    }
    return mustBe('id', '', node, PHASE_EXPECTED.id ?? '', wantsString)
  }
  const where = ` of ${ref}`
  if (typeof item === 'number') {
    const label = field === 'deps' ? 'dependency' : `${field} item`
    const expected = PHASE_EXPECTED[`${field}[]`] ?? ''
    if (issue.code === 'invalid_format') {
      return `${label} ${describeNode(node)}${where} contains whitespace: expected ${expected}`
    }
    return mustBe(label, where, node, expected, wantsString)
  }
  const expected = PHASE_EXPECTED[field] ?? 'valid'
  const message = mustBe(field, where, node, expected, wantsString)
  // `deps: a` where `deps: [a]` was meant.
  if (
    LIST_FIELDS.has(field) &&
    issue.code === 'invalid_type' &&
    node !== undefined &&
    isScalar(node) &&
    typeof node.value === 'string' &&
    node.value !== ''
  ) {
    return `${message}; write ${field}: [${node.value}]`
  }
  return message
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
  reader: YamlReader,
  input: PhaseInput,
  read: MappingRead,
  ref: string,
  index: number
): Phase {
  const deps: string[] = []
  const depPositions: SourcePosition[] = []
  const written = input.deps ?? []
  const offsets = read.items.deps?.offsets ?? []
  const seen = new Set<string>()
  for (let i = 0; i < written.length; i++) {
    const dep = written[i] as string
    const offset = offsets[i] ?? read.offset
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
  const phase: Phase = {
    id: input.id,
    deps,
    index,
    position: reader.position(read.offset),
    depPositions,
    done: isDoneStatus(input.status)
  }
  if (input.name !== undefined) phase.name = input.name
  if (input.description !== undefined) phase.description = input.description
  if (input.parallel_group !== undefined) {
    phase.parallelGroup = input.parallel_group
  }
  if (input.run !== undefined) phase.run = input.run
  if (input['runs-on'] !== undefined) phase.runsOn = input['runs-on']
  if (input['timeout-minutes'] !== undefined) {
    phase.timeoutMinutes = input['timeout-minutes']
  }
  if (input.estimate_minutes !== undefined) {
    phase.estimateMinutes = input.estimate_minutes
  }
  if (input.status !== undefined) phase.status = input.status
  for (const field of ENV_FIELDS) {
    const value = input[field]
    if (value === undefined || value.length < LONG_VALUE_UNITS) continue
    phase.valueAt ??= {}
    phase.valueAt[field] = reader.position(read.offsets[field] ?? read.offset)
  }
  return phase
}
