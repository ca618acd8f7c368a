// The template of a generated needs workflow (`generate --template FILE`):
// an ordinary workflow file whose top-level keys are copied into the
// generated one, and whose single job `phase` is the pattern every phase job
// follows (runner, timeout, env, defaults, container, services, and the
// setup steps that run after checkout and before the phase's command).
// The template is the repository's own trusted workflow text, so its
// `${{ }}` expressions are kept; plan text never comes from here.
// O(size of the template).
import { isMap, isPair, isScalar, parseDocument } from 'yaml'
import { UsageError } from '../plan/errors.js'
import { LineIndex } from '../plan/positions.js'
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

/** Collects a template's problems, each `file:line:column: message`. */
class TemplateProblems {
  readonly list: string[] = []
  private readonly index: LineIndex

  constructor(
    private readonly file: string,
    text: string
  ) {
    this.index = LineIndex.of(text)
  }

  add(offset: number, message: string): void {
    const { line, column } = this.index.positionOf(offset)
    this.list.push(`${this.file}:${line}:${column}: ${message}`)
  }

  /** Throws every problem at once as one UsageError, if there are any. */
  throwIfAny(): void {
    if (this.list.length > 0) this.throwAll()
  }

  /** Throws every problem (at least one was added) as one UsageError. */
  throwAll(): never {
    const count =
      this.list.length === 1 ? '1 problem' : `${this.list.length} problems`
    throw new UsageError(
      `template ${this.file} has ${count}:\n  ${this.list.join('\n  ')}`
    )
  }
}

/** Where a node starts (0 when it has no range). */
function startOf(node: unknown): number {
  const range = (node as { range?: readonly number[] } | null)?.range
  return range?.[0] ?? 0
}

/** The node of `key` in a mapping node, for positions. */
function pairOf(
  node: unknown,
  key: string
): { key: unknown; value: unknown } | undefined {
  if (!isMap(node)) return undefined
  for (const pair of node.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) {
      return { key: pair.key, value: pair.value }
    }
  }
  return undefined
}

function checkKeys(
  problems: TemplateProblems,
  node: unknown,
  where: string,
  allowed: readonly string[]
): void {
  if (!isMap(node)) return
  for (const pair of node.items) {
    if (!isPair(pair)) continue
    const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key)
    if (!allowed.includes(key)) {
      problems.add(
        startOf(pair.key),
        `unknown key '${key}' ${where}; expected one of ${allowed.join(', ')}`
      )
    }
  }
}

/**
 * Reads a template's text. Its mistakes are one UsageError listing every
 * problem with its line and column.
 */
export function parseWorkflowTemplate(
  text: string,
  file: string
): WorkflowTemplate {
  const problems: TemplateProblems = new TemplateProblems(file, text)
  const doc = parseDocument(text, {
    version: '1.2',
    uniqueKeys: true,
    prettyErrors: false
  })
  for (const error of doc.errors) {
    // The message without its own position (that is the prefix).
    const message = error.message.replace(/ at line \d+, column \d+:?$/s, '')
    problems.add(
      error.pos[0],
      `not valid YAML: ${message.split('\n')[0] ?? ''}`
    )
  }
  problems.throwIfAny()
  const value: unknown = doc.toJS({ maxAliasCount: 1000 })
  if (!isMapping(value)) {
    problems.add(
      startOf(doc.contents),
      'expected a workflow (a mapping with keys such as on and jobs)'
    )
    problems.throwAll()
  }
  const root = doc.contents
  checkKeys(problems, root, 'at the top level', [...TEMPLATE_TOP_KEYS, 'jobs'])
  const template: WorkflowTemplate = { file, top: {}, phase: {} }
  for (const key of TEMPLATE_TOP_KEYS) {
    if (value[key] !== undefined) template.top[key] = value[key] as YamlValue
  }
  const permissions = template.top.permissions
  if (
    permissions !== undefined &&
    !isMapping(permissions) &&
    typeof permissions !== 'string'
  ) {
    problems.add(
      startOf(pairOf(root, 'permissions')?.value),
      '`permissions` must be a mapping or read-all / write-all'
    )
  }
  const jobs = value.jobs
  const jobsNode = pairOf(root, 'jobs')?.value
  if (jobs !== undefined && jobs !== null) {
    if (!isMapping(jobs)) {
      problems.add(startOf(jobsNode), '`jobs` must be a mapping')
    } else {
      checkKeys(
        problems,
        jobsNode,
        'under jobs (only the pattern job is read)',
        [TEMPLATE_JOB]
      )
      const phase = jobs[TEMPLATE_JOB]
      const phaseNode = pairOf(jobsNode, TEMPLATE_JOB)?.value
      if (phase !== undefined && phase !== null) {
        if (!isMapping(phase)) {
          problems.add(startOf(phaseNode), '`jobs.phase` must be a mapping')
        } else {
          checkKeys(
            problems,
            phaseNode,
            'under jobs.phase',
            TEMPLATE_PHASE_KEYS
          )
          for (const key of TEMPLATE_PHASE_KEYS) {
            if (phase[key] !== undefined)
              template.phase[key] = phase[key] as YamlValue
          }
          const steps = template.phase.steps
          if (steps !== undefined && !Array.isArray(steps)) {
            problems.add(
              startOf(pairOf(phaseNode, 'steps')?.value),
              '`jobs.phase.steps` must be a list of steps'
            )
          }
        }
      }
    }
  }
  problems.throwIfAny()
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
