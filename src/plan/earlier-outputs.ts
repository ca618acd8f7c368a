// The outputs a leg's phases may read from outside the leg, as exec finds
// them in its environment — the exec action and `phase-matrix exec` alike:
// earlier rounds' wave jobs (`PHASE_MATRIX_ROUND_<k>: ${{
// toJSON(needs.wave-<k>) }}`, their legs' records) and the jobs a
// needs-graph job needs (`PHASE_MATRIX_NEEDS_<n>: ${{
// needs.<job>.outputs.phase-outputs }}`, `{"<id>": {…}}` JSON). Pure: env
// in, outputs by id out. O(length of the values).
import { z } from 'zod'
import { UsageError } from './errors.js'
import {
  recordedOutputs,
  mergeOutputs,
  parseOutputsJson,
  type OutputsById
} from './leg-record.js'

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
