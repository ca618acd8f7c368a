// Fewer jobs at the least cost in wall time: while there are more than
// `maxJobs` groups, merge the two groups of one runner whose merged job
// would overshoot its latest finish the least (a merge within the slack
// costs nothing), re-timing the whole graph after each merge. Candidates,
// each merge keeping the graph acyclic: a group and its only need, a group
// and its only user (no other path joins them), and groups next to each
// other in order of earliest start among their runner's groups (next to
// each other in a topological order, no path joins them but a direct need;
// with other runners' groups between them, a bounded search proves there
// is no path, else they are not merged).
// A merged job starts when every need of both has ended and runs their
// phases one after another after one job start. Far from the goal, several
// disjoint merges of adjacent groups are made per timing.
// Pure, iterative. O(timings · (J log J + E_J)) for J groups and E_J needs
// between them, plus the bounded searches; about BATCH · ln(J) timings.
import { at, floatAt, intAt, numberAt } from './at.js'
import { topologicalOrder } from './dag-timeline.js'

export interface MergeInput {
  /** The groups each group needs (their indices). */
  needs: readonly (readonly number[])[]
  /** Minutes of each group's phases together. */
  minutes: readonly number[]
  runner: readonly string[]
  /** Bytes of each group's phase ids. */
  bytes: readonly number[]
  maxIdBytes: number
  jobStart: number
  maxJobs: number
}

/** Most groups the path search visits before it gives up (no merge then). */
const SEARCH_BUDGET = 256
/** Merges between two timings: one per this many groups over the goal. */
const BATCH = 16

interface Candidate {
  x: number
  y: number
  /** Minutes the merged job would end after its latest finish (≤ 0: free). */
  cost: number
  work: number
  /** May merge with others between two timings (see the loop). */
  batchable: boolean
}

