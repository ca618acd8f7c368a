// Problems as CLI text: one `file:line:column: severity: message [code]` line
// each (the format editors and CI log parsers link), the seed's
// "Circular dependency detected" block under each cycle, and a count line.
// O(total text size).
import type { Problem } from '../plan/types.js'
import { painter, type Paint } from './colour.js'
import { terminalSafe } from './terminal-safe.js'

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
    const dependency = ring[(k + ring.length - 1) % ring.length] ?? id
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
