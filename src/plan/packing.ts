// Packed legs: when a round holds more phases than may run at once
// (max-workers, never more than GitHub's 256 legs of a matrix), its phases
// are packed into at most that many legs, balanced by their estimates:
// longest processing time first (LPT) — phases by estimate, longest first,
// each onto the leg with the least work so far. A leg runs on one kind of
// runner, so phases are first grouped by `runs-on`; each group gets at least
// one leg and the rest in proportion to its work. The phases of one round
// are of one wave, so they never depend on each other: a leg runs them one
// after another (`phase-matrix exec`), in plan order.
//
// Deterministic: the plan step and every settle step compute the same legs
// from the same round, estimates and limit, so the legs never travel in the
// run state. O(n log n) for n phases of the round.
import { at, floatAt, intAt } from './at.js'
import { phaseDurations } from './durations.js'
import { MinHeap } from './min-heap.js'
import type { Ledger } from './state.js'
import type { Phase, PlanAnalysis } from './types.js'

/**
 * The most legs of one round: the `leg-1` … `leg-64` job outputs each wave
 * job of phases.yml declares (a leg's record reaches settle through its own
 * output). A bigger round is packed into this many legs. GitHub allows 256.
 */
export const MATRIX_LEG_LIMIT = 64

export interface PackedLeg {
  /** The leg's job name: `wave 2 leg 3/40`; no phase id has a space, so it never collides with one. */
  name: string
  /** 1-based wave of its phases. */
  wave: number
  /** Plan indices of its phases, in plan order. */
  phases: number[]
  /** Estimated minutes of its phases together. */
  minutes: number
  /** The runner its phases name (undefined: the workflow's default). */
  runsOn?: string | string[]
  /** Sum of its phases' timeouts, when every one of them sets one. */
  timeoutMinutes?: number
}

/** The job name of leg `leg` (1-based) of `legs` in wave `wave` (1-based). */
export function packedLegName(wave: number, leg: number, legs: number): string {
  return `wave ${wave} leg ${leg}/${legs}`
}

/** Most bytes of phase ids a leg should carry (its exec input is one environment string). */
export const LEG_ID_BYTES = 32 * 1024

/** Minutes a packed leg adds to the sum of its phases' timeouts (checkout, set-up). */
export const LEG_TIMEOUT_MARGIN_MINUTES = 10

/**
 * Whether a round of `size` phases is packed: when it holds more phases than
 * `maxLegs` legs may run (max-workers, at most 256).
 */
export function isPacked(size: number, maxLegs: number): boolean {
  return size > Math.min(Math.max(1, maxLegs), MATRIX_LEG_LIMIT)
}

function runsOnKey(phase: Phase): string {
  return phase.runsOn === undefined ? '' : JSON.stringify(phase.runsOn)
}

/** The phases of a round on one kind of runner, in plan order. */
interface RunnerGroup {
  runsOn?: string | string[]
  phases: number[]
  /** Their estimates together. */
  minutes: number
}

/**
 * Legs per group: at least one each, the rest by largest remainder of the
 * group's share of the work, never more legs than phases. O(groups log groups).
 */
