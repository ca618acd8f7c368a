// What a leg is given, as exec reads it: its phases (exec's `phases` input,
// put in dependency order) and the outputs its phases may read from outside
// the leg.
//
// The outputs come from exec's environment (the exec action and
// `phase-matrix exec` alike): earlier rounds' wave jobs
// (`PHASE_MATRIX_ROUND_<k>: ${{ toJSON(needs.wave-<k>) }}`, their legs'
// records) and the jobs a needs-graph job needs (`PHASE_MATRIX_NEEDS_<n>:
// ${{ needs.<job>.outputs.phase-outputs }}`, `{"<id>": {…}}` JSON), the
// plan step's among them (what the unchanged phases stored). Pure:
// env in, outputs by id out. O(length of the values).
import { z } from 'zod'
import { at, numberAt } from './at.js'
import { UsageError } from './errors.js'
import {
  recordedOutputs,
  mergeOutputs,
  parseOutputsJson,
  type OutputsById
} from './leg-record.js'
import type { Phase, PlanAnalysis } from './types.js'

type Env = Readonly<Record<string, string | undefined>>

/** The env variable that carries `toJSON(needs.<wave job of round k>)`. */
export const ROUND_ENV_PREFIX = 'PHASE_MATRIX_ROUND_'
/** The env variable that carries a needed job's `phase-outputs`. */
export const NEEDS_ENV_PREFIX = 'PHASE_MATRIX_NEEDS_'
/** The env variable that carries every needed job's, a JSON list of them. */
export const NEEDS_ENV = 'PHASE_MATRIX_NEEDS'

export const waveJobSchema = z.object({
  result: z.string(),
  outputs: z.record(z.string(), z.string())
})
/** How a wave job ended and its outputs (`leg-<n>`), as `needs` gives them. */
export type WaveJob = z.infer<typeof waveJobSchema>

/**
 * The wave jobs of the env: each `PHASE_MATRIX_ROUND_<k>`,
 * `${{ toJSON(needs.wave-k) }}`, by round. One variable a round, so each
 * stays below Linux's 128 KiB for one environment string.
 */
export function readWaveJobs(env: Env): Map<number, WaveJob> {
  const rounds = new Map<number, WaveJob>()
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ROUND_ENV_PREFIX) || value === undefined) continue
    const round = name.slice(ROUND_ENV_PREFIX.length)
    if (!/^[1-9]\d{0,5}$/.test(round)) continue
    let raw: unknown
    try {
      raw = JSON.parse(value)
    } catch {
      raw = undefined
    }
    const parsed = waveJobSchema.safeParse(raw)
    if (!parsed.success) {
      throw new UsageError(
        `${name} is not a wave job's needs context: expected \${{ toJSON(needs.<wave job of round ${round}>) }}, got '${value.slice(0, 60)}'.`
      )
    }
    rounds.set(Number(round), parsed.data)
  }
  return rounds
}

/** The strings of a `PHASE_MATRIX_NEEDS` list; anything else holds none. */
function neededList(value: string | undefined): string[] {
  if (value === undefined || value === '') return []
  let list: unknown
  try {
    list = JSON.parse(value)
  } catch {
    return []
  }
  return Array.isArray(list)
    ? list.filter(
        (item): item is string => typeof item === 'string' && item !== ''
      )
    : []
}

/**
 * The needed jobs' outputs in the env: each item of `PHASE_MATRIX_NEEDS`
 * and each non-empty `PHASE_MATRIX_NEEDS_<n>`.
 */
export function readNeededOutputs(env: Env): string[] {
  return [
    ...neededList(env[NEEDS_ENV]),
    ...Object.entries(env).flatMap(([name, value]) =>
      name.startsWith(NEEDS_ENV_PREFIX) && value !== undefined && value !== ''
        ? [value]
        : []
    )
  ]
}

/**
 * What the leg's phases may read from outside it: the outputs in the
 * records of the wave jobs before `round` (every one when the round is not
 * known), a later round winning, then those of the needed jobs (a value
 * that is not outputs JSON counts as none).
 */
export function earlierOutputs(
  waveJobs: ReadonlyMap<number, WaveJob>,
  round: number | undefined,
  neededOutputs: readonly string[]
): OutputsById {
  return mergeOutputs([
    recordedOutputs(
      [...waveJobs]
        .filter(([k]) => round === undefined || k < round)
        .sort(([a], [b]) => a - b)
        .map(([, job]) => job.outputs)
    ),
    ...neededOutputs.map(text => parseOutputsJson(text) ?? {})
  ])
}

// The phases a leg runs, in dependency order: by wave, then plan order. A
// phase whose dependency inside the same leg failed, timed out or was
// skipped is skipped; dependencies outside the leg are the caller's (a
// round's leg holds every dependency its phases have in the round).
// Pure. O(phases of the leg + their deps).

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
