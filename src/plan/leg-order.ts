// The phases a leg runs, in dependency order: by wave, then plan order. A
// phase whose dependency inside the same leg failed, timed out or was
// skipped is skipped; dependencies outside the leg are the caller's (a
// round's leg holds every dependency its phases have in the round).
// Pure. O(phases of the leg + their deps).
import { at, numberAt } from './at.js'
import { UsageError } from './errors.js'
import type { Phase, PlanAnalysis } from './types.js'

/**
 * The leg's ids as plan indices, in the order to run them. Unknown ids and
 * repeated ids are a UsageError naming them.
 */
export function legOrder(
  analysis: PlanAnalysis,
  ids: readonly string[]
): number[] {
  const indexOf = new Map<string, number>()
  analysis.plan.phases.forEach(phase => indexOf.set(phase.id, phase.index))
  const indices: number[] = []
  const unknown: string[] = []
  for (const id of ids) {
    const index = indexOf.get(id)
    if (index === undefined) unknown.push(id)
    else indices.push(index)
  }
  if (unknown.length > 0) {
    throw new UsageError(
      `The leg names ${unknown.length} phase(s) that ${analysis.plan.file} does not have: ${unknown.slice(0, 5).join(', ')}${unknown.length > 5 ? ', …' : ''}. ` +
        'Check out the commit the plan step read (the same ref) before running the leg.'
    )
  }
  const seen = new Set<string>()
  for (const id of ids) {
    if (seen.has(id)) throw new UsageError(`The leg names phase ${id} twice.`)
    seen.add(id)
  }
  return indices.sort(
    (a, b) =>
      numberAt(analysis.waveOf, a) - numberAt(analysis.waveOf, b) || a - b
  )
}

/** The first dependency of `index` inside the leg that did not succeed, if any. */
export function blockingDependency(
  analysis: PlanAnalysis,
  index: number,
  outcome: ReadonlyMap<number, 'succeeded' | 'not-succeeded'>
): Phase | undefined {
  for (const dep of at(analysis.depsOf, index)) {
    if (outcome.get(dep) === 'not-succeeded') return analysis.plan.phases[dep]
  }
  return undefined
}

/**
 * A leg's phase ids as given: a JSON array of strings (`["a","b"]`, as
 * `toJSON(matrix.phases)` writes it) or ids separated by commas or
 * whitespace. Empty ids are dropped.
 */
export function parsePhaseList(raw: string): string[] {
  const text = raw.trim()
  if (text.startsWith('[')) {
    let data: unknown
    try {
      data = JSON.parse(text)
    } catch {
      throw new UsageError(
        `The phases of the leg are not a valid JSON array: '${text.slice(0, 60)}'. Expected like ["build","test"] or build,test.`
      )
    }
    if (!Array.isArray(data) || !data.every(id => typeof id === 'string')) {
      throw new UsageError(
        `The phases of the leg must be a JSON array of phase ids (strings), got '${text.slice(0, 60)}'.`
      )
    }
    return data.filter(id => id !== '')
  }
  return text.split(/[\s,]+/).filter(id => id !== '')
}
