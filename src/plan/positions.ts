// Offsets into a source text → 1-based line and column. A table of line
// starts (built once, O(n), or taken from the YAML parser, which records it
// while lexing) answers each lookup by binary search in O(log lines).
// Columns count UTF-16 code units, as editors and GitHub annotations do.

import { at } from './at.js'
import type { SourcePosition } from './types.js'

export class LineIndex {
  /** Offset of the first character of each line; `starts[0]` is 0. */
  private readonly starts: readonly number[]

  constructor(starts: readonly number[]) {
    this.starts = starts.length > 0 ? starts : [0]
  }

  /** The index of a text, found by scanning it for `\n` once. */
  static of(text: string): LineIndex {
    const starts = [0]
    let at = text.indexOf('\n')
    while (at !== -1) {
      starts.push(at + 1)
      at = text.indexOf('\n', at + 1)
    }
    return new LineIndex(starts)
  }

  /** The line and column of `offset` (clamped to the text). */
  positionOf(offset: number): SourcePosition {
    const starts = this.starts
    const clamped = offset > 0 ? offset : 0
    // The last line start that is <= clamped.
    let low = 0
    let high = starts.length - 1
    while (low < high) {
      const middle = (low + high + 1) >>> 1
      if (at(starts, middle) <= clamped) low = middle
      else high = middle - 1
    }
    return { line: low + 1, column: clamped - at(starts, low) + 1 }
  }
}
