// `.prd_runner/config.yaml` → parallel settings. Pure. Read like the plan
// (same YAML guards, positions, every problem at once), but only the
// `parallel:` section matters: the origin tool's config has many other
// top-level keys, which are skimmed and ignored. O(text).

import { isAlias, isMap, isScalar } from 'yaml'
import type { Alias, Node, Pair } from 'yaml'

import {
  PARALLEL_EXPECTED,
  PARALLEL_KEY_SYNONYMS,
  RESOURCE_KEY_SYNONYMS,
  parallelConfigSchema,
  resourceLimitsSchema
} from './schema.js'
import type { ParallelConfigInput } from './schema.js'
import { suggestKey } from './suggest.js'
import { DEFAULT_PARALLEL_SETTINGS } from './types.js'
import type { ParallelSettings, Problem, ResourceLimits } from './types.js'
import {
  YamlReader,
  describeNode,
  locate,
  mustBe,
  shorten,
  startOf
} from './yaml-reader.js'
import type { MappingRead, MappingSpec } from './yaml-reader.js'
import { parseYamlSource } from './yaml-source.js'

const RESOURCE_SPEC: MappingSpec = {
  fields: new Set(Object.keys(resourceLimitsSchema.shape)),
  ignored: new Set(),
  aliases: new Map(),
  lists: new Set(),
  nested: new Map()
}

const PARALLEL_SPEC: MappingSpec = {
  fields: new Set(Object.keys(parallelConfigSchema.shape)),
  ignored: new Set(),
  aliases: new Map(),
  lists: new Set(),
  nested: new Map([['resource_limits', RESOURCE_SPEC]])
}

export interface ConfigResult {
  settings: Partial<ParallelSettings>
  problems: Problem[]
}

/** Parses a config file. Never throws on bad input. */
export function parseConfig(text: string, file: string): ConfigResult {
  const source = parseYamlSource(text, file)
  const problems = source.problems
  if (source.document === undefined) return { settings: {}, problems }
  const reader = new YamlReader(file, source.index, problems, text.length)
  const document = source.document
  const settings =
    reader.guarded(() => readConfig(reader, document.contents)) ?? {}
  problems.sort((a, b) => a.line - b.line || a.column - b.column)
  return { settings, problems }
}

function readConfig(
  reader: YamlReader,
  root: Node | null
): Partial<ParallelSettings> {
  // An empty file is a config with nothing set.
  if (root === null || (isScalar(root) && root.value === null)) return {}
  if (!isMap(root)) {
    reader.report(
      'schema',
      'error',
      `a config file must be a mapping (with a \`parallel:\` section), got ${describeNode(root)}`,
      startOf(root)
    )
    reader.skim(root)
    return {}
  }
  let settings: Partial<ParallelSettings> = {}
  let found = false
  for (const pair of root.items) {
    const key = reader.keyOf(pair)
    if (key === 'parallel' && !found) {
      found = true
      settings = readParallel(reader, pair)
    } else {
      reader.skim(pair.value)
    }
  }
  reader.remember(root)
  return settings
}

/** The `parallel:` section. */
function readParallel(
  reader: YamlReader,
  pair: Pair
): Partial<ParallelSettings> {
  let node = pair.value as Node | null
  let via: Alias | undefined
  if (node !== null && isAlias(node)) {
    const target = reader.follow(node)
    if (target === undefined) return {}
    via = node
    node = target
  }
  if (node === null || (isScalar(node) && node.value === null)) return {}
  if (!isMap(node)) {
    reader.report(
      'schema',
      'error',
      `\`parallel\` must be a mapping of settings (enabled, max_workers, fail_fast, resource_limits), got ${describeNode(node)}`,
      via === undefined ? startOf(node) : startOf(via)
    )
    if (via === undefined) reader.skim(node)
    return {}
  }
  const read = reader.readMapping(node, PARALLEL_SPEC, via)
  warnUnknown(reader, read, 'parallel', PARALLEL_SPEC, PARALLEL_KEY_SYNONYMS)
  const limits = read.nested.resource_limits
  if (limits !== undefined) {
    warnUnknown(
      reader,
      limits,
      'parallel.resource_limits',
      RESOURCE_SPEC,
      RESOURCE_KEY_SYNONYMS
    )
  }
  const input = validate(reader, read)
  return toSettings(input)
}

