// A unified diff (`diff -u` / `git diff` format) of two texts, line by line:
// what `check` prints when a workflow is not what `generate` would write.
// Common leading and trailing lines are set aside first (a stale workflow
// usually differs in a few places), then Myers' O((N+M)·D) algorithm finds a
// shortest edit script of the rest, iteratively, keeping one copy of its
// frontier per edit (O(D²) memory). Past MAX_EDITS edits it stops searching
// and shows the rest as one replaced block: still a correct diff, only not
// the shortest, and never slow on two unrelated files.

export interface DiffOptions {
  /** Shown after `--- ` and `+++ `. */
  fromFile: string
  toFile: string
  /** Unchanged lines around each change (default 3). */
  context?: number
}

/** Edits (inserted + deleted lines) searched for before giving up. */
export const MAX_EDITS = 1000

type Kind = ' ' | '-' | '+'

interface Op {
  kind: Kind
  /** The line with its line break, if it has one. */
  text: string
}

/** Lines with their terminators: the last one may lack `\n`. */
function splitLines(text: string): string[] {
  if (text === '') return []
  return text.split(/(?<=\n)/)
}

/**
 * Shortest edit script turning `a` into `b`, or undefined when it needs
 * more than `maxEdits` edits.
 */
function myers(a: string[], b: string[], maxEdits: number): Op[] | undefined {
  const n = a.length
  const m = b.length
  const offset = maxEdits + 1
  const v = new Int32Array(2 * maxEdits + 3)
  const trace: Int32Array[] = []
  for (let d = 0; d <= maxEdits; d++) {
    for (let k = -d; k <= d; k += 2) {
      const down =
        k === -d ||
        (k !== d && (v[offset + k - 1] ?? 0) < (v[offset + k + 1] ?? 0))
      let x = down ? (v[offset + k + 1] ?? 0) : (v[offset + k - 1] ?? 0) + 1
      let y = x - k
      while (x < n && y < m && a[x] === b[y]) {
        x++
        y++
      }
      v[offset + k] = x
      if (x >= n && y >= m) {
        trace.push(v.slice(offset - d, offset + d + 1))
        return backtrack(trace, a, b)
      }
    }
    trace.push(v.slice(offset - d, offset + d + 1))
  }
  return undefined
}

/** Walks the saved frontiers back from (N, M) to (0, 0). O(N + M + D). */
function backtrack(trace: Int32Array[], a: string[], b: string[]): Op[] {
  const ops: Op[] = []
  let x = a.length
  let y = b.length
  for (let d = trace.length - 1; d > 0; d--) {
    const previous = trace[d - 1] ?? new Int32Array(0)
    const at = (k: number): number => previous[k + d - 1] ?? 0
    const k = x - y
    const down = k === -d || (k !== d && at(k - 1) < at(k + 1))
    const previousK = down ? k + 1 : k - 1
    const previousX = at(previousK)
    const previousY = previousX - previousK
    while (x > previousX && y > previousY) {
      ops.push({ kind: ' ', text: a[x - 1] ?? '' })
      x--
      y--
    }
    if (down) ops.push({ kind: '+', text: b[previousY] ?? '' })
    else ops.push({ kind: '-', text: a[previousX] ?? '' })
    x = previousX
    y = previousY
  }
  while (x > 0 && y > 0) {
    ops.push({ kind: ' ', text: a[x - 1] ?? '' })
    x--
    y--
  }
  return ops.reverse()
}

/** The whole edit script: common ends, then the middle. */
function editScript(a: string[], b: string[]): Op[] {
  let start = 0
  while (start < a.length && start < b.length && a[start] === b[start]) start++
  let endA = a.length
  let endB = b.length
  while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
    endA--
    endB--
  }
  const middleA = a.slice(start, endA)
  const middleB = b.slice(start, endB)
  const middle = myers(middleA, middleB, MAX_EDITS) ?? [
    ...middleA.map((text): Op => ({ kind: '-', text })),
    ...middleB.map((text): Op => ({ kind: '+', text }))
  ]
  return [
    ...a.slice(0, start).map((text): Op => ({ kind: ' ', text })),
    ...middle,
    ...a.slice(endA).map((text): Op => ({ kind: ' ', text }))
  ]
}

function range(start: number, length: number): string {
  // GNU diff: an empty range names the line before it; a length of 1 is implied.
  if (length === 0) return `${start},0`
  return length === 1 ? `${start + 1}` : `${start + 1},${length}`
}

function formatLine(op: Op): string {
  if (op.text.endsWith('\n')) return `${op.kind}${op.text}`
  return `${op.kind}${op.text}\n\\ No newline at end of file\n`
}

/** Unified diff from `before` to `after`; '' when they are equal. */
export function unifiedDiff(
  before: string,
  after: string,
  options: DiffOptions
): string {
  if (before === after) return ''
  const context = options.context ?? 3
  const ops = editScript(splitLines(before), splitLines(after))
  const changed: number[] = []
  ops.forEach((op, i) => {
    if (op.kind !== ' ') changed.push(i)
  })
  let out = `--- ${options.fromFile}\n+++ ${options.toFile}\n`
  // Line numbers (0-based) in each text at each op.
  const lineA: number[] = []
  const lineB: number[] = []
  let countA = 0
  let countB = 0
  for (const op of ops) {
    lineA.push(countA)
    lineB.push(countB)
    if (op.kind !== '+') countA++
    if (op.kind !== '-') countB++
  }
  let c = 0
  while (c < changed.length) {
    const first = changed[c] ?? 0
    let last = first
    // Changes closer than twice the context share one hunk.
    while (
      c + 1 < changed.length &&
      (changed[c + 1] ?? 0) - last <= 2 * context
    ) {
      c++
      last = changed[c] ?? last
    }
    c++
    const from = Math.max(0, first - context)
    const to = Math.min(ops.length, last + context + 1)
    let lengthA = 0
    let lengthB = 0
    let body = ''
    for (let i = from; i < to; i++) {
      const op = ops[i]
      if (op === undefined) continue
      if (op.kind !== '+') lengthA++
      if (op.kind !== '-') lengthB++
      body += formatLine(op)
    }
    out += `@@ -${range(lineA[from] ?? 0, lengthA)} +${range(lineB[from] ?? 0, lengthB)} @@\n${body}`
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
