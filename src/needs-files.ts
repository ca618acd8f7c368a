// Edge I/O of the needs workflow, shared by `generate`, `check` and the
// check action: reading the template and the committed workflow, and
// regenerating the workflow a header records so it can be compared.
import { readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from './plan/errors.js'
import type { ParallelSettings, PlanAnalysis } from './plan/types.js'
import type { WorkflowDrift } from './render/check-report.js'
import { firstDifferentLine, unifiedDiff } from './render/diff.js'
import {
  formatGenerateCommand,
  GENERATE_COMMAND,
  parseGenerateCommand,
  type GenerateInvocation
} from './render/generate-command-line.js'
import {
  MAX_WORKFLOW_BYTES,
  renderNeedsWorkflow,
  type NeedsWorkflow
} from './render/needs-workflow.js'
import {
  parseWorkflowTemplate,
  type WorkflowTemplate
} from './render/workflow-template.js'

/** Templates and workflows larger than this are not read (GitHub's own limit, twice). */
const MAX_READ_BYTES = 2 * MAX_WORKFLOW_BYTES

/**
 * A relative path as recorded in a header: normalised, `/` separators, no
 * leading `./`, so `./a//b.yml` and `a/b.yml` record the same. Absolute
 * paths are kept as they are.
 */
export function normalizePath(file: string): string {
  if (path.isAbsolute(file)) return file
  return path.posix.normalize(file.split(path.sep).join('/'))
}

/**
 * A path read from a committed workflow's header is data from the
 * repository (in a pull request, from its author): it must stay inside the
 * working folder, so a header cannot make the check read /proc/self/environ.
 */
export function isInsideRepository(file: string): boolean {
  const normal = normalizePath(file)
  return (
    normal !== '' &&
    !path.isAbsolute(normal) &&
    normal !== '..' &&
    !normal.startsWith('../')
  )
}

/** Reads a text file up to MAX_READ_BYTES; an unreadable one is a UsageError (exit 2). */
export function readTextFile(file: string, what: string): string {
  try {
    const size = statSync(file).size
    if (size > MAX_READ_BYTES) {
      throw new UsageError(
        `${what} ${file} is ${size} bytes; expected at most ${MAX_READ_BYTES} (GitHub starts no workflow over ${MAX_WORKFLOW_BYTES})`
      )
    }
    return readFileSync(file, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const code = (error as { code?: unknown }).code
    const reason =
      code === 'ENOENT' || code === 'ENOTDIR'
        ? 'not found'
        : code === 'EISDIR'
          ? 'is a folder, not a file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'cannot be read (permission denied)'
            : undefined
    if (reason === undefined) throw error
    throw new UsageError(`${what} ${reason}: ${file}`)
  }
}

/**
 * `file` as the process opens it: relative paths are taken from `cwd`, and
 * stay as given (for messages) when `cwd` is the process's own folder.
 */
export function resolveFrom(cwd: string, file: string): string {
  return path.isAbsolute(file) || path.resolve(cwd) === process.cwd()
    ? file
    : path.join(cwd, file)
}

/** Reads and checks a template file (relative to `cwd`). */
export function readTemplateFile(file: string, cwd: string): WorkflowTemplate {
  const text = readTextFile(resolveFrom(cwd, file), 'Template')
  return parseWorkflowTemplate(text, file)
}

/**
 * The `phase-matrix generate …` command recorded in a workflow's leading
 * comment block, or undefined when the file has none (or not one of ours).
 */
export function recordedInvocation(
  workflowText: string
): GenerateInvocation | undefined {
  for (const line of workflowText.split('\n')) {
    if (!line.startsWith('#')) return undefined
    const text = line.replace(/^#\s*/, '')
    if (text.startsWith(`${GENERATE_COMMAND} `)) {
      return parseGenerateCommand(text.trimEnd())
    }
  }
  return undefined
}

/** The workflow `generate` writes for this invocation (template read from `cwd`). */
export function generateWorkflow(
  analysis: PlanAnalysis,
  settings: ParallelSettings,
  invocation: GenerateInvocation,
  cwd: string
): NeedsWorkflow {
  const template =
    invocation.template === undefined
      ? undefined
      : readTemplateFile(invocation.template, cwd)
  return renderNeedsWorkflow(analysis, { settings, template, invocation })
}

/** How the committed workflow differs from the generated one. */
export function workflowDrift(
  committed: string,
  generated: string,
  file: string,
  invocation: GenerateInvocation
): WorkflowDrift {
  return {
    file,
    current: committed === generated,
    diff: unifiedDiff(committed, generated, { fromFile: file, toFile: file }),
    fixCommand: formatGenerateCommand({ ...invocation, out: file }),
    firstDifferentLine: firstDifferentLine(committed, generated)
  }
}