function shareLegs(
  groups: readonly RunnerGroup[],
  legs: number
): { group: RunnerGroup; legs: number }[] {
  const left = legs - groups.length
  if (left <= 0) return groups.map(group => ({ group, legs: 1 }))
  const total = groups.reduce((sum, group) => sum + group.minutes, 0)
  const phaseCount = groups.reduce((sum, group) => sum + group.phases.length, 0)
  // Each group's exact share of the legs left: its whole part at once (as
  // far as it has phases for them), the remainders after, largest first.
  let unshared = left
  const shares = groups.map((group, index) => {
    const size = group.phases.length
    const exact = (total > 0 ? group.minutes / total : size / phaseCount) * left
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

/** LPT: `phases` onto `legs` legs; each leg's phases in plan order. */
function longestFirst(
  phases: readonly number[],
  minutes: readonly number[],
  legs: number
): number[][] {
  const byLength = [...phases].sort(
    (a, b) => (minutes[b] ?? 0) - (minutes[a] ?? 0) || a - b
  )
  const load = new Float64Array(legs)
  const count = new Int32Array(legs)
  const queue = new MinHeap((a, b) => {
    const byLoad = floatAt(load, a) - floatAt(load, b)
    if (byLoad !== 0) return byLoad < 0
    const byCount = intAt(count, a) - intAt(count, b)
    if (byCount !== 0) return byCount < 0
    return a < b
  })
  for (let leg = 0; leg < legs; leg++) queue.push(leg)
  const packed: number[][] = Array.from({ length: legs }, () => [])
  for (const phase of byLength) {
    const leg = queue.take()
    at(packed, leg).push(phase)
    load[leg] = floatAt(load, leg) + (minutes[phase] ?? 0)
    count[leg] = intAt(count, leg) + 1
    queue.push(leg)
  }
  return packed
    .filter(leg => leg.length > 0)
    .map(leg => leg.sort((a, b) => a - b))
}

/**
 * The legs of a round, or undefined when the round is not packed (one leg
 * per phase). `round`: plan indices of the round's phases (one wave);
 * `minutes`: estimate of each phase by plan index; `maxLegs`: max-workers
 * (0 or above 256: 256).
 */
export function packRound(
  analysis: PlanAnalysis,
  round: readonly number[],
  minutes: readonly number[],
  maxLegs: number
): PackedLeg[] | undefined {
  const workers =
    maxLegs <= 0 ? MATRIX_LEG_LIMIT : Math.min(maxLegs, MATRIX_LEG_LIMIT)
  if (!isPacked(round.length, workers)) return undefined
  const phases = analysis.plan.phases
  // One pass in plan order: the phases by runner, and the bytes of their ids.
  const groups = new Map<string, RunnerGroup>()
  let idBytes = 0
  // 1-based; the phases of a round are all of one wave.
  let wave = 0
  for (const index of [...round].sort((a, b) => a - b)) {
    const phase = at(phases, index)
    if (wave === 0) wave = (analysis.waveOf[index] ?? 0) + 1
    idBytes += Buffer.byteLength(JSON.stringify(phase.id)) + 1
    const key = runsOnKey(phase)
    const group = groups.get(key)
    if (group === undefined) {
      const runsOn = phase.runsOn
      groups.set(key, {
        ...(runsOn === undefined ? {} : { runsOn }),
        phases: [index],
        minutes: minutes[index] ?? 0
      })
    } else {
      group.phases.push(index)
      group.minutes += minutes[index] ?? 0
    }
  }
  // A leg's ids reach exec as one input, one environment string: enough
  // legs that each stays far below Linux's 128 KiB (max-parallel still
  // runs at most max-workers of them at once).
  const limit = Math.min(
    MATRIX_LEG_LIMIT,
    round.length,
    Math.max(workers, Math.ceil(idBytes / LEG_ID_BYTES))
  )
  const packed = shareLegs([...groups.values()], limit).flatMap(share =>
    longestFirst(share.group.phases, minutes, share.legs).map(indices => ({
      runsOn: share.group.runsOn,
      indices
    }))
  )
  return packed.map(({ runsOn, indices }, index) => {
    const leg: PackedLeg = {
      name: packedLegName(wave, index + 1, packed.length),
      wave,
      phases: indices,
      minutes: indices.reduce((sum, phase) => sum + (minutes[phase] ?? 0), 0)
    }
    if (runsOn !== undefined) leg.runsOn = runsOn
    let timeouts: number | undefined = 0
    for (const phase of indices) {
      const timeout = at(phases, phase).timeoutMinutes
      timeouts = timeout === undefined ? undefined : timeouts + timeout
      if (timeouts === undefined) break
    }
    if (timeouts !== undefined) {
      leg.timeoutMinutes = Math.ceil(timeouts + LEG_TIMEOUT_MARGIN_MINUTES)
    }
    return leg
  })
}

/** How rounds are packed: the estimates and the most legs (max-workers). */
export interface Packing {
  /** Minutes of each phase by plan index (durations.ts). */
  minutes: readonly number[]
  /** max-workers (256 when there is no limit). */
  maxLegs: number
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
  ledger: Pick<Ledger, 'pack' | 'estimates' | 'maxWorkers'>
): Packing {
  const overrides = new Map<string, number>()
  ledger.estimates?.forEach((minutes, index) => {
    const phase = analysis.plan.phases[index]
    if (minutes !== undefined && phase !== undefined)
      overrides.set(phase.id, minutes)
  })
  return {
    minutes: phaseDurations(analysis.plan, overrides).minutes,
    maxLegs: ledger.pack === true ? ledger.maxWorkers : MATRIX_LEG_LIMIT
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
 * The legs of a round as its matrix lists them: the packed legs, or one
 * leg per phase in plan order. Plan, settle and the report agree on them.
 */
export function roundLegs(
  analysis: PlanAnalysis,
  round: readonly number[],
  packing: Packing
): RoundLeg[] {
  const packed = packRound(analysis, round, packing.minutes, packing.maxLegs)
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

/** The legs of the round now running (statuses 'running'), when it is packed. */
export function runningLegs(
  analysis: PlanAnalysis,
  ledger: Ledger,
  packing: Packing
): PackedLeg[] | undefined {
  const running: number[] = []
  ledger.statuses.forEach((status, index) => {
    if (status === 'running') running.push(index)
  })
  return running.length === 0
    ? undefined
    : packRound(analysis, running, packing.minutes, packing.maxLegs)
}
