// Chains of a needs graph contracted into one unit each: a phase joins the
// unit of its single predecessor when it is that predecessor's only
// successor (and both run on the same runner). Such a unit is exact as one
// packed job: only its last phase has dependents outside it, and that phase
// depends on every other phase of the unit, so a failure anywhere in it
// skips, through the job's `needs`, exactly the phases that depend on the
// failure. Never slower than one job per phase either: the unit's phases ran
// one after another anyway, and it pays one job start instead of several.
// Pure, iterative (Kahn's order), O(V + E).
import { at, numberAt, intAt } from './at.js'
import { topologicalOrder } from './dag-timeline.js'

export interface UnitInput {
  /** Each phase's predecessors that run (dependencies through done ones). */
  predsOf: readonly (readonly number[])[]
  /** Phases in no job (status: done): in no unit. */
  skip: readonly boolean[]
  /** Phases share a unit only with the same key (the runner they ask for). */
  runnerKey: readonly string[]
  /** Bytes of each phase id in the job's exec input. */
  idBytes: readonly number[]
  /** Most id bytes one unit may carry. */
  maxIdBytes: number
}

export interface Units {
  /** Unit of each phase, -1 for a skipped one. */
  unitOf: Int32Array
  /** Phases of each unit, predecessors first. */
  members: number[][]
}

export function chainUnits(input: UnitInput): Units {
  const count = input.predsOf.length
  const successors = new Int32Array(count)
  for (let node = 0; node < count; node++) {
    for (const pred of at(input.predsOf, node)) {
      successors[pred] = intAt(successors, pred) + 1
    }
  }
  const unitOf = new Int32Array(count).fill(-1)
  const members: number[][] = []
  const bytes: number[] = []
  for (const node of topologicalOrder(input.predsOf)) {
    if (input.skip[node] === true) continue
    const preds = at(input.predsOf, node)
    const only = preds.length === 1 ? numberAt(preds, 0) : -1
    const size = numberAt(input.idBytes, node)
    if (
      only !== -1 &&
      intAt(successors, only) === 1 &&
      input.runnerKey[only] === input.runnerKey[node]
    ) {
      const unit = intAt(unitOf, only)
      if (numberAt(bytes, unit) + size <= input.maxIdBytes) {
        unitOf[node] = unit
        members[unit]?.push(node)
        bytes[unit] = numberAt(bytes, unit) + size
        continue
      }
    }
    unitOf[node] = members.length
    members.push([node])
    bytes.push(size)
  }
  return { unitOf, members }
}
