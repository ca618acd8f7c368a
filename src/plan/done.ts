// What `status: done` means for order and failure. A done phase never runs
// and counts as succeeded, but it does not cut the graph: its dependents
// still wait for its own dependencies and are skipped when one of them
// fails. `build` → `package` (done) → `publish`: publish waits for build.
// Pure. O(V + E) for the warnings; O(V · E) at worst for the reach-through
// lists (each done phase's list is computed once, in topological order).
import { at } from './at.js'
import type { PlanAnalysis, Problem } from './types.js'

/**
 * A warning for each done phase whose dependencies are not all done,
 * pointed at the first such dependency as written.
 */
export function doneWarnings(analysis: PlanAnalysis): Problem[] {
  const { phases } = analysis.plan
  const problems: Problem[] = []
  for (const phase of phases) {
    if (!phase.done) continue
    const deps = analysis.depsOf[phase.index] ?? []
    const notDone = deps.filter(dep => !at(phases, dep).done)
    const first = notDone[0]
    if (first === undefined) continue
    const firstId = at(phases, first).id
    const where =
      phase.depPositions[phase.deps.indexOf(firstId)] ?? phase.position
    const ids = notDone.map(dep => `\`${at(phases, dep).id}\``)
    problems.push({
      code: 'done-before-deps',
      severity: 'warning',
      message:
        `Phase \`${phase.id}\` has status: done but depends on ${ids.join(', ')}, not done: ` +
        `\`${phase.id}\` will not run, yet its dependents still wait for ${ids.join(', ')} ` +
        `and are skipped when ${ids.length === 1 ? 'it fails' : 'one fails'}. Mark the dependencies done too, or remove the status.`,
      file: analysis.plan.file,
      line: where.line,
      column: where.column
    })
  }
  return problems
}

/**
 * For each phase, the phases it must wait for that actually run: its
 * dependencies, each done one replaced by what that done phase waits for,
 * transitively. In order of first appearance, without repeats. A done
 * phase's own entry is what its dependents inherit through it.
 */
export function needsThroughDone(analysis: PlanAnalysis): number[][] {
  const { phases } = analysis.plan
  const result = new Array<number[]>(phases.length)
  // Waves are a topological order: a dependency's list exists before its dependents'.
  for (const wave of analysis.waves) {
    for (const index of wave) {
      const deps = analysis.depsOf[index] ?? []
      if (!deps.some(dep => at(phases, dep).done)) {
        result[index] = deps
        continue
      }
      const seen = new Set<number>()
      for (const dep of deps) {
        if (at(phases, dep).done) {
          for (const inherited of result[dep] ?? []) seen.add(inherited)
        } else seen.add(dep)
      }
      result[index] = [...seen]
    }
  }
  return result
}
