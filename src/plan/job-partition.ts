// The jobs of a packed needs graph (`generate --max-jobs N`): the phases
// that run, grouped into at most N jobs, each job run by exec and needing
// the jobs that hold its phases' dependencies. Three steps, each only when
// the one before leaves more than N jobs:
//
// 1. Chains (chainUnits, below): exact and never slower.
// 2. Chains packed without slowing the graph down: in order of earliest
//    start, a chain joins a job of its runner — the job of a dependency
//    first, else the earliest-ending of the runner's latest few — when that
//    job, its phases run one after another after one job start, still ends
//    by the latest finish of every phase in it (for the graph to end when
//    one job per phase would) and before any job that needs it starts;
//    else it starts a job of its own. Jobs are only ever joined before
//    their dependents start, so the jobs' graph stays acyclic.
// 3. Jobs merged two at a time, the least overshoot first (job-merge.ts),
//    until at most N.
//
// A packed job runs its phases past a failure (exec), but GitHub skips
// every job that needs a failed job: beyond chains, a failure can also skip
// phases that do not depend on it. Phases with different runners never
// share a job; a job carries at most `maxIdBytes` of phase ids. Every
// estimate is sequential (one phase at a time in a job), so exec's
// leg-concurrency only makes a job end earlier.
// Deterministic. Pure, iterative. O((V + E) log V) for steps 1 and 2.
import { at, floatAt, intAt, numberAt } from './at.js'
import { dagTimeline, topologicalOrder } from './dag-timeline.js'
import { mergeJobs } from './job-merge.js'

export interface PartitionInput extends UnitInput {
  /** Estimated minutes of each phase (0 for a skipped one). */
  minutes: readonly number[]
  /** Minutes a job waits for its runner. */
  jobStart: number
  /** At most this many jobs (Infinity: no limit, chains only). */
  maxJobs: number
}

export interface JobPartition {
  /** Phases of each job, in plan order; jobs ordered by their first phase. */
  jobs: number[][]
  /** Job of each phase, -1 for a skipped one. */
  jobOf: Int32Array
  /**
   * The jobs each job needs, ascending: those holding its phases'
   * dependencies, without one that another of them needs already.
   */
  needs: number[][]
  /**
   * True when every job is a chain: a failure skips exactly its dependents.
   * False when chains were packed further to reach `maxJobs`.
   */
  exact: boolean
  /**
   * True when jobs were merged (step 3) to reach `maxJobs`, which can make
   * the graph slower than one job per phase; false when it is no slower.
   */
  merged: boolean
}

/** The largest --max-jobs: more jobs than a 500 KB workflow could hold anyway. */
export const MAX_PACKED_JOBS = 100_000

/** The runner's latest jobs looked at besides the dependencies' jobs. */
const POOL = 8
/** The least job start the greedy works with (minutes). */
const MIN_JOB_START = 1e-3

/** The jobs and their needs. */
export function partitionJobs(input: PartitionInput): JobPartition {
  const units = chainUnits(input)
  if (units.members.length <= input.maxJobs) {
    return finish(input, units.members, true, false)
  }
  const graph = unitGraph(input, units.unitOf, units.members)
  const wall = dagTimeline(input.predsOf, node =>
    input.skip[node] === true
      ? 0
      : input.jobStart + numberAt(input.minutes, node)
  ).end
  const packed = packUnits(graph, input, wall).map(job =>
    job.flatMap(unit => at(units.members, unit))
  )
  if (packed.length <= input.maxJobs) {
    return finish(input, packed, false, false)
  }
  const first = finish(input, packed, false, false)
  const merged = mergeJobs({
    needs: first.needs,
    minutes: first.jobs.map(job => sumOf(job, input.minutes)),
    runner: first.jobs.map(job => at(input.runnerKey, numberAt(job, 0))),
    bytes: first.jobs.map(job => sumOf(job, input.idBytes)),
    maxIdBytes: input.maxIdBytes,
    jobStart: input.jobStart,
    maxJobs: input.maxJobs
  })
  return finish(
    input,
    merged.map(groups => groups.flatMap(group => at(first.jobs, group))),
    false,
    true
  )
}

function sumOf(phases: readonly number[], values: readonly number[]): number {
  let sum = 0
  for (const phase of phases) sum += numberAt(values, phase)
  return sum
}

interface UnitGraph {
  preds: number[][]
  minutes: number[]
  runner: string[]
  bytes: number[]
  /** Units in order of earliest start (a topological order). */
  order: number[]
  /** Each unit's successors. */
  succs: number[][]
}

