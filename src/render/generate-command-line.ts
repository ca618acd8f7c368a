// The command that regenerates a needs workflow, as written in its header
// (`phase-matrix generate --plan … --out …`), and read back by `check` so it
// regenerates with the same template and settings; then how the committed
// workflow differs from the regenerated one (the drift, a unified diff). Arguments are quoted for
// a POSIX shell: bare when harmless, 'single-quoted' when visible text,
// $'ANSI-C quoted' otherwise, so a header line is always one line of visible
// text that a user can paste. O(length of the line).
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

const ESCAPES: Readonly<Record<string, string>> = {
  n: '\n',
  t: '\t',
  r: '\r',
  '\\': '\\',
  "'": "'"
}

/** Splits a line quoted by quoteShellArg back into words; undefined if malformed. */
export function splitShellWords(line: string): string[] | undefined {
  const words: string[] = []
  let word: string | undefined
  let i = 0
  while (i < line.length) {
    const ch = line.charAt(i)
    if (ch === ' ') {
      if (word !== undefined) words.push(word)
      word = undefined
      i++
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1)
      if (end === -1) return undefined
      word = (word ?? '') + line.slice(i + 1, end)
      i = end + 1
    } else if (ch === '\\') {
      if (i + 1 >= line.length) return undefined
      word = (word ?? '') + line.charAt(i + 1)
      i += 2
    } else if (ch === '$' && line.charAt(i + 1) === "'") {
      i += 2
      let text = ''
      for (;;) {
        if (i >= line.length) return undefined
        const c = line.charAt(i)
        if (c === "'") break
        if (c !== '\\') {
          text += c
          i++
          continue
        }
        const e = line.charAt(i + 1)
        const simple = ESCAPES[e]
        const digits = e === 'x' ? 2 : e === 'u' ? 4 : 0
        if (simple !== undefined) {
          text += simple
          i += 2
        } else if (digits > 0) {
          const hex = line.slice(i + 2, i + 2 + digits)
          if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== digits) {
            return undefined
          }
          text += String.fromCharCode(parseInt(hex, 16))
          i += 2 + digits
        } else {
          return undefined
        }
      }
      word = (word ?? '') + text
      i++
    } else {
      word = (word ?? '') + ch
      i++
    }
  }
  if (word !== undefined) words.push(word)
  return words
}

/**
 * The invocation recorded in a `phase-matrix generate …` line, or undefined
 * when the line is not one we wrote (unknown flag, bad quoting, bad number).
 */
export function parseGenerateCommand(
  line: string
): GenerateInvocation | undefined {
  if (!line.startsWith(`${GENERATE_COMMAND} `)) return undefined
  const words = splitShellWords(line.slice(GENERATE_COMMAND.length + 1))
  if (words === undefined) return undefined
  const found: Record<string, string> = {}
  let failFast = false
  let cachePassed = false
  for (let i = 0; i < words.length; i++) {
    const flag = words[i]
    if (flag === '--fail-fast') {
      failFast = true
      continue
    }
    if (flag === '--cache-passed') {
      cachePassed = true
      continue
    }
    const value = words[i + 1]
    if (
      value === undefined ||
      ![
        '--plan',
        '--config',
        '--template',
        '--max-workers',
        '--max-jobs',
        '--out'
      ].includes(flag ?? '')
    ) {
      return undefined
    }
    found[(flag ?? '').slice(2)] = value
    i++
  }
  const plan = found.plan
  if (plan === undefined) return undefined
  const invocation: GenerateInvocation = { plan }
  if (found.config !== undefined) invocation.config = found.config
  if (found.template !== undefined) invocation.template = found.template
  if (found['max-workers'] !== undefined) {
    if (!/^\d{1,9}$/.test(found['max-workers'])) return undefined
    invocation.maxWorkers = Number(found['max-workers'])
  }
  if (found['max-jobs'] !== undefined) {
    if (!/^[1-9]\d{0,8}$/.test(found['max-jobs'])) return undefined
    invocation.maxJobs = Number(found['max-jobs'])
  }
  if (failFast) invocation.failFast = true
  if (cachePassed) invocation.cachePassed = true
  if (found.out !== undefined) invocation.out = found.out
  return invocation
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
