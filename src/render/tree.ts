// feature-prd-runner's "Phase Dependency Tree": roots (phases without deps) first, each
// phase under every phase it depends on. A phase's dependents are expanded
// only at its first occurrence; later occurrences of a phase that has
// dependents say `(see above)`. Branches deeper than MAX_TREE_DEPTH continue
// in a section of their own below the tree, so a 100,000-phase chain prints
// short lines instead of a triangle of indentation.
// Iterative depth-first walk: O(phases + deps) lines, no recursion.
import type { PlanAnalysis } from '../plan/types.js'
import { painter } from './colour.js'
import { phaseLabel } from './phase-label.js'

/** Levels of indentation before a branch continues in its own section. */
export const MAX_TREE_DEPTH = 40

interface TreeOptions {
  colour?: boolean
  /** By plan index: unchanged since it passed (`--passed`). */
  unchanged?: readonly boolean[]
}

const Seen = {
  expanded: 1,
  /** Its dependents are printed in a continuation section not yet written. */
  deferred: 2
} as const

interface Frame {
  children: readonly number[]
  next: number
  prefix: string
  depth: number
}

/** Renders a valid plan as feature-prd-runner's dependency tree. */
export function renderTree(
  analysis: PlanAnalysis,
  options: TreeOptions = {}
): string {
  const paint = painter(options.colour === true)
  const { phases } = analysis.plan
  const { dependentsOf, depsOf } = analysis
  const seen = new Uint8Array(phases.length)
  const deferred: number[] = []
  const lines: string[] = [paint('bold', 'Phase Dependency Tree')]

  const label = (index: number): string => {
    const phase = phases[index]
    return phase === undefined
      ? ''
      : phaseLabel(phase, paint, options.unchanged?.[index] === true)
  }

  const walk = (roots: readonly number[]): void => {
    const stack: Frame[] = [{ children: roots, next: 0, prefix: '', depth: 0 }]
    for (;;) {
      const frame = stack[stack.length - 1]
      if (frame === undefined) return
      const index = frame.children[frame.next]
      if (index === undefined) {
        stack.pop()
        continue
      }
      frame.next += 1
      const isLast = frame.next === frame.children.length
      const connector = paint('dim', isLast ? '└─ ' : '├─ ')
      let line = frame.prefix + connector + label(index)
      const dependents = dependentsOf[index] ?? []
      if (dependents.length > 0) {
        if (seen[index] === Seen.expanded) {
          line += paint('dim', ' (see above)')
        } else if (seen[index] === Seen.deferred) {
          line += paint('dim', ' (see below)')
        } else if (frame.depth + 1 >= MAX_TREE_DEPTH) {
          seen[index] = Seen.deferred
          deferred.push(index)
          line += paint('dim', ' (continued below)')
        } else {
          seen[index] = Seen.expanded
          stack.push({
            children: dependents,
            next: 0,
            prefix: frame.prefix + paint('dim', isLast ? '   ' : '│  '),
            depth: frame.depth + 1
          })
        }
      }
      lines.push(line)
    }
  }

  const roots: number[] = []
  for (let i = 0; i < phases.length; i++) {
    if ((depsOf[i] ?? []).length === 0) roots.push(i)
  }
  walk(roots)
  // A continuation may defer further branches; the queue grows as we go.
  for (let next = 0; next < deferred.length; next++) {
    const index = deferred[next] ?? 0
    seen[index] = Seen.expanded
    lines.push('', label(index) + paint('dim', ' (continued)'))
    walk(dependentsOf[index] ?? [])
  }
  return lines.join('\n') + '\n'
}