/** Groups of the input's groups, each a merged job, at most maxJobs when runners allow. */
export function mergeJobs(input: MergeInput): number[][] {
  const count = input.needs.length
  const needs = input.needs.map(list => new Set(list))
  const users: Set<number>[] = needs.map(() => new Set<number>())
  needs.forEach((list, group) => {
    for (const need of list) users[need]?.add(group)
  })
  const members: number[][] = [...Array(count).keys()].map(group => [group])
  const minutes = [...input.minutes]
  const bytes = [...input.bytes]
  const live = new Set<number>(members.keys())
  const jobStart = Math.max(input.jobStart, 1e-3)

  while (live.size > input.maxJobs) {
    const ids = [...live]
    const local = new Map<number, number>(ids.map((id, k) => [id, k]))
    const preds = ids.map(id =>
      [...at(needs, id)].map(need => local.get(need) ?? -1)
    )
    const order = topologicalOrder(preds)
    const start = new Float64Array(ids.length)
    const finish = new Float64Array(ids.length)
    let wall = 0
    for (const k of order) {
      let ready = 0
      for (const pred of at(preds, k)) {
        ready = Math.max(ready, floatAt(finish, pred))
      }
      start[k] = ready
      finish[k] = ready + jobStart + numberAt(minutes, at(ids, k))
      wall = Math.max(wall, floatAt(finish, k))
    }
    const latest = new Float64Array(ids.length).fill(wall)
    for (let r = order.length - 1; r >= 0; r--) {
      const k = intAt(order, r)
      const by = floatAt(latest, k) - jobStart - numberAt(minutes, at(ids, k))
      for (const pred of at(preds, k)) {
        if (by < floatAt(latest, pred)) latest[pred] = by
      }
    }
    const rank = new Int32Array(ids.length)
    order.forEach((k, r) => {
      rank[k] = r
    })
    const sequence = [...order].sort(
      (a, b) =>
        floatAt(start, a) - floatAt(start, b) || intAt(rank, a) - intAt(rank, b)
    )
    const position = new Int32Array(ids.length)
    sequence.forEach((k, p) => {
      position[k] = p
    })
    const candidates: Candidate[] = []
    const seen = new Set<string>()
    /** Merging local groups x (before) and y, if one runner and ids fit. */
    const consider = (x: number, y: number, batchable: boolean): void => {
      const idX = at(ids, x)
      const idY = at(ids, y)
      const key = `${idX},${idY}`
      if (seen.has(key)) return
      seen.add(key)
      if (at(input.runner, idX) !== at(input.runner, idY)) return
      if (numberAt(bytes, idX) + numberAt(bytes, idY) > input.maxIdBytes) {
        return
      }
      let ready = floatAt(start, x)
      for (const pred of at(preds, y)) {
        if (pred !== x) ready = Math.max(ready, floatAt(finish, pred))
      }
      const work = numberAt(minutes, idX) + numberAt(minutes, idY)
      const ends = ready + jobStart + work
      const cost = ends - Math.min(floatAt(latest, x), floatAt(latest, y))
      candidates.push({ x: idX, y: idY, cost, work, batchable })
    }
    // A need that is its group's only need, or whose group has no other user.
    for (let y = 0; y < ids.length; y++) {
      const needsOfY = at(preds, y)
      if (needsOfY.length === 1) consider(at(needsOfY, 0), y, true)
    }
    for (let x = 0; x < ids.length; x++) {
      const usersOfX = at(users, at(ids, x))
      if (usersOfX.size === 1) {
        const [user] = usersOfX
        consider(x, local.get(user ?? -1) ?? -1, true)
      }
    }
    // Neighbours in the order of earliest start among one runner's groups.
    const lastOfRunner = new Map<string, number>()
    for (const y of sequence) {
      const runner = at(input.runner, at(ids, y))
      const x = lastOfRunner.get(runner)
      lastOfRunner.set(runner, y)
      if (x === undefined) continue
      const adjacent = intAt(position, y) === intAt(position, x) + 1
      if (
        adjacent ||
        noPathBetween(at(ids, x), at(ids, y), users, local, position)
      ) {
        consider(x, y, adjacent)
      }
    }
    if (candidates.length === 0) break
    candidates.sort((a, b) => a.cost - b.cost || a.work - b.work || a.x - b.x)
    // Several merges between two timings when far from the goal, none
    // sharing a group: a group with its only need, or with its only user,
    // leaves every other path as it was, and neighbours in a topological
    // order merge into contiguous blocks of it, so together they stay
    // acyclic. A pair proven apart by a search merges alone.
    const batch = Math.max(1, Math.floor((live.size - input.maxJobs) / BATCH))
    const best = at(candidates, 0)
    if (!best.batchable || batch === 1) {
      merge(best.x, best.y)
      continue
    }
    const used = new Set<number>()
    let merged = 0
    for (const candidate of candidates) {
      if (merged >= batch) break
      if (!candidate.batchable) continue
      if (used.has(candidate.x) || used.has(candidate.y)) continue
      used.add(candidate.x)
      used.add(candidate.y)
      merge(candidate.x, candidate.y)
      merged++
    }
  }
  return [...live].sort((a, b) => a - b).map(group => at(members, group))

  /** Group `y` into group `x`. */
  function merge(x: number, y: number): void {
    at(members, x).push(...at(members, y))
    minutes[x] = numberAt(minutes, x) + numberAt(minutes, y)
    bytes[x] = numberAt(bytes, x) + numberAt(bytes, y)
    const needsX = at(needs, x)
    const usersX = at(users, x)
    for (const need of at(needs, y)) {
      at(users, need).delete(y)
      if (need !== x) {
        needsX.add(need)
        at(users, need).add(x)
      }
    }
    for (const user of at(users, y)) {
      at(needs, user).delete(y)
      if (user !== x) {
        usersX.add(user)
        at(needs, user).add(x)
      }
    }
    needsX.delete(y)
    usersX.delete(y)
    live.delete(y)
  }
}

/**
 * Whether no path of needs leads from group `x` to group `y` (x before y
 * in the order of earliest start, so never from y to x): a search forward
 * from x through groups placed before y. False when the search runs out
 * of budget.
 */
function noPathBetween(
  x: number,
  y: number,
  users: readonly Set<number>[],
  local: ReadonlyMap<number, number>,
  position: Int32Array
): boolean {
  const limit = intAt(position, local.get(y) ?? -1)
  const seen = new Set<number>([x])
  const stack = [x]
  while (stack.length > 0) {
    const group = stack.pop() ?? x
    for (const user of at(users, group)) {
      if (user === y) return false
      if (seen.has(user)) continue
      if (intAt(position, local.get(user) ?? -1) > limit) continue
      if (seen.size >= SEARCH_BUDGET) return false
      seen.add(user)
      stack.push(user)
    }
  }
  return true
}