function warnUnknown(
  reader: YamlReader,
  read: MappingRead,
  section: string,
  spec: MappingSpec,
  synonyms: Readonly<Record<string, string>>
): void {
  const known = [...spec.fields]
  for (const { key, offset } of read.unknown) {
    const suggestion = suggestKey(key, known, synonyms)
    reader.report(
      'unknown-key',
      'warning',
      suggestion === undefined
        ? `unknown key \`${shorten(key)}\` in \`${section}\` is ignored; it has ${known.join(', ')}`
        : `unknown key \`${shorten(key)}\` in \`${section}\`: did you mean \`${suggestion}\`?`,
      offset
    )
  }
}

/** Checks the section with zod; reports and drops every bad setting. */
function validate(reader: YamlReader, read: MappingRead): ParallelConfigInput {
  const first = parallelConfigSchema.safeParse(read.values)
  if (first.success) return first.data
  // One problem per value (zod may add a failed check to a failed type).
  const seen = new Set<string>()
  for (const issue of first.error.issues) {
    const path = issue.path.filter(
      (part): part is string => typeof part === 'string'
    )
    if (seen.has(path.join('.'))) continue
    seen.add(path.join('.'))
    const { node, offset } = locate(read, path)
    const name = path.join('.')
    const wantsBoolean =
      issue.code === 'invalid_type' && issue.expected === 'boolean'
    let message = mustBe(
      `parallel.${name}`,
      '',
      node,
      PARALLEL_EXPECTED[name] ?? 'valid',
      false
    )
    if (
      wantsBoolean &&
      node !== undefined &&
      isScalar(node) &&
      typeof node.value === 'string' &&
      /^(yes|no|on|off|y|n)$/i.test(node.value)
    ) {
      message += ' (YAML 1.2 reads yes/no/on/off as strings)'
    }
    reader.report('schema', 'error', message, offset)
    // Drop the bad setting (in a nested mapping, just that key).
    let values = read.values
    for (let i = 0; i < path.length - 1; i++) {
      const next = values[path[i] as string]
      if (typeof next !== 'object' || next === null) break
      values = next as Record<string, unknown>
    }
    const last = path[path.length - 1]
    if (last !== undefined) values[last] = undefined
  }
  const second = parallelConfigSchema.safeParse(read.values)
  return second.success ? second.data : {}
}

function toSettings(input: ParallelConfigInput): Partial<ParallelSettings> {
  const settings: Partial<ParallelSettings> = {}
  if (input.enabled !== undefined) settings.enabled = input.enabled
  if (input.max_workers !== undefined) settings.maxWorkers = input.max_workers
  if (input.fail_fast !== undefined) settings.failFast = input.fail_fast
  const limits = input.resource_limits
  if (limits !== undefined) {
    const resourceLimits: ResourceLimits = {}
    if (limits.max_memory_mb !== undefined) {
      resourceLimits.maxMemoryMb = limits.max_memory_mb
    }
    if (limits.max_cpu_percent !== undefined) {
      resourceLimits.maxCpuPercent = limits.max_cpu_percent
    }
    if (Object.keys(resourceLimits).length > 0) {
      settings.resourceLimits = resourceLimits
    }
  }
  return settings
}

/**
 * The settings in effect: overrides (CLI flags, action inputs) beat the
 * config file, which beats the defaults. `enabled: false` runs one phase at
 * a time (still in dependency order) unless an override sets max workers.
 */
export function resolveSettings(
  config: Partial<ParallelSettings>,
  overrides: { maxWorkers?: number; failFast?: boolean }
): ParallelSettings {
  const enabled = config.enabled ?? DEFAULT_PARALLEL_SETTINGS.enabled
  const maxWorkers =
    overrides.maxWorkers ??
    (enabled ? (config.maxWorkers ?? DEFAULT_PARALLEL_SETTINGS.maxWorkers) : 1)
  const settings: ParallelSettings = {
    enabled,
    maxWorkers,
    failFast:
      overrides.failFast ??
      config.failFast ??
      DEFAULT_PARALLEL_SETTINGS.failFast
  }
  const limits =
    config.resourceLimits ?? DEFAULT_PARALLEL_SETTINGS.resourceLimits
  if (limits !== undefined) settings.resourceLimits = { ...limits }
  return settings
}
