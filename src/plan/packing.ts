// Packed legs: the phases of a round are cut into legs, each one job that
// runs its phases with `phase-matrix exec` in dependency order. A round may
// cover several levels (rounds.ts), so a leg is a set of whole components
// of the round's own dependencies: a phase and every dependency it has in
// the round share a leg. A leg runs on one kind of runner (the round never
// holds a dependency between phases on different runners), so components
// are first grouped by `runs-on`; each group gets at least one leg and the
// rest in proportion to its work. Components go onto legs longest first
// (LPT), each onto the leg with the least work so far, a component's length
// being its critical path or its work over the leg's cores, whichever is
// longer. A round is packed when some leg holds more than one phase.
//
// Deterministic and a function of the round's phases alone: the plan step,
// every settle step and the report compute the same legs from the same
// round, estimates and limits, so the legs never travel in the run state.
// O((n + e) α(n) + c × legs) for n phases, e dependencies between them and c
// components (legs ≤ 64).
import { timeoutWithRetries } from './types.js'
import { at, floatAt, intAt, numberAt } from './at.js'
import { phaseDurations } from './durations.js'
import { MATRIX_LEG_LIMIT } from './leg-record.js'
import type { Ledger } from './state.js'
import type { Phase, PlanAnalysis } from './types.js'

export interface PackedLeg {
  /** The leg's job name: `wave 2 leg 3/40` (wave: the round, the wave job that runs it); no phase id has a space, so it never collides with one. */
  name: string
  /** 1-based round: the wave job of phases.yml that runs it. */
  wave: number
  /** Plan indices of its phases, in plan order (exec runs them in dependency order). */
  phases: number[]
  /** Estimated minutes of the leg on its cores. */
  minutes: number
  /** The runner its phases name (undefined: the workflow's default). */
  runsOn?: string | string[]
  /** Sum of its phases' timeouts, when every one of them sets one. */
  timeoutMinutes?: number
}

/** The job name of leg `leg` (1-based) of `legs` in round `round` (1-based). */
export function packedLegName(
  round: number,
  leg: number,
  legs: number
): string {
  return `wave ${round} leg ${leg}/${legs}`
}

/** Most bytes of phase ids a leg should carry (its exec input is one environment string). */
export const LEG_ID_BYTES = 32 * 1024

/** Minutes a packed leg adds to the sum of its phases' timeouts (checkout, set-up). */
export const LEG_TIMEOUT_MARGIN_MINUTES = 10

/**
 * Whether a round of `size` independent phases is packed: when it holds
 * more phases than `maxLegs` legs may run (max-workers, at most 64).
 */
export function isPacked(size: number, maxLegs: number): boolean {
  return size > Math.min(Math.max(1, maxLegs), MATRIX_LEG_LIMIT)
}

export function runsOnKey(phase: Phase): string {
  return phase.runsOn === undefined ? '' : JSON.stringify(phase.runsOn)
}

/** Some of a round's components on one kind of runner, in plan order. */
interface RunnerGroup {
  runsOn?: string | string[]
  components: Component[]
  phases: number
  /** Their work together, in minutes. */
  minutes: number
}

/** Phases of a round joined by their dependencies in it: they share a leg. */
interface Component {
  phases: number[]
  work: number
  /** Longest chain of estimates through it. */
  path: number
}

/**
 * Legs per group: at least one each, the rest by largest remainder of the
 * group's share of the work, never more legs than components. O(groups log groups).
 */
function shareLegs(
  groups: readonly RunnerGroup[],
  legs: number
): { group: RunnerGroup; legs: number }[] {
  const left = legs - groups.length
  if (left <= 0) return groups.map(group => ({ group, legs: 1 }))
  const total = groups.reduce((sum, group) => sum + group.minutes, 0)
  const units = groups.reduce((sum, group) => sum + group.components.length, 0)
  // Each group's exact share of the legs left: its whole part at once (as
  // far as it has components for them), the remainders after, largest first.
  let unshared = left
  const shares = groups.map((group, index) => {
    const size = group.components.length
    const exact = (total > 0 ? group.minutes / total : size / units) * left
    const whole = Math.min(Math.floor(exact), size - 1)
    unshared -= whole
    return {
      group,
      index,
      legs: 1 + whole,
      room: size - 1 - whole,
      remainder: exact - Math.floor(exact)
    }
  })
  const byRemainder = [...shares].sort(
    (a, b) => b.remainder - a.remainder || a.index - b.index
  )
  while (unshared > 0) {
    let gave = false
    for (const share of byRemainder) {
      if (unshared === 0) break
      if (share.room > 0) {
        share.legs++
        share.room--
        unshared--
        gave = true
      }
    }
    if (!gave) break
  }
  return shares
}

/** A leg's length on `cores` cores: its longest chain or its work spread, whichever is longer. */
export function legLength(work: number, path: number, cores: number): number {
  return Math.max(path, work / Math.max(1, cores))
}

