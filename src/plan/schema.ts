// The plan and config formats: one table per kind of mapping, the single
// source of truth for which keys exist, what their values may be, how else
// they are written and how a bad value is explained (DESIGN.md "The plan
// file"). Each entry is `canonical-name: field(zod type, info)`; the reader,
// the zod checks, "did you mean" and every message derive from it (see
// field-table.ts), and so do the loaded `Phase` (its property names: `as`)
// and the outputs that show a phase (render/json.ts, render/check-report.ts).
// A new field is its entry here, its property on `Phase` (types.ts) and the
// code that gives it meaning.

import { z } from 'zod'

import { field, ignoredField, mappingOf } from './field-table.js'
import type { FieldInfo } from './field-table.js'
import { isValidGlob } from './globs.js'
import { MAX_ESTIMATE_MINUTES, MAX_RETRIES, MAX_WORKERS } from './types.js'

/** An id: any non-empty string without whitespace. */
const idSchema = (): z.ZodString => z.string().min(1).regex(/^\S+$/)

const ID_EXPECTED = 'a non-empty string without whitespace'

/** A glob of `inputs:` / `global_inputs:` (globs.ts says what is valid). */
const GLOB_EXPECTED =
  "a glob relative to the repository root, like packages/db/** or '!**/*.md' (quoted: a bare ! is a YAML tag), with no leading /, no `..`, no braces, no backslashes"

/** A list of globs. */
function globs(
  expected: string,
  label: string,
  synonyms: readonly string[]
): z.ZodOptional<z.ZodArray<z.ZodString>> {
  return field(z.array(z.string().refine(isValidGlob)).optional(), {
    expected,
    synonyms,
    item: { label, expected: GLOB_EXPECTED }
  })
}

/** An optional string: "… must be a string" unless `info` says more. */
function text(info: Partial<FieldInfo> = {}): z.ZodOptional<z.ZodString> {
  return field(z.string().optional(), { expected: 'a string', ...info })
}

/** `retries:` of a phase and `parallel.retries`: a whole number 0..MAX_RETRIES. */
function retries(info: Partial<FieldInfo> = {}): z.ZodOptional<z.ZodNumber> {
  return field(z.number().int().min(0).max(MAX_RETRIES).optional(), {
    expected: `a whole number from 0 to ${MAX_RETRIES} (more runs after a failure)`,
    synonyms: ['retry', 'attempts', 'maxretries', 'rerun', 'reruns'],
    ...info
  })
}

/** One phase as written. */
export const PHASE = mappingOf('phase', {
  id: field(idSchema(), { expected: ID_EXPECTED, asWritten: true }),
  description: text({ aliases: ['summary'] }),
  name: text({ aliases: ['title'], synonyms: ['label'] }),
  deps: field(z.array(idSchema()).optional(), {
    expected: 'a list of phase ids, like [database-schema]',
    synonyms: [
      'dependencies',
      'dependson',
      'depends',
      'needs',
      'requires',
      'after'
    ],
    item: {
      label: 'dependency',
      expected: `a phase id (${ID_EXPECTED})`
    }
  }),
  parallel_group: text({ synonyms: ['group'], as: 'parallelGroup' }),
  run: text({
    expected: 'a string (a shell command)',
    aliases: ['test_command'],
    synonyms: ['command', 'cmd', 'script'],
    changesRun: true
  }),
  'runs-on': field(
    z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).optional(),
    {
      expected: 'a runner label or a non-empty list of labels',
      synonyms: ['runner'],
      as: 'runsOn',
      changesRun: true,
      item: {
        label: 'runs-on item',
        expected: 'a runner label (a non-empty string)'
      }
    }
  ),
  'timeout-minutes': field(z.number().positive().optional(), {
    expected: 'a positive number of minutes',
    synonyms: ['timeout', 'timeoutminute'],
    as: 'timeoutMinutes',
    changesRun: true
  }),
  estimate_minutes: field(
    z.number().min(0).max(MAX_ESTIMATE_MINUTES).optional(),
    {
      expected: `a number of minutes from 0 to ${MAX_ESTIMATE_MINUTES} (one week)`,
      synonyms: ['estimate', 'duration'],
      as: 'estimateMinutes'
    }
  ),
  status: text({ changesRun: true }),
  retries: retries(),
  inputs: globs(
    'a list of globs of the files the phase reads, like [packages/db/**, "!**/*.md"]',
    'input',
    ['input', 'sources', 'files', 'paths']
  ),
  // The origin tool's planner writes these; they are accepted and unused.
  acceptance_criteria: ignoredField(),
  branch: ignoredField(),
  updated_at: ignoredField()
})

export type PhaseInput = z.infer<typeof PHASE.schema>

/** The top of a plan file: only `phases:` is read, item by item. */
export const PLAN_ROOT = mappingOf('plan', {
  phases: field(z.array(PHASE.schema).optional(), {
    expected: 'a list of phases (each item starting with `- id:`)',
    synonyms: ['phase', 'steps']
  }),
  global_inputs: globs(
    'a list of globs of files every phase with inputs reads, like [package-lock.json, .nvmrc]',
    'global input',
    ['globalinput', 'globalinputs', 'sharedinputs']
  )
})

/** `.prd_runner/config.yaml` → `parallel.resource_limits`. */
export const RESOURCE_LIMITS = mappingOf('resource_limits', {
  max_memory_mb: field(z.number().positive().optional(), {
    expected: 'a positive number of megabytes',
    synonyms: ['memory', 'maxmemory'],
    as: 'maxMemoryMb'
  }),
  max_cpu_percent: field(z.number().min(1).max(100).optional(), {
    expected: 'a number from 1 to 100',
    synonyms: ['cpu', 'maxcpu'],
    as: 'maxCpuPercent'
  })
})

/** `.prd_runner/config.yaml` → `parallel`. */
export const PARALLEL = mappingOf('parallel', {
  enabled: field(z.boolean().optional(), { expected: 'true or false' }),
  max_workers: field(z.number().int().min(1).max(MAX_WORKERS).optional(), {
    expected: `a whole number from 1 to ${MAX_WORKERS}`,
    synonyms: ['workers', 'maxparallel', 'concurrency', 'jobs'],
    as: 'maxWorkers'
  }),
  fail_fast: field(z.boolean().optional(), {
    expected: 'true or false',
    synonyms: ['failfast'],
    as: 'failFast'
  }),
  retries: retries(),
  resource_limits: field(RESOURCE_LIMITS.schema.optional(), {
    expected: 'a mapping with max_memory_mb and/or max_cpu_percent',
    synonyms: ['limits', 'resources'],
    as: 'resourceLimits',
    nested: RESOURCE_LIMITS
  })
})
