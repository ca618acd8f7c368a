// Ids to indices: the validation half of the graph. Reports duplicate ids,
// ids equal but for case, ids GitHub would show under the same job name once
// it cuts names to 100 characters, unknown and self dependencies — all of
// them — and
// builds both adjacency lists with exactly sized arrays. O(V + E) plus
// "did you mean" suggestions for the first few unknown ids.
import { at, intAt } from './at.js'
import { closestMatch } from './closest-id.js'
import type {
  Phase,
  Plan,
  Problem,
  ProblemCode,
  SourcePosition
} from './types.js'

export interface ResolvedGraph {
  /** Indices of each phase's dependencies, in the order written. */
  depsOf: number[][]
  /** Indices of the phases that depend on each phase, in plan order. */
  dependentsOf: number[][]
  problems: Problem[]
}

/** Unknown ids get a suggestion only up to this many (suggesting is O(V)). */
const MAX_SUGGESTIONS = 50

type ReportProblem = (
  code: ProblemCode,
  at: SourcePosition,
  message: string,
  cycle?: string[]
) => void

/** A reporter that appends errors located in `file` to `problems`. */
export function problemReporter(
  file: string,
  problems: Problem[]
): ReportProblem {
  return (code, at, message, cycle) => {
    const problem: Problem = {
      code,
      severity: 'error',
      message,
      file,
      line: at.line,
      column: at.column
    }
    if (cycle) problem.cycle = cycle
    problems.push(problem)
  }
}

export function resolveDependencies(plan: Plan): ResolvedGraph {
  const { phases } = plan
  const count = phases.length
  const problems: Problem[] = []
  const report = problemReporter(plan.file, problems)
  const indexOf = indexIds(phases, report)

  // Pass 1: resolve every dependency once into a flat list, counting edges.
  let edgeCount = 0
  for (const phase of phases) edgeCount += phase.deps.length
  const resolved = new Int32Array(edgeCount)
  const depCount = new Int32Array(count)
  const dependentCount = new Int32Array(count)
  let knownIds: string[] | undefined
  let suggestionsLeft = MAX_SUGGESTIONS
  let edge = 0
  for (let node = 0; node < count; node++) {
    const phase = at(phases, node)
    const depIds = phase.deps
    for (let position = 0; position < depIds.length; position++) {
      const depId = at(depIds, position)
      const dep = indexOf.get(depId)
      if (dep !== undefined && dep !== node) {
        resolved[edge++] = dep
        depCount[node] = intAt(depCount, node) + 1
        dependentCount[dep] = intAt(dependentCount, dep) + 1
        continue
      }
      const where = at(phase.depPositions, position)
      if (depId === phase.id) {
        report(
          'self-dependency',
          where,
          `Phase \`${phase.id}\` depends on itself`
        )
        continue
      }
      let message = `Phase \`${phase.id}\` depends on unknown phase \`${depId}\``
      if (suggestionsLeft > 0) {
        suggestionsLeft--
        knownIds ??= [...indexOf.keys()]
        const guess = closestMatch(depId, knownIds, phase.id)
        if (guess !== undefined) message += `; did you mean \`${guess}\`?`
      }
      report('unknown-dependency', where, message)
    }
  }

  // Pass 2: exactly sized lists (no growth, little garbage); dependents come
  // out in plan order because nodes are visited in plan order.
  const depsOf: number[][] = []
  const dependentsOf: number[][] = []
  const filled = new Int32Array(count)
  for (let node = 0; node < count; node++) {
    dependentsOf.push(new Array<number>(intAt(dependentCount, node)))
  }
  edge = 0
  for (let node = 0; node < count; node++) {
    const deps = new Array<number>(intAt(depCount, node))
    for (let position = 0; position < deps.length; position++) {
      const dep = intAt(resolved, edge++)
      deps[position] = dep
      const slot = intAt(filled, dep)
      at(dependentsOf, dep)[slot] = node
      filled[dep] = slot + 1
    }
    depsOf.push(deps)
  }
  return { depsOf, dependentsOf, problems }
}

/**
 * Id → first index. Reports exact duplicates and ids equal but for case
 * (GitHub job ids are case-insensitive).
 */
function indexIds(
  phases: readonly Phase[],
  report: ReportProblem
): Map<string, number> {
  const indexOf = new Map<string, number>()
  let hasCapitals = false
  for (let node = 0; node < phases.length; node++) {
    const phase = at(phases, node)
    const first = indexOf.get(phase.id)
    if (first !== undefined) {
      const line = at(phases, first).position.line
      report(
        'duplicate-id',
        phase.position,
        `Duplicate phase id \`${phase.id}\`: already defined at line ${line}`
      )
      continue
    }
    indexOf.set(phase.id, node)
    if (!hasCapitals && phase.id !== phase.id.toLowerCase()) hasCapitals = true
  }
  // Only an id with capitals can clash with another but for case: the usual
  // all-lowercase plan skips this pass.
  if (!hasCapitals) return indexOf
  forEachKeyClash(
    phases,
    indexOf,
    id => id.toLowerCase(),
    (phase, first) => {
      report(
        'duplicate-id',
        phase.position,
        `Phase id \`${phase.id}\` differs from \`${first.id}\` (line ${first.position.line}) only in case; GitHub job ids are case-insensitive`
      )
    }
  )
  return indexOf
}

/**
 * For each phase (the first of its id) whose key an earlier phase already
 * has, `clash(phase, first, key)`. O(V) key computations.
 */
function forEachKeyClash(
  phases: readonly Phase[],
  indexOf: ReadonlyMap<string, number>,
  keyOf: (id: string) => string,
  clash: (phase: Phase, first: Phase, key: string) => void
): void {
  const firstByKey = new Map<string, Phase>()
  phases.forEach((phase, node) => {
    if (indexOf.get(phase.id) !== node) return
    const key = keyOf(phase.id)
    const first = firstByKey.get(key)
    if (first === undefined) firstByKey.set(key, phase)
    else clash(phase, first, key)
  })
}
