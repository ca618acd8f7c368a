// `.prd_runner/config.yaml` → parallel settings. Pure. Read like the plan
// (same YAML guards, positions, every problem at once), but only the
// `parallel:` section matters: the origin tool's config has many other
// top-level keys, which are skimmed and ignored. O(text).

import { isMap, isScalar } from 'yaml'
import type { Pair } from 'yaml'

import { checkMapping, warnUnknown } from './field-check.js'
import type { Naming } from './field-check.js'
import { renamed } from './field-table.js'
import { MappingReader } from './yaml-reader.js'
import { compareProblems } from './errors.js'
import { PARALLEL } from './schema.js'
import { DEFAULT_PARALLEL_SETTINGS } from './types.js'
import type { ParallelSettings, Problem } from './types.js'
import { describeNode, nodeOf, startOf } from './yaml-nodes.js'
import { parseYamlSource } from './yaml-source.js'

/** Settings are named by their path: `parallel.resource_limits.max_cpu_percent`. */
const NAMING: Naming = {
  ref: '`parallel`',
  prefix: 'parallel.',
  where: () => ''
}

interface ConfigResult {
  settings: Partial<ParallelSettings>
  problems: Problem[]
}

/** Parses a config file. Never throws on bad input. */
export function parseConfig(text: string, file: string): ConfigResult {
  const source = parseYamlSource(text, file)
  const problems = source.problems
  if (source.document === undefined) return { settings: {}, problems }
  const reader = new MappingReader(file, source.index, problems, text.length)
  const root = source.document.contents
  const settings = reader.guarded(() => readConfig(reader, root)) ?? {}
  problems.sort(compareProblems)
  return { settings, problems }
}

function readConfig(
  reader: MappingReader,
  contents: unknown
): Partial<ParallelSettings> {
  const root = nodeOf(contents)
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
  reader: MappingReader,
  pair: Pair
): Partial<ParallelSettings> {
  const section = reader.reach(pair.value, undefined)
  if (section === undefined) return {}
  const node = section.node
  if (node === null || (isScalar(node) && node.value === null)) return {}
  if (!isMap(node)) {
    reader.report(
      'schema',
      'error',
      `\`parallel\` must be a mapping of settings (${PARALLEL.fields.join(', ')}), got ${describeNode(node)}`,
      section.offset
    )
    reader.pass(section)
    return {}
  }
  const read = reader.readMapping(node, section, PARALLEL)
  warnUnknown(reader, PARALLEL, read, '`parallel`', 'it has')
  for (const [key, nested] of Object.entries(read.nested)) {
    const spec = PARALLEL.info(key)?.nested
    if (nested === undefined || spec === undefined) continue
    warnUnknown(reader, spec, nested, `\`parallel.${key}\``, 'it has')
  }
  // The PARALLEL table names each setting's property (`max_workers` →
  // `maxWorkers`): the checked values renamed are the settings.
  const checked = checkMapping(reader, PARALLEL, read, NAMING) ?? {}
  const settings: Partial<ParallelSettings> = renamed(PARALLEL, checked)
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
  if (config.retries !== undefined) settings.retries = config.retries
  const limits =
    config.resourceLimits ?? DEFAULT_PARALLEL_SETTINGS.resourceLimits
  if (limits !== undefined) settings.resourceLimits = { ...limits }
  return settings
}
