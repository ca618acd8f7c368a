// The template of a generated needs workflow (`generate --template FILE`):
// an ordinary workflow file whose top-level keys are copied into the
// generated one, and whose single job `phase` is the pattern every phase job
// follows (runner, timeout, env, defaults, container, services, and the
// setup steps that run after checkout and before the phase's command).
// The template is the repository's own trusted workflow text, so its
// `${{ }}` expressions are kept; plan text never comes from here.
// O(size of the template).
import { parseDocument } from 'yaml'
import { UsageError } from '../plan/errors.js'
import type { YamlMapping, YamlValue } from './yaml-write.js'

/** Top-level keys a template may set, in the order they are written. */
export const TEMPLATE_TOP_KEYS = [
  'name',
  'run-name',
  'on',
  'permissions',
  'env',
  'defaults',
  'concurrency'
] as const

/** Keys of `jobs.phase` a template may set. */
export const TEMPLATE_PHASE_KEYS = [
  'runs-on',
  'timeout-minutes',
  'environment',
  'container',
  'services',
  'env',
  'defaults',
  'steps'
] as const

/** The job of the template that phase jobs follow. */
export const TEMPLATE_JOB = 'phase'

export interface WorkflowTemplate {
  /** The file it was read from, as given. */
  file: string
  /** Top-level keys, each only when the template sets it. */
  top: Partial<Record<(typeof TEMPLATE_TOP_KEYS)[number], YamlValue>>
  /** `jobs.phase` keys, each only when set; `steps` is a list. */
  phase: Partial<Record<(typeof TEMPLATE_PHASE_KEYS)[number], YamlValue>>
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function fail(file: string, message: string): never {
  throw new UsageError(`template ${file}: ${message}`)
}

function checkKeys(
  file: string,
  where: string,
  value: Record<string, unknown>,
  allowed: readonly string[]
): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      fail(
        file,
        `unknown key '${key}' ${where}; expected one of ${allowed.join(', ')}`
      )
    }
  }
}

/** Reads a template's text; a mistake is a UsageError naming the key. */
export function parseWorkflowTemplate(
  text: string,
  file: string
): WorkflowTemplate {
  const doc = parseDocument(text, {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: true
  })
  const [error] = doc.errors
  if (error !== undefined) {
    fail(file, `not valid YAML: ${error.message.split('\n')[0] ?? ''}`)
  }
  const value: unknown = doc.toJS({ maxAliasCount: 1000 })
  if (!isMapping(value)) {
    fail(file, 'expected a workflow (a mapping with keys such as on and jobs)')
  }
  checkKeys(file, 'at the top level', value, [...TEMPLATE_TOP_KEYS, 'jobs'])
  const template: WorkflowTemplate = { file, top: {}, phase: {} }
  for (const key of TEMPLATE_TOP_KEYS) {
    if (value[key] !== undefined) template.top[key] = value[key] as YamlValue
  }
  const jobs = value.jobs
  if (jobs === undefined || jobs === null) return template
  if (!isMapping(jobs)) fail(file, '`jobs` must be a mapping')
  checkKeys(file, 'under jobs (only the pattern job is read)', jobs, [
    TEMPLATE_JOB
  ])
  const phase = jobs[TEMPLATE_JOB]
  if (phase === undefined || phase === null) return template
  if (!isMapping(phase)) fail(file, '`jobs.phase` must be a mapping')
  checkKeys(file, 'under jobs.phase', phase, TEMPLATE_PHASE_KEYS)
  for (const key of TEMPLATE_PHASE_KEYS) {
    if (phase[key] !== undefined) template.phase[key] = phase[key] as YamlValue
  }
  const steps = template.phase.steps
  if (steps !== undefined && !Array.isArray(steps)) {
    fail(file, '`jobs.phase.steps` must be a list of steps')
  }
  const permissions = template.top.permissions
  if (
    permissions !== undefined &&
    !isMapping(permissions) &&
    typeof permissions !== 'string'
  ) {
    fail(file, '`permissions` must be a mapping or read-all / write-all')
  }
  return template
}

/** The template's `on`, or our default triggers. */
export function templateTriggers(template?: WorkflowTemplate): YamlValue {
  return (
    template?.top.on ?? {
      workflow_dispatch: null,
      push: null,
      pull_request: null
    }
  )
}

/** The template's workflow-level permissions, or read-only contents. */
export function templatePermissions(template?: WorkflowTemplate): YamlValue {
  return template?.top.permissions ?? { contents: 'read' }
}

/** Setup steps of the template (after checkout, before the phase's command). */
export function templateSetupSteps(template?: WorkflowTemplate): YamlValue[] {
  const steps = template?.phase.steps
  return Array.isArray(steps) ? steps : []
}

/** Copy of a mapping value, for keys the generator extends. */
export function mappingOf(value: YamlValue | undefined): YamlMapping {
  return isMapping(value) ? { ...value } : {}
}
