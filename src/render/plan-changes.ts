// What a pull request changes in a plan: phases added and removed, and for
// phases in both, the dependencies added and removed and which of the
// fields that change a run (those the PHASE table marks `changesRun`:
// `run`, `runs-on`, `timeout-minutes`, `status`) differ, by their plan
// keys. Phases are matched by id. O(V + E) with hash sets.
import { valueOf } from '../plan/field-table.js'
import { PHASE } from '../plan/schema.js'
import type { Phase, Plan } from '../plan/types.js'

/** A plan key of a field that changes a run (`runs-on`). */
type ChangedField = string

/** The fields that change a run, in table order. */
const RUN_FIELDS: readonly string[] = PHASE.fields.filter(
  key => PHASE.info(key)?.changesRun === true
)

interface PhaseChange {
  id: string
  addedDeps: string[]
  removedDeps: string[]
  fields: ChangedField[]
}

export interface PlanChanges {
  /** Ids only in the head plan, in head order. */
  added: string[]
  /** Ids only in the base plan, in base order. */
  removed: string[]
  /** Phases in both that differ, in head order. */
  changed: PhaseChange[]
}

/** Equal scalars, or lists (`runs-on: [a, b]`) with equal items. */
function sameValue(a: unknown, b: unknown): boolean {
  if (!Array.isArray(a) || !Array.isArray(b)) return a === b
  return a.length === b.length && a.every((item, i) => item === b[i])
}

function changedFields(base: Phase, head: Phase): ChangedField[] {
  return RUN_FIELDS.filter(
    key => !sameValue(valueOf(PHASE, key, base), valueOf(PHASE, key, head))
  )
}

/** Changes from `base` to `head`; a missing base means every phase is new. */
export function diffPlans(base: Plan | undefined, head: Plan): PlanChanges {
  const baseById = new Map<string, Phase>()
  for (const phase of base?.phases ?? []) {
    if (!baseById.has(phase.id)) baseById.set(phase.id, phase)
  }
  const headIds = new Set(head.phases.map(phase => phase.id))
  const changes: PlanChanges = { added: [], removed: [], changed: [] }
  const seen = new Set<string>()
  for (const phase of head.phases) {
    if (seen.has(phase.id)) continue
    seen.add(phase.id)
    const before = baseById.get(phase.id)
    if (before === undefined) {
      changes.added.push(phase.id)
      continue
    }
    const oldDeps = new Set(before.deps)
    const newDeps = new Set(phase.deps)
    const change: PhaseChange = {
      id: phase.id,
      addedDeps: phase.deps.filter(dep => !oldDeps.has(dep)),
      removedDeps: before.deps.filter(dep => !newDeps.has(dep)),
      fields: changedFields(before, phase)
    }
    if (
      change.addedDeps.length > 0 ||
      change.removedDeps.length > 0 ||
      change.fields.length > 0
    ) {
      changes.changed.push(change)
    }
  }
  for (const id of baseById.keys()) {
    if (!headIds.has(id)) changes.removed.push(id)
  }
  return changes
}

/** True when the plans have the same phases, deps and run fields. */
export function noChanges(changes: PlanChanges): boolean {
  return (
    changes.added.length === 0 &&
    changes.removed.length === 0 &&
    changes.changed.length === 0
  )
}
