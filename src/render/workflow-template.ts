// The template of a generated needs workflow (`generate --template FILE`):
// an ordinary workflow file whose top-level keys are copied into the
// generated one, and whose single job `phase` is the pattern every phase job
// follows (runner, timeout, env, defaults, container, services, and the
// setup steps that run after checkout and before the phase's command).
// The template is the repository's own trusted workflow text, so its
// `${{ }}` expressions are kept; plan text never comes from here.
// O(size of the template).
import { isMap, isNode, isPair, isScalar, parseDocument } from 'yaml'
import { UsageError } from '../plan/errors.js'
import { LineIndex } from '../plan/yaml-nodes.js'
import {
  isMapping,
  isYamlValue,
  type YamlMapping,
  type YamlValue
} from './yaml.js'

/** Top-level keys a template may set, in the order they are written. */
const TEMPLATE_TOP_KEYS = [
  'name',
  'run-name',
  'on',
  'permissions',
  'env',
  'defaults',
  'concurrency'
] as const

/** Keys of `jobs.phase` a template may set. */
const TEMPLATE_PHASE_KEYS = [
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
const TEMPLATE_JOB = 'phase'

export interface WorkflowTemplate {
  /** The file it was read from, as given. */
  file: string
  /** Top-level keys, each only when the template sets it. */
  top: Partial<Record<(typeof TEMPLATE_TOP_KEYS)[number], YamlValue>>
  /** `jobs.phase` keys, each only when set; `steps` is a list. */
  phase: Partial<Record<(typeof TEMPLATE_PHASE_KEYS)[number], YamlValue>>
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
  return isNode(node) ? (node.range?.[0] ?? 0) : 0
}

/** The node of `key`'s value in a mapping node, for positions. */
function valueNodeOf(node: unknown, key: string): unknown {
  if (!isMap(node)) return undefined
  for (const pair of node.items) {
    if (isPair(pair) && isScalar(pair.key) && pair.key.value === key) {
      return pair.value
    }
  }
  return undefined
}

/** A mapping of the template with its node (for positions). */
interface MappingAt {
  value: Record<string, unknown>
  node: unknown
}

/**
 * The mapping under `key` of `parent`; undefined when it is absent or empty,
 * or (a problem) when it is not a mapping.
 */
function childMapping(
  problems: TemplateProblems,
  parent: MappingAt,
  key: string,
  where: string
): MappingAt | undefined {
  const value = parent.value[key]
  const node = valueNodeOf(parent.node, key)
  if (value === undefined || value === null) return undefined
  if (!isMapping(value)) {
    problems.add(startOf(node), `\`${where}\` must be a mapping`)
    return undefined
  }
  return { value, node }
}

/** The `keys` that `from` sets, as workflow data. */
function pick<K extends string>(
  from: Record<string, unknown>,
  keys: readonly K[]
): Partial<Record<K, YamlValue>> {
  const picked: Partial<Record<K, YamlValue>> = {}
  for (const key of keys) {
    const value = from[key]
    if (isYamlValue(value)) picked[key] = value
  }
  return picked
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
  const root: MappingAt = { value, node: doc.contents }
  checkKeys(problems, root.node, 'at the top level', [
    ...TEMPLATE_TOP_KEYS,
    'jobs'
  ])
  const template: WorkflowTemplate = {
    file,
    top: pick(value, TEMPLATE_TOP_KEYS),
    phase: {}
  }
  const permissions = template.top.permissions
  if (
    permissions !== undefined &&
    !isMapping(permissions) &&
    typeof permissions !== 'string'
  ) {
    problems.add(
      startOf(valueNodeOf(root.node, 'permissions')),
      '`permissions` must be a mapping or read-all / write-all'
    )
  }
  const jobs = childMapping(problems, root, 'jobs', 'jobs')
  if (jobs !== undefined) {
    checkKeys(
      problems,
      jobs.node,
      'under jobs (only the pattern job is read)',
      [TEMPLATE_JOB]
    )
    const phase = childMapping(problems, jobs, TEMPLATE_JOB, 'jobs.phase')
    if (phase !== undefined) {
      checkKeys(problems, phase.node, 'under jobs.phase', TEMPLATE_PHASE_KEYS)
      template.phase = pick(phase.value, TEMPLATE_PHASE_KEYS)
      const steps = template.phase.steps
      if (steps !== undefined && !Array.isArray(steps)) {
        problems.add(
          startOf(valueNodeOf(phase.node, 'steps')),
          '`jobs.phase.steps` must be a list of steps'
        )
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
