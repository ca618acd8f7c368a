// Plan text inside GitHub Markdown (job summaries, pull-request comments):
// shown as written, never as markup — no links, images, HTML, tables
// broken by `|`, or @mentions that notify people — and long documents cut
// to a limit without leaving a code block open. O(text length).
import type { Problem } from '../plan/types.js'

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
