// Rounds, not levels: which pending phases the next round hands out. A round
// is a matrix of legs, each leg one job that runs its phases in dependency
// order (exec); packing.ts cuts the round into legs along its own
// dependencies, so a phase may share a round with its dependencies when they
// can share a leg. A plan of any depth then runs in the wave jobs there are.
//
// The round holds:
// 1. what the rounds left require: with L levels of pending phases and r
//    rounds left, every phase from which a chain of more than L − ⌈L/r⌉
//    pending phases starts, with its pending dependencies (so the plan left
//    after the round is at most L − ⌈L/r⌉ levels deep, and r rounds always
//    suffice). Only phases on the longest chains, never whole levels, so the
//    legs stay many;
// 2. then, critical path first (the longest estimated chain of pending
//    phases from it), every phase that is ready or whose pending
//    dependencies are all in the round on its runner, while the component it
//    joins still ends within the round's length T and the round's work fits
//    its legs' cores in T. T is chosen among a few candidates (the longest
//    ready phases, the remaining critical path's and work's share of the
//    rounds left): the 8 that make the most progress a minute (how far the
//    round lowers the critical path plus the work ÷ cores of what is left,
//    over T plus a minute of job start) are each followed by 2 more rounds
//    chosen by that rate alone (among fewer lengths), and the estimate of
//    what is left then; the candidate whose rounds end first wins. The rate
//    alone is greedy: it took long rounds early that left chains waiting at
//    later barriers. Without packing, every ready phase, one a leg.
// A phase is never in a round with a dependency on another runner (they
// could not share a leg); such a phase waits, and the plan step checks the
// rounds of a green run against the wave jobs there are.
//
// Pure and deterministic: plan and settle compute the same round from the
// same statuses. O(K (V + E) log V) a round for K ≤ 16 candidate lengths,
// and 8 × 2 look-ahead rounds of at most 4 lengths each: about 6 times the
// rate rule alone.
import { at, floatAt, intAt, numberAt } from './at.js'
import { MinHeap } from './min-heap.js'
import type { PhaseStatus } from './state.js'
import { LEG_ID_BYTES, legLength, runsOnKey, type Packing } from './packing.js'
import { MATRIX_LEG_LIMIT } from './leg-record.js'
import type { PlanAnalysis } from './types.js'
import { findRoot } from './packing.js'

/**
 * Wave jobs of the reusable workflow (phases.yml): rounds fold any depth
 * into them; each slot costs about 11 KB of the workflow file.
 */
export const REUSABLE_WORKFLOW_WAVES = 24

/** Minutes a round costs besides its phases (the legs' job start and set-up), for choosing its length. */
const ROUND_OVERHEAD_MINUTES = 1

/** What every round of a fold needs and no round changes, computed once. */
interface Fold {
  analysis: PlanAnalysis
  packing: Packing
  /** Plan indices in dependency order: the waves, flattened. */
  order: readonly number[]
  /** Each phase's runner as a number: phases share a leg only when equal. */
  runner: Int32Array
  /** Bytes each phase's id adds to its leg's exec input. */
  idBytes: Float64Array
  /** Most legs of a round. */
  legs: number
  /** Cores of a leg. */
  cores: number
}

function foldOf(analysis: PlanAnalysis, packing: Packing): Fold {
  const phases = analysis.plan.phases
  const runners = new Map<string, number>()
  const runner = new Int32Array(phases.length)
  const idBytes = new Float64Array(phases.length)
  phases.forEach((phase, index) => {
    const key = runsOnKey(phase)
    const known = runners.get(key)
    runner[index] = known ?? runners.size
    if (known === undefined) runners.set(key, runners.size)
    idBytes[index] = Buffer.byteLength(JSON.stringify(phase.id)) + 1
  })
  return {
    analysis,
    packing,
    order: analysis.waves.flat(),
    runner,
    idBytes,
    legs: Math.max(
      1,
      Math.min(
        MATRIX_LEG_LIMIT,
        packing.maxLegs <= 0 ? MATRIX_LEG_LIMIT : packing.maxLegs
      )
    ),
    cores: Math.max(1, packing.cores)
  }
}

