// The needs workflow's files (\`generate\`, \`check\`, the check action): its
// template, the committed workflow, and the workflow its header records,
// regenerated and compared. Apart from files.ts, which reads plans without
// the needs-graph renderer this module needs.
import { closeSync, readFileSync, realpathSync } from 'node:fs'
import path from 'node:path'
import { UsageError } from '../plan/errors.js'
import type { ParallelSettings, PlanAnalysis, Problem } from '../plan/types.js'
import {
  formatGenerateCommand,
  GENERATE_COMMAND,
  parseFlagsLine,
  FLAGS_LINE,
  workflowDrift,
  type GenerateInvocation,
  type WorkflowDrift
} from '../render/generate-command-line.js'
import {
  MAX_WORKFLOW_BYTES,
  renderNeedsWorkflow,
  type NeedsWorkflow
} from '../render/needs-workflow.js'
import {
  parseWorkflowTemplate,
  type WorkflowTemplate
} from '../render/workflow-template.js'
import {
  describeFsError,
  normalizePath,
  openRegularFile,
  realPath,
  resolveFrom
} from './files.js'
import { errorCode } from '../plan/errors.js'

/** Templates and workflows larger than this are not read (GitHub's own limit, twice). */
const MAX_READ_BYTES = 2 * MAX_WORKFLOW_BYTES

/**
 * A path read from a file (a committed workflow's header) is data from the
 * repository, in a pull request from its author: it must name a file inside
 * `root` once `..` and every symbolic link are resolved, so a header cannot
 * make the check read /etc/passwd or /proc/self/environ. Returns the path
 * to open (relative paths are taken from `root`); a UsageError otherwise.
 */
function confinedPath(file: string, root: string, what: string): string {
  const target = path.resolve(root, file)
  let real: string
  let realRoot: string
  try {
    realRoot = realpathSync(root)
    real = realPath(target)
  } catch (error) {
    const code = errorCode(error)
    if (code === 'ELOOP') {
      throw new UsageError(
        `${what} '${file}', a loop of symbolic links; expected a file inside the repository`
      )
    }
    throw error
  }
  const inside = path.relative(realRoot, real)
  if (
    inside === '' ||
    inside === '..' ||
    inside.startsWith(`..${path.sep}`) ||
    path.isAbsolute(inside)
  ) {
    const link = real === target ? '' : ` (a link to ${real})`
    throw new UsageError(
      `${what} '${file}', outside the repository${link}; the check reads no file there (give the file explicitly to use it)`
    )
  }
  return path.isAbsolute(file) ? real : file
}

/** Reads a text file up to MAX_READ_BYTES; an unreadable one is a UsageError (exit 2). */
function readTextFile(file: string, what: string): string {
  let fd: number | undefined
  try {
    const opened = openRegularFile(file)
    if ('kind' in opened) {
      throw new UsageError(
        `${what} is ${opened.kind}, not a regular file: ${file}`
      )
    }
    fd = opened.fd
    if (opened.stat.isDirectory()) {
      throw new UsageError(`${what} is a folder, not a file: ${file}`)
    }
    const size = opened.stat.size
    if (size > MAX_READ_BYTES) {
      throw new UsageError(
        `${what} ${file} is ${size} bytes; expected at most ${MAX_READ_BYTES} (GitHub starts no workflow over ${MAX_WORKFLOW_BYTES})`
      )
    }
    return readFileSync(fd, 'utf8')
  } catch (error) {
    if (error instanceof UsageError) throw error
    const reason = describeFsError(errorCode(error))
    if (reason === undefined) throw error
    throw new UsageError(`${what} ${reason}: ${file}`)
  } finally {
    if (fd !== undefined) closeSync(fd)
  }
}

/** Reads and checks a template file (relative to `cwd`). */
function readTemplateFile(file: string, cwd: string): WorkflowTemplate {
  const text = readTextFile(resolveFrom(cwd, file), 'Template')
  return parseWorkflowTemplate(text, file)
}

/**
 * What a workflow's leading comment block records: the flags of its
 * `phase-matrix flags: {…}` line (undefined when there is none, or not one
 * we wrote) and the `phase-matrix generate …` command shown above it.
 */
