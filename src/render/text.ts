// The plan as terminal text: the waves (plan text), the dependency tree,
// the rounds, a phase's label, and problems as CLI lines.
import { estimateFacts } from '../plan/simulate.js'
import type {
  ParallelSettings,
  PlanAnalysis,
  Phase,
  Problem
} from '../plan/types.js'
import { painter, terminalSafe, type Paint } from './safe-text.js'
import { estimateTextLines } from './simulation.js'
import { at, numberAt } from '../plan/at.js'
import { roundLegs, type Packing } from '../plan/packing.js'
import { initialStatuses } from '../plan/schedule.js'
import { greenRounds } from '../plan/rounds.js'

// feature-prd-runner's "Parallel Execution Plan" text (its
// `plan-parallel`), byte for byte for plans the seed could express, then —
// when phases have estimates — the critical path and the estimated times.
// O(phases + deps) (O((V + E) log V) with estimates).

interface PlanTextOptions {
  /** Settings after config and flags; limits are shown only when set. */
  settings?: ParallelSettings
  /** ANSI colours (only for a terminal). */
  colour?: boolean
  /** By plan index: unchanged since it passed (`--passed`); shown when given. */
  unchanged?: readonly boolean[]
}

/** The limits that are set, one line each. */
function settingLines(settings: ParallelSettings | undefined): string[] {
  const lines: string[] = []
  if (settings === undefined) return lines
  if (settings.maxWorkers > 0) {
    // `enabled: false` in the config means one worker unless a flag says
    // otherwise; say why the limit is 1.
    const why =
      !settings.enabled && settings.maxWorkers === 1
        ? ' (parallel disabled in config)'
        : ''
    lines.push(`Max workers: ${settings.maxWorkers}${why}`)
  }
  if (settings.failFast) lines.push('Fail fast: yes')
  return lines
}

/** Renders the waves of a valid plan as feature-prd-runner's batch listing. */
export function renderPlanText(
  analysis: PlanAnalysis,
  { settings, colour = false, unchanged }: PlanTextOptions = {}
): string {
  const paint = painter(colour)
  const lines: string[] = [
    paint('bold', 'Parallel Execution Plan'),
    `Total phases: ${analysis.plan.phases.length}`,
    `Batches: ${analysis.waves.length}`,
    `Max parallelism: ${analysis.maxParallelism}`,
    ...settingLines(settings)
  ]
  if (unchanged !== undefined) {
    const count = unchanged.filter(Boolean).length
    lines.push(
      `Unchanged: ${count} phase(s) (inputs as when they passed: they run in no job and count as succeeded)`
    )
  }
  analysis.waves.forEach((wave, w) => {
    lines.push('')
    lines.push(
      paint('bold', `Batch ${w + 1}:`) +
        ` (${wave.length} phase(s) in parallel)`
    )
    for (const index of wave) {
      const phase = analysis.plan.phases[index]
      if (phase === undefined) continue
      let line = `  • ${phaseLabel(phase, paint, unchanged?.[index] === true)}`
      if (phase.deps.length > 0) {
        line += paint(
          'dim',
          ` (depends on: ${terminalSafe(phase.deps.join(', '))})`
        )
      }
      lines.push(line)
      const description = terminalSafe(phase.description?.trimEnd() ?? '')
      if (description !== '') {
        // A multi-line description (YAML block scalar) keeps its indent.
        lines.push('    ' + description.replaceAll('\n', '\n    '))
      }
    }
  })
  // After the seed's text, so that it stays byte for byte without estimates.
  const facts = estimateFacts(analysis, settings?.maxWorkers ?? 0, unchanged)
  if (facts !== undefined) {
    lines.push('', ...estimateTextLines(facts, analysis.plan))
  }
  return lines.join('\n') + '\n'
}

// feature-prd-runner's "Phase Dependency Tree": roots (phases without deps) first, each
// phase under every phase it depends on. A phase's dependents are expanded
// only at its first occurrence; later occurrences of a phase that has
// dependents say `(see above)`. Branches deeper than MAX_TREE_DEPTH continue
// in a section of their own below the tree, so a 100,000-phase chain prints
// short lines instead of a triangle of indentation.
// Iterative depth-first walk: O(phases + deps) lines, no recursion.

/** Levels of indentation before a branch continues in its own section. */
export const MAX_TREE_DEPTH = 40

interface TreeOptions {
  colour?: boolean
  /** By plan index: unchanged since it passed (`--passed`). */
  unchanged?: readonly boolean[]
}