/** What the pending phases look like, for filling rounds. */
interface Pending {
  order: number[]
  /**
   * Each pending phase's pending dependencies, also those it has through
   * done phases (`status: done` keeps the order: build → package (done) →
   * publish still waits for build); and the other way round.
   */
  depsOf: number[][]
  dependentsOf: number[][]
  depth: Int32Array
  height: Int32Array
  /** Longest estimated chain of pending phases from each (itself included). */
  tail: Float64Array
  levels: number
  criticalPath: number
  work: number
}

function pendingShape(fold: Fold, statuses: readonly PhaseStatus[]): Pending {
  const { analysis } = fold
  const { minutes } = fold.packing
  const count = statuses.length
  const order: number[] = []
  const depsOf: number[][] = Array.from({ length: count }, () => [])
  const dependentsOf: number[][] = Array.from({ length: count }, () => [])
  // The pending phases a done phase stands for, by plan index.
  const through: number[][] = Array.from({ length: count }, () => [])
  for (const index of fold.order) {
    const status = statuses[index]
    if (status !== 'pending' && status !== 'done') continue
    const deps = at(analysis.depsOf, index)
    // Only a done dependency can bring in a phase twice: without one
    // (the usual case) the pending ones are all.
    const below = deps.some(dep => statuses[dep] === 'done')
      ? new Set<number>()
      : deps.filter(dep => statuses[dep] === 'pending')
    if (below instanceof Set) {
      for (const dep of deps) {
        if (statuses[dep] === 'pending') below.add(dep)
        else for (const far of at(through, dep)) below.add(far)
      }
    }
    if (status === 'done') {
      through[index] = [...below]
      continue
    }
    order.push(index)
    depsOf[index] = [...below]
    for (const dep of below) at(dependentsOf, dep).push(index)
  }
  const depth = new Int32Array(count)
  let levels = 0
  let work = 0
  for (const index of order) {
    let below = 0
    for (const dep of at(depsOf, index))
      below = Math.max(below, intAt(depth, dep))
    depth[index] = below + 1
    levels = Math.max(levels, below + 1)
    work += numberAt(minutes, index)
  }
  const height = new Int32Array(count)
  const tail = new Float64Array(count)
  let criticalPath = 0
  for (let position = order.length - 1; position >= 0; position--) {
    const index = at(order, position)
    let above = 0
    let after = 0
    for (const dependent of at(dependentsOf, index)) {
      above = Math.max(above, intAt(height, dependent))
      after = Math.max(after, floatAt(tail, dependent))
    }
    height[index] = above + 1
    tail[index] = after + numberAt(minutes, index)
    criticalPath = Math.max(criticalPath, floatAt(tail, index))
  }
  return {
    order,
    depsOf,
    dependentsOf,
    depth,
    height,
    tail,
    levels,
    criticalPath,
    work
  }
}

/** A round filled for one length: its phases and what it leaves. */
interface Filled {
  inRound: Int32Array
  /** Estimated minutes of its longest leg. */
  length: number
  /** Critical path plus work ÷ cores of the phases it leaves: how much is left to do. */
  leftBound: number
  /** Levels of the phases it leaves. */
  leftLevels: number
  size: number
}

/**
 * The round for length `limit` (Infinity: only what is required and ready,
 * as without packing). Union-find over the round's own dependencies, with
 * each component's work, longest chain and id bytes.
 */