/** LPT: `components` onto `legs` legs; each leg's phases in plan order. */
function longestFirst(
  components: readonly Component[],
  legs: number,
  cores: number
): number[][] {
  const length = (component: Component): number =>
    legLength(component.work, component.path, cores)
  const byLength = [...components].sort(
    (a, b) => length(b) - length(a) || at(a.phases, 0) - at(b.phases, 0)
  )
  const work = new Float64Array(legs)
  const path = new Float64Array(legs)
  const count = new Int32Array(legs)
  const load = (leg: number): number =>
    legLength(floatAt(work, leg), floatAt(path, leg), cores)
  const packed: number[][] = Array.from({ length: legs }, () => [])
  for (const component of byLength) {
    // legs ≤ 64: a scan is cheaper than keeping a heap of changing loads.
    let best = 0
    for (let leg = 1; leg < legs; leg++) {
      const byLoad = load(leg) - load(best)
      if (
        byLoad < 0 ||
        (byLoad === 0 && intAt(count, leg) < intAt(count, best))
      )
        best = leg
    }
    at(packed, best).push(...component.phases)
    work[best] = floatAt(work, best) + component.work
    path[best] = Math.max(floatAt(path, best), component.path)
    count[best] = intAt(count, best) + 1
  }
  return packed
    .filter(leg => leg.length > 0)
    .map(leg => leg.sort((a, b) => a - b))
}

/**
 * The components of a round: phases joined by a dependency inside the
 * round, each with its work and longest chain. Union-find with path halving.
 */
function componentsOf(
  analysis: PlanAnalysis,
  round: readonly number[],
  minutes: readonly number[]
): Component[] {
  const sorted = [...round].sort(
    (a, b) =>
      numberAt(analysis.waveOf, a) - numberAt(analysis.waveOf, b) || a - b
  )
  const slot = new Map<number, number>()
  sorted.forEach((index, position) => slot.set(index, position))
  const parent = Int32Array.from(sorted, (_, position) => position)
  const find = (from: number): number => findRoot(parent, from)
  // In dependency order, so each phase's chain is known before its dependents'.
  const finish = new Float64Array(sorted.length)
  sorted.forEach((index, position) => {
    let ready = 0
    for (const dep of at(analysis.depsOf, index)) {
      const depSlot = slot.get(dep)
      if (depSlot === undefined) continue
      ready = Math.max(ready, floatAt(finish, depSlot))
      const a = find(position)
      const b = find(depSlot)
      if (a !== b) parent[Math.max(a, b)] = Math.min(a, b)
    }
    // packRound's estimates may leave phases out: those take 0 minutes.
    finish[position] = ready + (minutes[index] ?? 0)
  })
  const byRoot = new Map<number, Component>()
  sorted.forEach((index, position) => {
    const root = find(position)
    const component = byRoot.get(root) ?? { phases: [], work: 0, path: 0 }
    component.phases.push(index)
    component.work += minutes[index] ?? 0 // 0 without an estimate, as above
    component.path = Math.max(component.path, floatAt(finish, position))
    byRoot.set(root, component)
  })
  return [...byRoot.values()]
    .map(component => ({
      ...component,
      phases: component.phases.sort((a, b) => a - b)
    }))
    .sort((a, b) => at(a.phases, 0) - at(b.phases, 0))
}

/**
 * The legs of a round, or undefined when the round is not packed (one leg
 * per phase). `round`: plan indices of the round's phases; `number`: the
 * round (1-based), for the legs' names.
 */