const Seen = {
  expanded: 1,
  /** Its dependents are printed in a continuation section not yet written. */
  deferred: 2
} as const

interface Frame {
  children: readonly number[]
  next: number
  prefix: string
  depth: number
}

/** Renders a valid plan as feature-prd-runner's dependency tree. */
export function renderTree(
  analysis: PlanAnalysis,
  options: TreeOptions = {}
): string {
  const paint = painter(options.colour === true)
  const { phases } = analysis.plan
  const { dependentsOf, depsOf } = analysis
  const seen = new Uint8Array(phases.length)
  const deferred: number[] = []
  const lines: string[] = [paint('bold', 'Phase Dependency Tree')]

  const label = (index: number): string => {
    const phase = phases[index]
    return phase === undefined
      ? ''
      : phaseLabel(phase, paint, options.unchanged?.[index] === true)
  }

  const walk = (roots: readonly number[]): void => {
    const stack: Frame[] = [{ children: roots, next: 0, prefix: '', depth: 0 }]
    for (;;) {
      const frame = stack[stack.length - 1]
      if (frame === undefined) return
      const index = frame.children[frame.next]
      if (index === undefined) {
        stack.pop()
        continue
      }
      frame.next += 1
      const isLast = frame.next === frame.children.length
      const connector = paint('dim', isLast ? '└─ ' : '├─ ')
      let line = frame.prefix + connector + label(index)
      const dependents = at(dependentsOf, index)
      if (dependents.length > 0) {
        if (seen[index] === Seen.expanded) {
          line += paint('dim', ' (see above)')
        } else if (seen[index] === Seen.deferred) {
          line += paint('dim', ' (see below)')
        } else if (frame.depth + 1 >= MAX_TREE_DEPTH) {
          seen[index] = Seen.deferred
          deferred.push(index)
          line += paint('dim', ' (continued below)')
        } else {
          seen[index] = Seen.expanded
          stack.push({
            children: dependents,
            next: 0,
            prefix: frame.prefix + paint('dim', isLast ? '   ' : '│  '),
            depth: frame.depth + 1
          })
        }
      }
      lines.push(line)
    }
  }

  const roots: number[] = []
  for (let i = 0; i < phases.length; i++) {
    if (at(depsOf, i).length === 0) roots.push(i)
  }
  walk(roots)
  // A continuation may defer further branches; the queue grows as we go.
  for (let next = 0; next < deferred.length; next++) {
    const index = numberAt(deferred, next)
    seen[index] = Seen.expanded
    lines.push('', label(index) + paint('dim', ' (continued)'))
    walk(at(dependentsOf, index))
  }
  return lines.join('\n') + '\n'
}

// `phase-matrix plan --rounds`: the rounds a green run of the reusable
// workflow hands out (rounds.ts), which levels each covers and the phases of
// each leg in the order exec runs them. Pure. O(rounds × (V + E) α(V)).

/** `levels 2–4` or `level 3` (1-based) for the phases of a round. */
function levelsOf(analysis: PlanAnalysis, phases: readonly number[]): string {
  const levels = phases.map(index => numberAt(analysis.waveOf, index) + 1)
  const low = Math.min(...levels)
  const high = Math.max(...levels)
  return low === high ? `level ${low}` : `levels ${low}–${high}`
}

/** `unchanged` (plan --passed): phases that run in no round, as if done. */
export function renderRoundsText(
  analysis: PlanAnalysis,
  unchanged: readonly boolean[] | undefined,
  packing: Packing
): string {
  const phases = analysis.plan.phases
  const statuses = initialStatuses(analysis).map((status, index) =>
    unchanged?.[index] === true ? 'done' : status
  )
  const rounds = greenRounds(analysis, statuses, packing, 1)
  const limit = Number.isFinite(packing.maxRounds)
    ? `${packing.maxRounds} wave jobs`
    : 'no limit on wave jobs'
  const lines = [
    `Rounds of a green run (${limit}, at most ${packing.maxLegs} legs a round, ${packing.cores} core(s) a leg): ${rounds.length}`,
    ''
  ]
  rounds.forEach((round, offset) => {
    const legs = roundLegs(analysis, round, packing, offset + 1)
    lines.push(
      `Round ${offset + 1} (${levelsOf(analysis, round)}): ${round.length} phase(s) in ${legs.length} leg(s)`
    )
    for (const leg of legs) {
      // exec's order: by level, then plan order.
      const order = [...leg.phases].sort(
        (a, b) =>
          numberAt(analysis.waveOf, a) - numberAt(analysis.waveOf, b) || a - b
      )
      lines.push(
        `  leg ${leg.leg}: ${order.map(index => at(phases, index).id).join(', ')}`
      )
    }
    lines.push('')
  })
  if (rounds.length === 0)
    lines.push('Nothing to run: every phase is done or unchanged.', '')
  return lines.join('\n')
}

