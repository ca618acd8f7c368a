// Who is skipped, and why. A failure skips every transitive dependent of the
// failed phase (failureClosure). A done phase (`status: done`) never runs and
// counts as succeeded, but order and failure pass through it (doneWarnings,
// needsThroughDone). And each skipped phase's cause: the dependency that
// stopped it, the failure at its root, the done phases it passed through
// (skipCauses). Pure; each function states its cost.
import { at, numberAt } from './at.js'
import { isFailed, isSkipped, type PhaseStatus, type Ledger } from './state.js'
import type { PlanAnalysis, Problem } from './types.js'

// What a failure costs: the failed phases and every transitive dependent,
// which is skipped. Failure passes through a done phase (its dependents are
// still skipped) but a done phase itself stays succeeded. Iterative
// breadth-first search, O(V + E).

interface FailureClosure {
  /** Plan indices of the failed phases, ascending. */
  failed: number[]
  /** Plan indices of the skipped phases, ascending. */
  skipped: number[]
  /** Per phase: 'failed', 'skipped' or undefined (runs). */
  outcome: ('failed' | 'skipped' | undefined)[]
}

export function failureClosure(
  failedIndices: Iterable<number>,
  dependentsOf: readonly (readonly number[])[],
  done: readonly boolean[]
): FailureClosure {
  const count = dependentsOf.length
  const outcome: ('failed' | 'skipped' | undefined)[] = new Array<
    'failed' | 'skipped' | undefined
  >(count).fill(undefined)
  const reached = new Uint8Array(count)
  const queue: number[] = []
  for (const index of failedIndices) {
    if (reached[index] === 1) continue
    reached[index] = 1
    outcome[index] = 'failed'
    queue.push(index)
  }
  for (let head = 0; head < queue.length; head++) {
    for (const dependent of at(dependentsOf, numberAt(queue, head))) {
      if (reached[dependent] === 1) continue
      reached[dependent] = 1
      if (done[dependent] !== true) outcome[dependent] = 'skipped'
      queue.push(dependent)
    }
  }
  const failed: number[] = []
  const skipped: number[] = []
  outcome.forEach((value, index) => {
    if (value === 'failed') failed.push(index)
    else if (value === 'skipped') skipped.push(index)
  })
  return { failed, skipped, outcome }
}

// What `status: done` means for order and failure. A done phase never runs
// and counts as succeeded, but it does not cut the graph: its dependents
// still wait for its own dependencies and are skipped when one of them
// fails. `build` → `package` (done) → `publish`: publish waits for build.
// Pure. O(V + E) for the warnings; O(V · E) at worst for the reach-through
// lists (each done phase's list is computed once, in topological order).

/**
 * A warning for each done phase whose dependencies are not all done,
 * pointed at the first such dependency as written.
 */
export function doneWarnings(analysis: PlanAnalysis): Problem[] {
  const { phases } = analysis.plan
  const problems: Problem[] = []
  for (const phase of phases) {
    if (!phase.done) continue
    const deps = at(analysis.depsOf, phase.index)
    const notDone = deps.filter(dep => !at(phases, dep).done)
    const first = notDone[0]
    if (first === undefined) continue
    const firstId = at(phases, first).id
    const where = at(phase.depPositions, phase.deps.indexOf(firstId))
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
      const deps = at(analysis.depsOf, index)
      if (!deps.some(dep => at(phases, dep).done)) {
        result[index] = deps
        continue
      }
      const seen = new Set<number>()
      for (const dep of deps) {
        if (at(phases, dep).done) {
          for (const inherited of at(result, dep)) seen.add(inherited)
        } else seen.add(dep)
      }
      result[index] = [...seen]
    }
  }
  return result
}

// Why each skipped phase was skipped: the dependency that stopped it, the
// failure at the root of it, and the done phases the skip passed through (a
// done phase never runs, but order and failure pass through it: see
// above). The words for it are render/phase-reason.ts's. O(V + E): the
// chains of done phases share their tails.

/** Why a skipped phase was skipped (and which failure stopped a fail-fast one). */
export interface SkipCause {
  /** The dependency that caused the skip (failed or skipped). */
  dep?: number
  /** The failed phase at the root of it. */
  root?: number
  /** Done phases the skip passed through, nearest first (`publish` ← `package` (done) ← `build`). */
  via?: number[]
  /** How many done phases it passed through (`via` names at most 3). */
  viaCount?: number
}

/** For every skipped phase, the dependency that caused it and the failure behind it. O(V + E). */
export function skipCauses(
  analysis: PlanAnalysis,
  ledger: Ledger
): SkipCause[] {
  const causes: SkipCause[] = ledger.statuses.map(() => ({}))
  const found = blockers(analysis, ledger.statuses)
  for (const wave of analysis.waves) {
    for (const index of wave) {
      const status = ledger.statuses[index]
      if (status === 'fail-fast') {
        causes[index] = { root: ledger.stoppedBy }
        continue
      }
      if (status !== 'skipped') continue
      const blocker = found[index]
      if (blocker === undefined) continue
      const cause: SkipCause = {
        dep: blocker.dep,
        root: blocker.failed ? blocker.dep : causes[blocker.dep]?.root
      }
      if (blocker.via !== undefined) {
        const named: number[] = []
        for (
          let link: ViaLink | undefined = blocker.via;
          link !== undefined && named.length < MAX_VIA_NAMED;
          link = link.next
        )
          named.push(link.phase)
        cause.via = named
        cause.viaCount = blocker.via.length
      }
      causes[index] = cause
    }
  }
  return causes
}

/** Done phases a skip passed through, nearest first, shared between phases (O(1) a step). */
interface ViaLink {
  phase: number
  next?: ViaLink
  /** Links from here to the end. */
  length: number
}

/** Most done phases a reason names; the rest are counted. */
const MAX_VIA_NAMED = 3

/** A dependency that stops a phase: failed or skipped, reached through `via` done phases. */
interface Blocker {
  dep: number
  /** Done phases passed through, from the nearest to the one that depends on `dep`. */
  via?: ViaLink
  failed: boolean
}

/**
 * What stops each phase, directly or through done phases (a done phase
 * never runs, but order and failure pass through it: see above). For each
 * phase, the first failed dependency, else the first skipped one. O(V + E)
 * (the `via` chains share their tails).
 */
function blockers(
  analysis: PlanAnalysis,
  statuses: readonly PhaseStatus[]
): (Blocker | undefined)[] {
  const phases = analysis.plan.phases
  const found = new Array<Blocker | undefined>(statuses.length)
  // Waves are a topological order: a dependency is decided before its dependents.
  for (const wave of analysis.waves) {
    for (const index of wave) {
      let skipped: Blocker | undefined
      let failed: Blocker | undefined
      for (const dep of at(analysis.depsOf, index)) {
        const status = at(statuses, dep)
        let candidate: Blocker | undefined
        if (isFailed(status) || isSkipped(status)) {
          candidate = { dep, failed: isFailed(status) }
        } else if (at(phases, dep).done) {
          const inherited = found[dep]
          if (inherited !== undefined) {
            candidate = {
              ...inherited,
              via: {
                phase: dep,
                next: inherited.via,
                length: 1 + (inherited.via?.length ?? 0)
              }
            }
          }
        }
        if (candidate === undefined) continue
        if (candidate.failed) {
          failed = candidate
          break
        }
        skipped ??= candidate
      }
      found[index] = failed ?? skipped
    }
  }
  return found
}
