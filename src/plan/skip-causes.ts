// Why each skipped phase was skipped: the dependency that stopped it, the
// failure at the root of it, and the done phases the skip passed through (a
// done phase never runs, but order and failure pass through it: see
// done.ts). The words for it are render/phase-reason.ts's. O(V + E): the
// chains of done phases share their tails.
import { at } from './at.js'
import { isFailed, isSkipped, type PhaseStatus, type Ledger } from './state.js'
import type { PlanAnalysis } from './types.js'

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
 * never runs, but order and failure pass through it: see done.ts). For each
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
      for (const dep of analysis.depsOf[index] ?? []) {
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
