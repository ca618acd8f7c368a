// A unified diff (`diff -u` / `git diff` format) of two texts, line by line:
// what `check` prints when a workflow is not what `generate` would write.
// jsdiff (`diff`) finds a shortest edit script (Myers, O((N+M)·D)); past
// MAX_EDITS edits it gives up, and the diff shows the whole text replaced
// in one hunk: still a correct diff, only not the shortest, and never slow
// on two unrelated files.
import { structuredPatch, type StructuredPatchHunk } from 'diff'

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