function fill(
  fold: Fold,
  shape: Pending,
  required: (index: number) => boolean,
  limit: number | 'ready'
): Filled {
  const { depsOf, dependentsOf, tail } = shape
  const { minutes } = fold.packing
  const { legs, cores, runner, idBytes: bytesOf } = fold
  const count = runner.length
  const inRound = new Int32Array(count)
  const parent = new Int32Array(count).fill(-1)
  const work = new Float64Array(count)
  const path = new Float64Array(count)
  const idBytes = new Float64Array(count)
  const chain = new Float64Array(count)
  const find = (from: number): number => findRoot(parent, from)
  let components = 0
  let roundWork = 0
  let size = 0
  /** The roots of the components a phase would join; undefined when it cannot join the round. */
  const joins = (index: number): number[] | undefined => {
    const own = intAt(runner, index)
    const roots: number[] = []
    for (const dep of at(depsOf, index)) {
      if (intAt(inRound, dep) === 0) return undefined
      if (intAt(runner, dep) !== own) return undefined
      const root = find(dep)
      if (!roots.includes(root)) roots.push(root)
    }
    return roots
  }
  const startOf = (index: number): number => {
    let start = 0
    for (const dep of at(depsOf, index))
      start = Math.max(start, floatAt(chain, dep))
    return start
  }
  const add = (index: number, roots: readonly number[]): void => {
    const own = numberAt(minutes, index)
    chain[index] = startOf(index) + own
    inRound[index] = 1
    parent[index] = index
    work[index] = own
    path[index] = floatAt(chain, index)
    idBytes[index] = floatAt(bytesOf, index)
    components++
    roundWork += own
    size++
    for (const root of roots) {
      const mine = find(index)
      const theirs = find(root)
      if (mine === theirs) continue
      const [top, gone] = mine < theirs ? [mine, theirs] : [theirs, mine]
      parent[gone] = top
      work[top] = floatAt(work, top) + floatAt(work, gone)
      path[top] = Math.max(floatAt(path, top), floatAt(path, gone))
      idBytes[top] = floatAt(idBytes, top) + floatAt(idBytes, gone)
      components--
    }
  }
  for (const index of shape.order) {
    if (!required(index)) continue
    const roots = joins(index)
    if (roots !== undefined) add(index, roots)
  }
  if (limit === 'ready') {
    for (const index of shape.order) {
      if (intAt(inRound, index) === 1) continue
      if (joins(index)?.length === 0) add(index, [])
    }
  } else {
    // Critical path first: the longest chain from a phase, then plan order.
    const queue = new MinHeap(
      (a, b) =>
        floatAt(tail, a) > floatAt(tail, b) ||
        (floatAt(tail, a) === floatAt(tail, b) && a < b)
    )
    const queued = new Int32Array(count)
    const offer = (index: number): void => {
      if (intAt(inRound, index) === 1 || intAt(queued, index) === 1) return
      if (joins(index) === undefined) return
      queued[index] = 1
      queue.push(index)
    }
    for (const index of shape.order) {
      if (intAt(inRound, index) === 1) {
        for (const dependent of at(dependentsOf, index)) offer(dependent)
      } else if (intAt(shape.depth, index) === 1) offer(index)
    }
    for (let index = queue.pop(); index !== undefined; index = queue.pop()) {
      const roots = joins(index)
      if (roots === undefined) continue
      const own = numberAt(minutes, index)
      let joinedWork = own
      let joinedPath = startOf(index) + own
      let joinedBytes = floatAt(bytesOf, index)
      for (const root of roots) {
        joinedWork += floatAt(work, root)
        joinedPath = Math.max(joinedPath, floatAt(path, root))
        joinedBytes += floatAt(idBytes, root)
      }
      const legsUsed = Math.min(legs, components - roots.length + 1)
      const fits =
        legLength(joinedWork, joinedPath, cores) <= limit &&
        (roundWork + own) / (legsUsed * cores) <= limit &&
        joinedBytes <= LEG_ID_BYTES
      if (!fits) continue
      add(index, roots)
      for (const dependent of at(dependentsOf, index)) offer(dependent)
    }
  }
  let longest = 0
  let leftPath = 0
  let leftLevels = 0
  const leftDepth = new Int32Array(count)
  for (const index of shape.order) {
    if (intAt(inRound, index) === 0) {
      leftPath = Math.max(leftPath, floatAt(tail, index))
      let below = 0
      for (const dep of at(depsOf, index))
        if (intAt(inRound, dep) === 0)
          below = Math.max(below, intAt(leftDepth, dep))
      leftDepth[index] = below + 1
      leftLevels = Math.max(leftLevels, below + 1)
    } else if (find(index) === index) {
      longest = Math.max(
        longest,
        legLength(floatAt(work, index), floatAt(path, index), cores)
      )
    }
  }
  const length =
    components === 0
      ? 0
      : Math.max(longest, roundWork / (Math.min(legs, components) * cores))
  const leftWork = (shape.work - roundWork) / (legs * cores)
  return {
    inRound,
    length,
    leftBound: leftPath + leftWork,
    leftLevels,
    size
  }
}