function recordedInvocation(workflowText: string): {
  invocation?: GenerateInvocation
  command?: string
} {
  let command: string | undefined
  for (const line of workflowText.split('\n')) {
    if (!line.startsWith('#')) break
    const text = line.replace(/^#\s*/, '').trimEnd()
    if (text.startsWith(`${GENERATE_COMMAND} `)) command ??= text
    if (text.startsWith(`${FLAGS_LINE} `)) {
      const invocation = parseFlagsLine(text)
      return invocation === undefined ? { command } : { invocation, command }
    }
  }
  return command === undefined ? {} : { command }
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

/** What the user gave (flags or action inputs): it wins over the header. */
export interface GivenInvocation {
  plan?: string
  config?: string
  template?: string
  maxWorkers?: number
  failFast?: boolean
}

/** A committed workflow and the invocation to regenerate it with. */
interface WorkflowToCheck {
  file: string
  committed: string
  /** Given values over the header's; `out` is the workflow itself. */
  invocation: GenerateInvocation
}

/**
 * The first half of the drift check, the same for the CLI and the check
 * action: reads the committed workflow (relative to `root`), requires its
 * phase-matrix header, and merges what was given over what the header
 * records. Paths from the header are confined to `root` (confinedPath);
 * given ones are the user's. Throws UsageError.
 */
export function readWorkflowToCheck(
  file: string,
  given: GivenInvocation,
  root: string
): WorkflowToCheck {
  const committed = readTextFile(resolveFrom(root, file), 'Workflow')
  const { invocation: recorded, command } = recordedInvocation(committed)
  if (recorded === undefined && command !== undefined) {
    throw new UsageError(
      `${file} has a phase-matrix header without a readable '# ${FLAGS_LINE} {…}' line (written by an earlier phase-matrix, or edited), so check cannot tell how it was generated. Regenerate it with the command its header shows: ${command}`
    )
  }
  if (recorded === undefined) {
    throw new UsageError(
      `${file} has no phase-matrix header (the '# ${GENERATE_COMMAND} …' comment that generate writes at the top), so it was not written by 'phase-matrix generate'. Write it with: ${formatGenerateCommand({ plan: given.plan ?? 'PLAN', out: normalizePath(file) })}`
    )
  }
  const fromHeader = (
    value: string | undefined,
    what: string
  ): string | undefined =>
    value === undefined
      ? undefined
      : normalizePath(
          confinedPath(value, root, `The header of ${file} names the ${what}`)
        )
  const invocation: GenerateInvocation = {
    plan: normalizePath(given.plan ?? fromHeader(recorded.plan, 'plan') ?? '')
  }
  const config = given.config ?? fromHeader(recorded.config, 'config')
  if (config !== undefined) invocation.config = normalizePath(config)
  const template = given.template ?? fromHeader(recorded.template, 'template')
  if (template !== undefined) invocation.template = normalizePath(template)
  const maxWorkers = given.maxWorkers ?? recorded.maxWorkers
  if (maxWorkers !== undefined) invocation.maxWorkers = maxWorkers
  if (recorded.maxJobs !== undefined) invocation.maxJobs = recorded.maxJobs
  if (recorded.cachePassed === true) invocation.cachePassed = true
  if ((given.failFast ?? recorded.failFast) === true) invocation.failFast = true
  invocation.out = normalizePath(file)
  return { file, committed, invocation }
}

/**
 * The second half: regenerates the workflow for `analysis` (template read
 * from `root`) and compares. Problems when it cannot be generated.
 */
export function checkDrift(
  workflow: WorkflowToCheck,
  analysis: PlanAnalysis,
  settings: ParallelSettings,
  root: string
): { drift: WorkflowDrift } | { problems: Problem[] } {
  const generated = generateWorkflow(
    analysis,
    settings,
    workflow.invocation,
    root
  )
  if (generated.problems.length > 0) return { problems: generated.problems }
  return {
    drift: workflowDrift(
      workflow.committed,
      generated.text,
      workflow.invocation.out ?? workflow.file,
      workflow.invocation
    )
  }
}
