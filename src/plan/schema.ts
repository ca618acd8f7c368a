// The plan and config formats as zod schemas: the single source of truth
// for which keys exist and what their values may be (DESIGN.md "The plan
// file"). The loader reads YAML into plain values and lets these schemas
// judge them; messages name the field and what it expects (EXPECTED).

import { z } from 'zod'
import { MAX_ESTIMATE_MINUTES, MAX_WORKERS } from './types.js'

/** An id: any non-empty string without whitespace. */
const idSchema = z.string().min(1).regex(/^\S+$/)

/** One phase as written (canonical keys; aliases are resolved first). */
export const phaseSchema = z.object({
  id: idSchema,
  description: z.string().optional(),
  name: z.string().optional(),
  deps: z.array(idSchema).optional(),
  parallel_group: z.string().optional(),
  run: z.string().optional(),
  'runs-on': z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)])
    .optional(),
  'timeout-minutes': z.number().positive().optional(),
  estimate_minutes: z.number().min(0).max(MAX_ESTIMATE_MINUTES).optional(),
  status: z.string().optional(),
  // The origin tool's planner writes these; they are accepted and unused.
  acceptance_criteria: z.unknown().optional(),
  branch: z.unknown().optional(),
  updated_at: z.unknown().optional()
})

export type PhaseInput = z.infer<typeof phaseSchema>

/** Keys accepted without being read. */
export const IGNORED_PHASE_KEYS: ReadonlySet<string> = new Set([
  'acceptance_criteria',
  'branch',
  'updated_at'
])

/** The origin format's names for our keys. */
export const PHASE_KEY_ALIASES: ReadonlyMap<string, string> = new Map([
  ['summary', 'description'],
  ['title', 'name'],
  ['test_command', 'run']
])

/** Words people write for our keys (folded: lower case, no `-`/`_`). */
export const PHASE_KEY_SYNONYMS: Readonly<Record<string, string>> = {
  dependencies: 'deps',
  dependson: 'deps',
  depends: 'deps',
  needs: 'deps',
  requires: 'deps',
  after: 'deps',
  command: 'run',
  cmd: 'run',
  script: 'run',
  group: 'parallel_group',
  timeout: 'timeout-minutes',
  timeoutminute: 'timeout-minutes',
  estimate: 'estimate_minutes',
  duration: 'estimate_minutes',
  runner: 'runs-on',
  label: 'name'
}

/** What each field expects, for messages: "… must be <expected>". */
export const PHASE_EXPECTED: Readonly<Record<string, string>> = {
  id: 'a non-empty string without whitespace',
  description: 'a string',
  name: 'a string',
  deps: 'a list of phase ids, like [database-schema]',
  'deps[]': 'a phase id (a non-empty string without whitespace)',
  parallel_group: 'a string',
  run: 'a string (a shell command)',
  'runs-on': 'a runner label or a non-empty list of labels',
  'runs-on[]': 'a runner label (a non-empty string)',
  'timeout-minutes': 'a positive number of minutes',
  estimate_minutes: `a number of minutes from 0 to ${MAX_ESTIMATE_MINUTES} (one week)`,
  status: 'a string'
}

/** `.prd_runner/config.yaml` → `parallel.resource_limits`. */
export const resourceLimitsSchema = z.object({
  max_memory_mb: z.number().positive().optional(),
  max_cpu_percent: z.number().min(1).max(100).optional()
})

/** `.prd_runner/config.yaml` → `parallel`. */
export const parallelConfigSchema = z.object({
  enabled: z.boolean().optional(),
  max_workers: z.number().int().min(1).max(MAX_WORKERS).optional(),
  fail_fast: z.boolean().optional(),
  resource_limits: resourceLimitsSchema.optional()
})

export type ParallelConfigInput = z.infer<typeof parallelConfigSchema>

export const PARALLEL_KEY_SYNONYMS: Readonly<Record<string, string>> = {
  workers: 'max_workers',
  maxparallel: 'max_workers',
  concurrency: 'max_workers',
  jobs: 'max_workers',
  failfast: 'fail_fast',
  limits: 'resource_limits',
  resources: 'resource_limits'
}

export const RESOURCE_KEY_SYNONYMS: Readonly<Record<string, string>> = {
  memory: 'max_memory_mb',
  maxmemory: 'max_memory_mb',
  cpu: 'max_cpu_percent',
  maxcpu: 'max_cpu_percent'
}

/** What each config setting expects, by its path under `parallel`. */
export const PARALLEL_EXPECTED: Readonly<Record<string, string>> = {
  enabled: 'true or false',
  max_workers: `a whole number from 1 to ${MAX_WORKERS}`,
  fail_fast: 'true or false',
  resource_limits: 'a mapping with max_memory_mb and/or max_cpu_percent',
  'resource_limits.max_memory_mb': 'a positive number of megabytes',
  'resource_limits.max_cpu_percent': 'a number from 1 to 100'
}