// A phase's id as the terminal listings (plan text, tree) show it. O(length).

/**
 * The id in cyan, made terminal-safe; `(done)` in green after a done phase,
 * `(unchanged)` after one whose inputs are as when it passed.
 */
function phaseLabel(phase: Phase, paint: Paint, unchanged = false): string {
  const done = phase.done ? ` ${paint('green', '(done)')}` : ''
  const same = unchanged ? ` ${paint('green', '(unchanged)')}` : ''
  return paint('cyan', terminalSafe(phase.id)) + done + same
}

// Problems as CLI text: one `file:line:column: severity: message [code]` line
// each (the format editors and CI log parsers link), the seed's
// "Circular dependency detected" block under each cycle, and a count line.
// O(total text size).

interface ProblemsTextOptions {
  colour?: boolean
}

/** `n thing` or `n things`. */
function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`
}

/**
 * feature-prd-runner's cycle block. `cycle` is [a, b, c, a]: each id is depended on by
 * the next, so entry k depends on entry k-1 (and the first on the last).
 */
export function formatCycle(ids: readonly string[], paint?: Paint): string {
  const p = paint ?? painter(false)
  const cycle = ids.map(terminalSafe)
  const ring = cycle.length > 1 ? cycle.slice(0, -1) : [...cycle]
  const lines = [
    p('red', 'ERROR:') + ` Circular dependency detected: ${cycle.join(' -> ')}`,
    '',
    'Phases involved in cycle:'
  ]
  ring.forEach((id, k) => {
    const dependency = at(ring, (k + ring.length - 1) % ring.length)
    lines.push(`  ${k + 1}. ${id} depends on ${dependency}`)
  })
  lines.push('', 'Fix: Remove one dependency to break the cycle.')
  return lines.join('\n')
}

/** The one-line form of a problem: `file:line:column: error: message [code]`. */
function formatProblemLine(problem: Problem, paint?: Paint): string {
  const p = paint ?? painter(false)
  const severity =
    problem.severity === 'error' ? p('red', 'error') : p('yellow', 'warning')
  const where = `${terminalSafe(problem.file)}:${problem.line}:${problem.column}`
  return `${p('bold', where)}: ${severity}: ${terminalSafe(problem.message)} ${p('dim', `[${problem.code}]`)}`
}

/** `2 errors, 1 warning in plan.yaml`, or '' when there are none. */
export function formatProblemCount(problems: readonly Problem[]): string {
  if (problems.length === 0) return ''
  const errors = problems.filter(p => p.severity === 'error').length
  const warnings = problems.length - errors
  const parts: string[] = []
  if (errors > 0 || warnings === 0) parts.push(count(errors, 'error'))
  if (warnings > 0) parts.push(count(warnings, 'warning'))
  const files = [...new Set(problems.map(p => p.file))]
  return `${parts.join(', ')} in ${terminalSafe(files.join(', '))}`
}

/** Every problem as CLI text, ending with the count line and a newline. */
export function formatProblems(
  problems: readonly Problem[],
  options: ProblemsTextOptions = {}
): string {
  if (problems.length === 0) return ''
  const paint = painter(options.colour === true)
  const lines: string[] = []
  for (const problem of problems) {
    if (problem.code === 'cycle' && problem.cycle !== undefined) {
      // A cycle block is set off by blank lines; plain lines stay together.
      if (lines.length > 0 && lines[lines.length - 1] !== '') lines.push('')
      // The block repeats the cycle, so the located line names the edge the
      // position points at (the first phase's dependency on the last).
      const [first] = problem.cycle
      const closing = problem.cycle[problem.cycle.length - 2]
      const located = {
        ...problem,
        message: `${first ?? ''} depends on ${closing ?? ''}, closing the cycle below`
      }
      lines.push(formatProblemLine(located, paint), '')
      lines.push(formatCycle(problem.cycle, paint), '')
    } else {
      lines.push(formatProblemLine(problem, paint))
    }
  }
  if (lines[lines.length - 1] !== '') lines.push('')
  lines.push(formatProblemCount(problems))
  return lines.join('\n') + '\n'
}