export function packRound(
  analysis: PlanAnalysis,
  round: readonly number[],
  packing: Packing,
  number: number
): PackedLeg[] | undefined {
  const { minutes, cores } = packing
  const workers =
    packing.maxLegs <= 0
      ? MATRIX_LEG_LIMIT
      : Math.min(packing.maxLegs, MATRIX_LEG_LIMIT)
  const components = componentsOf(analysis, round, minutes)
  if (
    components.every(c => c.phases.length === 1) &&
    !isPacked(round.length, workers)
  )
    return undefined
  const phases = analysis.plan.phases
  // The components by runner (in plan order), and the bytes of their ids.
  const groups = new Map<string, RunnerGroup>()
  let idBytes = 0
  for (const component of components) {
    const first = at(phases, at(component.phases, 0))
    for (const index of component.phases)
      idBytes += Buffer.byteLength(JSON.stringify(at(phases, index).id)) + 1
    const key = runsOnKey(first)
    const group = groups.get(key)
    if (group === undefined) {
      const runsOn = first.runsOn
      groups.set(key, {
        ...(runsOn === undefined ? {} : { runsOn }),
        components: [component],
        phases: component.phases.length,
        minutes: component.work
      })
    } else {
      group.components.push(component)
      group.phases += component.phases.length
      group.minutes += component.work
    }
  }
  // A leg's ids reach exec as one input, one environment string: enough
  // legs that each stays far below Linux's 128 KiB (max-parallel still
  // runs at most max-workers of them at once). Without packing, a leg a
  // component as far as the 64 outputs go.
  const wanted = packing.pack
    ? Math.max(workers, Math.ceil(idBytes / LEG_ID_BYTES))
    : MATRIX_LEG_LIMIT
  const limit = Math.min(MATRIX_LEG_LIMIT, components.length, wanted)
  const packed = shareLegs([...groups.values()], limit)
    .flatMap(share =>
      longestFirst(share.group.components, share.legs, cores).map(indices => ({
        runsOn: share.group.runsOn,
        indices
      }))
    )
    .sort((a, b) => at(a.indices, 0) - at(b.indices, 0))
  return packed.map(({ runsOn, indices }, index) => {
    const parts = componentsOf(analysis, indices, minutes)
    const leg: PackedLeg = {
      name: packedLegName(number, index + 1, packed.length),
      wave: number,
      phases: indices,
      minutes: legLength(
        parts.reduce((sum, part) => sum + part.work, 0),
        Math.max(0, ...parts.map(part => part.path)),
        cores
      )
    }
    if (runsOn !== undefined) leg.runsOn = runsOn
    let timeouts: number | undefined = 0
    for (const phase of indices) {
      const timeout = timeoutWithRetries(at(phases, phase))
      timeouts = timeout === undefined ? undefined : timeouts + timeout
      if (timeouts === undefined) break
    }
    if (timeouts !== undefined) {
      leg.timeoutMinutes = Math.ceil(timeouts + LEG_TIMEOUT_MARGIN_MINUTES)
    }
    return leg
  })
}

/** How rounds are cut and packed: the estimates, the most legs, the cores of a leg. */
export interface Packing {
  /** Minutes of each phase by plan index (durations.ts). */
  minutes: readonly number[]
  /** max-workers (64 when there is no limit), or 64 without packing. */
  maxLegs: number
  /** Whether a round of more phases than maxLegs is packed into maxLegs legs, and rounds fold chains into legs. */
  pack: boolean
  /** Phases of a leg at once that the legs are planned for (exec's leg-concurrency). */
  cores: number
  /** Most rounds of the run (wave jobs), Infinity without a limit. */
  maxRounds: number
}

/** An estimates file's minutes as the state keeps them: tenths. */
export function roundEstimate(minutes: number): number {
  return Math.round(minutes * 10) / 10
}

/**
 * The packing of a run, from its ledger: the plan's estimates with the
 * ledger's overrides (the plan step's estimates file). With `pack` a round
 * of more phases than max-workers is packed into max-workers legs; without,
 * only a round over MATRIX_LEG_LIMIT is (every leg's record needs its own
 * output). Plan and settle get the same legs from it.
 */
export function packingOf(
  analysis: PlanAnalysis,
  ledger: Pick<
    Ledger,
    'pack' | 'estimates' | 'maxWorkers' | 'maxRounds' | 'legConcurrency'
  >
): Packing {
  const overrides = new Map<string, number>()
  ledger.estimates?.forEach((minutes, index) => {
    const phase = analysis.plan.phases[index]
    if (minutes !== undefined && phase !== undefined)
      overrides.set(phase.id, minutes)
  })
  return {
    minutes: phaseDurations(analysis.plan, overrides).minutes,
    maxLegs: ledger.pack === true ? ledger.maxWorkers : MATRIX_LEG_LIMIT,
    pack: ledger.pack === true,
    cores: ledger.legConcurrency ?? 1,
    maxRounds: ledger.maxRounds ?? Infinity
  }
}

/** A leg of a round: its place in the matrix (1-based) and its phases. */
export interface RoundLeg {
  leg: number
  /** Plan indices, in the order of the matrix entry's ids. */
  phases: number[]
  /** Its packed leg, when the round is packed. */
  packed?: PackedLeg
}

/**
 * The legs of round `number` as its matrix lists them: the packed legs, or
 * one leg per phase in plan order. Plan, settle and the report agree on them.
 */
export function roundLegs(
  analysis: PlanAnalysis,
  round: readonly number[],
  packing: Packing,
  number: number
): RoundLeg[] {
  const packed = packRound(analysis, round, packing, number)
  if (packed !== undefined) {
    return packed.map((leg, index) => ({
      leg: index + 1,
      phases: leg.phases,
      packed: leg
    }))
  }
  return [...round]
    .sort((a, b) => a - b)
    .map((index, position) => ({ leg: position + 1, phases: [index] }))
}

// The root of a node in a union-find forest kept as an array of parents
// (a root is its own parent), with path halving: each step on the way up
// points a node at its grandparent. Amortised O(α(n)) with union by any
// rule. Iterative.

export function findRoot(parent: Int32Array, from: number): number {
  let node = from
  while (intAt(parent, node) !== node) {
    const up = intAt(parent, intAt(parent, node))
    parent[node] = up
    node = up
  }
  return node
}
