// The command that regenerates a needs workflow, as written in its header
// (`phase-matrix generate --plan … --out …`) for a user to paste, and the
// same flags as data (`phase-matrix flags: {…}`), which `check` reads back
// so it regenerates with the same template and settings; then how the
// committed workflow differs from the regenerated one (the drift, a
// unified diff). Arguments are quoted for a POSIX shell: bare when
// harmless, 'single-quoted' when visible text, $'ANSI-C quoted' otherwise,
// so a header line is always one line of visible text. O(length of the line).
import { z } from 'zod'
import { isVisibleText } from './yaml.js'
import { structuredPatch, type StructuredPatchHunk } from 'diff'

/** What `generate` was asked for: the flags recorded in the header. */
export interface GenerateInvocation {
  plan: string
  config?: string
  template?: string
  out?: string
  maxWorkers?: number
  /** `--max-jobs N`: phases packed into at most N jobs run by exec. */
  maxJobs?: number
  failFast?: boolean
  /**
   * `--cache-passed`: a first job finds the phases unchanged since they
   * passed (the plan action with a store kept by actions/cache), their jobs
   * are skipped, and a last job saves the new store.
   */
  cachePassed?: boolean
}

export const GENERATE_COMMAND = 'phase-matrix generate'

const BARE = /^[A-Za-z0-9_./@%+=:,-]+$/

