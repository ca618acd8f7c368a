// Plan text made safe for where it goes: colour for a terminal that allows
// it, control characters shown escaped in a terminal, workflow commands
// made inert in a runner's log.
import type { Problem } from '../plan/types.js'

// ANSI styles for terminal output. Callers decide whether colour is allowed
// (a terminal, no NO_COLOR); with `enabled` false every style is identity,
// so the same renderer produces plain text for pipes, files and tests.

export type Style = 'bold' | 'dim' | 'red' | 'yellow' | 'green' | 'cyan'

const CODES: Record<Style, readonly [number, number]> = {
  bold: [1, 22],
  dim: [2, 22],
  red: [31, 39],
  yellow: [33, 39],
  green: [32, 39],
  cyan: [36, 39]
}

/** A function that wraps text in a style, or returns it unchanged. */
export type Paint = (style: Style, text: string) => string

/** Returns a painter; with `enabled` false it returns text unchanged. */
export function painter(enabled: boolean): Paint {
  if (!enabled) return (_style, text) => text
  return (style, text) => {
    const [open, close] = CODES[style]
    return `\u001b[${open}m${text}\u001b[${close}m`
  }
}

// Plan text in a terminal stays text: an ESC in a description must not
// clear the screen, retitle the window (OSC) or write the clipboard (OSC
// 52). Every C0 control but TAB and LF, DEL and every C1 control (U+0080
// to U+009F, which some terminals obey as CSI and OSC) is shown escaped,
// as `\x1b`, `\r`, `\x9b`. Linear in the text.

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g

function escapeControl(char: string): string {
  if (char === '\r') return '\\r'
  return `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`
}

/** `text` with every terminal control character shown escaped. */
export function terminalSafe(text: string): string {
  return text.replace(CONTROL, escapeControl)
}

// Plan text in a runner's log stays text. The runner reads every line of a
// step's output that starts (after whitespace) with `::` as a workflow
// command, and any line that carries `##[` as a legacy one; it splits lines
// on CR as well as LF. So a description `::add-mask::x`, an id
// `build##[error]x` or a YAML key with a line break in it would act. This
// makes any text inert, line by line: a zero-width space (U+200B, not
// whitespace for the runner) goes between the colons of a leading `::` and
// between `##` and `[`. What a reader sees is unchanged. Linear in the text.

const ZERO_WIDTH_SPACE = '\u200b'

/** Leading whitespace as the runner (.NET `TrimStart`) drops it, and a bit more. */
const LEADING_SPACE = /^[\s\u0085\u180e\ufeff]*/

/** One line (no CR or LF in it) made inert. */
function inertLine(line: string): string {
  const broken = line.replace(/##\[/g, `##${ZERO_WIDTH_SPACE}[`)
  const at = (LEADING_SPACE.exec(broken)?.[0] ?? '').length + 1
  if (broken.startsWith('::', at - 1)) {
    return `${broken.slice(0, at)}${ZERO_WIDTH_SPACE}${broken.slice(at)}`
  }
  return broken
}

/**
 * `text` as log lines no runner reads as a command: every line (CR, LF and
 * CRLF all end one; a lone CR becomes LF) with a leading `::` and every
 * `##[` broken by a zero-width space.
 */
export function logSafe(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(inertLine)
    .join('\n')
}

// Plan text inside GitHub Markdown (job summaries, pull-request comments):
// shown as written, never as markup — no links, images, HTML, tables
// broken by `|`, or @mentions that notify people — and long documents cut
// to a limit without leaving a code block open. O(text length).

/** Characters that start Markdown or HTML; `@` stays visible but never mentions. */
const MARKUP = /[\\`*_[\]<>|~&#!]/g

/** Plain text, safe in a paragraph or a table cell, on one line. */
export function markdownText(text: string): string {
  return text
    .replace(/[\r\n\u2028\u2029]+/g, ' ')
    .replace(MARKUP, '\\$&')
    .replace(/@/g, '@\u2060')
}

function longestRun(text: string, ch: string): number {
  let longest = 0
  let run = 0
  for (const c of text) {
    run = c === ch ? run + 1 : 0
    if (run > longest) longest = run
  }
  return longest
}

/** An inline code span holding `text` exactly (one line), safe in tables. */
export function inlineCode(text: string): string {
  const flat = text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\|/g, '\\|')
  const fence = '`'.repeat(longestRun(flat, '`') + 1)
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : ''
  return `${fence}${pad}${flat}${pad}${fence}`
}

/** A fenced code block that `content` cannot close early. */
export function codeBlock(content: string, info = ''): string {
  const fence = '`'.repeat(Math.max(3, longestRun(content, '`') + 1))
  const body = content.endsWith('\n') ? content : `${content}\n`
  return `${fence}${info}\n${body}${fence}`
}

/**
 * `text` cut at a line break so that it, a closing fence if one is open,
 * and `note` fit in `maxChars` UTF-16 units. Unchanged when it fits.
 */
export function truncateMarkdown(
  text: string,
  maxChars: number,
  note: string
): string {
  if (text.length <= maxChars) return text
  const lines = text.split('\n')
  const kept: string[] = []
  let size = 0
  let fence: string | undefined
  let fenceAtCut: string | undefined
  // Room for the closing fence (at most this long) and the note.
  const budget = maxChars - note.length - 64
  for (const line of lines) {
    if (size + line.length + 1 > budget) break
    kept.push(line)
    size += line.length + 1
    const marker = /^(`{3,})/.exec(line)?.[1]
    if (fence === undefined && marker !== undefined) fence = marker
    else if (fence !== undefined && line.trim() === fence) fence = undefined
    fenceAtCut = fence
  }
  if (fenceAtCut !== undefined && fenceAtCut.length <= 60) kept.push(fenceAtCut)
  kept.push('', note)
  return kept.join('\n')
}

/** Every problem as a table: severity, `file:line:column`, code, message. */
export function problemsTable(problems: readonly Problem[]): string[] {
  const lines = ['| | Where | Code | Problem |', '|---|---|---|---|']
  for (const problem of problems) {
    const icon = problem.severity === 'error' ? '❌ error' : '⚠️ warning'
    const where = `${problem.file}:${problem.line}:${problem.column}`
    const cycle =
      problem.cycle === undefined
        ? ''
        : ` (cycle: ${markdownText(problem.cycle.join(' -> '))})`
    lines.push(
      `| ${icon} | ${inlineCode(where)} | ${problem.code} | ${markdownText(problem.message)}${cycle} |`
    )
  }
  return lines
}