/**
 * The phases of the next round, in plan order (empty when nothing is
 * pending). `statuses`: 'pending' phases are still to run, every other
 * phase has settled; `roundsLeft`: rounds there are for the rest, this one
 * included (Infinity: no limit).
 */
export function foldRound(
  analysis: PlanAnalysis,
  statuses: readonly PhaseStatus[],
  roundsLeft: number,
  packing: Packing
): number[] {
  return nextRound(foldOf(analysis, packing), statuses, roundsLeft)
}

/** Multiples of the rounds' share of what is left, as round lengths to try. */
const SHARES = [0.5, 0.75, 1, 1.5, 2, 3, 4]
/**
 * Look-ahead: the best candidates by progress a minute, each followed by
 * the rounds the rate rule would hand out after it over a short horizon,
 * with a few lengths each; the round with the earliest estimated end wins.
 */
const LOOK_AHEAD_CANDIDATES = 8
const LOOK_AHEAD_ROUNDS = 2
const LOOK_AHEAD_SHARES = [1, 2]
/** How much sooner a look-ahead has to end than the best rate's round to be taken. */
const LOOK_AHEAD_MARGIN_MINUTES = 1
/**
 * What is left after the horizon, as minutes: the critical path plus half
 * the work spread over the legs' cores, between the bound a round cannot
 * beat (the longer of the two) and the one the rate measures (their sum).
 */
const LEFT_WORK_WEIGHT = 0.5

/** A candidate round and its progress a minute. */
interface Candidate {
  filled: Filled
  rate: number
}

/**
 * The rounds for a few lengths: what is required, every ready phase at
 * once, `shares` of the remaining critical path's and work's share of the
 * rounds left, and the `longest` longest ready phases; by progress a
 * minute, best first (ties: the shorter length).
 */
function candidates(
  fold: Fold,
  shape: Pending,
  left: number,
  shares: readonly number[],
  longest: number
): Candidate[] {
  const { packing, legs, cores } = fold
  const step = Number.isFinite(left) ? Math.ceil(shape.levels / left) : 1
  const required = (index: number): boolean =>
    intAt(shape.height, index) > shape.levels - step
  const bound = shape.criticalPath + shape.work / (legs * cores)
  const base = fill(fold, shape, required, 0).length
  const share = Number.isFinite(left) ? bound / left : 0
  const ready = shape.order
    .filter(index => intAt(shape.depth, index) === 1)
    .map(index => numberAt(packing.minutes, index))
    .sort((a, b) => b - a)
  const readyWork = ready.reduce((sum, minutes) => sum + minutes, 0)
  const lengths = [
    base,
    // Every ready phase at once (none when nothing is left: the longest is 0).
    Math.max(ready[0] ?? 0, readyWork / (legs * cores)),
    ...shares.map(times => times * share),
    ...ready.slice(0, longest)
  ].filter(length => length > 0)
  const found: Candidate[] = []
  const none = (): boolean => false
  for (const length of [...new Set(lengths)].sort((a, b) => a - b)) {
    // What the rounds left require, only when the round would not take
    // as many levels by itself.
    const free = fill(fold, shape, none, length)
    const filled =
      free.leftLevels <= shape.levels - step
        ? free
        : fill(fold, shape, required, length)
    if (filled.size === 0) continue
    const rate =
      (bound - filled.leftBound) / (filled.length + ROUND_OVERHEAD_MINUTES)
    found.push({ filled, rate })
  }
  // Stable: equal rates keep the shorter length first.
  found.sort((a, b) => b.rate - a.rate)
  if (found.length === 0) {
    // Every estimate 0, or nothing fits: what is required and ready.
    const filled = fill(fold, shape, required, 'ready')
    return [{ filled, rate: 0 }, ...found]
  }
  return found
}