/** One argument quoted for a POSIX shell (bash for the $'…' form). */
export function quoteShellArg(arg: string): string {
  if (BARE.test(arg)) return arg
  if (isVisibleText(arg) && !arg.includes('\n')) {
    return `'${arg.replaceAll("'", `'\\''`)}'`
  }
  let out = "$'"
  for (const ch of arg) {
    const code = ch.codePointAt(0) ?? 0
    if (ch === '\\' || ch === "'") out += `\\${ch}`
    else if (ch === '\n') out += '\\n'
    else if (ch === '\t') out += '\\t'
    else if (ch === '\r') out += '\\r'
    else if (isVisibleText(ch) && ch !== '\n') out += ch
    else if (code < 0x80) out += `\\x${code.toString(16).padStart(2, '0')}`
    else out += `\\u${code.toString(16).padStart(4, '0')}`
  }
  return `${out}'`
}

/** `phase-matrix generate --plan P [--config C] [--template T] … [--out O]`. */
export function formatGenerateCommand(invocation: GenerateInvocation): string {
  const args = ['--plan', invocation.plan]
  if (invocation.config !== undefined) args.push('--config', invocation.config)
  if (invocation.template !== undefined) {
    args.push('--template', invocation.template)
  }
  if (invocation.maxWorkers !== undefined) {
    args.push('--max-workers', String(invocation.maxWorkers))
  }
  if (invocation.maxJobs !== undefined) {
    args.push('--max-jobs', String(invocation.maxJobs))
  }
  if (invocation.failFast === true) args.push('--fail-fast')
  if (invocation.cachePassed === true) args.push('--cache-passed')
  if (invocation.out !== undefined) args.push('--out', invocation.out)
  return [GENERATE_COMMAND, ...args.map(quoteShellArg)].join(' ')
}

/** The header line `check` reads the flags from, after the command. */
export const FLAGS_LINE = 'phase-matrix flags:'

const invocationSchema = z.strictObject({
  plan: z.string().min(1),
  config: z.string().optional(),
  template: z.string().optional(),
  maxWorkers: z.number().int().min(0).max(999_999_999).optional(),
  maxJobs: z.number().int().min(1).max(999_999_999).optional(),
  failFast: z.literal(true).optional(),
  cachePassed: z.literal(true).optional(),
  out: z.string().optional()
})

/**
 * `phase-matrix flags: {"plan":…}`: the invocation as data, so `check`
 * reads it back without parsing shell quoting. One line of visible text:
 * JSON.stringify escapes control characters, and every other invisible
 * character is written `\uXXXX` too. O(length).
 */
export function formatFlagsLine(invocation: GenerateInvocation): string {
  // The schema's keys, in its order; a flag not given (or false) is left out.
  const json = JSON.stringify(
    {
      ...invocation,
      failFast: invocation.failFast === true ? true : undefined,
      cachePassed: invocation.cachePassed === true ? true : undefined
    },
    Object.keys(invocationSchema.shape)
  )
  let visible = ''
  for (const ch of json) {
    visible += isVisibleText(ch)
      ? ch
      : Array.from(
          { length: ch.length },
          (_, k) => `\\u${ch.charCodeAt(k).toString(16).padStart(4, '0')}`
        ).join('')
  }
  return `${FLAGS_LINE} ${visible}`
}

/**
 * The invocation of a `phase-matrix flags: {…}` line, or undefined when
 * the line is not one we wrote (not JSON, an unknown key, a bad value).
 */
export function parseFlagsLine(line: string): GenerateInvocation | undefined {
  if (!line.startsWith(`${FLAGS_LINE} `)) return undefined
  let data: unknown
  try {
    data = JSON.parse(line.slice(FLAGS_LINE.length + 1))
  } catch {
    return undefined
  }
  const parsed = invocationSchema.safeParse(data)
  return parsed.success ? parsed.data : undefined
}

// How a committed needs workflow differs from the one its command
// regenerates: what `check` reports.

export interface WorkflowDrift {
  /** The workflow file checked. */
  file: string
  /** True when the file is exactly what `generate` writes. */
  current: boolean
  /** Unified diff from the file to what `generate` writes ('' if current). */
  diff: string
  /** The command that rewrites the file. */
  fixCommand: string
  /** 1-based line of the file where it first differs. */
  firstDifferentLine: number
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

// A unified diff (`diff -u` / `git diff` format) of two texts, line by line:
// what `check` prints when a workflow is not what `generate` would write.
// jsdiff (`diff`) finds a shortest edit script (Myers, O((N+M)·D)); past
// MAX_EDITS edits it gives up, and the diff shows the whole text replaced
// in one hunk: still a correct diff, only not the shortest, and never slow
// on two unrelated files.

interface DiffOptions {
  /** Shown after `--- ` and `+++ `. */
  fromFile: string
  toFile: string
  /** Unchanged lines around each change (default 3). */
  context?: number
}

/** Edits (inserted + deleted lines) searched for before giving up. */
const MAX_EDITS = 1000

/** GNU diff's range: an empty one names the line before it, a length of 1 is implied. */
function range(start: number, length: number): string {
  if (length === 0) return `${Math.max(0, start - 1)},0`
  return length === 1 ? `${start}` : `${start},${length}`
}

/** Every line of `before` removed and every line of `after` added: one hunk. */
function replaced(before: string, after: string): StructuredPatchHunk[] {
  const removed = structuredPatch('', '', before, '').hunks[0]
  const added = structuredPatch('', '', '', after).hunks[0]
  return [
    {
      oldStart: removed?.oldStart ?? 0,
      oldLines: removed?.oldLines ?? 0,
      newStart: added?.newStart ?? 0,
      newLines: added?.newLines ?? 0,
      lines: [...(removed?.lines ?? []), ...(added?.lines ?? [])]
    }
  ]
}

/** Unified diff from `before` to `after`; '' when they are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  options: DiffOptions
): string {
  if (before === after) return ''
  const hunks =
    structuredPatch('', '', before, after, undefined, undefined, {
      context: options.context ?? 3,
      maxEditLength: MAX_EDITS
    })?.hunks ?? replaced(before, after)
  let out = `--- ${options.fromFile}\n+++ ${options.toFile}\n`
  for (const hunk of hunks) {
    out += `@@ -${range(hunk.oldStart, hunk.oldLines)} +${range(hunk.newStart, hunk.newLines)} @@\n`
    for (const line of hunk.lines) out += `${line}\n`
  }
  return out
}

/** 1-based line of `before` where it first differs from `after`. O(n). */
export function firstDifferentLine(before: string, after: string): number {
  const a = before.split('\n')
  const b = after.split('\n')
  let line = 0
  while (line < a.length && line < b.length && a[line] === b[line]) line++
  return Math.min(line, Math.max(a.length - 1, 0)) + 1
}
