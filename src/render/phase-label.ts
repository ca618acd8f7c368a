// A phase's id as the terminal listings (plan text, tree) show it. O(length).
import type { Phase } from '../plan/types.js'
import type { Paint } from './colour.js'
import { terminalSafe } from './terminal-safe.js'

/** The id in cyan, made terminal-safe; `(done)` in green after a done phase. */
export function phaseLabel(phase: Phase, paint: Paint): string {
  const done = phase.done ? ` ${paint('green', '(done)')}` : ''
  return paint('cyan', terminalSafe(phase.id)) + done
}