function nextRound(
  fold: Fold,
  statuses: readonly PhaseStatus[],
  roundsLeft: number
): number[] {
  const shape = pendingShape(fold, statuses)
  if (shape.order.length === 0) return []
  const left = Math.max(1, roundsLeft)
  if (!fold.packing.pack) {
    const step = Number.isFinite(left) ? Math.ceil(shape.levels / left) : 1
    const required = (index: number): boolean =>
      intAt(shape.height, index) > shape.levels - step
    return roundOf(fill(fold, shape, required, 'ready').inRound)
  }
  const found = candidates(fold, shape, left, SHARES, 8)
  // The rate alone is greedy: a round that makes much progress now may
  // leave a plan whose rounds wait long at their barriers.
  let best = at(found, 0).filled
  if (found.length === 1) return roundOf(best.inRound)
  let bestFinish = Infinity
  for (const [rank, { filled }] of found
    .slice(0, LOOK_AHEAD_CANDIDATES)
    .entries()) {
    const after = [...statuses]
    filled.inRound.forEach((flag, index) => {
      if (flag === 1) after[index] = 'succeeded'
    })
    const finish =
      filled.length + ROUND_OVERHEAD_MINUTES + rollout(fold, after, left - 1)
    // The estimates are rough (a leg's spread work is a bound, not its
    // length): another round than the best rate's has to end a minute
    // sooner to be taken.
    if (finish < bestFinish - (rank === 0 ? 0 : LOOK_AHEAD_MARGIN_MINUTES)) {
      best = filled
      bestFinish = finish
    }
  }
  return roundOf(best.inRound)
}

/**
 * Estimated minutes of what is left after a round: LOOK_AHEAD_ROUNDS
 * rounds, each the best by progress a minute among fewer lengths, then the
 * rest as LEFT_WORK_WEIGHT says. `statuses` is changed.
 */
function rollout(
  fold: Fold,
  statuses: PhaseStatus[],
  roundsLeft: number
): number {
  let minutes = 0
  let rounds = 0
  for (let left = Math.max(1, roundsLeft); ; left = Math.max(1, left - 1)) {
    const shape = pendingShape(fold, statuses)
    if (shape.order.length === 0) return minutes
    if (rounds === LOOK_AHEAD_ROUNDS) {
      const spread = shape.work / (fold.legs * fold.cores)
      return minutes + shape.criticalPath + LEFT_WORK_WEIGHT * spread
    }
    rounds++
    const { filled } = at(
      candidates(fold, shape, left, LOOK_AHEAD_SHARES, 0),
      0
    )
    // A bug guard: a round with nothing in it would never end the loop.
    if (filled.size === 0) return Infinity
    minutes += filled.length + ROUND_OVERHEAD_MINUTES
    filled.inRound.forEach((flag, index) => {
      if (flag === 1) statuses[index] = 'succeeded'
    })
  }
}

function roundOf(inRound: Int32Array): number[] {
  const round: number[] = []
  inRound.forEach((flag, index) => {
    if (flag === 1) round.push(index)
  })
  return round
}

/** Statuses as a round's hand-out sees them: running phases pending again. */
function beforeHandOut(statuses: readonly PhaseStatus[]): PhaseStatus[] {
  return statuses.map(status => (status === 'running' ? 'pending' : status))
}

/**
 * The rounds a run hands out when every phase succeeds, from `statuses`
 * (running phases count as pending: the round running is the first), the
 * first of them being round `first` (1-based). O(rounds × (V + E) α(V)).
 */
export function greenRounds(
  analysis: PlanAnalysis,
  statuses: readonly PhaseStatus[],
  packing: Packing,
  first: number
): number[][] {
  const fold = foldOf(analysis, packing)
  const current = beforeHandOut(statuses)
  const rounds: number[][] = []
  for (let number = first; ; number++) {
    const round = nextRound(fold, current, packing.maxRounds - (number - 1))
    if (round.length === 0) return rounds
    rounds.push(round)
    for (const index of round) current[index] = 'succeeded'
    // A bug guard: every round hands out at least one phase.
    if (rounds.length > statuses.length) {
      throw new RangeError('rounds do not end: a bug in phase-matrix')
    }
  }
}