function unitGraph(
  input: PartitionInput,
  unitOf: Int32Array,
  members: readonly number[][]
): UnitGraph {
  const count = members.length
  const preds: number[][] = []
  const succs: number[][] = members.map(() => [])
  const minutes: number[] = []
  const runner: string[] = []
  const bytes: number[] = []
  members.forEach((phases, unit) => {
    const seen = new Set<number>()
    let sum = 0
    let size = 0
    for (const phase of phases) {
      sum += numberAt(input.minutes, phase)
      size += numberAt(input.idBytes, phase)
      for (const pred of at(input.predsOf, phase)) {
        const from = intAt(unitOf, pred)
        if (from !== unit && from !== -1 && !seen.has(from)) {
          seen.add(from)
          succs[from]?.push(unit)
        }
      }
    }
    preds.push([...seen])
    minutes.push(sum)
    runner.push(at(input.runnerKey, numberAt(phases, 0)))
    bytes.push(size)
  })
  const timeline = dagTimeline(
    preds,
    unit => input.jobStart + numberAt(minutes, unit)
  )
  const rank = new Int32Array(count)
  topologicalOrder(preds).forEach((unit, k) => {
    rank[unit] = k
  })
  const order = [...Array(count).keys()].sort(
    (a, b) =>
      numberAt(timeline.start, a) - numberAt(timeline.start, b) ||
      intAt(rank, a) - intAt(rank, b)
  )
  return { preds, minutes, runner, bytes, order, succs }
}

/** Latest finish of each unit for the graph to end by `deadline`. O(V + E). */
function latestFinish(
  graph: UnitGraph,
  jobStart: number,
  deadline: number
): Float64Array {
  const latest = new Float64Array(graph.order.length).fill(deadline)
  for (let k = graph.order.length - 1; k >= 0; k--) {
    const unit = numberAt(graph.order, k)
    for (const next of at(graph.succs, unit)) {
      const by =
        floatAt(latest, next) - jobStart - numberAt(graph.minutes, next)
      if (by < floatAt(latest, unit)) latest[unit] = by
    }
  }
  return latest
}

/** The greedy of step 2 for one deadline: units of each job. */
function packUnits(
  graph: UnitGraph,
  input: PartitionInput,
  deadline: number
): number[][] {
  // A job start of 0 would let two jobs end as they start; the proof that
  // the jobs' graph is acyclic needs every job to take some time.
  const jobStart = Math.max(input.jobStart, MIN_JOB_START)
  const latest = latestFinish(graph, jobStart, deadline)
  const jobOf = new Int32Array(graph.order.length).fill(-1)
  const jobs: number[][] = []
  const startAt: number[] = []
  const work: number[] = []
  /** The earliest latest-finish of the job's units. */
  const dueBy: number[] = []
  /** The earliest start of a job that needs this one (Infinity: none yet). */
  const neededAt: number[] = []
  const bytes: number[] = []
  const runnerOf: string[] = []
  const byRunner = new Map<string, number[]>()
  const end = (job: number): number =>
    numberAt(startAt, job) + jobStart + numberAt(work, job)

  for (const unit of graph.order) {
    const runner = at(graph.runner, unit)
    const minutes = numberAt(graph.minutes, unit)
    const size = numberAt(graph.bytes, unit)
    const due = floatAt(latest, unit)
    const predJobs = [...new Set(graph.preds[unit]?.map(p => intAt(jobOf, p)))]
    predJobs.sort((a, b) => end(b) - end(a) || a - b)
    const readyFor = (job: number): number => {
      let ready = job === -1 ? 0 : numberAt(startAt, job)
      for (const pred of predJobs) {
        if (pred !== job) ready = Math.max(ready, end(pred))
      }
      return ready
    }
    // Joining must delay no job that needs this one, and keep every unit
    // of it within its latest finish.
    const fits = (job: number): boolean => {
      if (runnerOf[job] !== runner) return false
      if (numberAt(bytes, job) + size > input.maxIdBytes) return false
      const ends = readyFor(job) + jobStart + numberAt(work, job) + minutes
      return (
        ends <= numberAt(neededAt, job) &&
        ends <= Math.min(numberAt(dueBy, job), due)
      )
    }
    let chosen = predJobs.find(fits)
    if (chosen === undefined) {
      const recent = byRunner.get(runner) ?? []
      let best = Infinity
      for (
        let k = recent.length - 1;
        k >= 0 && k >= recent.length - POOL;
        k--
      ) {
        const job = numberAt(recent, k)
        if (!fits(job)) continue
        const ends = readyFor(job) + numberAt(work, job)
        if (ends < best) {
          best = ends
          chosen = job
        }
      }
    }
    if (chosen === undefined) {
      chosen = jobs.length
      jobs.push([])
      startAt.push(readyFor(-1))
      work.push(0)
      dueBy.push(due)
      neededAt.push(Infinity)
      bytes.push(0)
      runnerOf.push(runner)
      const list = byRunner.get(runner)
      if (list === undefined) byRunner.set(runner, [chosen])
      else list.push(chosen)
    } else {
      startAt[chosen] = readyFor(chosen)
      dueBy[chosen] = Math.min(numberAt(dueBy, chosen), due)
    }
    at(jobs, chosen).push(unit)
    work[chosen] = numberAt(work, chosen) + minutes
    bytes[chosen] = numberAt(bytes, chosen) + size
    jobOf[unit] = chosen
    const starts = numberAt(startAt, chosen)
    for (const pred of predJobs) {
      if (pred !== chosen) {
        neededAt[pred] = Math.min(numberAt(neededAt, pred), starts)
      }
    }
  }
  return jobs
}

