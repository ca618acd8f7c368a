// A phase's id as the terminal listings (plan text, tree) show it. O(length).
import type { Phase } from '../plan/types.js'
import type { Paint } from './colour.js'
import { terminalSafe } from './terminal-safe.js'

/**
 * The id in cyan, made terminal-safe; `(done)` in green after a done phase,
 * `(unchanged)` after one whose inputs are as when it passed.
 */
export function phaseLabel(
  phase: Phase,
  paint: Paint,
  unchanged = false
): string {
  const done = phase.done ? ` ${paint('green', '(done)')}` : ''
  const same = unchanged ? ` ${paint('green', '(unchanged)')}` : ''
  return paint('cyan', terminalSafe(phase.id)) + done + same
}