/** Jobs in plan order of their first phase, phases in plan order, needs. O((V + E) log V). */
function finish(
  input: PartitionInput,
  groups: readonly number[][],
  exact: boolean,
  merged: boolean
): JobPartition {
  const jobs = groups
    .map(group => [...group].sort((a, b) => a - b))
    .sort((a, b) => numberAt(a, 0) - numberAt(b, 0))
  const jobOf = new Int32Array(input.predsOf.length).fill(-1)
  jobs.forEach((phases, job) => {
    for (const phase of phases) jobOf[phase] = job
  })
  const needs = jobs.map((phases, job) => {
    const needed = new Set<number>()
    for (const phase of phases) {
      for (const pred of at(input.predsOf, phase)) {
        const from = intAt(jobOf, pred)
        if (from !== job && from !== -1) needed.add(from)
      }
    }
    return [...needed].sort((a, b) => a - b)
  })
  return { jobs, jobOf, needs: transitiveReduction(needs), exact, merged }
}

/**
 * The jobs each job reads outputs from, ascending: its needs and every job
 * holding a direct dependency of its phases. Outputs travel along direct
 * dependencies only (as in exec), and `needs` leaves out a job that
 * another of them needs already. O(V + E).
 */
export function outputNeeds(
  partition: JobPartition,
  depsOf: readonly (readonly number[])[]
): number[][] {
  return partition.jobs.map((phases, job) => {
    const from = new Set(at(partition.needs, job))
    for (const phase of phases) {
      for (const dep of at(depsOf, phase)) {
        const other = intAt(partition.jobOf, dep)
        if (other !== job && other !== -1) from.add(other)
      }
    }
    return [...from].sort((a, b) => a - b)
  })
}

// Chains of a needs graph contracted into one unit each: a phase joins the
// unit of its single predecessor when it is that predecessor's only
// successor (and both run on the same runner). Such a unit is exact as one
// packed job: only its last phase has dependents outside it, and that phase
// depends on every other phase of the unit, so a failure anywhere in it
// skips, through the job's `needs`, exactly the phases that depend on the
// failure. Never slower than one job per phase either: the unit's phases ran
// one after another anyway, and it pays one job start instead of several.
// Pure, iterative (Kahn's order), O(V + E).

interface UnitInput {
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

interface Units {
  /** Unit of each phase, -1 for a skipped one. */
  unitOf: Int32Array
  /** Phases of each unit, predecessors first. */
  members: number[][]
}

function chainUnits(input: UnitInput): Units {
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

// The transitive reduction of a DAG's predecessor lists: a predecessor is
// dropped when another predecessor of the node already depends on it,
// directly or not. For `needs:` this changes nothing GitHub does: a job
// still waits for every job it needed (through the one kept) and is still
// skipped when any of them fails (a failure skips the kept one first).
// Ancestor sets as bit sets, nodes in topological order, each node's
// predecessors from the latest in that order down. Iterative.
// O(V · (V + E) / 32) time, O(V² / 32) memory.

/** Each node's predecessors without the redundant ones, in the given order. */
export function transitiveReduction(
  predsOf: readonly (readonly number[])[]
): number[][] {
  const count = predsOf.length
  const words = (count + 31) >>> 5
  const ancestors = new Int32Array(count * words)
  const order = topologicalOrder(predsOf)
  const rank = new Int32Array(count)
  order.forEach((node, k) => {
    rank[node] = k
  })
  const has = (node: number, bit: number): boolean =>
    ((intAt(ancestors, node * words + (bit >>> 5)) >>> (bit & 31)) & 1) === 1
  const reduced: number[][] = predsOf.map(() => [])
  for (const node of order) {
    const row = node * words
    const preds = [...new Set(at(predsOf, node))].sort(
      (a, b) => intAt(rank, b) - intAt(rank, a)
    )
    const kept = new Set<number>()
    for (const pred of preds) {
      // Latest first: a redundant one is an ancestor of one seen already.
      if (has(node, pred)) continue
      kept.add(pred)
      const from = pred * words
      for (let w = 0; w < words; w++) {
        ancestors[row + w] =
          intAt(ancestors, row + w) | intAt(ancestors, from + w)
      }
      ancestors[row + (pred >>> 5)] =
        intAt(ancestors, row + (pred >>> 5)) | (1 << (pred & 31))
    }
    // In the given order, each once.
    reduced[node] = at(predsOf, node).filter(pred => kept.delete(pred))
  }
  return reduced
}
